//! The DPO's office (issue 19): the communes' GDPR actors, the yearly bilans, the lists'
//! column choices and the register's bulk actions.
pub mod actors;
pub mod bilans;
pub mod lists;

pub use actors::{GdprActorMutation, GdprActorQuery};
pub use bilans::{GdprBilanMutation, GdprBilanQuery};
pub use lists::{GdprListMutation, GdprListQuery};
