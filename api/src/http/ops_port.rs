//! The internal ops port (`MUTUALIS_OPS_LISTEN_ADDR`, not exposed by the ingress): health,
//! readiness and Prometheus metrics for the API and for `mutualis worker`. With it set, the
//! public port no longer serves `/metrics`. The metrics add build information and the
//! process's own figures (memory, CPU, open files) to what the code records; the worker's add
//! the job table's state, read at each scrape.
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use metrics_exporter_prometheus::PrometheusHandle;
use sea_orm::DatabaseConnection;
use serde_json::json;
use std::net::SocketAddr;
use std::sync::OnceLock;

/// Which process the port belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Api,
    Worker,
}

#[derive(Clone)]
struct Ops {
    db: DatabaseConnection,
    metrics: PrometheusHandle,
    role: Role,
    /// A worker whose heartbeat is older than this is unhealthy.
    stale_after: chrono::Duration,
    /// The API's shutdown phase: readiness turns 503 while it drains.
    drain: Option<crate::drain::Drain>,
}

pub fn router(
    db: DatabaseConnection,
    metrics: PrometheusHandle,
    role: Role,
    stale_after: std::time::Duration,
    drain: Option<crate::drain::Drain>,
) -> Router {
    process_started();
    let stale_after =
        chrono::Duration::from_std(stale_after).unwrap_or(chrono::Duration::minutes(10));
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(render))
        .with_state(Ops {
            db,
            metrics,
            role,
            stale_after,
            drain,
        })
}

/// Serves the ops router on `addr` until `stop` resolves.
pub async fn serve(
    addr: SocketAddr,
    app: Router,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(%addr, "ops port listening (health, readiness, metrics)");
    axum::serve(listener, app)
        .with_graceful_shutdown(stop)
        .await
}

/// Alive: for the worker, its loop or a job gave a sign of life lately (a worker stuck in a
/// call that never returns fails this, and its orchestrator restarts it).
async fn healthz(State(o): State<Ops>) -> Response {
    if o.role == Role::Api {
        return Json(json!({"status": "ok"})).into_response();
    }
    let last = worker::last_heartbeat();
    let fresh = last.is_some_and(|t| chrono::Utc::now() - t <= o.stale_after);
    let body = Json(json!({
        "status": if fresh { "ok" } else { "stale" },
        "lastHeartbeat": last,
    }));
    let status = if fresh {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, body).into_response()
}

async fn readyz(State(o): State<Ops>) -> Response {
    if o.drain.as_ref().is_some_and(crate::drain::Drain::draining) {
        return crate::http::ops::draining();
    }
    match o.db.ping().await {
        Ok(()) => Json(json!({"status": "ok", "database": "ok"})).into_response(),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "unavailable", "database": "unavailable"})),
        )
            .into_response(),
    }
}

async fn render(State(o): State<Ops>) -> Response {
    if o.role == Role::Worker {
        if let Err(e) = worker::publish_job_stats(&o.db).await {
            tracing::warn!(error = %e, "job table not read for the metrics");
        }
    }
    metrics::gauge!("mutualis_build_info", "version" => env!("CARGO_PKG_VERSION"), "role" => match o.role {
        Role::Api => "api",
        Role::Worker => "worker",
    })
    .set(1.0);
    process_metrics();
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        o.metrics.render(),
    )
        .into_response()
}

fn process_started() -> f64 {
    static STARTED: OnceLock<f64> = OnceLock::new();
    *STARTED.get_or_init(|| chrono::Utc::now().timestamp() as f64)
}

/// The process figures Prometheus's client libraries name `process_*`, read from /proc
/// (Linux; elsewhere only the start time).
fn process_metrics() {
    metrics::gauge!("process_start_time_seconds").set(process_started());
    if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
        let kib = |key: &str| {
            status
                .lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<f64>().ok())
        };
        if let Some(rss) = kib("VmRSS:") {
            metrics::gauge!("process_resident_memory_bytes").set(rss * 1024.0);
        }
        if let Some(vm) = kib("VmSize:") {
            metrics::gauge!("process_virtual_memory_bytes").set(vm * 1024.0);
        }
    }
    // utime and stime, fields 14 and 15, in clock ticks (USER_HZ, 100 on Linux).
    if let Ok(stat) = std::fs::read_to_string("/proc/self/stat") {
        let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
        let fields: Vec<&str> = after_name.split_whitespace().collect();
        let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok());
        if let (Some(u), Some(s)) = (ticks(11), ticks(12)) {
            metrics::gauge!("process_cpu_seconds_total").set((u + s) / 100.0);
        }
    }
    if let Ok(fds) = std::fs::read_dir("/proc/self/fd") {
        metrics::gauge!("process_open_fds").set(fds.count() as f64);
    }
}
