//! Access that is handed out: auditor grants, API tokens, browser sessions and logins.
use crate::audit::{self, AuditError, Entry};
use crate::directory::{organisation_tenant, DirectoryError};
use crate::entities::{api_token, app_user, auditor_grant, login_attempt, session, tenant};
use crate::identifiers::Email;
use crate::secrets::{new_secret, sha256_hex};
use crate::tenancy::{can, AccessError, Can, Permission, PrincipalKind, Role, Scope};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, DbErr,
    EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use serde_json::json;
use uuid::Uuid;

/// The longest an auditor grant or an API token may live: access is renewed on purpose.
pub const MAX_VALIDITY_DAYS: i64 = 366;

#[derive(Debug, thiserror::Error)]
pub enum AccessGrantError {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error("{field}: {message}")]
    BadInput {
        field: &'static str,
        message: String,
    },
    #[error("{0}")]
    Conflict(String),
    #[error("Aucun compte n'est ouvert pour {0} : demandez une invitation à l'administration de votre commune ou de votre intercommunalité.")]
    NotInvited(String),
    /// Access is given by someone else: nobody grants a role to themselves.
    #[error(
        "personne ne peut s'attribuer un accès à soi-même : demandez-le à un autre administrateur"
    )]
    SelfGrant,
    /// API tokens are created by people: a token cannot mint tokens that outlive its own
    /// revocation or expiry.
    #[error("un jeton d'API ne peut pas créer de jeton : connectez-vous pour en créer un")]
    TokenByToken,
    #[error(transparent)]
    Directory(#[from] DirectoryError),
    #[error(transparent)]
    Audit(#[from] AuditError),
    #[error(transparent)]
    Db(#[from] DbErr),
}

impl crate::fault::Classify for AccessGrantError {
    fn fault(&self) -> crate::fault::Fault {
        use crate::fault::Fault;
        match self {
            AccessGrantError::Access(e) => e.fault(),
            AccessGrantError::Directory(e) => e.fault(),
            AccessGrantError::BadInput { field, message } => Fault::bad(field, message),
            AccessGrantError::Conflict(m) => Fault::conflict(m),
            AccessGrantError::SelfGrant | AccessGrantError::TokenByToken => {
                Fault::Forbidden(self.to_string())
            }
            _ => Fault::Internal,
        }
    }
}

crate::fault::bad_input_variant!(AccessGrantError);

use crate::fault::bad;

fn check_expiry(expires_at: DateTime<Utc>) -> Result<(), AccessGrantError> {
    let now = Utc::now();
    if expires_at <= now {
        return Err(bad(
            "expiresAt",
            "La date d'expiration doit être dans le futur.",
        ));
    }
    if expires_at > now + Duration::days(MAX_VALIDITY_DAYS) {
        return Err(bad(
            "expiresAt",
            format!("La date d'expiration doit tomber dans les {MAX_VALIDITY_DAYS} jours."),
        ));
    }
    Ok(())
}

/// All of `ids` must be tenants of `organisation_id` within the scope.
async fn tenants_in_scope(
    txn: &DatabaseTransaction,
    scope: &Scope,
    organisation_id: Uuid,
    ids: &[Uuid],
) -> Result<Vec<tenant::Model>, AccessGrantError> {
    let mut ids = ids.to_vec();
    ids.sort();
    ids.dedup();
    if ids.is_empty() {
        return Err(bad("tenantIds", "Choisissez au moins une commune."));
    }
    let found = scope
        .find::<tenant::Entity>()
        .filter(tenant::Column::Id.is_in(ids.clone()))
        .filter(tenant::Column::OrganisationId.eq(organisation_id))
        .all(txn)
        .await?;
    if found.len() != ids.len() {
        return Err(AccessError::NotFound.into());
    }
    Ok(found)
}

async fn user_by_email(txn: &DatabaseTransaction, email: &Email) -> Result<app_user::Model, DbErr> {
    if let Some(u) = app_user::Entity::find()
        .filter(app_user::Column::Email.eq(email.as_str()))
        .one(txn)
        .await?
    {
        return Ok(u);
    }
    app_user::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(email.as_str().to_owned()),
        given_name: Set(None),
        usual_name: Set(None),
        oidc_issuer: Set(None),
        oidc_subject: Set(None),
        siret: Set(None),
        platform_admin: Set(false),
        created_at: Set(Utc::now()),
        last_login_at: Set(None),
        alert_mode: Set("immediate".into()),
    }
    .insert(txn)
    .await
}

/// Makes a person the platform's administrator, or no longer (the operator's command line
/// only: the first administrator of a new installation without any SQL). The person is
/// created when unknown, and logs in through OpenID Connect with this e-mail. Returns whether
/// the flag changed.
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn set_platform_admin(
    db: &DatabaseConnection,
    scope: &Can<can::ManageUsers>,
    email: &str,
    on: bool,
) -> Result<bool, AccessGrantError> {
    if !scope.is_platform() {
        return Err(AccessError::Forbidden(Permission::ManageUsers).into());
    }
    let email = Email::parse(email).map_err(|e| AccessGrantError::BadInput {
        field: "email",
        message: e.to_string(),
    })?;
    let txn = scope.begin(db).await?;
    let user = user_by_email(&txn, &email).await?;
    let changed = user.platform_admin != on;
    if changed {
        let mut a: app_user::ActiveModel = user.into();
        a.platform_admin = Set(on);
        a.update(&txn).await?;
    }
    txn.commit().await?;
    if changed {
        crate::tenancy::version::bump(db).await?;
    }
    tracing::warn!(email = %email.as_str(), platform_admin = on, changed, "platform administrator set from the command line");
    Ok(changed)
}

pub struct AuditorGrantInput {
    pub email: String,
    pub organisation_id: Uuid,
    pub tenant_ids: Vec<Uuid>,
    pub expires_at: DateTime<Utc>,
    pub reason: String,
}

#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn grant_auditor(
    db: &DatabaseConnection,
    scope: &Can<can::ManageAuditors>,
    input: AuditorGrantInput,
) -> Result<auditor_grant::Model, AccessGrantError> {
    let email =
        Email::parse(&input.email).map_err(|e| bad::<AccessGrantError>("email", e.to_string()))?;
    check_expiry(input.expires_at)?;
    let reason = input.reason.trim();
    if reason.is_empty() {
        return Err(bad(
            "reason",
            "Indiquez pourquoi cet accès d'audit est ouvert (mission, contrôle…).",
        ));
    }
    if !scope.covers_organisation(input.organisation_id) {
        return Err(AccessError::NotFound.into());
    }
    let principal = scope.principal();
    if principal
        .email
        .as_deref()
        .is_some_and(|e| e.eq_ignore_ascii_case(email.as_str()))
    {
        return Err(AccessGrantError::SelfGrant);
    }
    // What the grant carries: the auditor role's permissions that the granter holds on every
    // listed tenant (a DPO's grant reads registers, never contracts or costs).
    let carried: Vec<Permission> = Permission::ALL
        .into_iter()
        .filter(|p| Role::Auditor.allows(*p))
        .filter(|p| {
            principal.scope(*p).is_ok_and(|s| {
                input
                    .tenant_ids
                    .iter()
                    .all(|t| s.covers(input.organisation_id, *t))
            })
        })
        .collect();
    if !carried.contains(&Permission::ReadDirectory) {
        return Err(AccessError::Forbidden(Permission::ManageAuditors).into());
    }
    let txn = scope.begin(db).await?;
    tenants_in_scope(&txn, scope, input.organisation_id, &input.tenant_ids).await?;
    let user = user_by_email(&txn, &email).await?;
    if principal.user_id() == Some(user.id) {
        return Err(AccessGrantError::SelfGrant);
    }
    let permissions = json!(carried.iter().map(|p| p.as_str()).collect::<Vec<_>>());
    let g = auditor_grant::ActiveModel {
        id: Set(Uuid::now_v7()),
        organisation_id: Set(input.organisation_id),
        user_id: Set(user.id),
        tenant_ids: Set(json!(input.tenant_ids)),
        reason: Set(reason.to_owned()),
        expires_at: Set(input.expires_at),
        revoked_at: Set(None),
        created_at: Set(Utc::now()),
        created_by: Set(scope.principal().user_id()),
        permissions: Set(Some(permissions)),
    }
    .insert(&txn)
    .await?;
    let org_tenant = organisation_tenant(&txn, scope, input.organisation_id).await?;
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id: input.organisation_id,
            tenant_id: org_tenant.id,
            operation: "grantAuditor",
            before: None,
            after: Some(json!({"grant": g.id, "email": user.email, "tenants": g.tenant_ids, "expiresAt": g.expires_at, "reason": g.reason, "permissions": g.permissions})),
        },
    )
    .await?;
    txn.commit().await?;
    // The person's principal now carries this grant.
    crate::tenancy::version::bump(db).await?;
    Ok(g)
}

