//! Billing identity: what Chorus Pro needs to accept an invoice to a commune (the SIRET of its
//! paying establishment, its service code and a commitment number when the commune requires
//! them), the intercommunality's own identity as seller (its SIRET, the account of its public
//! accountant), and the channel each commune is billed through. The referential gives SIRENs
//! only: a SIRET is recorded by a person, checked (Luhn, and that it belongs to the tenant's
//! SIREN), and audited.
use super::{bad, BillingError};
use crate::audit::{self, Entry};
use crate::collation::OrderByName;
use crate::entities::{billing_identity, tenant};
use crate::identifiers::{Bic, Iban, Siret};
use crate::tenancy::{can, Can, Scope};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, IntoActiveModel,
    QueryFilter, Set,
};
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// How a commune's invoices leave: a file for Chorus Pro (the default for a public body), a
/// line of the titres de recettes export for the intercommunality's finance software, or Stripe
/// (card, transfer, direct debit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    ChorusPro,
    Titre,
    Stripe,
}

impl Channel {
    pub const ALL: [Channel; 3] = [Channel::ChorusPro, Channel::Titre, Channel::Stripe];
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::ChorusPro => "chorus_pro",
            Channel::Titre => "titre",
            Channel::Stripe => "stripe",
        }
    }
    pub fn label_fr(self) -> &'static str {
        match self {
            Channel::ChorusPro => "Chorus Pro",
            Channel::Titre => "Titre de recettes",
            Channel::Stripe => "Stripe (virement, carte, prélèvement)",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Channel::ALL.into_iter().find(|c| c.as_str() == s)
    }
    /// A tenant with no identity recorded is billed through Chorus Pro.
    pub fn of(identity: Option<&billing_identity::Model>) -> Self {
        identity
            .and_then(|i| Channel::parse(&i.channel))
            .unwrap_or(Channel::ChorusPro)
    }
}

/// What a person records (every field replaces the stored one; `None` clears it).
#[derive(Debug, Clone, Default)]
pub struct IdentityInput {
    pub tenant_id: Uuid,
    pub siret: Option<String>,
    pub service_code: Option<String>,
    pub service_code_required: bool,
    pub commitment_number: Option<String>,
    pub commitment_required: bool,
    pub channel: String,
    pub iban: Option<String>,
    pub bic: Option<String>,
    pub agreement_reference: Option<String>,
    pub budget_account: Option<String>,
}

fn trimmed(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// A free code of Chorus Pro's alphabet: letters, digits and - _ . / and spaces.
fn code(
    field: &'static str,
    what: &str,
    v: &Option<String>,
    max: usize,
) -> Result<Option<String>, BillingError> {
    let Some(s) = trimmed(v) else { return Ok(None) };
    let ok = s.chars().count() <= max
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | ' '));
    if !ok {
        return Err(bad(
            field,
            format!(
                "{what} compte au plus {max} caractères : lettres sans accent, chiffres, tirets, points, barres obliques ou espaces."
            ),
        ));
    }
    Ok(Some(s))
}

struct Checked {
    siret: Option<String>,
    service_code: Option<String>,
    commitment_number: Option<String>,
    channel: Channel,
    iban: Option<String>,
    bic: Option<String>,
    agreement_reference: Option<String>,
    budget_account: Option<String>,
}

fn check(i: &IdentityInput, t: &tenant::Model) -> Result<Checked, BillingError> {
    let siret = match trimmed(&i.siret) {
        None => None,
        Some(s) => {
            let s = Siret::parse(&s).map_err(|e| bad::<BillingError>("siret", e.to_string()))?;
            if s.siren() != t.siren {
                return Err(bad(
                    "siret",
                    format!(
                        "Ce SIRET appartient au SIREN {}, pas à celui de {} ({}).",
                        s.siren(),
                        t.name,
                        t.siren
                    ),
                ));
            }
            Some(s.as_str().to_owned())
        }
    };
    let channel = Channel::parse(&i.channel).ok_or_else(|| {
        bad::<BillingError>(
            "channel",
            "Canal inconnu : chorus_pro, titre ou stripe.".to_owned(),
        )
    })?;
    let iban = match trimmed(&i.iban) {
        None => None,
        Some(s) => Some(
            Iban::parse(&s)
                .map_err(|e| bad::<BillingError>("iban", e.to_string()))?
                .as_str()
                .to_owned(),
        ),
    };
    let bic = match trimmed(&i.bic) {
        None => None,
        Some(s) => Some(
            Bic::parse(&s)
                .map_err(|e| bad::<BillingError>("bic", e.to_string()))?
                .as_str()
                .to_owned(),
        ),
    };
    let agreement_reference = trimmed(&i.agreement_reference);
    if agreement_reference
        .as_ref()
        .is_some_and(|s| s.chars().count() > 200)
    {
        return Err(bad(
            "agreementReference",
            "La référence de la convention compte au plus 200 caractères.",
        ));
    }
    let budget_account = trimmed(&i.budget_account);
    if budget_account
        .as_ref()
        .is_some_and(|s| s.len() > 10 || !s.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(bad(
            "budgetAccount",
            "Un compte budgétaire s'écrit en chiffres (10 au plus), par exemple 70875.",
        ));
    }
    Ok(Checked {
        siret,
        service_code: code("serviceCode", "Le code service", &i.service_code, 100)?,
        commitment_number: code(
            "commitmentNumber",
            "Le numéro d'engagement",
            &i.commitment_number,
            50,
        )?,
        channel,
        iban,
        bic,
        agreement_reference,
        budget_account,
    })
}

