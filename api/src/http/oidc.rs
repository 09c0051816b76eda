//! OpenID Connect login (authorization code + PKCE + state + nonce) with `openidconnect`,
//! ProConnect-compatible claims (`sub`, `email`, `given_name`, `usual_name`, `siret`).
//!
//! Discovery is lazy and retried: the server starts, and existing sessions keep working, while
//! the provider is down; only new logins get an error page.
//!
//! Logout ends the provider's session too (RP-initiated logout, as ProConnect asks): the ID
//! token is kept for it in an HttpOnly cookie of its own — in the browser that owns it, never
//! in the database — and sent back as `id_token_hint` to the provider's `end_session_endpoint`.
use crate::config::OidcConfig;
use crate::http::auth::{clear_session_cookie, cookie, session_cookie, session_cookie_name};
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{AppendHeaders, Html, IntoResponse, Json, Redirect, Response};
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreGenderClaim, CoreIdToken};
use openidconnect::{
    AdditionalClaims, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndSessionUrl,
    EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl, LogoutRequest, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, PostLogoutRedirectUrl,
    ProviderMetadataWithLogout, RedirectUrl, Scope, TokenResponse, UserInfoClaims,
};
use serde::{Deserialize, Serialize};
use tenants::access::{self, AccessGrantError, IdentityClaims, SESSION_HOURS};
use tokio::sync::RwLock;

type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// ProConnect's claims beyond the standard ones.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct ProConnectClaims {
    pub usual_name: Option<String>,
    pub siret: Option<String>,
}
impl AdditionalClaims for ProConnectClaims {}

#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("the identity provider cannot be reached: {0}")]
    Unreachable(String),
    #[error("the identity provider refused the login: {0}")]
    Refused(String),
    #[error("this login link has expired or was already used")]
    UnknownState,
    #[error("the identity provider's answer failed verification: {0}")]
    Verification(String),
    #[error(transparent)]
    Access(#[from] AccessGrantError),
    #[error("internal error: {0}")]
    Internal(String),
}

pub struct Oidc {
    config: OidcConfig,
    redirect_url: String,
    /// Where the provider sends the browser back after its logout.
    post_logout_url: String,
    http: reqwest::Client,
    client: RwLock<Option<Client>>,
    /// The provider's `end_session_endpoint`, when it has one.
    end_session: RwLock<Option<EndSessionUrl>>,
}

/// The cookie that keeps the ID token for the provider's logout.
pub const ID_TOKEN_COOKIE: &str = "mutualis_idt";
const HOST_ID_TOKEN_COOKIE: &str = "__Host-mutualis_idt";
/// Where the provider returns after its logout.
pub const LOGGED_OUT: &str = "/auth/logged-out";

pub fn id_token_cookie_name(secure: bool) -> &'static str {
    if secure {
        HOST_ID_TOKEN_COOKIE
    } else {
        ID_TOKEN_COOKIE
    }
}

fn id_token_cookie(token: &str, secure: bool, max_age_secs: i64) -> String {
    format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{}",
        id_token_cookie_name(secure),
        if secure { "; Secure" } else { "" }
    )
}

impl Oidc {
    pub fn new(config: OidcConfig, public_url: &url::Url) -> Result<Self, OidcError> {
        let http = reqwest::ClientBuilder::new()
            // No redirects: the library's advice against SSRF through the provider.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(|e| OidcError::Internal(e.to_string()))?;
        let redirect_url = public_url
            .join("auth/callback")
            .map_err(|e| OidcError::Internal(e.to_string()))?
            .to_string();
        let post_logout_url = public_url
            .join(LOGGED_OUT.trim_start_matches('/'))
            .map_err(|e| OidcError::Internal(e.to_string()))?
            .to_string();
        Ok(Self {
            config,
            redirect_url,
            post_logout_url,
            http,
            client: RwLock::new(None),
            end_session: RwLock::new(None),
        })
    }

    /// The client as last discovered (the callback's), or discovered now.
    async fn client(&self) -> Result<Client, OidcError> {
        if let Some(c) = self.client.read().await.as_ref() {
            return Ok(c.clone());
        }
        self.discover().await
    }

