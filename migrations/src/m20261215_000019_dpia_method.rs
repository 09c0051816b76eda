//! Full impact assessments by the CNIL's method (issue 19): the DPIA of an activity gains its
//! context, fundamental principles, the three risks with their measures, the opinions, the
//! controller's decision and a workflow stage (draft, in validation, validated, refused); the
//! organisation publishes DPIA models its communes start from.
//!
//! Rows recorded before this migration keep their status; their stage follows it (planned and
//! in progress: draft; completed: in validation; validated: validated).
//!
//! Keys follow migration 13 on PostgreSQL (`organisation_id` in every primary and foreign key).
use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261215_000019_dpia_method"
    }
}

pub const TABLES: &[&str] = &["gdpr_dpia_risk", "gdpr_dpia_measure", "gdpr_dpia_model"];

const DPIA_COLUMNS: &[(&str, &str)] = &[
    ("stage", "varchar NOT NULL DEFAULT 'draft'"),
    ("version", "integer NOT NULL DEFAULT 1"),
    ("model_id", "{uuid}"),
    ("context", "{json}"),
    ("principles", "{json}"),
    ("subjects_opinion", "{json}"),
    ("dpo_opinion", "text NOT NULL DEFAULT ''"),
    ("dpo_opinion_by", "varchar"),
    ("dpo_opinion_at", "{ts}"),
    ("decision_by", "varchar"),
    ("decision_at", "{ts}"),
    ("decision_comment", "text NOT NULL DEFAULT ''"),
    ("prior_consultation", "boolean NOT NULL DEFAULT false"),
];

fn ddl(backend: DatabaseBackend) -> String {
    let crate::ddl::Types { uuid, ts, json, .. } = crate::ddl::Types::of(backend);
    let pg = backend == DatabaseBackend::Postgres;
    let mut sql = String::new();
    for (name, ty) in DPIA_COLUMNS {
        let ty = ty
            .replace("{uuid}", uuid)
            .replace("{json}", json)
            .replace("{ts}", ts);
        sql.push_str(&format!("ALTER TABLE gdpr_dpia ADD COLUMN {name} {ty};\n"));
    }
    sql.push_str(
        "UPDATE gdpr_dpia SET stage = CASE status WHEN 'completed' THEN 'in_validation' \
         WHEN 'validated' THEN 'validated' ELSE 'draft' END;\n",
    );
    // PostgreSQL: the composite keys of migration 13; SQLite: the plain ones.
    let (cols, pk, fk_dpia, fk_action) = if pg {
        (
            format!(
                "organisation_id {uuid} NOT NULL REFERENCES organisation(id), tenant_id {uuid} NOT NULL, \
                 FOREIGN KEY (organisation_id, tenant_id) REFERENCES tenant (organisation_id, id)"
            ),
            "PRIMARY KEY (id, organisation_id)",
            "FOREIGN KEY (organisation_id, dpia_id) REFERENCES gdpr_dpia (organisation_id, id)",
            ", FOREIGN KEY (organisation_id, action_id) REFERENCES gdpr_action (organisation_id, id)",
        )
    } else {
        (
            format!(
                "organisation_id {uuid} NOT NULL REFERENCES organisation(id), tenant_id {uuid} NOT NULL REFERENCES tenant(id)"
            ),
            "PRIMARY KEY (id)",
            "FOREIGN KEY (dpia_id) REFERENCES gdpr_dpia (id)",
            ", FOREIGN KEY (action_id) REFERENCES gdpr_action (id)",
        )
    };
    sql.push_str(&format!(
        r#"
CREATE TABLE gdpr_dpia_risk (
  id {uuid} NOT NULL, {cols},
  dpia_id {uuid} NOT NULL,
  kind varchar NOT NULL CHECK (kind IN ('illegitimate_access', 'unwanted_modification', 'disappearance')),
  sources text NOT NULL DEFAULT '',
  threats text NOT NULL DEFAULT '',
  impacts text NOT NULL DEFAULT '',
  severity integer CHECK (severity BETWEEN 1 AND 4),
  likelihood integer CHECK (likelihood BETWEEN 1 AND 4),
  residual_severity integer CHECK (residual_severity BETWEEN 1 AND 4),
  residual_likelihood integer CHECK (residual_likelihood BETWEEN 1 AND 4),
  {pk},
  {fk_dpia}
);
CREATE UNIQUE INDEX gdpr_dpia_risk_kind ON gdpr_dpia_risk (dpia_id, kind, organisation_id);
CREATE TABLE gdpr_dpia_measure (
  id {uuid} NOT NULL, {cols},
  dpia_id {uuid} NOT NULL,
  risk_kind varchar NOT NULL,
  position integer NOT NULL,
  title text NOT NULL,
  state varchar NOT NULL CHECK (state IN ('existing', 'planned')),
  action_id {uuid},
  {pk},
  {fk_dpia}{fk_action}
);
CREATE INDEX gdpr_dpia_measure_dpia ON gdpr_dpia_measure (dpia_id, risk_kind, position);
CREATE TABLE gdpr_dpia_model (
  id {uuid} NOT NULL, {cols},
  name varchar NOT NULL,
  description text NOT NULL DEFAULT '',
  content {json} NOT NULL,
  published_by varchar NOT NULL DEFAULT '',
  created_at {ts} NOT NULL,
  updated_at {ts} NOT NULL,
  {pk}
);
CREATE INDEX gdpr_dpia_model_org ON gdpr_dpia_model (organisation_id);
CREATE INDEX gdpr_dpia_tenant_stage ON gdpr_dpia (organisation_id, tenant_id, stage)
"#
    ));
    sql
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        crate::ddl::apply(manager, &ddl(backend), TABLES).await?;
        if backend == DatabaseBackend::Postgres {
            // DPIA models are published by the organisation to all its members: readable (never
            // writable) by anyone holding a role on one of its tenants, as model activities.
            manager
                .get_connection()
                .execute_unprepared(
                    "CREATE POLICY models ON gdpr_dpia_model FOR SELECT
                       USING (organisation_id = ANY(mutualis_member_org_ids()))",
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::ddl::drop_tables(manager, TABLES).await?;
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX IF EXISTS gdpr_dpia_tenant_stage")
            .await?;
        for (name, _) in DPIA_COLUMNS.iter().rev() {
            db.execute_unprepared(&format!("ALTER TABLE gdpr_dpia DROP COLUMN {name}"))
                .await?;
        }
        Ok(())
    }
}
