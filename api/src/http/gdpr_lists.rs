//! Issue 19 downloads: the printable sheet of activities (PDF) and the export of any GDPR list
//! of the console with its filters and sort (XLSX, ODS, CSV), for anyone who reads the
//! register (what they export is what the list shows them).
//!
//! - `GET /exports/gdpr/activity-sheet?id=…[&id=…]`: one PDF, a sheet per activity.
//! - `GET /exports/gdpr/list?list=activities|requests|breaches|processors&format=xlsx|ods|csv`
//!   with the list's own filters, named as the GraphQL arguments: `tenant` (repeated),
//!   `status`, `dpiaRequired`, `sensitive`, `search`, `orderBy`, `descending` (activities),
//!   `openOnly`, `overdueOnly`, `search`, `orderBy`, `descending` (requests), `openOnly`
//!   (breaches); `id` (repeated: the selected activities only) and `column` (repeated: the
//!   visible columns, all by default).
use super::exports::{
    bad_input as bad, fault_response, internal, parse_format, problem, scope_for,
};
use crate::state::AppState;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use tenants::calendar::paris_today;
use tenants::gdpr::activity::{ActivityFilter, ActivitySort};
use tenants::gdpr::lists::{self, ListKind, ListQuery};
use tenants::gdpr::requests::{RequestFilter, RequestSort};
use tenants::gdpr::vocab::ActivityStatus;
use tenants::gdpr::{sheets, GdprError};
use tenants::tenancy::can;
use uuid::Uuid;

pub const ACTIVITY_SHEET: &str = "/exports/gdpr/activity-sheet";
pub const LIST_EXPORT: &str = "/exports/gdpr/list";

/// The most parameters one export reads (ids and columns included).
const MAX_PARAMS: usize = 400;

#[track_caller]
pub(crate) fn gdpr_problem(e: GdprError) -> Response {
    fault_response("GDPR download failed", e)
}

