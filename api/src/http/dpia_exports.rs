//! `GET /exports/gdpr/dpia?id=…`: one DPIA as a PDF (context, principles, risks, the 4×4 risk
//! map, opinions and decision), for whoever reads the commune's GDPR data.
use super::exports::{bad_input, fault_response, scope_for};
use crate::state::AppState;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use tenants::tenancy::can;
use uuid::Uuid;

pub const DPIA_PDF: &str = "/exports/gdpr/dpia";

pub async fn pdf(
    State(st): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let scope = match scope_for::<can::ReadGdpr>(&st, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let mut id = None;
    for (k, v) in url::form_urlencoded::parse(q.unwrap_or_default().as_bytes()) {
        match (k.as_ref(), Uuid::parse_str(&v)) {
            ("id", Ok(i)) => id = Some(i),
            ("id", Err(_)) => {
                return bad_input(
                    "id",
                    format!("« {v} » n'est pas un identifiant d'analyse d'impact."),
                )
            }
            (other, _) => return bad_input("query", format!("Paramètre inconnu « {other} ».")),
        }
    }
    let Some(id) = id else {
        return bad_input("id", "Indiquez l'analyse d'impact (id=…).".into());
    };
    match tenants::gdpr::dpia::document::dpia_pdf(&st.db, &scope, id).await {
        Ok(f) => (
            [
                (header::CONTENT_TYPE, f.media_type.to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{}\"", f.name),
                ),
            ],
            f.bytes,
        )
            .into_response(),
        Err(e) => fault_response("DPIA PDF failed", e),
    }
}
