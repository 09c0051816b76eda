//! Personal data breaches: 72 elapsed hours from awareness to notify the authority (Art.
//! 33(1)), reasons for any delay, documentation of every breach (Art. 33(5)), and a
//! notification draft with the content of Art. 33(3).
use super::vocab::{BreachNature, Severity};
use super::GdprError;
use crate::audit::{self, Entry};
use crate::entities::gdpr_breach;
use crate::paging::{self, PageReq, Paged};
use crate::tenancy::{can, Can, Scope};
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Europe::Paris;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, QueryFilter, QueryOrder, Set};
use serde_json::json;
use uuid::Uuid;

use crate::fault::bad;

/// Elapsed hours, not wall-clock ones: across a daylight-saving change the Paris deadline moves
/// by an hour.
pub fn notify_deadline(aware_at: DateTime<Utc>) -> DateTime<Utc> {
    aware_at + Duration::hours(72)
}

pub struct NewBreach {
    pub tenant_id: Uuid,
    pub title: String,
    pub aware_at: DateTime<Utc>,
    pub occurred_at: Option<DateTime<Utc>>,
    pub natures: Vec<BreachNature>,
    pub data_categories: String,
    pub people_count: Option<i64>,
    pub records_count: Option<i64>,
    pub consequences: String,
    pub measures: String,
    pub severity: Severity,
}

