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
