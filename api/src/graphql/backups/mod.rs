//! Backup operations: policies, job reports, RPO states, storage in GB-month, restore tests,
//! ingest tokens and the webhook's log.
mod inputs;
mod mutation;
mod query;
pub(crate) mod types;

pub use mutation::BackupMutation;
pub use query::BackupQuery;
