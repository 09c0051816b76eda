//! Principals resolved recently, so that a request does not read its session (or token), the
//! person, their memberships and grants from PostgreSQL each time (issue 23: five round trips
//! before the request's own query).
//!
//! Freshness, the rule that makes this safe:
//! - an entry is keyed by the SHA-256 of the credential's secret: only its holder reaches it;
//! - it is used only while the credential and every grant it carries are unexpired, and for
//!   `MAX_AGE` at most (a change made by hand in SQL, which no version records, holds after that);
//! - it records the credentials' version (`tenants::tenancy::version`) read before its principal
//!   was resolved; once the version moves (a logout, a revoked token or grant, a role given, in
//!   any process), every older entry is dropped and the next request resolves again;
//! - the shared version is read every `POLL`; when it could not be read for `FRESH_FOR` (the
//!   database away or frozen), no entry is used at all. So a change is effective in every
//!   process within a second, and at once in the process that made it.
//!
//! Only PostgreSQL deployments (several processes) keep one; failed lookups are never kept.
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection};
use tenants::tenancy::{version, Principal};

/// How often the shared version is read.
const POLL: Duration = Duration::from_millis(200);
/// How long a read of the version vouches for the entries.
const FRESH_FOR: Duration = Duration::from_secs(1);
/// The longest an entry is used, whatever the version says.
const MAX_AGE: Duration = Duration::from_secs(30);
/// Entries kept at most (a few KiB each); past it the cache starts again empty.
const CAPACITY: usize = 10_000;

/// The version an entry was resolved under: the shared one and this process's own changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    shared: i64,
    local: u64,
}

struct Entry {
    principal: Principal,
    stamp: Stamp,
    stored: Instant,
    /// The earliest expiry of the credential and its grants.
    until: Option<DateTime<Utc>>,
}

struct Inner {
    entries: Mutex<HashMap<String, Entry>>,
    shared: AtomicI64,
    /// Milliseconds after `epoch` at which the last successful read of the version was sent.
    fresh_ms: AtomicU64,
    epoch: Instant,
}

impl Inner {
    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        match self.entries.lock() {
            Ok(g) => g,
            Err(poisoned) => {
                // A panic while holding the lock: start again empty rather than trust the map.
                let mut g = poisoned.into_inner();
                g.clear();
                g
            }
        }
    }
}

#[derive(Clone, Default)]
pub struct PrincipalCache {
    inner: Option<Arc<Inner>>,
}

impl PrincipalCache {
    /// No cache: every request resolves its caller in the database.
    pub fn disabled() -> Self {
        Self::default()
    }

    /// A cache for a PostgreSQL deployment, with its reader of the shared version (which
    /// stops when the last copy of the cache is dropped). Anything else gets none.
    pub async fn start(db: &DatabaseConnection) -> Self {
        if db.get_database_backend() != DatabaseBackend::Postgres {
            return Self::disabled();
        }
        let inner = Arc::new(Inner {
            entries: Mutex::new(HashMap::new()),
            shared: AtomicI64::new(i64::MIN),
            fresh_ms: AtomicU64::new(0),
            epoch: Instant::now(),
        });
        poll_once(&inner, db).await;
        let (weak, db) = (Arc::downgrade(&inner), db.clone());
        tokio::spawn(poll_forever(weak, db));
        Self { inner: Some(inner) }
    }

    /// The current version, when it is fresh enough to cache under.
    pub fn stamp(&self) -> Option<Stamp> {
        let inner = self.inner.as_ref()?;
        let fresh = inner.fresh_ms.load(Ordering::Acquire);
        let age = inner.now_ms().saturating_sub(fresh);
        if fresh == 0 || age > FRESH_FOR.as_millis() as u64 {
            return None;
        }
        Some(Stamp {
            shared: inner.shared.load(Ordering::Acquire),
            local: version::local_changes(),
        })
    }

    /// The principal cached for `key`, if it still holds.
    pub fn get(&self, key: &str) -> Option<Principal> {
        let inner = self.inner.as_ref()?;
        let now = self.stamp()?;
        let mut entries = inner.entries();
        let entry = entries.get(key)?;
        let holds = entry.stamp == now
            && entry.stored.elapsed() < MAX_AGE
            && entry.until.is_none_or(|u| Utc::now() < u);
        if holds {
            Some(entry.principal.clone())
        } else {
            entries.remove(key);
            None
        }
    }

    /// Keeps `principal` for `key`, resolved under `stamp` (read before resolving); `until` is
    /// the credential's own expiry (a session's). Nothing is kept when the version was not fresh
    /// then, or has moved since.
    pub fn put(
        &self,
        key: String,
        stamp: Option<Stamp>,
        principal: &Principal,
        until: Option<DateTime<Utc>>,
    ) {
        let (Some(inner), Some(stamp)) = (self.inner.as_ref(), stamp) else {
            return;
        };
        if self.stamp() != Some(stamp) {
            return;
        }
        let until = principal
            .grants
            .iter()
            .filter_map(|g| g.expires_at)
            .chain(until)
            .min();
        let mut entries = inner.entries();
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(
            key,
            Entry {
                principal: principal.clone(),
                stamp,
                stored: Instant::now(),
                until,
            },
        );
    }

    /// Uses no entry until the shared version is read again (the database looks away).
    pub fn suspend(&self) {
        if let Some(inner) = &self.inner {
            inner.fresh_ms.store(0, Ordering::Release);
        }
    }

    /// Entries held (for tests and metrics).
    pub fn len(&self) -> usize {
        self.inner.as_ref().map_or(0, |i| i.entries().len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

async fn poll_once(inner: &Inner, db: &DatabaseConnection) {
    let sent = inner.now_ms().max(1);
    match version::current(db).await {
        Ok(Some(v)) => {
            if inner.shared.swap(v, Ordering::AcqRel) != v {
                inner.entries().clear();
            }
            inner.fresh_ms.store(sent, Ordering::Release);
        }
        Ok(None) => {}
        Err(e) => {
            // Unreadable: nothing cached is vouched for until it is read again.
            inner.fresh_ms.store(0, Ordering::Release);
            tracing::debug!(error = %e, "credentials version unreadable: cache unused");
        }
    }
}

async fn poll_forever(inner: Weak<Inner>, db: DatabaseConnection) {
    loop {
        tokio::time::sleep(POLL).await;
        let Some(inner) = inner.upgrade() else {
            return;
        };
        poll_once(&inner, &db).await;
    }
}