/// Renders `doc` off the async runtime and answers it as a download.
pub(crate) async fn render_download(doc: formats::Document, format: formats::Format) -> Response {
    let rendered =
        tenants::blocking::run(move || formats::render(&doc, format).map(|f| f.into_iter().next()))
            .await;
    match rendered {
        Ok(Ok(Some(f))) => (
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
        Ok(Ok(None)) => problem(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL_SERVER_ERROR",
            "L'export est vide.",
        ),
        Ok(Err(e)) => internal("rendering failed", e),
        Err(e) => internal("rendering failed", e),
    }
}

#[allow(clippy::result_large_err)]
fn params(q: Option<String>) -> Result<Vec<(String, String)>, Response> {
    let v: Vec<(String, String)> = url::form_urlencoded::parse(q.unwrap_or_default().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .take(MAX_PARAMS + 1)
        .collect();
    if v.len() > MAX_PARAMS {
        return Err(bad(
            "query",
            format!("Trop de paramètres : {MAX_PARAMS} au plus."),
        ));
    }
    Ok(v)
}

#[allow(clippy::result_large_err)]
fn uuid(field: &'static str, v: &str) -> Result<Uuid, Response> {
    Uuid::parse_str(v).map_err(|_| bad(field, format!("« {v} » n'est pas un identifiant.")))
}

#[allow(clippy::result_large_err)]
fn boolean(field: &'static str, v: &str) -> Result<bool, Response> {
    match v {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(bad(field, format!("« {v} » : attendu true ou false."))),
    }
}

pub async fn activity_sheet(
    State(st): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let scope = match scope_for::<can::ReadGdpr>(&st, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let mut ids = vec![];
    for (k, v) in match params(q) {
        Ok(p) => p,
        Err(r) => return r,
    } {
        match k.as_str() {
            "id" => match uuid("id", &v) {
                Ok(i) => ids.push(i),
                Err(r) => return r,
            },
            other => return bad("query", format!("Paramètre inconnu « {other} ».")),
        }
    }
    match sheets::activity_sheets(&st.db, &scope, &ids).await {
        Ok(doc) => render_download(doc, formats::Format::Pdf).await,
        Err(e) => gdpr_problem(e),
    }
}

/// What the query string asks for: the list, its filters and sort, the format and columns.
struct Asked {
    query: ListQuery,
    format: formats::Format,
    columns: Vec<String>,
}

#[allow(clippy::result_large_err)]
fn asked(q: Option<String>) -> Result<Asked, Response> {
    let p = params(q)?;
    let list = p
        .iter()
        .find(|(k, _)| k == "list")
        .map(|(_, v)| v.as_str())
        .ok_or_else(|| {
            bad(
                "list",
                "Le paramètre list (la liste à exporter) est obligatoire.".into(),
            )
        })?;
    let kind = ListKind::parse(list).map_err(gdpr_problem)?;
    let mut format = formats::Format::Xlsx;
    let mut columns = vec![];
    let mut tenants: Option<Vec<Uuid>> = None;
    let mut ids: Option<Vec<Uuid>> = None;
    let mut af = ActivityFilter::default();
    let mut rf = RequestFilter::default();
    let (mut asort, mut descending, mut open_only) = (ActivitySort::Name, false, false);
    let unknown = |k: &str| {
        bad(
            "query",
            format!("Paramètre inconnu « {k} » pour cette liste."),
        )
    };
    for (k, v) in &p {
        match (kind, k.as_str()) {
            (_, "list") => {}
            (_, "format") => format = parse_format(v)?,
            (_, "column") => columns.push(v.clone()),
            (_, "tenant") => tenants.get_or_insert_with(Vec::new).push(uuid("tenant", v)?),
            (ListKind::Activities | ListKind::Requests, "descending") => {
                descending = boolean("descending", v)?
            }
            (ListKind::Activities | ListKind::Requests, "search") => {
                let s: String = v.chars().take(200).collect();
                af.search = Some(s.clone());
                rf.search = Some(s);
            }
            (ListKind::Activities, "id") => ids.get_or_insert_with(Vec::new).push(uuid("id", v)?),
            (ListKind::Activities, "status") => {
                af.status = Some(
                    ActivityStatus::parse(v).map_err(|e| bad("status", e.to_string()))?,
                )
            }
            (ListKind::Activities, "dpiaRequired") => {
                af.dpia_required = Some(boolean("dpiaRequired", v)?)
            }
            (ListKind::Activities, "sensitive") => af.sensitive = Some(boolean("sensitive", v)?),
            (ListKind::Activities, "orderBy") => {
                asort = match v.as_str() {
                    "NAME" => ActivitySort::Name,
                    "STATUS" => ActivitySort::Status,
                    "UPDATED_AT" => ActivitySort::UpdatedAt,
                    _ => return Err(bad("orderBy", format!("Tri inconnu « {v} » ; tris possibles : NAME, STATUS, UPDATED_AT."))),
                }
            }
            (ListKind::Requests, "orderBy") => {
                rf.sort = match v.as_str() {
                    "DUE" => RequestSort::Due,
                    "RECEIVED_ON" => RequestSort::ReceivedOn,
                    "REQUESTER" => RequestSort::Requester,
                    "KIND" => RequestSort::Kind,
                    "STATUS" => RequestSort::Status,
                    _ => return Err(bad("orderBy", format!("Tri inconnu « {v} » ; tris possibles : DUE, RECEIVED_ON, REQUESTER, KIND, STATUS."))),
                }
            }
            (ListKind::Requests | ListKind::Breaches, "openOnly") => {
                open_only = boolean("openOnly", v)?
            }
            (ListKind::Requests, "overdueOnly") => rf.overdue_only = boolean("overdueOnly", v)?,
            (_, other) => return Err(unknown(other)),
        }
    }
    let query = match kind {
        ListKind::Activities => ListQuery::Activities {
            filter: ActivityFilter {
                tenant_ids: tenants,
                ids,
                ..af
            },
            sort: asort,
            descending,
        },
        ListKind::Requests => ListQuery::Requests(RequestFilter {
            tenant_ids: tenants,
            open_only,
            descending,
            ..rf
        }),
        ListKind::Breaches => ListQuery::Breaches {
            tenant_ids: tenants,
            open_only,
        },
        ListKind::Processors => ListQuery::Processors {
            tenant_ids: tenants,
        },
    };
    Ok(Asked {
        query,
        format,
        columns,
    })
}

pub async fn list_export(
    State(st): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let scope = match scope_for::<can::ReadGdpr>(&st, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let a = match asked(q) {
        Ok(a) => a,
        Err(r) => return r,
    };
    match lists::export(&st.db, &scope, &a.query, &a.columns, paris_today()).await {
        Ok(doc) => render_download(doc, a.format).await,
        Err(e) => gdpr_problem(e),
    }
}

pub const BILAN: &str = "/exports/gdpr/bilan";

/// `GET /exports/gdpr/bilan?id=…&format=docx|pdf`: a stored yearly bilan, for whoever reads
/// the commune's register.
pub async fn bilan(
    State(st): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let scope = match scope_for::<can::ReadGdpr>(&st, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let (mut id, mut docx) = (None, false);
    for (k, v) in match params(q) {
        Ok(p) => p,
        Err(r) => return r,
    } {
        match k.as_str() {
            "id" => match uuid("id", &v) {
                Ok(i) => id = Some(i),
                Err(r) => return r,
            },
            "format" => match v.as_str() {
                "docx" => docx = true,
                "pdf" => docx = false,
                other => {
                    return bad(
                        "format",
                        format!("Format inconnu « {other} » ; formats possibles : docx, pdf."),
                    )
                }
            },
            other => return bad("query", format!("Paramètre inconnu « {other} ».")),
        }
    }
    let Some(id) = id else {
        return bad("id", "Le paramètre id (le bilan) est obligatoire.".into());
    };
    match tenants::gdpr::bilan::document(&st.db, &scope, id).await {
        Ok(b) => {
            let figures: tenants::gdpr::bilan::figures::BilanFigures =
                serde_json::from_value(b.figures).unwrap_or_default();
            let stem = formats::Document {
                title: format!("bilan-rgpd-{}-{}", b.year, figures.commune),
                subtitle: None,
                sheets: vec![],
                generated_at: b.created_at,
                charts: vec![],
            }
            .file_stem();
            let (media, ext, bytes) = if docx {
                (
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    "docx",
                    b.docx,
                )
            } else {
                ("application/pdf", "pdf", b.pdf)
            };
            (
                [
                    (header::CONTENT_TYPE, media.to_owned()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{stem}.{ext}\""),
                    ),
                ],
                bytes,
            )
                .into_response()
        }
        Err(e) => gdpr_problem(e),
    }
}
