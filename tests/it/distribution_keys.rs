//! Citus readiness (issue 9): every table with an `organisation_id` can be distributed on it —
//! the column is in its primary key, its unique keys and its foreign keys to other such tables
//! — and `deploy/citus.md` names every table. Read from the catalog of a migrated database.
use integration_tests::*;
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, RuntimeErr, Statement};
use std::collections::BTreeSet;

fn pg(sql: impl Into<String>) -> Statement {
    Statement::from_string(DatabaseBackend::Postgres, sql.into())
}

/// Tables of `public` with their `organisation_id` column's number (`org`): the future
/// distributed tables.
const ORG_TABLES: &str = "WITH org AS ( \
      SELECT c.oid, c.relname::text AS t, a.attnum AS org \
      FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid \
        AND a.attname = 'organisation_id' AND NOT a.attisdropped \
      WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')) ";

async fn texts(db: &DatabaseConnection, sql: &str) -> Vec<String> {
    db.query_all(pg(sql))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .into_iter()
        .map(|r| r.try_get_by_index::<String>(0).expect("text column"))
        .collect()
}

async fn tables(db: &DatabaseConnection, with_org: bool) -> BTreeSet<String> {
    let op = if with_org { "IN" } else { "NOT IN" };
    texts(
        db,
        &format!(
            "{ORG_TABLES} SELECT c.relname::text FROM pg_class c \
             WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' \
               AND c.oid {op} (SELECT oid FROM org) ORDER BY 1"
        ),
    )
    .await
    .into_iter()
    .collect()
}

/// Each check is a query listing its offenders; all are run, then reported together.
const CHECKS: &[(&str, &str)] = &[
    (
        "primary key without organisation_id",
        "SELECT org.t || ': ' || coalesce(pg_get_constraintdef(k.oid), 'no primary key') \
         FROM org LEFT JOIN pg_constraint k ON k.conrelid = org.oid AND k.contype = 'p' \
         WHERE k.oid IS NULL OR NOT org.org = ANY (k.conkey)",
    ),
    (
        "unique constraint or index without organisation_id",
        "SELECT org.t || ': ' || pg_get_indexdef(i.indexrelid) \
         FROM org JOIN pg_index i ON i.indrelid = org.oid \
         WHERE i.indisunique AND NOT org.org = ANY (i.indkey::int2[])",
    ),
    (
        "foreign key between two organisation tables not mapping organisation_id to organisation_id",
        "SELECT c.conname || ' on ' || child.t || ': ' || pg_get_constraintdef(c.oid) \
         FROM pg_constraint c JOIN org child ON child.oid = c.conrelid \
           JOIN org parent ON parent.oid = c.confrelid \
         WHERE c.contype = 'f' AND NOT EXISTS ( \
           SELECT 1 FROM generate_subscripts(c.conkey, 1) s \
           WHERE c.conkey[s] = child.org AND c.confkey[s] = parent.org)",
    ),
    (
        "foreign key from a table without organisation_id to one with it (Citus: reference to distributed)",
        "SELECT c.conname || ' on ' || c.conrelid::regclass::text || ' -> ' || parent.t \
         FROM pg_constraint c JOIN org parent ON parent.oid = c.confrelid \
         WHERE c.contype = 'f' AND c.conrelid NOT IN (SELECT oid FROM org)",
    ),
    (
        // Citus refuses these on a key holding the distribution column, even PostgreSQL 15's
        // `SET NULL (col)` (it reads the action, not the column list).
        "foreign key on organisation_id that sets null/default or cascades an update",
        "SELECT c.conname || ' on ' || child.t || ': ' || pg_get_constraintdef(c.oid) \
         FROM pg_constraint c JOIN org child ON child.oid = c.conrelid \
         WHERE c.contype = 'f' AND child.org = ANY (c.conkey) \
           AND (c.confdeltype IN ('n', 'd') OR c.confupdtype NOT IN ('a', 'r'))",
    ),
    (
        // Citus refuses subqueries in the policies of its tables (organisation's had one until
        // migration 31).
        "row-level security policy with a subquery (Citus refuses it)",
        "SELECT tablename::text || '.' || policyname::text FROM pg_policies \
         WHERE schemaname = 'public' \
           AND (qual ~* '\\mselect\\M' OR coalesce(with_check, '') ~* '\\mselect\\M')",
    ),
];

