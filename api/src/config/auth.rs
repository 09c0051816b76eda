//! Who may log in: the OpenID Connect provider (required by a PostgreSQL deployment) and the
//! demo login (embedded mode, loopback address only).
use super::raw::{nonempty, RawConfig};
use super::{invalid, ConfigError};
use std::net::SocketAddr;
use tenants::secrets::Secret;

#[derive(Debug, Clone)]
pub struct OidcConfig {
    pub issuer_url: String,
    pub client_id: String,
    pub client_secret: Secret,
}

/// The provider, when its three settings are given together.
pub(super) fn oidc(raw: &RawConfig) -> Result<Option<OidcConfig>, ConfigError> {
    match (
        nonempty(&raw.oidc_issuer_url),
        nonempty(&raw.oidc_client_id),
        nonempty(&raw.oidc_client_secret),
    ) {
        (None, None, None) => Ok(None),
        (Some(issuer_url), Some(client_id), Some(client_secret)) => {
            url::Url::parse(&issuer_url)
                .map_err(|e| invalid("OIDC_ISSUER_URL", format!("not a URL: {e}")))?;
            Ok(Some(OidcConfig {
                issuer_url,
                client_id,
                client_secret: Secret::new(client_secret),
            }))
        }
        (i, c, _) => {
            let missing = if i.is_none() {
                "OIDC_ISSUER_URL"
            } else if c.is_none() {
                "OIDC_CLIENT_ID"
            } else {
                "OIDC_CLIENT_SECRET"
            };
            Err(invalid(
                missing,
                "OpenID Connect needs OIDC_ISSUER_URL, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET together",
            ))
        }
    }
}

/// A PostgreSQL deployment has no login but the provider's.
pub(super) fn require_provider(
    embedded: bool,
    oidc: Option<&OidcConfig>,
) -> Result<(), ConfigError> {
    if !embedded && oidc.is_none() {
        return Err(invalid(
            "OIDC_ISSUER_URL",
            "a PostgreSQL deployment needs an OpenID Connect provider (OIDC_ISSUER_URL, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET)",
        ));
    }
    Ok(())
}

/// Whether the demo login is wanted (`MUTUALIS_DEMO`, by default in the embedded mode).
pub(super) fn demo_wanted(
    raw: &RawConfig,
    embedded: bool,
    listen_addr: SocketAddr,
) -> Result<bool, ConfigError> {
    let demo_wanted = raw.demo.unwrap_or(embedded);
    // An explicit demo request off loopback is an error; the implicit one is just not offered.
    if demo_wanted && !listen_addr.ip().is_loopback() && raw.demo == Some(true) {
        return Err(invalid(
            "MUTUALIS_DEMO",
            format!("the demo login is only offered on a loopback address, not {listen_addr}"),
        ));
    }
    Ok(demo_wanted)
}

/// The demo login: wanted, and on a loopback address.
pub(super) fn demo(demo_wanted: bool, listen_addr: SocketAddr) -> bool {
    demo_wanted && listen_addr.ip().is_loopback()
}

#[cfg(test)]
mod tests {
    use crate::config::{Config, RawConfig};

    fn raw() -> RawConfig {
        RawConfig::default()
    }

    #[test]
    fn demo_is_never_offered_off_loopback() {
        let c = Config::from_raw(RawConfig {
            listen_addr: Some("0.0.0.0:8080".into()),
            ..raw()
        })
        .expect("valid");
        assert!(!c.demo);
        let err = Config::from_raw(RawConfig {
            listen_addr: Some("0.0.0.0:8080".into()),
            demo: Some(true),
            ..raw()
        })
        .expect_err("demo on a public address");
        assert!(err.to_string().contains("MUTUALIS_DEMO"), "{err}");
    }
}
