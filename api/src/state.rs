//! What every request handler shares.
use crate::config::Config;
use crate::graphql::MutualisSchema;
use crate::http::oidc::Oidc;
use metrics_exporter_prometheus::PrometheusHandle;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub redis: crate::redis_slot::RedisSlot,
    pub oidc: Option<Arc<Oidc>>,
    pub config: Arc<Config>,
    pub schema: MutualisSchema,
    pub metrics: PrometheusHandle,
    pub limiter: Arc<crate::http::limits::Limiter>,
    /// Where uploaded files (evidence documents, the library) are kept.
    pub storage: tenants::storage::Storage,
    /// The shutdown phase and the requests in flight (readiness turns 503 while draining).
    pub drain: crate::drain::Drain,
    /// Callers resolved recently (`http::principal_cache`).
    pub principals: crate::http::principal_cache::PrincipalCache,
}
