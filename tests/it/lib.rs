//! Test harness: a migrated template database, one fresh database per test, the server on an
//! ephemeral port, fixture organisations from real referential data, and GraphQL callers.
//!
//! Services come from `tests/services.sh` (PostgreSQL, Redis, the OpenID provider).
pub mod bench;
pub mod dataset;
pub mod per_policy;
use api::config::{Config, RawConfig};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use tenants::access;
use tenants::directory::{self, Invitation};
use tenants::entities::tenant;
use tenants::identifiers::Siren;
use tenants::referential::{self, Referential};
use tenants::tenancy::{can, Principal};
use tokio::sync::{Mutex, OnceCell};
use uuid::Uuid;

pub fn pg_url() -> String {
    std::env::var("MUTUALIS_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

pub fn with_db(url: &str, db: &str) -> String {
    let mut u = url::Url::parse(url).expect("MUTUALIS_TEST_PG_URL is a URL");
    u.set_path(&format!("/{db}"));
    u.to_string()
}

/// The Node of the test tools (OIDC provider, EN 16931 validator): the one tests/services.sh
/// fetched when the system's is too old for oidc-provider 9, else the system's.
pub fn node() -> std::path::PathBuf {
    let fetched = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".run/node22/bin/node");
    if fetched.exists() {
        fetched
    } else {
        "node".into()
    }
}

fn with_user(url: &str, user: &str) -> String {
    let mut u = url::Url::parse(url).expect("URL");
    u.set_username(user).expect("user");
    u.set_password(None).expect("password");
    u.to_string()
}

static TEMPLATE: OnceCell<String> = OnceCell::const_new();
static CREATE_LOCK: Mutex<()> = Mutex::const_new(());
static COUNTER: AtomicUsize = AtomicUsize::new(0);

async fn exec(db: &DatabaseConnection, sql: &str) {
    db.execute_unprepared(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// The migrated template (once per test process). Leftovers of earlier runs are dropped.
async fn template() -> &'static str {
    TEMPLATE
        .get_or_init(|| async {
            let base = tenants::db::connect(&pg_url(), 1)
                .await
                .expect("PostgreSQL reachable (tests/services.sh)");
            let pid = std::process::id();
            let old = base
                .query_all(Statement::from_string(
                    sea_orm::DatabaseBackend::Postgres,
                    "SELECT datname FROM pg_database WHERE datname LIKE 'mt\\_%'",
                ))
                .await
                .expect("list databases");
            for row in old {
                let name: String = row.try_get("", "datname").expect("datname");
                // mt_tpl_<pid> and mt_<pid>_<n>: drop only what a finished process left behind,
                // never the databases of a test run still going on beside this one.
                let owner = name
                    .trim_start_matches("mt_tpl_")
                    .trim_start_matches("mt_")
                    .split('_')
                    .next()
                    .and_then(|p| p.parse::<u32>().ok());
                let alive =
                    owner.is_some_and(|p| std::path::Path::new(&format!("/proc/{p}")).exists());
                if owner != Some(pid) && !alive {
                    exec(
                        &base,
                        &format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
                    )
                    .await;
                }
            }
            let name = format!("mt_tpl_{pid}");
            exec(
                &base,
                &format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
            )
            .await;
            exec(&base, &format!("CREATE DATABASE \"{name}\"")).await;
            let owner = tenants::db::connect(&with_db(&pg_url(), &name), 1)
                .await
                .expect("template");
            use migrations::MigratorTrait;
            migrations::Migrator::up(&owner, None)
                .await
                .expect("migrations apply");
            owner.close().await.ok();
            base.close().await.ok();
            name
        })
        .await
}

/// A fresh migrated database: `admin_url` as the owner, `app_url` as `mutualis_app`.
pub struct TestDb {
    pub name: String,
    pub admin_url: String,
    pub app_url: String,
}

pub async fn fresh_db() -> TestDb {
    let tpl = template().await;
    let name = format!(
        "mt_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    );
    {
        let _g = CREATE_LOCK.lock().await;
        let base = tenants::db::connect(&pg_url(), 1)
            .await
            .expect("PostgreSQL");
        exec(
            &base,
            &format!("CREATE DATABASE \"{name}\" TEMPLATE \"{tpl}\""),
        )
        .await;
        base.close().await.ok();
    }
    let admin_url = with_db(&pg_url(), &name);
    let app_url = with_user(&admin_url, migrations::APP_ROLE);
    TestDb {
        name,
        admin_url,
        app_url,
    }
}

/// The referential subset the fixtures use: the real CA de la Région de Compiègne (22
/// communes, embedded extract) and a second organisation built from real Dunkerque data.
pub fn fixture_referential() -> Referential {
    let mut r = Referential::demo().expect("demo extract");
    let b = Referential::parse(
        r#"[{"code":"59183","nom":"Dunkerque","type":"commune-actuelle","siren":"215901836","departement":"59","population":86279},
            {"code":"59155","nom":"Coudekerque-Branche","type":"commune-actuelle","siren":"215901554","departement":"59","population":20831}]"#,
        r#"[{"code":"245900428","nom":"CU de Dunkerque","type":"CU","populationMunicipale":193000,
             "membres":[{"code":"59183","siren":"215901836"},{"code":"59155","siren":"215901554"}]}]"#,
    )
    .expect("fixture JSON");
    r.communes.extend(b.communes);
    r.epcis.extend(b.epcis);
    r
}

pub const ORG_A_SIREN: &str = "200067965";
pub const ORG_B_SIREN: &str = "245900428";

/// Someone who calls the API: a browser session or a bearer token.
#[derive(Clone, Debug)]
pub enum Caller {
    Session {
        secret: String,
        csrf: String,
        email: String,
    },
    Token(String),
    Anonymous,
}

/// Two organisations with people in every role.
pub struct Fixture {
    pub org_a: Uuid,
    pub org_b: Uuid,
    /// Compiègne and Margny-lès-Compiègne (org A); Dunkerque (org B).
    pub tenant_a1: Uuid,
    pub tenant_a2: Uuid,
    pub tenant_b1: Uuid,
    pub org_admin_a: Caller,
    pub dpo_a: Caller,
    pub commune_admin_a1: Caller,
    pub editor_a2: Caller,
    pub org_admin_b: Caller,
}

pub struct TestApp {
    pub url: String,
    pub db: DatabaseConnection,
    pub admin: DatabaseConnection,
    pub testdb: TestDb,
    pub http: reqwest::Client,
    pub config: Config,
}

