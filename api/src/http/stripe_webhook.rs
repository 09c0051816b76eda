//! `POST /webhooks/stripe`: Stripe's events, signature checked (five-minute tolerance),
//! duplicates acknowledged and ignored, invoice statuses kept in sync.
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use serde_json::json;
use tenants::billing::webhook::{self, Outcome};
use tenants::billing::BillingError;

pub const PATH: &str = "/webhooks/stripe";
pub const MAX_BODY_BYTES: usize = 256 * 1024;

fn answer(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({"error": {"code": code, "message": message}})),
    )
        .into_response()
}

pub async fn receive(State(st): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(secret) = st.config.stripe.as_ref().and_then(|s| {
        s.webhook_secret
            .as_ref()
            .map(tenants::secrets::Secret::expose)
    }) else {
        return answer(
            StatusCode::SERVICE_UNAVAILABLE,
            "stripe_disabled",
            "STRIPE_WEBHOOK_SECRET n'est pas configuré.",
        );
    };
    let sig = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok());
    if let Err(e) = webhook::verify(secret, sig, &body, Utc::now()) {
        metrics::counter!("mutualis_stripe_events_total", "outcome" => "bad_signature")
            .increment(1);
        return answer(StatusCode::BAD_REQUEST, "bad_signature", &e.to_string());
    }
    match webhook::handle(&st.db, &body).await {
        Ok(o) => {
            let (label, body) = match o {
                Outcome::Handled(n) => ("handled", json!({"received": true, "updated": n})),
                Outcome::Duplicate => ("duplicate", json!({"received": true, "duplicate": true})),
                Outcome::Ignored => ("ignored", json!({"received": true, "ignored": true})),
            };
            metrics::counter!("mutualis_stripe_events_total", "outcome" => label).increment(1);
            (StatusCode::OK, Json(body)).into_response()
        }
        Err(BillingError::BadInput { message, .. }) => {
            answer(StatusCode::BAD_REQUEST, "malformed_event", &message)
        }
        Err(e) => {
            tracing::error!(error = %e, "Stripe event not recorded");
            answer(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "Service momentanément indisponible : réessayez plus tard.",
            )
        }
    }
}
