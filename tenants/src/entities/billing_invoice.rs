use sea_orm::entity::prelude::*;

/// One commune's invoice for one billing run (exactly one).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "billing_invoice")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub tenant_id: Uuid,
    pub billing_run_id: Uuid,
    /// Sequential within the organisation: <year>-<run>-<n>.
    pub number: String,
    pub amount_cents: i64,
    /// pending (not yet in Stripe), open, paid, void, or credit_note (a negative total).
    pub status: String,
    /// The cost lines invoiced: id, label, amount, explanation.
    pub lines: Json,
    pub issued_on: Date,
    pub due_on: Date,
    pub stripe_invoice_id: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
