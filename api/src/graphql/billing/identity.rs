//! Billing identities: what Chorus Pro needs of each commune, and the intercommunality's own.
use super::super::context::scoped;
use super::super::errors::GqlResult;
use async_graphql::{Context, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use tenants::billing::identity::{self, Channel, IdentityInput};
use tenants::entities::{billing_identity, tenant};
use tenants::tenancy::can;
use uuid::Uuid;

/// A tenant's billing identity; the fields are empty when nothing was recorded.
#[derive(SimpleObject, Clone)]
pub struct BillingIdentity {
    pub tenant_id: Uuid,
    pub tenant_name: String,
    /// commune or organisation (the intercommunality, as seller).
    pub tenant_kind: String,
    /// From the referential; a SIRET must belong to it.
    pub siren: String,
    pub siret: Option<String>,
    pub service_code: Option<String>,
    pub service_code_required: bool,
    pub commitment_number: Option<String>,
    pub commitment_required: bool,
    /// chorus_pro (the default), titre or stripe.
    pub channel: String,
    /// The channel in French.
    pub channel_label: String,
    pub iban: Option<String>,
    pub bic: Option<String>,
    pub agreement_reference: Option<String>,
    pub budget_account: Option<String>,
    pub updated_by: Option<String>,
    pub updated_at: Option<DateTime<Utc>>,
    /// What Chorus Pro would refuse, in French (« le SIRET », « le code service »...); empty
    /// when the invoices can go, or when the channel is not Chorus Pro.
    pub missing_for_chorus: Vec<String>,
}

fn to_gql(t: tenant::Model, i: Option<billing_identity::Model>) -> BillingIdentity {
    let channel = Channel::of(i.as_ref());
    let seller = t.kind == "organisation";
    let missing = if channel == Channel::ChorusPro || seller {
        identity::missing_for_chorus(i.as_ref(), seller)
            .into_iter()
            .map(str::to_owned)
            .collect()
    } else {
        vec![]
    };
    BillingIdentity {
        tenant_id: t.id,
        tenant_name: t.name,
        tenant_kind: t.kind,
        siren: t.siren,
        siret: i.as_ref().and_then(|i| i.siret.clone()),
        service_code: i.as_ref().and_then(|i| i.service_code.clone()),
        service_code_required: i.as_ref().is_some_and(|i| i.service_code_required),
        commitment_number: i.as_ref().and_then(|i| i.commitment_number.clone()),
        commitment_required: i.as_ref().is_some_and(|i| i.commitment_required),
        channel: channel.as_str().to_owned(),
        channel_label: channel.label_fr().to_owned(),
        iban: i.as_ref().and_then(|i| i.iban.clone()),
        bic: i.as_ref().and_then(|i| i.bic.clone()),
        agreement_reference: i.as_ref().and_then(|i| i.agreement_reference.clone()),
        budget_account: i.as_ref().and_then(|i| i.budget_account.clone()),
        updated_by: i.as_ref().map(|i| i.updated_by.clone()),
        updated_at: i.as_ref().map(|i| i.updated_at),
        missing_for_chorus: missing,
    }
}

/// Every field replaces the recorded one; an empty or absent field clears it.
#[derive(InputObject, Clone)]
pub struct BillingIdentityInput {
    pub tenant_id: Uuid,
    /// 14 digits, of the tenant's SIREN.
    pub siret: Option<String>,
    pub service_code: Option<String>,
    #[graphql(default)]
    pub service_code_required: bool,
    pub commitment_number: Option<String>,
    #[graphql(default)]
    pub commitment_required: bool,
    /// chorus_pro, titre or stripe.
    #[graphql(default_with = "String::from(\"chorus_pro\")")]
    pub channel: String,
    /// The intercommunality's public accountant's account (seller).
    pub iban: Option<String>,
    pub bic: Option<String>,
    /// The mutualisation agreement (legal basis of a titre de recettes).
    pub agreement_reference: Option<String>,
    /// Budget account of the titres (M57: 70875).
    pub budget_account: Option<String>,
}

#[derive(Default)]
pub struct BillingIdentityQuery;

#[Object]
impl BillingIdentityQuery {
    /// The billing identity of every tenant you reach (a commune's administrator: its own),
    /// by name; `organisationId` narrows to one organisation.
    async fn billing_identities(
        &self,
        ctx: &Context<'_>,
        organisation_id: Option<Uuid>,
    ) -> Result<Vec<BillingIdentity>> {
        let (db, s) = scoped::<can::ReadCosts>(ctx)?;
        Ok(identity::list(db, &s, organisation_id)
            .await
            .gql()?
            .into_iter()
            .map(|(t, i)| to_gql(t, i))
            .collect())
    }
}

#[derive(Default)]
pub struct BillingIdentityMutation;

#[Object]
impl BillingIdentityMutation {
    /// Records a tenant's billing identity (the DSI, or a commune's administrator for its own).
    async fn set_billing_identity(
        &self,
        ctx: &Context<'_>,
        input: BillingIdentityInput,
    ) -> Result<BillingIdentity> {
        let (db, s) = scoped::<can::EditBillingIdentity>(ctx)?;
        let i = IdentityInput {
            tenant_id: input.tenant_id,
            siret: input.siret,
            service_code: input.service_code,
            service_code_required: input.service_code_required,
            commitment_number: input.commitment_number,
            commitment_required: input.commitment_required,
            channel: input.channel,
            iban: input.iban,
            bic: input.bic,
            agreement_reference: input.agreement_reference,
            budget_account: input.budget_account,
        };
        let (t, saved) = identity::set(db, &s, &i).await.gql()?;
        Ok(to_gql(t, Some(saved)))
    }
}
