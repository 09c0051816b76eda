//! Evidence documents and the DPO's library in GraphQL: lists, links, deletion and read
//! status. Files go up and down over HTTP (`http::documents`), not through GraphQL.
mod mutation;
mod query;
pub mod types;

pub use mutation::DocumentMutation;
pub use query::DocumentQuery;
