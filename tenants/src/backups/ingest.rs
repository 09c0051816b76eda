//! The backup report webhook: per-tenant ingest tokens, HMAC-signed bodies, replay protection.
//!
//! A call carries three headers:
//! - `X-Mutualis-Token`: the token id (`ing_…`), public;
//! - `X-Mutualis-Timestamp`: Unix seconds; calls more than five minutes off are refused;
//! - `X-Mutualis-Signature`: `v1=` + hex HMAC-SHA256 of `"{timestamp}.{body}"`, keyed with the
//!   token's signing key (the whole `mks_…` string, as bytes).
//!
//! The signing key is HMAC-SHA256(server ingest secret, token id): shown once at creation,
//! never stored. A stolen database signs nothing; rotating the server secret voids every key.
//! The body's `id` is the replay key: a second report with the same id for the tenant is
//! refused (409), whatever its timestamp.
use super::reports::{self, JobReport};
use super::{bad, text, BackupError};
use crate::audit::{self, Entry};
use crate::entities::{backup_ingest_event, backup_ingest_token, backup_policy, tenant};
use crate::paging::{self, PageReq, Paged};
use crate::secrets::{constant_time_eq, new_secret, sha256_hex};
use crate::tenancy::scope::{set_pg_scope, PgScope};
use crate::tenancy::{can, Can, Permission, Scope};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection,
    DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};
use serde::Deserialize;
use serde_json::json;
use sha2::Sha256;
use std::fmt;
use uuid::Uuid;

/// Largest accepted body; the HTTP layer enforces it before reading.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Accepted clock difference between the sender and this server.
pub const TOLERANCE_SECS: i64 = 300;

/// The server's ingest secret (configuration), and during a rotation the previous one, whose
/// keys are still accepted until the tokens are re-issued. `Debug` prints neither.
#[derive(Clone)]
pub struct IngestSecret {
    current: Vec<u8>,
    previous: Option<Vec<u8>>,
}

fn checked(secret: Vec<u8>) -> Result<Vec<u8>, BackupError> {
    if secret.len() < 32 {
        return Err(bad("ingestSecret", "Le secret compte au moins 32 octets."));
    }
    Ok(secret)
}

fn derive(secret: &[u8], token_id: &str) -> String {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(secret).expect("HMAC accepts keys of any length");
    mac.update(b"mutualis-ingest-v1:");
    mac.update(token_id.as_bytes());
    format!(
        "mks_{}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    )
}

impl IngestSecret {
    /// At least 32 bytes: the keys derived from it are only as strong as it is.
    pub fn new(secret: impl Into<Vec<u8>>) -> Result<Self, BackupError> {
        Ok(Self {
            current: checked(secret.into())?,
            previous: None,
        })
    }

    /// The secret being rotated out: keys derived from it stay valid meanwhile.
    pub fn with_previous(mut self, previous: impl Into<Vec<u8>>) -> Result<Self, BackupError> {
        self.previous = Some(checked(previous.into())?);
        Ok(self)
    }

    /// The signing key of one token (a new token's: from the current secret).
    pub fn signing_key(&self, token_id: &str) -> String {
        derive(&self.current, token_id)
    }

    /// Every key a delivery of this token may be signed with: the current secret's, then
    /// during a rotation the previous one's.
    pub fn accepted_keys(&self, token_id: &str) -> Vec<String> {
        std::iter::once(&self.current)
            .chain(self.previous.as_ref())
            .map(|s| derive(s, token_id))
            .collect()
    }
}

impl fmt::Debug for IngestSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("IngestSecret(<redacted>)")
    }
}

