//! The daily digests: one email per person in digest mode, listing their new alerts.
use super::Run;
use crate::JobSettings;
use chrono::Utc;
use sea_orm::DatabaseConnection;
use tenants::alerts::Digest;
use tenants::entities::job;

impl Run for Digest {
    async fn run(
        self,
        db: &DatabaseConnection,
        s: &JobSettings,
        _: &job::Model,
    ) -> Result<(), String> {
        send_digests(db, s).await
    }
}

/// The daily digests: one email per person in digest mode, listing their new alerts.
pub async fn send_digests(db: &DatabaseConnection, s: &JobSettings) -> Result<(), String> {
    use tenants::alerts::deliver;
    let Some(mailer) = &s.mailer else {
        return Ok(());
    };
    let now = Utc::now();
    let today = now.with_timezone(&chrono_tz::Europe::Paris).date_naive();
    for (r, alerts) in deliver::digests(db, now, chrono::Duration::days(2))
        .await
        .map_err(|e| e.to_string())?
    {
        let (subject, body) = deliver::digest(&alerts, today);
        mailer.send(&r.email, &subject, &body).await?;
        // One statement for the person's whole digest, not one per alert.
        let sent: Vec<&tenants::entities::alert::Model> = alerts.iter().map(|(a, _)| a).collect();
        deliver::record_all(db, &sent, r.user_id, "digest")
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}
