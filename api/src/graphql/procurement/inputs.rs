//! Procurement inputs. Closed lists travel as the DECP 2.0.3 schema spells them and are checked
//! in the domain, which answers BAD_USER_INPUT naming the field.
use crate::graphql::scalars::Date;
use async_graphql::InputObject;
use tenants::procurement::contracts::{
    AmendmentInput as DomainAmendment, ContractFields, LotInput as DomainLot, ShareInput,
    SubcontractingActInput as DomainAct,
};
use tenants::procurement::suppliers::NewSupplier;
use uuid::Uuid;

#[derive(InputObject)]
pub struct SupplierInput {
    /// The tenant recording the supplier (the supplier is then shared organisation-wide).
    pub tenant_id: Uuid,
    /// DECP typeIdentifiant: SIRET, TVA, TAHITI, RIDET, FRWF, IREP, HORS-UE.
    #[graphql(default_with = "\"SIRET\".to_string()")]
    pub id_type: String,
    pub identifier: String,
    pub name: String,
}

impl From<SupplierInput> for NewSupplier {
    fn from(i: SupplierInput) -> Self {
        NewSupplier {
            tenant_id: i.tenant_id,
            id_type: i.id_type,
            identifier: i.identifier,
            name: i.name,
        }
    }
}

#[derive(InputObject)]
pub struct ShareIn {
    pub tenant_id: Uuid,
    pub amount_cents: i64,
}

fn shares(v: Vec<ShareIn>) -> Vec<ShareInput> {
    v.into_iter()
        .map(|s| ShareInput {
            tenant_id: s.tenant_id,
            amount_cents: s.amount_cents,
        })
        .collect()
}

/// A lot of a contract divided into lots; each is published as its own DECP `marche`.
#[derive(InputObject)]
pub struct LotInput {
    /// 1, 2, …: unique within the contract.
    pub number: i32,
    pub object: String,
    /// The contract's CPV code when omitted.
    pub cpv: Option<String>,
    pub estimated_cents: i64,
    /// Required when the contract's awardedCents is given; the lots sum to it.
    pub awarded_cents: Option<i64>,
    /// Suppliers of the organisation holding the lot.
    #[graphql(default)]
    pub supplier_ids: Vec<Uuid>,
    /// The lot's own firm duration, when it differs from the contract's.
    pub duration_months: Option<i32>,
}

impl From<LotInput> for DomainLot {
    fn from(l: LotInput) -> Self {
        DomainLot {
            number: l.number,
            object: l.object,
            cpv: l.cpv,
            estimated_cents: l.estimated_cents,
            awarded_cents: l.awarded_cents,
            supplier_ids: l.supplier_ids,
            duration_months: l.duration_months,
        }
    }
}

/// A special act of subcontracting (acte spécial de sous-traitance).
#[derive(InputObject)]
pub struct SubcontractingActInput {
    /// DECP typeIdentifiant of the subcontractor: SIRET, TVA, TAHITI, RIDET, FRWF, IREP, HORS-UE.
    #[graphql(default_with = "\"SIRET\".to_string()")]
    pub subcontractor_id_type: String,
    /// Checked like a supplier's (a SIRET's Luhn key, a French VAT number's key).
    pub subcontractor_identifier: String,
    /// For a contract divided into lots: the lot concerned.
    pub lot: Option<i32>,
    /// At least 100 (1 EUR HT).
    pub amount_cents: i64,
    /// Not before the contract's notification, nor before the previous act's.
    pub notified_on: Date,
    pub duration_months: i32,
    /// DECP variationPrix: Ferme, Actualisable, Révisable.
    pub price_variation: String,
}

