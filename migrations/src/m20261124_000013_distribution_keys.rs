//! Distribution keys (issue 9): every table with an `organisation_id` is a future Citus
//! distributed table, colocated on that column, so `organisation_id` joins its primary key,
//! each of its unique keys, and each of its foreign keys to another such table:
//! `(organisation_id, x_id) REFERENCES parent (organisation_id, id)`. The database itself then
//! refuses a row that points at another organisation's row, whatever the code above it does.
//! `deploy/citus.md` has the rest of the path (reference tables, `organisation`, statements).
//!
//! Column order: `id` stays first in primary keys and `organisation_id` comes last in unique
//! keys, so every lookup the old key served (`WHERE id = $1` of sea-orm's `find_by_id`, update
//! and delete; a commune's `tenant_id`; a token's hash) still reads the same index. Citus needs
//! the distribution column included, not leading. Entities keep `id` as their primary key:
//! ids are UUIDs, unique on their own.
//!
//! SQLite (embedded, never distributed) cannot alter primary or foreign keys: there only the
//! unique indexes change, as the `ON CONFLICT` targets in `tenants` name `organisation_id`.
//!
//! `down` restores the keys as they were. It fails (and, in its transaction, changes nothing) if
//! rows written since rely on the wider keys, e.g. one job dedup key in two organisations.
use sea_orm_migration::{
    prelude::*,
    sea_orm::{DatabaseBackend, TransactionTrait},
};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261124_000013_distribution_keys"
    }
}

/// Primary keys (`<table>_pkey`) before this migration; `organisation_id` is appended.
const PRIMARY_KEYS: &[(&str, &str)] = &[
    ("tenant", "id"),
    ("membership", "id"),
    ("auditor_grant", "id"),
    ("api_token", "id"),
    ("audit_log", "id"),
    ("gdpr_activity", "id"),
    ("gdpr_processor", "id"),
    ("gdpr_activity_processor", "activity_id, processor_id"),
    ("gdpr_dpia", "id"),
    ("gdpr_action", "id"),
    ("gdpr_request", "id"),
    ("gdpr_breach", "id"),
    ("gdpr_register_settings", "tenant_id"),
    ("proc_supplier", "id"),
    ("proc_contract", "id"),
    ("proc_contract_supplier", "contract_id, supplier_id"),
    ("proc_amendment", "id"),
    ("proc_share", "contract_id, tenant_id"),
    ("proc_lot", "id"),
    ("proc_subcontracting_act", "id"),
    ("backup_policy", "id"),
    ("backup_job", "id"),
    ("backup_storage_sample", "id"),
    ("backup_restore_test", "id"),
    ("backup_ingest_token", "id"),
    ("backup_ingest_event", "id"),
    ("cost_service", "id"),
    ("cost_subscription", "id"),
    ("cost_key_value", "id"),
    ("cost_pool", "id"),
    ("cost_run", "id"),
    ("cost_line", "id"),
    ("job", "id"),
    ("billing_run", "id"),
    ("billing_invoice", "id"),
    ("billing_customer", "id"),
    ("report_snapshot", "id"),
    ("alert", "id"),
    ("alert_delivery", "id"),
    ("maturity_questionnaire", "id"),
    ("maturity_assessment", "id"),
];

/// Unique constraints declared inline (`UNIQUE`): table, constraint, columns before.
const UNIQUE_CONSTRAINTS: &[(&str, &str, &str)] = &[
    ("api_token", "api_token_secret_hash_key", "secret_hash"),
    (
        "backup_ingest_token",
        "backup_ingest_token_lookup_hash_key",
        "lookup_hash",
    ),
    ("job", "job_dedup_key_key", "dedup_key"),
];

