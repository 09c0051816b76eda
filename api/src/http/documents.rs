//! Evidence documents and the DPO's library over HTTP: uploads as `multipart/form-data`
//! (bounded by `MUTUALIS_DOCUMENT_MAX_BYTES`, the content checked by the domain), downloads as
//! attachments that a browser never renders in the console's origin. Handlers parse, ask for
//! the caller's scope, call `tenants::gdpr::documents`, and map its errors to a JSON problem
//! with a stable `code` and a French `message`.
use crate::http::exports::{fault_response, internal, problem, scope_for};
use crate::http::limits;
use crate::state::AppState;
use axum::extract::multipart::MultipartError;
use axum::extract::{DefaultBodyLimit, Multipart, Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Json, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::NaiveDate;
use serde_json::{json, Value};
use std::collections::HashMap;
use tenants::entities::{gdpr_document, gdpr_document_link, gdpr_resource, gdpr_resource_version};
use tenants::gdpr::documents::library::{self, Content, NewResource, ResourceCategory};
use tenants::gdpr::documents::{check_file, evidence, DocumentError, DocumentKind, LinkTarget};
use tenants::tenancy::can;
use uuid::Uuid;

pub const UPLOAD: &str = "/documents";
pub const DOWNLOAD: &str = "/documents/{id}/file";
pub const LIBRARY_PUBLISH: &str = "/library/resources";
pub const LIBRARY_VERSION: &str = "/library/resources/{id}/versions";
pub const LIBRARY_FILE: &str = "/library/versions/{id}/file";
/// Every route of this module (method, path), for the cross-tenant tests.
pub const ROUTES: &[(&str, &str)] = &[
    ("POST", UPLOAD),
    ("GET", DOWNLOAD),
    ("POST", LIBRARY_PUBLISH),
    ("POST", LIBRARY_VERSION),
    ("GET", LIBRARY_FILE),
];

/// What a form adds to its file: the other fields and the multipart framing.
const FORM_OVERHEAD: usize = 256 * 1024;
/// Fields of a form, and the characters of one text field.
const MAX_FIELDS: usize = 120;
const MAX_FIELD_CHARS: usize = 8_000;

pub fn router(state: &AppState) -> Router<AppState> {
    let max = usize::try_from(state.config.document_max_bytes)
        .unwrap_or(usize::MAX)
        .saturating_add(FORM_OVERHEAD);
    Router::new()
        // The console's « Documents » page has the same address: a reload or a link opens it.
        .route(UPLOAD, post(upload).get(crate::http::console::fallback))
        .route(DOWNLOAD, get(download))
        .route(LIBRARY_PUBLISH, post(publish))
        .route(LIBRARY_VERSION, post(add_version))
        .route(LIBRARY_FILE, get(library_file))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            limits::api_guard,
        ))
        .layer(DefaultBodyLimit::max(max))
}

#[track_caller]
fn document_problem(e: DocumentError) -> Response {
    fault_response("document", e)
}

fn bad(field: &'static str, message: impl Into<String>) -> Response {
    document_problem(DocumentError::BadInput {
        field,
        message: message.into(),
    })
}

fn multipart_problem(e: MultipartError, max: u64) -> Response {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return document_problem(DocumentError::TooLarge { max });
    }
    problem(
        StatusCode::BAD_REQUEST,
        "BAD_REQUEST",
        "Formulaire illisible : envoyez-le en multipart/form-data, le fichier dans le champ « file ».",
    )
}

/// A form read whole: its text fields (repeatable) and its one file.
#[derive(Default)]
struct Form {
    fields: HashMap<String, Vec<String>>,
    file: Option<(String, Vec<u8>)>,
}

impl Form {
    fn one(&self, name: &str) -> Option<&str> {
        self.fields
            .get(name)
            .and_then(|v| v.first())
            .map(String::as_str)
    }
    fn all(&self, name: &str) -> &[String] {
        self.fields.get(name).map(Vec::as_slice).unwrap_or_default()
    }
}

