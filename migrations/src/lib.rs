//! Schema migrations. They run as the database owner (`DATABASE_ADMIN_URL`); the server then
//! connects as `mutualis_app`, which owns nothing and cannot bypass row-level security.
pub use sea_orm_migration::prelude::*;

mod m20261123_000001_platform;
mod rls;

pub use rls::{APP_ROLE, TENANT_TABLES};

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(m20261123_000001_platform::Migration)]
    }
}
