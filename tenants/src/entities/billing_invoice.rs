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
    /// pending (not yet in Stripe), open (issued, to be paid: in Stripe, or a Chorus Pro file or
    /// a titre de recettes, which are issued at once), paid, void, or credit_note (a negative
    /// total).
    pub status: String,
    /// The cost lines invoiced: id, label, amount, explanation.
    pub lines: Json,
    pub issued_on: Date,
    pub due_on: Date,
    pub stripe_invoice_id: Option<String>,
    /// chorus_pro, titre or stripe: the commune's channel when the invoice was issued.
    pub channel: String,
    /// The identity the invoice was issued with (copied: a later correction leaves it as sent).
    pub buyer_siret: Option<String>,
    pub service_code: Option<String>,
    pub commitment_number: Option<String>,
    /// A credit note: the number of the invoice it corrects.
    pub corrects_number: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
