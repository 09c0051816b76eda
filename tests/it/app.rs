//! The server under test: its configuration, the server spawned on an ephemeral port, and
//! the general ways to call it (GraphQL, GET, SQL as the owner, the real binary).
use crate::db::{exec, fresh_db, TestDb};
use crate::french::assert_french_errors;
use crate::processes::free_port;
use crate::stripe::{stripe_url, TEST_STRIPE_KEY, TEST_STRIPE_WEBHOOK_SECRET};
use api::config::{Config, RawConfig};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde_json::{json, Value};
use tenants::access;
use uuid::Uuid;

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

/// The server's ingest secret in tests.
pub const TEST_INGEST_SECRET: &str = "test-ingest-secret-0123456789abcdef";

impl TestApp {
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
}