/// Unique indexes without `organisation_id`: table, index, columns before. (The others already
/// have it: tenant_org_siren, proc_supplier_identifier, cost_service_code,
/// billing_invoice_number, report_snapshot_period, maturity_questionnaire_version.)
const UNIQUE_INDEXES: &[(&str, &str, &str)] = &[
    ("audit_log", "audit_log_chain", "tenant_id, seq"),
    (
        "proc_contract",
        "proc_contract_reference",
        "tenant_id, reference",
    ),
    ("proc_lot", "proc_lot_number", "contract_id, number"),
    (
        "proc_subcontracting_act",
        "proc_subcontracting_act_number",
        "contract_id, number",
    ),
    ("backup_policy", "backup_policy_name", "tenant_id, name"),
    (
        "backup_job",
        "backup_job_external",
        "tenant_id, source, external_id",
    ),
    (
        "cost_subscription",
        "cost_subscription_start",
        "tenant_id, service_id, starts_on",
    ),
    (
        "cost_key_value",
        "cost_key_value_key",
        "tenant_id, key, year",
    ),
    (
        "billing_invoice",
        "billing_invoice_commune",
        "billing_run_id, tenant_id",
    ),
    ("billing_customer", "billing_customer_tenant", "tenant_id"),
    ("alert", "alert_cause", "tenant_id, cause_key"),
    ("alert_delivery", "alert_delivery_once", "alert_id, user_id"),
];

/// SQLite keeps job's inline `UNIQUE (dedup_key)` (it cannot drop it): this index beside it is
/// the target of `jobs::enqueue`'s `ON CONFLICT (dedup_key, organisation_id)`.
const SQLITE_JOB_DEDUP: &str = "job_dedup_key_org";

