//! Export downloads and bundle verification. Every route here is listed in `EXPORT_ROUTES`,
//! which the cross-tenant matrix reads.
use crate::http::auth::{identify, Caller};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Json, Response};
use serde_json::json;
use tenants::fault::{Classify, Fault};
use tenants::gdpr::export::{self, ExportRequest, VerifyBundleError};
use tenants::gdpr::GdprError;
use tenants::tenancy::can;
use uuid::Uuid;

pub const REGISTER_EXPORT: &str = "/exports/gdpr/register";
pub const VERIFY_BUNDLE: &str = "/exports/verify";
/// Every export endpoint (method, path).
pub const EXPORT_ROUTES: &[(&str, &str)] = &[
    ("POST", REGISTER_EXPORT),
    ("POST", VERIFY_BUNDLE),
    ("GET", super::cost_exports::FOCUS_EXPORT),
    ("GET", super::billing_exports::INVOICE_UBL),
    ("GET", super::billing_exports::STATEMENT),
    ("GET", super::report_exports::CONSOLIDATED),
    ("GET", super::report_exports::COMMUNE_SUMMARY),
    ("GET", super::dpia_exports::DPIA_PDF),
    ("GET", super::gdpr_lists::ACTIVITY_SHEET),
    ("GET", super::gdpr_lists::LIST_EXPORT),
    ("GET", super::gdpr_lists::BILAN),
    ("GET", super::reversibility::DOWNLOAD),
];

/// The largest bundle accepted for verification.
pub const MAX_BUNDLE_BYTES: usize = 50 * 1024 * 1024;

pub(crate) fn problem(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    (
        status,
        Json(json!({"error": {"code": code, "message": message.into()}})),
    )
        .into_response()
}

/// A failure of this server: logged under a reference the answer gives, so the person who
/// reads it can quote it (the detail is never shown).
#[track_caller]
pub(crate) fn internal(what: &str, error: impl std::fmt::Display) -> Response {
    let id = Uuid::now_v7();
    let at = std::panic::Location::caller();
    tracing::error!(error_id = %id, error = %error, at = %at, "{what}");
    problem(
        StatusCode::INTERNAL_SERVER_ERROR,
        "INTERNAL_SERVER_ERROR",
        format!("Erreur interne (référence {id}) : réessayez plus tard, et si elle persiste, transmettez cette référence au support."),
    )
}

/// Every module error, answered once by the kind of failure it is (`tenants::fault`), as
/// the GraphQL errors are: same codes, same French messages; an internal fault is logged
/// with `what` and the handler's line, and answered with a reference only.
#[track_caller]
pub(crate) fn fault_response<E: Classify + std::fmt::Display>(what: &str, e: E) -> Response {
    match e.fault() {
        Fault::BadInput { field, message } => bad_input(field, message),
        Fault::NotFound(m) => problem(StatusCode::NOT_FOUND, "NOT_FOUND", m),
        Fault::Forbidden(m) => problem(StatusCode::FORBIDDEN, "FORBIDDEN", m),
        Fault::Conflict { message, .. } => problem(StatusCode::CONFLICT, "CONFLICT", message),
        Fault::NotConfigured(m) => problem(StatusCode::SERVICE_UNAVAILABLE, "NOT_CONFIGURED", m),
        Fault::File { code, message } => {
            let status = if code == "FILE_TOO_LARGE" {
                StatusCode::PAYLOAD_TOO_LARGE
            } else {
                StatusCode::UNSUPPORTED_MEDIA_TYPE
            };
            (
                status,
                Json(json!({"error": {"code": code, "field": "file", "message": message}})),
            )
                .into_response()
        }
        Fault::Internal => internal(what, e),
    }
}

/// A 400 naming the parameter, as every export answers bad input.
pub(crate) fn bad_input(field: &str, message: String) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"error": {"code": "BAD_USER_INPUT", "field": field, "message": message}})),
    )
        .into_response()
}

/// The `format` parameter of single-document exports.
// The error is the finished answer, returned as is on a rarely taken path.
#[allow(clippy::result_large_err)]
pub(crate) fn parse_format(v: &str) -> Result<formats::Format, Response> {
    Ok(match v {
        "pdf" => formats::Format::Pdf,
        "ods" => formats::Format::Ods,
        "xlsx" => formats::Format::Xlsx,
        "csv" => formats::Format::Csv,
        "json" => formats::Format::Json,
        other => {
            return Err(bad_input(
                "format",
                format!(
                    "Format inconnu « {other} » ; formats possibles : pdf, ods, xlsx, csv, json."
                ),
            ))
        }
    })
}

