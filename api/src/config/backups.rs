//! Backups: the ingest secret the webhook's signing keys derive from (and the previous one
//! during a rotation), the restic collector's binary, repository passwords and period.
use super::defaults;
use super::limits::seconds;
use super::raw::{nonempty, RawConfig};
use super::{invalid, ConfigError};
use std::path::PathBuf;
use std::time::Duration;
use tenants::backups::collector::ResticSettings;
use tenants::backups::ingest::IngestSecret;
use tenants::backups::restic::ResticPassword;

pub(super) struct Backups {
    /// None: the backup webhook and its tokens are disabled (the embedded mode creates one).
    pub ingest_secret: Option<IngestSecret>,
    pub restic: ResticSettings,
    pub collect_every: Duration,
}

impl Backups {
    pub(super) fn read(raw: &RawConfig) -> Result<Self, ConfigError> {
        Ok(Backups {
            ingest_secret: ingest_secret(raw)?,
            restic: restic(raw)?,
            collect_every: seconds(
                raw.collect_interval_secs,
                "MUTUALIS_COLLECT_INTERVAL_SECS",
                defaults::COLLECT_INTERVAL_SECS,
                10..=86_400,
            )?,
        })
    }
}

fn ingest_secret(raw: &RawConfig) -> Result<Option<IngestSecret>, ConfigError> {
    let ingest_secret = nonempty(&raw.ingest_secret)
        .map(|s| {
            IngestSecret::new(s.into_bytes())
                .map_err(|_| invalid("MUTUALIS_INGEST_SECRET", "at least 32 bytes"))
        })
        .transpose()?;
    match (ingest_secret, nonempty(&raw.ingest_secret_previous)) {
        (s, None) => Ok(s),
        (Some(s), Some(p)) => {
            Ok(Some(s.with_previous(p.into_bytes()).map_err(|_| {
                invalid("MUTUALIS_INGEST_SECRET_PREVIOUS", "at least 32 bytes")
            })?))
        }
        (None, Some(_)) => Err(invalid(
            "MUTUALIS_INGEST_SECRET_PREVIOUS",
            "only beside MUTUALIS_INGEST_SECRET, its replacement",
        )),
    }
}

/// The binary and the repository passwords (`MUTUALIS_RESTIC_PASSWORD_<NAME>`, a value
/// `file:/path` read from that file).
fn restic(raw: &RawConfig) -> Result<ResticSettings, ConfigError> {
    let mut passwords = std::collections::HashMap::new();
    for (name, value) in raw.restic_passwords.iter().flatten() {
        let key = name.trim().to_ascii_lowercase().replace('_', "-");
        let value = match value.strip_prefix("file:") {
            Some(path) => std::fs::read_to_string(path.trim())
                .map(|s| s.trim_end_matches(['\n', '\r']).to_owned())
                .map_err(|e| {
                    invalid(
                        "MUTUALIS_RESTIC_PASSWORD_*",
                        format!("{name}: cannot read {path}: {e}"),
                    )
                })?,
            None => value.clone(),
        };
        if value.is_empty() {
            return Err(invalid(
                "MUTUALIS_RESTIC_PASSWORD_*",
                format!("{name}: empty password"),
            ));
        }
        passwords.insert(key, ResticPassword::new(value));
    }
    Ok(ResticSettings {
        binary: PathBuf::from(
            nonempty(&raw.restic_binary).unwrap_or_else(|| defaults::RESTIC_BINARY.into()),
        ),
        passwords,
        ..ResticSettings::default()
    })
}
