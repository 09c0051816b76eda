//! GDPR writes: each one transaction in the domain, audited there.
use super::inputs::*;
use super::types::*;
use crate::graphql::context::{scoped, scoped_by};
use crate::graphql::errors::{bad_input, GqlResult};
use crate::graphql::scalars::Date;
use async_graphql::{Context, Object, Result};
use chrono::{DateTime, Utc};
use tenants::gdpr::status_change::StatusChange;
use tenants::gdpr::{self, breaches::Notification, vocab::*};
use tenants::tenancy::can;
use uuid::Uuid;

#[derive(Default)]
pub struct GdprMutation;

#[Object]
impl GdprMutation {
    /// A new entry in a commune's register, in draft.
    async fn create_activity(
        &self,
        ctx: &Context<'_>,
        tenant_id: Uuid,
        input: ActivityInput,
    ) -> Result<Activity> {
        let (db, s) = scoped::<can::EditGdpr>(ctx)?;
        let (fields, processors) = input.into_fields()?;
        Ok(
            gdpr::activity::create(db, &s, tenant_id, fields, processors)
                .await
                .gql()?
                .into(),
        )
    }

    /// Replaces an entry's content; `version` is the one you read (CONFLICT if it moved).
    async fn update_activity(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        version: i32,
        input: ActivityInput,
    ) -> Result<Activity> {
        let (db, s) = scoped::<can::EditGdpr>(ctx)?;
        let (fields, processors) = input.into_fields()?;
        Ok(
            gdpr::activity::update(db, &s, id, version, fields, processors)
                .await
                .gql()?
                .into(),
        )
    }

    /// draft or validated (the commune), checked (the DPO only).
    async fn set_activity_status(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        status: String,
    ) -> Result<Activity> {
        let status = vocab("status", ActivityStatus::parse(&status))?;
        let (db, change) = scoped_by(ctx, |p| StatusChange::ask(p, status))?;
        Ok(gdpr::activity::set_status(db, &change, id)
            .await
            .gql()?
            .into())
    }

    /// Archive a register entry the commune no longer carries out: it leaves the register, its
    /// exports and figures; it stays readable by its id and in the audit trail. `version` is
    /// the one you read (CONFLICT if it moved).
    async fn archive_activity(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        version: i32,
    ) -> Result<Activity> {
        let (db, s) = scoped::<can::EditGdpr>(ctx)?;
        Ok(gdpr::activity::archive(db, &s, id, version)
            .await
            .gql()?
            .into())
    }

    /// Delete a draft (never validated, without DPIA or action plan items); its content stays
    /// in the audit trail. Answers the id deleted.
    async fn delete_activity(&self, ctx: &Context<'_>, id: Uuid, version: i32) -> Result<Uuid> {
        let (db, s) = scoped::<can::EditGdpr>(ctx)?;
        gdpr::activity::delete_draft(db, &s, id, version)
            .await
            .gql()
    }

    /// Publish a model activity for the organisation's communes (DSI or DPO).
    async fn publish_model_activity(
        &self,
        ctx: &Context<'_>,
        organisation_id: Uuid,
        input: ActivityInput,
    ) -> Result<Activity> {
        let (db, s) = scoped::<can::PublishModels>(ctx)?;
        let (fields, _) = input.into_fields()?;
        Ok(gdpr::models::publish(db, &s, organisation_id, fields)
            .await
            .gql()?
            .into())
    }

    /// Change a model; instances show the difference until they take it over.
    async fn update_model_activity(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        version: i32,
        input: ActivityInput,
    ) -> Result<Activity> {
        let (db, s) = scoped::<can::PublishModels>(ctx)?;
        let (fields, _) = input.into_fields()?;
        let a = gdpr::activity::update(db, &s, id, version, fields, vec![])
            .await
            .gql()?;
        if !a.row.is_model {
            return Err(bad_input(
                "id",
                "Ce traitement n'est pas un traitement modèle.",
            ));
        }
        Ok(a.into())
    }

    /// Copy a model into a commune's register in one step.
    async fn instantiate_model(
        &self,
        ctx: &Context<'_>,
        model_id: Uuid,
        tenant_id: Uuid,
    ) -> Result<Activity> {
        let (db, s) = scoped::<can::EditGdpr>(ctx)?;
        Ok(gdpr::models::instantiate(db, &s, model_id, tenant_id)
            .await
            .gql()?
            .into())
    }

