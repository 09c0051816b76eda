//! The history of a rights request (issue 17): one row per thing done to it (recorded,
//! taken in hand, extended with its reason, answered, refused, closed), written in the same
//! transaction as the change, so the request's page shows who did what and when. Requests
//! recorded before this migration get their receipt (and their extension, when there was one)
//! from the columns that already held them.
use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261214_000017_request_events"
    }
}

pub const TABLES: &[&str] = &["gdpr_request_event"];

fn ddl(backend: DatabaseBackend) -> String {
    if backend == DatabaseBackend::Postgres {
        // Keys as migration 13 left every organisation table: `organisation_id` in the primary
        // key and in each foreign key to another such table (Citus colocation).
        return "
CREATE TABLE gdpr_request_event (
  id uuid NOT NULL,
  organisation_id uuid NOT NULL REFERENCES organisation(id),
  tenant_id uuid NOT NULL,
  request_id uuid NOT NULL,
  at timestamptz NOT NULL,
  actor varchar NOT NULL DEFAULT '',
  action varchar NOT NULL,
  note text NOT NULL DEFAULT '',
  due_on date,
  CONSTRAINT gdpr_request_event_pkey PRIMARY KEY (id, organisation_id),
  CONSTRAINT gdpr_request_event_tenant_fkey FOREIGN KEY (organisation_id, tenant_id)
    REFERENCES tenant (organisation_id, id),
  CONSTRAINT gdpr_request_event_request_fkey FOREIGN KEY (organisation_id, request_id)
    REFERENCES gdpr_request (organisation_id, id)
);
CREATE INDEX gdpr_request_event_request ON gdpr_request_event (request_id, at)
"
        .to_owned();
    }
    let crate::ddl::Types {
        uuid,
        ts,
        date,
        tenant_cols,
        ..
    } = crate::ddl::Types::of(backend);
    format!(
        r#"
CREATE TABLE gdpr_request_event (
  id {uuid} PRIMARY KEY, {tenant_cols},
  request_id {uuid} NOT NULL REFERENCES gdpr_request(id),
  at {ts} NOT NULL,
  actor varchar NOT NULL DEFAULT '',
  action varchar NOT NULL,
  note text NOT NULL DEFAULT '',
  due_on {date}
);
CREATE INDEX gdpr_request_event_request ON gdpr_request_event (request_id, at)
"#
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        crate::ddl::apply(manager, &ddl(backend), TABLES).await?;
        let db = manager.get_connection();
        // The receipt keeps the request's id (one a request); the extension gets a fresh one.
        db.execute_unprepared(
            "INSERT INTO gdpr_request_event (id, organisation_id, tenant_id, request_id, at, action, note, due_on)
             SELECT id, organisation_id, tenant_id, id, created_at, 'received', '', due_on FROM gdpr_request",
        )
        .await?;
        let fresh_id = match backend {
            DatabaseBackend::Postgres => "gen_random_uuid()".to_owned(),
            // sqlx keeps a UUID as its 16 bytes on SQLite; randomblob() is drawn for each row.
            _ => "randomblob(16)".to_owned(),
        };
        db.execute_unprepared(&format!(
            "INSERT INTO gdpr_request_event (id, organisation_id, tenant_id, request_id, at, action, note, due_on)
             SELECT {fresh_id}, organisation_id, tenant_id, id, extended_at, 'extended', coalesce(extension_reason, ''), extended_due_on
             FROM gdpr_request WHERE extended_at IS NOT NULL"
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::ddl::drop_tables(manager, TABLES).await
    }
}