// The error is the finished answer, returned as is.
#[allow(clippy::result_large_err)]
async fn read_form(mut mp: Multipart, max: u64) -> Result<Form, Response> {
    let mut form = Form::default();
    let mut count = 0;
    while let Some(mut field) = mp
        .next_field()
        .await
        .map_err(|e| multipart_problem(e, max))?
    {
        count += 1;
        if count > MAX_FIELDS {
            return Err(bad("form", "Ce formulaire a trop de champs."));
        }
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            if form.file.is_some() {
                return Err(bad("file", "Envoyez un seul fichier à la fois."));
            }
            let file_name = field.file_name().unwrap_or_default().to_owned();
            let mut buf = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(|e| multipart_problem(e, max))? {
                if (buf.len() + chunk.len()) as u64 > max {
                    return Err(document_problem(DocumentError::TooLarge { max }));
                }
                buf.extend_from_slice(&chunk);
            }
            form.file = Some((file_name, buf));
        } else {
            let text = field.text().await.map_err(|e| multipart_problem(e, max))?;
            if text.chars().count() > MAX_FIELD_CHARS {
                return Err(bad(
                    "form",
                    format!(
                        "Le champ « {name} » est trop long ({MAX_FIELD_CHARS} caractères au plus)."
                    ),
                ));
            }
            form.fields.entry(name).or_default().push(text);
        }
    }
    Ok(form)
}

// The error is the answer itself, sent at once (as in exports.rs).
#[allow(clippy::result_large_err)]
fn uuid_field(form: &Form, field: &'static str, what: &str) -> Result<Uuid, Response> {
    form.one(field)
        .and_then(|v| Uuid::parse_str(v.trim()).ok())
        .ok_or_else(|| bad(field, format!("Indiquez {what}.")))
}

pub fn document_json(d: &gdpr_document::Model, links: &[gdpr_document_link::Model]) -> Value {
    json!({
        "id": d.id, "tenantId": d.tenant_id, "kind": d.kind, "title": d.title,
        "documentDate": d.document_date, "fileName": d.file_name, "mediaType": d.media_type,
        "bytes": d.bytes, "sha256": d.sha256, "uploadedBy": d.uploaded_by,
        "uploadedAt": d.uploaded_at,
        "links": links.iter().filter(|l| l.document_id == d.id)
            .map(|l| json!({"targetKind": l.target_kind, "targetId": l.target_id}))
            .collect::<Vec<_>>(),
    })
}