    async fn create_processor(
        &self,
        ctx: &Context<'_>,
        input: ProcessorInput,
    ) -> Result<Processor> {
        let (db, s) = scoped::<can::EditGdpr>(ctx)?;
        let p = gdpr::processors::NewProcessor {
            tenant_id: input.tenant_id,
            name: input.name,
            siret: input.siret,
            contact: input.contact,
            country: input.country,
            contract_ref: input.contract_ref,
            dpa_status: vocab("dpaStatus", DpaStatus::parse(&input.dpa_status))?,
            dpa_signed_on: input.dpa_signed_on.map(|d| d.0),
        };
        Ok(gdpr::processors::create_processor(db, &s, p)
            .await
            .gql()?
            .into())
    }

    /// Change a processor's identity or contract (its commune stays).
    async fn update_processor(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        input: ProcessorChangesInput,
    ) -> Result<Processor> {
        let (db, s) = scoped::<can::EditGdpr>(ctx)?;
        let current = gdpr::processors::processor(db, &s, id).await.gql()?;
        let p = gdpr::processors::NewProcessor {
            tenant_id: current.tenant_id,
            name: input.name,
            siret: input.siret,
            contact: input.contact,
            country: input.country,
            contract_ref: input.contract_ref,
            dpa_status: vocab("dpaStatus", DpaStatus::parse(&input.dpa_status))?,
            dpa_signed_on: input.dpa_signed_on.map(|d| d.0),
        };
        Ok(gdpr::processors::update_processor(db, &s, id, p)
            .await
            .gql()?
            .into())
    }

    /// Record that an activity of the commune's register uses this processor (the register's
    /// "Sous-traitants" column and sheet); the activity's version moves.
    async fn link_processor_to_activity(
        &self,
        ctx: &Context<'_>,
        processor_id: Uuid,
        activity_id: Uuid,
    ) -> Result<Processor> {
        let (db, s) = scoped::<can::EditGdpr>(ctx)?;
        Ok(
            gdpr::processors::set_link(db, &s, processor_id, activity_id, true)
                .await
                .gql()?
                .into(),
        )
    }

    /// The activity no longer uses this processor; the activity's version moves.
    async fn unlink_processor_from_activity(
        &self,
        ctx: &Context<'_>,
        processor_id: Uuid,
        activity_id: Uuid,
    ) -> Result<Processor> {
        let (db, s) = scoped::<can::EditGdpr>(ctx)?;
        Ok(
            gdpr::processors::set_link(db, &s, processor_id, activity_id, false)
                .await
                .gql()?
                .into(),
        )
    }

    /// Open or update the DPIA of an activity; `validated` is the DPO's.
    async fn record_dpia(
        &self,
        ctx: &Context<'_>,
        activity_id: Uuid,
        status: String,
        #[graphql(default)] conclusion: String,
    ) -> Result<Dpia> {
        let status = vocab("status", DpiaStatus::parse(&status))?;
        let (db, change) = scoped_by(ctx, |p| StatusChange::ask(p, status))?;
        Ok(
            gdpr::processors::record_dpia(db, &change, activity_id, conclusion)
                .await
                .gql()?
                .into(),
        )
    }

    async fn create_gdpr_action(
        &self,
        ctx: &Context<'_>,
        tenant_id: Uuid,
        activity_id: Option<Uuid>,
        title: String,
        due_on: Date,
    ) -> Result<Action> {
        let (db, s) = scoped::<can::EditGdpr>(ctx)?;
        Ok(
            gdpr::processors::create_action(db, &s, tenant_id, activity_id, title, due_on.0)
                .await
                .gql()?
                .into(),
        )
    }

    /// Change what an open action plan item says or when it is due.
    async fn update_gdpr_action(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        title: String,
        due_on: Date,
    ) -> Result<Action> {
        let (db, s) = scoped::<can::EditGdpr>(ctx)?;
        Ok(gdpr::processors::update_action(db, &s, id, title, due_on.0)
            .await
            .gql()?
            .into())
    }