pub struct AppOptions {
    pub listen_addr: String,
    pub oidc: bool,
    /// Start without an ingest secret (the backup webhook disabled).
    pub no_ingest_secret: bool,
    /// Rate limits other than the defaults.
    pub rate_limits: Option<api::http::limits::RateLimits>,
    /// Start without Redis (each process keeps its own rate-limit buckets).
    pub no_redis: bool,
    /// Serve the GraphQL explorer at /graphiql (off outside the embedded demo).
    pub graphql_explorer: bool,
    /// Where uploaded files go (default: a fresh directory of this test's own).
    pub storage: Option<tenants::storage::StorageSettings>,
}

impl Default for AppOptions {
    fn default() -> Self {
        Self {
            listen_addr: "127.0.0.1:0".into(),
            oidc: false,
            no_ingest_secret: false,
            rate_limits: None,
            no_redis: false,
            graphql_explorer: false,
            storage: None,
        }
    }
}

pub fn test_config(testdb: &TestDb, listen: &str, oidc: bool) -> Config {
    let issuer = std::env::var("MUTUALIS_TEST_OIDC_ISSUER")
        .ok()
        .filter(|_| oidc);
    Config::from_raw(RawConfig {
        database_url: Some(testdb.app_url.clone()),
        database_admin_url: Some(testdb.admin_url.clone()),
        redis_url: std::env::var("MUTUALIS_TEST_REDIS_URL").ok(),
        // A PostgreSQL deployment needs a provider; tests without login point at a closed port.
        oidc_issuer_url: Some(issuer.unwrap_or_else(|| "http://127.0.0.1:9/".into())),
        oidc_client_id: Some(
            std::env::var("MUTUALIS_TEST_OIDC_CLIENT_ID")
                .unwrap_or_else(|_| "mutualis-test".into()),
        ),
        oidc_client_secret: Some(
            std::env::var("MUTUALIS_TEST_OIDC_CLIENT_SECRET")
                .unwrap_or_else(|_| "mutualis-test-secret".into()),
        ),
        listen_addr: Some(listen.into()),
        ingest_secret: Some(TEST_INGEST_SECRET.into()),
        stripe_secret_key: Some(TEST_STRIPE_KEY.into()),
        stripe_api_base: Some(stripe_url()),
        stripe_webhook_secret: Some(TEST_STRIPE_WEBHOOK_SECRET.into()),
        // localstripe has no send_invoice collection, /finalize or /send.
        stripe_send_invoices: Some(false),
        // Tests run side by side on one Redis: each app counts its rate limits apart.
        redis_prefix: Some(testdb.name.clone()),
        // Uploaded files: a directory of this test database's own.
        storage_dir: Some(
            std::env::temp_dir()
                .join(format!("mutualis-files-{}", testdb.name))
                .display()
                .to_string(),
        ),
        ..RawConfig::default()
    })
    .expect("test configuration is valid")
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(AppOptions::default()).await
}

pub async fn spawn_app_with(opts: AppOptions) -> TestApp {
    spawn_app_on(fresh_db().await, opts).await
}

/// The server on an existing database.
pub async fn spawn_app_on(testdb: TestDb, opts: AppOptions) -> TestApp {
    let listener = tokio::net::TcpListener::bind(&opts.listen_addr)
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let mut config = test_config(&testdb, &addr.to_string(), opts.oidc);
    if opts.no_ingest_secret {
        config.ingest_secret = None;
    }
    if let Some(mut limits) = opts.rate_limits {
        limits.key_prefix = config.rate_limits.key_prefix.clone();
        config.rate_limits = limits;
    }
    if opts.no_redis {
        config.redis_url = None;
    }
    config.graphql_explorer = opts.graphql_explorer;
    if let Some(storage) = opts.storage {
        config.storage = storage;
    }
    let db = api::server::connect(&config)
        .await
        .expect("server connects as mutualis_app");
    let admin = tenants::db::connect(&testdb.admin_url, 2)
        .await
        .expect("admin");
    let state = api::server::build_state(config.clone(), db.clone())
        .await
        .expect("state");
    let app =
        api::server::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move {
        axum::serve(listener, app).await.expect("server runs");
    });
    TestApp {
        url: format!("http://{addr}"),
        db,
        admin,
        testdb,
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client"),
        config,
    }
}

