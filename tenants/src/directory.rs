//! Organisations, tenants and the people who work in them.
use crate::audit::{self, AuditError, Entry};
use crate::collation::OrderByName;
use crate::entities::{app_user, membership, organisation, tenant};
use crate::identifiers::Email;
use crate::paging::{self, PageReq, Paged};
use crate::tenancy::{can, AccessError, Can, Permission, Role, Scope};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QueryOrder, Set,
};
use serde_json::json;
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error("{field}: {message}")]
    BadInput {
        field: &'static str,
        message: String,
    },
    #[error("{0}")]
    Conflict(String),
    /// Roles are given by someone else: nobody grants a role to themselves.
    #[error(
        "personne ne peut s'attribuer un rôle à soi-même : demandez-le à un autre administrateur"
    )]
    SelfGrant,
    #[error(transparent)]
    Audit(#[from] AuditError),
    #[error(transparent)]
    Db(#[from] DbErr),
}

impl crate::fault::Classify for DirectoryError {
    fn fault(&self) -> crate::fault::Fault {
        use crate::fault::Fault;
        match self {
            DirectoryError::Access(e) => e.fault(),
            DirectoryError::BadInput { field, message } => Fault::bad(field, message),
            DirectoryError::Conflict(m) => Fault::conflict(m),
            DirectoryError::SelfGrant => Fault::Forbidden(self.to_string()),
            _ => Fault::Internal,
        }
    }
}

crate::fault::bad_input_variant!(DirectoryError);

use crate::fault::bad;

pub async fn organisations(
    db: &DatabaseConnection,
    scope: &Scope,
) -> Result<Vec<organisation::Model>, DbErr> {
    let txn = scope.begin(db).await?;
    let rows = scope
        .find::<organisation::Entity>()
        .order_by_name(organisation::Column::Name)
        .all(&txn)
        .await?;
    txn.commit().await?;
    Ok(rows)
}

pub struct TenantFilter {
    pub organisation_id: Option<Uuid>,
    /// Case-insensitive match on the name, or an exact INSEE code.
    pub search: Option<String>,
    /// `commune` (member communes) or `organisation` (the organisation's own tenant).
    pub kind: Option<String>,
    pub offset: u64,
    pub limit: u64,
}

pub async fn tenants(
    db: &DatabaseConnection,
    scope: &Scope,
    f: &TenantFilter,
) -> Result<Paged<tenant::Model>, DbErr> {
    let txn = scope.begin(db).await?;
    let mut q = scope.find::<tenant::Entity>();
    if let Some(o) = f.organisation_id {
        q = q.filter(tenant::Column::OrganisationId.eq(o));
    }
    if let Some(k) = &f.kind {
        q = q.filter(tenant::Column::Kind.eq(k.as_str()));
    }
    if let Some(s) = f.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        q = q.filter(
            sea_orm::Condition::any()
                .add(tenant::Column::InseeCode.eq(s.to_uppercase()))
                .add(
                    sea_orm::sea_query::Expr::expr(sea_orm::sea_query::Func::lower(
                        sea_orm::sea_query::Expr::col(tenant::Column::Name),
                    ))
                    .like(format!("%{}%", s.to_lowercase().replace('%', "\\%"))),
                ),
        );
    }
    let q = q
        .order_by_name(tenant::Column::Name)
        .order_by_asc(tenant::Column::Id);
    let rows = paging::select(&txn, q, PageReq::new(f.offset, f.limit)).await?;
    txn.commit().await?;
    Ok(rows)
}

pub async fn tenants_by_ids(
    db: &DatabaseConnection,
    scope: &Scope,
    ids: &[Uuid],
) -> Result<Vec<tenant::Model>, DbErr> {
    let txn = scope.begin(db).await?;
    let rows = scope
        .find::<tenant::Entity>()
        .filter(tenant::Column::Id.is_in(ids.to_vec()))
        .all(&txn)
        .await?;
    txn.commit().await?;
    Ok(rows)
}

