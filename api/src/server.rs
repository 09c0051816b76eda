//! Building the state and the router, and running the server.
use crate::config::{redact, Config};
use crate::drain;
use crate::graphql;
use crate::http::gdpr_lists;
use crate::http::{
    backup_webhook, billing_exports, console, cost_exports, demo, documents, explorer, exports,
    limits, oidc, ops, ops_port, public, report_exports, security_headers, stripe_webhook,
};
use crate::state::AppState;
use crate::telemetry;
use axum::body::Body;
use axum::extract::MatchedPath;
use axum::http::{HeaderName, Request};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection};
use std::future::IntoFuture;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tenants::backups::ingest::IngestSecret;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("database {url}: {source}")]
    Database { url: String, source: sea_orm::DbErr },
    #[error("{0}")]
    Refused(String),
    #[error("OpenID Connect: {0}")]
    Oidc(String),
    #[error("demo seed: {0}")]
    Demo(String),
    #[error("LISTEN_ADDR {addr}: {source}")]
    Listen {
        addr: String,
        source: std::io::Error,
    },
}

/// Applies pending migrations with the owner's connection.
pub async fn migrate(config: &Config) -> Result<(), StartError> {
    if config.embedded {
        std::fs::create_dir_all(&config.data_dir).map_err(|e| {
            StartError::Refused(format!(
                "MUTUALIS_DATA_DIR {}: {e}",
                config.data_dir.display()
            ))
        })?;
    }
    migrate_url(&config.database_admin_url).await
}

/// Applies the migrations at `admin_url` (the owner's connection).
pub async fn migrate_url(admin_url: &str) -> Result<(), StartError> {
    let admin =
        tenants::db::connect(admin_url, 2)
            .await
            .map_err(|source| StartError::Database {
                url: redact(admin_url),
                source,
            })?;
    Migrator::up(&admin, None)
        .await
        .map_err(|source| StartError::Database {
            url: redact(admin_url),
            source,
        })?;
    admin.close().await.ok();
    Ok(())
}

/// Migrations not yet applied. Reads `seaql_migrations` directly: sea-orm's own check would
/// try to create that table, which the unprivileged server role may not do.
async fn pending_migrations(db: &DatabaseConnection) -> Result<usize, sea_orm::DbErr> {
    let applied: Vec<String> = match db
        .query_all(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT version FROM seaql_migrations",
        ))
        .await
    {
        Ok(rows) => rows
            .into_iter()
            .filter_map(|r| r.try_get::<String>("", "version").ok())
            .collect(),
        // No table yet: nothing applied.
        Err(_) => vec![],
    };
    Ok(Migrator::migrations()
        .iter()
        .filter(|m| !applied.iter().any(|a| a == m.name()))
        .count())
}

/// Connects as the server, checks the schema is current and that row-level security holds.
pub async fn connect(config: &Config) -> Result<DatabaseConnection, StartError> {
    let db = tenants::db::connect(&config.database_url, 20)
        .await
        .map_err(|source| StartError::Database {
            url: redact(&config.database_url),
            source,
        })?;
    let pending = pending_migrations(&db)
        .await
        .map_err(|source| StartError::Database {
            url: redact(&config.database_url),
            source,
        })?;
    if pending > 0 {
        return Err(StartError::Refused(format!(
            "DATABASE_URL: {pending} migration(s) pending; run `mutualis migrate` (with DATABASE_ADMIN_URL) first"
        )));
    }
    if db.get_database_backend() == DatabaseBackend::Postgres {
        let role =
            tenants::db::check_pg_role(&db)
                .await
                .map_err(|source| StartError::Database {
                    url: redact(&config.database_url),
                    source,
                })?;
        if role.bypasses_rls() {
            return Err(StartError::Refused(format!(
                "DATABASE_URL: role {:?} bypasses row-level security (superuser, BYPASSRLS or table owner); \
                 connect as {} and keep the owner in DATABASE_ADMIN_URL",
                role.role,
                migrations::APP_ROLE
            )));
        }
    }
    Ok(db)
}

