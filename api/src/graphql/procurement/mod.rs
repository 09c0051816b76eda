//! Procurement operations: suppliers, contracts, amendments, joint shares, CPV search,
//! thresholds, splitting alerts and joint-procurement opportunities.
mod inputs;
mod mutation;
mod query;
pub(crate) mod types;

pub use mutation::ProcurementMutation;
pub use query::ProcurementQuery;

use super::errors::{code, coded, internal};
use async_graphql::Error;
use tenants::procurement::ProcurementError;

impl super::errors::IntoGql for ProcurementError {
    fn into_gql(self) -> Error {
        match self {
            ProcurementError::Access(a) => a.into_gql(),
            ProcurementError::BadInput { field, message } => {
                super::errors::bad_input(field, message)
            }
            ProcurementError::Conflict(m) => coded(code::CONFLICT, m),
            other => internal(other),
        }
    }
}