pub async fn tenant(
    db: &DatabaseConnection,
    scope: &Scope,
    id: Uuid,
) -> Result<tenant::Model, DirectoryError> {
    tenants_by_ids(db, scope, &[id])
        .await?
        .pop()
        .ok_or(DirectoryError::Access(AccessError::NotFound))
}

/// The organisation's own tenant, where organisation-level actions are audited.
pub(crate) async fn organisation_tenant<C: ConnectionTrait>(
    c: &C,
    scope: &Scope,
    organisation_id: Uuid,
) -> Result<tenant::Model, DirectoryError> {
    Ok(scope.organisation_tenant(c, organisation_id).await??)
}

/// A person and the memberships of theirs that the scope may see.
#[derive(Debug, Clone)]
pub struct Person {
    pub user: app_user::Model,
    pub memberships: Vec<membership::Model>,
}

pub async fn people(
    db: &DatabaseConnection,
    scope: &Scope,
    organisation_id: Option<Uuid>,
) -> Result<Vec<Person>, DbErr> {
    let txn = scope.begin(db).await?;
    let mut q = scope.find::<membership::Entity>();
    if let Some(o) = organisation_id {
        q = q.filter(membership::Column::OrganisationId.eq(o));
    }
    let memberships = q.all(&txn).await?;
    let mut user_ids: Vec<Uuid> = memberships.iter().map(|m| m.user_id).collect();
    user_ids.sort();
    user_ids.dedup();
    let users = app_user::Entity::find()
        .filter(app_user::Column::Id.is_in(user_ids))
        .order_by_asc(app_user::Column::Email)
        .all(&txn)
        .await?;
    txn.commit().await?;
    Ok(users
        .into_iter()
        .map(|u| Person {
            memberships: memberships
                .iter()
                .filter(|m| m.user_id == u.id)
                .cloned()
                .collect(),
            user: u,
        })
        .collect())
}

pub struct Invitation {
    pub email: String,
    pub given_name: Option<String>,
    pub usual_name: Option<String>,
    pub role: String,
    pub organisation_id: Uuid,
    pub tenant_id: Option<Uuid>,
}

/// `invite` with the organisation named by its SIREN and the commune by its INSEE code (the
/// operator's command line knows codes, not ids).
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn invite_by_codes(
    db: &DatabaseConnection,
    scope: &Can<can::ManageUsers>,
    email: &str,
    role: &str,
    siren: &str,
    insee: Option<&str>,
) -> Result<membership::Model, DirectoryError> {
    let txn = scope.begin(db).await?;
    let org = scope
        .find::<organisation::Entity>()
        .filter(organisation::Column::Siren.eq(siren))
        .one(&txn)
        .await?
        .ok_or_else(|| {
            bad::<DirectoryError>(
                "siren",
                format!(
                    "Aucune intercommunalité de SIREN {siren} : créez-la d'abord (create-organisation)."
                ),
            )
        })?;
    let tenant_id = match insee {
        None => None,
        Some(code) => Some(
            scope
                .find::<tenant::Entity>()
                .filter(tenant::Column::OrganisationId.eq(org.id))
                .filter(tenant::Column::InseeCode.eq(code))
                .one(&txn)
                .await?
                .ok_or_else(|| {
                    bad::<DirectoryError>(
                        "insee",
                        format!("Aucune commune de code INSEE {code} dans {}.", org.name),
                    )
                })?
                .id,
        ),
    };
    txn.commit().await?;
    invite(
        db,
        scope,
        Invitation {
            email: email.to_owned(),
            given_name: None,
            usual_name: None,
            role: role.to_owned(),
            organisation_id: org.id,
            tenant_id,
        },
    )
    .await
}

