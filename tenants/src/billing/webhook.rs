//! Stripe webhooks: the `Stripe-Signature` header (`t=<unix>,v1=<hex HMAC-SHA256 of
//! "{t}.{payload}">`, several `v1` during a secret rotation) checked with a five-minute
//! tolerance; each event handled once (its id is recorded); invoice events keep our invoice's
//! status in sync.
use super::BillingError;
use crate::entities::{billing_invoice, billing_stripe_event};
use crate::secrets::constant_time_eq;
use crate::tenancy::{Permission, Scope};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sea_orm::{sea_query::OnConflict, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde::Deserialize;
use sha2::Sha256;

pub const TOLERANCE_SECS: i64 = 300;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("En-tête Stripe-Signature absent.")]
    Missing,
    #[error("L'en-tête Stripe-Signature est mal formé.")]
    Malformed,
    #[error("L'horodatage de la signature s'écarte de plus de cinq minutes.")]
    Stale,
    #[error("Aucune signature ne correspond au contenu reçu.")]
    Mismatch,
}

pub fn sign(secret: &str, t: i64, payload: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .expect("HMAC accepts keys of any length");
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(payload);
    hex::encode(mac.finalize().into_bytes())
}

pub fn verify(
    secret: &str,
    header: Option<&str>,
    payload: &[u8],
    now: DateTime<Utc>,
) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let mut t = None;
    let mut sigs = vec![];
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => sigs.push(v),
            _ => {}
        }
    }
    let t = t.ok_or(SignatureError::Malformed)?;
    if sigs.is_empty() {
        return Err(SignatureError::Malformed);
    }
    // `abs_diff`: `t=-9223372036854775808` overflowed `now - t` (found by fuzzing).
    if now.timestamp().abs_diff(t) > TOLERANCE_SECS.unsigned_abs() {
        return Err(SignatureError::Stale);
    }
    let expected = sign(secret, t, payload);
    if sigs.iter().any(|s| constant_time_eq(s, &expected)) {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

#[derive(Debug, Deserialize)]
struct Event {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    data: EventData,
}

#[derive(Debug, Deserialize)]
struct EventData {
    object: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Handled; the number of our invoices whose status changed.
    Handled(u64),
    Duplicate,
    Ignored,
}

/// Our status for a Stripe invoice event, if the event says one.
fn status_of(kind: &str, object: &serde_json::Value) -> Option<&'static str> {
    match kind {
        "invoice.paid" | "invoice.payment_succeeded" => Some("paid"),
        "invoice.voided" => Some("void"),
        "invoice.finalized" | "invoice.sent" => Some("open"),
        "invoice.updated" => match object["status"].as_str() {
            Some("paid") => Some("paid"),
            Some("void") => Some("void"),
            Some("open") => Some("open"),
            _ => None,
        },
        _ => None,
    }
}

/// What an event asks of us, read from its payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedEvent {
    /// The event id (the duplicate key), at most 255 characters.
    pub id: String,
    /// The event type, at most 100 characters.
    pub kind: String,
    /// Our new status for a Stripe invoice id, when this is an invoice event that says one.
    pub invoice_status: Option<(&'static str, String)>,
}

/// Reads a payload (verified or not: this only parses). Pure, so it can be fuzzed.
pub fn parse_event(payload: &[u8]) -> Result<ParsedEvent, BillingError> {
    let event: Event = serde_json::from_slice(payload).map_err(|e| {
        super::bad::<BillingError>(
            "payload",
            format!("Ce n'est pas un événement Stripe ({e})."),
        )
    })?;
    let invoice_status = match (
        status_of(&event.kind, &event.data.object),
        event.data.object["id"].as_str(),
    ) {
        (Some(status), Some(id)) => Some((status, id.to_owned())),
        _ => None,
    };
    Ok(ParsedEvent {
        id: event.id.chars().take(255).collect(),
        kind: event.kind.chars().take(100).collect(),
        invoice_status,
    })
}

/// Handles a verified payload.
pub async fn handle(db: &DatabaseConnection, payload: &[u8]) -> Result<Outcome, BillingError> {
    let event = parse_event(payload)?;
    let scope = Scope::worker(Permission::ManageCosts);
    let txn = scope.begin(db).await?;
    let fresh = billing_stripe_event::Entity::insert(billing_stripe_event::ActiveModel::from(
        billing_stripe_event::Model {
            id: event.id,
            kind: event.kind,
            received_at: Utc::now(),
        },
    ))
    .on_conflict(
        OnConflict::column(billing_stripe_event::Column::Id)
            .do_nothing()
            .to_owned(),
    )
    .do_nothing()
    .exec_without_returning(&txn)
    .await?;
    if !matches!(fresh, sea_orm::TryInsertResult::Inserted(n) if n > 0) {
        return Ok(Outcome::Duplicate);
    }
    let outcome = match event.invoice_status {
        Some((status, id)) => {
            let changing = billing_invoice::Entity::find()
                .filter(billing_invoice::Column::StripeInvoiceId.eq(id.as_str()))
                .filter(billing_invoice::Column::Status.ne(status))
                .all(&txn)
                .await?;
            let r = billing_invoice::Entity::update_many()
                .col_expr(billing_invoice::Column::Status, status.into())
                .col_expr(billing_invoice::Column::UpdatedAt, Utc::now().into())
                .filter(billing_invoice::Column::StripeInvoiceId.eq(id))
                .filter(billing_invoice::Column::Status.ne(status))
                .exec(&txn)
                .await?;
            // Paid and unpaid figures change: the month's report is recomputed (same
            // transaction, so a lost event cannot leave the report stale).
            for i in &changing {
                crate::jobs::enqueue_change(&txn, i.organisation_id, i.tenant_id, Utc::now())
                    .await?;
            }
            Outcome::Handled(r.rows_affected)
        }
        None => Outcome::Ignored,
    };
    txn.commit().await?;
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn billing_stripe_signatures() {
        let now = Utc::now();
        let t = now.timestamp();
        let body = br#"{"id":"evt_1"}"#;
        let good = format!("t={t},v1={}", sign("whsec_x", t, body));
        assert_eq!(verify("whsec_x", Some(&good), body, now), Ok(()));
        let rotated = format!(
            "t={t},v1={},v1={}",
            sign("old", t, body),
            sign("whsec_x", t, body)
        );
        assert_eq!(verify("whsec_x", Some(&rotated), body, now), Ok(()));
        assert_eq!(
            verify("whsec_y", Some(&good), body, now),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify("whsec_x", Some(&good), b"{}", now),
            Err(SignatureError::Mismatch)
        );
        let old = format!("t={},v1={}", t - 301, sign("whsec_x", t - 301, body));
        assert_eq!(
            verify("whsec_x", Some(&old), body, now),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            verify("whsec_x", None, body, now),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify("whsec_x", Some("v1=abc"), body, now),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify("whsec_x", Some(&format!("t={},v1=0", i64::MIN)), body, now),
            Err(SignatureError::Stale)
        );
    }
}
