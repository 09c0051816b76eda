//! Backup policies: what a tenant has protected, on which schedule, kept how long, with which
//! recovery point objective, in which repository. Defined by the DSI (ManageBackups).
use super::{bad, one_of, text, BackupError, KINDS};
use crate::audit::{self, Entry};
use crate::collation::OrderByName;
use crate::entities::{backup_policy, tenant};
use crate::tenancy::{can, Can, Scope};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, IntoActiveModel, QueryFilter, QueryOrder,
    Set,
};
use serde_json::json;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct PolicyInput {
    pub name: String,
    pub kind: String,
    pub target: String,
    pub host: String,
    pub tags: Vec<String>,
    pub interval_hours: i32,
    pub keep_daily: i32,
    pub keep_weekly: i32,
    pub keep_monthly: i32,
    pub keep_yearly: i32,
    pub rpo_hours: i32,
    pub repository: String,
    pub password_ref: String,
}

/// The validated fields, ready to store.
struct Valid {
    name: String,
    kind: &'static str,
    target: String,
    host: String,
    tags: Vec<String>,
    interval_hours: i32,
    keep: [i32; 4],
    rpo_hours: i32,
    repository: String,
    password_ref: String,
}

/// A year, in hours: the longest schedule or RPO that still makes sense to track.
const MAX_HOURS: i32 = 8784;

fn validate(p: PolicyInput) -> Result<Valid, BackupError> {
    let name = text("name", &p.name, 120)?;
    let kind = one_of("kind", &p.kind, KINDS)?;
    let target = text("target", &p.target, 500)?;
    let host = text("host", &p.host, 253)?;
    if host.chars().any(char::is_whitespace) {
        return Err(bad("host", "Un nom d'hôte ne contient pas d'espace."));
    }
    let mut tags = Vec::new();
    for t in p.tags {
        let t = t.trim().to_owned();
        if t.is_empty() || t.len() > 100 || t.contains(',') || t.chars().any(char::is_whitespace) {
            return Err(bad(
                "tags",
                format!(
                    "Étiquette « {t} » : une étiquette compte de 1 à 100 caractères, sans virgule ni espace."
                ),
            ));
        }
        if !tags.contains(&t) {
            tags.push(t);
        }
    }
    tags.sort();
    for (field, v) in [
        ("intervalHours", p.interval_hours),
        ("rpoHours", p.rpo_hours),
    ] {
        if !(1..=MAX_HOURS).contains(&v) {
            return Err(bad(
                field,
                format!("La durée est comprise entre 1 et {MAX_HOURS} heures."),
            ));
        }
    }
    if p.rpo_hours < p.interval_hours {
        return Err(bad(
            "rpoHours",
            "L'objectif de point de reprise (RPO) est plus court que l'intervalle entre deux sauvegardes : il ne pourrait jamais être tenu.",
        ));
    }
    let keep = [p.keep_daily, p.keep_weekly, p.keep_monthly, p.keep_yearly];
    for (field, v) in ["keepDaily", "keepWeekly", "keepMonthly", "keepYearly"]
        .into_iter()
        .zip(keep)
    {
        if !(0..=10_000).contains(&v) {
            return Err(bad(field, "La valeur est comprise entre 0 et 10 000."));
        }
    }
    if keep.iter().all(|k| *k == 0) {
        return Err(bad(
            "keepDaily",
            "La rétention garde au moins un instantané.",
        ));
    }
    let repository = text("repository", &p.repository, 500)?;
    // Credentials belong in the configuration, never in a location stored in clear.
    if url::Url::parse(&repository).is_ok_and(|u| u.password().is_some())
        || repository.contains(":@")
        || repository.split_once("://").is_some_and(|(_, rest)| {
            rest.split('/')
                .next()
                .is_some_and(|host| host.contains('@'))
        })
    {
        return Err(bad(
            "repository",
            "L'emplacement ne doit contenir aucun identifiant ni mot de passe : nommez un mot de passe de la configuration (passwordRef).",
        ));
    }
    let password_ref = text("passwordRef", &p.password_ref, 64)?;
    if !password_ref
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return Err(bad(
            "passwordRef",
            "Lettres, chiffres, « - » et « _ » uniquement (la clé du mot de passe dans la configuration).",
        ));
    }
    Ok(Valid {
        name,
        kind,
        target,
        host,
        tags,
        interval_hours: p.interval_hours,
        keep,
        rpo_hours: p.rpo_hours,
        repository,
        password_ref: password_ref.to_ascii_lowercase().replace('_', "-"),
    })
}