    /// Fetches the provider's metadata and keys again and keeps them for the callback. Each
    /// login starts with it: a provider that is down gets the error page instead of a
    /// redirect to a dead address (the cached metadata answered for it), and rotated keys or
    /// endpoints are picked up without a restart.
    async fn discover(&self) -> Result<Client, OidcError> {
        let issuer = IssuerUrl::new(self.config.issuer_url.clone())
            .map_err(|e| OidcError::Internal(e.to_string()))?;
        let metadata = ProviderMetadataWithLogout::discover_async(issuer, &self.http)
            .await
            .map_err(|e| OidcError::Unreachable(e.to_string()))?;
        *self.end_session.write().await =
            metadata.additional_metadata().end_session_endpoint.clone();
        let client = CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.config.client_id.clone()),
            Some(ClientSecret::new(
                self.config.client_secret.expose().to_owned(),
            )),
        )
        .set_redirect_uri(
            RedirectUrl::new(self.redirect_url.clone())
                .map_err(|e| OidcError::Internal(e.to_string()))?,
        );
        *self.client.write().await = Some(client.clone());
        Ok(client)
    }

    /// The provider URL to send the browser to; the request is remembered server-side.
    pub async fn begin(
        &self,
        db: &sea_orm::DatabaseConnection,
        return_to: &str,
    ) -> Result<String, OidcError> {
        let client = self.discover().await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut req = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge);
        for s in ["email", "given_name", "usual_name", "siret"] {
            req = req.add_scope(Scope::new(s.into()));
        }
        let (url, state, nonce) = req.url();
        access::store_login_attempt(
            db,
            state.secret(),
            verifier.secret(),
            nonce.secret(),
            return_to,
        )
        .await
        .map_err(|e| OidcError::Internal(e.to_string()))?;
        Ok(url.to_string())
    }

    /// Finishes a login: checks state, exchanges the code with the PKCE verifier, verifies the
    /// ID token (signature, audience, nonce), reads the user info. Returns the claims, the
    /// page to return to and the ID token (for the logout's `id_token_hint`).
    pub async fn finish(
        &self,
        db: &sea_orm::DatabaseConnection,
        code: &str,
        state: &str,
    ) -> Result<(IdentityClaims, String, String), OidcError> {
        let attempt = access::take_login_attempt(db, state)
            .await
            .map_err(|e| OidcError::Internal(e.to_string()))?
            .ok_or(OidcError::UnknownState)?;
        let client = self.client().await?;
        let token = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| OidcError::Internal(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(attempt.pkce_verifier))
            .request_async(&self.http)
            .await
            .map_err(|e| OidcError::Refused(e.to_string()))?;
        let id_token = token
            .id_token()
            .ok_or_else(|| OidcError::Verification("no ID token in the response".into()))?;
        let claims = id_token
            .claims(&client.id_token_verifier(), &Nonce::new(attempt.nonce))
            .map_err(|e| OidcError::Verification(e.to_string()))?;
        let subject = claims.subject().clone();
        let raw_id_token = id_token.to_string();
        let mut identity = IdentityClaims {
            issuer: claims.issuer().to_string(),
            subject: subject.to_string(),
            email: claims.email().map(|e| e.to_string()),
            given_name: claims
                .given_name()
                .and_then(|n| n.get(None))
                .map(|n| n.to_string()),
            usual_name: None,
            siret: None,
        };
        // ProConnect delivers usual_name and siret through the userinfo endpoint.
        if let Ok(req) = client.user_info(token.access_token().clone(), Some(subject)) {
            match req.request_async(&self.http).await {
                Ok(info) => {
                    let info: UserInfoClaims<ProConnectClaims, CoreGenderClaim> = info;
                    let extra = info.additional_claims();
                    identity.usual_name = extra.usual_name.clone();
                    identity.siret = extra.siret.clone();
                    if identity.email.is_none() {
                        identity.email = info.email().map(|e| e.to_string());
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "userinfo request failed; using ID token claims")
                }
            }
        }
        Ok((identity, attempt.return_to, raw_id_token))
    }

    /// The provider's logout address for the holder of `raw_id_token` (`None`: the provider
    /// has no `end_session_endpoint`, or the token is unreadable; the logout stays local).
    pub async fn logout_url(&self, raw_id_token: &str) -> Option<String> {
        if self.end_session.read().await.is_none() {
            // Not discovered since the start (the login happened before a restart).
            let _ = self.discover().await;
        }
        let endpoint = self.end_session.read().await.clone()?;
        let token: CoreIdToken =
            serde_json::from_value(serde_json::Value::String(raw_id_token.to_owned())).ok()?;
        let back = PostLogoutRedirectUrl::new(self.post_logout_url.clone()).ok()?;
        Some(
            LogoutRequest::from(endpoint)
                .set_id_token_hint(&token)
                .set_client_id(ClientId::new(self.config.client_id.clone()))
                .set_post_logout_redirect_uri(back)
                .set_state(CsrfToken::new_random())
                .http_get_url()
                .to_string(),
        )
    }
}

