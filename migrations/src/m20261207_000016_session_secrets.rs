//! A session row holds no secret but the hash of its cookie (issue 18): the CSRF token is
//! derived from the cookie's secret on each request, and the provider's ID token, which
//! nothing used after the login, is no longer kept. Both columns go; sessions open before keep
//! working (their CSRF token is the derived one from now on, which the console reads from
//! `/auth/session` as before).
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000016_session_secrets"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        // One column a statement: SQLite drops one at a time.
        db.execute_unprepared("ALTER TABLE session DROP COLUMN csrf_token")
            .await?;
        db.execute_unprepared("ALTER TABLE session DROP COLUMN id_token")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(
            "ALTER TABLE session ADD COLUMN csrf_token varchar NOT NULL DEFAULT ''",
        )
        .await?;
        db.execute_unprepared("ALTER TABLE session ADD COLUMN id_token text")
            .await?;
        Ok(())
    }
}