/// `POST /documents` (multipart): `tenantId`, `kind`, `title`, `documentDate` (YYYY-MM-DD),
/// `links` (repeatable, `activity:<id>`, `request:<id>`, `breach:<id>`, `processor:<id>`,
/// `action:<id>`) and `file`. Answers 201 with the document.
pub async fn upload(State(st): State<AppState>, headers: HeaderMap, mp: Multipart) -> Response {
    let scope = match scope_for::<can::EditGdpr>(&st, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let max = st.config.document_max_bytes;
    let mut form = match read_form(mp, max).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let tenant_id = match uuid_field(&form, "tenantId", "la commune (tenantId)") {
        Ok(t) => t,
        Err(r) => return r,
    };
    let Some(kind) = form.one("kind").and_then(|k| DocumentKind::parse(k.trim())) else {
        return bad(
            "kind",
            format!(
                "Choisissez le type du document parmi : {}.",
                DocumentKind::ALL.map(|k| k.code()).join(", ")
            ),
        );
    };
    let Some(date) = form
        .one("documentDate")
        .and_then(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok())
    else {
        return bad("documentDate", "Indiquez la date du document (AAAA-MM-JJ).");
    };
    let mut links = vec![];
    for l in form.all("links") {
        let parsed = l
            .trim()
            .split_once(':')
            .and_then(|(k, id)| Some((LinkTarget::parse(k)?, Uuid::parse_str(id.trim()).ok()?)));
        match parsed {
            Some(p) => links.push(p),
            None => {
                return bad(
                    "links",
                    format!("Lien « {l} » illisible : écrivez activity:<id>, request:<id>, breach:<id>, processor:<id> ou action:<id>."),
                )
            }
        }
    }
    let Some((file_name, bytes)) = form.file.take() else {
        return bad("file", "Joignez le fichier (champ « file »).");
    };
    let file = match check_file(&file_name, bytes, max).await {
        Ok(f) => f,
        Err(e) => return document_problem(e),
    };
    let new = evidence::NewDocument {
        tenant_id,
        kind,
        title: form.one("title").unwrap_or_default().to_owned(),
        document_date: date,
        file,
        links,
    };
    match evidence::upload(&st.db, &st.storage, &scope, new).await {
        Ok((d, links)) => (
            StatusCode::CREATED,
            Json(json!({"document": document_json(&d, &links)})),
        )
            .into_response(),
        Err(e) => document_problem(e),
    }
}

/// `filename*` of RFC 6266 / 8187: UTF-8, percent-encoded.
fn rfc8187(name: &str) -> String {
    name.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// An attachment: never rendered in the console's origin, never sniffed into another type.
fn attachment(media_type: &str, file_name: &str, sha256: &str, bytes: Vec<u8>) -> Response {
    let ascii: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        rfc8187(file_name)
    );
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    let mut set = |name: header::HeaderName, v: &str| {
        if let Ok(v) = HeaderValue::from_str(v) {
            h.insert(name, v);
        }
    };
    set(header::CONTENT_TYPE, media_type);
    set(header::CONTENT_DISPOSITION, &disposition);
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::CACHE_CONTROL, "private, no-store");
    set(
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; sandbox",
    );
    set(header::HeaderName::from_static("x-sha256"), sha256);
    resp
}

