//! The databases: a migrated template once per test process, one fresh copy per test, a
//! database migrated in place, and a connection that counts its statements.
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::{Mutex, OnceCell};

pub fn pg_url() -> String {
    std::env::var("MUTUALIS_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

pub fn with_db(url: &str, db: &str) -> String {
    let mut u = url::Url::parse(url).expect("MUTUALIS_TEST_PG_URL is a URL");
    u.set_path(&format!("/{db}"));
    u.to_string()
}

pub(crate) fn with_user(url: &str, user: &str) -> String {
    let mut u = url::Url::parse(url).expect("URL");
    u.set_username(user).expect("user");
    u.set_password(None).expect("password");
    u.to_string()
}

static TEMPLATE: OnceCell<String> = OnceCell::const_new();
static CREATE_LOCK: Mutex<()> = Mutex::const_new(());
static COUNTER: AtomicUsize = AtomicUsize::new(0);

pub(crate) async fn exec(db: &DatabaseConnection, sql: &str) {
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
