//! Cost operations: catalogue, subscriptions, keys, pools, allocation runs, what-if, lines.
mod inputs;
mod mutation;
mod query;
mod types;

pub use mutation::CostMutation;
pub use query::CostQuery;

use super::errors::{code, coded, internal};
use async_graphql::Error;
use tenants::costs::CostError;

impl super::errors::IntoGql for CostError {
    fn into_gql(self) -> Error {
        match self {
            CostError::Access(a) => a.into_gql(),
            CostError::BadInput { field, message } => super::errors::bad_input(field, message),
            CostError::Conflict(m) => coded(code::CONFLICT, m),
            other => internal(other),
        }
    }
}
