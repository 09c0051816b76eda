use sea_orm::entity::prelude::*;

/// A personal data breach (Art. 33-34): documented whether notified or not.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "gdpr_breach")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub tenant_id: Uuid,
    pub title: String,
    pub aware_at: DateTimeUtc,
    pub occurred_at: Option<DateTimeUtc>,
    pub natures: Json,
    pub data_categories: String,
    pub people_count: Option<i64>,
    pub records_count: Option<i64>,
    pub consequences: String,
    pub measures: String,
    pub severity: String,
    /// aware_at + 72 elapsed hours.
    pub notify_deadline: DateTimeUtc,
    pub notified_at: Option<DateTimeUtc>,
    pub not_notified_reason: Option<String>,
    pub late_reasons: Option<String>,
    pub people_informed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
