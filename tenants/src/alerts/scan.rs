//! The scans. Causes and their keys (an alert per key and tenant, never twice):
//! - a rights request due within 7 days (`request:<id>:due`) or overdue (`request:<id>:overdue`);
//! - a breach not notified nor decided within 24 hours of its 72-hour deadline, or past it
//!   (`breach:<id>:deadline`);
//! - a contract whose renewal notice deadline is within 30 days (`contract:<id>:notice:<date>`);
//! - a backup policy past its RPO (`backup:<id>:rpo:<last good run>`) or without a successful
//!   restore test in 12 months (`backup:<id>:restore:<year>`);
//! - an invoice open past its due date (`invoice:<id>:unpaid`).
use super::{AlertError, EmailAlert};
use crate::backups::compliance;
use crate::entities::{alert, billing_invoice, tenant};
use crate::gdpr::requests::{self, RequestFilter};
use crate::jobs::{self, JobOwner};
use crate::paging::{self, PageReq, Paged};
use crate::procurement::contracts::{self, ContractFilter, Status};
use crate::tenancy::{Permission, Scope};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{sea_query::OnConflict, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use std::collections::HashMap;
use uuid::Uuid;

struct Cause {
    tenant_id: Uuid,
    kind: &'static str,
    key: String,
    title: String,
    detail: String,
    /// An instant deadline (a breach's 72 hours).
    due_at: Option<DateTime<Utc>>,
    /// A day deadline (legal days are counted in Paris: one day, computed once by its module).
    due_on: Option<chrono::NaiveDate>,
}

fn src(e: impl std::fmt::Display) -> AlertError {
    AlertError::Source(e.to_string())
}

/// A day as every screen, export and email writes it (« 30 novembre 2026 »).
fn fr(d: chrono::NaiveDate) -> String {
    crate::fr::date(d)
}

async fn causes(
    db: &DatabaseConnection,
    scope: &Scope,
    now: DateTime<Utc>,
) -> Result<Vec<Cause>, AlertError> {
    let today = now.with_timezone(&chrono_tz::Europe::Paris).date_naive();
    let mut out = vec![];
    let open = requests::list(
        db,
        scope,
        &RequestFilter {
            open_only: true,
            limit: i64::MAX as u64,
            ..Default::default()
        },
        today,
    )
    .await
    .map_err(src)?;
    for r in open {
        let due = requests::effective_due(&r);
        if requests::is_overdue(&r, today) {
            out.push(Cause {
                tenant_id: r.tenant_id,
                kind: "request_overdue",
                key: format!("request:{}:overdue", r.id),
                title: format!("Demande de droits en retard (échéance du {})", fr(due)),
                detail: format!(
                    "La demande de {} reçue le {} devait recevoir une réponse au plus tard le {}.",
                    r.requester,
                    fr(r.received_on),
                    fr(due)
                ),
                due_at: None,
                due_on: Some(due),
            });
        } else if (due - today).num_days() <= 7 {
            out.push(Cause {
                tenant_id: r.tenant_id,
                kind: "request_due",
                key: format!("request:{}:due", r.id),
                title: format!("Demande de droits à traiter avant le {}", fr(due)),
                detail: format!(
                    "La demande de {} reçue le {} arrive à échéance le {}.",
                    r.requester,
                    fr(r.received_on),
                    fr(due)
                ),
                due_at: None,
                due_on: Some(due),
            });
        }
    }
    for b in crate::gdpr::breaches::list(db, scope, None, false, 0, i64::MAX as u64)
        .await
        .map_err(src)?
    {
        if b.notified_at.is_none()
            && b.not_notified_reason.is_none()
            && b.notify_deadline - now <= Duration::hours(24)
        {
            out.push(Cause {
                tenant_id: b.tenant_id,
                kind: "breach_deadline",
                key: format!("breach:{}:deadline", b.id),
                title: format!("Violation « {} » : notification à la CNIL avant 72 heures", b.title),
                detail: format!(
                    "Connue le {} ; la notification (RGPD art. 33) est due au plus tard le {} (heure de Paris).",
                    crate::fr::date_time(b.aware_at),
                    crate::fr::date_time(b.notify_deadline)
                ),
                due_at: Some(b.notify_deadline),
                due_on: None,
            });
        }
    }
    let active = contracts::list(
        db,
        scope,
        &ContractFilter {
            status: Some(Status::Active),
            limit: u64::MAX,
            ..Default::default()
        },
        today,
    )
    .await
    .map_err(src)?;
    for c in active {
        if let Some((renewal, notice)) = c.next_renewal(today) {
            if notice >= today && (notice - today).num_days() <= 30 {
                out.push(Cause {
                    tenant_id: c.row.tenant_id,
                    kind: "contract_notice",
                    key: format!("contract:{}:notice:{notice}", c.row.id),
                    title: format!(
                        "Marché {} : décision de reconduction avant le {}",
                        c.row.reference,
                        fr(notice)
                    ),
                    detail: format!(
                        "« {} » est reconduit le {} sauf dénonciation avant le {}.",
                        c.row.object,
                        fr(renewal),
                        fr(notice)
                    ),
                    due_at: None,
                    due_on: Some(notice),
                });
            }
        }
    }
    let (_, statuses) = compliance::overview(db, scope, None, now, 30)
        .await
        .map_err(src)?;
    for s in statuses {
        let p = &s.policy;
        if s.overdue {
            let last = s
                .last_good_at
                .map(|t| t.format("%Y%m%dT%H%M").to_string())
                .unwrap_or_else(|| "never".into());
            out.push(Cause {
                tenant_id: p.tenant_id,
                kind: "backup_rpo",
                key: format!("backup:{}:rpo:{last}", p.id),
                title: format!(
                    "Sauvegarde « {} » au-delà de son objectif ({} h)",
                    p.name, p.rpo_hours
                ),
                detail: match s.last_good_at {
                    Some(t) => format!(
                        "Dernière sauvegarde réussie le {}.",
                        t.with_timezone(&chrono_tz::Europe::Paris)
                            .format("%d/%m/%Y %H:%M")
                    ),
                    None => "Aucune sauvegarde réussie n'a été reçue.".into(),
                },
                due_at: None,
                due_on: None,
            });
        }
        if s.restore_test_due {
            out.push(Cause {
                tenant_id: p.tenant_id,
                kind: "restore_test_due",
                key: format!("backup:{}:restore:{}", p.id, today.format("%Y")),
                title: format!(
                    "Sauvegarde « {} » : aucun test de restauration réussi depuis 12 mois",
                    p.name
                ),
                detail: "Le plan de continuité demande un test de restauration au moins annuel."
                    .into(),
                due_at: None,
                due_on: None,
            });
        }
    }
    let txn = scope.begin(db).await?;
    let unpaid = scope
        .find::<billing_invoice::Entity>()
        .filter(billing_invoice::Column::Status.eq("open"))
        .filter(billing_invoice::Column::DueOn.lt(today))
        .all(&txn)
        .await?;
    txn.commit().await?;
    for i in unpaid {
        out.push(Cause {
            tenant_id: i.tenant_id,
            kind: "invoice_unpaid",
            key: format!("invoice:{}:unpaid", i.id),
            title: format!(
                "Facture {} impayée (échéance du {})",
                i.number,
                fr(i.due_on)
            ),
            detail: format!("Montant dû : {}.", crate::costs::euros(i.amount_cents)),
            due_at: None,
            due_on: Some(i.due_on),
        });
    }
    Ok(out)
}

/// One pass of every scan: records the new alerts and queues their emails (in the same
/// transaction). Returns how many alerts are new.
pub async fn run(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<usize, AlertError> {
    let scope = Scope::worker(Permission::ReadDirectory);
    let found = causes(db, &scope, now).await?;
    let txn = scope.begin(db).await?;
    let orgs: HashMap<Uuid, Uuid> = scope
        .find::<tenant::Entity>()
        .filter(tenant::Column::Id.is_in(found.iter().map(|c| c.tenant_id).collect::<Vec<_>>()))
        .all(&txn)
        .await?
        .into_iter()
        .map(|t| (t.id, t.organisation_id))
        .collect();
    let mut fresh = 0;
    for c in found {
        let Some(org) = orgs.get(&c.tenant_id).copied() else {
            continue;
        };
        let id = Uuid::now_v7();
        let r = alert::Entity::insert(alert::ActiveModel::from(alert::Model {
            id,
            organisation_id: org,
            tenant_id: c.tenant_id,
            kind: c.kind.into(),
            cause_key: c.key,
            title: c.title,
            detail: c.detail,
            due_at: c.due_at,
            due_on: c.due_on,
            created_at: now,
        }))
        .on_conflict(
            OnConflict::columns([
                alert::Column::TenantId,
                alert::Column::CauseKey,
                alert::Column::OrganisationId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .do_nothing()
        .exec_without_returning(&txn)
        .await?;
        if matches!(r, sea_orm::TryInsertResult::Inserted(n) if n > 0) {
            fresh += 1;
            jobs::enqueue(
                &txn,
                JobOwner {
                    organisation_id: org,
                    tenant_id: c.tenant_id,
                },
                &EmailAlert { alert_id: id },
            )
            .await?;
        }
    }
    txn.commit().await?;
    Ok(fresh)
}

/// The alerts of the scope, newest first.
pub async fn list(
    db: &DatabaseConnection,
    scope: &Scope,
    tenant_ids: Option<Vec<Uuid>>,
    kind: Option<&str>,
    page: PageReq,
) -> Result<Paged<alert::Model>, AlertError> {
    use sea_orm::QueryOrder;
    let txn = scope.begin(db).await?;
    let mut q = scope.find::<alert::Entity>();
    if let Some(ids) = tenant_ids {
        q = q.filter(alert::Column::TenantId.is_in(ids));
    }
    if let Some(k) = kind {
        q = q.filter(alert::Column::Kind.eq(k));
    }
    let q = q
        .order_by_desc(alert::Column::CreatedAt)
        .order_by_desc(alert::Column::Id);
    let rows = paging::select(&txn, q, page).await?;
    txn.commit().await?;
    Ok(rows)
}

/// Queues the day's digest once, from 07:00 Paris time (whichever worker gets there first).
pub async fn schedule_digest(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
) -> Result<bool, AlertError> {
    use chrono::Timelike;
    let local = now.with_timezone(&chrono_tz::Europe::Paris);
    if local.hour() < 7 {
        return Ok(false);
    }
    let scope = Scope::worker(Permission::ReadDirectory);
    let txn = scope.begin(db).await?;
    // The job needs a tenant: the first organisation's own (the digest covers everyone). Always
    // the same one: the dedup key is unique per organisation (migration 13).
    use sea_orm::QueryOrder;
    let Some(t) = scope
        .find::<tenant::Entity>()
        .filter(tenant::Column::Kind.eq("organisation"))
        .order_by_asc(tenant::Column::Id)
        .one(&txn)
        .await?
    else {
        return Ok(false);
    };
    let day = local.date_naive();
    let fresh = jobs::enqueue(
        &txn,
        JobOwner {
            organisation_id: t.organisation_id,
            tenant_id: t.id,
        },
        &super::Digest { day },
    )
    .await?;
    txn.commit().await?;
    Ok(fresh)
}
