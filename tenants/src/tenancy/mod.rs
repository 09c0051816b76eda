//! Tenancy: roles, principals and the scope that is the only way to reach tenant data.
mod capability;
mod principal;
mod resolve;
mod role;
pub(crate) mod scope;
pub mod version;

pub use capability::{can, Can, Capability, Either};
pub use principal::{Grant, Principal, PrincipalKind};
pub use resolve::{resolve_session, resolve_session_until, resolve_token, resolve_user, AuthError};
pub use role::{Permission, Role, RoleError};
pub use scope::{AccessError, Scope, Scoped};