#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), id = %id, organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn revoke_auditor(
    db: &DatabaseConnection,
    scope: &Can<can::ManageAuditors>,
    id: Uuid,
) -> Result<auditor_grant::Model, AccessGrantError> {
    let txn = scope.begin(db).await?;
    let g = scope.get::<auditor_grant::Entity, _>(&txn, id).await??;
    if g.revoked_at.is_some() {
        return Err(AccessGrantError::Conflict(
            "Cet accès est déjà retiré.".into(),
        ));
    }
    let org = g.organisation_id;
    let mut a: auditor_grant::ActiveModel = g.into();
    a.revoked_at = Set(Some(Utc::now()));
    let g = a.update(&txn).await?;
    let org_tenant = organisation_tenant(&txn, scope, org).await?;
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id: org,
            tenant_id: org_tenant.id,
            operation: "revokeAuditor",
            before: None,
            after: Some(json!({"grant": g.id, "revokedAt": g.revoked_at})),
        },
    )
    .await?;
    txn.commit().await?;
    crate::tenancy::version::bump(db).await?;
    Ok(g)
}

pub async fn auditor_grants(
    db: &DatabaseConnection,
    scope: &Scope,
) -> Result<Vec<(auditor_grant::Model, Option<app_user::Model>)>, DbErr> {
    let txn = scope.begin(db).await?;
    let grants = scope
        .find::<auditor_grant::Entity>()
        .order_by_desc(auditor_grant::Column::CreatedAt)
        .all(&txn)
        .await?;
    let mut out = vec![];
    for g in grants {
        let u = app_user::Entity::find_by_id(g.user_id).one(&txn).await?;
        out.push((g, u));
    }
    txn.commit().await?;
    Ok(out)
}

