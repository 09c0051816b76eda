//! Rate limits shared by every API process, and the slowing of credential guessing.
//!
//! Buckets are GCRA (a token bucket kept as one timestamp) in Redis, updated by one Lua script so
//! that every API process sees the same count. Without Redis (the embedded mode), or while Redis
//! is unreachable, each process keeps its own buckets: limits then hold per process rather than
//! fail closed, because refusing every request when Redis is down would turn a cache outage into
//! a service outage.
//!
//! Three kinds of bucket:
//! - a principal (user or API token), and an anonymous client address, on the API routes;
//! - an ingest token, on the backup webhook (every delivery, accepted or not);
//! - a client address's failed credentials (unknown session or token, bad signature, refused
//!   login): when it is empty, the address's made-up credentials are answered 429 instead of
//!   401. Valid credentials are never refused for their address: a town hall behind one NAT
//!   keeps working while one of its machines guesses (issue 18). Secrets are 256-bit, so the
//!   lockout is not what stops guessing; it bounds the noise, and the guesser's lookups are
//!   counted in its address's anonymous bucket like any anonymous request.
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, HeaderValue, Request, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// `per_minute` units refill a bucket that holds at most `burst`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    pub per_minute: u32,
    pub burst: u32,
}

impl Quota {
    fn interval_ms(self) -> i64 {
        (60_000 / i64::from(self.per_minute.max(1))).max(1)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimits {
    /// Requests of one user or API token (and of one anonymous address), all processes together.
    pub principal: Quota,
    /// Deliveries signed with one backup ingest token.
    pub ingest_token: Quota,
    /// Failed credentials from one client address before it is refused outright.
    pub auth_failures: Quota,
    /// Reverse proxies in front of the server: the client address is that many entries from the
    /// right of `X-Forwarded-For` (0: the TCP peer).
    pub trusted_proxy_hops: usize,
    /// Prefix of the Redis keys, so that deployments may share one Redis.
    pub key_prefix: String,
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits {
            principal: Quota {
                per_minute: 1200,
                burst: 200,
            },
            ingest_token: Quota {
                per_minute: 60,
                burst: 30,
            },
            // Thirty failures at once, then one every ten seconds: a town hall behind one address
            // whose agents all come back with stale cookies gets through, a guesser crawls.
            auth_failures: Quota {
                per_minute: 6,
                burst: 30,
            },
            trusted_proxy_hops: 0,
            key_prefix: "mutualis".into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    Principal,
    Anonymous,
    IngestToken,
    AuthFailures,
}

impl Bucket {
    fn name(self) -> &'static str {
        match self {
            Bucket::Principal => "principal",
            Bucket::Anonymous => "anonymous",
            Bucket::IngestToken => "ingest",
            Bucket::AuthFailures => "authfail",
        }
    }
}

/// GCRA: `tat` is when the bucket will be full again. Returns the new `tat`, or how many
/// milliseconds to wait before one more unit fits. Written again in Lua below (same arithmetic).
pub fn gcra(tat: Option<i64>, now: i64, quota: Quota) -> Result<i64, i64> {
    let interval = quota.interval_ms();
    let new_tat = tat.unwrap_or(now).max(now) + interval;
    let wait = new_tat - now - interval * i64::from(quota.burst.max(1));
    if wait > 0 {
        Err(wait)
    } else {
        Ok(new_tat)
    }
}

/// KEYS[1] the bucket; ARGV: interval ms, burst, 1 to take a unit or 0 to only look.
/// Returns 0 when the unit fits, else the milliseconds to wait. Redis's own clock is used so that
/// processes with skewed clocks agree.
const GCRA_LUA: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + interval
local wait = new_tat - now - interval * tonumber(ARGV[2])
if wait > 0 then return wait end
if ARGV[3] == '1' then redis.call('SET', KEYS[1], new_tat, 'PX', new_tat - now) end
return 0
";

/// How long a rate-limit call may wait for Redis before the local buckets answer instead.
const REDIS_BUDGET: Duration = Duration::from_millis(250);
/// After a Redis failure, the local buckets answer for this long before Redis is tried again,
/// so an outage costs one timeout, not one per request.
const REDIS_BACKOFF_MS: i64 = 5_000;
/// Local buckets kept before the full ones are dropped.
const LOCAL_MAX: usize = 100_000;

pub struct Limiter {
    limits: RateLimits,
    redis: crate::redis_slot::RedisSlot,
    local: Mutex<HashMap<String, i64>>,
    redis_down_until: AtomicI64,
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

impl Limiter {
    pub fn new(limits: RateLimits, redis: crate::redis_slot::RedisSlot) -> Self {
        Limiter {
            limits,
            redis,
            local: Mutex::new(HashMap::new()),
            redis_down_until: AtomicI64::new(0),
        }
    }

    pub fn limits(&self) -> &RateLimits {
        &self.limits
    }

    fn quota(&self, bucket: Bucket) -> Quota {
        match bucket {
            Bucket::Principal | Bucket::Anonymous => self.limits.principal,
            Bucket::IngestToken => self.limits.ingest_token,
            Bucket::AuthFailures => self.limits.auth_failures,
        }
    }

    /// Takes one unit from `id`'s bucket; `Err` carries how long to wait.
    pub async fn take(&self, bucket: Bucket, id: &str) -> Result<(), Duration> {
        self.run(bucket, id, true).await
    }

    /// Whether one more unit would fit, without taking it.
    pub async fn check(&self, bucket: Bucket, id: &str) -> Result<(), Duration> {
        self.run(bucket, id, false).await
    }

    async fn run(&self, bucket: Bucket, id: &str, take: bool) -> Result<(), Duration> {
        let quota = self.quota(bucket);
        let key = format!("{}:rl:{}:{id}", self.limits.key_prefix, bucket.name());
        let wait_ms = match self.redis_wait(&key, quota, take).await {
            Some(w) => w,
            None => self.local_wait(key, quota, take),
        };
        if wait_ms > 0 {
            metrics::counter!("mutualis_rate_limited_total", "bucket" => bucket.name())
                .increment(1);
            Err(Duration::from_millis(u64::try_from(wait_ms).unwrap_or(1)))
        } else {
            Ok(())
        }
    }

    /// The wait Redis computed, or None when Redis is absent or failing.
    async fn redis_wait(&self, key: &str, quota: Quota, take: bool) -> Option<i64> {
        let mut conn = self.redis.get()?;
        if now_ms() < self.redis_down_until.load(Ordering::Relaxed) {
            return None;
        }
        let mut cmd = redis::cmd("EVAL");
        cmd.arg(GCRA_LUA)
            .arg(1)
            .arg(key)
            .arg(quota.interval_ms())
            .arg(quota.burst.max(1))
            .arg(u8::from(take));
        let call = cmd.query_async::<i64>(&mut conn);
        match tokio::time::timeout(REDIS_BUDGET, call).await {
            Ok(Ok(wait)) => Some(wait),
            outcome => {
                let why = match outcome {
                    Ok(Err(e)) => e.to_string(),
                    _ => "timed out".into(),
                };
                tracing::warn!(error = %why, "rate limits: Redis unavailable, this process's own buckets answer");
                metrics::counter!("mutualis_rate_limit_local_fallback_total").increment(1);
                self.redis_down_until
                    .store(now_ms() + REDIS_BACKOFF_MS, Ordering::Relaxed);
                None
            }
        }
    }

    fn local_wait(&self, key: String, quota: Quota, take: bool) -> i64 {
        let now = now_ms();
        let mut map = match self.local.lock() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        };
        if map.len() >= LOCAL_MAX {
            map.retain(|_, tat| *tat > now);
        }
        match gcra(map.get(&key).copied(), now, quota) {
            Ok(new_tat) => {
                if take {
                    map.insert(key, new_tat);
                }
                0
            }
            Err(wait) => wait,
        }
    }
}

/// The client's address: the TCP peer, or with `hops` trusted proxies the entry they appended
/// to `X-Forwarded-For` (entries further left are the client's own claims, never trusted).
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, hops: usize) -> IpAddr {
    if hops == 0 {
        return peer;
    }
    let entries: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    entries
        .len()
        .checked_sub(hops)
        .and_then(|i| entries.get(i))
        .and_then(|s| s.parse().ok())
        .unwrap_or(peer)
}

/// 503 with `Retry-After` when the credentials could not be checked (the database is down): a
/// client must retry, not send its user back to the login page.
pub fn unavailable(path: &str) -> Response {
    refusal(
        path,
        StatusCode::SERVICE_UNAVAILABLE,
        "SERVICE_UNAVAILABLE",
        "Le service est momentanément indisponible (base de données injoignable) : réessayez dans un instant.".into(),
        5,
    )
}

/// 429 with `Retry-After`, shaped for the route: a GraphQL error on `/graphql`, a French page
/// on the browser's login routes, a JSON problem elsewhere.
pub fn too_many(path: &str, wait: Duration) -> Response {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    if path.starts_with("/auth/") {
        let mut resp = axum::response::Html(format!(
            "<!doctype html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>Trop de tentatives — Mutualis</title></head>\
             <body><main><h1>Trop de tentatives</h1><p>Trop de tentatives de connexion depuis cette adresse. \
             Réessayez dans {secs} secondes.</p></main></body></html>"
        ))
        .into_response();
        *resp.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        retry_after(&mut resp, secs);
        return resp;
    }
    refusal(
        path,
        StatusCode::TOO_MANY_REQUESTS,
        "RATE_LIMITED",
        format!("Trop de requêtes : réessayez dans {secs} s."),
        secs,
    )
}

/// A refusal before the handler: a GraphQL error on `/graphql`, a JSON problem elsewhere.
pub(crate) fn refusal(
    path: &str,
    status: StatusCode,
    code: &str,
    message: String,
    secs: u64,
) -> Response {
    let body = if path == "/graphql" {
        json!({"errors": [{"message": message, "extensions": {"code": code, "retryAfterSecs": secs}}]})
    } else {
        json!({"code": code, "message": message, "retryAfterSecs": secs})
    };
    let mut resp = axum::Json(body).into_response();
    *resp.status_mut() = status;
    retry_after(&mut resp, secs);
    resp
}

fn retry_after(resp: &mut Response, secs: u64) {
    if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
        resp.headers_mut().insert(header::RETRY_AFTER, v);
    }
}