impl TestApp {
    /// Loads the fixture referential and provisions both organisations with their people.
    pub async fn fixture(&self) -> Fixture {
        let op = Principal::operator();
        let scope = op.can::<can::ManageUsers>().expect("operator");
        referential::load(&self.db, &fixture_referential(), &indicatif_hidden())
            .await
            .expect("referential loads");
        let a =
            referential::provision(&self.db, &scope, &Siren::parse(ORG_A_SIREN).expect("siren"))
                .await
                .expect("org A");
        let b =
            referential::provision(&self.db, &scope, &Siren::parse(ORG_B_SIREN).expect("siren"))
                .await
                .expect("org B");
        let t = |org: Uuid, insee: &'static str| {
            let scope = scope.clone();
            async move {
                use sea_orm::{ColumnTrait, QueryFilter};
                let txn = scope.begin(&self.db).await.expect("txn");
                let found = scope
                    .find::<tenant::Entity>()
                    .filter(tenant::Column::OrganisationId.eq(org))
                    .filter(tenant::Column::InseeCode.eq(insee))
                    .one(&txn)
                    .await
                    .expect("query")
                    .expect("tenant exists");
                txn.commit().await.expect("commit");
                found.id
            }
        };
        let (tenant_a1, tenant_a2, tenant_b1) = (
            t(a.organisation_id, "60159").await,
            t(a.organisation_id, "60382").await,
            t(b.organisation_id, "59183").await,
        );
        Fixture {
            org_a: a.organisation_id,
            org_b: b.organisation_id,
            tenant_a1,
            tenant_a2,
            tenant_b1,
            org_admin_a: self
                .person(
                    "dsi@agglo-compiegne.fr",
                    "org_admin",
                    a.organisation_id,
                    None,
                )
                .await,
            dpo_a: self
                .person("dpo@agglo-compiegne.fr", "dpo", a.organisation_id, None)
                .await,
            commune_admin_a1: self
                .person(
                    "dgs@mairie-compiegne.fr",
                    "commune_admin",
                    a.organisation_id,
                    Some(tenant_a1),
                )
                .await,
            editor_a2: self
                .person(
                    "agent@mairie-margny.fr",
                    "commune_editor",
                    a.organisation_id,
                    Some(tenant_a2),
                )
                .await,
            org_admin_b: self
                .person("dsi@cud.fr", "org_admin", b.organisation_id, None)
                .await,
        }
    }

    /// Invites a person with the operator scope and opens a session for them.
    pub async fn person(&self, email: &str, role: &str, org: Uuid, tenant: Option<Uuid>) -> Caller {
        let op = Principal::operator();
        let scope = op.can::<can::ManageUsers>().expect("operator");
        let m = directory::invite(
            &self.db,
            &scope,
            Invitation {
                email: email.into(),
                given_name: None,
                usual_name: None,
                role: role.into(),
                organisation_id: org,
                tenant_id: tenant,
            },
        )
        .await
        .expect("invite");
        self.session_for(m.user_id, email).await
    }

    pub async fn session_for(&self, user_id: Uuid, email: &str) -> Caller {
        let (secret, csrf) = access::open_session(&self.db, user_id, "test")
            .await
            .expect("session");
        Caller::Session {
            secret,
            csrf,
            email: email.into(),
        }
    }

    /// POST /graphql as `caller`; returns the whole response body.
    pub async fn gql(&self, caller: &Caller, query: &str, variables: Value) -> Value {
        self.gql_on(&self.url, caller, query, variables).await
    }

    /// The same against another API process at `base` (same database).
    pub async fn gql_on(
        &self,
        base: &str,
        caller: &Caller,
        query: &str,
        variables: Value,
    ) -> Value {
        let mut req = self
            .http
            .post(format!("{base}/graphql"))
            .json(&json!({"query": query, "variables": variables}));
        req = match caller {
            Caller::Session { secret, csrf, .. } => req
                .header("cookie", format!("mutualis_session={secret}"))
                .header("x-csrf-token", csrf),
            Caller::Token(t) => req.bearer_auth(t),
            Caller::Anonymous => req,
        };
        let resp = req.send().await.expect("request");
        assert!(
            resp.status().is_success(),
            "GraphQL answered HTTP {} for {query}",
            resp.status()
        );
        let body: Value = resp.json().await.expect("JSON body");
        assert_french_errors(&body);
        body
    }

    /// Rows of `table`, which may carry its own condition (`"job WHERE …"`): read as the
    /// owner, past RLS.
    pub async fn count(&self, table: &str) -> i64 {
        let row = self
            .admin
            .query_one(Statement::from_string(
                sea_orm::DatabaseBackend::Postgres,
                format!("SELECT count(*) AS n FROM {table}"),
            ))
            .await
            .expect("count")
            .expect("row");
        row.try_get("", "n").expect("n")
    }

    /// Starts the real binary (`MUTUALIS_BIN`) on this test's database with `args` and extra
    /// environment (the rest cleared: dummy OIDC, the test ingest secret, no collector or scan).
    pub fn start_binary(&self, args: &[&str], env: &[(&str, &str)]) -> std::process::Child {
        self.binary_command(args, env)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("process starts")
    }

    /// The command `start_binary` runs, for a test that wants its output.
    pub fn binary_command(&self, args: &[&str], env: &[(&str, &str)]) -> std::process::Command {
        let exe = std::env::var_os("MUTUALIS_BIN")
            .expect("MUTUALIS_BIN (set by tests/run) points at the built binary");
        let mut cmd = std::process::Command::new(exe);
        cmd.args(args)
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("DATABASE_URL", &self.testdb.app_url)
            .env("OIDC_ISSUER_URL", "http://127.0.0.1:9/")
            .env("OIDC_CLIENT_ID", "x")
            .env("OIDC_CLIENT_SECRET", "y")
            .env("MUTUALIS_INGEST_SECRET", TEST_INGEST_SECRET)
            .env("MUTUALIS_COLLECT_INTERVAL_SECS", "86400")
            .env("MUTUALIS_ALERT_SCAN_SECS", "86400")
            .env("MUTUALIS_REDIS_PREFIX", &self.testdb.name)
            .env("RUST_LOG", "warn");
        for (k, v) in env {
            if !v.is_empty() {
                cmd.env(k, v);
            }
        }
        cmd
    }

    /// Another API process on a free port: (process, base URL).
    pub fn start_api(&self, redis_url: &str) -> (std::process::Child, String) {
        let port = free_port();
        let listen = format!("127.0.0.1:{port}");
        let child = self.start_binary(
            &["serve"],
            &[("LISTEN_ADDR", &listen), ("REDIS_URL", redis_url)],
        );
        (child, format!("http://{listen}"))
    }

    /// Waits (at most a minute) until `base`/readyz answers 200.
    pub async fn wait_ready(&self, base: &str) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            let ok = self
                .http
                .get(format!("{base}/readyz"))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if ok {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{base} never became ready"
            );
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
    }

    /// Rows of `table` matching the SQL condition `cond`.
    pub async fn count_where(&self, table: &str, cond: &str) -> i64 {
        self.count(&format!("{table} WHERE {cond}")).await
    }
}

/// Kills child processes when dropped, however the test ends.
pub struct Processes(pub Vec<std::process::Child>);

impl Drop for Processes {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

pub fn indicatif_hidden() -> tenants::referential::HiddenProgress {
    tenants::referential::HiddenProgress::hidden()
}

/// English words that have no place in a French sentence. Short French homographs (a, an,
/// as, on, but, or…) are left out: the check must never fail a correct French message.
const ENGLISH_WORDS: &[&str] = &[
    "the", "is", "are", "was", "were", "be", "been", "must", "cannot", "can", "not", "no", "you",
    "your", "this", "that", "these", "required", "invalid", "unknown", "missing", "between",
    "already", "and", "of", "to", "for", "with", "from", "should", "expected", "only", "than",
    "at", "has", "have", "does", "which", "when", "in", "it", "its", "please", "needs", "need",
    "may", "too", "more", "less", "after", "before", "since", "allowed", "exists", "by", "if",
    "will", "would", "there", "they", "any", "every", "each", "one", "into", "yet", "wrong",
];

/// Fails unless `message` reads as French: no English function word outside quoted values
/// (« … », "…", `…`: names and codes the caller sent or the API quotes). Every GraphQL error
/// message a test receives goes through it, so the whole suite checks the API speaks French.
pub fn assert_french(message: &str) {
    let mut plain = String::with_capacity(message.len());
    let mut closing: Option<char> = None;
    for c in message.chars() {
        match closing {
            Some(end) if c == end => closing = None,
            Some(_) => {}
            None => match c {
                '«' => closing = Some('»'),
                '"' => closing = Some('"'),
                '`' => closing = Some('`'),
                _ => plain.push(c),
            },
        }
    }
    let english: Vec<&str> = plain
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-' || c == '\''))
        .filter(|w| ENGLISH_WORDS.contains(&w.to_lowercase().as_str()))
        .collect();
    assert!(
        english.is_empty() && !message.trim().is_empty(),
        "not a French message ({english:?}): {message:?}"
    );
}

