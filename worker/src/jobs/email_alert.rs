//! Email one new alert to those who want alerts at once (each person once).
use super::Run;
use crate::JobSettings;
use sea_orm::DatabaseConnection;
use tenants::alerts::EmailAlert;
use tenants::entities::job;

impl Run for EmailAlert {
    async fn run(
        self,
        db: &DatabaseConnection,
        s: &JobSettings,
        _: &job::Model,
    ) -> Result<(), String> {
        email_alert(db, s, self.alert_id).await
    }
}

/// Emails one alert to those who want alerts at once (each person once).
async fn email_alert(
    db: &DatabaseConnection,
    s: &JobSettings,
    id: uuid::Uuid,
) -> Result<(), String> {
    use tenants::alerts::deliver;
    let Some(mailer) = &s.mailer else {
        tracing::debug!("no SMTP server configured: the alert is only shown");
        return Ok(());
    };
    let (a, commune) = deliver::load(db, id).await.map_err(|e| e.to_string())?;
    let (subject, body) = deliver::message(&a, &commune);
    for r in deliver::recipients(db, &a)
        .await
        .map_err(|e| e.to_string())?
    {
        if r.mode != "immediate"
            || deliver::delivered(db, a.id, r.user_id)
                .await
                .map_err(|e| e.to_string())?
        {
            continue;
        }
        mailer.send(&r.email, &subject, &body).await?;
        deliver::record(db, &a, r.user_id, "immediate")
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}
