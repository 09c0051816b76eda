//! The commune's GDPR actors (issue 19): its référent RGPD (the DPO's relay in the commune),
//! the representative of the controller (the mayor or a delegate), its IT referent, and the
//! members of its comité Informatique et Libertés. Recorded by the commune's administrator or
//! the organisation's DPO (`EditGdprActors`), read with the register (`ReadGdpr`), audited.
//! The DPO's view across communes says which commune lacks whom.
use super::activity::tenant_in_scope;
use super::vocab::ActorRole;
use super::GdprError;
use crate::audit::{self, Entry};
use crate::calendar::paris_today;
use crate::collation::french_cmp;
use crate::entities::{gdpr_actor, tenant};
use crate::identifiers::Email;
use crate::tenancy::{can, AccessError, Can, Scope};
use chrono::{NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::{json, Value};
use uuid::Uuid;

/// Longest name, function or committee role accepted.
pub const MAX_TEXT: usize = 200;
/// Most committee members of one commune.
pub const MAX_COMMITTEE: u64 = 30;

use crate::fault::bad;

/// What a person enters for an actor.
#[derive(Debug, Clone, Default)]
pub struct ActorInput {
    pub role: String,
    pub committee_role: String,
    pub full_name: String,
    pub function_title: String,
    pub email: String,
    pub phone: String,
    pub since: Option<NaiveDate>,
}

/// The input, checked and normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Valid {
    role: ActorRole,
    committee_role: String,
    full_name: String,
    function_title: String,
    email: String,
    phone: String,
    since: Option<NaiveDate>,
}

fn text(field: &'static str, v: &str, what: &str) -> Result<String, GdprError> {
    let v = v.trim();
    if v.chars().count() > MAX_TEXT {
        return Err(bad(
            field,
            format!("{what} compte {MAX_TEXT} caractères au plus."),
        ));
    }
    Ok(v.to_owned())
}

fn validate(i: &ActorInput, today: NaiveDate) -> Result<Valid, GdprError> {
    let role =
        ActorRole::parse(i.role.trim()).map_err(|e| bad::<GdprError>("role", e.to_string()))?;
    let full_name = text("fullName", &i.full_name, "Le nom")?;
    if full_name.is_empty() {
        return Err(bad("fullName", "Indiquez le nom de la personne."));
    }
    let function_title = text("functionTitle", &i.function_title, "La fonction")?;
    let committee_role = if role == ActorRole::CommitteeMember {
        text("committeeRole", &i.committee_role, "Le rôle au comité")?
    } else {
        String::new()
    };
    let email = match i.email.trim() {
        "" => String::new(),
        e => Email::parse(e)
            .map_err(|_| {
                bad::<GdprError>(
                    "email",
                    format!("« {e} » n'est pas une adresse électronique."),
                )
            })?
            .as_str()
            .to_owned(),
    };
    let phone = i.phone.trim().to_owned();
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    if !phone.is_empty()
        && (phone.chars().count() > 30
            || digits < 4
            || !phone
                .chars()
                .all(|c| c.is_ascii_digit() || " +.-()".contains(c)))
    {
        return Err(bad(
            "phone",
            format!("« {phone} » n'est pas un numéro de téléphone (chiffres, espaces, +, points, tirets)."),
        ));
    }
    if i.since.is_some_and(|d| d > today) {
        return Err(bad(
            "since",
            "La date de prise de fonction ne peut pas être dans le futur.",
        ));
    }
    Ok(Valid {
        role,
        committee_role,
        full_name,
        function_title,
        email,
        phone,
        since: i.since,
    })
}

fn snapshot(m: &gdpr_actor::Model) -> Value {
    json!({
        "id": m.id, "role": m.role, "committeeRole": m.committee_role, "fullName": m.full_name,
        "functionTitle": m.function_title, "email": m.email, "phone": m.phone, "since": m.since,
    })
}

/// A single role already held in the commune (other than `except`).
async fn single_taken(
    txn: &sea_orm::DatabaseTransaction,
    scope: &Scope,
    tenant_id: Uuid,
    role: ActorRole,
    except: Option<Uuid>,
) -> Result<(), GdprError> {
    if role.is_single() {
        let mut q = scope
            .find::<gdpr_actor::Entity>()
            .filter(gdpr_actor::Column::TenantId.eq(tenant_id))
            .filter(gdpr_actor::Column::Role.eq(role.code()));
        if let Some(id) = except {
            q = q.filter(gdpr_actor::Column::Id.ne(id));
        }
        if let Some(holder) = q.one(txn).await? {
            return Err(GdprError::Conflict(format!(
                "Le rôle « {} » est déjà tenu par {} dans cette commune : modifiez sa fiche, ou retirez-la d'abord.",
                role.label(),
                holder.full_name
            )));
        }
    } else {
        let n = scope
            .find::<gdpr_actor::Entity>()
            .filter(gdpr_actor::Column::TenantId.eq(tenant_id))
            .filter(gdpr_actor::Column::Role.eq(role.code()))
            .count(txn)
            .await?;
        if except.is_none() && n >= MAX_COMMITTEE {
            return Err(bad(
                "role",
                format!("Le comité compte {MAX_COMMITTEE} membres au plus."),
            ));
        }
    }
    Ok(())
}