/// `assert_french` on every `errors[].message` of a GraphQL answer.
pub fn assert_french_errors(body: &Value) {
    for e in body["errors"].as_array().into_iter().flatten() {
        assert_french(e["message"].as_str().unwrap_or_default());
    }
}

/// The `extensions.code` of the first error, if any.
pub fn error_code(resp: &Value) -> Option<String> {
    resp["errors"][0]["extensions"]["code"]
        .as_str()
        .map(str::to_owned)
}

/// The data of a response that must have succeeded.
pub fn data(resp: &Value) -> &Value {
    assert!(
        resp.get("errors").is_none_or(Value::is_null),
        "unexpected errors: {resp}"
    );
    &resp["data"]
}

/// One GDPR object of each kind in a tenant (and a model in its organisation).
#[derive(Debug, Clone)]
pub struct GdprIds {
    pub activity: String,
    pub model: String,
    pub processor: String,
    pub action: String,
    pub request: String,
    pub breach: String,
}

pub const ACTIVITY_INPUT: &str = r#"{name: "Cantine scolaire", purposes: "Inscription et facturation de la restauration scolaire",
  legalBases: [{basis: "public_task", justification: "CGCT L2121-29"}],
  dataSubjects: [{category: "Enfants", estimatedCount: 800}, {category: "Parents"}],
  dataCategories: [{category: "Identité"}, {category: "Allergies (PAI)", sensitive: true}],
  recipients: ["Service enfance"], retention: [{data: "Dossiers", durationMonths: 24, startingEvent: "fin de scolarité", finalFate: "destruction"}],
  securityMeasures: ["Habilitations"], dpiaCriteria: ["vulnerable_people"], department: "Enfance", owner: "DGS", software: "Portail famille"}"#;

impl TestApp {
    pub async fn gdpr_objects(&self, caller: &Caller, org: Uuid, tenant: Uuid) -> GdprIds {
        let today = chrono::Utc::now().date_naive();
        let r = self
            .gql(
                caller,
                &format!(
                    r#"mutation($t: UUID!, $o: UUID!, $d: Date!, $a: DateTime!) {{
                      activity: createActivity(tenantId: $t, input: {ACTIVITY_INPUT}) {{ id }}
                      model: publishModelActivity(organisationId: $o, input: {ACTIVITY_INPUT}) {{ id }}
                      processor: createProcessor(input: {{tenantId: $t, name: "Prestataire cantine", country: "FR"}}) {{ id }}
                      action: createGdprAction(tenantId: $t, title: "Signer le DPA", dueOn: $d) {{ id }}
                      request: createRightsRequest(input: {{tenantId: $t, kind: "access", receivedOn: $d, requester: "M. Martin"}}) {{ id }}
                      breach: createBreach(input: {{tenantId: $t, title: "Courriel mal adressé", awareAt: $a, natures: ["confidentiality"], severity: "low"}}) {{ id }}
                    }}"#
                ),
                json!({"t": tenant, "o": org, "d": today, "a": chrono::Utc::now() - chrono::Duration::hours(1)}),
            )
            .await;
        let d = data(&r);
        let id = |k: &str| {
            d[k]["id"]
                .as_str()
                .unwrap_or_else(|| panic!("{k} id in {r}"))
                .to_owned()
        };
        GdprIds {
            activity: id("activity"),
            model: id("model"),
            processor: id("processor"),
            action: id("action"),
            request: id("request"),
            breach: id("breach"),
        }
    }
}

pub const TEST_STRIPE_KEY: &str = "sk_test_mutualis";
pub const TEST_STRIPE_WEBHOOK_SECRET: &str = "whsec_mutualis_test";

/// localstripe, started by tests/services.sh.
pub fn stripe_url() -> String {
    std::env::var("MUTUALIS_TEST_STRIPE_URL").unwrap_or_else(|_| "http://127.0.0.1:8420".into())
}

/// The worker's job settings against localstripe.
pub fn job_settings(worker_id: &str) -> worker::JobSettings {
    worker::JobSettings {
        worker_id: worker_id.into(),
        stripe: Some(std::sync::Arc::new(
            worker::stripe_gateway::AsyncStripe::new(TEST_STRIPE_KEY, Some(&stripe_url()))
                .expect("Stripe client"),
        )),
        send_invoices: false,
        lease: tenants::jobs::LEASE,
        mailer: std::env::var("MUTUALIS_TEST_SMTP_URL").ok().map(|u| {
            std::sync::Arc::new(
                worker::mailer::Mailer::new(&u, "Mutualis <alertes@mutualis.test>")
                    .expect("mailer"),
            )
        }),
        storage: None,
    }
}

/// GET on localstripe's API (all pages): the objects of `path` (e.g. `/v1/invoices?customer=…`).
pub async fn stripe_list(path: &str) -> Vec<Value> {
    let http = reqwest::Client::new();
    let mut out = vec![];
    let mut after: Option<String> = None;
    loop {
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut url = format!("{}{path}{sep}limit=100", stripe_url());
        if let Some(a) = &after {
            url.push_str(&format!("&starting_after={a}"));
        }
        let v: Value = http
            .get(url)
            .basic_auth(TEST_STRIPE_KEY, Some(""))
            .send()
            .await
            .expect("localstripe reachable")
            .json()
            .await
            .expect("JSON");
        let data = v["data"].as_array().cloned().unwrap_or_default();
        after = data
            .last()
            .and_then(|o| o["id"].as_str())
            .map(str::to_owned);
        out.extend(data);
        if v["has_more"] != json!(true) || after.is_none() {
            return out;
        }
    }
}

/// The server's ingest secret in tests.
pub const TEST_INGEST_SECRET: &str = "test-ingest-secret-0123456789abcdef";

/// A backup policy's fields, for `createBackupPolicy(tenantId: $t, input: ...)`; `$name`,
/// `$host` and `$repo` are variables.
/// Three weighted questions over two themes: registre (3), dpd (1), violations (2), each
/// answered Oui (100 %), En partie (50 %), Non (0 %) or Sans objet.
pub const MATURITY_QUESTIONS: &str = r#"[
  {key: "registre", theme: "Registre", text: "Le registre est-il tenu à jour ?", weight: 3,
   options: [{label: "Oui", score: 100}, {label: "En partie", score: 50}, {label: "Non", score: 0}, {label: "Sans objet", score: 0, notApplicable: true}]},
  {key: "dpd", theme: "Gouvernance", text: "Le DPD est-il associé aux projets ?", weight: 1,
   options: [{label: "Oui", score: 100}, {label: "En partie", score: 50}, {label: "Non", score: 0}, {label: "Sans objet", score: 0, notApplicable: true}]},
  {key: "violations", theme: "Registre", text: "Les violations sont-elles documentées ?", weight: 2,
   options: [{label: "Oui", score: 100}, {label: "En partie", score: 50}, {label: "Non", score: 0}, {label: "Sans objet", score: 0, notApplicable: true}]}
]"#;

