//! Procurement output types.
use crate::graphql::context::scoped;
use crate::graphql::errors::GqlResult;
use crate::graphql::scalars::Date;
use async_graphql::{ComplexObject, Context, Result, SimpleObject};
use tenants::entities::{proc_amendment, proc_share, proc_supplier};
use tenants::procurement::contracts::{self, strings, Contract as DomainContract, ContractFilter};
use tenants::procurement::cpv::{self, CpvEntry};
use tenants::procurement::splitting;
use tenants::procurement::thresholds::{Requirements, Threshold};
use tenants::tenancy::can;
use uuid::Uuid;

#[derive(SimpleObject, Clone)]
pub struct CpvCode {
    /// 8 digits.
    pub code: String,
    /// With its check digit, as notices print it (e.g. 72000000-5).
    pub code_with_check_digit: String,
    pub label: String,
}

impl From<&CpvEntry> for CpvCode {
    fn from(e: &CpvEntry) -> Self {
        Self {
            code: e.code.into(),
            code_with_check_digit: e.display(),
            label: e.label.into(),
        }
    }
}

fn cpv_of(code: &str) -> CpvCode {
    cpv::lookup(code).map(CpvCode::from).unwrap_or(CpvCode {
        code: code.into(),
        code_with_check_digit: code.into(),
        label: String::new(),
    })
}

#[derive(SimpleObject, Clone)]
pub struct ThresholdOut {
    /// no_publicity, national_notice, european.
    pub kind: String,
    pub categories: Vec<String>,
    pub amount_cents: i64,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
    pub source: String,
}

impl From<&Threshold> for ThresholdOut {
    fn from(t: &Threshold) -> Self {
        Self {
            kind: t.kind.code().into(),
            categories: t.categories.iter().map(|c| c.code().to_owned()).collect(),
            amount_cents: t.amount_cents,
            valid_from: Date(t.valid_from),
            valid_to: t.valid_to.map(Date),
            source: t.source.into(),
        }
    }
}

#[derive(SimpleObject, Clone)]
pub struct ProcurementRequirements {
    /// The procedure the thresholds lead to, as DECP spells it.
    pub procedure: String,
    /// none, adapted, boamp_or_jal, boamp_and_joue.
    pub publicity: String,
    /// The thresholds in force on that date for that category, lowest first.
    pub thresholds: Vec<ThresholdOut>,
    /// No European threshold is recorded for that date.
    pub unknown_european_threshold: bool,
}

impl From<Requirements> for ProcurementRequirements {
    fn from(r: Requirements) -> Self {
        Self {
            procedure: r.procedure.into(),
            publicity: r.publicity.into(),
            thresholds: r.thresholds.into_iter().map(ThresholdOut::from).collect(),
            unknown_european_threshold: r.unknown_european_threshold,
        }
    }
}

/// A supplier, shared by the communes of one organisation.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Supplier {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub id_type: String,
    pub identifier: String,
    pub name: String,
}

impl From<proc_supplier::Model> for Supplier {
    fn from(m: proc_supplier::Model) -> Self {
        Self {
            id: m.id,
            organisation_id: m.organisation_id,
            id_type: m.id_type,
            identifier: m.identifier,
            name: m.name,
        }
    }
}

#[ComplexObject]
impl Supplier {
    /// The contracts you can read that name this supplier, by reference.
    async fn contracts(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            default = 50,
            validator(minimum = 1, maximum = 500),
            desc = "Items per page: 1 to 500 (default 50)."
        )]
        first: u64,
        #[graphql(
            default = 0,
            validator(maximum = 100000000),
            desc = "Items skipped before this page (default 0)."
        )]
        offset: u64,
    ) -> Result<crate::graphql::page::Page<Contract>> {
        let (db, s) = scoped::<can::ReadProcurement>(ctx)?;
        let f = ContractFilter {
            supplier_id: Some(self.id),
            offset,
            limit: first,
            ..Default::default()
        };
        Ok(crate::graphql::page::Page::of(
            contracts::page(db, &s, &f, tenants::calendar::paris_today())
                .await
                .gql()?,
        ))
    }
}

#[derive(SimpleObject, Clone)]
pub struct Amendment {
    pub id: Uuid,
    pub signed_on: Date,
    pub object: String,
    pub awarded_cents: Option<i64>,
    pub duration_months: Option<i32>,
    pub supplier_ids: Option<Vec<Uuid>>,
    /// The lot amended, for a contract divided into lots (then the amount and contractors are
    /// the lot's).
    pub lot: Option<i32>,
}