/// `v1=<hex>` for this timestamp and body: what a sender computes.
pub fn sign(signing_key: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(signing_key.as_bytes())
        .expect("HMAC accepts keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// A new token: the id and the signing key are shown once.
pub struct CreatedToken {
    pub token: backup_ingest_token::Model,
    pub token_id: String,
    pub signing_key: String,
}

#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), tenant_id = %tenant_id, organisation_id = tracing::field::Empty))]
pub async fn create_token(
    db: &DatabaseConnection,
    scope: &Can<can::ManageBackups>,
    secret: Option<&IngestSecret>,
    tenant_id: Uuid,
    name: &str,
) -> Result<CreatedToken, BackupError> {
    let secret = secret.ok_or_else(|| {
        BackupError::NotConfigured(
            "Le serveur n'a pas de secret de réception (MUTUALIS_INGEST_SECRET) : les jetons de webhook sont désactivés."
                .into(),
        )
    })?;
    let name = text("name", name, 120)?;
    let txn = scope.begin(db).await?;
    let t = scope.get::<tenant::Entity, _>(&txn, tenant_id).await??;
    let token_id = new_secret("ing_");
    let m = backup_ingest_token::Model {
        id: Uuid::now_v7(),
        organisation_id: t.organisation_id,
        tenant_id: t.id,
        name,
        lookup_hash: sha256_hex(&token_id),
        created_by: scope.principal().audit_ref(),
        created_at: Utc::now(),
        last_used_at: None,
        revoked_at: None,
    };
    let m = backup_ingest_token::ActiveModel::from(m)
        .insert(&txn)
        .await?;
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id: m.organisation_id,
            tenant_id: m.tenant_id,
            operation: "backup.ingest_token.create",
            before: None,
            after: Some(json!({"id": m.id, "name": m.name})),
        },
    )
    .await?;
    txn.commit().await?;
    let signing_key = secret.signing_key(&token_id);
    Ok(CreatedToken {
        token: m,
        token_id,
        signing_key,
    })
}

#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), id = %id, organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn revoke_token(
    db: &DatabaseConnection,
    scope: &Can<can::ManageBackups>,
    id: Uuid,
) -> Result<backup_ingest_token::Model, BackupError> {
    let txn = scope.begin(db).await?;
    let old = scope
        .get::<backup_ingest_token::Entity, _>(&txn, id)
        .await??;
    if old.revoked_at.is_some() {
        return Err(BackupError::Conflict("Ce jeton est déjà révoqué.".into()));
    }
    let mut a = old.clone().into_active_model();
    a.revoked_at = Set(Some(Utc::now()));
    let m = a.update(&txn).await?;
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id: m.organisation_id,
            tenant_id: m.tenant_id,
            operation: "backup.ingest_token.revoke",
            before: Some(json!({"id": old.id, "name": old.name})),
            after: Some(json!({"id": m.id, "revokedAt": m.revoked_at})),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(m)
}

pub async fn tokens(
    db: &DatabaseConnection,
    scope: &Scope,
    tenant_ids: Option<Vec<Uuid>>,
) -> Result<Vec<backup_ingest_token::Model>, BackupError> {
    let txn = scope.begin(db).await?;
    let mut q = scope.find::<backup_ingest_token::Entity>();
    if let Some(ids) = tenant_ids {
        q = q.filter(backup_ingest_token::Column::TenantId.is_in(ids));
    }
    let rows = q
        .order_by_desc(backup_ingest_token::Column::CreatedAt)
        .all(&txn)
        .await?;
    txn.commit().await?;
    Ok(rows)
}

/// Webhook calls, newest first; `rejected_only` for the rejection log.
pub async fn events(
    db: &DatabaseConnection,
    scope: &Scope,
    tenant_ids: Option<Vec<Uuid>>,
    rejected_only: bool,
    page: PageReq,
) -> Result<Paged<backup_ingest_event::Model>, BackupError> {
    let txn = scope.begin(db).await?;
    let mut q = scope.find::<backup_ingest_event::Entity>();
    if let Some(ids) = tenant_ids {
        q = q.filter(backup_ingest_event::Column::TenantId.is_in(ids));
    }
    if rejected_only {
        q = q.filter(backup_ingest_event::Column::Outcome.eq("rejected"));
    }
    let q = q
        .order_by_desc(backup_ingest_event::Column::ReceivedAt)
        .order_by_desc(backup_ingest_event::Column::Id);
    let rows = paging::select(&txn, q, page).await?;
    txn.commit().await?;
    Ok(rows)
}