pub const BACKUP_POLICY_INPUT: &str = r#"{name: $name, kind: "server", target: "Serveur de la mairie (fichiers, base état civil)",
  host: $host, tags: ["mairie"], intervalHours: 24, keepDaily: 7, keepWeekly: 4, keepMonthly: 12,
  rpoHours: 36, repository: $repo, passwordRef: "compiegne"}"#;

/// One backup object of each kind in a tenant.
#[derive(Debug, Clone)]
pub struct BackupIds {
    pub policy: String,
    /// The token's row id, and the id and key a backup tool sends.
    pub token: String,
    pub token_id: String,
    pub signing_key: String,
    pub restore_test: String,
    pub job: String,
}

/// A signed webhook delivery.
pub struct Delivery<'a> {
    pub token_id: &'a str,
    pub signing_key: &'a str,
    pub body: Vec<u8>,
    pub timestamp: i64,
}

/// One cost object of each kind in an organisation, with its communes' lines.
#[derive(Debug, Clone)]
pub struct CostIds {
    pub service: String,
    pub pool: String,
    pub run: String,
    /// Per commune (in the order given): its subscription and its cost line.
    pub subscriptions: Vec<String>,
    pub lines: Vec<String>,
}

/// A cost pool's fields, for `createCostPool(organisationId: $o, input: ...)` with `$s` the
/// service and `$amount` the amount in cents: 2026, a 60/40 mix of population and agents.
pub const COST_POOL_INPUT: &str = r#"{serviceId: $s, label: "Licences bureautiques 2026", periodStart: "2026-01-01",
  periodEnd: "2026-12-31", amountCents: $amount, method: {kind: "mix", parts: [{key: "population", weight: 60}, {key: "agents", weight: 40}]}}"#;

/// One procurement object of each kind in a tenant.
#[derive(Debug, Clone)]
pub struct ProcurementIds {
    pub supplier: String,
    pub contract: String,
    pub joint_contract: String,
}

/// A valid SIRET (Luhn) for test suppliers.
pub const SUPPLIER_SIRET: &str = "44306184100047";

/// A contract list as a commune keeps it (CSV, `;`, French amounts and dates).
pub const IMPORT_CSV: &str = "reference;objet;categorie;procedure;cpv;montant_estime;montant_attribue;date_notification;duree_mois;lieu;forme_prix;titulaire_siret;titulaire_nom
2024-01;Entretien des espaces verts;services;Procédure adaptée;77310000;38 000,00;36 540,50;15/03/2024;24;60159;Forfaitaire;44306184100047;Jardins de l'Oise
2024-02;\"Fournitures scolaires; papeterie\";fournitures;Procédure adaptée;30192000-1;12 000;11 250;2024-09-02;12;60159;Unitaire;;
2025-01;Élagage des arbres;services;Marché passé sans publicité ni mise en concurrence préalable;77211400;8 500;8 500;2025-01-20;6;60159;Forfaitaire;44306184100047;Jardins de l'Oise
";

/// A notified IT maintenance contract; `$ref`, `$n` (notification date) and `$s` (supplier
/// ids) are variables of the query that uses it.
pub const CONTRACT_INPUT: &str = r#"{reference: $ref, object: "Maintenance du parc informatique",
  category: "services", procedure: "Procédure adaptée", priceForm: "Forfaitaire", cpv: "50312000-5",
  estimatedCents: 3500000, awardedCents: 3400000, notifiedOn: $n, durationMonths: 12,
  renewals: 2, renewalMonths: 12, noticeDays: 90, placeCode: "60159", supplierIds: $s}"#;

/// A contract divided into two lots (`$t` tenant, `$ref` reference, `$b` buyer SIRET or null,
/// `$s` the supplier holding both lots): 30 000 EUR and 12 345.67 EUR, the second with its own
/// CPV code and duration.
pub const LOTTED_CONTRACT: &str = r#"mutation($t: UUID!, $ref: String!, $b: String, $s: [UUID!]!) {
  createContract(tenantId: $t, input: {reference: $ref, object: "Nettoyage des bâtiments communaux",
    category: "services", procedure: "Appel d'offres ouvert", priceForm: "Forfaitaire", cpv: "90911200",
    estimatedCents: 4500000, awardedCents: 4234567, notifiedOn: "2025-03-03", durationMonths: 12,
    renewals: 1, renewalMonths: 12, placeCode: "60159", supplierIds: $s, buyerSiret: $b, offersReceived: 3,
    lots: [
      {number: 1, object: "Écoles et crèches", estimatedCents: 3200000, awardedCents: 3000000, supplierIds: $s},
      {number: 2, object: "Vitrerie", cpv: "90911300", estimatedCents: 1300000, awardedCents: 1234567,
       supplierIds: $s, durationMonths: 6}
    ]}) { id lots { number object cpv { code } awardedCents contractors } } }"#;

impl TestApp {
    /// The contract of `LOTTED_CONTRACT`, with no buyer SIRET; its id.
    pub async fn lotted_contract(
        &self,
        caller: &Caller,
        tenant: Uuid,
        reference: &str,
        supplier: &str,
    ) -> String {
        let r = self
            .gql(
                caller,
                LOTTED_CONTRACT,
                json!({"t": tenant, "ref": reference, "b": null, "s": [supplier]}),
            )
            .await;
        data(&r)["createContract"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("contract id in {r}"))
            .to_owned()
    }
}

impl TestApp {
    /// A supplier, a notified contract naming it and amended once, and a joint procurement
    /// carried by `tenant` with one share for each of `members`.
    /// Forgets the report recomputations the changes queued, for tests that count jobs.
    pub async fn drop_report_jobs(&self) {
        self.admin_exec("DELETE FROM job WHERE kind = 'reporting.snapshot'")
            .await;
    }

    /// Runs SQL as the database owner (to stage what another module would have done).
    pub async fn admin_exec(&self, sql: &str) {
        exec(&self.admin, sql).await;
    }

