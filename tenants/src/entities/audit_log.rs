use sea_orm::entity::prelude::*;

/// One mutation, hash-chained per tenant: hash = SHA-256(prev_hash | canonical record).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub tenant_id: Uuid,
    pub seq: i64,
    pub at: DateTimeUtc,
    /// "user:<uuid>", "token:<uuid>" or "cli".
    pub principal: String,
    pub operation: String,
    pub before: Option<Json>,
    pub after: Option<Json>,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