#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn create(
    db: &DatabaseConnection,
    scope: &Can<can::EditGdpr>,
    b: NewBreach,
) -> Result<gdpr_breach::Model, GdprError> {
    let title = b.title.trim().to_owned();
    if title.is_empty() {
        return Err(bad("title", "Décrivez la violation en quelques mots."));
    }
    let now = Utc::now();
    if b.aware_at > now + Duration::minutes(5) {
        return Err(bad(
            "awareAt",
            "La prise de connaissance ne peut pas être dans le futur.",
        ));
    }
    if b.occurred_at.is_some_and(|o| o > b.aware_at) {
        return Err(bad(
            "occurredAt",
            "La violation survient avant que l'on en prenne connaissance : la date de survenue précède la prise de connaissance.",
        ));
    }
    if b.natures.is_empty() {
        return Err(bad(
            "natures",
            "Indiquez la nature de la violation : confidentialité, intégrité ou disponibilité (une ou plusieurs).",
        ));
    }
    if b.people_count.is_some_and(|n| n < 0) || b.records_count.is_some_and(|n| n < 0) {
        return Err(bad(
            "peopleCount",
            "Les nombres ne peuvent pas être négatifs.",
        ));
    }
    let mut natures = b.natures.clone();
    natures.sort_by_key(|n| n.code());
    natures.dedup();
    let txn = scope.begin(db).await?;
    let tenant = super::activity::tenant_in_scope(&txn, scope, b.tenant_id).await?;
    let row = gdpr_breach::ActiveModel {
        id: Set(Uuid::now_v7()),
        organisation_id: Set(tenant.organisation_id),
        tenant_id: Set(tenant.id),
        title: Set(title),
        aware_at: Set(b.aware_at),
        occurred_at: Set(b.occurred_at),
        natures: Set(json!(natures)),
        data_categories: Set(b.data_categories.trim().to_owned()),
        people_count: Set(b.people_count),
        records_count: Set(b.records_count),
        consequences: Set(b.consequences.trim().to_owned()),
        measures: Set(b.measures.trim().to_owned()),
        severity: Set(b.severity.code().to_owned()),
        notify_deadline: Set(notify_deadline(b.aware_at)),
        notified_at: Set(None),
        not_notified_reason: Set(None),
        late_reasons: Set(None),
        people_informed_at: Set(None),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id: row.organisation_id,
            tenant_id: row.tenant_id,
            operation: "createBreach",
            before: None,
            after: Some(json!({"id": row.id, "title": row.title, "awareAt": row.aware_at, "deadline": row.notify_deadline})),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// The outcome of the notification decision.
pub enum Notification {
    /// Notified to the CNIL at this time; after the deadline the reasons are required.
    Notified {
        at: DateTime<Utc>,
        late_reasons: Option<String>,
    },
    /// Not notified: unlikely to result in a risk (Art. 33(1)), with the reasoning.
    NotNotified { reason: String },
}

#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), id = %id, organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn record_notification(
    db: &DatabaseConnection,
    scope: &Can<can::EditGdpr>,
    id: Uuid,
    n: Notification,
) -> Result<gdpr_breach::Model, GdprError> {
    let txn = scope.begin(db).await?;
    let b = scope.get::<gdpr_breach::Entity, _>(&txn, id).await??;
    if b.notified_at.is_some() {
        return Err(GdprError::Conflict(
            "Cette violation a déjà été notifiée.".into(),
        ));
    }
    let mut a: gdpr_breach::ActiveModel = b.clone().into();
    match n {
        Notification::Notified { at, late_reasons } => {
            if at < b.aware_at || at > Utc::now() + Duration::minutes(5) {
                return Err(bad(
                    "notifiedAt",
                    "La date de notification doit être comprise entre la prise de connaissance et maintenant.",
                ));
            }
            let reasons = late_reasons
                .map(|r| r.trim().to_owned())
                .filter(|r| !r.is_empty());
            if at > b.notify_deadline && reasons.is_none() {
                return Err(bad(
                    "lateReasons",
                    "Notification après 72 heures : indiquez les motifs du retard (art. 33.1 du RGPD).",
                ));
            }
            a.notified_at = Set(Some(at));
            a.late_reasons = Set(reasons);
            a.not_notified_reason = Set(None);
        }
        Notification::NotNotified { reason } => {
            let reason = reason.trim().to_owned();
            if reason.is_empty() {
                return Err(bad(
                    "reason",
                    "Expliquez pourquoi la violation n'est pas susceptible d'engendrer un risque.",
                ));
            }
            a.not_notified_reason = Set(Some(reason));
        }
    }
    let row = a.update(&txn).await?;
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id: row.organisation_id,
            tenant_id: row.tenant_id,
            operation: "recordBreachNotification",
            before: None,
            after: Some(json!({"id": row.id, "notifiedAt": row.notified_at, "lateReasons": row.late_reasons, "notNotifiedReason": row.not_notified_reason})),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

pub async fn list(
    db: &DatabaseConnection,
    scope: &Scope,
    tenant_ids: Option<Vec<Uuid>>,
    open_only: bool,
    offset: u64,
    limit: u64,
) -> Result<Vec<gdpr_breach::Model>, GdprError> {
    Ok(page(
        db,
        scope,
        tenant_ids,
        open_only,
        PageReq::new(offset, limit),
    )
    .await?
    .items)
}

/// One page of the breaches, newest first, and how many there are in all.
pub async fn page(
    db: &DatabaseConnection,
    scope: &Scope,
    tenant_ids: Option<Vec<Uuid>>,
    open_only: bool,
    p: PageReq,
) -> Result<Paged<gdpr_breach::Model>, GdprError> {
    let txn = scope.begin(db).await?;
    let mut q = scope.find::<gdpr_breach::Entity>();
    if let Some(ids) = tenant_ids {
        q = q.filter(gdpr_breach::Column::TenantId.is_in(ids));
    }
    if open_only {
        q = q
            .filter(gdpr_breach::Column::NotifiedAt.is_null())
            .filter(gdpr_breach::Column::NotNotifiedReason.is_null());
    }
    let q = q
        .order_by_desc(gdpr_breach::Column::AwareAt)
        .order_by_desc(gdpr_breach::Column::Id);
    let rows = paging::select(&txn, q, p).await?;
    txn.commit().await?;
    Ok(rows)
}

pub async fn get(
    db: &DatabaseConnection,
    scope: &Scope,
    id: Uuid,
) -> Result<gdpr_breach::Model, GdprError> {
    let txn = scope.begin(db).await?;
    let b = scope.get::<gdpr_breach::Entity, _>(&txn, id).await??;
    txn.commit().await?;
    Ok(b)
}

fn paris(t: DateTime<Utc>) -> String {
    t.with_timezone(&Paris)
        .format("%d/%m/%Y à %H:%M")
        .to_string()
}

/// A draft of the notification to the CNIL with the four items of Art. 33(3), in French.
pub fn notification_draft(b: &gdpr_breach::Model, commune: &str, dpo_contact: &str) -> String {
    let natures: Vec<String> = serde_json::from_value::<Vec<BreachNature>>(b.natures.clone())
        .unwrap_or_default()
        .into_iter()
        .map(|n| n.label().to_lowercase())
        .collect();
    let count = |n: Option<i64>| {
        n.map(|n| format!("environ {n}"))
            .unwrap_or_else(|| "nombre à préciser".into())
    };
    let mut s = format!(
        "Notification d'une violation de données à caractère personnel — {commune}\n\n\
         Violation : {title}\nConnaissance de la violation : {aware} (heure de Paris)\n\
         Échéance de notification (72 heures) : {deadline}\n\n\
         a) Nature de la violation : atteinte à la {natures}. Catégories de données : {cats}. \
         Personnes concernées : {people}. Enregistrements concernés : {records}.\n\
         b) Point de contact : {dpo_contact}.\n\
         c) Conséquences probables : {cons}.\n\
         d) Mesures prises ou envisagées : {measures}.\n",
        title = b.title,
        aware = paris(b.aware_at),
        deadline = paris(b.notify_deadline),
        natures = natures.join(", "),
        cats = if b.data_categories.is_empty() {
            "à préciser"
        } else {
            &b.data_categories
        },
        people = count(b.people_count),
        records = count(b.records_count),
        cons = if b.consequences.is_empty() {
            "à préciser"
        } else {
            &b.consequences
        },
        measures = if b.measures.is_empty() {
            "à préciser"
        } else {
            &b.measures
        },
    );
    if Utc::now() > b.notify_deadline && b.notified_at.is_none() {
        s.push_str("\nNotification tardive : indiquer les motifs du retard (art. 33(1)).\n");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn seventy_two_elapsed_hours_across_daylight_saving() {
        // Aware Friday 27 March 2026 at 10:00 in Paris (UTC+1). Clocks go forward on Sunday 29.
        let aware = Paris
            .with_ymd_and_hms(2026, 3, 27, 10, 0, 0)
            .single()
            .expect("time")
            .with_timezone(&Utc);
        let deadline = notify_deadline(aware).with_timezone(&Paris);
        assert_eq!(
            deadline.format("%Y-%m-%d %H:%M").to_string(),
            "2026-03-30 11:00"
        );
        // And back in autumn: aware Friday 23 October 2026 at 10:00 (UTC+2), clocks go back on 25.
        let aware = Paris
            .with_ymd_and_hms(2026, 10, 23, 10, 0, 0)
            .single()
            .expect("time")
            .with_timezone(&Utc);
        assert_eq!(
            notify_deadline(aware)
                .with_timezone(&Paris)
                .format("%Y-%m-%d %H:%M")
                .to_string(),
            "2026-10-26 09:00"
        );
        // No change in between: same wall-clock hour.
        let aware = Paris
            .with_ymd_and_hms(2026, 6, 10, 10, 0, 0)
            .single()
            .expect("time")
            .with_timezone(&Utc);
        assert_eq!(
            notify_deadline(aware)
                .with_timezone(&Paris)
                .format("%Y-%m-%d %H:%M")
                .to_string(),
            "2026-06-13 10:00"
        );
    }
}
