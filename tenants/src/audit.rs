//! The audit trail: every mutation, in the same transaction, hash-chained per tenant.
//!
//! hash_n = SHA-256(hash_{n-1} || "\n" || canonical JSON of record n). The tenant row keeps the
//! head (last seq and hash), so removing the newest record is as visible as editing an old one.
use crate::entities::{audit_log, tenant};
use crate::paging::{self, PageReq, Paged};
use crate::tenancy::{Principal, Scope};
use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("audit: tenant {0} not found in scope")]
    TenantNotInScope(Uuid),
    #[error("audit: the report recomputation could not be queued: {0}")]
    Queue(String),
    #[error(transparent)]
    Db(#[from] DbErr),
}

pub struct Entry {
    pub organisation_id: Uuid,
    pub tenant_id: Uuid,
    pub operation: &'static str,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

fn canonical(m: &audit_log::Model) -> String {
    json!([
        m.tenant_id,
        m.seq,
        m.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        m.principal,
        m.operation,
        m.before,
        m.after
    ])
    .to_string()
}

fn chain_hash(prev: &str, m: &audit_log::Model) -> String {
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(b"\n");
    h.update(canonical(m).as_bytes());
    hex::encode(h.finalize())
}

/// Append one record. Locks the tenant row so concurrent writers chain one after another.
pub async fn record(
    txn: &DatabaseTransaction,
    scope: &Scope,
    e: Entry,
) -> Result<audit_log::Model, AuditError> {
    let principal: &Principal = scope.principal();
    // The domain operation's span (`#[instrument]` with these fields empty) learns which
    // tenant it changed; a span without them ignores this.
    let span = tracing::Span::current();
    span.record(
        "organisation_id",
        tracing::field::display(e.organisation_id),
    );
    span.record("tenant_id", tracing::field::display(e.tenant_id));
    // The organisation too (the record's key already pairs them): on Citus the lock is then a
    // single-shard query whatever the scope, as Citus requires of row locks (issue 24).
    let mut q = scope
        .find::<tenant::Entity>()
        .filter(tenant::Column::Id.eq(e.tenant_id))
        .filter(tenant::Column::OrganisationId.eq(e.organisation_id));
    if txn.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        // NO KEY UPDATE: serialises chain writers without conflicting with the KEY SHARE
        // locks that foreign keys to this tenant take (FOR UPDATE would deadlock there).
        q = q.lock(sea_orm::sea_query::LockType::NoKeyUpdate);
    }
    let t = q
        .one(txn)
        .await?
        .ok_or(AuditError::TenantNotInScope(e.tenant_id))?;
    let at: DateTime<Utc> = Utc::now()
        .duration_trunc(TimeDelta::microseconds(1))
        .unwrap_or_else(|_| Utc::now());
    let mut m = audit_log::Model {
        id: Uuid::now_v7(),
        organisation_id: e.organisation_id,
        tenant_id: e.tenant_id,
        seq: t.audit_head_seq + 1,
        at,
        principal: principal.audit_ref(),
        operation: e.operation.to_owned(),
        before: e.before,
        after: e.after,
        prev_hash: t.audit_head_hash.clone(),
        hash: String::new(),
    };
    m.hash = chain_hash(&m.prev_hash, &m);
    let stored = audit_log::ActiveModel::from(m.clone()).insert(txn).await?;
    let mut head: tenant::ActiveModel = t.into();
    head.audit_head_seq = Set(m.seq);
    head.audit_head_hash = Set(m.hash.clone());
    head.update(txn).await?;
    // Every recorded change may move the consolidated report: queue its recomputation with
    // the change (the outbox).
    crate::jobs::enqueue_change(txn, e.organisation_id, e.tenant_id, at)
        .await
        .map_err(|err| AuditError::Queue(err.to_string()))?;
    Ok(stored)
}

/// The newest records a scope may read, optionally for one tenant.
pub async fn list(
    db: &DatabaseConnection,
    scope: &Scope,
    tenant_id: Option<Uuid>,
    page: PageReq,
) -> Result<Paged<audit_log::Model>, DbErr> {
    let txn = scope.begin(db).await?;
    let mut q = scope.find::<audit_log::Entity>();
    if let Some(t) = tenant_id {
        q = q.filter(audit_log::Column::TenantId.eq(t));
    }
    let q = q
        .order_by_desc(audit_log::Column::At)
        .order_by_desc(audit_log::Column::Seq)
        .order_by_desc(audit_log::Column::Id);
    let rows = paging::select(&txn, q, page).await?;
    txn.commit().await?;
    Ok(rows)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainProblem {
    pub tenant_id: Uuid,
    pub seq: i64,
    pub problem: String,
}

#[derive(Debug, Default)]
pub struct VerifyReport {
    pub tenants: usize,
    pub records: usize,
    pub problems: Vec<ChainProblem>,
}

/// Recompute every chain the scope reaches (the CLI uses the operator scope).
pub async fn verify(db: &DatabaseConnection, scope: &Scope) -> Result<VerifyReport, DbErr> {
    let txn = scope.begin(db).await?;
    let mut report = VerifyReport::default();
    for t in scope.find::<tenant::Entity>().all(&txn).await? {
        report.tenants += 1;
        let rows = scope
            .find::<audit_log::Entity>()
            .filter(audit_log::Column::TenantId.eq(t.id))
            .order_by_asc(audit_log::Column::Seq)
            .all(&txn)
            .await?;
        let mut prev = String::new();
        let mut expected_seq = 1;
        let mut problem = |seq, p: String| {
            report.problems.push(ChainProblem {
                tenant_id: t.id,
                seq,
                problem: p,
            })
        };
        for r in &rows {
            if r.seq != expected_seq {
                problem(
                    expected_seq,
                    format!("record {expected_seq} is missing (next is {})", r.seq),
                );
            }
            if r.prev_hash != prev {
                problem(r.seq, "does not link to the previous record".into());
            }
            if chain_hash(&r.prev_hash, r) != r.hash {
                problem(r.seq, "content does not match its hash (edited)".into());
            }
            prev = r.hash.clone();
            expected_seq = r.seq + 1;
        }
        if t.audit_head_seq != expected_seq - 1 || t.audit_head_hash != prev {
            problem(
                t.audit_head_seq,
                format!(
                    "chain ends at record {} but the tenant's head says {} (records removed)",
                    expected_seq - 1,
                    t.audit_head_seq
                ),
            );
        }
        report.records += rows.len();
    }
    txn.commit().await?;
    Ok(report)
}
