//! Evidence documents and the DPO's library in GraphQL: lists, links, deletion and read
//! status. Files go up and down over HTTP (`http::documents`), not through GraphQL.
mod mutation;
mod query;
pub mod types;

pub use mutation::DocumentMutation;
pub use query::DocumentQuery;

use super::errors::{bad_input, code, coded, internal, IntoGql};
use async_graphql::{Error, ErrorExtensions};
use tenants::gdpr::documents::DocumentError;

impl IntoGql for DocumentError {
    fn into_gql(self) -> Error {
        match self {
            DocumentError::Access(a) => a.into_gql(),
            DocumentError::BadInput { field, message } => bad_input(field, message),
            DocumentError::Conflict(m) => coded(code::CONFLICT, m),
            e @ (DocumentError::TooLarge { .. } | DocumentError::Unsupported(_)) => {
                let c = e.code();
                Error::new(e.to_string()).extend_with(|_, x| {
                    x.set("code", c);
                    x.set("field", "file");
                })
            }
            other => internal(other),
        }
    }
}