/// Foreign keys between two tables with `organisation_id`: table, constraint, column, parent
/// table (its key: `id`), `ON DELETE` clause. None sets null (Citus refuses `SET NULL` on a
/// key holding the distribution column, even with PostgreSQL 15's column list); those to
/// `organisation` and `app_user` (Citus reference tables) stay single-column.
const FOREIGN_KEYS: &[(&str, &str, &str, &str, &str)] = &[
    ("alert", "alert_tenant_id_fkey", "tenant_id", "tenant", ""),
    (
        "alert_delivery",
        "alert_delivery_alert_id_fkey",
        "alert_id",
        "alert",
        "",
    ),
    (
        "alert_delivery",
        "alert_delivery_tenant_id_fkey",
        "tenant_id",
        "tenant",
        "",
    ),
    (
        "audit_log",
        "audit_log_tenant_id_fkey",
        "tenant_id",
        "tenant",
        " ON DELETE RESTRICT",
    ),
    (
        "backup_ingest_event",
        "backup_ingest_event_tenant_id_fkey",
        "tenant_id",
        "tenant",
        "",
    ),
    (
        "backup_ingest_event",
        "backup_ingest_event_token_id_fkey",
        "token_id",
        "backup_ingest_token",
        "",
    ),
    (
        "backup_ingest_token",
        "backup_ingest_token_tenant_id_fkey",
        "tenant_id",
        "tenant",
        "",
    ),
    (
        "backup_job",
        "backup_job_policy_id_fkey",
        "policy_id",
        "backup_policy",
        "",
    ),
    (
        "backup_job",
        "backup_job_tenant_id_fkey",
        "tenant_id",
        "tenant",
        "",
    ),
    (
        "backup_policy",
        "backup_policy_tenant_id_fkey",
        "tenant_id",
        "tenant",
        "",
    ),
    (
        "backup_restore_test",
        "backup_restore_test_policy_id_fkey",
        "policy_id",
        "backup_policy",
        "",
    ),
    (
        "backup_restore_test",
        "backup_restore_test_tenant_id_fkey",
        "tenant_id",
        "tenant",
        "",
    ),
    (
        "backup_storage_sample",
        "backup_storage_sample_policy_id_fkey",
        "policy_id",
        "backup_policy",
        "",
    ),
    (
        "backup_storage_sample",
        "backup_storage_sample_tenant_id_fkey",
        "tenant_id",
        "tenant",
        "",
    ),
    (
        "billing_customer",
        "billing_customer_tenant_id_fkey",
        "tenant_id",
        "tenant",
        "",
    ),
    (
        "billing_invoice",
        "billing_invoice_billing_run_id_fkey",
        "billing_run_id",
        "billing_run",
        "",
    ),
    (
        "billing_invoice",
        "billing_invoice_tenant_id_fkey",
        "tenant_id",
        "tenant",
        "",
    ),
    (
        "billing_run",
        "billing_run_tenant_id_fkey",
        "tenant_id",
        "tenant",
        "",
    ),
    (
        "cost_key_value",
        "cost_key_value_tenant_id_fkey",
        "tenant_id",
        "tenant",
        "",
    ),
    (
        "cost_line",
        "cost_line_pool_id_fkey",
        "pool_id",
        "cost_pool",
        "",
    ),
    (
        "cost_line",
        "cost_line_run_id_fkey",
        "run_id",
        "cost_run",
        "",
    ),
    (
        "cost_line",
        "cost_line_tenant_id_fkey",
        "tenant_id",
        "tenant",
        "",
    ),
    (
        "cost_pool",
        "cost_pool_service_id_fkey",
        "service_id",
        "cost_service",
        "",
    ),
    (
        "cost_pool",
        "cost_pool_tenant_id_fkey",
        "tenant_id",
        "tenant",
        "",
    ),
    (
        "cost_run",
        "cost_run_corrects_run_id_fkey",
        "corrects_run_id",
        "cost_run",
        "",
    ),
    (
        "cost_run",
        "cost_run_pool_id_fkey",
        "pool_id",
        "cost_pool",
        "",
    ),
    (
        "cost_run",
        "cost_run_tenant_id_fkey",
        "tenant_id",
        "tenant",
        "",
    ),
    (
        "cost_service",
        "cost_service_tenant_id_fkey",
        "tenant_id",
        "tenant",
        "",
    ),
    (
        "cost_subscription",
        "cost_subscription_service_id_fkey",
        "service_id",
        "cost_service",
        "",
    ),
    (
        "cost_subscription",
        "cost_subscription_tenant_id_fkey",
        "tenant_id",
        "tenant",
        "",
    ),
    (
        "gdpr_action",
        "gdpr_action_activity_id_fkey",
        "activity_id",
        "gdpr_activity",
        "",
    ),
    (
        "gdpr_action",
        "gdpr_action_tenant_id_fkey",
        "tenant_id",
        "tenant",
        "",
    ),
    (
        "gdpr_activity",
        "gdpr_activity_model_id_fkey",
        "model_id",
        "gdpr_activity",
        "",
    ),
    (
        "gdpr_activity",
        "gdpr_activity_tenant_id_fkey",
        "tenant_id",
        "tenant",
        "",
    ),
    (
        "gdpr_activity_processor",
        "gdpr_activity_processor_activity_id_fkey",
        "activity_id",
        "gdpr_activity",
        "",
    ),
    (
        "gdpr_activity_processor",
        "gdpr_activity_processor_processor_id_fkey",
        "processor_id",
        "gdpr_processor",
        "",
    ),
    (
        "gdpr_activity_processor",
        "gdpr_activity_processor_tenant_id_fkey",
        "tenant_id",
        "tenant",
        "",
    ),
    (
        "gdpr_breach",
        "gdpr_breach_tenant_id_fkey",
        "tenant_id",
        "tenant",
        "",
    ),
    (
        "gdpr_dpia",
        "gdpr_dpia_activity_id_fkey",
        "activity_id",
        "gdpr_activity",
        "",
    ),
    (
        "gdpr_dpia",
        "gdpr_dpia_tenant_id_fkey",
        "tenant_id",
        "tenant",
        "",
    ),
    (
        "gdpr_processor",
        "gdpr_processor_tenant_id_fkey",
        "tenant_id",
        "tenant",
        "",
    ),
    (
        "gdpr_register_settings",
        "gdpr_register_settings_tenant_id_fkey",
        "tenant_id",
        "tenant",
        "",
    ),
    (
        "gdpr_request",
        "gdpr_request_tenant_id_fkey",
        "tenant_id",
        "tenant",
        "",
    ),
    ("job", "job_tenant_id_fkey", "tenant_id", "tenant", ""),
    (
        "maturity_assessment",
        "maturity_assessment_questionnaire_id_fkey",
        "questionnaire_id",
        "maturity_questionnaire",
        "",
    ),
    (
        "maturity_assessment",
        "maturity_assessment_tenant_id_fkey",
        "tenant_id",
        "tenant",
        "",
    ),
    (
        "maturity_questionnaire",
        "maturity_questionnaire_tenant_id_fkey",
        "tenant_id",
        "tenant",
        "",
    ),
    (
        "membership",
        "membership_tenant_id_fkey",
        "tenant_id",
        "tenant",
        " ON DELETE RESTRICT",
    ),
    (
        "proc_amendment",
        "proc_amendment_contract_id_fkey",
        "contract_id",
        "proc_contract",
        "",
    ),
    (
        "proc_amendment",
        "proc_amendment_tenant_id_fkey",
        "tenant_id",
        "tenant",
        "",
    ),
    (
        "proc_contract",
        "proc_contract_tenant_id_fkey",
        "tenant_id",
        "tenant",
        "",
    ),
    (
        "proc_contract_supplier",
        "proc_contract_supplier_contract_id_fkey",
        "contract_id",
        "proc_contract",
        "",
    ),
    (
        "proc_contract_supplier",
        "proc_contract_supplier_supplier_id_fkey",
        "supplier_id",
        "proc_supplier",
        "",
    ),
    (
        "proc_contract_supplier",
        "proc_contract_supplier_tenant_id_fkey",
        "tenant_id",
        "tenant",
        "",
    ),
    (
        "proc_lot",
        "proc_lot_contract_id_fkey",
        "contract_id",
        "proc_contract",
        "",
    ),
    (
        "proc_lot",
        "proc_lot_tenant_id_fkey",
        "tenant_id",
        "tenant",
        "",
    ),
    (
        "proc_share",
        "proc_share_contract_id_fkey",
        "contract_id",
        "proc_contract",
        "",
    ),
    (
        "proc_share",
        "proc_share_tenant_id_fkey",
        "tenant_id",
        "tenant",
        "",
    ),
    (
        "proc_subcontracting_act",
        "proc_subcontracting_act_contract_id_fkey",
        "contract_id",
        "proc_contract",
        "",
    ),
    (
        "proc_subcontracting_act",
        "proc_subcontracting_act_tenant_id_fkey",
        "tenant_id",
        "tenant",
        "",
    ),
    (
        "proc_supplier",
        "proc_supplier_tenant_id_fkey",
        "tenant_id",
        "tenant",
        "",
    ),
    (
        "report_snapshot",
        "report_snapshot_tenant_id_fkey",
        "tenant_id",
        "tenant",
        "",
    ),
];

