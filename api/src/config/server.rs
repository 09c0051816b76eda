//! The server process: its address and public URL, the internal ops port, the log format,
//! the GraphQL explorer and where traces go.
use super::defaults;
use super::raw::{nonempty, RawConfig};
use super::{invalid, ConfigError};
use std::net::SocketAddr;

pub(super) fn listen_addr(raw: &RawConfig) -> Result<SocketAddr, ConfigError> {
    nonempty(&raw.listen_addr)
        .unwrap_or_else(|| defaults::LISTEN_ADDR.into())
        .parse()
        .map_err(|e| {
            invalid(
                "LISTEN_ADDR",
                format!("expected host:port such as 127.0.0.1:8080 ({e})"),
            )
        })
}

/// `PUBLIC_URL`, by default `http://` + the listen address.
pub(super) fn public_url(
    raw: &RawConfig,
    listen_addr: SocketAddr,
) -> Result<url::Url, ConfigError> {
    let public_url = match nonempty(&raw.public_url) {
        Some(u) => {
            url::Url::parse(&u).map_err(|e| invalid("PUBLIC_URL", format!("not a URL: {e}")))?
        }
        None => url::Url::parse(&format!("http://{listen_addr}"))
            .map_err(|e| invalid("LISTEN_ADDR", e.to_string()))?,
    };
    if !matches!(public_url.scheme(), "http" | "https") {
        return Err(invalid("PUBLIC_URL", "must be http:// or https://"));
    }
    Ok(public_url)
}

/// `text` (the default) or `json`: whether logs are JSON lines.
pub(super) fn json_logs(raw: &RawConfig) -> Result<bool, ConfigError> {
    match raw.log_format.as_deref() {
        None | Some("text") => Ok(false),
        Some("json") => Ok(true),
        Some(other) => Err(invalid(
            "MUTUALIS_LOG_FORMAT",
            format!("text or json, not {other:?}"),
        )),
    }
}

/// The internal ops port (health, readiness, metrics), if any: never the public one.
pub(super) fn ops_listen_addr(
    raw: &RawConfig,
    listen_addr: SocketAddr,
) -> Result<Option<SocketAddr>, ConfigError> {
    let ops_listen_addr = match nonempty(&raw.ops_listen_addr) {
        None => None,
        Some(a) => Some(a.parse::<SocketAddr>().map_err(|e| {
            invalid(
                "MUTUALIS_OPS_LISTEN_ADDR",
                format!("expected host:port such as 0.0.0.0:9091 ({e})"),
            )
        })?),
    };
    if ops_listen_addr.is_some_and(|a| a == listen_addr) {
        return Err(invalid(
            "MUTUALIS_OPS_LISTEN_ADDR",
            "must differ from LISTEN_ADDR (the ops port is internal)",
        ));
    }
    Ok(ops_listen_addr)
}

/// The GraphQL explorer at `/graphiql`: by default where the demo login is offered.
pub(super) fn graphql_explorer(raw: &RawConfig, demo: bool) -> bool {
    raw.graphql_explorer.unwrap_or(demo)
}

/// Where traces go (OTLP/HTTP): `None` without `OTEL_EXPORTER_OTLP_ENDPOINT`.
pub(super) fn otlp(raw: &RawConfig) -> Result<Option<crate::telemetry::OtlpSettings>, ConfigError> {
    match nonempty(&raw.otel_exporter_otlp_endpoint) {
        None => Ok(None),
        Some(e) => {
            let endpoint = url::Url::parse(&e)
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https"))
                .ok_or_else(|| {
                    invalid(
                        "OTEL_EXPORTER_OTLP_ENDPOINT",
                        "an http:// or https:// URL, such as http://127.0.0.1:4318",
                    )
                })?;
            Ok(Some(crate::telemetry::OtlpSettings {
                endpoint,
                service_name: nonempty(&raw.otel_service_name)
                    .unwrap_or_else(|| defaults::OTEL_SERVICE_NAME.into()),
            }))
        }
    }
}
