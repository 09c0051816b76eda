//! Shared backups (issue 5). For now: the restic adapter that reads real repositories
//! (snapshots, stats, backup summaries). Policies, ingest and metering come later.
pub mod restic;

pub use restic::{BackupSummary, Restic, ResticError, ResticPassword, Snapshot, Stats, StatsMode};
