//! Who gets an alert, what the email says, and the record that it was sent (so it is sent once
//! per person). Recipients: the commune's administrators, the organisation's administrators
//! (the DSI), and for rights requests and breaches the organisation's DPO. Each chooses
//! immediate emails, a daily digest, or nothing (`alert_mode`).
use super::AlertError;
use crate::entities::{alert, alert_delivery, app_user, membership, tenant};
use crate::tenancy::{AccessError, Permission, Principal, PrincipalKind, Scope};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    sea_query::OnConflict, ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection,
    DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, Set,
};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use uuid::Uuid;

pub const MODES: &[&str] = &["immediate", "digest", "off"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub user_id: Uuid,
    pub email: String,
    pub mode: String,
}

fn gdpr_kind(kind: &str) -> bool {
    kind.starts_with("request_") || kind.starts_with("breach_")
}

/// Those an alert goes to, sorted by email.
pub async fn recipients(
    db: &DatabaseConnection,
    a: &alert::Model,
) -> Result<Vec<Recipient>, AlertError> {
    let scope = Scope::worker(Permission::ReadDirectory);
    let txn = scope.begin(db).await?;
    let audience = Audience::read(&txn, &scope, std::slice::from_ref(a)).await?;
    txn.commit().await?;
    Ok(audience.of(a))
}

/// The people who may receive a set of alerts, read in two statements whatever the number
/// of alerts (their memberships, then their accounts), so the digests do not read them once
/// per alert.
struct Audience {
    members: Vec<membership::Model>,
    /// Sorted by email by the database (its collation, as the console's lists).
    users: Vec<app_user::Model>,
}

impl Audience {
    async fn read(
        txn: &DatabaseTransaction,
        scope: &Scope,
        alerts: &[alert::Model],
    ) -> Result<Self, AlertError> {
        let mut roles = vec!["org_admin"];
        if alerts.iter().any(|a| gdpr_kind(&a.kind)) {
            roles.push("dpo");
        }
        let orgs: BTreeSet<Uuid> = alerts.iter().map(|a| a.organisation_id).collect();
        let tenants: BTreeSet<Uuid> = alerts.iter().map(|a| a.tenant_id).collect();
        let members = scope
            .find::<membership::Entity>()
            .filter(
                Condition::any()
                    .add(
                        Condition::all()
                            .add(membership::Column::OrganisationId.is_in(orgs))
                            .add(membership::Column::TenantId.is_null())
                            .add(membership::Column::Role.is_in(roles)),
                    )
                    .add(
                        Condition::all()
                            .add(membership::Column::TenantId.is_in(tenants))
                            .add(membership::Column::Role.eq("commune_admin")),
                    ),
            )
            .all(txn)
            .await?;
        let ids: BTreeSet<Uuid> = members.iter().map(|m| m.user_id).collect();
        let users = app_user::Entity::find()
            .filter(app_user::Column::Id.is_in(ids))
            .order_by_asc(app_user::Column::Email)
            .all(txn)
            .await?;
        Ok(Self { members, users })
    }

    /// One alert's recipients: the organisation's administrators (and its DPO for rights
    /// requests and breaches), the commune's administrators; each person once, by email.
    fn of(&self, a: &alert::Model) -> Vec<Recipient> {
        let gdpr = gdpr_kind(&a.kind);
        let ids: BTreeSet<Uuid> = self
            .members
            .iter()
            .filter(|m| match m.tenant_id {
                None => {
                    m.organisation_id == a.organisation_id
                        && (m.role == "org_admin" || (gdpr && m.role == "dpo"))
                }
                Some(t) => t == a.tenant_id && m.role == "commune_admin",
            })
            .map(|m| m.user_id)
            .collect();
        self.users
            .iter()
            .filter(|u| ids.contains(&u.id))
            .map(|u| Recipient {
                user_id: u.id,
                email: u.email.clone(),
                mode: u.alert_mode.clone(),
            })
            .collect()
    }
}

/// The email of one alert: (subject, body).
pub fn message(a: &alert::Model, commune: &str) -> (String, String) {
    let subject = format!("[Mutualis] {commune} — {}", a.title);
    let due = due_text(a)
        .map(|d| format!("\nÉchéance : {d}\n"))
        .unwrap_or_default();
    let body = format!(
        "Bonjour,\n\nUne alerte concerne {commune} :\n\n{}\n{}\n{due}\nCet avis vous est envoyé une seule fois pour cette cause. Vous pouvez choisir un récapitulatif quotidien dans vos préférences.\n\nRéférence de l'alerte : {}\n— Mutualis, services numériques mutualisés\n",
        a.title, a.detail, a.id
    );
    (subject, body)
}