/// The unique indexes of `UNIQUE_INDEXES`, recreated with `columns(before)`.
fn unique_indexes(columns: impl Fn(&str) -> String) -> Vec<String> {
    UNIQUE_INDEXES
        .iter()
        .flat_map(|(table, index, cols)| {
            [
                format!("DROP INDEX {index}"),
                format!("CREATE UNIQUE INDEX {index} ON {table} ({})", columns(cols)),
            ]
        })
        .collect()
}

fn with_org(cols: &str) -> String {
    format!("{cols}, organisation_id")
}

/// PostgreSQL, forward: foreign keys out first (they depend on the parents' primary keys), keys
/// widened, then the composite foreign keys in (each validated against the rows present).
fn up_postgres() -> Vec<String> {
    let mut sql: Vec<String> = FOREIGN_KEYS
        .iter()
        .map(|(table, name, ..)| format!("ALTER TABLE {table} DROP CONSTRAINT {name}"))
        .collect();
    sql.extend(PRIMARY_KEYS.iter().map(|(table, cols)| {
        format!(
            "ALTER TABLE {table} DROP CONSTRAINT {table}_pkey, \
             ADD CONSTRAINT {table}_pkey PRIMARY KEY ({})",
            with_org(cols)
        )
    }));
    sql.extend(UNIQUE_CONSTRAINTS.iter().map(|(table, name, cols)| {
        format!(
            "ALTER TABLE {table} DROP CONSTRAINT {name}, ADD CONSTRAINT {name} UNIQUE ({})",
            with_org(cols)
        )
    }));
    sql.extend(unique_indexes(with_org));
    sql.extend(
        FOREIGN_KEYS
            .iter()
            .map(|(table, name, col, parent, on_delete)| {
                format!(
                    "ALTER TABLE {table} ADD CONSTRAINT {name} FOREIGN KEY (organisation_id, {col}) \
                     REFERENCES {parent} (organisation_id, id){on_delete}"
                )
            }),
    );
    sql
}

