use sea_orm::entity::prelude::*;

/// A person who carries the commune's GDPR: its référent, the representative of the controller,
/// its IT referent, or a member of its comité Informatique et Libertés.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "gdpr_actor")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub tenant_id: Uuid,
    /// `referent`, `representative`, `it_referent` or `committee_member`.
    pub role: String,
    /// A committee member's role in the committee (« président », « secrétaire »…).
    pub committee_role: String,
    pub full_name: String,
    /// The person's function in the commune (« maire », « DGS »…).
    pub function_title: String,
    pub email: String,
    pub phone: String,
    /// Since when the person holds the role.
    pub since: Option<Date>,
    pub version: i32,
    pub updated_by: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
