//! Pages without login: a commune's public register.
use crate::http::oidc::error_page;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Json, Response};
use serde::Deserialize;
use uuid::Uuid;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[derive(Deserialize)]
pub struct Format {
    format: Option<String>,
}

pub async fn register(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    Query(q): Query<Format>,
) -> Response {
    let not_found = || {
        error_page(
            StatusCode::NOT_FOUND,
            "Registre non publié",
            "Cette commune ne publie pas son registre des traitements, ou l'adresse est inexacte.",
        )
    };
    let Ok(tenant_id) = Uuid::parse_str(&tenant) else {
        return not_found();
    };
    let page = match tenants::gdpr::register::public_page(&st.db, tenant_id).await {
        Ok(Some(p)) => p,
        Ok(None) => return not_found(),
        Err(e) => {
            tracing::error!(error = %e, "public register");
            return error_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Registre indisponible",
                "Réessayez plus tard.",
            );
        }
    };
    if q.format.as_deref() == Some("json") {
        return Json(serde_json::json!({
            "commune": page.commune,
            "inseeCode": page.insee_code,
            "activities": page.activities.iter().map(|a| serde_json::json!({
                "name": a.name,
                "fields": a.fields.iter().map(|(l, v)| serde_json::json!({"label": l, "value": v})).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        }))
        .into_response();
    }
    let items: String = page
        .activities
        .iter()
        .map(|a| {
            let dl: String = a
                .fields
                .iter()
                .map(|(l, v)| format!("<dt>{}</dt><dd>{}</dd>", esc(l), esc(v)))
                .collect();
            format!("<section><h2>{}</h2><dl>{dl}</dl></section>", esc(&a.name))
        })
        .collect();
    Html(format!(
        "<!doctype html><html lang=\"fr\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Registre des traitements — {c}</title></head><body><main><h1>Registre des activités de traitement — {c}</h1>\
         <p>Publié en application de l'article 30 du RGPD. {n}.</p>{items}</main></body></html>",
        c = esc(&page.commune),
        n = tenants::fr::plural(page.activities.len() as i64, "traitement", "traitements")
    ))
    .into_response()
}
