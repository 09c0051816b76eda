//! Bulk data for benchmarks: real rows made through the API once (in a fixture commune), then
//! cloned by SQL into every commune of the chosen organisations with realistic variation
//! (statuses, dates, names), so volumes of France's size take minutes, not days.
use crate::{data, Caller, TestApp};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde_json::json;
use uuid::Uuid;

/// Rows per commune.
#[derive(Debug, Clone, Copy)]
pub struct Volumes {
    pub activities: i64,
    pub contracts: i64,
    pub policies: i64,
    /// Reports per policy (one a day, going back).
    pub jobs_per_policy: i64,
    pub requests: i64,
}

impl Volumes {
    /// The issue's figure: 100 activities, 50 contracts, 5 backup policies per commune.
    pub const ISSUE_7: Volumes = Volumes {
        activities: 100,
        contracts: 50,
        policies: 5,
        jobs_per_policy: 7,
        requests: 4,
    };
}

/// The seed rows cloned everywhere.
pub struct Seeds {
    activity: String,
    contract: String,
    policy: String,
    request: String,
}

/// What the France-scale benchmarks start from: a test app with the fixture, the rows the
/// dataset clones, the official referential (`MUTUALIS_TEST_REFERENTIAL_DIR`) loaded, and the
/// operator's scope to provision organisations with. On a fresh database, or on the migrated
/// one `MUTUALIS_BENCH_ADMIN_URL` names.
pub struct Bench {
    pub app: TestApp,
    pub fx: crate::Fixture,
    pub seeds: Seeds,
    pub referential: tenants::referential::Referential,
    pub provisioning: tenants::tenancy::Can<tenants::tenancy::can::ManageUsers>,
}

pub async fn bench_start() -> Bench {
    use tenants::referential::{self, Referential};
    use tenants::tenancy::{can, Principal};
    let dir = std::env::var("MUTUALIS_TEST_REFERENTIAL_DIR")
        .expect("MUTUALIS_TEST_REFERENTIAL_DIR (source tests/services.sh; start_services)");
    // A database prepared by the caller (tests/citus/read_path.sh), else a fresh one.
    let app = match std::env::var("MUTUALIS_BENCH_ADMIN_URL") {
        Ok(url) if !url.is_empty() => {
            crate::spawn_app_on(crate::TestDb::at(&url), Default::default()).await
        }
        _ => crate::spawn_app().await,
    };
    let fx = app.fixture().await;
    let seeds = seeds(&app, &fx.org_admin_a, fx.org_a, fx.tenant_a1).await;
    let r = Referential::read_dir(std::path::Path::new(&dir)).expect("referential");
    referential::load(&app.db, &r, &crate::indicatif_hidden())
        .await
        .expect("referential loads");
    let provisioning = Principal::operator()
        .can::<can::ManageUsers>()
        .expect("operator");
    Bench {
        app,
        fx,
        seeds,
        referential: r,
        provisioning,
    }
}

/// Makes one of each seed row through the API in `tenant` of `org`.
pub async fn seeds(app: &TestApp, caller: &Caller, org: Uuid, tenant: Uuid) -> Seeds {
    let g = app.gdpr_objects(caller, org, tenant).await;
    let p = app.procurement_objects(caller, tenant, &[tenant]).await;
    let b = app.backup_objects(caller, tenant, "srv-seed").await;
    let r = app
        .gql(
            caller,
            "{ rightsRequests(first: 1) { items { id }} }",
            json!({}),
        )
        .await;
    let request = data(&r)["rightsRequests"]["items"][0]["id"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| g.request.clone());
    Seeds {
        activity: g.activity,
        contract: p.contract,
        policy: b.policy,
        request,
    }
}

async fn exec(db: &DatabaseConnection, sql: String) -> u64 {
    db.execute(Statement::from_string(
        db.get_database_backend(),
        sql.clone(),
    ))
    .await
    .unwrap_or_else(|e| panic!("{e}\n{sql}"))
    .rows_affected()
}

async fn columns(db: &DatabaseConnection, table: &str) -> Vec<String> {
    let rows = db
        .query_all(Statement::from_string(
            db.get_database_backend(),
            format!(
                "SELECT column_name::text AS c FROM information_schema.columns
                 WHERE table_name = '{table}' AND table_schema = 'public' ORDER BY ordinal_position"
            ),
        ))
        .await
        .expect("columns");
    rows.iter()
        .map(|r| r.try_get::<String>("", "c").expect("column name"))
        .collect()
}