pub struct ApiTokenInput {
    pub organisation_id: Uuid,
    pub name: String,
    pub role: String,
    /// Required for tenant roles, absent for org-wide roles.
    pub tenant_ids: Option<Vec<Uuid>>,
    pub expires_at: DateTime<Utc>,
}

/// Returns the stored token and its secret, which is never shown again.
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn create_api_token(
    db: &DatabaseConnection,
    scope: &Can<can::ManageTokens>,
    input: ApiTokenInput,
) -> Result<(api_token::Model, String), AccessGrantError> {
    if matches!(scope.principal().kind, PrincipalKind::Token(_)) {
        return Err(AccessGrantError::TokenByToken);
    }
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(bad("name", "Le nom compte de 1 à 100 caractères."));
    }
    let role =
        Role::parse(&input.role).map_err(|e| bad::<AccessGrantError>("role", e.to_string()))?;
    if role == Role::PlatformAdmin {
        return Err(bad(
            "role",
            "Les droits sur la plateforme restent attachés à une personne, pas à un jeton.",
        ));
    }
    check_expiry(input.expires_at)?;
    if !scope.covers_organisation(input.organisation_id) {
        return Err(AccessError::NotFound.into());
    }
    let granter = if scope.is_platform() {
        Role::PlatformAdmin
    } else {
        Role::OrgAdmin
    };
    if !granter.may_grant(role) {
        return Err(AccessError::Forbidden(Permission::ManageTokens).into());
    }
    let txn = scope.begin(db).await?;
    let tenant_ids = match (role.is_org_wide(), input.tenant_ids) {
        (true, Some(_)) => {
            return Err(bad(
                "tenantIds",
                format!(
                "Le rôle « {} » porte sur toute l'intercommunalité : ne choisissez pas de commune.",
                role.label_fr()
            ),
            ))
        }
        (true, None) => None,
        (false, None) => {
            return Err(bad(
                "tenantIds",
                format!(
                    "Le rôle « {} » porte sur des communes : choisissez-les.",
                    role.label_fr()
                ),
            ))
        }
        (false, Some(ids)) => {
            let found = tenants_in_scope(&txn, scope, input.organisation_id, &ids).await?;
            Some(json!(found.iter().map(|t| t.id).collect::<Vec<_>>()))
        }
    };
    let secret = new_secret("mut_");
    let t = api_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        organisation_id: Set(input.organisation_id),
        name: Set(name.to_owned()),
        secret_hash: Set(sha256_hex(&secret)),
        prefix: Set(secret.chars().take(10).collect()),
        role: Set(role.as_str().to_owned()),
        tenant_ids: Set(tenant_ids),
        expires_at: Set(input.expires_at),
        revoked_at: Set(None),
        last_used_at: Set(None),
        created_at: Set(Utc::now()),
        created_by: Set(scope.principal().user_id()),
    }
    .insert(&txn)
    .await?;
    let org_tenant = organisation_tenant(&txn, scope, input.organisation_id).await?;
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id: input.organisation_id,
            tenant_id: org_tenant.id,
            operation: "createApiToken",
            before: None,
            // Never the secret, nor its hash.
            after: Some(json!({"token": t.id, "name": t.name, "role": t.role, "tenants": t.tenant_ids, "expiresAt": t.expires_at})),
        },
    )
    .await?;
    txn.commit().await?;
    Ok((t, secret))
}

