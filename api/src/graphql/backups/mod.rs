//! Backup operations: policies, job reports, RPO states, storage in GB-month, restore tests,
//! ingest tokens and the webhook's log.
mod inputs;
mod mutation;
mod query;
pub(crate) mod types;

pub use mutation::BackupMutation;
pub use query::BackupQuery;

use super::errors::{code, coded, internal};
use async_graphql::Error;
use tenants::backups::BackupError;

impl super::errors::IntoGql for BackupError {
    fn into_gql(self) -> Error {
        match self {
            BackupError::Access(a) => a.into_gql(),
            BackupError::BadInput { field, message } => super::errors::bad_input(field, message),
            BackupError::Conflict(m) => coded(code::CONFLICT, m),
            BackupError::NotConfigured(m) => coded(code::NOT_CONFIGURED, m),
            other => internal(other),
        }
    }
}
