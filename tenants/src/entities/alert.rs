use sea_orm::entity::prelude::*;

/// One alert, recorded once per cause (`cause_key`) and tenant.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "alert")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub tenant_id: Uuid,
    /// request_due, request_overdue, breach_deadline, contract_notice, backup_rpo,
    /// restore_test_due, invoice_unpaid.
    pub kind: String,
    pub cause_key: String,
    pub title: String,
    pub detail: String,
    /// The deadline when it is an instant (a breach's 72 hours).
    pub due_at: Option<DateTimeUtc>,
    /// The deadline when it is a day (a request's answer, a notice, an invoice), in Paris.
    pub due_on: Option<Date>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