/// The request's client address, as the buckets key it.
fn client_address(st: &AppState, req: &Request<Body>) -> String {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::from([127, 0, 0, 1]));
    client_ip(peer, req.headers(), st.limiter.limits().trusted_proxy_hops).to_string()
}

/// The API routes: the caller is identified once (handlers read it back), a principal's requests
/// are counted in its bucket, an anonymous one's in its address's, and unknown credentials count
/// as failures of the address; once it has failed too often, its failures are answered 429.
pub async fn api_guard(State(st): State<AppState>, req: Request<Body>, next: Next) -> Response {
    use crate::http::auth::{self, Caller};
    let path = req.uri().path().to_owned();
    let ip = client_address(&st, &req);
    let (caller, guessed) = auth::resolve(&st, req.method(), req.headers()).await;
    if matches!(caller, Caller::Rejected(why) if why == auth::AUTH_UNAVAILABLE) {
        return unavailable(&path);
    }
    if guessed {
        // Within the address's allowance the answer is the handler's (401 or UNAUTHENTICATED).
        if let Err(wait) = st.limiter.take(Bucket::AuthFailures, &ip).await {
            tracing::warn!(client = %ip, "made-up credentials: too many failures from this address");
            let _ = st.limiter.take(Bucket::Anonymous, &ip).await;
            return too_many(&path, wait);
        }
    }
    let counted = match &caller {
        Caller::Authenticated(p) => st.limiter.take(Bucket::Principal, &p.audit_ref()).await,
        _ => st.limiter.take(Bucket::Anonymous, &ip).await,
    };
    if let Err(wait) = counted {
        return too_many(&path, wait);
    }
    // A browser holding a dead session cookie stops sending it (and counting as a failure).
    let stale = matches!(caller, Caller::Rejected(why) if why == auth::UNKNOWN_SESSION || why == auth::EXPIRED_SESSION);
    let mut resp = auth::with_caller(caller, next.run(req)).await;
    if stale {
        if let Ok(v) =
            HeaderValue::from_str(&auth::clear_session_cookie(st.config.secure_cookies()))
        {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    resp
}

/// Login and webhook routes: a refusal (401, 403, or 400 on the login callback) counts as a
/// failure of the address; once it has failed too often, its refusals are answered 429. A
/// login or a delivery that holds goes through whatever its address did before.
pub async fn credentials_guard(
    State(st): State<AppState>,
    req: Request<Body>,
    next: Next,
) -> Response {
    let path = req.uri().path().to_owned();
    let ip = client_address(&st, &req);
    // Every delivery signed with an ingest token counts against that token, whatever its fate.
    if path == crate::http::backup_webhook::PATH {
        let token = req
            .headers()
            .get("x-mutualis-token")
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|t| t.starts_with("ing_") && t.len() <= 100)
            .map(str::to_owned);
        if let Some(token) = token {
            if let Err(wait) = st.limiter.take(Bucket::IngestToken, &token).await {
                return too_many(&path, wait);
            }
        }
    }
    let resp = next.run(req).await;
    let failed = matches!(
        resp.status(),
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
    ) || (path == "/auth/callback" && resp.status() == StatusCode::BAD_REQUEST);
    if failed {
        if let Err(wait) = st.limiter.take(Bucket::AuthFailures, &ip).await {
            tracing::warn!(client = %ip, path = %path, "refused: too many failures from this address");
            return too_many(&path, wait);
        }
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_lets_its_burst_through_then_refills_at_its_rate() {
        let q = Quota {
            per_minute: 60,
            burst: 3,
        };
        let mut tat = None;
        for _ in 0..3 {
            tat = Some(gcra(tat, 0, q).expect("within the burst"));
        }
        assert_eq!(gcra(tat, 0, q), Err(1000), "the fourth waits one interval");
        assert!(gcra(tat, 999, q).is_err());
        assert!(gcra(tat, 1000, q).is_ok(), "one unit back after a second");
        // A bucket left alone is full again, not fuller.
        let later = gcra(tat, 1_000_000, q).expect("refilled");
        assert_eq!(later, 1_001_000);
    }

    #[test]
    fn the_client_address_comes_from_trusted_proxies_only() {
        let peer: IpAddr = "10.0.0.5".parse().expect("ip");
        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            HeaderValue::from_static("6.6.6.6, 203.0.113.7"),
        );
        assert_eq!(
            client_ip(peer, &h, 0),
            peer,
            "no proxy: the header is a claim"
        );
        assert_eq!(client_ip(peer, &h, 1).to_string(), "203.0.113.7");
        assert_eq!(client_ip(peer, &h, 2).to_string(), "6.6.6.6");
        assert_eq!(client_ip(peer, &h, 3), peer, "fewer entries than proxies");
        h.insert("x-forwarded-for", HeaderValue::from_static("junk"));
        assert_eq!(client_ip(peer, &h, 1), peer);
    }

    #[test]
    fn refusals_say_when_to_retry() {
        let r = too_many("/graphql", Duration::from_millis(1500));
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(
            r.headers().get(header::RETRY_AFTER).map(|v| v.as_bytes()),
            Some(&b"2"[..])
        );
    }
}
