//! From a credential (session cookie, bearer token, user id) to a `Principal`. These reads run
//! before any scope exists, so each sets the one row-level-security key it is entitled to
//! (`app.token_hash`, `app.user_id`) and nothing more.
use super::principal::{Grant, Principal, PrincipalKind};
use super::role::{Permission, Role, RoleError};
use super::scope::{set_pg_scope, PgScope};
use crate::entities::{api_token, app_user, auditor_grant, membership, session};
use crate::secrets::sha256_hex;
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr,
    EntityTrait, QueryFilter, Set, TransactionTrait,
};
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("unknown or revoked credential")]
    Invalid,
    #[error("credential expired")]
    Expired,
    #[error("stored role is invalid: {0}")]
    Role(#[from] RoleError),
    #[error("stored tenant list is invalid")]
    TenantList,
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// Session cookie secret -> principal and the session's CSRF token.
pub async fn resolve_session(
    db: &DatabaseConnection,
    secret: &str,
) -> Result<(Principal, String), AuthError> {
    let (p, _) = resolve_session_until(db, secret).await?;
    Ok((p, crate::secrets::session_csrf(secret)))
}

/// Session cookie secret -> principal and when the session expires (what a cache of it needs).
pub async fn resolve_session_until(
    db: &DatabaseConnection,
    secret: &str,
) -> Result<(Principal, chrono::DateTime<Utc>), AuthError> {
    // `session` is a platform table (no organisation): knowing the secret is the authorisation.
    let s = session::Entity::find_by_id(sha256_hex(secret))
        .one(db)
        .await?
        .ok_or(AuthError::Invalid)?;
    if s.expires_at <= Utc::now() {
        return Err(AuthError::Expired);
    }
    Ok((resolve_user(db, s.user_id).await?, s.expires_at))
}

/// A user's memberships and live auditor grants.
pub async fn resolve_user(db: &DatabaseConnection, user_id: Uuid) -> Result<Principal, AuthError> {
    let txn = db.begin().await?;
    if db.get_database_backend() == DatabaseBackend::Postgres {
        let user = user_id.to_string();
        set_pg_scope(
            &txn,
            PgScope {
                user_id: &user,
                ..PgScope::NONE
            },
        )
        .await?;
    }
    let user = app_user::Entity::find_by_id(user_id)
        .one(&txn)
        .await?
        .ok_or(AuthError::Invalid)?;
    let mut grants = vec![];
    for m in membership::Entity::find()
        .filter(membership::Column::UserId.eq(user_id))
        .all(&txn)
        .await?
    {
        grants.push(Grant {
            organisation_id: m.organisation_id,
            tenant_id: m.tenant_id,
            role: Role::parse(&m.role)?,
            expires_at: None,
            permissions: None,
        });
    }
    let now = Utc::now();
    for g in auditor_grant::Entity::find()
        .filter(auditor_grant::Column::UserId.eq(user_id))
        .filter(auditor_grant::Column::RevokedAt.is_null())
        .filter(auditor_grant::Column::ExpiresAt.gt(now))
        .all(&txn)
        .await?
    {
        let permissions = match &g.permissions {
            None => None,
            Some(v) => Some(permission_list(v)?),
        };
        for t in tenant_list(&g.tenant_ids)? {
            grants.push(Grant {
                organisation_id: g.organisation_id,
                tenant_id: Some(t),
                role: Role::Auditor,
                expires_at: Some(g.expires_at),
                permissions: permissions.clone(),
            });
        }
    }
    txn.commit().await?;
    let display_name = match (&user.given_name, &user.usual_name) {
        (Some(g), Some(u)) => format!("{g} {u}"),
        _ => user.email.clone(),
    };
    Ok(Principal {
        kind: PrincipalKind::User(user.id),
        email: Some(user.email),
        display_name,
        platform_admin: user.platform_admin,
        grants,
    })
}

/// Bearer token secret -> principal. Records the last use (an API process that keeps the
/// principal in memory comes back here at least every 30 s while the token is used).
pub async fn resolve_token(db: &DatabaseConnection, secret: &str) -> Result<Principal, AuthError> {
    let hash = sha256_hex(secret);
    let txn = db.begin().await?;
    if db.get_database_backend() == DatabaseBackend::Postgres {
        set_pg_scope(
            &txn,
            PgScope {
                token_hash: &hash,
                ..PgScope::NONE
            },
        )
        .await?;
    }
    let t = api_token::Entity::find()
        .filter(api_token::Column::SecretHash.eq(hash.clone()))
        .one(&txn)
        .await?
        .ok_or(AuthError::Invalid)?;
    if t.revoked_at.is_some() {
        return Err(AuthError::Invalid);
    }
    if t.expires_at <= Utc::now() {
        return Err(AuthError::Expired);
    }
    let role = Role::parse(&t.role)?;
    let grants = match &t.tenant_ids {
        None => vec![Grant {
            organisation_id: t.organisation_id,
            tenant_id: None,
            role,
            expires_at: Some(t.expires_at),
            permissions: None,
        }],
        Some(list) => tenant_list(list)?
            .into_iter()
            .map(|tid| Grant {
                organisation_id: t.organisation_id,
                tenant_id: Some(tid),
                role,
                expires_at: Some(t.expires_at),
                permissions: None,
            })
            .collect(),
    };
    let (id, name) = (t.id, t.name.clone());
    let mut active: api_token::ActiveModel = t.into();
    active.last_used_at = Set(Some(Utc::now()));
    active.update(&txn).await?;
    txn.commit().await?;
    Ok(Principal {
        kind: PrincipalKind::Token(id),
        email: None,
        display_name: format!("API token {name}"),
        // Tokens never carry platform rights: those stay with a person.
        platform_admin: false,
        grants,
    })
}

/// An auditor grant's stored permissions (names); an unknown name makes the grant unreadable
/// rather than wider.
fn permission_list(v: &serde_json::Value) -> Result<Vec<Permission>, AuthError> {
    let names: Vec<String> =
        serde_json::from_value(v.clone()).map_err(|_| AuthError::TenantList)?;
    names
        .iter()
        .map(|n| Permission::parse(n).ok_or(AuthError::TenantList))
        .collect()
}

pub(crate) fn tenant_list(v: &serde_json::Value) -> Result<Vec<Uuid>, AuthError> {
    serde_json::from_value(v.clone()).map_err(|_| AuthError::TenantList)
}
