//! `/graphiql`: a GraphQL explorer served from the binary (its HTML, script and style are
//! embedded here), so no script comes from a CDN and the Content-Security-Policy holds. Only
//! when configured on (`MUTUALIS_GRAPHQL_EXPLORER`, on by default in the embedded demo only);
//! otherwise its paths are not found.
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

pub const PATH: &str = "/graphiql";

fn asset(st: &AppState, media: &'static str, body: &'static str) -> Response {
    if !st.config.graphql_explorer {
        return (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "Explorateur GraphQL désactivé (MUTUALIS_GRAPHQL_EXPLORER).",
        )
            .into_response();
    }
    (
        [
            (header::CONTENT_TYPE, media),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

async fn page(State(st): State<AppState>) -> Response {
    asset(
        &st,
        "text/html; charset=utf-8",
        include_str!("explorer/index.html"),
    )
}

async fn script(State(st): State<AppState>) -> Response {
    asset(
        &st,
        "text/javascript; charset=utf-8",
        include_str!("explorer/explorer.js"),
    )
}

async fn style(State(st): State<AppState>) -> Response {
    asset(
        &st,
        "text/css; charset=utf-8",
        include_str!("explorer/explorer.css"),
    )
}

async fn schema(State(st): State<AppState>) -> Response {
    asset(
        &st,
        "text/plain; charset=utf-8",
        include_str!("../../schema.graphql"),
    )
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route(PATH, get(page))
        .route("/graphiql/explorer.js", get(script))
        .route("/graphiql/explorer.css", get(style))
        .route("/graphiql/schema.graphql", get(schema))
}
