//! Billing runs, invoices, and the job queue's dead letters.
pub mod identity;
use super::context::{scoped, RequestCtx};
use super::errors::{bad_input, GqlResult};
use super::page::{self, Page};
use super::scalars::Date;
use async_graphql::{Context, Enum, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use tenants::billing::{runs, runs::InvoiceSort};
use tenants::entities::job::{self, JobStatus};
use tenants::entities::{billing_invoice, billing_run};
use tenants::jobs::{self};
use tenants::tenancy::can;
use uuid::Uuid;

#[derive(SimpleObject, Clone)]
pub struct BillingRun {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub period_start: Date,
    pub period_end: Date,
    pub label: String,
    /// running (invoices still on their way to Stripe) or done (Chorus Pro files and titres
    /// are issued at once).
    pub status: String,
    pub invoices: i32,
    pub total_cents: i64,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl From<billing_run::Model> for BillingRun {
    fn from(m: billing_run::Model) -> Self {
        Self {
            id: m.id,
            organisation_id: m.organisation_id,
            period_start: Date(m.period_start),
            period_end: Date(m.period_end),
            label: m.label,
            status: m.status,
            invoices: m.invoices,
            total_cents: m.total_cents,
            created_by: m.created_by,
            created_at: m.created_at,
            finished_at: m.finished_at,
        }
    }
}

#[derive(SimpleObject, Clone)]
pub struct Invoice {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub billing_run_id: Uuid,
    pub number: String,
    pub amount_cents: i64,
    /// pending (on its way to Stripe), open (issued, to be paid), paid, void or credit_note.
    pub status: String,
    /// The cost lines invoiced, each with its explanation.
    pub lines: async_graphql::Json<serde_json::Value>,
    pub issued_on: Date,
    pub due_on: Date,
    pub stripe_invoice_id: Option<String>,
    /// chorus_pro, titre or stripe: how the invoice left.
    pub channel: String,
    /// The buyer's identity the invoice was issued with.
    pub buyer_siret: Option<String>,
    pub service_code: Option<String>,
    pub commitment_number: Option<String>,
    /// A credit note: the number of the invoice it corrects.
    pub corrects_number: Option<String>,
}

impl From<billing_invoice::Model> for Invoice {
    fn from(m: billing_invoice::Model) -> Self {
        Self {
            id: m.id,
            tenant_id: m.tenant_id,
            billing_run_id: m.billing_run_id,
            number: m.number,
            amount_cents: m.amount_cents,
            status: m.status,
            lines: async_graphql::Json(m.lines),
            issued_on: Date(m.issued_on),
            due_on: Date(m.due_on),
            stripe_invoice_id: m.stripe_invoice_id,
            channel: m.channel,
            buyer_siret: m.buyer_siret,
            service_code: m.service_code,
            commitment_number: m.commitment_number,
            corrects_number: m.corrects_number,
        }
    }
}

#[derive(SimpleObject, Clone)]
pub struct Job {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub kind: String,
    /// pending, running, done or dead.
    pub status: String,
    pub attempts: i32,
    pub max_attempts: i32,
    pub run_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl From<job::Model> for Job {
    fn from(m: job::Model) -> Self {
        Self {
            id: m.id,
            tenant_id: m.tenant_id,
            kind: m.kind,
            status: m.status.as_str().to_owned(),
            attempts: m.attempts,
            max_attempts: m.max_attempts,
            run_at: m.run_at,
            last_error: m.last_error,
            created_at: m.created_at,
            finished_at: m.finished_at,
        }
    }
}

/// The columns a list of invoices is sorted by.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Default)]
pub enum InvoiceOrder {
    /// The invoice number, the order they were issued in (the default).
    #[default]
    Number,
    AmountCents,
    Status,
    DueOn,
}

impl From<InvoiceOrder> for InvoiceSort {
    fn from(o: InvoiceOrder) -> Self {
        match o {
            InvoiceOrder::Number => InvoiceSort::Number,
            InvoiceOrder::AmountCents => InvoiceSort::AmountCents,
            InvoiceOrder::Status => InvoiceSort::Status,
            InvoiceOrder::DueOn => InvoiceSort::DueOn,
        }
    }
}

#[derive(Default)]
pub struct BillingQuery;

#[Object]
impl BillingQuery {
    /// Billing runs, newest first.
    async fn billing_runs(
        &self,
        ctx: &Context<'_>,
        organisation_id: Option<Uuid>,
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
    ) -> Result<Page<BillingRun>> {
        let (db, s) = scoped::<can::ManageCosts>(ctx)?;
        Ok(Page::of(
            runs::runs_page(db, &s, organisation_id, page::req(offset, first))
                .await
                .gql()?,
        ))
    }

    /// Invoices: a commune reads its own. By number unless `orderBy` says otherwise.
    #[allow(clippy::too_many_arguments)]
    async fn invoices(
        &self,
        ctx: &Context<'_>,
        tenant_ids: Option<Vec<Uuid>>,
        billing_run_id: Option<Uuid>,
        #[graphql(default)] order_by: InvoiceOrder,
        #[graphql(default)] descending: bool,
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
    ) -> Result<Page<Invoice>> {
        let (db, s) = scoped::<can::ReadCosts>(ctx)?;
        Ok(Page::of(
            runs::invoices(
                db,
                &s,
                tenant_ids,
                billing_run_id,
                order_by.into(),
                descending,
                page::req(offset, first),
            )
            .await
            .gql()?,
        ))
    }

    /// Background jobs; `status: "dead"` for the dead letters; `kind` such as
    /// billing.push_invoice, reporting.snapshot, alerts.email.
    async fn jobs(
        &self,
        ctx: &Context<'_>,
        status: Option<String>,
        kind: Option<String>,
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
    ) -> Result<Page<Job>> {
        let status = match status.as_deref() {
            None => None,
            Some(v) => Some(JobStatus::parse(v).ok_or_else(|| {
                bad_input(
                    "status",
                    format!("Statut de tâche inconnu « {v} » : pending, running, done ou dead."),
                )
            })?),
        };
        let (db, s) = scoped::<can::ManageCosts>(ctx)?;
        Ok(Page::of(
            jobs::list(db, &s, status, kind.as_deref(), page::req(offset, first))
                .await
                .gql()?,
        ))
    }
}

#[derive(Default)]
pub struct BillingMutation;

#[Object]
impl BillingMutation {
    /// Invoices the period's allocations: one invoice per commune, pushed to Stripe by the
    /// worker.
    async fn start_billing_run(
        &self,
        ctx: &Context<'_>,
        organisation_id: Uuid,
        period_start: Date,
        period_end: Date,
        label: String,
    ) -> Result<BillingRun> {
        let (db, s) = scoped::<can::ManageCosts>(ctx)?;
        let run = runs::start(
            db,
            &s,
            organisation_id,
            period_start.0,
            period_end.0,
            &label,
        )
        .await
        .gql()?;
        ctx.data::<RequestCtx>()?.wake_workers().await;
        Ok(run.into())
    }

    /// Puts a dead job back in the queue.
    async fn retry_job(&self, ctx: &Context<'_>, id: Uuid) -> Result<Job> {
        let (db, s) = scoped::<can::ManageCosts>(ctx)?;
        let j = tenants::billing::dead_jobs::retry(db, &s, id).await.gql()?;
        ctx.data::<RequestCtx>()?.wake_workers().await;
        Ok(j.into())
    }
}