/// An alert's deadline as the console shows it: the day (« 30 novembre 2026 »), or the day
/// and hour in Paris of an instant (a breach's 72 hours).
pub fn due_text(a: &alert::Model) -> Option<String> {
    a.due_on.map(crate::fr::date).or_else(|| {
        a.due_at
            .map(|t| format!("{} (heure de Paris)", crate::fr::date_time(t)))
    })
}

/// The digest of several alerts for one person: (subject, body).
pub fn digest(alerts: &[(alert::Model, String)], day: chrono::NaiveDate) -> (String, String) {
    let subject = format!(
        "[Mutualis] Récapitulatif du {} : {}",
        day.format("%d/%m/%Y"),
        crate::fr::plural(alerts.len() as i64, "alerte", "alertes")
    );
    let mut body = String::from("Bonjour,\n\nLes alertes du jour :\n\n");
    for (a, commune) in alerts {
        let due = due_text(a)
            .map(|d| format!("  Échéance : {d}\n"))
            .unwrap_or_default();
        body.push_str(&format!(
            "- {commune} : {}\n  {}\n{due}  (référence {})\n",
            a.title, a.detail, a.id
        ));
    }
    body.push_str("\n— Mutualis, services numériques mutualisés\n");
    (subject, body)
}

/// Has this person already been sent this alert?
pub async fn delivered(
    db: &DatabaseConnection,
    alert_id: Uuid,
    user_id: Uuid,
) -> Result<bool, AlertError> {
    let scope = Scope::worker(Permission::ReadDirectory);
    let txn = scope.begin(db).await?;
    let found = scope
        .find::<alert_delivery::Entity>()
        .filter(alert_delivery::Column::AlertId.eq(alert_id))
        .filter(alert_delivery::Column::UserId.eq(user_id))
        .one(&txn)
        .await?
        .is_some();
    txn.commit().await?;
    Ok(found)
}

/// Records that the alert was sent to this person (after sending: a crash in between sends it
/// again rather than never).
pub async fn record(
    db: &DatabaseConnection,
    a: &alert::Model,
    user_id: Uuid,
    channel: &str,
) -> Result<(), AlertError> {
    record_all(db, &[a], user_id, channel).await
}