/// Records an actor of a commune (`EditGdprActors`).
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), tenant_id = %tenant_id, organisation_id = tracing::field::Empty))]
pub async fn create(
    db: &DatabaseConnection,
    scope: &Can<can::EditGdprActors>,
    tenant_id: Uuid,
    input: ActorInput,
) -> Result<gdpr_actor::Model, GdprError> {
    let v = validate(&input, paris_today())?;
    let txn = scope.begin(db).await?;
    let t = tenant_in_scope(&txn, scope, tenant_id).await?;
    single_taken(&txn, scope, t.id, v.role, None).await?;
    let now = Utc::now();
    let row = gdpr_actor::ActiveModel::from(gdpr_actor::Model {
        id: Uuid::now_v7(),
        organisation_id: t.organisation_id,
        tenant_id: t.id,
        role: v.role.code().to_owned(),
        committee_role: v.committee_role,
        full_name: v.full_name,
        function_title: v.function_title,
        email: v.email,
        phone: v.phone,
        since: v.since,
        version: 1,
        updated_by: scope.principal().audit_ref(),
        created_at: now,
        updated_at: now,
    })
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id: row.organisation_id,
            tenant_id: row.tenant_id,
            operation: "createGdprActor",
            before: None,
            after: Some(snapshot(&row)),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Changes an actor's record; `expected_version` is the one read (CONFLICT if it moved).
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), id = %id, organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn update(
    db: &DatabaseConnection,
    scope: &Can<can::EditGdprActors>,
    id: Uuid,
    expected_version: i32,
    input: ActorInput,
) -> Result<gdpr_actor::Model, GdprError> {
    let v = validate(&input, paris_today())?;
    let txn = scope.begin(db).await?;
    let before = scope.get::<gdpr_actor::Entity, _>(&txn, id).await??;
    if before.version != expected_version {
        return Err(GdprError::Conflict(format!(
            "Cette fiche a été modifiée depuis que vous l'avez ouverte (version {expected_version}, elle en est à la version {}) : rechargez-la.",
            before.version
        )));
    }
    single_taken(&txn, scope, before.tenant_id, v.role, Some(id)).await?;
    let mut a = before.clone().into_active_model();
    a.role = Set(v.role.code().to_owned());
    a.committee_role = Set(v.committee_role);
    a.full_name = Set(v.full_name);
    a.function_title = Set(v.function_title);
    a.email = Set(v.email);
    a.phone = Set(v.phone);
    a.since = Set(v.since);
    a.version = Set(before.version + 1);
    a.updated_by = Set(scope.principal().audit_ref());
    a.updated_at = Set(Utc::now());
    let row = a.update(&txn).await?;
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id: row.organisation_id,
            tenant_id: row.tenant_id,
            operation: "updateGdprActor",
            before: Some(snapshot(&before)),
            after: Some(snapshot(&row)),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Removes an actor (someone who left the role); the audit trail keeps the record.
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), id = %id, organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn delete(
    db: &DatabaseConnection,
    scope: &Can<can::EditGdprActors>,
    id: Uuid,
) -> Result<Uuid, GdprError> {
    let txn = scope.begin(db).await?;
    let before = scope.get::<gdpr_actor::Entity, _>(&txn, id).await??;
    gdpr_actor::Entity::delete_many()
        .filter(gdpr_actor::Column::Id.eq(id))
        .filter(gdpr_actor::Column::OrganisationId.eq(before.organisation_id))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id: before.organisation_id,
            tenant_id: before.tenant_id,
            operation: "deleteGdprActor",
            before: Some(snapshot(&before)),
            after: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

fn role_rank(code: &str) -> usize {
    ActorRole::ALL
        .iter()
        .position(|r| r.code() == code)
        .unwrap_or(usize::MAX)
}

/// Sorts actors by commune, then role in the order of `ActorRole`, then name.
fn sort(rows: &mut [gdpr_actor::Model]) {
    rows.sort_by(|a, b| {
        a.tenant_id
            .cmp(&b.tenant_id)
            .then(role_rank(&a.role).cmp(&role_rank(&b.role)))
            .then_with(|| french_cmp(&a.full_name, &b.full_name))
    });
}

/// The actors of the communes the scope reaches (or of `tenant_ids` among them).
pub async fn list<C: sea_orm::ConnectionTrait>(
    c: &C,
    scope: &Scope,
    tenant_ids: Option<&[Uuid]>,
) -> Result<Vec<gdpr_actor::Model>, GdprError> {
    let mut q = scope.find::<gdpr_actor::Entity>();
    if let Some(ids) = tenant_ids {
        q = q.filter(gdpr_actor::Column::TenantId.is_in(ids.to_vec()));
    }
    let mut rows = q.order_by_asc(gdpr_actor::Column::Id).all(c).await?;
    sort(&mut rows);
    Ok(rows)
}

/// The actors, in their own transaction.
pub async fn actors(
    db: &DatabaseConnection,
    scope: &Scope,
    tenant_ids: Option<Vec<Uuid>>,
) -> Result<Vec<gdpr_actor::Model>, GdprError> {
    let txn = scope.begin(db).await?;
    let rows = list(&txn, scope, tenant_ids.as_deref()).await?;
    txn.commit().await?;
    Ok(rows)
}

/// One commune's actors at a glance: who holds each single role, how many sit on the
/// committee, and what is missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    pub tenant: tenant::Model,
    pub referent: Option<String>,
    pub representative: Option<String>,
    pub it_referent: Option<String>,
    pub committee_members: i64,
}

