use sea_orm::entity::prelude::*;

/// What a tenant's invoices must carry: a commune as buyer (SIRET of the paying establishment,
/// Chorus Pro service code and commitment number when it requires them, its channel), the
/// intercommunality's own tenant as seller (its SIRET, its public accountant's account).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "billing_identity")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub tenant_id: Uuid,
    pub siret: Option<String>,
    pub service_code: Option<String>,
    pub service_code_required: bool,
    pub commitment_number: Option<String>,
    pub commitment_required: bool,
    /// chorus_pro, titre or stripe.
    pub channel: String,
    pub iban: Option<String>,
    pub bic: Option<String>,
    /// The mutualisation agreement (legal basis of a titre de recettes).
    pub agreement_reference: Option<String>,
    /// Budget account of a titre (M57: 70875 for reimbursements by member communes).
    pub budget_account: Option<String>,
    pub updated_by: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
