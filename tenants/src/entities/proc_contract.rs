use sea_orm::entity::prelude::*;

/// A public contract (marché) of one tenant. Closed lists are stored as the DECP 2.0.3 schema
/// spells them; amounts are integer cents, excluding VAT (HT).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "proc_contract")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub tenant_id: Uuid,
    /// The buyer's own reference (DECP `id`).
    pub reference: String,
    pub object: String,
    pub nature: String,
    /// travaux, fournitures, services.
    pub category: String,
    pub procedure: String,
    pub techniques: Json,
    pub execution_modalities: Json,
    pub ccag: String,
    pub price_form: String,
    pub price_types: Json,
    /// 8 digits, without the check digit.
    pub cpv: String,
    pub estimated_cents: i64,
    pub awarded_cents: Option<i64>,
    pub lots: i32,
    pub notified_on: Option<Date>,
    pub duration_months: i32,
    pub renewals: i32,
    pub renewal_months: i32,
    pub notice_days: i32,
    pub place_code: String,
    pub place_type: String,
    pub social_considerations: Json,
    pub environmental_considerations: Json,
    pub subcontracting: bool,
    pub joint: bool,
    /// The contractors as notified (amendments may replace the current ones).
    pub initial_supplier_ids: Json,
    /// SIRET of the buying establishment (DECP `acheteur.id`), within the tenant's SIREN.
    pub buyer_siret: Option<String>,
    pub offers_received: Option<i32>,
    pub innovative: bool,
    /// An advance was granted (DECP `attributionAvance`).
    pub advance_paid: bool,
    /// DECP `typeGroupementOperateurs`.
    pub operator_grouping: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Raised by every change (edit, amendment, act of subcontracting).
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
