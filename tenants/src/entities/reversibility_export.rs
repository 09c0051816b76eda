use sea_orm::entity::prelude::*;

/// A reversibility export asked for: its target (a tenant, or the organisation whole), its
/// progress as the worker writes it, and what it produced.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reversibility_export")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organisation_id: Uuid,
    /// The tenant exported, or the organisation's own tenant for a whole organisation.
    pub tenant_id: Uuid,
    /// organisation or tenant.
    pub kind: String,
    pub requested_by: String,
    /// pending, running, done or failed.
    pub status: String,
    pub progress_done: i64,
    pub progress_total: i64,
    pub archive_bytes: Option<i64>,
    pub rows_exported: Option<i64>,
    pub manifest_sha256: Option<String>,
    pub error: Option<String>,
    pub created_at: DateTimeUtc,
    pub started_at: Option<DateTimeUtc>,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