/// A special act of subcontracting (acte spécial de sous-traitance).
#[derive(SimpleObject, Clone)]
pub struct SubcontractingAct {
    pub id: Uuid,
    /// 1, 2, … in the order of notification within the contract.
    pub number: i32,
    /// The lot concerned, for a contract divided into lots.
    pub lot: Option<i32>,
    pub subcontractor_id_type: String,
    pub subcontractor_identifier: String,
    pub amount_cents: i64,
    pub notified_on: Date,
    pub duration_months: i32,
    /// Ferme, Actualisable, Révisable.
    pub price_variation: String,
}

impl From<tenants::entities::proc_subcontracting_act::Model> for SubcontractingAct {
    fn from(a: tenants::entities::proc_subcontracting_act::Model) -> Self {
        Self {
            id: a.id,
            number: a.number,
            lot: a.lot,
            subcontractor_id_type: a.id_type,
            subcontractor_identifier: a.identifier,
            amount_cents: a.amount_cents,
            notified_on: Date(a.notified_on),
            duration_months: a.duration_months,
            price_variation: a.price_variation,
        }
    }
}

impl From<proc_amendment::Model> for Amendment {
    fn from(m: proc_amendment::Model) -> Self {
        Self {
            id: m.id,
            signed_on: Date(m.signed_on),
            object: m.object,
            awarded_cents: m.awarded_cents,
            duration_months: m.duration_months,
            supplier_ids: m.supplier_ids.and_then(|v| serde_json::from_value(v).ok()),
            lot: m.lot,
        }
    }
}

/// A member commune's part of a joint procurement.
#[derive(SimpleObject, Clone)]
pub struct JointShare {
    pub contract_id: Uuid,
    pub tenant_id: Uuid,
    pub amount_cents: i64,
    pub reference: String,
    pub object: String,
    pub cpv: CpvCode,
}

impl From<proc_share::Model> for JointShare {
    fn from(m: proc_share::Model) -> Self {
        Self {
            contract_id: m.contract_id,
            tenant_id: m.tenant_id,
            amount_cents: m.amount_cents,
            reference: m.reference,
            object: m.object,
            cpv: cpv_of(&m.cpv),
        }
    }
}

#[derive(SimpleObject, Clone)]
pub struct Contract {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub tenant_id: Uuid,
    pub reference: String,
    pub object: String,
    pub nature: String,
    /// travaux, fournitures, services.
    pub category: String,
    pub procedure: String,
    pub techniques: Vec<String>,
    pub execution_modalities: Vec<String>,
    pub ccag: String,
    pub price_form: String,
    pub price_types: Vec<String>,
    pub cpv: CpvCode,
    pub estimated_cents: i64,
    /// After the amendments.
    pub awarded_cents: Option<i64>,
    pub initial_awarded_cents: Option<i64>,
    /// Raised by every change: `updateContract` takes the version you read.
    pub version: i32,
    /// Firm duration as notified (amendments change `durationMonths`).
    pub initial_duration_months: i32,
    /// The lots, by number; empty when the contract is not divided.
    pub lots: Vec<Lot>,
    /// The special acts of subcontracting, by number.
    pub subcontracting_acts: Vec<SubcontractingAct>,
    pub notified_on: Option<Date>,
    /// Firm duration after the amendments.
    pub duration_months: i32,
    /// Every renewal included.
    pub max_duration_months: i32,
    pub renewals: i32,
    pub renewal_months: i32,
    pub notice_days: i32,
    pub place_code: String,
    pub place_type: String,
    pub social_considerations: Vec<String>,
    pub environmental_considerations: Vec<String>,
    pub subcontracting: bool,
    pub joint: bool,
    pub buyer_siret: Option<String>,
    pub offers_received: Option<i32>,
    pub innovative: bool,
    pub advance_paid: bool,
    pub operator_grouping: String,
    pub supplier_ids: Vec<Uuid>,
    pub amendments: Vec<Amendment>,
    /// The shares of a joint procurement your scope reaches.
    pub shares: Vec<JointShare>,
    /// draft (not notified), active, expired.
    pub status: String,
    /// Last day, every renewal included.
    pub end_on: Option<Date>,
    /// End of the current period, where renewal is decided.
    pub next_renewal_on: Option<Date>,
    /// Last day to give notice of non-renewal for that period.
    pub notice_deadline: Option<Date>,
}