/// PostgreSQL, back: the same steps reversed, to the keys of migration 12.
fn down_postgres() -> Vec<String> {
    let mut sql: Vec<String> = FOREIGN_KEYS
        .iter()
        .map(|(table, name, ..)| format!("ALTER TABLE {table} DROP CONSTRAINT {name}"))
        .collect();
    sql.extend(unique_indexes(str::to_owned));
    sql.extend(UNIQUE_CONSTRAINTS.iter().map(|(table, name, cols)| {
        format!("ALTER TABLE {table} DROP CONSTRAINT {name}, ADD CONSTRAINT {name} UNIQUE ({cols})")
    }));
    sql.extend(PRIMARY_KEYS.iter().map(|(table, cols)| {
        format!(
            "ALTER TABLE {table} DROP CONSTRAINT {table}_pkey, \
             ADD CONSTRAINT {table}_pkey PRIMARY KEY ({cols})"
        )
    }));
    sql.extend(
        FOREIGN_KEYS
            .iter()
            .map(|(table, name, col, parent, on_delete)| {
                format!(
                    "ALTER TABLE {table} ADD CONSTRAINT {name} FOREIGN KEY ({col}) \
                     REFERENCES {parent} (id){on_delete}"
                )
            }),
    );
    sql
}

fn up_sqlite() -> Vec<String> {
    let mut sql = unique_indexes(with_org);
    sql.push(format!(
        "CREATE UNIQUE INDEX {SQLITE_JOB_DEDUP} ON job (dedup_key, organisation_id)"
    ));
    sql
}

fn down_sqlite() -> Vec<String> {
    let mut sql = vec![format!("DROP INDEX {SQLITE_JOB_DEDUP}")];
    sql.extend(unique_indexes(str::to_owned));
    sql
}

/// One transaction: all or nothing, and on one connection. (On SQLite the migrator runs on the
/// pool, and a connection does not see an index another one just dropped: recreating it under
/// the same name there fails with "already exists". On PostgreSQL this is a savepoint inside
/// the migrator's transaction.)
async fn run(manager: &SchemaManager<'_>, sql: Vec<String>) -> Result<(), DbErr> {
    let txn = manager.get_connection().begin().await?;
    for stmt in sql {
        txn.execute_unprepared(&stmt)
            .await
            .map_err(|e| DbErr::Migration(format!("{stmt}: {e}")))?;
    }
    txn.commit().await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => run(manager, up_postgres()).await,
            _ => run(manager, up_sqlite()).await,
        }
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => run(manager, down_postgres()).await,
            _ => run(manager, down_sqlite()).await,
        }
    }
}
