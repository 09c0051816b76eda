//! Demo backups for the demo organisation: the town hall server of Compiègne backed up every
//! night for a month (storage growing, a restore test four months ago), a share in Margny with
//! two failures ten days ago and no run for three nights (late, no restore test: flagged), and a
//! third commune whose nightly run has just failed. Those three are reported by another backup
//! tool through the webhook (dated from the seeding time): their repository's password is not in
//! the configuration, so the restic collector leaves them alone. When the embedded start made a
//! real restic repository, a fourth policy (Lacroix-Saint-Ouen's file server) names it, with the
//! host and tags of its snapshots, and is fed by the collector alone.
use super::policies::{self, PolicyInput};
use super::reports::{self, JobReport};
use super::restore_tests::{self, NewRestoreTest};
use super::BackupError;
use crate::entities::{backup_policy, tenant};
use crate::tenancy::{can, Principal};
use chrono::{Duration, DurationRound, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, PaginatorTrait, QueryFilter};
use uuid::Uuid;

fn input(name: &str, kind: &str, target: &str, host: &str, rpo: i32) -> PolicyInput {
    PolicyInput {
        name: name.into(),
        kind: kind.into(),
        target: target.into(),
        host: host.into(),
        tags: vec!["nightly".into()],
        interval_hours: 24,
        keep_daily: 7,
        keep_weekly: 4,
        keep_monthly: 12,
        keep_yearly: 1,
        rpo_hours: rpo,
        repository: WEBHOOK_REPOSITORY.into(),
        password_ref: "veeam".into(),
    }
}

/// Where the webhook-reported demo policies are kept (another tool's repository).
pub const WEBHOOK_REPOSITORY: &str = "\\\\nas-dsi\\veeam\\mairies";
/// The restic-fed demo policy: the host and tags its snapshots carry, and the name of the
/// repository's password in the configuration.
pub const RESTIC_HOST: &str = "srv-fichiers-lacroix";
pub const RESTIC_TAGS: &[&str] = &["mairie", "nightly"];
pub const RESTIC_PASSWORD_REF: &str = "demo-restic";

/// Seeds once (nothing when the organisation has policies). `restic_repository`: the local
/// repository the embedded start made, if any.
pub async fn seed(
    db: &DatabaseConnection,
    organisation_id: Uuid,
    restic_repository: Option<&str>,
) -> Result<bool, BackupError> {
    let op = Principal::operator();
    let manage = op.can::<can::ManageBackups>()?;
    let txn = manage.begin(db).await?;
    let tenants: Vec<tenant::Model> = manage
        .find::<tenant::Entity>()
        .filter(tenant::Column::OrganisationId.eq(organisation_id))
        .all(&txn)
        .await?;
    let existing = manage
        .find::<backup_policy::Entity>()
        .filter(backup_policy::Column::OrganisationId.eq(organisation_id))
        .count(&txn)
        .await?;
    txn.commit().await?;
    if existing > 0 {
        return Ok(false);
    }
    let by_insee = |code: &str| {
        tenants
            .iter()
            .find(|t| t.insee_code.as_deref() == Some(code))
    };
    let (Some(compiegne), Some(margny)) = (by_insee("60159"), by_insee("60382")) else {
        return Ok(false);
    };
    let now = Utc::now()
        .duration_trunc(Duration::hours(1))
        .unwrap_or_else(|_| Utc::now());
    let tonight = |days: i64| now - Duration::days(days);

    let server = policies::create(
        db,
        &manage,
        compiegne.id,
        input(
            "Serveur de la mairie",
            "server",
            "srv-mairie : fichiers, base état civil",
            "srv-mairie-compiegne",
            36,
        ),
    )
    .await?;
    let share = policies::create(
        db,
        &manage,
        margny.id,
        input(
            "Partage des services",
            "share",
            "\\\\nas-margny\\services",
            "nas-margny",
            48,
        ),
    )
    .await?;
    let mut runs: Vec<(backup_policy::Model, i64, &'static str, i64)> = vec![];
    for d in 0..30 {
        // 40 GB growing by 150 MB a night.
        runs.push((
            server.clone(),
            d,
            "success",
            40_000_000_000 + (30 - d) * 150_000_000,
        ));
    }
    for d in 3..30 {
        // Two failures ten days ago; nothing at all for the last three nights.
        let failed = d == 10 || d == 11;
        runs.push((
            share.clone(),
            d,
            if failed { "failed" } else { "success" },
            12_000_000_000,
        ));
    }
    if let Some(third) = by_insee("60665") {
        let p = policies::create(
            db,
            &manage,
            third.id,
            input(
                "Logiciel de gestion financière",
                "application",
                "Finances (base PostgreSQL)",
                "srv-finances",
                24,
            ),
        )
        .await?;
        for d in 1..30 {
            runs.push((p.clone(), d, "success", 3_000_000_000));
        }
        runs.push((p, 0, "failed", 0));
    }
    let txn = manage.begin(db).await?;
    for (p, days, status, stored) in runs {
        let finished = tonight(days);
        let report = JobReport {
            external_id: format!("demo-{}-{days}", p.id),
            status,
            started_at: Some(finished - Duration::minutes(25)),
            finished_at: finished,
            duration_ms: Some(25 * 60 * 1000),
            bytes_processed: (status != "failed").then_some(stored / 8),
            bytes_added: (status != "failed").then_some(150_000_000),
            files: (status != "failed").then_some(48_210),
            snapshot_id: None,
            message: (status == "failed").then(|| "Échec : destination injoignable".to_owned()),
            stored_bytes: (status != "failed").then_some(stored),
        };
        reports::record(&txn, &p, "webhook", report, now).await?;
    }
    txn.commit().await?;
    if let (Some(repository), Some(lacroix)) = (restic_repository, by_insee("60338")) {
        policies::create(
            db,
            &manage,
            lacroix.id,
            PolicyInput {
                tags: RESTIC_TAGS.iter().map(|t| (*t).to_owned()).collect(),
                repository: repository.into(),
                password_ref: RESTIC_PASSWORD_REF.into(),
                ..input(
                    "Serveur de fichiers de la mairie",
                    "share",
                    "Dossiers partagés des services (restic)",
                    RESTIC_HOST,
                    36,
                )
            },
        )
        .await?;
    }
    let record = op.can::<can::RecordRestoreTests>()?;
    restore_tests::record(
        db,
        &record,
        NewRestoreTest {
            policy_id: server.id,
            performed_at: now - Duration::days(120),
            performed_by: "Service informatique de l'agglomération".into(),
            restored: "Base de l'état civil restaurée sur le serveur de secours".into(),
            duration_seconds: 2 * 3600,
            result: "success".into(),
            notes: "Restauration complète vérifiée avec la mairie (10 actes contrôlés).".into(),
        },
        now,
    )
    .await?;
    Ok(true)
}