fn snapshot(m: &billing_identity::Model) -> serde_json::Value {
    json!({"siret": m.siret, "serviceCode": m.service_code,
        "serviceCodeRequired": m.service_code_required, "commitmentNumber": m.commitment_number,
        "commitmentRequired": m.commitment_required, "channel": m.channel, "iban": m.iban,
        "bic": m.bic, "agreementReference": m.agreement_reference,
        "budgetAccount": m.budget_account})
}

/// Records a tenant's identity (EditBillingIdentity: the DSI for any tenant of its
/// organisation, a commune's administrator for its own).
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn set(
    db: &DatabaseConnection,
    scope: &Can<can::EditBillingIdentity>,
    input: &IdentityInput,
) -> Result<(tenant::Model, billing_identity::Model), BillingError> {
    let txn = scope.begin(db).await?;
    let t = scope
        .get::<tenant::Entity, _>(&txn, input.tenant_id)
        .await??;
    let c = check(input, &t)?;
    let before = scope
        .find::<billing_identity::Entity>()
        .filter(billing_identity::Column::TenantId.eq(t.id))
        .one(&txn)
        .await?;
    let now = Utc::now();
    let by = scope.principal().audit_ref();
    let saved = match &before {
        Some(b) => {
            let mut a = b.clone().into_active_model();
            a.siret = Set(c.siret);
            a.service_code = Set(c.service_code);
            a.service_code_required = Set(input.service_code_required);
            a.commitment_number = Set(c.commitment_number);
            a.commitment_required = Set(input.commitment_required);
            a.channel = Set(c.channel.as_str().to_owned());
            a.iban = Set(c.iban);
            a.bic = Set(c.bic);
            a.agreement_reference = Set(c.agreement_reference);
            a.budget_account = Set(c.budget_account);
            a.updated_by = Set(by);
            a.updated_at = Set(now);
            a.update(&txn).await?
        }
        None => {
            billing_identity::ActiveModel::from(billing_identity::Model {
                id: Uuid::now_v7(),
                organisation_id: t.organisation_id,
                tenant_id: t.id,
                siret: c.siret,
                service_code: c.service_code,
                service_code_required: input.service_code_required,
                commitment_number: c.commitment_number,
                commitment_required: input.commitment_required,
                channel: c.channel.as_str().to_owned(),
                iban: c.iban,
                bic: c.bic,
                agreement_reference: c.agreement_reference,
                budget_account: c.budget_account,
                updated_by: by,
                updated_at: now,
            })
            .insert(&txn)
            .await?
        }
    };
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id: t.organisation_id,
            tenant_id: t.id,
            operation: "billing.identity.set",
            before: before.as_ref().map(snapshot),
            after: Some(snapshot(&saved)),
        },
    )
    .await?;
    txn.commit().await?;
    Ok((t, saved))
}

/// The tenants of the scope (optionally one organisation's), each with its identity if any,
/// by name.
pub async fn list(
    db: &DatabaseConnection,
    scope: &Scope,
    organisation_id: Option<Uuid>,
) -> Result<Vec<(tenant::Model, Option<billing_identity::Model>)>, BillingError> {
    let txn = scope.begin(db).await?;
    let mut q = scope.find::<tenant::Entity>();
    if let Some(o) = organisation_id {
        q = q.filter(tenant::Column::OrganisationId.eq(o));
    }
    let tenants = q.order_by_name(tenant::Column::Name).all(&txn).await?;
    let mut by_tenant = of_tenants(&txn, scope, tenants.iter().map(|t| t.id).collect()).await?;
    txn.commit().await?;
    Ok(tenants
        .into_iter()
        .map(|t| {
            let i = by_tenant.remove(&t.id);
            (t, i)
        })
        .collect())
}

/// The identities of these tenants, by tenant.
pub(crate) async fn of_tenants<C: ConnectionTrait>(
    c: &C,
    scope: &Scope,
    tenant_ids: Vec<Uuid>,
) -> Result<HashMap<Uuid, billing_identity::Model>, sea_orm::DbErr> {
    Ok(scope
        .find::<billing_identity::Entity>()
        .filter(billing_identity::Column::TenantId.is_in(tenant_ids))
        .all(c)
        .await?
        .into_iter()
        .map(|i| (i.tenant_id, i))
        .collect())
}

/// What Chorus Pro would refuse in this identity, in French, for the buyer (a commune) or the
/// seller (the intercommunality); empty when complete.
pub fn missing_for_chorus(i: Option<&billing_identity::Model>, seller: bool) -> Vec<&'static str> {
    let mut m = vec![];
    if i.and_then(|i| i.siret.as_ref()).is_none() {
        m.push("le SIRET");
    }
    if seller {
        if i.and_then(|i| i.iban.as_ref()).is_none() {
            m.push("l'IBAN du comptable public");
        }
    } else if let Some(i) = i {
        if i.service_code_required && i.service_code.is_none() {
            m.push("le code service");
        }
        if i.commitment_required && i.commitment_number.is_none() {
            m.push("le numéro d'engagement");
        }
    }
    m
}
