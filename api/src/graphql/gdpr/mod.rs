//! GDPR operations: registers, models, processors, DPIAs, actions, rights requests, breaches.
pub mod dpia;
mod inputs;
pub mod loaders;
pub mod madis;
mod mutation;
mod query;
pub(crate) mod types;

pub use dpia::{DpiaMutation, DpiaQuery};
pub use madis::MadisMutation;
pub use mutation::GdprMutation;
pub use query::GdprQuery;

use super::errors::{code, coded, internal};
use async_graphql::{Error, ErrorExtensions};
use tenants::gdpr::GdprError;

impl super::errors::IntoGql for GdprError {
    fn into_gql(self) -> Error {
        match self {
            GdprError::Access(a) => a.into_gql(),
            GdprError::BadInput { field, message } => super::errors::bad_input(field, message),
            GdprError::Conflict(m) => coded(code::CONFLICT, m),
            GdprError::AlreadyInstantiated {
                message,
                existing_id,
            } => Error::new(message).extend_with(|_, e| {
                e.set("code", code::CONFLICT);
                e.set("existingId", existing_id.to_string());
            }),
            other => internal(other),
        }
    }
}
