//! Maturity: questionnaires the DPO defines for the organisation (immutable once published, a
//! change is a new version) and the communes' scored assessments against them, kept so scores
//! can be compared over time.
use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261124_000011_maturity"
    }
}

pub const TABLES: &[&str] = &["maturity_questionnaire", "maturity_assessment"];

fn ddl(backend: DatabaseBackend) -> String {
    let crate::ddl::Types {
        uuid,
        ts,
        json,
        tenant_cols,
        ..
    } = crate::ddl::Types::of(backend);
    format!(
        r#"
CREATE TABLE maturity_questionnaire (
  id {uuid} PRIMARY KEY, {tenant_cols},
  title text NOT NULL,
  version integer NOT NULL CHECK (version > 0),
  questions {json} NOT NULL,
  published_by varchar NOT NULL,
  published_at {ts} NOT NULL
);
CREATE UNIQUE INDEX maturity_questionnaire_version ON maturity_questionnaire (organisation_id, title, version);
CREATE TABLE maturity_assessment (
  id {uuid} PRIMARY KEY, {tenant_cols},
  questionnaire_id {uuid} NOT NULL REFERENCES maturity_questionnaire(id),
  assessed_on date NOT NULL,
  answers {json} NOT NULL,
  score_bp integer NOT NULL CHECK (score_bp BETWEEN 0 AND 10000),
  themes {json} NOT NULL,
  notes text NOT NULL,
  recorded_by varchar NOT NULL,
  created_at {ts} NOT NULL
);
CREATE INDEX maturity_assessment_tenant ON maturity_assessment (tenant_id, assessed_on)
"#
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        crate::ddl::apply(manager, &ddl(backend), TABLES).await?;
        if backend == DatabaseBackend::Postgres {
            // Every member commune answers the organisation's questionnaires: readable (never
            // writable) by anyone holding a role on one of its tenants, like model activities.
            manager
                .get_connection()
                .execute_unprepared(
                    "CREATE POLICY members ON maturity_questionnaire FOR SELECT
                       USING (organisation_id = ANY(mutualis_member_org_ids()))",
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::ddl::drop_tables(manager, TABLES).await
    }
}
