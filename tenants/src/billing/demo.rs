//! The demo's billing run: this calendar year's allocations invoiced, one numbered invoice per
//! commune with its explained lines (UBL e-invoice and annual statement ready to export).
//!
//! Before the run, every commune gets a billing identity (a SIRET computed on its SIREN, as the
//! referential has no SIRET), one commune requires a Chorus Pro service code and a commitment
//! number, one is billed by titre de recettes; the intercommunality gets its SIRET and its
//! public accountant's account (Banque de France, computed key). Chorus Pro files and titres
//! are issued at once, so the run is done without Stripe. A commune set to the Stripe channel
//! would wait for a Stripe key: the embedded worker leaves such pushes pending
//! (`worker::run_jobs`) rather than failing them.
use super::identity::{self, IdentityInput};
use super::runs;
use super::BillingError;
use crate::identifiers::{iban_with_key, siret_with_key};
use crate::tenancy::{can, Principal};
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
    let manage = dsi.can::<can::ManageCosts>()?;
    if !runs::runs(db, &manage, Some(organisation_id))
        .await?
        .is_empty()
    {
        return Ok(false);
    }
    identities(db, dsi, organisation_id).await?;
    let year = crate::calendar::paris_today().year();
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

/// The demo's billing identities (see the module's note).
async fn identities(
    db: &DatabaseConnection,
    dsi: &Principal,
    organisation_id: Uuid,
) -> Result<(), BillingError> {
    let edit = dsi.can::<can::EditBillingIdentity>()?;
    let read = dsi.can::<can::ReadCosts>()?;
    let tenants = identity::list(db, &read, Some(organisation_id)).await?;
    let mut communes = 0;
    for (t, existing) in tenants {
        if existing.is_some() {
            continue;
        }
        let siret = Some(siret_with_key(&t.siren, "0001"));
        let input = if t.kind == "organisation" {
            IdentityInput {
                tenant_id: t.id,
                siret,
                channel: "chorus_pro".into(),
                // The public accountant's account at the Banque de France (30001).
                iban: Some(iban_with_key("FR", &format!("30001{:0>18}", &t.siren[..9]))),
                bic: Some("BDFEFRPPCCT".into()),
                agreement_reference: Some(
                    "Convention de création du service commun numérique (délibération 2021-045)"
                        .into(),
                ),
                budget_account: Some("70875".into()),
                ..IdentityInput::default()
            }
        } else {
            communes += 1;
            IdentityInput {
                tenant_id: t.id,
                siret,
                // The first commune requires a service code and a commitment; the second is
                // billed by titre de recettes; the others through Chorus Pro.
                service_code: (communes == 1).then(|| "SERV-NUMERIQUE".into()),
                service_code_required: communes == 1,
                commitment_number: (communes == 1).then(|| "EJ-2026-00042".into()),
                commitment_required: communes == 1,
                channel: if communes == 2 { "titre" } else { "chorus_pro" }.into(),
                ..IdentityInput::default()
            }
        };
        identity::set(db, &edit, &input).await?;
    }
    Ok(())
}
