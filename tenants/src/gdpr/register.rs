//! The public register page of a commune: no login, only the fields the commune chose, only
//! validated entries.
use super::activity::{ActivityFields, ActivityFilter};
use super::vocab::ActivityStatus;
use super::GdprError;
use crate::audit::{self, Entry};
use crate::entities::{gdpr_register_settings, tenant};
use crate::tenancy::{can, Can, Permission, Scope};
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, QueryFilter, Set};
use serde_json::json;
use uuid::Uuid;

/// Fields a commune may publish (the name is always shown), with their French labels.
pub const PUBLIC_FIELDS: &[(&str, &str)] = &[
    ("purposes", "Finalités"),
    ("legal_bases", "Bases légales"),
    ("data_subjects", "Personnes concernées"),
    ("data_categories", "Catégories de données"),
    ("recipients", "Destinataires"),
    ("transfers", "Transferts hors UE"),
    ("retention", "Durées de conservation"),
    ("security_measures", "Mesures de sécurité"),
    ("department", "Service"),
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub tenant_id: Uuid,
    pub published: bool,
    pub fields: Vec<String>,
}

pub async fn settings(
    db: &DatabaseConnection,
    scope: &Scope,
    tenant_id: Uuid,
) -> Result<Settings, GdprError> {
    let txn = scope.begin(db).await?;
    super::activity::tenant_in_scope(&txn, scope, tenant_id).await?;
    let row = scope
        .find::<gdpr_register_settings::Entity>()
        .filter(gdpr_register_settings::Column::TenantId.eq(tenant_id))
        .one(&txn)
        .await?;
    txn.commit().await?;
    Ok(match row {
        Some(r) => Settings {
            tenant_id,
            published: r.published,
            fields: serde_json::from_value(r.public_fields).unwrap_or_default(),
        },
        None => Settings {
            tenant_id,
            published: false,
            fields: vec!["purposes".into(), "legal_bases".into(), "retention".into()],
        },
    })
}

