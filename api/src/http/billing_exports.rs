//! Billing downloads: `GET /exports/billing/invoice?id=…[&syntax=ubl|cii|facturx]` (the
//! e-invoice in UBL 2.1, in CII, or the Factur-X PDF that carries the CII) and
//! `GET /exports/billing/statement?tenant=…&year=…&format=pdf|ods|xlsx|csv|json` (the commune's
//! annual statement), `GET /exports/billing/titres?run=…&format=csv|xlsx|ods|pdf|json` (the
//! titres de recettes of a billing run, for the finance software). Outside your access is a 404.
use super::exports::{bad_input as bad, download, fault_response, parse_format, scope_for};
use crate::state::AppState;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use tenants::billing::{facturx, statement, titres, ubl, BillingError};
use tenants::tenancy::{can, Can};
use uuid::Uuid;

pub const INVOICE_UBL: &str = "/exports/billing/invoice";
pub const STATEMENT: &str = "/exports/billing/statement";
pub const TITRES: &str = "/exports/billing/titres";

#[track_caller]
fn failed(e: BillingError) -> Response {
    fault_response("billing export failed", e)
}

async fn scope(st: &AppState, headers: &HeaderMap) -> Result<Can<can::ReadCosts>, Response> {
    scope_for::<can::ReadCosts>(st, headers).await
}

fn params(q: Option<String>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(q.unwrap_or_default().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

pub async fn invoice(
    State(st): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let s = match scope(&st, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let ps = params(q);
    let id = ps.iter().find(|(k, _)| k == "id").map(|(_, v)| v.as_str());
    let Some(id) = id.and_then(|v| Uuid::parse_str(v).ok()) else {
        return bad("id", "Indiquez l'identifiant de la facture (id).".into());
    };
    const XML: &str = "application/xml; charset=utf-8";
    let file = match ps
        .iter()
        .find(|(k, _)| k == "syntax")
        .map(|(_, v)| v.as_str())
    {
        None | Some("ubl") => ubl::export(&st.db, &s, id)
            .await
            .map(|(n, x)| (n, XML, x.into_bytes())),
        Some("cii") => ubl::export_cii(&st.db, &s, id)
            .await
            .map(|(n, x)| (n, XML, x.into_bytes())),
        Some("facturx") => facturx::export(&st.db, &s, id)
            .await
            .map(|(n, pdf)| (n, "application/pdf", pdf)),
        Some(other) => {
            return bad(
                "syntax",
                format!(
                    "Syntaxe « {other} » inconnue : ubl (UBL 2.1), cii (CII) ou facturx (PDF Factur-X)."
                ),
            )
        }
    };
    match file {
        Ok((name, media_type, bytes)) => (
            [
                (header::CONTENT_TYPE, media_type.to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}\""),
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => failed(e),
    }
}

pub async fn annual_statement(
    State(st): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let s = match scope(&st, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let (mut tenant, mut year, mut format) = (None, None, formats::Format::Pdf);
    for (k, v) in params(q) {
        match k.as_str() {
            "tenant" => match Uuid::parse_str(&v) {
                Ok(t) => tenant = Some(t),
                Err(_) => {
                    return bad(
                        "tenant",
                        format!("« {v} » n'est pas un identifiant de commune."),
                    )
                }
            },
            "year" => match v.parse::<i32>() {
                Ok(y) if (2000..=2100).contains(&y) => year = Some(y),
                _ => {
                    return bad(
                        "year",
                        format!("« {v} » n'est pas une année comprise entre 2000 et 2100."),
                    )
                }
            },
            "format" => match parse_format(&v) {
                Ok(f) => format = f,
                Err(r) => return r,
            },
            other => return bad("query", format!("Paramètre inconnu « {other} ».")),
        }
    }
    let (Some(tenant), Some(year)) = (tenant, year) else {
        return bad(
            "tenant",
            "Les paramètres tenant (la commune) et year (l'année) sont obligatoires.".into(),
        );
    };
    let doc = match statement::document(&st.db, &s, tenant, year).await {
        Ok(d) => d,
        Err(e) => return failed(e),
    };
    download(&doc, format)
}

pub async fn titres_de_recettes(
    State(st): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let s = match scope_for::<can::ManageCosts>(&st, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let (mut run, mut format) = (None, formats::Format::Csv);
    for (k, v) in params(q) {
        match k.as_str() {
            "run" => match Uuid::parse_str(&v) {
                Ok(r) => run = Some(r),
                Err(_) => {
                    return bad(
                        "run",
                        format!("« {v} » n'est pas un identifiant de campagne."),
                    )
                }
            },
            "format" => match parse_format(&v) {
                Ok(f) => format = f,
                Err(r) => return r,
            },
            other => return bad("query", format!("Paramètre inconnu « {other} ».")),
        }
    }
    let Some(run) = run else {
        return bad(
            "run",
            "Le paramètre run (la campagne de facturation) est obligatoire.".into(),
        );
    };
    match titres::document(&st.db, &s, run).await {
        Ok(d) => download(&d, format),
        Err(e) => failed(e),
    }
}
