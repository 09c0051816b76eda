//! GraphQL at `/graphql` (GraphQL over HTTP: POST JSON, GET for queries only), GraphiQL at
//! `/graphiql`, and the SDL checked in as `api/schema.graphql`.
pub mod alerts;
pub mod backups;
pub mod billing;
pub mod context;
pub mod costs;
pub mod errors;
pub mod gdpr;
pub mod limits;
pub mod loaders;
pub mod maturity;
pub mod mutation;
pub mod procurement;
pub mod query;
pub mod reporting;
pub mod scalars;
pub mod types;

use crate::http::auth::{identify, Caller};
use crate::state::AppState;
use async_graphql::dataloader::DataLoader;
use async_graphql::http::GraphiQLSource;
use async_graphql::parser::types::OperationType;
use async_graphql::{EmptySubscription, Schema};
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{Html, IntoResponse, Response};
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
    reporting::ReportingQuery,
    alerts::AlertQuery,
    maturity::MaturityQuery,
);

#[derive(async_graphql::MergedObject, Default)]
pub struct MutationRoot(
    mutation::PlatformMutation,
    gdpr::GdprMutation,
    procurement::ProcurementMutation,
    backups::BackupMutation,
    costs::CostMutation,
    billing::BillingMutation,
    reporting::ReportingMutation,
    alerts::AlertMutation,
    maturity::MaturityMutation,
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
    .finish()
}

/// The SDL checked in at `api/schema.graphql`.
pub fn sdl() -> String {
    build_schema().sdl()
}

pub async fn graphiql() -> Html<String> {
    Html(
        GraphiQLSource::build()
            .endpoint("/graphql")
            .title("Mutualis — GraphiQL")
            .finish(),
    )
}

pub async fn handle(
    State(st): State<AppState>,
    method: Method,
    headers: HeaderMap,
    req: GraphQLRequest,
) -> Response {
    let mut req = req.into_inner();
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
                return (
                    StatusCode::METHOD_NOT_ALLOWED,
                    [(axum::http::header::ALLOW, "POST")],
                    "mutations must be sent with POST",
                )
                    .into_response();
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
    };
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
            e.extensions
                .get_or_insert_with(Default::default)
                .set("code", errors::code::VALIDATION);
        }
    }
    GraphQLResponse::from(resp).into_response()
}
