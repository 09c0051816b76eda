//! Open data without login: the DCAT-AP catalogue of what the communes publish, and each
//! commune's DECP at a stable address. Readable from any origin (harvesters, data portals):
//! nothing here is private, and nothing unpublished is served.
use crate::http::oidc::error_page;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

pub const CATALOG: &str = tenants::opendata::dcat::CATALOG_PATH;
pub const DATASET_FILE: &str = "/opendata/{tenant}/{file}";

fn unavailable(e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "open data");
    error_page(
        StatusCode::SERVICE_UNAVAILABLE,
        "Données indisponibles",
        "Réessayez plus tard.",
    )
}

fn open(body: Vec<u8>, content_type: &'static str) -> Response {
    let mut r = (StatusCode::OK, body).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    r
}

pub async fn catalog(State(st): State<AppState>) -> Response {
    match tenants::opendata::catalog::entries(&st.db).await {
        Ok(entries) => {
            let doc = tenants::opendata::dcat::catalog(
                st.config.public_url.as_str(),
                &entries,
                chrono::Utc::now(),
            );
            match serde_json::to_vec_pretty(&doc) {
                Ok(body) => open(body, "application/ld+json; charset=utf-8"),
                Err(e) => unavailable(e),
            }
        }
        Err(e) => unavailable(e),
    }
}

pub async fn dataset_file(
    State(st): State<AppState>,
    Path((tenant, file)): Path<(String, String)>,
) -> Response {
    let not_found = || {
        error_page(
            StatusCode::NOT_FOUND,
            "Jeu de données non publié",
            "Cette commune ne publie pas ce jeu de données, ou l'adresse est inexacte.",
        )
    };
    let (Ok(tenant_id), Some(xml)) = (
        Uuid::parse_str(&tenant),
        match file.as_str() {
            "decp.json" => Some(false),
            "decp.xml" => Some(true),
            _ => None,
        },
    ) else {
        return not_found();
    };
    let today = tenants::calendar::paris_today();
    match tenants::opendata::catalog::decp_of(&st.db, tenant_id, today).await {
        Ok(Some(e)) if xml => open(
            tenants::procurement::decp::to_xml(&e.document).into_bytes(),
            "application/xml; charset=utf-8",
        ),
        Ok(Some(e)) => match serde_json::to_vec_pretty(&e.document) {
            Ok(body) => open(body, "application/json; charset=utf-8"),
            Err(err) => unavailable(err),
        },
        Ok(None) => not_found(),
        Err(e) => unavailable(e),
    }
}
