//! Cost operations: catalogue, subscriptions, keys, pools, allocation runs, what-if, lines.
mod inputs;
mod mutation;
mod query;
mod types;

pub use mutation::CostMutation;
pub use query::CostQuery;
