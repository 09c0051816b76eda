use sea_orm::entity::prelude::*;

/// A data subject's rights request (Art. 15-22) and its legal clock (Art. 12(3)).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "gdpr_request")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub tenant_id: Uuid,
    pub kind: String,
    /// Date of receipt, in the commune's (Paris) calendar.
    pub received_on: Date,
    pub requester: String,
    pub contact: String,
    pub details: String,
    pub status: String,
    pub answer: String,
    pub answered_on: Option<Date>,
    pub due_on: Date,
    pub extended_due_on: Option<Date>,
    pub extension_reason: Option<String>,
    pub extended_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