    /// GET `path?query` as `caller`: (status, body text).
    pub async fn get_as(&self, caller: &Caller, path: &str, query: &str) -> (u16, String) {
        let (status, body) = self.get_bytes_as(caller, path, query).await;
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    /// GET `path?query` as `caller`: (status, body bytes).
    pub async fn get_bytes_as(&self, caller: &Caller, path: &str, query: &str) -> (u16, Vec<u8>) {
        let mut req = self.http.get(format!("{}{path}?{query}", self.url));
        req = match caller {
            Caller::Session { secret, .. } => {
                req.header("cookie", format!("mutualis_session={secret}"))
            }
            Caller::Token(t) => req.bearer_auth(t),
            Caller::Anonymous => req,
        };
        let resp = req.send().await.expect("GET");
        let status = resp.status().as_u16();
        (status, resp.bytes().await.expect("body").to_vec())
    }

    /// Posts one delivery to the backup webhook: (status, JSON answer).
    pub async fn post_backup(&self, d: &Delivery<'_>) -> (u16, Value) {
        let sig = tenants::backups::ingest::sign(d.signing_key, d.timestamp, &d.body);
        self.post_backup_raw(
            &[
                ("x-mutualis-token", d.token_id.to_owned()),
                ("x-mutualis-timestamp", d.timestamp.to_string()),
                ("x-mutualis-signature", sig),
            ],
            d.body.clone(),
        )
        .await
    }

    /// Posts with exactly these headers.
    pub async fn post_backup_raw(&self, headers: &[(&str, String)], body: Vec<u8>) -> (u16, Value) {
        let mut req = self
            .http
            .post(format!("{}/webhooks/backups", self.url))
            .header("content-type", "application/json")
            .body(body);
        for (k, v) in headers {
            req = req.header(*k, v);
        }
        let resp = req.send().await.expect("webhook reachable");
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// A maturity questionnaire of `org` (published by `publisher`) and one assessment of
    /// `tenant` against it: `(questionnaire id, assessment id)`.
    pub async fn maturity_objects(
        &self,
        publisher: &Caller,
        org: Uuid,
        tenant: Uuid,
    ) -> (String, String) {
        let r = self
            .gql(
                publisher,
                &format!(
                    "mutation($o: UUID!) {{ publishMaturityQuestionnaire(organisationId: $o,
                       title: \"Maturité RGPD\", questions: {MATURITY_QUESTIONS}) {{ id }} }}"
                ),
                json!({"o": org}),
            )
            .await;
        let q = data(&r)["publishMaturityQuestionnaire"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("questionnaire in {r}"))
            .to_owned();
        let r = self
            .gql(
                publisher,
                "mutation($t: UUID!, $q: UUID!, $d: Date!) { recordMaturityAssessment(input: {
                   tenantId: $t, questionnaireId: $q, assessedOn: $d,
                   answers: [{questionKey: \"registre\", option: 0}, {questionKey: \"dpd\", option: 1},
                             {questionKey: \"violations\", option: 2}]}) { id scoreBp } }",
                json!({"t": tenant, "q": q, "d": chrono::Utc::now().date_naive()}),
            )
            .await;
        let a = data(&r)["recordMaturityAssessment"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("assessment in {r}"))
            .to_owned();
        (q, a)
    }

    /// A policy, an ingest token, a restore test and one job reported through the webhook.
    pub async fn backup_objects(&self, caller: &Caller, tenant: Uuid, host: &str) -> BackupIds {
        let r = self
            .gql(
                caller,
                &format!(
                    "mutation($t: UUID!, $name: String!, $host: String!, $repo: String!) {{
                       p: createBackupPolicy(tenantId: $t, input: {BACKUP_POLICY_INPUT}) {{ id }}
                       k: createBackupIngestToken(tenantId: $t, name: \"Veeam mairie\") {{ token {{ id }} tokenId signingKey }}
                     }}"
                ),
                json!({"t": tenant, "name": "Serveur mairie", "host": host, "repo": "/srv/restic/test"}),
            )
            .await;
        let d = data(&r);
        let s = |v: &Value| v.as_str().unwrap_or_else(|| panic!("id in {r}")).to_owned();
        let policy = s(&d["p"]["id"]);
        let (token, token_id, signing_key) = (
            s(&d["k"]["token"]["id"]),
            s(&d["k"]["tokenId"]),
            s(&d["k"]["signingKey"]),
        );
        let r = self
            .gql(
                caller,
                "mutation($p: UUID!, $at: DateTime!) { recordRestoreTest(input: {policyId: $p, performedAt: $at,
                   performedBy: \"Technicien DSI\", restored: \"Dossier état civil vers serveur de test\",
                   durationSeconds: 1800, result: \"success\"}) { id } }",
                json!({"p": policy, "at": chrono::Utc::now() - chrono::Duration::days(2)}),
            )
            .await;
        let restore_test = s(&data(&r)["recordRestoreTest"]["id"]);
        let body = json!({"id": format!("run-{}", Uuid::now_v7()), "policy": "Serveur mairie",
            "status": "success", "finished_at": chrono::Utc::now(), "bytes_added": 1000,
            "stored_bytes": 5_000_000_000_i64});
        let (status, answer) = self
            .post_backup(&Delivery {
                token_id: &token_id,
                signing_key: &signing_key,
                body: body.to_string().into_bytes(),
                timestamp: chrono::Utc::now().timestamp(),
            })
            .await;
        assert_eq!(status, 202, "{answer}");
        BackupIds {
            policy,
            token,
            token_id,
            signing_key,
            restore_test,
            job: s(&answer["jobId"]),
        }
    }

    /// A service, its communes subscribed with an `agents` key, a pool allocated once.
    pub async fn cost_objects(&self, caller: &Caller, org: Uuid, communes: &[Uuid]) -> CostIds {
        let r = self
            .gql(
                caller,
                "mutation($o: UUID!) { createCostService(organisationId: $o, code: \"bureautique\", name: \"Licences bureautiques\", unit: \"poste\") { id } }",
                json!({"o": org}),
            )
            .await;
        let service = data(&r)["createCostService"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("service in {r}"))
            .to_owned();
        let mut subscriptions = vec![];
        for (i, t) in communes.iter().enumerate() {
            let r = self
                .gql(
                    caller,
                    "mutation($t: UUID!, $s: UUID!, $v: Int!) {
                       sub: subscribeToService(tenantId: $t, serviceId: $s, startsOn: \"2026-01-01\") { id }
                       key: setCostKey(tenantId: $t, key: \"agents\", year: 2026, value: $v) { value } }",
                    json!({"t": t, "s": service, "v": 40 + 25 * i as i64}),
                )
                .await;
            subscriptions.push(
                data(&r)["sub"]["id"]
                    .as_str()
                    .unwrap_or_else(|| panic!("subscription in {r}"))
                    .to_owned(),
            );
        }
        let r = self
            .gql(
                caller,
                &format!("mutation($o: UUID!, $s: UUID!, $amount: Int!) {{ createCostPool(organisationId: $o, input: {COST_POOL_INPUT}) {{ id }} }}"),
                json!({"o": org, "s": service, "amount": 1_234_567}),
            )
            .await;
        let pool = data(&r)["createCostPool"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("pool in {r}"))
            .to_owned();
        let r = self
            .gql(
                caller,
                "mutation($p: UUID!) { runAllocation(poolId: $p) { id } }",
                json!({"p": pool}),
            )
            .await;
        let run = data(&r)["runAllocation"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("run in {r}"))
            .to_owned();
        let r = self
            .gql(
                caller,
                "query($r: UUID!) { costLines(runId: $r) { id tenantId } }",
                json!({"r": run}),
            )
            .await;
        let found = data(&r)["costLines"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let lines = communes
            .iter()
            .map(|t| {
                found
                    .iter()
                    .find(|l| l["tenantId"] == json!(t))
                    .and_then(|l| l["id"].as_str())
                    .unwrap_or_else(|| panic!("line of {t} in {r}"))
                    .to_owned()
            })
            .collect();
        CostIds {
            service,
            pool,
            run,
            subscriptions,
            lines,
        }
    }

    /// Cost objects, then a billing run of 2026 pushed to localstripe by the worker.
    /// Complete billing identities: the intercommunality's SIRET and public accountant's
    /// account, and each commune's SIRET and `channel` (chorus_pro, titre or stripe).
    pub async fn billing_identities(
        &self,
        caller: &Caller,
        org: Uuid,
        communes: &[Uuid],
        channel: &str,
    ) {
        let r = self
            .gql(
                caller,
                "query($o: UUID) { billingIdentities(organisationId: $o) { tenantId tenantKind siren } }",
                json!({"o": org}),
            )
            .await;
        for t in data(&r)["billingIdentities"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            let id: Uuid = t["tenantId"]
                .as_str()
                .and_then(|s| s.parse().ok())
                .expect("tenant id");
            let siren = t["siren"].as_str().expect("siren");
            let seller = t["tenantKind"] == json!("organisation");
            if !seller && !communes.contains(&id) {
                continue;
            }
            let mut input = json!({"tenantId": id,
                "siret": tenants::identifiers::siret_with_key(siren, "0001"),
                "channel": if seller { "chorus_pro" } else { channel }});
            if seller {
                input["iban"] = json!(tenants::identifiers::iban_with_key(
                    "FR",
                    &format!("30001{siren:0>18}")
                ));
                input["bic"] = json!("BDFEFRPPCCT");
                input["budgetAccount"] = json!("70875");
                input["agreementReference"] =
                    json!("Convention du service commun (délibération 2021-045)");
            }
            let r = self
                .gql(
                    caller,
                    "mutation($i: BillingIdentityInput!) { setBillingIdentity(input: $i) { tenantId missingForChorus } }",
                    json!({"i": input}),
                )
                .await;
            assert_eq!(
                data(&r)["setBillingIdentity"]["missingForChorus"],
                json!([]),
                "{r}"
            );
        }
    }

    /// A billing run of 2026 for `communes`, billed through Stripe (the worker pushes each
    /// invoice to localstripe before this returns).
    pub async fn billing_objects(
        &self,
        caller: &Caller,
        org: Uuid,
        communes: &[Uuid],
    ) -> (CostIds, String) {
        let co = self.cost_objects(caller, org, communes).await;
        self.billing_identities(caller, org, communes, "stripe")
            .await;
        let r = self
            .gql(
                caller,
                "mutation($o: UUID!) { startBillingRun(organisationId: $o, periodStart: \"2026-01-01\", periodEnd: \"2026-12-31\", label: \"Facturation 2026\") { id } }",
                json!({"o": org}),
            )
            .await;
        let run = data(&r)["startBillingRun"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("billing run in {r}"))
            .to_owned();
        worker::run_jobs(&self.db, &job_settings("test-worker"))
            .await
            .expect("jobs run");
        (co, run)
    }

    pub async fn procurement_objects(
        &self,
        caller: &Caller,
        tenant: Uuid,
        members: &[Uuid],
    ) -> ProcurementIds {
        let today = chrono::Utc::now().date_naive();
        let notified = today - chrono::Duration::days(30);
        let r = self
            .gql(
                caller,
                "mutation($t: UUID!, $siret: String!) { createSupplier(input: {tenantId: $t, identifier: $siret, name: \"Informatique Picarde SAS\"}) { id } }",
                json!({"t": tenant, "siret": SUPPLIER_SIRET}),
            )
            .await;
        let supplier = data(&r)["createSupplier"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("supplier id in {r}"))
            .to_owned();
        let n = members.len() as i64;
        let shares: Vec<Value> = members
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let part = if i == 0 {
                    1_000_000 - 1_000_000 / n * (n - 1)
                } else {
                    1_000_000 / n
                };
                json!({"tenantId": m, "amountCents": part})
            })
            .collect();
        let r = self
            .gql(
                caller,
                &format!(
                    r#"mutation($t: UUID!, $ref: String!, $n: Date!, $s: [UUID!]!, $shares: [ShareIn!]!) {{
                      contract: createContract(tenantId: $t, input: {CONTRACT_INPUT}) {{ id }}
                      joint: createContract(tenantId: $t, input: {{reference: "GC-2025-01", object: "Fournitures de bureau (groupement)",
                        category: "fournitures", procedure: "Procédure adaptée", priceForm: "Unitaire", cpv: "30192000",
                        estimatedCents: 1000000, awardedCents: 1000000, notifiedOn: $n, durationMonths: 24,
                        placeCode: "60", placeType: "Code département", supplierIds: $s, shares: $shares}}) {{ id }}
                    }}"#
                ),
                json!({"t": tenant, "ref": "2025-INFO-01", "n": notified, "s": [supplier], "shares": shares}),
            )
            .await;
        let d = data(&r);
        let id = |k: &str| {
            d[k]["id"]
                .as_str()
                .unwrap_or_else(|| panic!("{k} id in {r}"))
                .to_owned()
        };
        let (contract, joint_contract) = (id("contract"), id("joint"));
        let r = self
            .gql(
                caller,
                "mutation($c: UUID!, $d: Date!) { amendContract(contractId: $c, input: {signedOn: $d, object: \"Extension à la médiathèque\", awardedCents: 3700000}) { id } }",
                json!({"c": contract, "d": today}),
            )
            .await;
        data(&r);
        ProcurementIds {
            supplier,
            contract,
            joint_contract,
        }
    }
}

/// Applies the migrations to the database at `admin_url` (its owner, or a superuser): for a
/// database outside the shared cluster, such as the throwaway one a fault test stops and
/// starts. The first run also creates the `mutualis_app` role in that cluster.
pub async fn migrate_at(admin_url: &str) {
    let owner = tenants::db::connect(admin_url, 1)
        .await
        .unwrap_or_else(|e| panic!("{admin_url}: {e}"));
    use migrations::MigratorTrait;
    migrations::Migrator::up(&owner, None)
        .await
        .expect("migrations apply");
    owner.close().await.ok();
}

impl TestDb {
    /// A database migrated by `migrate_at`: `admin_url` as given, the server as `mutualis_app`.
    pub fn at(admin_url: &str) -> TestDb {
        let u = url::Url::parse(admin_url).expect("a database URL");
        TestDb {
            name: u.path().trim_start_matches('/').to_owned(),
            admin_url: admin_url.to_owned(),
            app_url: with_user(admin_url, migrations::APP_ROLE),
        }
    }
}

/// Polls `check` every 200 ms until it holds; panics naming `what` after `limit` (a generous
/// bound: only a real hang reaches it).
pub async fn wait_until<F, Fut>(what: &str, limit: std::time::Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + limit;
    while !check().await {
        assert!(
            std::time::Instant::now() < deadline,
            "{what}: still not the case after {limit:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

/// Sends `signal` (`"TERM"`, `"KILL"`, `"STOP"`...) to one process by id, through `kill(1)`.
pub fn signal(pid: u32, signal: &str) {
    let ok = std::process::Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(pid.to_string())
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "kill -{signal} {pid}");
}

/// GET `base`/readyz: (status, JSON body, how long it took); `None` on no answer within a
/// minute (a hang).
pub async fn readyz(base: &str) -> Option<(u16, Value, std::time::Duration)> {
    let t = std::time::Instant::now();
    let resp = reqwest::Client::new()
        .get(format!("{base}/readyz"))
        .timeout(std::time::Duration::from_secs(60))
        .send()
        .await
        .ok()?;
    let status = resp.status().as_u16();
    let body = resp.json().await.unwrap_or(Value::Null);
    Some((status, body, t.elapsed()))
}

/// A directory removed with everything in it when dropped, however the test ends.
pub struct TempDir(pub std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A redis-server of the test's own on `port` (the shared one is never touched), keeping
/// nothing on disk but what `extra` asks for (cluster configuration) under `dir`.
pub fn redis_server(port: u16, dir: &std::path::Path, extra: &[&str]) -> std::process::Child {
    std::process::Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no"])
        .arg("--dir")
        .arg(dir)
        .args(extra)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("redis-server (Debian package redis-server)")
}

/// `redis-cli -p port args…`: its output, trimmed.
pub fn redis_cli(port: u16, args: &[&str]) -> String {
    let out = std::process::Command::new("redis-cli")
        .arg("-p")
        .arg(port.to_string())
        .args(args)
        .output()
        .expect("redis-cli (Debian package redis-tools)");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// A connection (of the API's role, given its URL) that counts the statements sent through
/// it, with sea-orm's metric callback: every query and `SET LOCAL` (the scope), not
/// `BEGIN`/`COMMIT`. For the N+1 checks: a batched read sends as many statements for ten
/// rows as for one.
#[derive(Clone)]
pub struct Counted {
    pub db: DatabaseConnection,
    statements: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl Counted {
    pub async fn connect(url: &str) -> Self {
        use std::sync::atomic::{AtomicU64, Ordering};
        let mut db = tenants::db::connect(url, 4).await.expect("connect");
        let statements = std::sync::Arc::new(AtomicU64::new(0));
        let c = statements.clone();
        db.set_metric_callback(move |_| {
            c.fetch_add(1, Ordering::Relaxed);
        });
        Self { db, statements }
    }

    /// Runs `f`: its result, the statements it sent and its time in milliseconds.
    pub async fn measure<T>(&self, f: impl std::future::Future<Output = T>) -> (T, u64, f64) {
        use std::sync::atomic::Ordering;
        let before = self.statements.load(Ordering::Relaxed);
        let t = std::time::Instant::now();
        let out = f.await;
        let ms = t.elapsed().as_secs_f64() * 1e3;
        (out, self.statements.load(Ordering::Relaxed) - before, ms)
    }
}

/// Requests forwarded by `counting_proxy`, by method and path (`GET /v1/customers`).
pub type Tally = std::sync::Arc<std::sync::Mutex<std::collections::BTreeMap<String, u64>>>;

/// A proxy in front of `upstream` (localstripe) that counts the requests it forwards: its URL
/// and the tally.
pub async fn counting_proxy(upstream: &str) -> (String, Tally) {
    use axum::body::Bytes;
    use axum::http::{HeaderMap, Method, StatusCode, Uri};
    let tally: Tally = Default::default();
    let t = tally.clone();
    let http = reqwest::Client::new();
    let upstream = upstream.to_owned();
    let app = axum::Router::new().fallback(
        move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
            let (t, http, upstream) = (t.clone(), http.clone(), upstream.clone());
            async move {
                if let Ok(mut m) = t.lock() {
                    *m.entry(format!("{method} {}", uri.path())).or_default() += 1;
                }
                let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
                let json = [(axum::http::header::CONTENT_TYPE, "application/json")];
                let Ok(m) = reqwest::Method::from_bytes(method.as_str().as_bytes()) else {
                    return (StatusCode::METHOD_NOT_ALLOWED, json, Bytes::new());
                };
                let mut req = http.request(m, format!("{upstream}{path}"));
                for (k, v) in &headers {
                    if k != "host" && k != "content-length" {
                        req = req.header(k.as_str(), v.as_bytes());
                    }
                }
                match req.body(body).send().await {
                    Ok(r) => {
                        let status = StatusCode::from_u16(r.status().as_u16())
                            .unwrap_or(StatusCode::BAD_GATEWAY);
                        (status, json, r.bytes().await.unwrap_or_default())
                    }
                    Err(_) => (StatusCode::BAD_GATEWAY, json, Bytes::new()),
                }
            }
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, tally)
}

/// How many requests of `what` (`GET /v1/customers`) the tally holds.
pub fn tallied(t: &Tally, what: &str) -> u64 {
    t.lock()
        .ok()
        .and_then(|m| m.get(what).copied())
        .unwrap_or(0)
}