pub async fn build_state(config: Config, db: DatabaseConnection) -> Result<AppState, StartError> {
    let redis = match &config.redis_url {
        None => crate::redis_slot::RedisSlot::none(),
        Some(url) => crate::redis_slot::RedisSlot::connect(url).await,
    };
    let oidc = match &config.oidc {
        None => None,
        Some(o) => Some(Arc::new(
            oidc::Oidc::new(o.clone(), &config.public_url)
                .map_err(|e| StartError::Oidc(e.to_string()))?,
        )),
    };
    let limiter = Arc::new(crate::http::limits::Limiter::new(
        config.rate_limits.clone(),
        redis.clone(),
    ));
    let storage = tenants::storage::Storage::open(&config.storage)
        .map_err(|e| StartError::Refused(format!("MUTUALIS_STORAGE: {e}")))?;
    let principals = crate::http::principal_cache::PrincipalCache::start(&db).await;
    Ok(AppState {
        principals,
        storage,
        limiter,
        db,
        redis,
        oidc,
        config: Arc::new(config),
        schema: graphql::build_schema(),
        metrics: telemetry::metrics_handle(),
        drain: drain::Drain::default(),
    })
}

async fn record_metrics(req: Request<Body>, next: Next) -> Response {
    let start = Instant::now();
    let path = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".into());
    let method = req.method().to_string();
    let resp = next.run(req).await;
    let status = resp.status().as_u16().to_string();
    metrics::counter!("http_requests_total", "method" => method.clone(), "path" => path.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method, "path" => path)
        .record(start.elapsed().as_secs_f64());
    resp
}

pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

pub fn router(state: AppState) -> Router {
    let https = state.config.secure_cookies();
    let request_id = HeaderName::from_static("x-request-id");
    // Time budgets: a call answers within `request_timeout`, an export or an upload within
    // `export_timeout`, or 503 with its transaction rolled back (drain.rs).
    let calls_budget = drain::Budget {
        limit: state.config.request_timeout,
        drain: state.drain.clone(),
    };
    let exports_budget = drain::Budget {
        limit: state.config.export_timeout,
        drain: state.drain.clone(),
    };
    let budget = |b: &drain::Budget| middleware::from_fn_with_state(b.clone(), drain::guard);
    // Everything that identifies its caller: counted per principal (or anonymous address).
    let calls = Router::new()
        .route("/graphql", get(graphql::handle).post(graphql::handle))
        .route("/auth/session", get(ops::session))
        .route("/auth/logout", post(oidc::logout))
        .route(oidc::LOGGED_OUT, get(oidc::logged_out))
        .route("/public/registre/{tenant}", get(public::register))
        .route(
            crate::http::opendata::CATALOG,
            get(crate::http::opendata::catalog),
        )
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            limits::api_guard,
        ))
        .route_layer(budget(&calls_budget));
    let exports = Router::new()
        .route(
            crate::http::opendata::DATASET_FILE,
            get(crate::http::opendata::dataset_file),
        )
        .route(exports::REGISTER_EXPORT, post(exports::register))
        .route(cost_exports::FOCUS_EXPORT, get(cost_exports::focus))
        .route(
            crate::http::reversibility::DOWNLOAD,
            get(crate::http::reversibility::download),
        )
        .route(billing_exports::INVOICE_UBL, get(billing_exports::invoice))
        .route(
            billing_exports::TITRES,
            get(billing_exports::titres_de_recettes),
        )
        .route(
            billing_exports::STATEMENT,
            get(billing_exports::annual_statement),
        )
        .route(
            report_exports::CONSOLIDATED,
            get(report_exports::consolidated),
        )
        .route(
            report_exports::COMMUNE_SUMMARY,
            get(report_exports::commune_summary),
        )
        .route(
            crate::http::dpia_exports::DPIA_PDF,
            get(crate::http::dpia_exports::pdf),
        )
        .route(gdpr_lists::ACTIVITY_SHEET, get(gdpr_lists::activity_sheet))
        .route(gdpr_lists::LIST_EXPORT, get(gdpr_lists::list_export))
        .route(gdpr_lists::BILAN, get(gdpr_lists::bilan))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            limits::api_guard,
        ))
        .route_layer(budget(&exports_budget));
    let api = calls.merge(exports);
    // Logins: an address that keeps failing is refused before anything is checked.
    let login = Router::new()
        .route("/auth/login", get(oidc::login))
        .route("/auth/callback", get(oidc::callback))
        .route("/auth/demo", get(demo::page).post(demo::login))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            limits::credentials_guard,
        ))
        .route_layer(budget(&calls_budget));
    let mut app = Router::new()
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz));
    // With an ops port, metrics are served there only (the public port reaches the internet).
    if state.config.ops_listen_addr.is_none() {
        app = app.route("/metrics", get(ops::metrics));
    }
    let mut app = app.merge(api).merge(login).merge(explorer::router());
    // The console, embedded in the binary: its files, and its index.html for its own pages.
    app = app.merge(console::router()).fallback(console::fallback);
    // Bundles to verify are larger than any other body: their route has its own limit.
    let uploads = Router::new()
        .route(exports::VERIFY_BUNDLE, post(exports::verify))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            limits::api_guard,
        ))
        .route_layer(budget(&exports_budget))
        .layer(axum::extract::DefaultBodyLimit::max(
            exports::MAX_BUNDLE_BYTES,
        ))
        .layer(RequestBodyLimitLayer::new(exports::MAX_BUNDLE_BYTES));
    // Backup reports are small: a larger body is refused (413) before it is read.
    let webhooks = Router::new()
        .route(backup_webhook::PATH, post(backup_webhook::receive))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            limits::credentials_guard,
        ))
        .route_layer(budget(&calls_budget))
        .layer(axum::extract::DefaultBodyLimit::max(
            tenants::backups::ingest::MAX_BODY_BYTES,
        ))
        .layer(RequestBodyLimitLayer::new(
            tenants::backups::ingest::MAX_BODY_BYTES,
        ));
    let stripe = Router::new()
        .route(stripe_webhook::PATH, post(stripe_webhook::receive))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            limits::credentials_guard,
        ))
        .route_layer(budget(&calls_budget))
        .layer(axum::extract::DefaultBodyLimit::max(
            stripe_webhook::MAX_BODY_BYTES,
        ))
        .layer(RequestBodyLimitLayer::new(stripe_webhook::MAX_BODY_BYTES));
    let app = app
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .merge(documents::router(&state).route_layer(budget(&exports_budget)))
        .merge(uploads)
        .merge(webhooks)
        .merge(stripe);
    security_headers::apply(app, https)
        .layer(middleware::from_fn(record_metrics))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &Request<Body>| {
                let id = req
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default();
                let span = tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id, principal = tracing::field::Empty, tenants = tracing::field::Empty, trace_id = tracing::field::Empty);
                telemetry::join_trace(&span, req.headers());
                span
            }),
        )
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(state)
}

