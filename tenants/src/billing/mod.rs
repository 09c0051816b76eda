//! Billing: a billing run turns the organisation's current allocations of a period into one
//! invoice per commune, written with one job each (the outbox); the worker pushes each invoice
//! to Stripe through the narrow `StripeGateway` interface, idempotently; Stripe's signed
//! webhooks keep the status in sync.
pub mod cii;
pub mod dead_jobs;
pub mod demo;
pub mod facturx;
pub mod gateway;
pub mod identity;
pub mod runs;
pub mod statement;
pub mod sync;
pub mod titres;
pub mod ubl;
pub mod webhook;

use crate::audit::AuditError;
use crate::jobs::JobError;
use crate::tenancy::AccessError;
use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum BillingError {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error("{field}: {message}")]
    BadInput {
        field: &'static str,
        message: String,
    },
    #[error("{0}")]
    Conflict(String),
    #[error("Stripe: {0}")]
    Gateway(#[from] gateway::GatewayError),
    #[error(transparent)]
    Jobs(#[from] JobError),
    #[error(transparent)]
    Audit(#[from] AuditError),
    #[error(transparent)]
    Db(#[from] DbErr),
    #[error("document could not be rendered: {0}")]
    Render(String),
}

impl crate::fault::Classify for BillingError {
    fn fault(&self) -> crate::fault::Fault {
        use crate::fault::Fault;
        match self {
            BillingError::Access(e) => e.fault(),
            BillingError::BadInput { field, message } => Fault::bad(field, message),
            BillingError::Conflict(m) => Fault::conflict(m),
            _ => Fault::Internal,
        }
    }
}

crate::fault::bad_input_variant!(BillingError);

pub(crate) use crate::fault::bad;

/// The job kind that pushes one invoice to Stripe.
pub const PUSH_INVOICE: &str = "billing.push_invoice";

/// Job: push one invoice to Stripe.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PushInvoice {
    pub invoice_id: uuid::Uuid,
}

impl crate::jobs::Job for PushInvoice {
    const KIND: &'static str = PUSH_INVOICE;
    fn cause(&self) -> String {
        self.invoice_id.to_string()
    }
}