/// Only a path of this site: no open redirect through `return_to`. The value must start with
/// one `/`, hold no control or space character and no backslash (browsers drop tabs and line
/// breaks, and read `\` as `/`: `/\t/evil.example` was `//evil.example`), and still be on
/// this origin once resolved as a browser resolves a `Location`; anything else means `/`.
pub fn safe_return_to(v: Option<&str>) -> String {
    const BASE: &str = "https://mutualis.invalid/";
    let Some(p) = v else { return "/".into() };
    let plain = p.starts_with('/')
        && !p.starts_with("//")
        && p.len() <= 2000
        && !p
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || c == '\\');
    let same_origin = url::Url::parse(BASE)
        .and_then(|base| base.join(p))
        .is_ok_and(|u| {
            u.scheme() == "https"
                && u.host_str() == Some("mutualis.invalid")
                && u.port().is_none()
                && u.username().is_empty()
        });
    if plain && same_origin {
        p.to_owned()
    } else {
        "/".into()
    }
}

pub fn error_page(status: StatusCode, title: &str, detail: &str) -> Response {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    (
        status,
        Html(format!(
            "<!doctype html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>{t} — Mutualis</title></head>\
             <body><main><h1>{t}</h1><p>{d}</p><p><a href=\"/\">Retour à l'accueil</a></p></main></body></html>",
            t = esc(title),
            d = esc(detail)
        )),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::safe_return_to;

    #[test]
    fn return_to_is_a_path_of_this_site_whatever_the_bypass() {
        for ok in [
            "/",
            "/registre",
            "/demandes?statut=ouverte&page=2",
            "/registre/0193-abc#historique",
            "/%2F%2Fevil.example",
            "/a//b",
        ] {
            assert_eq!(safe_return_to(Some(ok)), ok, "{ok:?}");
        }
        for bad in [
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\n/evil.example",
            "/ /evil.example",
            "//evil.example",
            "///evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/\\/evil.example",
            "\t//evil.example",
            " //evil.example",
            "https://evil.example",
            "http:evil.example",
            "https:/evil.example",
            "//evil.example@mutualis.invalid",
            "javascript:alert(1)",
            "data:text/html,x",
            "evil.example",
            "",
            "/\u{0}//evil.example",
            "/\u{7f}/evil.example",
            "/\u{a0}/evil.example",
            "/\u{2028}/evil.example",
        ] {
            assert_eq!(safe_return_to(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_return_to(None), "/");
    }
}

#[derive(Deserialize)]
pub struct LoginParams {
    return_to: Option<String>,
}

pub async fn login(State(st): State<AppState>, Query(p): Query<LoginParams>) -> Response {
    let Some(oidc) = st.oidc.clone() else {
        return error_page(
            StatusCode::NOT_FOUND,
            "Connexion indisponible",
            "Aucun fournisseur d'identité n'est configuré sur ce serveur.",
        );
    };
    match oidc
        .begin(&st.db, &safe_return_to(p.return_to.as_deref()))
        .await
    {
        Ok(url) => Redirect::to(&url).into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "login could not start");
            error_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Le fournisseur d'identité ne répond pas",
                "La connexion est momentanément impossible. Les sessions ouvertes restent valides ; réessayez dans quelques minutes.",
            )
        }
    }
}

