//! HTTP handlers other than GraphQL: authentication, login, operations.
pub mod auth;
pub mod demo;
pub mod oidc;
pub mod ops;
pub mod public;
