//! Suppliers (titulaires), shared by every commune of one organisation: one identifier, one
//! supplier. A supplier row is keyed by the tenant that first recorded it (so row-level
//! security's write check holds for a commune too) and read organisation-wide, like model
//! activities: by anyone holding a role on one of the organisation's tenants (RLS has a
//! matching read policy).
use super::vocab::{one_of, ID_TYPES};
use super::{bad, ProcurementError};
use crate::audit::{self, Entry};
use crate::collation::OrderByName;
use crate::entities::{proc_supplier, tenant};
use crate::identifiers::Siret;
use crate::tenancy::{can, AccessError, Can, Scope};
use chrono::Utc;
use sea_orm::{
    sea_query::OnConflict, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter,
};
use serde_json::json;
use uuid::Uuid;

pub struct NewSupplier {
    pub tenant_id: Uuid,
    pub id_type: String,
    pub identifier: String,
    pub name: String,
}

/// Normalises an identifier of the DECP `typeIdentifiant` kind; a SIRET must pass its Luhn key,
/// a French VAT number its key over the SIREN.
pub fn normalise_identifier(id_type: &str, raw: &str) -> Result<String, ProcurementError> {
    let compact: String = raw
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    if compact.is_empty() {
        return Err(bad(
            "identifier",
            "Indiquez l'identifiant du fournisseur (SIRET ou numéro de TVA).",
        ));
    }
    match id_type {
        "SIRET" => Ok(Siret::parse(&compact)
            .map_err(|e| bad::<ProcurementError>("identifier", e.to_string()))?
            .to_string()),
        "TVA" => {
            // ASCII first: `compact[..2]` panicked when a multi-byte character straddled byte 2.
            let ok = compact.is_ascii()
                && compact.len() >= 4
                && compact.len() <= 15
                && compact[..2].bytes().all(|b| b.is_ascii_uppercase())
                && compact[2..].bytes().all(|b| b.is_ascii_alphanumeric());
            if !ok {
                return Err(bad(
                    "identifier",
                    "Un numéro de TVA intracommunautaire compte le code du pays puis 2 à 13 caractères.",
                ));
            }
            if let Some(rest) = compact.strip_prefix("FR") {
                // French VAT: key (2 digits) = (12 + 3 × (SIREN mod 97)) mod 97.
                let valid = rest.len() == 11
                    && rest.bytes().all(|b| b.is_ascii_digit())
                    && rest[2..].parse::<u64>().is_ok_and(|siren| {
                        (12 + 3 * (siren % 97)) % 97 == rest[..2].parse::<u64>().unwrap_or(100)
                    });
                if !valid {
                    return Err(bad(
                        "identifier",
                        "La clé de ce numéro de TVA français est fausse.",
                    ));
                }
            }
            Ok(compact)
        }
        _ => {
            if compact.len() > 50 {
                return Err(bad(
                    "identifier",
                    "L'identifiant compte 50 caractères au plus.",
                ));
            }
            Ok(compact)
        }
    }
}

/// Records a supplier, or returns the organisation's existing one with that identifier
/// (`false`: nothing was created).
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn create(
    db: &DatabaseConnection,
    scope: &Can<can::EditProcurement>,
    s: NewSupplier,
) -> Result<(proc_supplier::Model, bool), ProcurementError> {
    let id_type = one_of("idType", &s.id_type, ID_TYPES)?;
    let identifier = normalise_identifier(id_type, &s.identifier)?;
    let name = s.name.trim().to_owned();
    if name.is_empty() {
        return Err(bad("name", "Donnez un nom au fournisseur."));
    }
    let txn = scope.begin(db).await?;
    let t = scope
        .find::<tenant::Entity>()
        .filter(tenant::Column::Id.eq(s.tenant_id))
        .one(&txn)
        .await?
        .ok_or(AccessError::NotFound)?;
    let r = find_or_insert(&txn, scope, &t, id_type, identifier, name).await?;
    txn.commit().await?;
    Ok(r)
}

