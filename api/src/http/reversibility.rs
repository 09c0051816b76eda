//! `GET /exports/reversibility?id=…`: the archive of a finished reversibility export, for
//! those who may ask for it (the organisation's DSI; a commune's administrator for his own
//! commune's exports). Reading writes nothing, so a GET.
use super::exports::{bad_input, fault_response, scope_for};
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use tenants::reversibility::requests;
use tenants::tenancy::can;
use uuid::Uuid;

pub const DOWNLOAD: &str = "/exports/reversibility";

pub async fn download(
    State(st): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let scope = match scope_for::<can::ExportAllData>(&st, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let Some(id) = q.get("id").and_then(|v| Uuid::parse_str(v).ok()) else {
        return bad_input(
            "id",
            "Paramètre « id » attendu : l'identifiant de l'export.".into(),
        );
    };
    match requests::download(&st.db, &scope, id).await {
        Ok((row, bytes)) => (
            [
                (header::CONTENT_TYPE, "application/zip".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!(
                        "attachment; filename=\"reversibilite-{}-{}.zip\"",
                        row.kind,
                        row.created_at.format("%Y%m%d-%H%M%S")
                    ),
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => fault_response("reversibility download failed", e),
    }
}