/// The documented body of a report (version 1).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportBody {
    /// Unique per tenant: the replay key.
    pub id: String,
    /// The policy's name, or its id.
    pub policy: String,
    /// success, warning or failed.
    pub status: String,
    #[serde(default)]
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: DateTime<Utc>,
    #[serde(default)]
    pub duration_seconds: Option<f64>,
    #[serde(default)]
    pub bytes_processed: Option<i64>,
    #[serde(default)]
    pub bytes_added: Option<i64>,
    #[serde(default)]
    pub files: Option<i64>,
    #[serde(default)]
    pub stored_bytes: Option<i64>,
    #[serde(default)]
    pub snapshot_id: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    /// The `summary` line of `restic backup --json`, as restic printed it: fills the sizes,
    /// files, duration and snapshot id the fields above leave out.
    #[serde(default)]
    pub restic_summary: Option<super::restic::BackupSummary>,
}

impl ReportBody {
    fn into_report(self, now: DateTime<Utc>) -> Result<JobReport, BackupError> {
        let status = super::one_of("status", &self.status, super::JOB_STATUSES)?;
        let s = self.restic_summary.as_ref();
        let secs = self
            .duration_seconds
            .or_else(|| s.map(|s| s.total_duration));
        if secs.is_some_and(|d| !d.is_finite() || !(0.0..=31_622_400.0).contains(&d)) {
            return Err(bad(
                "duration_seconds",
                "La durée est comprise entre 0 et un an.",
            ));
        }
        let from_summary = |v: Option<i64>, f: fn(&super::restic::BackupSummary) -> u64| {
            v.or_else(|| s.map(|s| i64::try_from(f(s)).unwrap_or(i64::MAX)))
        };
        let r = JobReport {
            external_id: self.id.trim().to_owned(),
            status,
            started_at: self.started_at,
            finished_at: self.finished_at,
            duration_ms: secs.map(|d| (d * 1000.0).round() as i64),
            bytes_processed: from_summary(self.bytes_processed, |s| s.total_bytes_processed),
            bytes_added: from_summary(self.bytes_added, |s| s.data_added),
            files: from_summary(self.files, |s| s.total_files_processed),
            snapshot_id: self
                .snapshot_id
                .or_else(|| s.and_then(|s| s.snapshot_id.clone())),
            message: self.message,
            stored_bytes: self.stored_bytes,
        };
        reports::check(&r, now)?;
        Ok(r)
    }
}

/// What the HTTP layer received.
pub struct Delivery<'a> {
    pub token: Option<&'a str>,
    pub timestamp: Option<&'a str>,
    pub signature: Option<&'a str>,
    pub body: &'a [u8],
}

/// Why a call was refused: the HTTP status, a stable code and a message for the sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

