//! Who is calling: a bearer token (scripts) or a session cookie (the console). Cookie-borne
//! state-changing requests must also carry the session's CSRF token in `X-CSRF-Token`.
use crate::state::AppState;
use axum::http::{header, HeaderMap, Method};
use tenants::secrets::{constant_time_eq, sha256_hex};
use tenants::tenancy::{resolve_session_until, resolve_token, AuthError, Principal};

/// The session cookie on plain http (the embedded mode on loopback, tests).
pub const SESSION_COOKIE: &str = "mutualis_session";
/// The session cookie behind https: the `__Host-` prefix makes browsers keep it only when set
/// with `Secure`, `Path=/` and no `Domain`, so no subdomain or plain-http page can plant or
/// shadow it. A browser refuses that prefix without `Secure`, which plain http cannot set:
/// there the cookie keeps its plain name.
pub const HOST_SESSION_COOKIE: &str = "__Host-mutualis_session";

/// The session cookie's name for a server whose public URL is https (`secure`) or not.
pub fn session_cookie_name(secure: bool) -> &'static str {
    if secure {
        HOST_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    }
}
pub const CSRF_HEADER: &str = "x-csrf-token";
pub const UNKNOWN_SESSION: &str = "Session inconnue : reconnectez-vous.";
pub const EXPIRED_SESSION: &str = "Votre session a expiré : reconnectez-vous.";
/// The credentials could not be checked (the database is unreachable): not the caller's fault.
pub const AUTH_UNAVAILABLE: &str =
    "Authentification momentanément indisponible : réessayez dans un instant.";

/// The outcome of looking at a request's credentials.
#[derive(Debug, Clone)]
pub enum Caller {
    Anonymous,
    Authenticated(Principal),
    /// Credentials were sent but do not hold: the message says why (never the secret).
    Rejected(&'static str),
}

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

tokio::task_local! {
    /// The request's caller, resolved once by `limits::api_guard` before the handler runs.
    static CALLER: Caller;
}

/// Runs `fut` (the handler) with the caller already resolved, so `identify` does not look the
/// credentials up a second time.
pub async fn with_caller<F: std::future::Future>(caller: Caller, fut: F) -> F::Output {
    CALLER.scope(caller, fut).await
}

/// The request's caller: the one `limits::api_guard` resolved, else looked up now.
pub async fn identify(state: &AppState, method: &Method, headers: &HeaderMap) -> Caller {
    if let Ok(c) = CALLER.try_with(Caller::clone) {
        return c;
    }
    resolve(state, method, headers).await.0
}

/// Looks the credentials up. The flag is true when they were made up or stolen rather than
/// merely old (unknown or revoked token, unknown session, wrong CSRF token): those failures
/// count towards the address's lockout, expired ones don't.
pub async fn resolve(state: &AppState, method: &Method, headers: &HeaderMap) -> (Caller, bool) {
    if let Some(secret) = bearer(headers) {
        // Keyed by the secret's hash: only the token's holder reaches the entry.
        let key = format!("t:{}", sha256_hex(secret));
        if let Some(p) = state.principals.get(&key) {
            return (Caller::Authenticated(p), false);
        }
        let stamp = state.principals.stamp();
        return match resolve_token(&state.db, secret).await {
            Ok(p) => {
                state.principals.put(key, stamp, &p, None);
                (Caller::Authenticated(p), false)
            }
            Err(AuthError::Expired) => (Caller::Rejected("Jeton d'API expiré."), false),
            Err(AuthError::Db(e)) => {
                tracing::error!(error = %e, "token lookup failed");
                (Caller::Rejected(AUTH_UNAVAILABLE), false)
            }
            Err(_) => (Caller::Rejected("Jeton d'API inconnu ou révoqué."), true),
        };
    }
    let Some(secret) = cookie(headers, session_cookie_name(state.config.secure_cookies())) else {
        return (Caller::Anonymous, false);
    };
    let key = format!("s:{}", sha256_hex(&secret));
    let resolved = match state.principals.get(&key) {
        Some(p) => Ok(p),
        None => {
            let stamp = state.principals.stamp();
            resolve_session_until(&state.db, &secret)
                .await
                .map(|(p, until)| {
                    state.principals.put(key, stamp, &p, Some(until));
                    p
                })
        }
    };
    match resolved {
        Ok(p) => {
            if *method != Method::GET && *method != Method::HEAD {
                // Derived from the secret on every request, cached or not.
                let csrf = tenants::secrets::session_csrf(&secret);
                let sent = headers
                    .get(CSRF_HEADER)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default();
                if !constant_time_eq(sent, &csrf) {
                    return (
                        Caller::Rejected(
                            "En-tête X-CSRF-Token absent ou faux pour une session par cookie : rechargez la page.",
                        ),
                        !sent.is_empty(),
                    );
                }
            }
            (Caller::Authenticated(p), false)
        }
        Err(AuthError::Expired) => (Caller::Rejected(EXPIRED_SESSION), false),
        Err(AuthError::Db(e)) => {
            tracing::error!(error = %e, "session lookup failed");
            (Caller::Rejected(AUTH_UNAVAILABLE), false)
        }
        Err(_) => (Caller::Rejected(UNKNOWN_SESSION), true),
    }
}

/// `Set-Cookie` for a new session.
pub fn session_cookie(secret: &str, secure: bool, max_age_secs: i64) -> String {
    format!(
        "{}={secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{}",
        session_cookie_name(secure),
        if secure { "; Secure" } else { "" }
    )
}

pub fn clear_session_cookie(secure: bool) -> String {
    session_cookie("", secure, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_cookies_are_http_only_lax_and_secure_behind_https() {
        let c = session_cookie("ses_x", true, 3600);
        assert!(c.starts_with("__Host-mutualis_session=ses_x;"), "{c}");
        assert!(!c.contains("Domain"), "{c}");
        assert!(session_cookie("ses_x", false, 1).starts_with("mutualis_session=ses_x;"));
        for part in [
            "mutualis_session=ses_x",
            "HttpOnly",
            "SameSite=Lax",
            "Secure",
            "Max-Age=3600",
            "Path=/",
        ] {
            assert!(c.contains(part), "{c} lacks {part}");
        }
        assert!(!session_cookie("ses_x", false, 1).contains("Secure"));
        assert!(clear_session_cookie(false).contains("Max-Age=0"));
    }

    #[test]
    fn cookies_and_bearer_tokens_are_read_from_headers() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            "a=1; mutualis_session=ses_abc; b=2"
                .parse()
                .expect("header"),
        );
        h.insert(
            header::AUTHORIZATION,
            "Bearer mut_xyz".parse().expect("header"),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("ses_abc"));
        assert_eq!(cookie(&h, "missing"), None);
        assert_eq!(bearer(&h), Some("mut_xyz"));
        h.insert(header::AUTHORIZATION, "Basic abc".parse().expect("header"));
        assert_eq!(bearer(&h), None);
    }
}