impl Coverage {
    /// The single roles nobody holds, in French.
    pub fn missing(&self) -> Vec<&'static str> {
        [
            (ActorRole::Referent, &self.referent),
            (ActorRole::Representative, &self.representative),
            (ActorRole::ItReferent, &self.it_referent),
        ]
        .into_iter()
        .filter(|(_, who)| who.is_none())
        .map(|(r, _)| r.label())
        .collect()
    }
}

/// Every member commune of `organisation_id` the scope reaches, with its actors (the DPO's
/// view: which commune lacks a référent), by name the French way.
pub async fn coverage(
    db: &DatabaseConnection,
    scope: &Scope,
    organisation_id: Uuid,
) -> Result<Vec<Coverage>, GdprError> {
    let txn = scope.begin(db).await?;
    let mut communes = scope
        .find::<tenant::Entity>()
        .filter(tenant::Column::OrganisationId.eq(organisation_id))
        .filter(tenant::Column::Kind.eq("commune"))
        .all(&txn)
        .await?;
    if communes.is_empty() && !scope.covers_organisation(organisation_id) {
        return Err(AccessError::NotFound.into());
    }
    communes.sort_by(|a, b| french_cmp(&a.name, &b.name));
    let ids: Vec<Uuid> = communes.iter().map(|t| t.id).collect();
    let rows = list(&txn, scope, Some(ids.as_slice())).await?;
    txn.commit().await?;
    Ok(communes
        .into_iter()
        .map(|t| {
            let of = |role: ActorRole| {
                rows.iter()
                    .find(|r| r.tenant_id == t.id && r.role == role.code())
                    .map(|r| r.full_name.clone())
            };
            Coverage {
                referent: of(ActorRole::Referent),
                representative: of(ActorRole::Representative),
                it_referent: of(ActorRole::ItReferent),
                committee_members: rows
                    .iter()
                    .filter(|r| r.tenant_id == t.id && r.role == ActorRole::CommitteeMember.code())
                    .count() as i64,
                tenant: t,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ActorInput {
        ActorInput {
            role: "referent".into(),
            full_name: "  Claire Dupont ".into(),
            function_title: "DGS".into(),
            email: "C.Dupont@Mairie.fr".into(),
            phone: "03 44 40 72 00".into(),
            ..ActorInput::default()
        }
    }

    #[test]
    fn input_is_checked_field_by_field() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 15).expect("date");
        let v = validate(&input(), today).expect("valid");
        assert_eq!(v.full_name, "Claire Dupont");
        assert_eq!(v.email, "c.dupont@mairie.fr");
        assert_eq!(v.committee_role, "");
        let field = |i: ActorInput| match validate(&i, today) {
            Err(GdprError::BadInput { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            field(ActorInput {
                role: "mayor".into(),
                ..input()
            }),
            "role"
        );
        assert_eq!(
            field(ActorInput {
                full_name: " ".into(),
                ..input()
            }),
            "fullName"
        );
        assert_eq!(
            field(ActorInput {
                email: "pas une adresse".into(),
                ..input()
            }),
            "email"
        );
        assert_eq!(
            field(ActorInput {
                phone: "appelez-moi".into(),
                ..input()
            }),
            "phone"
        );
        assert_eq!(
            field(ActorInput {
                since: today.succ_opt(),
                ..input()
            }),
            "since"
        );
        assert_eq!(
            field(ActorInput {
                full_name: "x".repeat(MAX_TEXT + 1),
                ..input()
            }),
            "fullName"
        );
    }

    #[test]
    fn the_committee_keeps_a_role_the_others_do_not() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 15).expect("date");
        let member = validate(
            &ActorInput {
                role: "committee_member".into(),
                committee_role: " Président ".into(),
                ..input()
            },
            today,
        )
        .expect("valid");
        assert_eq!(member.committee_role, "Président");
        assert!(!ActorRole::CommitteeMember.is_single());
        assert!(ActorRole::Referent.is_single());
    }
}
