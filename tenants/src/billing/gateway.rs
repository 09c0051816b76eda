//! What billing needs from Stripe, and nothing more. The worker implements it with
//! async-stripe; every creating call carries an idempotency key, and the caller also looks
//! for an earlier result first (localstripe ignores idempotency keys).
use std::collections::HashMap;
use std::future::Future;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct GatewayError(pub String);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StripeInvoice {
    pub id: String,
    pub status: String,
}

/// One line to put on a commune's invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Our cost line: the item's identity in Stripe (metadata `mutualis_line`).
    pub line_id: Uuid,
    pub amount_cents: i64,
    pub description: String,
}

pub trait StripeGateway: Send + Sync {
    /// The customers recorded in Stripe's metadata for these communes (those that have one),
    /// found in one pass over Stripe's customers whatever the number of communes.
    fn find_customers(
        &self,
        tenant_ids: &[Uuid],
    ) -> impl Future<Output = Result<HashMap<Uuid, String>, GatewayError>> + Send;
    fn create_customer(
        &self,
        tenant_id: Uuid,
        name: &str,
        siren: &str,
    ) -> impl Future<Output = Result<String, GatewayError>> + Send;
    /// The commune's membership of the shared service (a subscription to a plan of the
    /// organisation at 0 €): the allocated amounts are invoice items on top of it.
    fn ensure_membership(
        &self,
        customer: &str,
        organisation_id: Uuid,
        organisation_name: &str,
    ) -> impl Future<Output = Result<(), GatewayError>> + Send;
    /// Our line ids already pending on the customer.
    fn pending_lines(
        &self,
        customer: &str,
    ) -> impl Future<Output = Result<Vec<Uuid>, GatewayError>> + Send;
    fn add_item(
        &self,
        customer: &str,
        invoice_number: &str,
        item: &Item,
    ) -> impl Future<Output = Result<(), GatewayError>> + Send;
    /// The customer's invoice whose description is `description`, if one exists.
    fn find_invoice(
        &self,
        customer: &str,
        description: &str,
    ) -> impl Future<Output = Result<Option<StripeInvoice>, GatewayError>> + Send;
    /// An invoice of the pending items.
    fn create_invoice(
        &self,
        customer: &str,
        description: &str,
        invoice_id: Uuid,
    ) -> impl Future<Output = Result<StripeInvoice, GatewayError>> + Send;
    /// Finalises the invoice and sends it for payment by bank transfer (30 days).
    fn send_for_bank_transfer(
        &self,
        invoice: &str,
    ) -> impl Future<Output = Result<StripeInvoice, GatewayError>> + Send;
}
