use sea_orm::entity::prelude::*;

/// A processing activity of a tenant's register (Art. 30(1) controller, 30(2) processor), or a
/// model published by the organisation (`is_model`, held by the organisation's own tenant).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "gdpr_activity")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub tenant_id: Uuid,
    pub role: String,
    pub name: String,
    pub purposes: String,
    pub controller_name: Option<String>,
    pub legal_bases: Json,
    pub data_subjects: Json,
    pub data_categories: Json,
    pub recipients: Json,
    pub transfers: Json,
    pub retention: Json,
    pub security_measures: Json,
    pub dpia_criteria: Json,
    pub origin: String,
    pub collection_method: String,
    pub information: String,
    pub software: String,
    pub department: String,
    pub owner: String,
    pub status: String,
    pub is_model: bool,
    pub model_id: Option<Uuid>,
    pub model_version: Option<i32>,
    pub model_snapshot: Option<Json>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Set when the commune archived it: out of the register, the exports and the figures.
    pub archived_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
