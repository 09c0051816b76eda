//! GraphQL at `/graphql` (GraphQL over HTTP: POST JSON, GET for queries only), and the SDL
//! checked in as `api/schema.graphql` (the explorer at `/graphiql` is `http::explorer`).
pub mod alerts;
pub mod backups;
pub mod billing;
pub mod context;
pub mod costs;
pub mod documents;
pub mod engine_fr;
pub mod errors;
pub mod gdpr;
pub mod gdpr_admin;
pub mod limits;
pub mod loaders;
pub mod maturity;
pub mod mutation;
pub mod opendata;
pub mod page;
pub mod procurement;
pub mod query;
pub mod reporting;
pub mod reversibility;
pub mod scalars;
pub mod text;
pub mod text_bounds;
pub mod types;

use crate::http::auth::{identify, Caller};
use crate::state::AppState;
use async_graphql::dataloader::DataLoader;
use async_graphql::parser::types::OperationType;
use async_graphql::{EmptySubscription, Schema};
use async_graphql_axum::rejection::GraphQLRejection;
use async_graphql_axum::GraphQLRequest;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use context::RequestCtx;
use loaders::TenantLoader;
use tenants::tenancy::Permission;

/// Every module's queries and mutations, merged into the two roots.
#[derive(async_graphql::MergedObject, Default)]
pub struct QueryRoot(
    query::PlatformQuery,
    gdpr::GdprQuery,
    procurement::ProcurementQuery,
    backups::BackupQuery,
    costs::CostQuery,
    billing::BillingQuery,
    billing::identity::BillingIdentityQuery,
    reporting::ReportingQuery,
    alerts::AlertQuery,
    maturity::MaturityQuery,
    gdpr::DpiaQuery,
    documents::DocumentQuery,
    gdpr_admin::GdprActorQuery,
    gdpr_admin::GdprBilanQuery,
    gdpr_admin::GdprListQuery,
    reversibility::ReversibilityQuery,
    opendata::OpenDataQuery,
);

#[derive(async_graphql::MergedObject, Default)]
pub struct MutationRoot(
    mutation::PlatformMutation,
    gdpr::GdprMutation,
    procurement::ProcurementMutation,
    backups::BackupMutation,
    costs::CostMutation,
    billing::BillingMutation,
    billing::identity::BillingIdentityMutation,
    reporting::ReportingMutation,
    alerts::AlertMutation,
    maturity::MaturityMutation,
    gdpr::DpiaMutation,
    documents::DocumentMutation,
    gdpr_admin::GdprActorMutation,
    gdpr_admin::GdprBilanMutation,
    gdpr_admin::GdprListMutation,
    reversibility::ReversibilityMutation,
    opendata::OpenDataMutation,
    gdpr::MadisMutation,
);

pub type MutualisSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// Deep enough for GraphiQL's introspection query (about 13 levels), shallow enough to stop
/// abusive nesting.
pub const MAX_DEPTH: usize = 15;
pub const MAX_COMPLEXITY: usize = 1000;
pub const MAX_ALIASES: usize = 30;

pub fn build_schema() -> MutualisSchema {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        EmptySubscription,
    )
    .limit_depth(MAX_DEPTH)
    .limit_complexity(MAX_COMPLEXITY)
    .limit_recursive_depth(32)
    .limit_directives(10)
    .extension(limits::AliasLimit(MAX_ALIASES))
    .extension(text::NoNulText)
    .extension(text_bounds::TextBounds)
    .finish()
}

/// The SDL checked in at `api/schema.graphql`.
pub fn sdl() -> String {
    build_schema().sdl()
}

/// `application/graphql-response+json`, the GraphQL-over-HTTP media type.
pub const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";

