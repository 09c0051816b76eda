//! GDPR module: processing activities (Art. 30), processors, DPIAs, action plan, rights
//! requests, breaches, public register settings.
use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261124_000002_gdpr"
    }
}

/// Tables of this migration, with the row-level security predicate of tenant tables.
pub const TABLES: &[&str] = &[
    "gdpr_activity",
    "gdpr_processor",
    "gdpr_activity_processor",
    "gdpr_dpia",
    "gdpr_action",
    "gdpr_request",
    "gdpr_breach",
    "gdpr_register_settings",
];

/// Portable DDL: uuid/timestamptz/jsonb on PostgreSQL, their sea-orm equivalents on SQLite.
fn ddl(backend: DatabaseBackend) -> String {
    let crate::ddl::Types {
        uuid,
        ts,
        json,
        date,
        tenant_cols,
    } = crate::ddl::Types::of(backend);
    format!(
        r#"
CREATE TABLE gdpr_activity (
  id {uuid} PRIMARY KEY, {tenant_cols},
  role varchar NOT NULL,
  name varchar NOT NULL,
  purposes text NOT NULL DEFAULT '',
  controller_name varchar,
  legal_bases {json} NOT NULL,
  data_subjects {json} NOT NULL,
  data_categories {json} NOT NULL,
  recipients {json} NOT NULL,
  transfers {json} NOT NULL,
  retention {json} NOT NULL,
  security_measures {json} NOT NULL,
  dpia_criteria {json} NOT NULL,
  origin text NOT NULL DEFAULT '',
  collection_method text NOT NULL DEFAULT '',
  information text NOT NULL DEFAULT '',
  software varchar NOT NULL DEFAULT '',
  department varchar NOT NULL DEFAULT '',
  owner varchar NOT NULL DEFAULT '',
  status varchar NOT NULL,
  is_model boolean NOT NULL DEFAULT false,
  model_id {uuid} REFERENCES gdpr_activity(id),
  model_version integer,
  model_snapshot {json},
  version integer NOT NULL DEFAULT 1,
  created_at {ts} NOT NULL,
  updated_at {ts} NOT NULL
);
CREATE INDEX gdpr_activity_tenant ON gdpr_activity (organisation_id, tenant_id);
CREATE TABLE gdpr_processor (
  id {uuid} PRIMARY KEY, {tenant_cols},
  name varchar NOT NULL,
  siret varchar,
  contact varchar NOT NULL DEFAULT '',
  country varchar NOT NULL,
  contract_ref varchar NOT NULL DEFAULT '',
  dpa_status varchar NOT NULL,
  dpa_signed_on {date},
  created_at {ts} NOT NULL
);
CREATE TABLE gdpr_activity_processor (
  activity_id {uuid} NOT NULL REFERENCES gdpr_activity(id),
  processor_id {uuid} NOT NULL REFERENCES gdpr_processor(id),
  {tenant_cols},
  PRIMARY KEY (activity_id, processor_id)
);
CREATE TABLE gdpr_dpia (
  id {uuid} PRIMARY KEY, {tenant_cols},
  activity_id {uuid} NOT NULL REFERENCES gdpr_activity(id),
  status varchar NOT NULL,
  conclusion text NOT NULL DEFAULT '',
  completed_on {date},
  created_at {ts} NOT NULL,
  updated_at {ts} NOT NULL
);
CREATE TABLE gdpr_action (
  id {uuid} PRIMARY KEY, {tenant_cols},
  activity_id {uuid} REFERENCES gdpr_activity(id),
  title varchar NOT NULL,
  due_on {date} NOT NULL,
  status varchar NOT NULL,
  done_on {date},
  created_at {ts} NOT NULL
);
CREATE TABLE gdpr_request (
  id {uuid} PRIMARY KEY, {tenant_cols},
  kind varchar NOT NULL,
  received_on {date} NOT NULL,
  requester varchar NOT NULL,
  contact varchar NOT NULL DEFAULT '',
  details text NOT NULL DEFAULT '',
  status varchar NOT NULL,
  answer text NOT NULL DEFAULT '',
  answered_on {date},
  due_on {date} NOT NULL,
  extended_due_on {date},
  extension_reason text,
  extended_at {ts},
  created_at {ts} NOT NULL
);
CREATE INDEX gdpr_request_due ON gdpr_request (organisation_id, tenant_id, status, due_on);
CREATE TABLE gdpr_breach (
  id {uuid} PRIMARY KEY, {tenant_cols},
  title varchar NOT NULL,
  aware_at {ts} NOT NULL,
  occurred_at {ts},
  natures {json} NOT NULL,
  data_categories text NOT NULL DEFAULT '',
  people_count bigint,
  records_count bigint,
  consequences text NOT NULL DEFAULT '',
  measures text NOT NULL DEFAULT '',
  severity varchar NOT NULL,
  notify_deadline {ts} NOT NULL,
  notified_at {ts},
  not_notified_reason text,
  late_reasons text,
  people_informed_at {ts},
  created_at {ts} NOT NULL
);
CREATE TABLE gdpr_register_settings (
  tenant_id {uuid} PRIMARY KEY REFERENCES tenant(id),
  organisation_id {uuid} NOT NULL REFERENCES organisation(id),
  published boolean NOT NULL DEFAULT false,
  public_fields {json} NOT NULL,
  updated_at {ts} NOT NULL
);
"#
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let db = manager.get_connection();
        crate::ddl::apply(manager, &ddl(backend), TABLES).await?;
        if backend == DatabaseBackend::Postgres {
            // Model activities are published by the organisation to all its members: readable
            // (never writable) by anyone holding a role on one of its tenants.
            db.execute_unprepared(&format!(
                "CREATE OR REPLACE FUNCTION mutualis_member_org_ids() RETURNS uuid[] LANGUAGE sql STABLE AS
                   $$ SELECT coalesce(nullif(current_setting('app.member_org_ids', true), ''), '{{}}')::uuid[] $$;
                 GRANT EXECUTE ON FUNCTION mutualis_member_org_ids() TO {role};
                 CREATE POLICY models ON gdpr_activity FOR SELECT
                   USING (is_model AND organisation_id = ANY(mutualis_member_org_ids()));",
                role = crate::APP_ROLE
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::ddl::drop_tables(manager, TABLES).await
    }
}