fn reject(status: u16, code: &'static str, message: impl Into<String>) -> Rejection {
    Rejection {
        status,
        code,
        message: message.into(),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    pub job_id: Uuid,
    pub policy_id: Uuid,
}

/// A scope reaching the token's tenant only, for the ingest path.
fn ingest_scope(t: &backup_ingest_token::Model) -> Scope {
    Scope::single_tenant(
        crate::tenancy::Principal::ingest(t.id),
        Permission::ReadBackups,
        t.organisation_id,
        t.tenant_id,
    )
}

async fn find_token(
    db: &DatabaseConnection,
    token_id: &str,
) -> Result<Option<backup_ingest_token::Model>, BackupError> {
    let hash = sha256_hex(token_id);
    let txn = db.begin().await?;
    if db.get_database_backend() == DatabaseBackend::Postgres {
        set_pg_scope(
            &txn,
            PgScope {
                token_hash: &hash,
                ..PgScope::NONE
            },
        )
        .await?;
    }
    let t = backup_ingest_token::Entity::find()
        .filter(backup_ingest_token::Column::LookupHash.eq(hash))
        .one(&txn)
        .await?;
    txn.commit().await?;
    Ok(t)
}

async fn log(
    txn: &DatabaseTransaction,
    t: &backup_ingest_token::Model,
    now: DateTime<Utc>,
    report_id: Option<String>,
    outcome: Result<Uuid, &Rejection>,
) -> Result<(), BackupError> {
    let (outcome, reason, job_id, detail) = match outcome {
        Ok(job) => ("accepted", None, Some(job), None),
        Err(r) => (
            "rejected",
            Some(r.code.to_owned()),
            None,
            Some(r.message.chars().take(500).collect()),
        ),
    };
    backup_ingest_event::Entity::insert(backup_ingest_event::ActiveModel::from(
        backup_ingest_event::Model {
            id: Uuid::now_v7(),
            organisation_id: t.organisation_id,
            tenant_id: t.tenant_id,
            token_id: t.id,
            received_at: now,
            outcome: outcome.into(),
            reason,
            report_id: report_id.map(|r| r.chars().take(200).collect()),
            job_id,
            detail,
        },
    ))
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

/// Records a refusal for a known token, in its own transaction (nothing else is written).
async fn refuse(
    db: &DatabaseConnection,
    t: &backup_ingest_token::Model,
    now: DateTime<Utc>,
    report_id: Option<String>,
    r: Rejection,
) -> Result<Result<Accepted, Rejection>, BackupError> {
    let scope = ingest_scope(t);
    let txn = scope.begin(db).await?;
    log(&txn, t, now, report_id, Err(&r)).await?;
    txn.commit().await?;
    Ok(Err(r))
}

/// A delivery that passed every check needing no database.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    /// The body's `id`, as sent: the replay key.
    pub report_id: String,
    /// The body's `policy`, trimmed: a policy id or name, looked up by the caller.
    pub policy_ref: String,
    pub report: JobReport,
}

/// The checks of a delivery for a known, live token, in order: headers, signature, clock,
/// body. A refusal carries the report id once the body was read. Pure, so it can be fuzzed.
pub fn check_delivery(
    secret: &IngestSecret,
    token_id: &str,
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<Checked, (Rejection, Option<String>)> {
    let (Some(ts), Some(sig)) = (timestamp, signature) else {
        return Err((
            reject(
                400,
                "missing_header",
                "Les en-têtes X-Mutualis-Timestamp et X-Mutualis-Signature sont obligatoires.",
            ),
            None,
        ));
    };
    let Ok(ts) = ts.trim().parse::<i64>() else {
        let r = reject(
            400,
            "bad_timestamp",
            "X-Mutualis-Timestamp : un nombre de secondes Unix.",
        );
        return Err((r, None));
    };
    let expected: Vec<String> = secret
        .accepted_keys(token_id)
        .iter()
        .map(|k| sign(k, ts, body))
        .collect();
    // Several signatures may be sent during a key rotation, and the server accepts the
    // previous secret's keys during its own: any valid pair will do.
    let valid = sig
        .split([',', ' '])
        .map(str::trim)
        .any(|s| expected.iter().any(|e| constant_time_eq(s, e)));
    if !valid {
        let r = reject(
            401,
            "bad_signature",
            "La signature ne correspond pas au corps de la requête.",
        );
        return Err((r, None));
    }
    // Checked after the signature, so nobody can make us log a stale call for another's token.
    // `abs_diff`: a signed timestamp near i64::MIN overflowed `now - ts` (found by fuzzing).
    if now.timestamp().abs_diff(ts) > TOLERANCE_SECS.unsigned_abs() {
        let r = reject(
            400,
            "stale_timestamp",
            format!("L'horodatage s'écarte de plus de {TOLERANCE_SECS} s de l'horloge du serveur."),
        );
        return Err((r, None));
    }
    let body: ReportBody = match serde_json::from_slice(body) {
        Ok(b) => b,
        Err(e) => {
            let r = reject(
                400,
                "malformed_json",
                format!("Le corps n'est pas un rapport de sauvegarde ({e})."),
            );
            return Err((r, None));
        }
    };
    let report_id = body.id.clone();
    let policy_ref = body.policy.trim().to_owned();
    // `into_report` only fails with `BadInput`, whose text is `{field}: {message}`.
    match body.into_report(now) {
        Ok(report) => Ok(Checked {
            report_id,
            policy_ref,
            report,
        }),
        Err(e) => Err((
            reject(422, "invalid_report", e.to_string()),
            Some(report_id),
        )),
    }
}

/// Verifies and records one delivery. `Ok(Err(_))` is a refusal (already logged when the token
/// is known); `Err(_)` is a failure of this server (the database), answered 503.
pub async fn receive(
    db: &DatabaseConnection,
    secret: &IngestSecret,
    d: Delivery<'_>,
    now: DateTime<Utc>,
) -> Result<Result<Accepted, Rejection>, BackupError> {
    let Some(token_id) = d.token.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(Err(reject(
            401,
            "missing_token",
            "L'en-tête X-Mutualis-Token est obligatoire.",
        )));
    };
    if !token_id.starts_with("ing_") || token_id.len() > 100 {
        return Ok(Err(reject(
            401,
            "unknown_token",
            "Jeton de réception inconnu.",
        )));
    }
    let Some(t) = find_token(db, token_id).await? else {
        return Ok(Err(reject(
            401,
            "unknown_token",
            "Jeton de réception inconnu.",
        )));
    };
    if t.revoked_at.is_some() {
        let r = reject(401, "revoked_token", "Ce jeton de réception a été révoqué.");
        return refuse(db, &t, now, None, r).await;
    }
    let Checked {
        report_id,
        policy_ref,
        report,
    } = match check_delivery(secret, token_id, d.timestamp, d.signature, d.body, now) {
        Ok(c) => c,
        Err((r, report_id)) => return refuse(db, &t, now, report_id, r).await,
    };
    let report_id = Some(report_id);
    let scope = ingest_scope(&t);
    let txn = scope.begin(db).await?;
    let mut q = scope
        .find::<backup_policy::Entity>()
        .filter(backup_policy::Column::TenantId.eq(t.tenant_id));
    q = match Uuid::parse_str(&policy_ref) {
        Ok(id) => q.filter(backup_policy::Column::Id.eq(id)),
        Err(_) => q.filter(backup_policy::Column::Name.eq(policy_ref.clone())),
    };
    let Some(policy) = q.one(&txn).await? else {
        drop(txn);
        let r = reject(
            422,
            "unknown_policy",
            format!("Cette commune n'a pas de politique de sauvegarde « {policy_ref} »."),
        );
        return refuse(db, &t, now, report_id, r).await;
    };
    let Some(job) = reports::record(&txn, &policy, "webhook", report, now).await? else {
        drop(txn);
        let r = reject(
            409,
            "replay",
            "Un rapport de même identifiant a déjà été reçu pour cette commune.",
        );
        return refuse(db, &t, now, report_id, r).await;
    };
    log(&txn, &t, now, report_id, Ok(job.id)).await?;
    // The backup state moved: the organisation's report follows (same transaction).
    crate::jobs::enqueue_change(&txn, t.organisation_id, t.tenant_id, now).await?;
    let mut a = t.clone().into_active_model();
    a.last_used_at = Set(Some(now));
    a.update(&txn).await?;
    txn.commit().await?;
    Ok(Ok(Accepted {
        job_id: job.id,
        policy_id: policy.id,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backups_signing_keys_are_derived_and_signatures_bind_the_body() {
        let s = IngestSecret::new(vec![7u8; 32]).expect("secret");
        let other = IngestSecret::new(vec![8u8; 32]).expect("secret");
        assert!(IngestSecret::new(vec![7u8; 31]).is_err());
        let k = s.signing_key("ing_a");
        assert!(k.starts_with("mks_"));
        assert_eq!(k, s.signing_key("ing_a"));
        assert_ne!(k, s.signing_key("ing_b"));
        assert_ne!(k, other.signing_key("ing_a"));
        assert!(!format!("{s:?}").contains('7'));
        let sig = sign(&k, 1_700_000_000, b"{}");
        assert!(sig.starts_with("v1=") && sig.len() == 3 + 64);
        assert_ne!(sig, sign(&k, 1_700_000_001, b"{}"));
        assert_ne!(sig, sign(&k, 1_700_000_000, b"{ }"));
    }

    /// Issue 25: during a rotation of the ingest secret, the senders' keys derived from the
    /// previous one keep working (no report refused before the tokens are re-issued); once
    /// the previous secret is dropped, they are refused.
    #[test]
    fn backups_a_rotated_secret_keeps_the_old_keys_valid_until_dropped() {
        let old = IngestSecret::new(vec![7u8; 32]).expect("secret");
        let old_key = old.signing_key("ing_a");
        let now = Utc::now();
        let body = serde_json::to_vec(&json!({
            "id": "r1", "policy": "Serveur", "status": "success", "finished_at": now.to_rfc3339()
        }))
        .expect("json");
        let ts = now.timestamp();
        let sig = sign(&old_key, ts, &body);
        let deliver = |s: &IngestSecret| {
            check_delivery(s, "ing_a", Some(&ts.to_string()), Some(&sig), &body, now)
                .map(|c| c.report_id)
                .map_err(|(r, _)| r.code)
        };
        assert_eq!(deliver(&old), Ok("r1".into()));
        let rotating = IngestSecret::new(vec![9u8; 32])
            .and_then(|s| s.with_previous(vec![7u8; 32]))
            .expect("rotation");
        assert_eq!(
            deliver(&rotating),
            Ok("r1".into()),
            "the old key during the overlap"
        );
        // New tokens get keys of the new secret.
        assert_ne!(rotating.signing_key("ing_a"), old_key);
        assert_eq!(rotating.accepted_keys("ing_a").len(), 2);
        let rotated = IngestSecret::new(vec![9u8; 32]).expect("secret");
        assert_eq!(deliver(&rotated), Err("bad_signature"), "dropped: refused");
        assert!(IngestSecret::new(vec![9u8; 32])
            .and_then(|s| s.with_previous(vec![7u8; 31]))
            .is_err());
        assert!(!format!("{rotating:?}").contains('7'));
    }

    #[test]
    fn backups_report_body_takes_the_restic_summary() {
        let now = Utc::now();
        let body: ReportBody = serde_json::from_value(json!({
            "id": "r1", "policy": "Serveur", "status": "success",
            "finished_at": now.to_rfc3339(),
            "restic_summary": {"message_type": "summary", "files_new": 3, "data_added": 1234,
                "total_files_processed": 3, "total_bytes_processed": 5000,
                "total_duration": 1.5, "snapshot_id": "abcd1234"}
        }))
        .expect("body");
        let r = body.into_report(now).expect("valid");
        assert_eq!(r.bytes_added, Some(1234));
        assert_eq!(r.bytes_processed, Some(5000));
        assert_eq!(r.files, Some(3));
        assert_eq!(r.duration_ms, Some(1500));
        assert_eq!(r.snapshot_id.as_deref(), Some("abcd1234"));
        let unknown: Result<ReportBody, _> = serde_json::from_value(json!({
            "id": "r1", "policy": "Serveur", "status": "success",
            "finished_at": now.to_rfc3339(), "colour": "blue"
        }));
        assert!(unknown.is_err(), "unknown fields are refused, not ignored");
    }
}
