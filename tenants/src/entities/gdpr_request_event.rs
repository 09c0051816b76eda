use sea_orm::entity::prelude::*;

/// One thing done to a rights request (its history), written with the change itself.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "gdpr_request_event")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub tenant_id: Uuid,
    pub request_id: Uuid,
    pub at: DateTimeUtc,
    /// Who did it, as the person's name reads (empty for what predates the history).
    pub actor: String,
    /// `received`, `extended`, or the status the request moved to.
    pub action: String,
    /// The answer, the reasons of a refusal, or the reason of an extension.
    pub note: String,
    /// The deadline in force after this event.
    pub due_on: Option<Date>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