/// A document rendered in one format, as a download (CSV gives one file per sheet: the first).
pub(crate) fn download(doc: &formats::Document, format: formats::Format) -> Response {
    match formats::render(doc, format).map(|f| f.into_iter().next()) {
        Ok(Some(f)) => (
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
        Ok(None) => problem(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL_SERVER_ERROR",
            "L'export est vide.",
        ),
        Err(e) => internal("rendering failed", e),
    }
}

/// The caller's scope for `permission`, or the answer to give instead: 401 when nobody is
/// authenticated, 403 (naming the permission) when the role does not carry it.
pub(crate) async fn scope_for<P: tenants::tenancy::Capability>(
    st: &AppState,
    headers: &HeaderMap,
) -> Result<tenants::tenancy::Can<P>, Response> {
    let caller = identify(st, &Method::GET, headers).await;
    if let Some(r) = denied(&caller) {
        return Err(r);
    }
    let Caller::Authenticated(p) = caller else {
        return Err(problem(
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
            NOT_LOGGED_IN,
        ));
    };
    p.can::<P>()
        .map_err(|e| problem(StatusCode::FORBIDDEN, "FORBIDDEN", e.to_string()))
}

/// The refusal of an anonymous download.
const NOT_LOGGED_IN: &str =
    "Connectez-vous, ou envoyez un jeton d'API dans l'en-tête `Authorization: Bearer …`.";

pub(crate) fn denied(caller: &Caller) -> Option<Response> {
    match caller {
        Caller::Authenticated(_) => None,
        Caller::Anonymous => Some(problem(
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
            NOT_LOGGED_IN,
        )),
        Caller::Rejected(why) => Some(problem(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", *why)),
    }
}

#[track_caller]
fn gdpr_problem(e: GdprError) -> Response {
    fault_response("export failed", e)
}

/// `POST /exports/gdpr/register?tenant=ID&tenant=ID&format=csv&format=pdf&cnil=true&purpose=…`
/// Formats: csv, ods, xlsx, pdf, json (all when none is given). Answers a ZIP bundle. A POST:
/// the export writes its manifest into the audit trail, so a cookie session must send its
/// CSRF token like any other write (a GET could be triggered by a link on another site).
pub async fn register(
    State(st): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let scope = match scope_for::<can::ExportGdpr>(&st, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let (mut tenant_ids, mut formats, mut cnil, mut purpose) =
        (vec![], vec![], false, String::new());
    for (k, v) in url::form_urlencoded::parse(q.unwrap_or_default().as_bytes()) {
        match k.as_ref() {
            "tenant" => match Uuid::parse_str(&v) {
                Ok(id) => tenant_ids.push(id),
                Err(_) => {
                    return gdpr_problem(GdprError::BadInput {
                        field: "tenant",
                        message: format!("« {v} » n'est pas un identifiant de commune."),
                    })
                }
            },
            "format" => match v.as_ref() {
                "csv" => formats.push(formats::Format::Csv),
                "ods" => formats.push(formats::Format::Ods),
                "xlsx" => formats.push(formats::Format::Xlsx),
                "pdf" => formats.push(formats::Format::Pdf),
                "json" => formats.push(formats::Format::Json),
                other => {
                    return gdpr_problem(GdprError::BadInput {
                        field: "format",
                        message: format!(
                            "Format inconnu « {other} » ; formats possibles : csv, ods, xlsx, pdf, json."
                        ),
                    })
                }
            },
            "cnil" => cnil = v == "true",
            "purpose" => purpose = v.chars().take(300).collect(),
            _ => {}
        }
    }
    if formats.is_empty() && !cnil {
        formats = formats::Format::ALL.to_vec();
        cnil = true;
    }
    formats.dedup();
    let req = ExportRequest {
        tenant_ids: (!tenant_ids.is_empty()).then_some(tenant_ids),
        formats,
        cnil_layout: cnil,
        purpose,
    };
    match export::export_register(&st.db, &st.storage, &scope, req).await {
        Ok(b) => {
            let name = format!(
                "registre-rgpd-{}.zip",
                b.manifest.generated_at.format("%Y%m%d-%H%M%S")
            );
            (
                [
                    (header::CONTENT_TYPE, "application/zip".to_owned()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{name}\""),
                    ),
                    (
                        header::HeaderName::from_static("x-manifest-sha256"),
                        b.manifest_sha256.clone(),
                    ),
                ],
                b.zip,
            )
                .into_response()
        }
        Err(e) => gdpr_problem(e),
    }
}

/// `POST /exports/verify` with a bundle as the body: every file against the manifest, and the
/// manifest against the audit trail.
pub async fn verify(State(st): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let caller = identify(&st, &Method::POST, &headers).await;
    if let Some(r) = denied(&caller) {
        return r;
    }
    let Caller::Authenticated(p) = caller else {
        return problem(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", NOT_LOGGED_IN);
    };
    let scope = match p.can::<can::ReadAudit>() {
        Ok(s) => s,
        Err(e) => return problem(StatusCode::FORBIDDEN, "FORBIDDEN", e.to_string()),
    };
    match export::verify_bundle(&st.db, &scope, body).await {
        Ok(v) => Json(json!({
            "valid": true,
            "recorded": v.recorded,
            "manifest": v.manifest,
        }))
        .into_response(),
        Err(VerifyBundleError::Invalid(e)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({"valid": false, "recorded": false, "problem": e.to_string()})),
        )
            .into_response(),
        Err(e @ (VerifyBundleError::Db(_) | VerifyBundleError::Busy(_))) => {
            tracing::error!(error = %e, "verify");
            problem(
                StatusCode::SERVICE_UNAVAILABLE,
                "UNAVAILABLE",
                "Service momentanément indisponible : réessayez dans un instant.",
            )
        }
    }
}
