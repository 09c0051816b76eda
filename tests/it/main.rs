//! The integration suite: one binary, one fresh PostgreSQL database per test.
mod audit_trail;
mod cli;
mod gdpr_clocks;
mod gdpr_exports;
mod gdpr_register;
mod graphql_http;
mod isolation_matrix;
mod oidc_login;
mod referential_import;
mod rls_backstop;
mod schema_file;
mod sqlite_embedded;
mod tokens_and_grants;
mod worker_tick;
