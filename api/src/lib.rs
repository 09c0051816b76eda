//! The Mutualis server: configuration, HTTP (login, operations), GraphQL, and the CLI.
pub mod cli;
pub mod config;
pub mod db_roles;
pub mod demo_restic;
pub mod drain;
pub mod graphql;
pub mod http;
pub mod redis_slot;
pub mod server;
pub mod state;
pub mod telemetry;
