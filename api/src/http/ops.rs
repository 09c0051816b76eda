//! Probes and metrics for the orchestrator.
use crate::http::auth::{identify, Caller};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Json, Response};
use sea_orm::ConnectionTrait;
use serde_json::json;

/// Liveness: the process answers. Never touches dependencies (a database outage must not get
/// every replica restarted).
pub async fn healthz() -> &'static str {
    "ok"
}

/// How long a readiness check waits for a dependency: under the orchestrator's probe timeout
/// (3 s in deploy/kubernetes), so a stopped or hung database gives a 503, never a hang.
const CHECK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

/// Readiness: the database answers. Redis is checked and reported, but does not make the
/// process unready: it only wakes idle workers (they poll the job table without it) and the
/// rate limiter fails open, so reads and writes keep working while it is down; taking every
/// replica out of the Service for it would turn a degraded mode into an outage.
pub async fn readyz(State(st): State<AppState>) -> Response {
    // Shutting down: out of the load balancer at once, whatever the dependencies say.
    if st.drain.draining() {
        return draining();
    }
    // Both at once, each bounded: a pool waiting for a dead server would otherwise hold the
    // probe for its acquire timeout (10 s), and a hung one for the TCP timeout.
    let db = async {
        tokio::time::timeout(CHECK_TIMEOUT, st.db.execute_unprepared("SELECT 1"))
            .await
            .is_ok_and(|r| r.is_ok())
    };
    let redis = async {
        match st.redis.get() {
            None if st.redis.configured() => Some(false),
            None => None,
            Some(mut r) => Some(
                tokio::time::timeout(
                    CHECK_TIMEOUT,
                    redis::cmd("PING").query_async::<String>(&mut r),
                )
                .await
                .is_ok_and(|r| r.is_ok()),
            ),
        }
    };
    let (db_ok, redis_ok) = tokio::join!(db, redis);
    if !db_ok {
        // The database is away: no cached caller is vouched for until the version is read again.
        st.principals.suspend();
    }
    let ready = db_ok;
    let body = json!({
        "ready": ready,
        "database": if db_ok { "ok" } else { "unavailable" },
        "redis": match redis_ok { None => "not configured", Some(true) => "ok", Some(false) => "unavailable" },
    });
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}

/// Readiness while the process drains before it exits.
pub(crate) fn draining() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(json!({"ready": false, "status": "draining"})),
    )
        .into_response()
}

pub async fn metrics(State(st): State<AppState>) -> String {
    st.metrics.render()
}

/// The console's view of its session: who, and the CSRF token to send back.
pub async fn session(State(st): State<AppState>, req: axum::extract::Request) -> Response {
    let headers = req.headers();
    match identify(&st, &Method::GET, headers).await {
        Caller::Authenticated(p) => {
            let name = crate::http::auth::session_cookie_name(st.config.secure_cookies());
            let csrf = match crate::http::auth::cookie(headers, name) {
                Some(secret) => tenants::tenancy::resolve_session(&st.db, &secret)
                    .await
                    .map(|(_, c)| c)
                    .ok(),
                None => None,
            };
            Json(json!({
                "authenticated": true,
                "displayName": p.display_name,
                "email": p.email,
                "roles": p.roles().iter().map(|r| r.as_str()).collect::<Vec<_>>(),
                "csrfToken": csrf,
                "demo": st.config.demo,
                "graphqlExplorer": st.config.graphql_explorer,
            }))
            .into_response()
        }
        _ => {
            let peer = req
                .extensions()
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| &c.0);
            Json(json!({
                "authenticated": false,
                "demo": st.config.demo,
                "graphqlExplorer": st.config.graphql_explorer,
                "oidc": st.oidc.is_some(),
                "demoAccounts": crate::http::demo::accounts(&st, peer),
            }))
            .into_response()
        }
    }
}
