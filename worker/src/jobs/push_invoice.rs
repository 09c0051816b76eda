//! Push one invoice to Stripe.
use super::Run;
use crate::JobSettings;
use sea_orm::DatabaseConnection;
use tenants::billing::PushInvoice;
use tenants::entities::job;

impl Run for PushInvoice {
    async fn run(
        self,
        db: &DatabaseConnection,
        s: &JobSettings,
        _: &job::Model,
    ) -> Result<(), String> {
        let stripe = s
            .stripe
            .as_ref()
            .ok_or("Stripe is not configured (STRIPE_SECRET_KEY)")?;
        tenants::billing::sync::push_invoice(db, stripe.as_ref(), self.invoice_id, s.send_invoices)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}
