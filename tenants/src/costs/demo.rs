//! The demo's costs: the catalogue of the agglomeration's service commun, which communes
//! subscribe to what, the keys the DSI records for each commune (agents, workstations), and this
//! year's pools allocated by each kind of method: population from the referential, a recorded
//! key, backup GB-month metered from the demo's backup reports, a weighted mix, and fixed
//! shares. The assistance contract runs from July to June, so its computed allocation stays out
//! of the calendar year's billing run: the DSI sees both a run invoiced and one not yet.
use super::catalogue;
use super::methods::{FixedShare, Method, MixPart, BACKUP_METRIC, POPULATION};
use super::pools::{self, PoolInput};
use super::runs;
use super::CostError;
use crate::entities::tenant;
use crate::tenancy::{can, Principal};
use chrono::{Datelike, NaiveDate};
use sea_orm::{ColumnTrait, DatabaseConnection, QueryFilter};
use uuid::Uuid;

/// Agents and workstations of each commune (INSEE code, agents, postes de travail): plausible
/// figures for their size, recorded by the DSI for the year.
const KEYS: &[(&str, i64, i64)] = &[
    ("60159", 880, 610),
    ("60382", 165, 118),
    ("60338", 98, 74),
    ("60667", 62, 41),
    ("60151", 55, 38),
    ("60068", 48, 30),
    ("60665", 44, 33),
    ("60402", 35, 22),
    ("60325", 33, 24),
    ("60156", 31, 20),
    ("60597", 24, 15),
    ("60578", 14, 9),
    ("60067", 12, 8),
    ("60337", 9, 6),
    ("60447", 8, 5),
    ("60600", 7, 5),
    ("60323", 7, 4),
    ("60674", 6, 4),
    ("60326", 6, 3),
    ("60023", 6, 3),
    ("60070", 5, 3),
    ("60579", 4, 3),
];

/// The communes on the mail service (the twelve largest), on the business software, and
/// sharing the local IT assistance (with their fixed shares, in basis points).
const MAIL: &[&str] = &[
    "60159", "60382", "60338", "60667", "60151", "60068", "60665", "60402", "60325", "60156",
    "60597", "60578",
];
const SOFTWARE: &[&str] = &[
    "60159", "60382", "60338", "60667", "60151", "60068", "60665", "60402",
];
/// The communes whose backups the demo reports (see `backups::demo`).
const BACKUP: &[&str] = &["60159", "60382", "60665"];
const ASSISTANCE: &[(&str, u32)] = &[
    ("60674", 3000),
    ("60579", 2500),
    ("60023", 2500),
    ("60070", 2000),
];

fn date(y: i32, m: u32, d: u32) -> Result<NaiveDate, CostError> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| super::bad("periodStart", "no such date"))
}

/// Seeds once (nothing when the organisation has a service). `dsi` does it, as in real life.
pub async fn seed(
    db: &DatabaseConnection,
    organisation_id: Uuid,
    dsi: &Principal,
) -> Result<bool, CostError> {
    let manage = dsi.can::<can::ManageCosts>()?;
    if catalogue::services(db, &manage)
        .await?
        .iter()
        .any(|s| s.organisation_id == organisation_id)
    {
        return Ok(false);
    }
    let txn = manage.begin(db).await?;
    let tenants: Vec<tenant::Model> = manage
        .find::<tenant::Entity>()
        .filter(tenant::Column::OrganisationId.eq(organisation_id))
        .filter(tenant::Column::Kind.ne("organisation"))
        .all(&txn)
        .await?;
    txn.commit().await?;
    let id = |code: &str| {
        tenants
            .iter()
            .find(|t| t.insee_code.as_deref() == Some(code))
            .map(|t| t.id)
    };
    let year = crate::calendar::paris_today().year();
    let since = date(year - 2, 1, 1)?;
    let (start, end) = (date(year, 1, 1)?, date(year, 12, 31)?);

    for (code, agents, postes) in KEYS {
        if let Some(t) = id(code) {
            catalogue::set_key(db, &manage, t, "agents", year, *agents).await?;
            catalogue::set_key(db, &manage, t, "postes", year, *postes).await?;
        }
    }

    let service = |code: &'static str, name: &'static str, unit: &'static str| {
        let manage = manage.clone();
        async move { catalogue::create_service(db, &manage, organisation_id, code, name, unit).await }
    };
    let dpo = service("dpo", "DPO mutualisé", "habitant").await?;
    let mail = service("courriel", "Messagerie collaborative", "agent").await?;
    let backup = service("sauvegarde", "Sauvegarde mutualisée", "GB-mois").await?;
    let software = service(
        "logiciels",
        "Logiciels métiers (état civil, élections, finances)",
        "poste",
    )
    .await?;
    let assistance = service(
        "assistance",
        "Assistance informatique de proximité",
        "intervention",
    )
    .await?;

    let every: Vec<&str> = KEYS.iter().map(|k| k.0).collect();
    let assisted: Vec<&str> = ASSISTANCE.iter().map(|a| a.0).collect();
    for (service_id, communes) in [
        (dpo.id, every.as_slice()),
        (mail.id, MAIL),
        (backup.id, BACKUP),
        (software.id, SOFTWARE),
        (assistance.id, assisted.as_slice()),
    ] {
        for t in communes.iter().filter_map(|c| id(c)) {
            catalogue::subscribe(db, &manage, t, service_id, since, None).await?;
        }
    }

    let key = |k: &str| Method::Key { key: k.into() };
    let to_allocate = [
        (
            dpo.id,
            format!("Temps du DPO mutualisé {year}"),
            start,
            end,
            6_240_000,
            key(POPULATION),
        ),
        (
            mail.id,
            format!("Licences de messagerie {year}"),
            start,
            end,
            2_160_000,
            key("agents"),
        ),
        (
            backup.id,
            format!("Stockage des sauvegardes {year}"),
            start,
            end,
            985_000,
            Method::Usage {
                metric: BACKUP_METRIC.into(),
            },
        ),
        (
            software.id,
            format!("Logiciels métiers {year}"),
            start,
            end,
            4_830_000,
            Method::Mix {
                parts: vec![
                    MixPart {
                        key: POPULATION.into(),
                        weight: 40,
                    },
                    MixPart {
                        key: "postes".into(),
                        weight: 60,
                    },
                ],
            },
        ),
        (
            assistance.id,
            format!("Assistance de proximité {year}-{}", year + 1),
            date(year, 7, 1)?,
            date(year + 1, 6, 30)?,
            1_800_000,
            Method::Percentages {
                shares: ASSISTANCE
                    .iter()
                    .filter_map(|(c, bp)| {
                        id(c).map(|tenant_id| FixedShare {
                            tenant_id,
                            basis_points: *bp,
                        })
                    })
                    .collect(),
            },
        ),
    ];
    for (service_id, label, period_start, period_end, amount_cents, method) in to_allocate {
        let pool = pools::create(
            db,
            &manage,
            organisation_id,
            PoolInput {
                service_id,
                label,
                period_start,
                period_end,
                amount_cents,
                method,
            },
        )
        .await?;
        runs::run(db, &manage, pool.id).await?;
    }
    Ok(true)
}