/// The organisation's supplier with this (normalised) identifier, or a new one recorded by `t`.
pub(crate) async fn find_or_insert(
    txn: &DatabaseTransaction,
    scope: &Can<can::EditProcurement>,
    t: &tenant::Model,
    id_type: &'static str,
    identifier: String,
    name: String,
) -> Result<(proc_supplier::Model, bool), ProcurementError> {
    let existing = |identifier: String| {
        shared(scope, proc_supplier::Entity::find())
            .filter(proc_supplier::Column::OrganisationId.eq(t.organisation_id))
            .filter(proc_supplier::Column::IdType.eq(id_type))
            .filter(proc_supplier::Column::Identifier.eq(identifier))
            .one(txn)
    };
    if let Some(existing) = existing(identifier.clone()).await? {
        return Ok((existing, false));
    }
    let row = proc_supplier::Model {
        id: Uuid::now_v7(),
        organisation_id: t.organisation_id,
        tenant_id: t.id,
        id_type: id_type.to_owned(),
        identifier,
        name,
        created_at: Utc::now(),
    };
    // A concurrent request may record the same identifier between the read above and this
    // insert: the unique index then leaves this one out (it waits for the other to commit), and
    // the row it recorded is the answer.
    let inserted = proc_supplier::Entity::insert(proc_supplier::ActiveModel::from(row.clone()))
        .on_conflict(
            OnConflict::columns([
                proc_supplier::Column::OrganisationId,
                proc_supplier::Column::IdType,
                proc_supplier::Column::Identifier,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    if inserted == 0 {
        return match existing(row.identifier.clone()).await? {
            Some(existing) => Ok((existing, false)),
            None => Err(ProcurementError::Conflict(
                "Cet identifiant vient d'être enregistré par ailleurs : réessayez.".into(),
            )),
        };
    }
    audit::record(
        txn,
        scope,
        Entry {
            organisation_id: row.organisation_id,
            tenant_id: row.tenant_id,
            operation: "createSupplier",
            before: None,
            after: Some(json!({"id": row.id, "idType": row.id_type, "identifier": row.identifier, "name": row.name})),
        },
    )
    .await?;
    Ok((row, true))
}

/// Suppliers of the organisations where the scope reaches a tenant.
pub async fn list(
    db: &DatabaseConnection,
    scope: &Scope,
    search: Option<String>,
) -> Result<Vec<proc_supplier::Model>, ProcurementError> {
    let txn = scope.begin(db).await?;
    let rows = shared(scope, proc_supplier::Entity::find())
        .order_by_name(proc_supplier::Column::Name)
        .all(&txn)
        .await?;
    txn.commit().await?;
    let q = search.map(|s| crate::collation::fold(&s));
    Ok(rows
        .into_iter()
        .filter(|r| {
            q.as_deref().is_none_or(|q| {
                crate::collation::fold(&r.name).contains(q.trim())
                    || r.identifier.contains(q.trim())
            })
        })
        .collect())
}

fn shared(
    scope: &Scope,
    q: sea_orm::Select<proc_supplier::Entity>,
) -> sea_orm::Select<proc_supplier::Entity> {
    q.filter(scope.organisation_condition(proc_supplier::Column::OrganisationId))
}

/// The suppliers of `organisation_id` among `ids`; `BadInput(field)` if one is unknown there.
pub(crate) async fn of_organisation(
    txn: &DatabaseTransaction,
    scope: &Scope,
    organisation_id: Uuid,
    ids: &[Uuid],
    field: &'static str,
) -> Result<Vec<proc_supplier::Model>, ProcurementError> {
    let mut ids = ids.to_vec();
    ids.sort();
    ids.dedup();
    let found = shared(scope, proc_supplier::Entity::find())
        .filter(proc_supplier::Column::OrganisationId.eq(organisation_id))
        .filter(proc_supplier::Column::Id.is_in(ids.clone()))
        .all(txn)
        .await?;
    if found.len() != ids.len() {
        return Err(bad(
            field,
            "Fournisseur inconnu dans cette intercommunalité.",
        ));
    }
    Ok(found)
}

/// Suppliers by id, within the organisations the scope touches.
pub async fn by_ids(
    db: &DatabaseConnection,
    scope: &Scope,
    ids: &[Uuid],
) -> Result<Vec<proc_supplier::Model>, ProcurementError> {
    let txn = scope.begin(db).await?;
    let rows = shared(scope, proc_supplier::Entity::find())
        .filter(proc_supplier::Column::Id.is_in(ids.to_vec()))
        .all(&txn)
        .await?;
    txn.commit().await?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_follow_their_type() {
        // La Poste's head office and a usual Luhn SIRET.
        assert_eq!(
            normalise_identifier("SIRET", "732 829 320 00074").expect("test data"),
            "73282932000074"
        );
        assert!(normalise_identifier("SIRET", "73282932000075").is_err());
        assert_eq!(
            normalise_identifier("TVA", "fr 40 303265045").expect("test data"),
            "FR40303265045"
        );
        assert!(normalise_identifier("TVA", "FR41303265045").is_err());
        assert_eq!(
            normalise_identifier("TVA", "DE123456789").expect("test data"),
            "DE123456789"
        );
        assert!(normalise_identifier("HORS-UE", " ").is_err());
        assert!(normalise_identifier("TVA", "aéb1").is_err());
    }
}