/// Copies row `seed` of `table` `n` times into every commune of `orgs`: ids fresh, tenant
/// and organisation those of the commune, `overrides` (column, SQL over `s`, `g`) applied.
async fn clone(
    db: &DatabaseConnection,
    table: &str,
    seed: &str,
    orgs: &[Uuid],
    n: i64,
    overrides: &[(&str, &str)],
) -> u64 {
    let cols = columns(db, table).await;
    let exprs: Vec<String> = cols
        .iter()
        .map(|c| match c.as_str() {
            "id" => "gen_random_uuid()".to_owned(),
            "tenant_id" => "t.id".to_owned(),
            "organisation_id" => "t.organisation_id".to_owned(),
            other => overrides
                .iter()
                .find(|(k, _)| *k == other)
                .map_or_else(|| format!("s.{other}"), |(_, v)| (*v).to_owned()),
        })
        .collect();
    let orgs: Vec<String> = orgs.iter().map(|o| format!("'{o}'")).collect();
    exec(
        db,
        format!(
            "INSERT INTO {table} ({}) SELECT {} FROM {table} s
             CROSS JOIN (SELECT id, organisation_id FROM tenant
                         WHERE organisation_id IN ({}) AND kind <> 'organisation') t
             CROSS JOIN generate_series(1, {n}) g
             WHERE s.id = '{seed}'",
            cols.join(", "),
            exprs.join(", "),
            orgs.join(", "),
        ),
    )
    .await
}

#[derive(Debug, Default, Clone, Copy)]
pub struct Filled {
    pub activities: u64,
    pub contracts: u64,
    pub policies: u64,
    pub jobs: u64,
    pub requests: u64,
}

/// Fills every commune of `orgs` (through the admin connection: bulk, not the API).
pub async fn fill(admin: &DatabaseConnection, s: &Seeds, orgs: &[Uuid], v: Volumes) -> Filled {
    let mut f = Filled {
        activities: clone(
            admin,
            "gdpr_activity",
            &s.activity,
            orgs,
            v.activities,
            &[
                ("name", "s.name || ' n°' || g"),
                // A third each: draft, validated, checked by the DPO.
                (
                    "status",
                    "(ARRAY['draft','validated','checked'])[1 + g % 3]",
                ),
            ],
        )
        .await,
        ..Default::default()
    };
    f.contracts = clone(
        admin,
        "proc_contract",
        &s.contract,
        orgs,
        v.contracts,
        &[
            ("reference", "s.reference || '-' || g"),
            // Notified over the last four years: some end or reach notice within 90 days.
            ("notified_on", "CURRENT_DATE - ((g * 29) % 1460)"),
        ],
    )
    .await;
    f.requests = clone(
        admin,
        "gdpr_request",
        &s.request,
        orgs,
        v.requests,
        &[
            ("received_on", "CURRENT_DATE - g * 12"),
            ("due_on", "CURRENT_DATE - g * 12 + 30"),
        ],
    )
    .await;
    f.policies = clone(
        admin,
        "backup_policy",
        &s.policy,
        orgs,
        v.policies,
        &[("name", "'gen ' || g"), ("host", "'srv-' || g")],
    )
    .await;
    let orgs_sql: Vec<String> = orgs.iter().map(|o| format!("'{o}'")).collect();
    let orgs_sql = orgs_sql.join(", ");
    // One report a day per policy; one policy in 13 stopped reporting a while ago and one
    // report in 17 failed, so every state shows.
    f.jobs = exec(
        admin,
        format!(
            "INSERT INTO backup_job (id, organisation_id, tenant_id, policy_id, source, external_id,
               status, finished_at, bytes_added, received_at)
             SELECT gen_random_uuid(), p.organisation_id, p.tenant_id, p.id, 'webhook',
               'gen-' || p.id || '-' || g, CASE WHEN g % 17 = 0 THEN 'failed' ELSE 'success' END,
               now() - (g + CASE WHEN abs(hashtext(p.id::text)) % 13 = 0 THEN 10 ELSE 0 END)
                       * interval '1 day',
               1000000, now()
             FROM backup_policy p CROSS JOIN generate_series(1, {}) g
             WHERE p.organisation_id IN ({orgs_sql}) AND p.name LIKE 'gen %'",
            v.jobs_per_policy
        ),
    )
    .await;
    exec(
        admin,
        format!(
            "INSERT INTO backup_storage_sample (id, organisation_id, tenant_id, policy_id,
               measured_at, stored_bytes, source)
             SELECT gen_random_uuid(), p.organisation_id, p.tenant_id, p.id,
               date_trunc('month', now()), 5000000000 + abs(hashtext(p.id::text)) % 1000000000, 'webhook'
             FROM backup_policy p
             WHERE p.organisation_id IN ({orgs_sql}) AND p.name LIKE 'gen %'"
        ),
    )
    .await;
    exec(admin, "ANALYZE".into()).await;
    f
}

/// The intercommunality with the most member communes in the referential: (SIREN, name,
/// communes). Ties go to the smaller SIREN, so every run picks the same one.
pub fn largest_epci(r: &tenants::referential::Referential) -> (String, String, usize) {
    let mut members: std::collections::HashMap<&str, usize> = Default::default();
    for c in &r.communes {
        if let Some(s) = c.epci_siren.as_deref() {
            *members.entry(s).or_default() += 1;
        }
    }
    let (siren, n) = members
        .into_iter()
        .max_by_key(|(s, n)| (*n, std::cmp::Reverse(*s)))
        .expect("an EPCI in the referential");
    let name = r
        .epcis
        .iter()
        .find(|e| e.siren == siren)
        .map(|e| e.name.clone())
        .unwrap_or_default();
    (siren.to_owned(), name, n)
}