#[derive(Deserialize)]
pub struct CallbackParams {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

pub async fn callback(State(st): State<AppState>, Query(p): Query<CallbackParams>) -> Response {
    let Some(oidc) = st.oidc.clone() else {
        return error_page(
            StatusCode::NOT_FOUND,
            "Connexion indisponible",
            "Aucun fournisseur d'identité n'est configuré.",
        );
    };
    if let Some(err) = p.error {
        return error_page(
            StatusCode::BAD_REQUEST,
            "Connexion refusée",
            &format!(
                "Le fournisseur d'identité a répondu : {err} {}",
                p.error_description.unwrap_or_default()
            ),
        );
    }
    let (Some(code), Some(state)) = (p.code, p.state) else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "Connexion incomplète",
            "La réponse du fournisseur d'identité n'a ni code ni état.",
        );
    };
    let result = match oidc.finish(&st.db, &code, &state).await {
        Ok((claims, return_to, id_token)) => access::login(&st.db, claims)
            .await
            .map(|user| (user, return_to, id_token))
            .map_err(OidcError::from),
        Err(e) => Err(e),
    };
    match result {
        Ok((user_id, return_to, id_token)) => {
            match access::open_session(&st.db, user_id, "oidc").await {
                Ok((secret, _csrf)) => {
                    tracing::info!(user = %user_id, "login");
                    let secure = st.config.secure_cookies();
                    (
                        AppendHeaders([
                            (header::SET_COOKIE, session_cookie(&secret, secure, SESSION_HOURS * 3600)),
                            (header::SET_COOKIE, id_token_cookie(&id_token, secure, SESSION_HOURS * 3600)),
                        ]),
                        Redirect::to(&return_to),
                    )
                        .into_response()
                }
                Err(e) => {
                    tracing::error!(error = %e, "session could not be stored");
                    error_page(StatusCode::SERVICE_UNAVAILABLE, "Connexion impossible", "Réessayez dans quelques instants.")
                }
            }
        }
        Err(OidcError::UnknownState) => error_page(
            StatusCode::BAD_REQUEST,
            "Lien de connexion expiré",
            "Ce lien de connexion a expiré ou a déjà servi. Recommencez la connexion.",
        ),
        Err(OidcError::Access(AccessGrantError::NotInvited(who))) => error_page(
            StatusCode::FORBIDDEN,
            "Compte inconnu",
            &format!("Aucun accès n'est ouvert pour {who}. Demandez une invitation à l'administration de votre commune ou de votre intercommunalité."),
        ),
        Err(OidcError::Unreachable(e)) => {
            tracing::warn!(error = %e, "provider unreachable at callback");
            error_page(StatusCode::SERVICE_UNAVAILABLE, "Le fournisseur d'identité ne répond pas", "Réessayez dans quelques minutes.")
        }
        Err(e) => {
            tracing::warn!(error = %e, "login failed");
            error_page(StatusCode::BAD_REQUEST, "Connexion refusée", "La réponse du fournisseur d'identité n'a pas pu être vérifiée.")
        }
    }
}

/// Ends the session (POST, CSRF-checked by the router's middleware path).
pub async fn logout(State(st): State<AppState>, headers: HeaderMap) -> Response {
    // A logout is a state change: a cross-site form must not end someone's session.
    if !matches!(
        crate::http::auth::identify(&st, &axum::http::Method::POST, &headers).await,
        crate::http::auth::Caller::Authenticated(_)
    ) {
        return error_page(
            StatusCode::FORBIDDEN,
            "Déconnexion refusée",
            "Jeton anti-CSRF manquant ou session inconnue.",
        );
    }
    let secure = st.config.secure_cookies();
    if let Some(secret) = cookie(&headers, session_cookie_name(secure)) {
        if let Err(e) = access::close_session(&st.db, &secret).await {
            tracing::error!(error = %e, "logout could not delete the session");
        }
    }
    // The provider's session too, when the login came from it.
    let provider = match (cookie(&headers, id_token_cookie_name(secure)), &st.oidc) {
        (Some(token), Some(oidc)) if !token.is_empty() => oidc.logout_url(&token).await,
        _ => None,
    };
    let cookies = AppendHeaders([
        (header::SET_COOKIE, clear_session_cookie(secure)),
        (header::SET_COOKIE, id_token_cookie("", secure, 0)),
    ]);
    // The console asks in JSON (a fetch cannot follow a redirect to another origin) and then
    // sends the browser there; a plain form post is redirected.
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    if wants_json {
        (cookies, Json(serde_json::json!({ "logoutUrl": provider }))).into_response()
    } else {
        (cookies, Redirect::to(provider.as_deref().unwrap_or("/"))).into_response()
    }
}

/// Where the provider sends the browser back after its logout: the console's home page (its
/// login page, the session being gone).
pub async fn logged_out() -> Response {
    Redirect::to("/").into_response()
}
