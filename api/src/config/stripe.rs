//! Stripe: the secret key (its presence turns billing through Stripe on), another
//! Stripe-compatible server, the webhook secret, and whether invoices are sent.
use super::defaults;
use super::raw::{nonempty, RawConfig};
use super::{invalid, ConfigError};
use tenants::secrets::Secret;

#[derive(Debug, Clone)]
pub struct StripeConfig {
    pub secret_key: Secret,
    pub api_base: Option<String>,
    pub webhook_secret: Option<Secret>,
    pub send_invoices: bool,
}

/// `None` without `STRIPE_SECRET_KEY`.
pub(super) fn read(raw: &RawConfig) -> Result<Option<StripeConfig>, ConfigError> {
    match nonempty(&raw.stripe_secret_key) {
        None => Ok(None),
        Some(k) if !(k.starts_with("sk_") || k.starts_with("rk_")) => Err(invalid(
            "STRIPE_SECRET_KEY",
            "a Stripe secret key starts with sk_ (or rk_ for a restricted key)",
        )),
        Some(secret_key) => {
            let api_base = nonempty(&raw.stripe_api_base);
            if let Some(b) = &api_base {
                url::Url::parse(b)
                    .map_err(|e| invalid("STRIPE_API_BASE", format!("not a URL: {e}")))?;
            }
            Ok(Some(StripeConfig {
                secret_key: Secret::new(secret_key),
                api_base,
                webhook_secret: nonempty(&raw.stripe_webhook_secret).map(Secret::new),
                send_invoices: raw
                    .stripe_send_invoices
                    .unwrap_or(defaults::STRIPE_SEND_INVOICES),
            }))
        }
    }
}
