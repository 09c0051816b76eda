//! The version of credentials and grants, which API processes compare their cached principals
//! against (issue 23). Two counters:
//! - `auth_version`, a PostgreSQL sequence shared by every process, moved after each committed
//!   change (a session ended, a token or a grant revoked, a role given, a person's flags);
//! - a counter of this process, moved at the same time, so the process that made the change
//!   drops its cache at once instead of at its next read of the sequence.
//!
//! The value is taken after the commit: a process that reads the new value and resolves the
//! principal again then sees the change. (Taken inside the transaction, it would be visible
//! before the change, and a principal resolved in between would be cached as current.)
use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr, Statement};
use std::sync::atomic::{AtomicU64, Ordering};

static LOCAL: AtomicU64 = AtomicU64::new(0);

/// Changes made by this process since it started.
pub fn local_changes() -> u64 {
    LOCAL.load(Ordering::Acquire)
}

/// Records that credentials or grants changed (call it after the change is committed).
pub async fn bump<C: ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    LOCAL.fetch_add(1, Ordering::AcqRel);
    if db.get_database_backend() != DatabaseBackend::Postgres {
        return Ok(());
    }
    db.execute_unprepared("SELECT nextval('auth_version')")
        .await
        .map(|_| ())
}

/// The shared version (PostgreSQL; `None` elsewhere).
pub async fn current<C: ConnectionTrait>(db: &C) -> Result<Option<i64>, DbErr> {
    if db.get_database_backend() != DatabaseBackend::Postgres {
        return Ok(None);
    }
    let row = db
        .query_one(Statement::from_string(
            DatabaseBackend::Postgres,
            "SELECT last_value FROM auth_version",
        ))
        .await?;
    match row {
        Some(r) => Ok(Some(r.try_get::<i64>("", "last_value")?)),
        None => Ok(None),
    }
}