/// `GET /documents/{id}/file`: the document, for those who read its commune's register.
pub async fn download(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let scope = match scope_for::<can::ReadGdpr>(&st, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let Ok(id) = Uuid::parse_str(&id) else {
        return document_problem(tenants::tenancy::AccessError::NotFound.into());
    };
    match evidence::download(&st.db, &st.storage, &scope, id).await {
        Ok((d, bytes)) => attachment(&d.media_type, &d.file_name, &d.sha256, bytes),
        Err(e) => document_problem(e),
    }
}

fn resource_json(r: &gdpr_resource::Model, v: &gdpr_resource_version::Model) -> Value {
    json!({
        "resource": {"id": r.id, "organisationId": r.organisation_id, "title": r.title,
                     "category": r.category, "currentVersion": r.current_version},
        "version": {"id": v.id, "version": v.version, "fileName": v.file_name,
                    "mediaType": v.media_type, "bytes": v.bytes, "sha256": v.sha256,
                    "url": v.url, "note": v.note},
    })
}

/// The content of a library form: its file, or its `url`.
async fn content(form: Form, max: u64) -> Result<(Content, Form), Response> {
    let mut form = form;
    match (
        form.file.take(),
        form.one("url").map(str::trim).filter(|u| !u.is_empty()),
    ) {
        (Some(_), Some(_)) => Err(bad("url", "Publiez un fichier ou un lien, pas les deux.")),
        (None, None) => Err(bad(
            "file",
            "Joignez un fichier (champ « file ») ou indiquez un lien (champ « url »).",
        )),
        (None, Some(u)) => Ok((Content::Link(u.to_owned()), form)),
        (Some((name, bytes)), None) => match check_file(&name, bytes, max).await {
            Ok(f) => Ok((Content::File(f), form)),
            Err(e) => Err(document_problem(e)),
        },
    }
}

/// `POST /library/resources` (multipart, the DPO): `organisationId`, `title`, `description`,
/// `category` (template, guide, procedure, other), `note`, and `file` or `url`.
pub async fn publish(State(st): State<AppState>, headers: HeaderMap, mp: Multipart) -> Response {
    let scope = match scope_for::<can::PublishModels>(&st, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let max = st.config.document_max_bytes;
    let form = match read_form(mp, max).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let organisation_id = match uuid_field(
        &form,
        "organisationId",
        "l'intercommunalité (organisationId)",
    ) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let Some(category) = form
        .one("category")
        .and_then(|c| ResourceCategory::parse(c.trim()))
    else {
        return bad(
            "category",
            "Choisissez la catégorie : template, guide, procedure ou other.",
        );
    };
    let (content, form) = match content(form, max).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let new = NewResource {
        organisation_id,
        title: form.one("title").unwrap_or_default().to_owned(),
        description: form.one("description").unwrap_or_default().to_owned(),
        category,
        note: form.one("note").unwrap_or_default().to_owned(),
        content,
    };
    match library::publish(&st.db, &st.storage, &scope, new).await {
        Ok((r, v)) => (StatusCode::CREATED, Json(resource_json(&r, &v))).into_response(),
        Err(e) => document_problem(e),
    }
}

/// `POST /library/resources/{id}/versions` (multipart, the DPO): `note`, and `file` or `url`.
pub async fn add_version(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    mp: Multipart,
) -> Response {
    let scope = match scope_for::<can::PublishModels>(&st, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let Ok(id) = Uuid::parse_str(&id) else {
        return document_problem(tenants::tenancy::AccessError::NotFound.into());
    };
    let max = st.config.document_max_bytes;
    let form = match read_form(mp, max).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let (content, form) = match content(form, max).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let note = form.one("note").unwrap_or_default().to_owned();
    match library::add_version(&st.db, &st.storage, &scope, id, &note, content).await {
        Ok((r, v)) => (StatusCode::CREATED, Json(resource_json(&r, &v))).into_response(),
        Err(e) => document_problem(e),
    }
}

/// `GET /library/versions/{id}/file?tenant=ID`: the version's file (or a redirection to its
/// link), with a read receipt for the commune the person reads for.
pub async fn library_file(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    let scope = match scope_for::<can::ReadGdpr>(&st, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let Ok(id) = Uuid::parse_str(&id) else {
        return document_problem(tenants::tenancy::AccessError::NotFound.into());
    };
    let mut tenant = None;
    for (k, v) in url::form_urlencoded::parse(q.unwrap_or_default().as_bytes()) {
        if k == "tenant" {
            match Uuid::parse_str(&v) {
                Ok(t) => tenant = Some(t),
                Err(_) => {
                    return bad(
                        "tenant",
                        format!("« {v} » n'est pas un identifiant de commune."),
                    )
                }
            }
        }
    }
    match library::open_version(&st.db, &st.storage, &scope, id, tenant).await {
        Ok((v, Some(bytes))) => attachment(
            v.media_type
                .as_deref()
                .unwrap_or("application/octet-stream"),
            v.file_name.as_deref().unwrap_or("document"),
            v.sha256.as_deref().unwrap_or_default(),
            bytes,
        ),
        Ok((v, None)) => match v.url {
            Some(u) => Redirect::to(&u).into_response(),
            None => internal("library version without content", v.id),
        },
        Err(e) => document_problem(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downloads_are_attachments_that_are_never_sniffed() {
        let r = attachment(
            "application/pdf",
            "Délibération n°3 \"finale\".pdf",
            "ab",
            b"%PDF-".to_vec(),
        );
        let h = r.headers();
        let cd = h
            .get(header::CONTENT_DISPOSITION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert!(cd.starts_with("attachment; filename=\""), "{cd}");
        assert!(
            cd.contains("filename*=UTF-8''D%C3%A9lib%C3%A9ration"),
            "{cd}"
        );
        assert!(!cd.contains("\"finale\""), "{cd}");
        assert_eq!(
            h.get(header::X_CONTENT_TYPE_OPTIONS).map(|v| v.as_bytes()),
            Some(&b"nosniff"[..])
        );
        assert_eq!(
            h.get(header::CONTENT_TYPE).map(|v| v.as_bytes()),
            Some(&b"application/pdf"[..])
        );
    }
}
