//! Alert emails: the SMTP server they are sent through and their sender.
use super::defaults;
use super::raw::{nonempty, RawConfig};
use super::{invalid, redact, ConfigError};

#[derive(Clone)]
pub struct SmtpConfig {
    pub url: String,
    pub from: String,
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("url", &redact(&self.url))
            .field("from", &self.from)
            .finish()
    }
}

/// `None` without `MUTUALIS_SMTP_URL` (no email is sent).
pub(super) fn read(raw: &RawConfig) -> Result<Option<SmtpConfig>, ConfigError> {
    match nonempty(&raw.smtp_url) {
        None => Ok(None),
        Some(u) if !(u.starts_with("smtp://") || u.starts_with("smtps://")) => Err(invalid(
            "MUTUALIS_SMTP_URL",
            "must start with smtp:// or smtps://",
        )),
        Some(url) => Ok(Some(SmtpConfig {
            url,
            from: nonempty(&raw.mail_from).unwrap_or_else(|| defaults::MAIL_FROM.into()),
        })),
    }
}