fn snapshot(m: &backup_policy::Model) -> serde_json::Value {
    json!({
        "name": m.name, "kind": m.kind, "target": m.target, "host": m.host, "tags": m.tags,
        "intervalHours": m.interval_hours, "rpoHours": m.rpo_hours,
        "keep": [m.keep_daily, m.keep_weekly, m.keep_monthly, m.keep_yearly],
        "repository": m.repository, "passwordRef": m.password_ref, "active": m.active,
        "version": m.version,
    })
}

async fn name_taken(
    c: &impl sea_orm::ConnectionTrait,
    scope: &Scope,
    tenant_id: Uuid,
    name: &str,
    except: Option<Uuid>,
) -> Result<bool, BackupError> {
    let mut q = scope
        .find::<backup_policy::Entity>()
        .filter(backup_policy::Column::TenantId.eq(tenant_id))
        .filter(backup_policy::Column::Name.eq(name));
    if let Some(id) = except {
        q = q.filter(backup_policy::Column::Id.ne(id));
    }
    Ok(q.one(c).await?.is_some())
}

#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), tenant_id = %tenant_id, organisation_id = tracing::field::Empty))]
pub async fn create(
    db: &DatabaseConnection,
    scope: &Can<can::ManageBackups>,
    tenant_id: Uuid,
    input: PolicyInput,
) -> Result<backup_policy::Model, BackupError> {
    let v = validate(input)?;
    let txn = scope.begin(db).await?;
    let t = scope.get::<tenant::Entity, _>(&txn, tenant_id).await??;
    if name_taken(&txn, scope, t.id, &v.name, None).await? {
        return Err(BackupError::Conflict(format!(
            "Cette commune a déjà une politique de sauvegarde nommée « {} ».",
            v.name
        )));
    }
    let now = Utc::now();
    let m = backup_policy::Model {
        id: Uuid::now_v7(),
        organisation_id: t.organisation_id,
        tenant_id: t.id,
        name: v.name,
        kind: v.kind.to_owned(),
        target: v.target,
        host: v.host,
        tags: json!(v.tags),
        interval_hours: v.interval_hours,
        keep_daily: v.keep[0],
        keep_weekly: v.keep[1],
        keep_monthly: v.keep[2],
        keep_yearly: v.keep[3],
        rpo_hours: v.rpo_hours,
        repository: v.repository,
        password_ref: v.password_ref,
        active: true,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let m = backup_policy::ActiveModel::from(m).insert(&txn).await?;
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id: m.organisation_id,
            tenant_id: m.tenant_id,
            operation: "backup.policy.create",
            before: None,
            after: Some(snapshot(&m)),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(m)
}

/// Replaces the policy's fields; `version` must be the one read (optimistic concurrency).
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), id = %id, organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn update(
    db: &DatabaseConnection,
    scope: &Can<can::ManageBackups>,
    id: Uuid,
    version: i32,
    input: PolicyInput,
    active: bool,
) -> Result<backup_policy::Model, BackupError> {
    let v = validate(input)?;
    let txn = scope.begin(db).await?;
    let old = scope.get::<backup_policy::Entity, _>(&txn, id).await??;
    if old.version != version {
        return Err(BackupError::Conflict(format!(
            "La politique a été modifiée depuis que vous l'avez lue (vous avez lu la version {version}, elle en est à la version {}) : rechargez-la puis refaites vos changements.",
            old.version
        )));
    }
    if name_taken(&txn, scope, old.tenant_id, &v.name, Some(old.id)).await? {
        return Err(BackupError::Conflict(format!(
            "Cette commune a déjà une politique de sauvegarde nommée « {} ».",
            v.name
        )));
    }
    let mut a = old.clone().into_active_model();
    a.name = Set(v.name);
    a.kind = Set(v.kind.to_owned());
    a.target = Set(v.target);
    a.host = Set(v.host);
    a.tags = Set(json!(v.tags));
    a.interval_hours = Set(v.interval_hours);
    a.keep_daily = Set(v.keep[0]);
    a.keep_weekly = Set(v.keep[1]);
    a.keep_monthly = Set(v.keep[2]);
    a.keep_yearly = Set(v.keep[3]);
    a.rpo_hours = Set(v.rpo_hours);
    a.repository = Set(v.repository);
    a.password_ref = Set(v.password_ref);
    a.active = Set(active);
    a.version = Set(old.version + 1);
    a.updated_at = Set(Utc::now());
    let m = a.update(&txn).await?;
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id: m.organisation_id,
            tenant_id: m.tenant_id,
            operation: "backup.policy.update",
            before: Some(snapshot(&old)),
            after: Some(snapshot(&m)),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(m)
}

