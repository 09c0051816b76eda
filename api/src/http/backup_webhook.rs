//! `POST /webhooks/backups`: job reports from any backup tool, signed with a per-tenant ingest
//! token (the scheme is in `tenants::backups::ingest` and in the README). Answers 202 with the
//! job id, or a 4xx with `{"error": {"code", "message"}}`; a database failure is a 503 the
//! sender may retry (nothing was written).
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use serde_json::json;
use tenants::backups::ingest::{self, Delivery};

pub const PATH: &str = "/webhooks/backups";

fn answer(status: u16, code: &str, message: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    (
        status,
        Json(json!({"error": {"code": code, "message": message}})),
    )
        .into_response()
}

pub async fn receive(State(st): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(secret) = st.config.ingest_secret.as_ref() else {
        return answer(
            503,
            "ingest_disabled",
            "Ce serveur n'a pas de secret de réception (MUTUALIS_INGEST_SECRET).",
        );
    };
    let h = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let delivery = Delivery {
        token: h("x-mutualis-token"),
        timestamp: h("x-mutualis-timestamp"),
        signature: h("x-mutualis-signature"),
        body: &body,
    };
    match ingest::receive(&st.db, secret, delivery, Utc::now()).await {
        Ok(Ok(a)) => {
            metrics::counter!("mutualis_backup_reports_total", "outcome" => "accepted")
                .increment(1);
            (
                StatusCode::ACCEPTED,
                Json(json!({"jobId": a.job_id, "policyId": a.policy_id})),
            )
                .into_response()
        }
        Ok(Err(r)) => {
            metrics::counter!("mutualis_backup_reports_total", "outcome" => r.code).increment(1);
            tracing::info!(code = r.code, status = r.status, "backup report refused");
            answer(r.status, r.code, &r.message)
        }
        Err(e) => {
            tracing::error!(error = %e, "backup report not recorded");
            answer(
                503,
                "unavailable",
                "Le rapport n'a pas pu être enregistré : réessayez plus tard.",
            )
        }
    }
}