/// A lot of a contract divided into lots.
#[derive(SimpleObject, Clone)]
pub struct Lot {
    pub id: Uuid,
    pub number: i32,
    pub object: String,
    pub cpv: CpvCode,
    pub estimated_cents: i64,
    /// After the amendments of the lot.
    pub awarded_cents: Option<i64>,
    pub initial_awarded_cents: Option<i64>,
    /// Supplier ids holding the lot, after the amendments of the lot.
    pub contractors: Vec<Uuid>,
    /// Supplier ids holding the lot as notified.
    pub initial_contractors: Vec<Uuid>,
    /// The lot's own firm duration, when it differs from the contract's.
    pub duration_months: Option<i32>,
}

impl From<tenants::entities::proc_lot::Model> for Lot {
    fn from(l: tenants::entities::proc_lot::Model) -> Self {
        Lot {
            id: l.id,
            number: l.number,
            cpv: cpv_of(&l.cpv),
            object: l.object,
            estimated_cents: l.estimated_cents,
            awarded_cents: l.awarded_cents,
            initial_awarded_cents: l.awarded_cents,
            contractors: serde_json::from_value(l.supplier_ids.clone()).unwrap_or_default(),
            initial_contractors: serde_json::from_value(l.supplier_ids).unwrap_or_default(),
            duration_months: l.duration_months,
        }
    }
}

impl From<DomainContract> for Contract {
    fn from(c: DomainContract) -> Self {
        let today = tenants::calendar::paris_today();
        let next = c.next_renewal(today);
        let (status, end_on, awarded, duration, max) = (
            c.status(today).code().to_owned(),
            c.end_on().map(Date),
            c.awarded_cents(),
            c.duration_months(),
            c.max_duration_months(),
        );
        let lots: Vec<Lot> = c
            .lots
            .iter()
            .map(|l| Lot {
                awarded_cents: c.lot_awarded_cents(l),
                contractors: c.lot_supplier_ids(l),
                ..Lot::from(l.clone())
            })
            .collect();
        let r = c.row;
        Self {
            id: r.id,
            organisation_id: r.organisation_id,
            tenant_id: r.tenant_id,
            reference: r.reference,
            object: r.object,
            nature: r.nature,
            category: r.category,
            procedure: r.procedure,
            techniques: strings(&r.techniques),
            execution_modalities: strings(&r.execution_modalities),
            ccag: r.ccag,
            price_form: r.price_form,
            price_types: strings(&r.price_types),
            cpv: cpv_of(&r.cpv),
            estimated_cents: r.estimated_cents,
            awarded_cents: awarded,
            initial_awarded_cents: r.awarded_cents,
            version: r.version,
            initial_duration_months: r.duration_months,
            lots,
            subcontracting_acts: c
                .subcontracting_acts
                .into_iter()
                .map(SubcontractingAct::from)
                .collect(),
            notified_on: r.notified_on.map(Date),
            duration_months: duration,
            max_duration_months: max,
            renewals: r.renewals,
            renewal_months: r.renewal_months,
            notice_days: r.notice_days,
            place_code: r.place_code,
            place_type: r.place_type,
            social_considerations: strings(&r.social_considerations),
            environmental_considerations: strings(&r.environmental_considerations),
            subcontracting: r.subcontracting,
            joint: r.joint,
            buyer_siret: r.buyer_siret,
            offers_received: r.offers_received,
            innovative: r.innovative,
            advance_paid: r.advance_paid,
            operator_grouping: r.operator_grouping,
            supplier_ids: c.supplier_ids,
            amendments: c.amendments.into_iter().map(Amendment::from).collect(),
            shares: c.shares.into_iter().map(JointShare::from).collect(),
            status,
            end_on,
            next_renewal_on: next.map(|(e, _)| Date(e)),
            notice_deadline: next.map(|(_, d)| Date(d)),
        }
    }
}

/// A class's label; a class the list lacks (not possible for a stored code) reads as itself.
fn class_label(class: &str) -> String {
    tenants::procurement::cpv::class_label(class)
        .unwrap_or(class)
        .to_owned()
}

#[derive(SimpleObject, Clone)]
pub struct SplittingAlert {
    pub tenant_id: Uuid,
    /// CPV class: the first four digits.
    pub cpv_class: String,
    /// The class's label in the CPV list (« Services de nettoyage » for 9091).
    pub cpv_class_label: String,
    pub category: String,
    pub year: i32,
    pub total_estimated_cents: i64,
    pub largest_single_cents: i64,
    pub contract_ids: Vec<Uuid>,
    /// The threshold the family reaches while each contract stays under it.
    pub threshold: ThresholdOut,
}