/// The media type of the answer, from the request's `Accept` (GraphQL over HTTP):
/// `application/graphql-response+json` when the client asks for it at least as much as for
/// `application/json`; `application/json` otherwise (no `Accept`, `*/*`, `application/json`, or
/// nothing we serve: the answer is still JSON rather than a 406).
pub fn negotiate(headers: &HeaderMap) -> &'static str {
    let (mut graphql, mut json) = (0.0_f32, 0.0_f32);
    for value in headers.get_all(axum::http::header::ACCEPT) {
        let Ok(value) = value.to_str() else { continue };
        for range in value.split(',') {
            let mut parts = range.split(';');
            let media = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q=").map(str::to_owned))
                .next()
                .and_then(|q| q.trim().parse::<f32>().ok())
                .filter(|q| (0.0..=1.0).contains(q))
                .unwrap_or(1.0);
            match media.as_str() {
                GRAPHQL_RESPONSE_JSON => graphql = graphql.max(q),
                "application/json" => json = json.max(q),
                _ => {}
            }
        }
    }
    if graphql > 0.0 && graphql >= json {
        GRAPHQL_RESPONSE_JSON
    } else {
        "application/json"
    }
}

/// A refusal of the HTTP request itself (before any GraphQL): a JSON body in the GraphQL
/// response shape, with no `data` entry, and `extensions.code` BAD_REQUEST.
fn refuse(status: StatusCode, media: &'static str, message: impl Into<String>) -> Response {
    let body = serde_json::json!({
        "errors": [{ "message": message.into(), "extensions": { "code": errors::code::BAD_REQUEST } }]
    });
    (
        status,
        [(axum::http::header::CONTENT_TYPE, media)],
        body.to_string(),
    )
        .into_response()
}

/// Is this `Content-Type` JSON (`application/json`, any parameters)?
fn is_json(content_type: &str) -> bool {
    content_type
        .split(';')
        .next()
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
}

