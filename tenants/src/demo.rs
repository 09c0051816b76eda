//! The demo organisation of the one-command start: the Agglomération de la Région de Compiègne
//! from the embedded referential extract, and one demo person per role.
use crate::access::{self, AccessGrantError, AuditorGrantInput};
use crate::directory::{self, DirectoryError, Invitation};
use crate::entities::{app_user, tenant};
use crate::identifiers::Siren;
use crate::referential::{self, Referential, ReferentialError, DEMO_SIREN};
use crate::tenancy::{Permission, Principal};
use chrono::{Duration, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Referential(#[from] ReferentialError),
    #[error(transparent)]
    Directory(#[from] DirectoryError),
    #[error(transparent)]
    Access(#[from] AccessGrantError),
    #[error(transparent)]
    Gdpr(#[from] crate::gdpr::GdprError),
    #[error(transparent)]
    Procurement(#[from] crate::procurement::ProcurementError),
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// (e-mail, role, INSEE code of the commune for tenant roles, label in the login page).
pub const DEMO_PEOPLE: &[(&str, &str, Option<&str>, &str)] = &[
    (
        "dsi@demo.mutualis.invalid",
        "org_admin",
        None,
        "DSI de l'agglomération",
    ),
    ("dpo@demo.mutualis.invalid", "dpo", None, "DPO mutualisé"),
    (
        "mairie-compiegne@demo.mutualis.invalid",
        "commune_admin",
        Some("60159"),
        "Administratrice, mairie de Compiègne",
    ),
    (
        "agent-margny@demo.mutualis.invalid",
        "commune_editor",
        Some("60382"),
        "Agent, mairie de Margny-lès-Compiègne",
    ),
    (
        "auditeur@demo.mutualis.invalid",
        "auditor",
        Some("60159"),
        "Auditeur (accès 30 jours)",
    ),
];

/// Seeds once; later starts find the organisation and change nothing.
pub async fn seed(db: &DatabaseConnection) -> Result<bool, DemoError> {
    let operator = Principal::operator();
    let scope = operator
        .scope(Permission::ManageUsers)
        .map_err(DirectoryError::from)?;
    let r = Referential::demo()?;
    referential::load(db, &r, &indicatif::ProgressBar::hidden()).await?;
    let siren = Siren::parse(DEMO_SIREN).map_err(|e| DbErr::Custom(e.to_string()))?;
    let report = referential::provision(db, &scope, &siren).await?;
    let mut seeded = false;
    for (email, role, insee, _) in DEMO_PEOPLE {
        if app_user::Entity::find()
            .filter(app_user::Column::Email.eq(*email))
            .one(db)
            .await?
            .is_some()
        {
            continue;
        }
        seeded = true;
        let tenant_id = match insee {
            Some(code) => {
                let txn = scope.begin(db).await?;
                let t = scope
                    .find::<tenant::Entity>()
                    .filter(tenant::Column::OrganisationId.eq(report.organisation_id))
                    .filter(tenant::Column::InseeCode.eq(*code))
                    .one(&txn)
                    .await?;
                txn.commit().await?;
                t.map(|t| t.id)
            }
            None => None,
        };
        if *role == "auditor" {
            let auditors = operator
                .scope(Permission::ManageAuditors)
                .map_err(DirectoryError::from)?;
            access::grant_auditor(
                db,
                &auditors,
                AuditorGrantInput {
                    email: (*email).to_owned(),
                    organisation_id: report.organisation_id,
                    tenant_ids: tenant_id.into_iter().collect(),
                    expires_at: Utc::now() + Duration::days(30),
                    reason: "Démonstration".into(),
                },
            )
            .await?;
        } else {
            directory::invite(
                db,
                &scope,
                Invitation {
                    email: (*email).to_owned(),
                    given_name: None,
                    usual_name: None,
                    role: (*role).to_owned(),
                    organisation_id: report.organisation_id,
                    tenant_id,
                },
            )
            .await?;
        }
    }
    let dpo_id = app_user::Entity::find()
        .filter(app_user::Column::Email.eq("dpo@demo.mutualis.invalid"))
        .one(db)
        .await?
        .map(|u| u.id)
        .ok_or_else(|| DbErr::Custom("demo DPO missing".into()))?;
    let dpo = crate::tenancy::resolve_user(db, dpo_id)
        .await
        .map_err(|e| DbErr::Custom(e.to_string()))?;
    let gdpr = crate::gdpr::demo::seed(db, report.organisation_id, &dpo).await?;
    let procurement = crate::procurement::demo::seed(db, report.organisation_id).await?;
    let backups = crate::backups::demo::seed(db, report.organisation_id)
        .await
        .map_err(|e| DbErr::Custom(e.to_string()))?;
    Ok(seeded || report.changed() || gdpr || procurement || backups)
}
