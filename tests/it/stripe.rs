//! Stripe in tests: localstripe (its key, URL and lists), the worker's job settings against
//! it, and a proxy that counts the requests sent to it.
use serde_json::{json, Value};

pub const TEST_STRIPE_KEY: &str = "sk_test_mutualis";
pub const TEST_STRIPE_WEBHOOK_SECRET: &str = "whsec_mutualis_test";

/// localstripe, started by tests/services.sh.
pub fn stripe_url() -> String {
    std::env::var("MUTUALIS_TEST_STRIPE_URL").unwrap_or_else(|_| "http://127.0.0.1:8420".into())
}

/// The worker's job settings against localstripe.
pub fn job_settings(worker_id: &str) -> worker::JobSettings {
    worker::JobSettings {
        worker_id: worker_id.into(),
        stripe: Some(std::sync::Arc::new(
            worker::stripe_gateway::AsyncStripe::new(TEST_STRIPE_KEY, Some(&stripe_url()))
                .expect("Stripe client"),
        )),
        send_invoices: false,
        lease: tenants::jobs::LEASE,
        mailer: std::env::var("MUTUALIS_TEST_SMTP_URL").ok().map(|u| {
            std::sync::Arc::new(
                worker::mailer::Mailer::new(&u, "Mutualis <alertes@mutualis.test>")
                    .expect("mailer"),
            )
        }),
        storage: None,
    }
}

/// GET on localstripe's API (all pages): the objects of `path` (e.g. `/v1/invoices?customer=…`).
pub async fn stripe_list(path: &str) -> Vec<Value> {
    let http = reqwest::Client::new();
    let mut out = vec![];
    let mut after: Option<String> = None;
    loop {
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut url = format!("{}{path}{sep}limit=100", stripe_url());
        if let Some(a) = &after {
            url.push_str(&format!("&starting_after={a}"));
        }
        let v: Value = http
            .get(url)
            .basic_auth(TEST_STRIPE_KEY, Some(""))
            .send()
            .await
            .expect("localstripe reachable")
            .json()
            .await
            .expect("JSON");
        let data = v["data"].as_array().cloned().unwrap_or_default();
        after = data
            .last()
            .and_then(|o| o["id"].as_str())
            .map(str::to_owned);
        out.extend(data);
        if v["has_more"] != json!(true) || after.is_none() {
            return out;
        }
    }
}

/// Requests forwarded by `counting_proxy`, by method and path (`GET /v1/customers`).
pub type Tally = std::sync::Arc<std::sync::Mutex<std::collections::BTreeMap<String, u64>>>;

/// A proxy in front of `upstream` (localstripe) that counts the requests it forwards: its URL
/// and the tally.
pub async fn counting_proxy(upstream: &str) -> (String, Tally) {
    use axum::body::Bytes;
    use axum::http::{HeaderMap, Method, StatusCode, Uri};
    let tally: Tally = Default::default();
    let t = tally.clone();
    let http = reqwest::Client::new();
    let upstream = upstream.to_owned();
    let app = axum::Router::new().fallback(
        move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
            let (t, http, upstream) = (t.clone(), http.clone(), upstream.clone());
            async move {
                if let Ok(mut m) = t.lock() {
                    *m.entry(format!("{method} {}", uri.path())).or_default() += 1;
                }
                let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
                let json = [(axum::http::header::CONTENT_TYPE, "application/json")];
                let Ok(m) = reqwest::Method::from_bytes(method.as_str().as_bytes()) else {
                    return (StatusCode::METHOD_NOT_ALLOWED, json, Bytes::new());
                };
                let mut req = http.request(m, format!("{upstream}{path}"));
                for (k, v) in &headers {
                    if k != "host" && k != "content-length" {
                        req = req.header(k.as_str(), v.as_bytes());
                    }
                }
                match req.body(body).send().await {
                    Ok(r) => {
                        let status = StatusCode::from_u16(r.status().as_u16())
                            .unwrap_or(StatusCode::BAD_GATEWAY);
                        (status, json, r.bytes().await.unwrap_or_default())
                    }
                    Err(_) => (StatusCode::BAD_GATEWAY, json, Bytes::new()),
                }
            }
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, tally)
}

/// How many requests of `what` (`GET /v1/customers`) the tally holds.
pub fn tallied(t: &Tally, what: &str) -> u64 {
    t.lock()
        .ok()
        .and_then(|m| m.get(what).copied())
        .unwrap_or(0)
}
