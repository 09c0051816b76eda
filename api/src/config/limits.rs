//! Limits: the range check every numeric setting goes through, the rate limits, the time
//! budgets of requests and the largest upload.
use super::defaults;
use super::raw::RawConfig;
use super::{invalid, ConfigError};
use crate::http::limits::{Quota, RateLimits};
use std::fmt::Display;
use std::ops::RangeInclusive;
use std::time::Duration;

/// A number within `range`, or `default` when unset; out of range, the error names `setting`
/// and reads `between <start> and <end><unit>`.
pub(super) fn in_range<T: PartialOrd + Display + Copy>(
    value: Option<T>,
    setting: &'static str,
    default: T,
    range: RangeInclusive<T>,
    unit: &str,
) -> Result<T, ConfigError> {
    match value {
        None => Ok(default),
        Some(n) if range.contains(&n) => Ok(n),
        Some(_) => Err(invalid(
            setting,
            format!("between {} and {}{unit}", range.start(), range.end()),
        )),
    }
}

/// A number of seconds within `range`, or `default` when unset.
pub(super) fn seconds(
    value: Option<u64>,
    setting: &'static str,
    default: u64,
    range: RangeInclusive<u64>,
) -> Result<Duration, ConfigError> {
    in_range(value, setting, default, range, " seconds").map(Duration::from_secs)
}

pub(super) fn rate_limits(raw: &RawConfig) -> Result<RateLimits, ConfigError> {
    let d = RateLimits::default();
    let per_minute = in_range(
        raw.rate_limit_per_minute,
        "MUTUALIS_RATE_LIMIT_PER_MINUTE",
        d.principal.per_minute,
        1..=6_000_000,
        "",
    )?;
    let burst = in_range(
        raw.rate_limit_burst,
        "MUTUALIS_RATE_LIMIT_BURST",
        d.principal.burst,
        1..=1_000_000,
        "",
    )?;
    let ingest = in_range(
        raw.ingest_rate_per_minute,
        "MUTUALIS_INGEST_RATE_PER_MINUTE",
        d.ingest_token.per_minute,
        1..=60_000,
        "",
    )?;
    let failures = in_range(
        raw.auth_failure_burst,
        "MUTUALIS_AUTH_FAILURE_BURST",
        d.auth_failures.burst,
        1..=10_000,
        "",
    )?;
    let hops = in_range(
        raw.trusted_proxy_hops,
        "MUTUALIS_TRUSTED_PROXY_HOPS",
        defaults::TRUSTED_PROXY_HOPS,
        0..=5,
        "",
    )?;
    let prefix = match raw.redis_prefix.as_deref().map(str::trim) {
        None | Some("") => d.key_prefix,
        Some(p)
            if p.len() <= 64
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) =>
        {
            p.to_owned()
        }
        Some(_) => {
            return Err(invalid(
                "MUTUALIS_REDIS_PREFIX",
                "at most 64 letters, digits, '-', '_' or '.'",
            ))
        }
    };
    Ok(RateLimits {
        principal: Quota { per_minute, burst },
        ingest_token: Quota {
            per_minute: ingest,
            burst: ingest.div_ceil(2).max(1),
        },
        auth_failures: Quota {
            per_minute: d.auth_failures.per_minute,
            burst: failures,
        },
        trusted_proxy_hops: hops,
        key_prefix: prefix,
    })
}

/// The largest evidence document or library file accepted, in bytes.
pub(super) fn document_max_bytes(raw: &RawConfig) -> Result<u64, ConfigError> {
    in_range(
        raw.document_max_bytes,
        "MUTUALIS_DOCUMENT_MAX_BYTES",
        defaults::DOCUMENT_MAX_BYTES,
        1024..=200 * 1024 * 1024,
        " bytes (200 MiB)",
    )
}

/// Time budgets: a request, an export or upload, and the drain after SIGTERM.
pub(super) struct TimeBudgets {
    pub request: Duration,
    pub export: Duration,
    pub shutdown_grace: Duration,
}

pub(super) fn time_budgets(raw: &RawConfig) -> Result<TimeBudgets, ConfigError> {
    Ok(TimeBudgets {
        request: seconds(
            raw.request_timeout_secs,
            "MUTUALIS_REQUEST_TIMEOUT_SECS",
            defaults::REQUEST_TIMEOUT_SECS,
            1..=600,
        )?,
        export: seconds(
            raw.export_timeout_secs,
            "MUTUALIS_EXPORT_TIMEOUT_SECS",
            defaults::EXPORT_TIMEOUT_SECS,
            1..=3600,
        )?,
        shutdown_grace: seconds(
            raw.shutdown_grace_secs,
            "MUTUALIS_SHUTDOWN_GRACE_SECS",
            defaults::SHUTDOWN_GRACE_SECS,
            1..=3600,
        )?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_range_reads_as_before() {
        let msg = |r: Result<u64, ConfigError>| r.expect_err("out of range").to_string();
        assert_eq!(
            msg(in_range(Some(0), "X", 1, 1..=5, "")),
            "configuration: X: between 1 and 5"
        );
        assert_eq!(
            seconds(Some(0), "Y", 30, 1..=600)
                .expect_err("out of range")
                .to_string(),
            "configuration: Y: between 1 and 600 seconds"
        );
        assert_eq!(
            msg(in_range(
                Some(1),
                "Z",
                2,
                1024..=200 * 1024 * 1024,
                " bytes (200 MiB)"
            )),
            "configuration: Z: between 1024 and 209715200 bytes (200 MiB)"
        );
        assert_eq!(in_range(None, "X", 7u64, 1..=5, "").ok(), Some(7));
        assert_eq!(in_range(Some(5u64), "X", 7, 1..=5, "").ok(), Some(5));
    }
}
