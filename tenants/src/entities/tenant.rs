use sea_orm::entity::prelude::*;

/// A member commune, or the organisation itself (it keeps its own register too).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tenant")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organisation_id: Uuid,
    /// "commune" or "organisation".
    pub kind: String,
    pub insee_code: Option<String>,
    pub siren: String,
    pub name: String,
    pub population: i64,
    /// Head of this tenant's audit hash chain: deleting the last record is detectable.
    pub audit_head_seq: i64,
    pub audit_head_hash: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::organisation::Entity",
        from = "Column::OrganisationId",
        to = "super::organisation::Column::Id"
    )]
    Organisation,
}

impl Related<super::organisation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Organisation.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