    async fn complete_gdpr_action(&self, ctx: &Context<'_>, id: Uuid) -> Result<Action> {
        let (db, s) = scoped::<can::EditGdpr>(ctx)?;
        Ok(gdpr::processors::complete_action(db, &s, id)
            .await
            .gql()?
            .into())
    }

    /// Record a rights request; its deadline is computed from the receipt date.
    async fn create_rights_request(
        &self,
        ctx: &Context<'_>,
        input: RightsRequestInput,
    ) -> Result<RightsRequest> {
        let (db, s) = scoped::<can::EditGdpr>(ctx)?;
        let r = gdpr::requests::NewRequest {
            tenant_id: input.tenant_id,
            kind: vocab("kind", RequestKind::parse(&input.kind))?,
            received_on: input.received_on.0,
            requester: input.requester,
            contact: input.contact,
            details: input.details,
        };
        Ok(gdpr::requests::create(db, &s, r).await.gql()?.into())
    }

    /// Two further months (Art. 12(3)), with the reason, before the first deadline.
    async fn extend_rights_request(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        reason: String,
    ) -> Result<RightsRequest> {
        let (db, s) = scoped::<can::EditGdpr>(ctx)?;
        Ok(
            gdpr::requests::extend(db, &s, id, &reason, tenants::calendar::paris_today())
                .await
                .gql()?
                .into(),
        )
    }

    async fn set_rights_request_status(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        status: String,
        answer: Option<String>,
        answered_on: Option<Date>,
    ) -> Result<RightsRequest> {
        let status = vocab("status", RequestStatus::parse(&status))?;
        let (db, s) = scoped::<can::EditGdpr>(ctx)?;
        Ok(
            gdpr::requests::set_status(db, &s, id, status, answer, answered_on.map(|d| d.0))
                .await
                .gql()?
                .into(),
        )
    }

    /// Document a breach; the 72-hour clock starts at `awareAt`.
    async fn create_breach(&self, ctx: &Context<'_>, input: BreachInput) -> Result<Breach> {
        let (db, s) = scoped::<can::EditGdpr>(ctx)?;
        let b = gdpr::breaches::NewBreach {
            tenant_id: input.tenant_id,
            title: input.title,
            aware_at: input.aware_at,
            occurred_at: input.occurred_at,
            natures: input
                .natures
                .iter()
                .map(|n| vocab("natures", BreachNature::parse(n)))
                .collect::<Result<_>>()?,
            data_categories: input.data_categories,
            people_count: input.people_count,
            records_count: input.records_count,
            consequences: input.consequences,
            measures: input.measures,
            severity: vocab("severity", Severity::parse(&input.severity))?,
        };
        Ok(gdpr::breaches::create(db, &s, b).await.gql()?.into())
    }

    /// Notified to the CNIL; after 72 hours, `lateReasons` is required.
    async fn record_breach_notification(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        notified_at: DateTime<Utc>,
        late_reasons: Option<String>,
    ) -> Result<Breach> {
        let (db, s) = scoped::<can::EditGdpr>(ctx)?;
        let n = Notification::Notified {
            at: notified_at,
            late_reasons,
        };
        Ok(gdpr::breaches::record_notification(db, &s, id, n)
            .await
            .gql()?
            .into())
    }

    /// Not notified: the breach is unlikely to result in a risk; the reasoning is kept.
    async fn record_breach_not_notified(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        reason: String,
    ) -> Result<Breach> {
        let (db, s) = scoped::<can::EditGdpr>(ctx)?;
        let n = Notification::NotNotified { reason };
        Ok(gdpr::breaches::record_notification(db, &s, id, n)
            .await
            .gql()?
            .into())
    }

    /// Publish (or withdraw) the commune's public register page with the chosen fields.
    async fn set_public_register(
        &self,
        ctx: &Context<'_>,
        tenant_id: Uuid,
        published: bool,
        fields: Vec<String>,
    ) -> Result<PublicRegisterSettings> {
        let (db, s) = scoped::<can::EditGdpr>(ctx)?;
        Ok(gdpr::register::set(db, &s, tenant_id, published, fields)
            .await
            .gql()?
            .into())
    }
}