impl From<SubcontractingActInput> for DomainAct {
    fn from(i: SubcontractingActInput) -> Self {
        DomainAct {
            id_type: i.subcontractor_id_type,
            identifier: i.subcontractor_identifier,
            lot: i.lot,
            amount_cents: i.amount_cents,
            notified_on: i.notified_on.0,
            duration_months: i.duration_months,
            price_variation: i.price_variation,
        }
    }
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

#[derive(InputObject)]
pub struct ContractInput {
    /// The buyer's reference (DECP id), 1 to 16 characters, unique in the tenant.
    pub reference: String,
    pub object: String,
    /// Marché, Marché de partenariat, Marché de défense ou de sécurité.
    #[graphql(default_with = "\"Marché\".to_string()")]
    pub nature: String,
    /// travaux, fournitures, services (the thresholds depend on it).
    pub category: String,
    /// As the DECP schema spells it, e.g. "Procédure adaptée".
    pub procedure: String,
    #[graphql(default_with = "strings(&[\"Sans objet\"])")]
    pub techniques: Vec<String>,
    #[graphql(default_with = "strings(&[\"Sans objet\"])")]
    pub execution_modalities: Vec<String>,
    #[graphql(default_with = "\"Pas de CCAG\".to_string()")]
    pub ccag: String,
    /// Unitaire, Forfaitaire, Mixte.
    pub price_form: String,
    #[graphql(default_with = "strings(&[\"Définitif ferme\"])")]
    pub price_types: Vec<String>,
    /// 8 digits, optionally -check digit.
    pub cpv: String,
    pub estimated_cents: i64,
    pub awarded_cents: Option<i64>,
    /// The lots of a contract divided into lots (none when it is not divided); their awarded
    /// amounts sum to awardedCents.
    #[graphql(default)]
    pub lots: Vec<LotInput>,
    pub notified_on: Option<Date>,
    pub duration_months: i32,
    #[graphql(default)]
    pub renewals: i32,
    #[graphql(default)]
    pub renewal_months: i32,
    #[graphql(default)]
    pub notice_days: i32,
    pub place_code: String,
    #[graphql(default_with = "\"Code commune\".to_string()")]
    pub place_type: String,
    #[graphql(default_with = "strings(&[\"Pas de considération sociale\"])")]
    pub social_considerations: Vec<String>,
    #[graphql(default_with = "strings(&[\"Pas de considération environnementale\"])")]
    pub environmental_considerations: Vec<String>,
    #[graphql(default)]
    pub subcontracting: bool,
    #[graphql(default)]
    pub supplier_ids: Vec<Uuid>,
    /// Joint procurement: each member commune's share; they sum to the awarded amount.
    #[graphql(default)]
    pub shares: Vec<ShareIn>,
    /// SIRET of the buying establishment (needed for the DECP export).
    pub buyer_siret: Option<String>,
    /// Number of offers received (needed for the DECP export).
    pub offers_received: Option<i32>,
    #[graphql(default)]
    pub innovative: bool,
    #[graphql(default)]
    pub advance_paid: bool,
    /// Conjoint, Solidaire, Pas de groupement.
    #[graphql(default_with = "\"Pas de groupement\".to_string()")]
    pub operator_grouping: String,
}

impl From<ContractInput> for ContractFields {
    fn from(i: ContractInput) -> Self {
        ContractFields {
            reference: i.reference,
            object: i.object,
            nature: i.nature,
            category: i.category,
            procedure: i.procedure,
            techniques: i.techniques,
            execution_modalities: i.execution_modalities,
            ccag: i.ccag,
            price_form: i.price_form,
            price_types: i.price_types,
            cpv: i.cpv,
            estimated_cents: i.estimated_cents,
            awarded_cents: i.awarded_cents,
            lots: i.lots.into_iter().map(DomainLot::from).collect(),
            notified_on: i.notified_on.map(|d| d.0),
            duration_months: i.duration_months,
            renewals: i.renewals,
            renewal_months: i.renewal_months,
            notice_days: i.notice_days,
            place_code: i.place_code,
            place_type: i.place_type,
            social_considerations: i.social_considerations,
            environmental_considerations: i.environmental_considerations,
            subcontracting: i.subcontracting,
            supplier_ids: i.supplier_ids,
            shares: shares(i.shares),
            buyer_siret: i.buyer_siret,
            offers_received: i.offers_received,
            innovative: i.innovative,
            advance_paid: i.advance_paid,
            operator_grouping: i.operator_grouping,
        }
    }
}

#[derive(InputObject)]
pub struct AmendmentInput {
    pub signed_on: Date,
    #[graphql(default)]
    pub object: String,
    pub awarded_cents: Option<i64>,
    pub duration_months: Option<i32>,
    /// The contractors after the amendment, when it changes them.
    pub supplier_ids: Option<Vec<Uuid>>,
    /// A joint procurement's new shares, with a new amount.
    pub shares: Option<Vec<ShareIn>>,
    /// For a contract divided into lots: the lot whose awarded amount (awardedCents) or
    /// contractors (supplierIds) change; the contract's awarded amount becomes the sum of its
    /// lots.
    pub lot: Option<i32>,
}

impl From<AmendmentInput> for DomainAmendment {
    fn from(i: AmendmentInput) -> Self {
        DomainAmendment {
            signed_on: i.signed_on.0,
            object: i.object,
            awarded_cents: i.awarded_cents,
            duration_months: i.duration_months,
            supplier_ids: i.supplier_ids,
            shares: i.shares.map(shares),
            lot: i.lot,
        }
    }
}