#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), tenant_id = %tenant_id, organisation_id = tracing::field::Empty))]
pub async fn set(
    db: &DatabaseConnection,
    scope: &Can<can::EditGdpr>,
    tenant_id: Uuid,
    published: bool,
    mut fields: Vec<String>,
) -> Result<Settings, GdprError> {
    fields.sort();
    fields.dedup();
    if let Some(f) = fields
        .iter()
        .find(|f| !PUBLIC_FIELDS.iter().any(|(k, _)| k == f))
    {
        return Err(GdprError::BadInput {
            field: "fields",
            message: format!(
                "Le champ « {f} » ne peut pas être publié ; champs possibles : {}.",
                PUBLIC_FIELDS
                    .iter()
                    .map(|(k, _)| *k)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    }
    let txn = scope.begin(db).await?;
    let t = super::activity::tenant_in_scope(&txn, scope, tenant_id).await?;
    let existing = scope
        .find::<gdpr_register_settings::Entity>()
        .filter(gdpr_register_settings::Column::TenantId.eq(tenant_id))
        .one(&txn)
        .await?;
    let before = existing
        .as_ref()
        .map(|e| json!({"published": e.published, "fields": e.public_fields}));
    let mut a = match existing {
        Some(e) => e.into(),
        None => gdpr_register_settings::ActiveModel {
            tenant_id: Set(t.id),
            organisation_id: Set(t.organisation_id),
            ..Default::default()
        },
    };
    a.published = Set(published);
    a.public_fields = Set(json!(fields));
    a.updated_at = Set(Utc::now());
    if before.is_some() {
        a.update(&txn).await?;
    } else {
        a.insert(&txn).await?;
    }
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id: t.organisation_id,
            tenant_id: t.id,
            operation: "setPublicRegister",
            before,
            after: Some(json!({"published": published, "fields": fields})),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(Settings {
        tenant_id,
        published,
        fields,
    })
}

#[derive(Debug, Clone)]
pub struct PublicActivity {
    pub name: String,
    /// (label, text) of each published field, in the order of `PUBLIC_FIELDS`.
    pub fields: Vec<(&'static str, String)>,
}

#[derive(Debug, Clone)]
pub struct PublicRegister {
    pub commune: String,
    pub insee_code: Option<String>,
    pub activities: Vec<PublicActivity>,
}

fn field_text(f: &ActivityFields, key: &str) -> String {
    let join = |v: Vec<String>| v.join(" ; ");
    match key {
        "purposes" => f.purposes.clone(),
        "legal_bases" => join(
            f.legal_bases
                .iter()
                .map(|l| format!("{} ({})", l.basis.label(), l.justification))
                .collect(),
        ),
        "data_subjects" => join(f.data_subjects.iter().map(|d| d.category.clone()).collect()),
        "data_categories" => join(
            f.data_categories
                .iter()
                .map(|d| d.category.clone())
                .collect(),
        ),
        "recipients" => join(f.recipients.clone()),
        "transfers" => {
            if f.transfers.is_empty() {
                "Aucun".into()
            } else {
                join(
                    f.transfers
                        .iter()
                        .map(|t| format!("{} — {}", t.country, t.safeguard.label()))
                        .collect(),
                )
            }
        }
        "retention" => join(
            f.retention
                .iter()
                .map(|r| {
                    format!(
                        "{} : {} mois {} puis {}",
                        r.data,
                        r.duration_months,
                        crate::fr::a_compter_de(&r.starting_event),
                        r.final_fate.label().to_lowercase()
                    )
                })
                .collect(),
        ),
        "security_measures" => join(f.security_measures.clone()),
        "department" => f.department.clone(),
        _ => String::new(),
    }
}

/// The page, or None when the commune does not publish its register.
pub async fn public_page(
    db: &DatabaseConnection,
    tenant_id: Uuid,
) -> Result<Option<PublicRegister>, GdprError> {
    let probe = Scope::public_register(tenant_id);
    let txn = probe.begin(db).await?;
    let t = probe
        .find::<tenant::Entity>()
        .filter(tenant::Column::Id.eq(tenant_id))
        .one(&txn)
        .await?;
    txn.commit().await?;
    let Some(t) = t else {
        return Ok(None);
    };
    // Its organisation known, the page's queries name it: on Citus they go to its shard only,
    // instead of every shard for each query.
    let scope = Scope::public_dataset(Permission::ReadGdpr, t.organisation_id, tenant_id);
    let txn = scope.begin(db).await?;
    let s = scope
        .find::<gdpr_register_settings::Entity>()
        .filter(gdpr_register_settings::Column::TenantId.eq(tenant_id))
        .one(&txn)
        .await?;
    txn.commit().await?;
    let Some(s) = s else {
        return Ok(None);
    };
    if !s.published {
        return Ok(None);
    }
    let chosen: Vec<String> = serde_json::from_value(s.public_fields).unwrap_or_default();
    let mut activities = vec![];
    for status in [ActivityStatus::Validated, ActivityStatus::Checked] {
        let f = ActivityFilter {
            tenant_ids: Some(vec![tenant_id]),
            status: Some(status),
            limit: 10_000,
            ..Default::default()
        };
        for a in super::activity::list(db, &scope, &f).await? {
            activities.push(PublicActivity {
                name: a.fields.name.clone(),
                fields: PUBLIC_FIELDS
                    .iter()
                    .filter(|(k, _)| chosen.iter().any(|c| c == k))
                    .map(|(k, label)| (*label, field_text(&a.fields, k)))
                    .collect(),
            });
        }
    }
    activities.sort_by(|a, b| crate::collation::french_cmp(&a.name, &b.name));
    Ok(Some(PublicRegister {
        commune: t.name,
        insee_code: t.insee_code,
        activities,
    }))
}