pub fn worker_settings(config: &Config) -> Result<worker::WorkerSettings, StartError> {
    let stripe = match &config.stripe {
        None => None,
        Some(s) => Some(Arc::new(
            worker::stripe_gateway::AsyncStripe::new(s.secret_key.expose(), s.api_base.as_deref())
                .map_err(|e| StartError::Refused(format!("STRIPE_SECRET_KEY: {e}")))?,
        )),
    };
    Ok(worker::WorkerSettings {
        every: Duration::from_secs(60),
        collect_every: config.collect_every,
        report_every: Duration::from_secs(3600),
        alert_every: config.alert_every,
        restic: config.restic.clone(),
        jobs: worker::JobSettings {
            worker_id: format!(
                "{}-{}",
                std::env::var("HOSTNAME").unwrap_or_else(|_| "worker".into()),
                std::process::id()
            ),
            send_invoices: config.stripe.as_ref().is_some_and(|s| s.send_invoices),
            stripe,
            lease: chrono::Duration::from_std(config.job_lease).unwrap_or(tenants::jobs::LEASE),
            storage: Some(
                tenants::storage::Storage::open(&config.storage)
                    .map_err(|e| StartError::Refused(format!("MUTUALIS_STORAGE: {e}")))?,
            ),
            mailer: match &config.smtp {
                None => None,
                Some(m) => Some(Arc::new(
                    worker::mailer::Mailer::new(&m.url, &m.from)
                        .map_err(|e| StartError::Refused(format!("MUTUALIS_SMTP_URL: {e}")))?,
                )),
            },
        },
        poll: Duration::from_secs(2),
        redis_url: config.redis_url.clone(),
        redis_prefix: config.rate_limits.key_prefix.clone(),
    })
}

/// The embedded mode's ingest secret: created once in the data directory (mode 0600).
fn embedded_ingest_secret(data_dir: &std::path::Path) -> Result<IngestSecret, StartError> {
    let path = data_dir.join("ingest.secret");
    let fail = |e: String| StartError::Refused(format!("{}: {e}", path.display()));
    if !path.exists() {
        std::fs::create_dir_all(data_dir).map_err(|e| fail(e.to_string()))?;
        let mut f = std::fs::OpenOptions::new();
        f.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut f, 0o600);
        let mut file = f.open(&path).map_err(|e| fail(e.to_string()))?;
        std::io::Write::write_all(&mut file, tenants::secrets::new_secret("").as_bytes())
            .map_err(|e| fail(e.to_string()))?;
    }
    let s = std::fs::read_to_string(&path).map_err(|e| fail(e.to_string()))?;
    IngestSecret::new(s.trim().as_bytes().to_vec()).map_err(|e| fail(e.to_string()))
}

