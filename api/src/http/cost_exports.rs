//! `GET /exports/costs/focus`: cost lines in FOCUS 1.0 columns (CSV), for the DSI (all its
//! communes), a commune (its own lines) or an auditor. Parameters: `year`, `run`, and `tenant`
//! (repeatable); naming a tenant outside your access is a 404.
use super::exports::{bad_input as bad, fault_response, problem, scope_for};
use crate::state::AppState;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use tenants::costs::focus;
use tenants::costs::runs::LineFilter;
use tenants::entities::tenant;
use tenants::tenancy::{can, AccessError};
use uuid::Uuid;

pub const FOCUS_EXPORT: &str = "/exports/costs/focus";

pub async fn focus(
    State(st): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let scope = match scope_for::<can::ReadCosts>(&st, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let mut f = LineFilter::default();
    let mut tenants = vec![];
    for (k, v) in url::form_urlencoded::parse(q.unwrap_or_default().as_bytes()) {
        match k.as_ref() {
            "tenant" => match Uuid::parse_str(&v) {
                Ok(id) => tenants.push(id),
                Err(_) => {
                    return bad(
                        "tenant",
                        format!("« {v} » n'est pas un identifiant de commune."),
                    )
                }
            },
            "run" => match Uuid::parse_str(&v) {
                Ok(id) => f.run_id = Some(id),
                Err(_) => {
                    return bad(
                        "run",
                        format!("« {v} » n'est pas un identifiant de répartition."),
                    )
                }
            },
            "year" => match v.parse::<i32>() {
                Ok(y) if (2000..=2100).contains(&y) => f.year = Some(y),
                _ => {
                    return bad(
                        "year",
                        format!("« {v} » n'est pas une année comprise entre 2000 et 2100."),
                    )
                }
            },
            other => return bad("query", format!("Paramètre inconnu « {other} ».")),
        }
    }
    // A tenant outside the scope is "not found", as everywhere else.
    if !tenants.is_empty() {
        let Ok(txn) = scope.begin(&st.db).await else {
            return problem(
                StatusCode::SERVICE_UNAVAILABLE,
                "UNAVAILABLE",
                "Service momentanément indisponible : réessayez dans un instant.",
            );
        };
        for t in &tenants {
            match scope.get::<tenant::Entity, _>(&txn, *t).await {
                Ok(Ok(_)) => {}
                Ok(Err(_)) => {
                    return problem(
                        StatusCode::NOT_FOUND,
                        "NOT_FOUND",
                        AccessError::NotFound.to_string(),
                    )
                }
                Err(_) => {
                    return problem(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "UNAVAILABLE",
                        "Service momentanément indisponible : réessayez dans un instant.",
                    )
                }
            }
        }
        f.tenant_ids = Some(tenants);
    }
    match focus::export(&st.db, &scope, &f).await {
        Ok(csv) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"mutualis-focus.csv\"",
                ),
            ],
            csv,
        )
            .into_response(),
        Err(e) => fault_response("FOCUS export failed", e),
    }
}