/// Records that these alerts were sent to this person in one digest: one statement for them
/// all (after sending, as `record`).
pub async fn record_all(
    db: &DatabaseConnection,
    alerts: &[&alert::Model],
    user_id: Uuid,
    channel: &str,
) -> Result<(), AlertError> {
    if alerts.is_empty() {
        return Ok(());
    }
    let scope = Scope::worker(Permission::ReadDirectory);
    let txn = scope.begin(db).await?;
    let now = Utc::now();
    let rows = alerts.iter().map(|a| {
        alert_delivery::ActiveModel::from(alert_delivery::Model {
            id: Uuid::now_v7(),
            organisation_id: a.organisation_id,
            tenant_id: a.tenant_id,
            alert_id: a.id,
            user_id,
            channel: channel.into(),
            sent_at: now,
        })
    });
    alert_delivery::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([
                alert_delivery::Column::AlertId,
                alert_delivery::Column::UserId,
                alert_delivery::Column::OrganisationId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .do_nothing()
        .exec_without_returning(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// One alert with its commune's name.
pub async fn load(
    db: &DatabaseConnection,
    alert_id: Uuid,
) -> Result<(alert::Model, String), AlertError> {
    let scope = Scope::worker(Permission::ReadDirectory);
    let txn = scope.begin(db).await?;
    let a = scope.get::<alert::Entity, _>(&txn, alert_id).await??;
    let t = scope.get::<tenant::Entity, _>(&txn, a.tenant_id).await??;
    txn.commit().await?;
    Ok((a, t.name))
}

/// The digests due: for each person in digest mode, the alerts of the last `window` that were
/// addressed to them and not yet sent.
pub async fn digests(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    window: Duration,
) -> Result<Vec<(Recipient, Vec<(alert::Model, String)>)>, AlertError> {
    let scope = Scope::worker(Permission::ReadDirectory);
    let txn = scope.begin(db).await?;
    let recent = scope
        .find::<alert::Entity>()
        .filter(alert::Column::CreatedAt.gte(now - window))
        .order_by_asc(alert::Column::CreatedAt)
        .all(&txn)
        .await?;
    let names: BTreeMap<Uuid, String> = scope
        .find::<tenant::Entity>()
        .filter(tenant::Column::Id.is_in(recent.iter().map(|a| a.tenant_id).collect::<Vec<_>>()))
        .all(&txn)
        .await?
        .into_iter()
        .map(|t| (t.id, t.name))
        .collect();
    let audience = Audience::read(&txn, &scope, &recent).await?;
    let sent = deliveries(&txn, &scope, &recent).await?;
    txn.commit().await?;
    let mut by: BTreeMap<Uuid, (Recipient, Vec<(alert::Model, String)>)> = BTreeMap::new();
    for a in recent {
        for r in audience.of(&a) {
            if r.mode != "digest" || sent.contains(&(a.id, r.user_id)) {
                continue;
            }
            let name = names.get(&a.tenant_id).cloned().unwrap_or_default();
            by.entry(r.user_id)
                .or_insert_with(|| (r.clone(), vec![]))
                .1
                .push((a.clone(), name));
        }
    }
    Ok(by.into_values().collect())
}

/// The (alert, person) pairs already sent, for all the given alerts in one statement.
async fn deliveries(
    txn: &DatabaseTransaction,
    scope: &Scope,
    alerts: &[alert::Model],
) -> Result<HashSet<(Uuid, Uuid)>, AlertError> {
    if alerts.is_empty() {
        return Ok(HashSet::new());
    }
    let ids: Vec<Uuid> = alerts.iter().map(|a| a.id).collect();
    let pairs: Vec<(Uuid, Uuid)> = scope
        .find::<alert_delivery::Entity>()
        .filter(alert_delivery::Column::AlertId.is_in(ids))
        .select_only()
        .column(alert_delivery::Column::AlertId)
        .column(alert_delivery::Column::UserId)
        .into_tuple()
        .all(txn)
        .await?;
    Ok(pairs.into_iter().collect())
}

/// The signed-in person chooses how alerts reach them.
pub async fn set_mode(
    db: &DatabaseConnection,
    principal: &Principal,
    mode: &str,
) -> Result<String, AlertError> {
    let PrincipalKind::User(user_id) = principal.kind else {
        return Err(AccessError::Forbidden(Permission::ReadDirectory).into());
    };
    let mode = MODES
        .iter()
        .find(|m| **m == mode.trim())
        .ok_or_else(|| AlertError::BadInput {
            field: "mode",
            message: format!(
                "Mode inconnu « {mode} » ; modes possibles : {}.",
                MODES.join(", ")
            ),
        })?;
    let u = app_user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .ok_or(AccessError::NotFound)?;
    let mut a = u.into_active_model();
    a.alert_mode = Set((*mode).to_owned());
    a.update(db).await?;
    Ok((*mode).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone};

    fn alert(due_on: Option<NaiveDate>, due_at: Option<DateTime<Utc>>) -> alert::Model {
        alert::Model {
            id: Uuid::nil(),
            organisation_id: Uuid::nil(),
            tenant_id: Uuid::nil(),
            kind: "request_due".into(),
            cause_key: "request:x:due".into(),
            title: "Demande de droits à traiter".into(),
            detail: "Détail".into(),
            due_at,
            due_on,
            created_at: Utc::now(),
        }
    }

    #[test]
    fn a_day_deadline_is_written_as_the_day_and_an_instant_in_paris() {
        // A request due on 30 November (winter time: 23:59 UTC would be 00:59 in Paris on
        // 1 December, which the alert once said).
        let day = NaiveDate::from_ymd_opt(2026, 11, 30).expect("day");
        let (_, body) = message(&alert(Some(day), None), "Compiègne");
        assert!(body.contains("Échéance : 30 novembre 2026\n"), "{body}");
        assert!(
            !body.contains("décembre") && !body.contains(":59"),
            "{body}"
        );
        // A breach's 72 hours: the instant, in Paris time.
        let at = Utc
            .with_ymd_and_hms(2026, 3, 29, 10, 30, 0)
            .single()
            .expect("instant");
        let (_, body) = message(&alert(None, Some(at)), "Compiègne");
        assert!(
            body.contains("Échéance : 29 mars 2026 à 12:30 (heure de Paris)"),
            "{body}"
        );
        let (_, digest) = digest(
            &[(alert(Some(day), None), "Compiègne".into())],
            NaiveDate::from_ymd_opt(2026, 11, 25).expect("day"),
        );
        assert!(digest.contains("Échéance : 30 novembre 2026"), "{digest}");
    }
}