/// Serves until ctrl-c / SIGTERM; runs the worker in-process in the embedded mode.
pub async fn serve(mut config: Config) -> Result<(), StartError> {
    if config.embedded {
        migrate(&config).await?;
        if config.ingest_secret.is_none() {
            config.ingest_secret = Some(embedded_ingest_secret(&config.data_dir)?);
        }
    }
    let db = connect(&config).await?;
    if config.demo {
        // Embedded: a real local restic repository feeds one demo policy, when restic is here.
        let restic = match config.embedded {
            true => crate::demo_restic::prepare(&config.data_dir, &mut config.restic).await,
            false => None,
        };
        let fresh = tenants::demo::seed_with(&db, restic.as_deref())
            .await
            .map_err(|e| StartError::Demo(e.to_string()))?;
        if fresh {
            tracing::info!(
                "demo organisation seeded: CA de la Région de Compiègne et de la Basse Automne"
            );
        }
        // Its library and evidence documents, once (their files go to the configured storage).
        let storage = tenants::storage::Storage::open(&config.storage)
            .map_err(|e| StartError::Refused(format!("MUTUALIS_STORAGE: {e}")))?;
        tenants::gdpr::documents::demo::seed(&db, &storage)
            .await
            .map_err(|e| StartError::Demo(e.to_string()))?;
    }
    let addr = config.listen_addr;
    let embedded = config.embedded;
    let demo = config.demo;
    let public = config.public_url.clone();
    let settings = worker_settings(&config)?;
    let state = build_state(config, db.clone()).await?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| StartError::Listen {
            addr: addr.to_string(),
            source,
        })?;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let ops = ops_port(
        &state.config,
        &state.db,
        ops_port::Role::Api,
        Some(state.drain.clone()),
        stop_rx.clone(),
    );
    let worker = embedded.then(|| tokio::spawn(worker::run(db, settings, stop_rx)));
    println!("Mutualis listening on {public}");
    if demo {
        println!("*** DEMO MODE *** sample data, password-less login for this computer only: {public}auth/demo");
    }
    let drain = state.drain.clone();
    let grace = state.config.shutdown_grace;
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let result = serve_until_drained(listener, app, drain, grace).await;
    let _ = stop_tx.send(true);
    if let Some(o) = ops {
        let _ = o.await;
    }
    if let Some(w) = worker {
        let _ = w.await;
    }
    result.map_err(|source| StartError::Listen {
        addr: addr.to_string(),
        source,
    })
}

/// How long, after the grace period, the 503s given to the requests still running have to
/// reach their clients before the process exits anyway.
const FLUSH_AFTER_GRACE: Duration = Duration::from_secs(3);

/// Serves until SIGTERM, then drains: see `drain`. Only a response still streaming its body
/// when the grace period and the flush delay are both over is cut, and that is logged.
async fn serve_until_drained(
    listener: tokio::net::TcpListener,
    app: axum::extract::connect_info::IntoMakeServiceWithConnectInfo<Router, std::net::SocketAddr>,
    drain: drain::Drain,
    grace: Duration,
) -> std::io::Result<()> {
    let serving = axum::serve(listener, app)
        .with_graceful_shutdown(drain::on_signal(drain.clone(), grace, shutdown_signal()))
        .into_future();
    tokio::select! {
        r = serving => r,
        _ = async {
            drain.reached(drain::Phase::GraceOver).await;
            tokio::time::sleep(FLUSH_AFTER_GRACE).await;
        } => {
            tracing::error!(
                in_flight = drain.in_flight(),
                "responses still being sent after the shutdown grace period were cut"
            );
            Ok(())
        }
    }
}

/// Starts the ops port when configured; it stops when `stop` turns true.
pub fn ops_port(
    config: &Config,
    db: &sea_orm::DatabaseConnection,
    role: ops_port::Role,
    drain: Option<crate::drain::Drain>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> Option<tokio::task::JoinHandle<()>> {
    let addr = config.ops_listen_addr?;
    let app = ops_port::router(
        db.clone(),
        crate::telemetry::metrics_handle(),
        role,
        config.worker_stale,
        drain,
    );
    Some(tokio::spawn(async move {
        let stopped = async move {
            let _ = stop.wait_for(|s| *s).await;
        };
        if let Err(e) = ops_port::serve(addr, app, stopped).await {
            tracing::error!(%addr, error = %e, "ops port failed");
        }
    }))
}

pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
