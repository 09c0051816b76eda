//! `GET /exports/reports/consolidated?organisation=…&period=YYYY-MM&format=pdf|ods|xlsx|csv|json`:
//! the stored consolidated report of a month, for the organisation's DSI and DPO.
use super::exports::{bad_input as bad, download, fault_response, parse_format, scope_for};
use crate::state::AppState;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use tenants::calendar::Period;
use tenants::reporting::{documents, ReportError};
use tenants::tenancy::can;
use uuid::Uuid;

pub const CONSOLIDATED: &str = "/exports/reports/consolidated";

pub async fn consolidated(
    State(st): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let scope = match scope_for::<can::ReadReports>(&st, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let (org, period, format) = match query(q, "organisation", "d'intercommunalité") {
        Ok(v) => v,
        Err(r) => return r,
    };
    respond(
        documents::consolidated(&st.db, &scope, org, period).await,
        format,
    )
}

/// `{key}=<id>&period=YYYY-MM[&format=…]` (PDF by default), or the 400 to answer (the
/// handler returns it as is, like `parse_format`'s).
#[allow(clippy::result_large_err)]
fn query(
    q: Option<String>,
    key: &'static str,
    what: &str,
) -> Result<(Uuid, Period, formats::Format), Response> {
    let (mut id, mut period, mut format) = (None, None, formats::Format::Pdf);
    for (k, v) in url::form_urlencoded::parse(q.unwrap_or_default().as_bytes()) {
        match k.as_ref() {
            "period" => match Period::parse(&v) {
                Ok(p) => period = Some(p),
                Err(_) => {
                    return Err(bad(
                        "period",
                        format!("« {v} » n'est pas un mois au format AAAA-MM."),
                    ))
                }
            },
            "format" => format = parse_format(&v)?,
            k if k == key => match Uuid::parse_str(&v) {
                Ok(i) => id = Some(i),
                Err(_) => {
                    return Err(bad(
                        key,
                        format!("« {v} » n'est pas un identifiant {what}."),
                    ))
                }
            },
            other => return Err(bad("query", format!("Paramètre inconnu « {other} »."))),
        }
    }
    match (id, period) {
        (Some(i), Some(p)) => Ok((i, p, format)),
        _ => Err(bad(
            key,
            format!("Les paramètres {key} et period (le mois) sont obligatoires."),
        )),
    }
}

/// The document, or the error as the other exports give it.
fn respond(doc: Result<formats::Document, ReportError>, format: formats::Format) -> Response {
    match doc {
        Ok(d) => download(&d, format),
        Err(e) => fault_response("report export failed", e),
    }
}

pub const COMMUNE_SUMMARY: &str = "/exports/reports/commune";

/// `GET /exports/reports/commune?tenant=…&period=YYYY-MM&format=pdf|…`: a commune's one-page
/// summary for its council, for anyone who reads its register.
pub async fn commune_summary(
    State(st): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let scope = match scope_for::<can::ReadGdpr>(&st, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let (tenant, period, format) = match query(q, "tenant", "de commune") {
        Ok(v) => v,
        Err(r) => return r,
    };
    respond(
        documents::commune_summary(&st.db, &scope, tenant, period).await,
        format,
    )
}