#[tokio::test]
async fn every_table_with_an_organisation_keys_on_it() {
    let testdb = fresh_db().await;
    let db = tenants::db::connect(&testdb.admin_url, 1)
        .await
        .expect("owner");
    // Not vacuous: the catalog query sees the tenant tables and their foreign keys.
    let org_tables = tables(&db, true).await;
    assert!(
        org_tables.len() >= 40 && org_tables.contains("tenant") && org_tables.contains("job"),
        "too few tables with organisation_id: {org_tables:?}"
    );
    let fks = texts(
        &db,
        &format!(
            "{ORG_TABLES} SELECT count(*)::text FROM pg_constraint c \
             WHERE c.contype = 'f' AND c.conrelid IN (SELECT oid FROM org) \
               AND c.confrelid IN (SELECT oid FROM org)"
        ),
    )
    .await;
    assert!(
        fks[0].parse::<u32>().expect("count") >= 60,
        "too few foreign keys between organisation tables: {fks:?}"
    );
    // Not vacuous either: the subquery pattern matches the policy organisation had before
    // migration 31, and its policy now reads the organisations the scope carries.
    let pattern = texts(
        &db,
        "SELECT ('EXISTS ( SELECT 1 FROM tenant t WHERE (t.organisation_id = organisation.id))' \
         ~* '\\mselect\\M')::text",
    )
    .await;
    assert_eq!(pattern, ["true"], "the subquery pattern matches");
    let organisation = texts(
        &db,
        "SELECT qual::text FROM pg_policies WHERE tablename = 'organisation' AND policyname = 'scope'",
    )
    .await;
    assert!(
        organisation.len() == 1 && organisation[0].contains("mutualis_member_org_ids()"),
        "organisation's policy: {organisation:?}"
    );

    let mut failures = vec![];
    for (what, sql) in CHECKS {
        for offender in texts(&db, &format!("{ORG_TABLES} {sql} ORDER BY 1")).await {
            failures.push(format!("{what}: {offender}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `SELECT <function>('<table>'…` statements of the doc, by table.
fn calls<'a>(doc: &'a str, function: &str) -> Vec<(&'a str, &'a str)> {
    let needle = format!("SELECT {function}('");
    doc.lines()
        .filter_map(|line| {
            let rest = line.trim().strip_prefix(needle.as_str())?;
            let end = rest.find('\'')?;
            Some((&rest[..end], &rest[end + 1..]))
        })
        .collect()
}

#[tokio::test]
async fn deploy_citus_md_distributes_every_table() {
    let testdb = fresh_db().await;
    let db = tenants::db::connect(&testdb.admin_url, 1)
        .await
        .expect("owner");
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/citus.md");
    let doc = std::fs::read_to_string(path).expect("deploy/citus.md");

    let distributed = calls(&doc, "create_distributed_table");
    assert_eq!(
        distributed.first().map(|(t, _)| *t),
        Some("tenant"),
        "tenant opens the colocation group"
    );
    let mut problems = vec![];
    for (i, (table, rest)) in distributed.iter().enumerate() {
        // The first one opens the colocation group, every other one joins it.
        let colocation = if i == 0 { "'none'" } else { "'tenant'" };
        if !rest.starts_with(&format!(
            ", 'organisation_id', colocate_with => {colocation});"
        )) {
            problems.push(format!(
                "{table}: not distributed on organisation_id colocated with {colocation}"
            ));
        }
    }
    let named = |v: &[(&str, &str)]| v.iter().map(|(t, _)| (*t).to_owned()).collect();
    let distributed: BTreeSet<String> = named(&distributed);
    let reference: BTreeSet<String> = named(&calls(&doc, "create_reference_table"));

    let with_org = tables(&db, true).await;
    // seaql_migrations stays a plain table of the coordinator, where migrations run.
    let mut without_org = tables(&db, false).await;
    assert!(without_org.remove("seaql_migrations"));
    for t in with_org.difference(&distributed) {
        problems.push(format!(
            "{t} (organisation_id) has no create_distributed_table"
        ));
    }
    for t in without_org.difference(&reference) {
        problems.push(format!(
            "{t} (no organisation_id) has no create_reference_table"
        ));
    }
    for t in distributed.difference(&with_org) {
        problems.push(format!(
            "{t}: create_distributed_table, not a table with organisation_id"
        ));
    }
    for t in reference.difference(&without_org) {
        problems.push(format!(
            "{t}: create_reference_table, not a table without organisation_id"
        ));
    }
    assert!(
        problems.is_empty(),
        "deploy/citus.md:\n{}",
        problems.join("\n")
    );
}

/// SQLSTATE and constraint of a refused statement.
fn refusal(e: &DbErr) -> (String, String) {
    match e {
        DbErr::Exec(RuntimeErr::SqlxError(sea_orm::sqlx::Error::Database(d)))
        | DbErr::Query(RuntimeErr::SqlxError(sea_orm::sqlx::Error::Database(d))) => (
            d.code().map(|c| c.into_owned()).unwrap_or_default(),
            d.constraint().unwrap_or_default().to_owned(),
        ),
        other => panic!("not a database error: {other}"),
    }
}

#[tokio::test]
async fn a_row_pointing_at_another_organisations_parent_is_refused() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let g = app
        .gdpr_objects(&fx.org_admin_a, fx.org_a, fx.tenant_a1)
        .await;
    let count = |table: &'static str| app.count(table);
    let (requests, dpias) = (count("gdpr_request").await, count("gdpr_dpia").await);

    // A rights request of commune A1 (organisation A) filed under organisation B.
    let request = |org: uuid::Uuid| {
        format!(
            "INSERT INTO gdpr_request (id, organisation_id, tenant_id, kind, received_on, requester, \
               status, due_on, created_at) \
             VALUES (gen_random_uuid(), '{org}', '{}', 'access', current_date, 'X', 'received', \
               current_date + 30, now())",
            fx.tenant_a1
        )
    };
    let e = app
        .admin
        .execute_unprepared(&request(fx.org_b))
        .await
        .expect_err("a tenant of A under organisation B");
    assert_eq!(
        refusal(&e),
        ("23503".into(), "gdpr_request_tenant_id_fkey".into()),
        "{e}"
    );
    app.admin
        .execute_unprepared(&request(fx.org_a))
        .await
        .expect("the same row under its own organisation");

    // A DPIA of commune B1 (organisation B, consistent on its own) on an activity of A: the
    // single-column key of migration 12 accepted it, the composite one refuses it.
    let dpia = |org: uuid::Uuid, tenant: uuid::Uuid| {
        format!(
            "INSERT INTO gdpr_dpia (id, organisation_id, tenant_id, activity_id, status, created_at, \
               updated_at) \
             VALUES (gen_random_uuid(), '{org}', '{tenant}', '{}', 'planned', now(), now())",
            g.activity
        )
    };
    let e = app
        .admin
        .execute_unprepared(&dpia(fx.org_b, fx.tenant_b1))
        .await
        .expect_err("organisation B's row on A's activity");
    assert_eq!(
        refusal(&e),
        ("23503".into(), "gdpr_dpia_activity_id_fkey".into()),
        "{e}"
    );
    app.admin
        .execute_unprepared(&dpia(fx.org_a, fx.tenant_a1))
        .await
        .expect("the same DPIA in the activity's organisation");

    assert_eq!(count("gdpr_request").await, requests + 1);
    assert_eq!(count("gdpr_dpia").await, dpias + 1);
}

/// Keys and indexes of `public`, comparable between two databases.
async fn keys(db: &DatabaseConnection) -> Vec<String> {
    texts(
        db,
        "SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) \
         FROM pg_constraint WHERE connamespace = 'public'::regnamespace \
         UNION ALL SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1",
    )
    .await
}

/// The migrations after the twelfth (13 widens the keys; the later ones go down with it).
fn since_twelve() -> u32 {
    use migrations::MigratorTrait;
    u32::try_from(migrations::Migrator::migrations().len() - 12).unwrap_or(1)
}

#[tokio::test]
async fn down_restores_the_keys_of_migration_12_and_up_widens_them_again() {
    use migrations::MigratorTrait;
    let connect = |url: String| async move { tenants::db::connect(&url, 1).await.expect("owner") };
    // All migrations, from the template.
    let latest = connect(fresh_db().await.admin_url).await;
    // Migrations 1 to 12 only, on an emptied database.
    let twelve = connect(fresh_db().await.admin_url).await;
    twelve
        .execute_unprepared("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        .await
        .expect("empty");
    migrations::Migrator::up(&twelve, Some(12))
        .await
        .expect("migrations 1 to 12");
    let (keys_latest, keys_twelve) = (keys(&latest).await, keys(&twelve).await);
    assert!(
        keys_twelve
            .iter()
            .any(|k| k == "tenant tenant_pkey PRIMARY KEY (id)")
            && keys_latest
                .iter()
                .any(|k| k == "tenant tenant_pkey PRIMARY KEY (id, organisation_id)"),
        "the migration widens the keys"
    );

    let db = connect(fresh_db().await.admin_url).await;
    migrations::Migrator::down(&db, Some(since_twelve()))
        .await
        .expect("down");
    assert_eq!(
        keys(&db).await,
        keys_twelve,
        "down gives migration 12's keys"
    );
    migrations::Migrator::up(&db, None).await.expect("up again");
    assert_eq!(keys(&db).await, keys_latest, "up again gives the same keys");
}

#[tokio::test]
async fn on_sqlite_the_unique_indexes_widen_and_come_back() {
    use migrations::MigratorTrait;
    let dir = std::env::temp_dir().join(format!("mutualis-dk-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = |name: &str| format!("sqlite://{}?mode=rwc", dir.join(name).display());
    let indexes = |db: DatabaseConnection| async move {
        let rows = db
            .query_all(Statement::from_string(
                DatabaseBackend::Sqlite,
                "SELECT name || ': ' || coalesce(sql, '') AS i FROM sqlite_master \
                 WHERE type = 'index' ORDER BY 1",
            ))
            .await
            .expect("sqlite_master");
        let v: Vec<String> = rows
            .into_iter()
            .map(|r| r.try_get::<String>("", "i").expect("i"))
            // sea-orm's builder quotes identifiers, hand-written DDL does not.
            .map(|i| i.replace('"', ""))
            .collect();
        (v, db)
    };
    // Two connections, as `mutualis migrate` opens: a schema change made on one is not seen
    // by the other's next statement unless the migration keeps to one connection.
    let twelve = tenants::db::connect(&file("12.db"), 2)
        .await
        .expect("sqlite");
    migrations::Migrator::up(&twelve, Some(12))
        .await
        .expect("migrations 1 to 12");
    let (at_twelve, _) = indexes(twelve).await;

    let db = tenants::db::connect(&file("latest.db"), 2)
        .await
        .expect("sqlite");
    migrations::Migrator::up(&db, None)
        .await
        .expect("migrations");
    let (latest, db) = indexes(db).await;
    for wide in [
        "alert_cause: CREATE UNIQUE INDEX alert_cause ON alert (tenant_id, cause_key, organisation_id)",
        "audit_log_chain: CREATE UNIQUE INDEX audit_log_chain ON audit_log (tenant_id, seq, organisation_id)",
        "job_dedup_key_org: CREATE UNIQUE INDEX job_dedup_key_org ON job (dedup_key, organisation_id)",
    ] {
        assert!(latest.iter().any(|i| i == wide), "{wide} in {latest:#?}");
    }
    migrations::Migrator::down(&db, Some(since_twelve()))
        .await
        .expect("down");
    let (back, db) = indexes(db).await;
    assert_eq!(back, at_twelve, "down gives migration 12's indexes");
    migrations::Migrator::up(&db, None).await.expect("up again");
    assert_eq!(
        indexes(db).await.0,
        latest,
        "up again gives the same indexes"
    );
    std::fs::remove_dir_all(&dir).ok();
}
