//! Headers every answer carries (tower-http's `SetResponseHeaderLayer`, unless a handler set
//! its own): a Content-Security-Policy that lets the console (Vite's build: module scripts and
//! style sheets from /assets, fonts and data: SVG icons), the explorer and the public register
//! run with no inline script, no framing by any site, no MIME sniffing, no referrer to other
//! sites, and HSTS when the public URL is https.
use axum::http::{header, HeaderName, HeaderValue};
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;

/// `'self'` for everything the pages load, `data:` for images and fonts (DSFR's icons are
/// data: SVGs in its style sheet), no inline script, nothing framed, no `<base>`, forms only
/// here. Inline styles are allowed: React and DSFR set style attributes (the console's
/// end-to-end tests saw them blocked), and a style cannot run script.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; \
     object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// A year, subdomains included: set only behind https (a plain-http deployment would lock
/// its own browsers out).
pub const HSTS: &str = "max-age=31536000; includeSubDomains";

pub fn apply<S: Clone + Send + Sync + 'static>(router: Router<S>, https: bool) -> Router<S> {
    let set = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    let router = router
        .layer(set(
            header::CONTENT_SECURITY_POLICY,
            CONTENT_SECURITY_POLICY,
        ))
        .layer(set(header::X_FRAME_OPTIONS, "DENY"))
        .layer(set(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(set(header::REFERRER_POLICY, "same-origin"))
        .layer(set(
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ));
    if https {
        router.layer(set(header::STRICT_TRANSPORT_SECURITY, HSTS))
    } else {
        router
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use axum::routing::get;
    use tower::ServiceExt;

    async fn headers(https: bool) -> axum::http::HeaderMap {
        let app = apply(Router::new().route("/", get(|| async { "ok" })), https);
        let req = Request::builder().uri("/").body(Body::empty());
        match req {
            Ok(req) => match app.oneshot(req).await {
                Ok(r) => r.headers().clone(),
                Err(never) => match never {},
            },
            Err(e) => panic!("{e}"),
        }
    }

    #[tokio::test]
    async fn hsts_only_behind_https_and_the_rest_everywhere() {
        let plain = headers(false).await;
        assert!(plain.get(header::STRICT_TRANSPORT_SECURITY).is_none());
        assert_eq!(plain[header::X_FRAME_OPTIONS], "DENY");
        assert_eq!(plain[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        let tls = headers(true).await;
        assert_eq!(tls[header::STRICT_TRANSPORT_SECURITY], HSTS);
        let csp = tls[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap_or_default()
            .to_owned();
        assert!(csp.contains("script-src 'self';"), "{csp}");
        let script = csp.split(';').find(|d| d.trim().starts_with("script-src"));
        assert!(script.is_some_and(|d| !d.contains("unsafe")), "{csp}");
    }
}