#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), id = %id, organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn revoke_api_token(
    db: &DatabaseConnection,
    scope: &Can<can::ManageTokens>,
    id: Uuid,
) -> Result<api_token::Model, AccessGrantError> {
    let txn = scope.begin(db).await?;
    let t = scope.get::<api_token::Entity, _>(&txn, id).await??;
    if t.revoked_at.is_some() {
        return Err(AccessGrantError::Conflict(
            "Ce jeton est déjà révoqué.".into(),
        ));
    }
    let org = t.organisation_id;
    let mut a: api_token::ActiveModel = t.into();
    a.revoked_at = Set(Some(Utc::now()));
    let t = a.update(&txn).await?;
    let org_tenant = organisation_tenant(&txn, scope, org).await?;
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id: org,
            tenant_id: org_tenant.id,
            operation: "revokeApiToken",
            before: None,
            after: Some(json!({"token": t.id, "revokedAt": t.revoked_at})),
        },
    )
    .await?;
    txn.commit().await?;
    crate::tenancy::version::bump(db).await?;
    Ok(t)
}

pub async fn api_tokens(
    db: &DatabaseConnection,
    scope: &Scope,
) -> Result<Vec<api_token::Model>, DbErr> {
    let txn = scope.begin(db).await?;
    let rows = scope
        .find::<api_token::Entity>()
        .order_by_desc(api_token::Column::CreatedAt)
        .all(&txn)
        .await?;
    txn.commit().await?;
    Ok(rows)
}

// ---- Browser sessions and OpenID logins -------------------------------------------------

pub const SESSION_HOURS: i64 = 10;

/// Claims from the identity provider (ProConnect names).
pub struct IdentityClaims {
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    pub given_name: Option<String>,
    pub usual_name: Option<String>,
    pub siret: Option<String>,
}

