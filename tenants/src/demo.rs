//! The demo organisation of the one-command start: the Agglomération de la Région de Compiègne
//! from the embedded referential extract, and one demo person per role.
use crate::access::{self, AccessGrantError, AuditorGrantInput};
use crate::directory::{self, DirectoryError, Invitation};
use crate::entities::{app_user, tenant};
use crate::identifiers::Siren;
use crate::referential::{self, Referential, ReferentialError, DEMO_SIREN};
use crate::tenancy::{can, Principal};
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
    Backups(#[from] crate::backups::BackupError),
    #[error(transparent)]
    Maturity(#[from] crate::maturity::MaturityError),
    #[error(transparent)]
    Costs(#[from] crate::costs::CostError),
    #[error(transparent)]
    Billing(#[from] crate::billing::BillingError),
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// One person of the demo login, shown in the console's login page.
#[derive(Debug, Clone, Copy)]
pub struct DemoPerson {
    pub email: &'static str,
    /// The role's code (`org_admin`…), never shown to people.
    pub role: &'static str,
    /// INSEE code of the commune, for tenant roles.
    pub insee: Option<&'static str>,
    /// Who they are, in French.
    pub label: &'static str,
    /// What they can do, in French.
    pub description: &'static str,
}

pub const DEMO_PEOPLE: &[DemoPerson] = &[
    DemoPerson {
        email: "dsi@demo.mutualis.invalid",
        role: "org_admin",
        insee: None,
        label: "DSI de l'agglomération",
        description: "Toutes les communes : catalogue de services, coûts et facturation, tableau de bord consolidé.",
    },
    DemoPerson {
        email: "dpo@demo.mutualis.invalid",
        role: "dpo",
        insee: None,
        label: "DPO mutualisé",
        description: "Registres, demandes de droits, violations et maturité de toutes les communes.",
    },
    DemoPerson {
        email: "mairie-compiegne@demo.mutualis.invalid",
        role: "commune_admin",
        insee: Some("60159"),
        label: "Administratrice, mairie de Compiègne",
        description: "Le registre, les contrats, les sauvegardes et les factures de Compiègne ; ses utilisateurs.",
    },
    DemoPerson {
        email: "agent-margny@demo.mutualis.invalid",
        role: "commune_editor",
        insee: Some("60382"),
        label: "Agent, mairie de Margny-lès-Compiègne",
        description: "Tient le registre et les demandes de sa commune ; consulte ses contrats et sauvegardes.",
    },
    DemoPerson {
        email: "auditeur@demo.mutualis.invalid",
        role: "auditor",
        insee: Some("60159"),
        label: "Auditeur (accès 30 jours)",
        description: "Lecture seule et exports du registre de Compiègne, pour 30 jours.",
    },
];

/// Seeds once; later starts find the organisation and change nothing.
pub async fn seed(db: &DatabaseConnection) -> Result<bool, DemoError> {
    seed_with(db, None).await
}

/// The same; `restic_repository` is the local restic repository the embedded start made (when
/// restic is installed), which one demo backup policy then names.
pub async fn seed_with(
    db: &DatabaseConnection,
    restic_repository: Option<&str>,
) -> Result<bool, DemoError> {
    let operator = Principal::operator();
    let scope = operator
        .can::<can::ManageUsers>()
        .map_err(DirectoryError::from)?;
    let r = Referential::demo()?;
    referential::load(db, &r, &indicatif::ProgressBar::hidden()).await?;
    let siren = Siren::parse(DEMO_SIREN).map_err(|e| DbErr::Custom(e.to_string()))?;
    let report = referential::provision(db, &scope, &siren).await?;
    let mut seeded = false;
    for DemoPerson {
        email, role, insee, ..
    } in DEMO_PEOPLE
    {
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
                .can::<can::ManageAuditors>()
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
    let dpo = person(db, "dpo@demo.mutualis.invalid").await?;
    let dsi = person(db, "dsi@demo.mutualis.invalid").await?;
    let org = report.organisation_id;
    let gdpr = crate::gdpr::demo::seed(db, org, &dpo).await?;
    let procurement = crate::procurement::demo::seed(db, org).await?;
    let backups = crate::backups::demo::seed(db, org, restic_repository).await?;
    let maturity = crate::maturity::demo::seed(db, org, &dpo).await?;
    let dpia_models = crate::gdpr::dpia::models::seed_demo(db, org, &dpo).await?;
    // After the backups: the storage pool reads their metering. The billing run invoices the
    // allocations just made, and only those (never a visitor's own costs on a later start).
    let costs = crate::costs::demo::seed(db, org, &dsi).await?;
    let billing = costs && crate::billing::demo::seed(db, org, &dsi).await?;
    Ok(seeded
        || report.changed()
        || gdpr
        || procurement
        || backups
        || maturity
        || dpia_models
        || costs
        || billing)
}

/// A demo person as the principal their login gives.
async fn person(db: &DatabaseConnection, email: &str) -> Result<Principal, DemoError> {
    let id = app_user::Entity::find()
        .filter(app_user::Column::Email.eq(email))
        .one(db)
        .await?
        .map(|u| u.id)
        .ok_or_else(|| DbErr::Custom(format!("demo person {email} missing")))?;
    crate::tenancy::resolve_user(db, id)
        .await
        .map_err(|e| DbErr::Custom(e.to_string()).into())
}