impl From<splitting::SplittingAlert> for SplittingAlert {
    fn from(a: splitting::SplittingAlert) -> Self {
        Self {
            tenant_id: a.tenant_id,
            cpv_class_label: class_label(&a.cpv_class),
            cpv_class: a.cpv_class,
            category: a.category.code().into(),
            year: a.year,
            total_estimated_cents: a.total_estimated_cents,
            largest_single_cents: a.largest_single_cents,
            contract_ids: a.contract_ids,
            threshold: a.threshold.into(),
        }
    }
}

#[derive(SimpleObject, Clone)]
pub struct TenantVolume {
    pub tenant_id: Uuid,
    pub estimated_cents: i64,
}

/// A family several communes buy separately: a joint procurement candidate.
#[derive(SimpleObject, Clone)]
pub struct JointOpportunity {
    pub organisation_id: Uuid,
    pub cpv_class: String,
    /// The class's label in the CPV list (« Services de nettoyage » for 9091).
    pub cpv_class_label: String,
    pub category: String,
    pub year: i32,
    pub total_estimated_cents: i64,
    pub tenants: Vec<TenantVolume>,
    /// The highest threshold the combined volume reaches.
    pub reaches: Option<ThresholdOut>,
}

impl From<splitting::Opportunity> for JointOpportunity {
    fn from(o: splitting::Opportunity) -> Self {
        Self {
            organisation_id: o.organisation_id,
            cpv_class_label: class_label(&o.cpv_class),
            cpv_class: o.cpv_class,
            category: o.category.code().into(),
            year: o.year,
            total_estimated_cents: o.total_estimated_cents,
            tenants: o
                .tenants
                .into_iter()
                .map(|(tenant_id, estimated_cents)| TenantVolume {
                    tenant_id,
                    estimated_cents,
                })
                .collect(),
            reaches: o.reaches.map(ThresholdOut::from),
        }
    }
}

#[derive(SimpleObject, Clone)]
pub struct DecpSkipped {
    pub contract_id: Uuid,
    pub reference: String,
    pub reason: String,
}

/// A DECP 2.0.3 document (`{"marches": {"marche": [...]}}`) and what could not be published.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct DecpExport {
    pub document: async_graphql::Json<serde_json::Value>,
    pub exported: i32,
    pub skipped: Vec<DecpSkipped>,
}

#[async_graphql::ComplexObject]
impl DecpExport {
    /// The same document as DECP XML (UTF-8): root `<marches>`, one `<marche>` per contract,
    /// lists as repeated child elements (`<titulaires><titulaire>...`).
    async fn xml(&self) -> String {
        tenants::procurement::decp::to_xml(&self.document.0)
    }
}

impl From<tenants::procurement::decp::DecpExport> for DecpExport {
    fn from(e: tenants::procurement::decp::DecpExport) -> Self {
        Self {
            document: async_graphql::Json(e.document),
            exported: i32::try_from(e.exported).unwrap_or(i32::MAX),
            skipped: e
                .skipped
                .into_iter()
                .map(|s| DecpSkipped {
                    contract_id: s.contract_id,
                    reference: s.reference,
                    reason: s.reason.into(),
                })
                .collect(),
        }
    }
}

/// A row of an imported file that was not accepted.
#[derive(SimpleObject, Clone)]
pub struct ImportRejection {
    /// Line in the file (the header is line 1).
    pub line: i32,
    pub reference: String,
    /// The column concerned (its header in the file).
    pub field: String,
    pub message: String,
}

/// What an import did: everything, or nothing and why.
#[derive(SimpleObject, Clone)]
pub struct ContractImport {
    pub rows: i32,
    pub imported: i32,
    pub contract_ids: Vec<Uuid>,
    pub rejected: Vec<ImportRejection>,
}

impl From<tenants::procurement::import::ImportReport> for ContractImport {
    fn from(r: tenants::procurement::import::ImportReport) -> Self {
        let n = |x: usize| i32::try_from(x).unwrap_or(i32::MAX);
        Self {
            rows: n(r.rows),
            imported: n(r.imported),
            contract_ids: r.contract_ids,
            rejected: r
                .rejected
                .into_iter()
                .map(|x| ImportRejection {
                    line: n(x.line),
                    reference: x.reference,
                    field: x.field,
                    message: x.message,
                })
                .collect(),
        }
    }
}