/// Find the invited person behind a login: by (issuer, subject), else by e-mail (first login,
/// which links the subject). Nobody is created here: access starts with an invitation.
pub async fn login(db: &DatabaseConnection, c: IdentityClaims) -> Result<Uuid, AccessGrantError> {
    let txn = db.begin().await?;
    let by_sub = app_user::Entity::find()
        .filter(app_user::Column::OidcIssuer.eq(c.issuer.clone()))
        .filter(app_user::Column::OidcSubject.eq(c.subject.clone()))
        .one(&txn)
        .await?;
    let email = c.email.as_deref().and_then(|e| Email::parse(e).ok());
    let user = match (by_sub, &email) {
        (Some(u), _) => u,
        (None, Some(e)) => app_user::Entity::find()
            .filter(app_user::Column::Email.eq(e.as_str()))
            .filter(app_user::Column::OidcSubject.is_null())
            .one(&txn)
            .await?
            .ok_or_else(|| AccessGrantError::NotInvited(e.as_str().to_owned()))?,
        (None, None) => return Err(AccessGrantError::NotInvited(c.subject.clone())),
    };
    let id = user.id;
    let mut a: app_user::ActiveModel = user.into();
    a.oidc_issuer = Set(Some(c.issuer));
    a.oidc_subject = Set(Some(c.subject));
    if c.given_name.is_some() {
        a.given_name = Set(c.given_name);
    }
    if c.usual_name.is_some() {
        a.usual_name = Set(c.usual_name);
    }
    a.siret = Set(c.siret);
    a.update(&txn).await?;
    txn.commit().await?;
    // The person's name (their principal's display name) may have changed.
    crate::tenancy::version::bump(db).await?;
    Ok(id)
}

/// Opens a session and records it as the person's last login, whatever the way in (OpenID
/// Connect or the demo), in one transaction; returns the cookie secret and the CSRF token
/// (derived from the secret, stored nowhere).
pub async fn open_session(
    db: &DatabaseConnection,
    user_id: Uuid,
    method: &str,
) -> Result<(String, String), DbErr> {
    let secret = new_secret("ses_");
    let now = Utc::now();
    let txn = db.begin().await?;
    session::ActiveModel {
        id_hash: Set(sha256_hex(&secret)),
        user_id: Set(user_id),
        method: Set(method.to_owned()),
        created_at: Set(now),
        expires_at: Set(now + Duration::hours(SESSION_HOURS)),
    }
    .insert(&txn)
    .await?;
    app_user::Entity::update_many()
        .col_expr(app_user::Column::LastLoginAt, Expr::value(now))
        .filter(app_user::Column::Id.eq(user_id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    let csrf = crate::secrets::session_csrf(&secret);
    Ok((secret, csrf))
}

/// Ends a session, in every API process (their caches drop it on the version's next move).
pub async fn close_session(db: &DatabaseConnection, secret: &str) -> Result<(), DbErr> {
    session::Entity::delete_by_id(sha256_hex(secret))
        .exec(db)
        .await?;
    crate::tenancy::version::bump(db).await
}

pub async fn store_login_attempt(
    db: &DatabaseConnection,
    state: &str,
    pkce_verifier: &str,
    nonce: &str,
    return_to: &str,
) -> Result<(), DbErr> {
    login_attempt::ActiveModel {
        state: Set(state.to_owned()),
        pkce_verifier: Set(pkce_verifier.to_owned()),
        nonce: Set(nonce.to_owned()),
        return_to: Set(return_to.to_owned()),
        expires_at: Set(Utc::now() + Duration::minutes(10)),
    }
    .insert(db)
    .await
    .map(|_| ())
}

/// Takes (and deletes) a live login attempt: a state is good for one callback only.
pub async fn take_login_attempt(
    db: &DatabaseConnection,
    state: &str,
) -> Result<Option<login_attempt::Model>, DbErr> {
    let found = login_attempt::Entity::find_by_id(state.to_owned())
        .one(db)
        .await?;
    let deleted = login_attempt::Entity::delete_by_id(state.to_owned())
        .exec(db)
        .await?;
    // Two concurrent callbacks with the same state: only the one that deleted the row wins.
    Ok(found.filter(|a| deleted.rows_affected == 1 && a.expires_at > Utc::now()))
}

/// Removes expired sessions and login attempts (the worker's housekeeping).
pub async fn purge_expired(db: &DatabaseConnection) -> Result<u64, DbErr> {
    let now = Utc::now();
    let s = session::Entity::delete_many()
        .filter(session::Column::ExpiresAt.lte(now))
        .exec(db)
        .await?;
    let l = login_attempt::Entity::delete_many()
        .filter(login_attempt::Column::ExpiresAt.lte(now))
        .exec(db)
        .await?;
    Ok(s.rows_affected + l.rows_affected)
}
