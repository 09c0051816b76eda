//! An alert's deadline is a day when the law gives a day (a rights request's answer, a
//! contract's notice, an invoice's due date) and an instant only for a breach's 72 hours
//! (issue 17: a request due on 30 November was shown « 1 décembre à 00:59 », its day stored as
//! 23:59 UTC). `due_on` holds the day; `due_at` keeps the instants. Alerts recorded before move
//! their day over: the stored instant's UTC date is the day the scan meant.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261208_000023_alert_due_day"
    }
}

/// The kinds whose deadline is a day.
const DAY_KINDS: &str = "('request_due', 'request_overdue', 'contract_notice', 'invoice_unpaid')";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let db = manager.get_connection();
        let (date, day_of) = match backend {
            DatabaseBackend::Postgres => ("date", "(due_at AT TIME ZONE 'UTC')::date"),
            // sea-orm writes instants as text starting with the UTC day.
            _ => ("date_text", "substr(due_at, 1, 10)"),
        };
        db.execute_unprepared(&format!("ALTER TABLE alert ADD COLUMN due_on {date}"))
            .await?;
        let update = format!(
            "UPDATE alert SET due_on = {day_of}, due_at = NULL
             WHERE kind IN {DAY_KINDS} AND due_at IS NOT NULL"
        );
        if backend == DatabaseBackend::Postgres {
            // The owner is under forced row-level security too: the platform scope, for this
            // transaction only.
            db.execute_unprepared(&format!(
                "DO $$ BEGIN PERFORM set_config('app.platform', 'on', true); {update}; END $$"
            ))
            .await?;
        } else {
            db.execute_unprepared(&update).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let db = manager.get_connection();
        let at_of = match backend {
            DatabaseBackend::Postgres => "(due_on + time '23:59') AT TIME ZONE 'UTC'",
            _ => "due_on || ' 23:59:00 +00:00'",
        };
        let update = format!(
            "UPDATE alert SET due_at = {at_of} WHERE due_on IS NOT NULL AND due_at IS NULL"
        );
        if backend == DatabaseBackend::Postgres {
            db.execute_unprepared(&format!(
                "DO $$ BEGIN PERFORM set_config('app.platform', 'on', true); {update}; END $$"
            ))
            .await?;
        } else {
            db.execute_unprepared(&update).await?;
        }
        db.execute_unprepared("ALTER TABLE alert DROP COLUMN due_on")
            .await
            .map(|_| ())
    }
}