/// Give a person (created if new, matched by e-mail at first login) a role.
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn invite(
    db: &DatabaseConnection,
    scope: &Can<can::ManageUsers>,
    inv: Invitation,
) -> Result<membership::Model, DirectoryError> {
    let email =
        Email::parse(&inv.email).map_err(|e| bad::<DirectoryError>("email", e.to_string()))?;
    let role = Role::parse(&inv.role).map_err(|e| bad::<DirectoryError>("role", e.to_string()))?;
    if scope
        .principal()
        .email
        .as_deref()
        .is_some_and(|e| e.eq_ignore_ascii_case(email.as_str()))
    {
        return Err(DirectoryError::SelfGrant);
    }
    if matches!(role, Role::PlatformAdmin | Role::Auditor) {
        return Err(bad(
            "role",
            "Ce rôle ne se donne pas par une invitation : les droits sur la plateforme se donnent en ligne de commande, et un accès d'auditeur s'ouvre avec grantAuditor.",
        ));
    }
    let txn = scope.begin(db).await?;
    let principal = scope.principal();
    // Resolve the target within the scope first: a foreign id reads as not found.
    let audit_tenant = match (role.is_org_wide(), inv.tenant_id) {
        (true, Some(_)) => {
            return Err(bad(
                "tenantId",
                format!(
                    "Le rôle « {} » porte sur toute l'intercommunalité, pas sur une commune : ne choisissez pas de commune.",
                    role.label_fr()
                ),
            ))
        }
        (false, None) => {
            return Err(bad(
                "tenantId",
                format!(
                    "Le rôle « {} » porte sur une commune : choisissez-la.",
                    role.label_fr()
                ),
            ))
        }
        (true, None) => {
            if !scope.covers_organisation(inv.organisation_id) {
                return Err(AccessError::NotFound.into());
            }
            organisation_tenant(&txn, scope, inv.organisation_id).await?
        }
        (false, Some(tid)) => scope
            .find::<tenant::Entity>()
            .filter(tenant::Column::Id.eq(tid))
            .filter(tenant::Column::OrganisationId.eq(inv.organisation_id))
            .one(&txn)
            .await?
            .ok_or(AccessError::NotFound)?,
    };
    let granter = principal
        .role_on(inv.organisation_id, audit_tenant.id)
        .filter(|r| r.may_grant(role))
        .ok_or(AccessError::Forbidden(Permission::ManageUsers))?;
    tracing::debug!(%granter, %role, "invite");

    let user = match app_user::Entity::find()
        .filter(app_user::Column::Email.eq(email.as_str()))
        .one(&txn)
        .await?
    {
        Some(u) => u,
        None => {
            app_user::ActiveModel {
                id: Set(Uuid::now_v7()),
                email: Set(email.as_str().to_owned()),
                given_name: Set(inv.given_name.clone().filter(|s| !s.trim().is_empty())),
                usual_name: Set(inv.usual_name.clone().filter(|s| !s.trim().is_empty())),
                oidc_issuer: Set(None),
                oidc_subject: Set(None),
                siret: Set(None),
                platform_admin: Set(false),
                created_at: Set(Utc::now()),
                last_login_at: Set(None),
                alert_mode: Set("immediate".into()),
            }
            .insert(&txn)
            .await?
        }
    };
    let mut dup = membership::Entity::find()
        .filter(membership::Column::UserId.eq(user.id))
        .filter(membership::Column::OrganisationId.eq(inv.organisation_id))
        .filter(membership::Column::Role.eq(role.as_str()));
    dup = match inv.tenant_id {
        Some(t) => dup.filter(membership::Column::TenantId.eq(t)),
        None => dup.filter(membership::Column::TenantId.is_null()),
    };
    if dup.one(&txn).await?.is_some() {
        return Err(DirectoryError::Conflict(format!(
            "{} a déjà le rôle « {} » ici.",
            email.as_str(),
            role.label_fr()
        )));
    }
    let m = membership::ActiveModel {
        id: Set(Uuid::now_v7()),
        organisation_id: Set(inv.organisation_id),
        tenant_id: Set(inv.tenant_id),
        user_id: Set(user.id),
        role: Set(role.as_str().to_owned()),
        created_at: Set(Utc::now()),
        created_by: Set(principal.user_id()),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id: inv.organisation_id,
            tenant_id: audit_tenant.id,
            operation: "inviteUser",
            before: None,
            after: Some(json!({"membership": m.id, "user": user.id, "email": user.email, "role": m.role, "tenant": m.tenant_id})),
        },
    )
    .await?;
    txn.commit().await?;
    // A role given: the person's cached principals in every API process are stale.
    crate::tenancy::version::bump(db).await?;
    Ok(m)
}
