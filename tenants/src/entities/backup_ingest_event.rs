use sea_orm::entity::prelude::*;

/// One webhook call that named a known token, accepted or rejected (with the reason code).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "backup_ingest_event")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub tenant_id: Uuid,
    pub token_id: Uuid,
    pub received_at: DateTimeUtc,
    /// accepted or rejected.
    pub outcome: String,
    pub reason: Option<String>,
    pub report_id: Option<String>,
    pub job_id: Option<Uuid>,
    pub detail: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