pub async fn list(
    db: &DatabaseConnection,
    scope: &Scope,
    tenant_ids: Option<Vec<Uuid>>,
    include_inactive: bool,
) -> Result<Vec<backup_policy::Model>, BackupError> {
    let txn = scope.begin(db).await?;
    let mut q = scope.find::<backup_policy::Entity>();
    if let Some(ids) = tenant_ids {
        q = q.filter(backup_policy::Column::TenantId.is_in(ids));
    }
    if !include_inactive {
        q = q.filter(backup_policy::Column::Active.eq(true));
    }
    let rows = q
        .order_by_asc(backup_policy::Column::TenantId)
        .order_by_name(backup_policy::Column::Name)
        .all(&txn)
        .await?;
    txn.commit().await?;
    Ok(rows)
}

pub async fn get(
    db: &DatabaseConnection,
    scope: &Scope,
    id: Uuid,
) -> Result<backup_policy::Model, BackupError> {
    let txn = scope.begin(db).await?;
    let m = scope.get::<backup_policy::Entity, _>(&txn, id).await??;
    txn.commit().await?;
    Ok(m)
}

/// The policy's tags as strings (stored as a JSON array).
pub fn tags(m: &backup_policy::Model) -> Vec<String> {
    m.tags
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn input() -> PolicyInput {
        PolicyInput {
            name: "Serveur mairie".into(),
            kind: "server".into(),
            target: "srv-mairie (C:, D:)".into(),
            host: "srv-mairie".into(),
            tags: vec!["mairie".into(), "daily".into(), "mairie".into()],
            interval_hours: 24,
            keep_daily: 7,
            keep_weekly: 4,
            keep_monthly: 12,
            keep_yearly: 0,
            rpo_hours: 36,
            repository: "/srv/restic/compiegne".into(),
            password_ref: "Compiegne".into(),
        }
    }

    fn field(r: Result<Valid, BackupError>) -> &'static str {
        match r {
            Err(BackupError::BadInput { field, .. }) => field,
            Err(e) => panic!("unexpected error {e}"),
            Ok(_) => panic!("accepted"),
        }
    }

    #[test]
    fn backups_policy_validation_names_the_field() {
        let ok = validate(input()).expect("valid");
        assert_eq!(ok.tags, vec!["daily".to_owned(), "mairie".to_owned()]);
        assert_eq!(ok.password_ref, "compiegne");
        let mut snake = input();
        snake.password_ref = "Srv_Mairie".into();
        assert_eq!(validate(snake).expect("valid").password_ref, "srv-mairie");
        let with = |f: fn(&mut PolicyInput)| {
            let mut i = input();
            f(&mut i);
            validate(i)
        };
        assert_eq!(field(with(|i| i.kind = "laptop".into())), "kind");
        assert_eq!(field(with(|i| i.name = "  ".into())), "name");
        assert_eq!(field(with(|i| i.host = "srv mairie".into())), "host");
        assert_eq!(field(with(|i| i.tags = vec!["a,b".into()])), "tags");
        assert_eq!(field(with(|i| i.interval_hours = 0)), "intervalHours");
        assert_eq!(field(with(|i| i.rpo_hours = 12)), "rpoHours");
        assert_eq!(field(with(|i| i.keep_weekly = -1)), "keepWeekly");
        assert_eq!(
            field(with(|i| {
                i.keep_daily = 0;
                i.keep_weekly = 0;
                i.keep_monthly = 0;
            })),
            "keepDaily"
        );
        assert_eq!(
            field(with(
                |i| i.repository = "s3:https://key:secret@s3.example/b".into()
            )),
            "repository"
        );
        assert_eq!(
            field(with(
                |i| i.repository = "rest:https://user:pw@backup.example/".into()
            )),
            "repository"
        );
        assert_eq!(
            field(with(|i| i.password_ref = "a b".into())),
            "passwordRef"
        );
    }
}
