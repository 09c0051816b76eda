//! The web console, embedded in the binary by `api/build.rs` (memory-serve): its files at
//! their own paths, and its `index.html` for every other page the console routes itself
//! (`/registre`, `/demandes?statut=…`), whatever directory the server runs from.
//!
//! Caching: Vite names every file under `/assets/` after a hash of its content, so those are
//! kept a year (`immutable`); `index.html` is revalidated on every load (`no-cache`), so a new
//! release is seen at once. Text files are served brotli- or gzip-compressed as negotiated.
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use memory_serve::CacheControl;
use std::sync::OnceLock;
use tower::ServiceExt;

/// Paths that belong to the server: an unknown one is a 404, never the console.
const SERVER_PREFIXES: &[&str] = &[
    "/graphql",
    "/graphiql",
    "/auth/",
    "/exports/",
    "/webhooks/",
    "/public/",
    "/opendata/",
    "/assets/",
    "/healthz",
    "/readyz",
    "/metrics",
];

/// The embedded files, built once (memory-serve leaks its buffers: one router per process).
fn assets() -> Router {
    static ASSETS: OnceLock<Router> = OnceLock::new();
    ASSETS
        .get_or_init(|| {
            memory_serve::load!()
                .index_file(Some("/index.html"))
                .html_cache_control(CacheControl::NoCache)
                .cache_control(CacheControl::Long)
                .enable_brotli(true)
                .enable_gzip(true)
                .into_router()
        })
        .clone()
}

/// The console's files, to merge into the server's router.
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    assets().with_state(())
}

fn is_console_page(method: &Method, path: &str) -> bool {
    if method != Method::GET && method != Method::HEAD {
        return false;
    }
    if SERVER_PREFIXES.iter().any(|p| path.starts_with(p)) {
        return false;
    }
    // A file name (`/favicon.png`) that is not embedded is missing, not a page.
    let last = path.rsplit('/').next().unwrap_or_default();
    !last.contains('.')
}

/// Every request no route took: a console page gets `index.html`, anything else a 404.
pub async fn fallback(req: Request<Body>) -> Response {
    if !is_console_page(req.method(), req.uri().path()) {
        return (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "Page introuvable.",
        )
            .into_response();
    }
    let (mut parts, body) = req.into_parts();
    parts.uri = Uri::from_static("/index.html");
    match assets().oneshot(Request::from_parts(parts, body)).await {
        Ok(r) => r.into_response(),
        Err(never) => match never {},
    }
}

#[cfg(test)]
mod tests {
    use super::is_console_page;
    use axum::http::Method;

    #[test]
    fn console_pages_and_server_paths() {
        for p in [
            "/",
            "/registre",
            "/registre/0193-abc",
            "/demandes",
            "/maturite/evaluation",
        ] {
            assert!(is_console_page(&Method::GET, p), "{p}");
        }
        for p in [
            "/graphql/x",
            "/auth/nowhere",
            "/exports/gdpr/nothing",
            "/assets/missing.js",
            "/favicon.png",
            "/metrics",
        ] {
            assert!(!is_console_page(&Method::GET, p), "{p}");
        }
        assert!(!is_console_page(&Method::POST, "/registre"));
    }
}
