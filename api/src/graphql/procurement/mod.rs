//! Procurement operations: suppliers, contracts, amendments, joint shares, CPV search,
//! thresholds, splitting alerts and joint-procurement opportunities.
mod inputs;
mod mutation;
mod query;
pub(crate) mod types;

pub use mutation::ProcurementMutation;
pub use query::ProcurementQuery;
