//! The demo's billing run: this calendar year's allocations invoiced, one numbered invoice per
//! commune with its explained lines (UBL e-invoice and annual statement ready to export).
//!
//! The embedded demo has no Stripe key. Its worker then leaves the invoice pushes pending
//! instead of failing them (`worker::run_jobs`): the run shows as being sent and its invoices
//! as in preparation, and nothing warns, retries or dies while the demo runs. With a Stripe key,
//! the same jobs are pushed as in production.
use super::runs;
use super::BillingError;
use crate::tenancy::{Permission, Principal};
use chrono::{Datelike, NaiveDate};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

/// Starts the year's billing run once (nothing when the organisation has one). Call it right
/// after `costs::demo::seed` made the allocations it invoices.
pub async fn seed(
    db: &DatabaseConnection,
    organisation_id: Uuid,
    dsi: &Principal,
) -> Result<bool, BillingError> {
    let manage = dsi.scope(Permission::ManageCosts)?;
    if !runs::runs(db, &manage, Some(organisation_id))
        .await?
        .is_empty()
    {
        return Ok(false);
    }
    let year = crate::gdpr::paris_today().year();
    let (Some(start), Some(end)) = (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) else {
        return Ok(false);
    };
    runs::start(
        db,
        &manage,
        organisation_id,
        start,
        end,
        &format!("Facturation {year} du service commun"),
    )
    .await?;
    Ok(true)
}
