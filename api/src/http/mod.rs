//! HTTP handlers other than GraphQL: authentication, login, operations.
pub mod auth;
pub mod backup_webhook;
pub mod billing_exports;
pub mod console;
pub mod cost_exports;
pub mod demo;
pub mod explorer;
pub mod exports;
pub mod limits;
pub mod oidc;
pub mod ops;
pub mod public;
pub mod report_exports;
pub mod reversibility;
pub mod security_headers;
pub mod stripe_webhook;
