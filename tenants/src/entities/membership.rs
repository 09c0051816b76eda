use sea_orm::entity::prelude::*;

/// A role held by a user in an organisation: org-wide (tenant_id NULL: org_admin, dpo) or on
/// one tenant (commune_admin, commune_editor).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "membership")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub tenant_id: Option<Uuid>,
    pub user_id: Uuid,
    pub role: String,
    pub created_at: DateTimeUtc,
    pub created_by: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