pub async fn handle(
    State(st): State<AppState>,
    method: Method,
    headers: HeaderMap,
    req: Result<GraphQLRequest, GraphQLRejection>,
) -> Response {
    let media = negotiate(&headers);
    if method == Method::POST {
        // GraphQL over HTTP: a POST says what its body is, and the body is JSON. (Nothing here
        // takes multipart uploads, and a form or text/plain POST is what a forged cross-site
        // request looks like.)
        match headers
            .get(axum::http::header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap_or_default())
        {
            None => {
                return refuse(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    media,
                    "POST /graphql demande l'en-tête Content-Type: application/json.",
                )
            }
            Some(ct) if !is_json(ct) => {
                return refuse(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    media,
                    format!("POST /graphql prend du application/json, pas « {ct} »."),
                )
            }
            Some(_) => {}
        }
    }
    let mut req = match req {
        Ok(r) => r.into_inner(),
        Err(GraphQLRejection(async_graphql::ParseRequestError::PayloadTooLarge)) => {
            return refuse(
                StatusCode::PAYLOAD_TOO_LARGE,
                media,
                "Requête trop volumineuse.",
            )
        }
        Err(GraphQLRejection(e)) => {
            // The body is not a GraphQL request (malformed JSON, a batch, a `query` that is not
            // a string...): 400, whatever the media type.
            let why = match e {
                async_graphql::ParseRequestError::UnsupportedBatch => {
                    "Les requêtes groupées (batch) ne sont pas acceptées.".to_owned()
                }
                // The parser's detail is English: logged, not shown.
                other => {
                    tracing::debug!(error = %other, "not a GraphQL request");
                    "Ce n'est pas une requête GraphQL : le corps doit être un objet JSON avec un champ « query »."
                        .to_owned()
                }
            };
            return refuse(StatusCode::BAD_REQUEST, media, why);
        }
    };
    // `query` is the one parameter a GraphQL-over-HTTP request must have.
    if req.query.trim().is_empty() {
        return refuse(
            StatusCode::BAD_REQUEST,
            media,
            "Ce n'est pas une requête GraphQL : le champ « query » manque ou est vide.",
        );
    }
    // GraphQL over HTTP: a GET must not change anything.
    if method == Method::GET {
        if let Ok(doc) = async_graphql::parser::parse_query(&req.query) {
            let mutates = doc.operations.iter().any(|(name, op)| {
                op.node.ty == OperationType::Mutation
                    && req
                        .operation_name
                        .as_deref()
                        .is_none_or(|n| name.map(|x| x.as_str()) == Some(n))
            });
            if mutates {
                let mut r = refuse(
                    StatusCode::METHOD_NOT_ALLOWED,
                    media,
                    "Une mutation s'envoie en POST.",
                );
                r.headers_mut().insert(
                    axum::http::header::ALLOW,
                    axum::http::HeaderValue::from_static("POST"),
                );
                return r;
            }
        }
    }
    let caller = identify(&st, &method, &headers).await;
    if let Caller::Authenticated(p) = &caller {
        // Logs carry who called and which tenants (or whole organisations) they can reach.
        let span = tracing::Span::current();
        span.record("principal", p.audit_ref());
        let reach: Vec<String> = p
            .grants
            .iter()
            .map(|g| match g.tenant_id {
                Some(t) => t.to_string(),
                None => format!("org:{}", g.organisation_id),
            })
            .collect();
        span.record("tenants", reach.join(","));
    }
    let scope = match &caller {
        Caller::Authenticated(p) => p.scope(Permission::ReadDirectory).ok(),
        _ => None,
    };
    req = req.data(DataLoader::new(
        TenantLoader {
            db: st.db.clone(),
            scope,
        },
        tokio::spawn,
    ));
    let ctx = RequestCtx {
        db: st.db.clone(),
        caller,
        ingest_secret: st.config.ingest_secret.clone(),
        ingest_endpoint: st
            .config
            .public_url
            .join(crate::http::backup_webhook::PATH.trim_start_matches('/'))
            .map(|u| u.to_string())
            .unwrap_or_else(|_| crate::http::backup_webhook::PATH.to_owned()),
        redis: st.redis.clone(),
        wake_list: worker::wake_list(&st.config.rate_limits.key_prefix),
    };
    req = req.data(st.storage.clone());
    req = req
        .data(DataLoader::new(
            gdpr::loaders::GdprLoader::new(&ctx),
            tokio::spawn,
        ))
        .data(ctx);
    let mut resp = st.schema.execute(req).await;
    for e in &mut resp.errors {
        let has_code = e
            .extensions
            .as_ref()
            .is_some_and(|x| x.get("code").is_some());
        if !has_code {
            // The engine's own refusals: French for the reader, the original for developers.
            let ext = e.extensions.get_or_insert_with(Default::default);
            ext.set("code", errors::code::VALIDATION);
            ext.set("detail", e.message.clone());
            e.message = engine_fr::translate(&e.message).unwrap_or_else(|| {
                "La requête GraphQL est invalide (le détail est dans extensions.detail).".to_owned()
            });
        }
    }
    respond(resp, media)
}

/// The answer in the negotiated media type. A request refused before execution (parse or
/// validation errors, variables that do not coerce) has no `data` entry (GraphQL spec, 7.1.2);
/// with `application/graphql-response+json` it is a 400, with `application/json` a 200 like
/// every other answer (GraphQL over HTTP, 6.4.1 and 6.4.2).
pub fn respond(resp: async_graphql::Response, media: &'static str) -> Response {
    let refused = resp.data == async_graphql::Value::Null
        && !resp.errors.is_empty()
        && resp.errors.iter().all(|e| e.path.is_empty());
    let mut headers = resp.http_headers.clone();
    let cache = (resp.is_ok()).then(|| resp.cache_control.value()).flatten();
    let mut body = match serde_json::to_value(&resp) {
        Ok(v) => v,
        Err(e) => {
            tracing::error!(error = %e, "GraphQL response not serialisable");
            return refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                media,
                "Erreur interne du serveur.",
            );
        }
    };
    if refused {
        if let Some(map) = body.as_object_mut() {
            map.remove("data");
        }
    }
    let status = if refused && media == GRAPHQL_RESPONSE_JSON {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    headers.insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static(media),
    );
    if let Some(v) = cache.and_then(|c| axum::http::HeaderValue::from_str(&c).ok()) {
        headers.insert(axum::http::header::CACHE_CONTROL, v);
    }
    let mut out = (status, body.to_string()).into_response();
    out.headers_mut().extend(headers);
    out
}
