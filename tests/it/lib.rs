//! Test harness: a migrated template database, one fresh database per test, the server on an
//! ephemeral port, fixture organisations from real referential data, and GraphQL callers.
//!
//! Services come from `tests/services.sh` (PostgreSQL, Redis, the OpenID provider).
//!
//! What each file holds:
//! - `db.rs`: the template database, one fresh database per test, `migrate_at`, `Counted`;
//! - `app.rs`: the server under test (`TestApp`, `AppOptions`, `test_config`, `spawn_app*`)
//!   and the general ways to call it;
//! - `french.rs`: the check that the API speaks French, and the accessors of an answer;
//! - `fixtures/`: the fixture organisations and people, and the objects of each module;
//! - `stripe.rs`: localstripe, the worker's job settings against it, a counting proxy;
//! - `processes.rs`: child processes, signals, ports, directories, Redis servers, waits.
//!
//! Everything is re-exported here: tests name it `integration_tests::X`.
pub mod bench;
pub mod dataset;
pub mod per_policy;

mod app;
mod db;
mod fixtures;
mod french;
mod processes;
mod stripe;

pub use app::{
    spawn_app, spawn_app_on, spawn_app_with, test_config, AppOptions, Caller, TestApp,
    TEST_INGEST_SECRET,
};
pub use db::{fresh_db, migrate_at, pg_url, with_db, Counted, TestDb};
pub use fixtures::backups::{BackupIds, Delivery, BACKUP_POLICY_INPUT};
pub use fixtures::costs::{CostIds, COST_POOL_INPUT};
pub use fixtures::gdpr::{GdprIds, ACTIVITY_INPUT, MATURITY_QUESTIONS};
pub use fixtures::procurement::{
    ProcurementIds, CONTRACT_INPUT, IMPORT_CSV, LOTTED_CONTRACT, SUPPLIER_SIRET,
};
pub use fixtures::{fixture_referential, indicatif_hidden, Fixture, ORG_A_SIREN, ORG_B_SIREN};
pub use french::{assert_french, assert_french_errors, data, error_code};
pub use processes::{
    free_port, node, readyz, redis_cli, redis_server, signal, wait_until, Processes, TempDir,
};
pub use stripe::{
    counting_proxy, job_settings, stripe_list, stripe_url, tallied, Tally, TEST_STRIPE_KEY,
    TEST_STRIPE_WEBHOOK_SECRET,
};
