//! Alerts: what the scans recorded for the communes you reach, and how you receive them.
use super::context::{principal, scoped};
use super::errors::GqlResult;
use super::page::{self, Page};
use super::scalars::Date;
use async_graphql::{Context, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use tenants::alerts::{deliver, scan};
use tenants::entities::alert;
use tenants::tenancy::can;
use uuid::Uuid;

#[derive(SimpleObject, Clone)]
pub struct Alert {
    pub id: Uuid,
    pub tenant_id: Uuid,
    /// request_due, request_overdue, breach_deadline, contract_notice, backup_rpo,
    /// restore_test_due, invoice_unpaid.
    pub kind: String,
    pub title: String,
    pub detail: String,
    /// The deadline when it is an instant: a breach's 72 hours.
    pub due_at: Option<DateTime<Utc>>,
    /// The deadline when it is a day (a rights request's answer, a contract's notice, an
    /// invoice's due date), counted in Europe/Paris by its module: the same day as the request's
    /// `effectiveDueOn`.
    pub due_on: Option<Date>,
    pub created_at: DateTime<Utc>,
}

impl From<alert::Model> for Alert {
    fn from(m: alert::Model) -> Self {
        Self {
            id: m.id,
            tenant_id: m.tenant_id,
            kind: m.kind,
            title: m.title,
            detail: m.detail,
            due_at: m.due_at,
            due_on: m.due_on.map(Date),
            created_at: m.created_at,
        }
    }
}

#[derive(Default)]
pub struct AlertQuery;

#[Object]
impl AlertQuery {
    /// Alerts of the communes you reach, newest first; `kind` keeps one kind.
    async fn alerts(
        &self,
        ctx: &Context<'_>,
        tenant_ids: Option<Vec<Uuid>>,
        #[graphql(
            desc = "request_due, request_overdue, breach_deadline, contract_notice, backup_rpo, restore_test_due, invoice_unpaid"
        )]
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
    ) -> Result<Page<Alert>> {
        let (db, s) = scoped::<can::ReadDirectory>(ctx)?;
        Ok(Page::of(
            scan::list(
                db,
                &s,
                tenant_ids,
                kind.as_deref(),
                page::req(offset, first),
            )
            .await
            .gql()?,
        ))
    }
}

#[derive(Default)]
pub struct AlertMutation;

#[Object]
impl AlertMutation {
    /// How alerts reach you: immediate (an email each), digest (one a day) or off.
    async fn set_alert_delivery(&self, ctx: &Context<'_>, mode: String) -> Result<String> {
        let (db, _) = scoped::<can::ReadDirectory>(ctx)?;
        let p = principal(ctx)?;
        deliver::set_mode(db, p, &mode).await.gql()
    }
}
