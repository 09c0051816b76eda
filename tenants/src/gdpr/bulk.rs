//! Bulk actions on the register's list (issue 19): the selected activities archived in one
//! transaction — all of them or none, each one audited as a single archive would be.
use super::activity::archive_in;
use super::GdprError;
use crate::entities::gdpr_activity;
use crate::tenancy::{can, Can};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

/// The most activities one bulk action takes.
pub const MAX_SELECTED: usize = 200;

/// Archives every `(id, version read)`; on the first refusal nothing is archived and the
/// error names the activity it stopped at.
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn archive_activities(
    db: &DatabaseConnection,
    scope: &Can<can::EditGdpr>,
    selected: &[(Uuid, i32)],
) -> Result<Vec<gdpr_activity::Model>, GdprError> {
    if selected.is_empty() {
        return Err(GdprError::BadInput {
            field: "items",
            message: "Sélectionnez au moins un traitement.".into(),
        });
    }
    if selected.len() > MAX_SELECTED {
        return Err(GdprError::BadInput {
            field: "items",
            message: format!("On archive {MAX_SELECTED} traitements au plus à la fois."),
        });
    }
    let mut seen = std::collections::HashSet::new();
    let txn = scope.begin(db).await?;
    let mut out = Vec::with_capacity(selected.len());
    for (id, version) in selected {
        if !seen.insert(*id) {
            continue;
        }
        match archive_in(&txn, scope, *id, *version).await {
            Ok((row, _)) => out.push(row),
            // A foreign or unknown id stays a plain NOT_FOUND (it says nothing of the row).
            Err(GdprError::Access(e)) => return Err(GdprError::Access(e)),
            Err(GdprError::Conflict(m)) => {
                let name = super::activity::get_in(&txn, scope, *id).await?.name;
                return Err(GdprError::Conflict(format!(
                    "« {name} » : {m} Aucun traitement n'a été archivé."
                )));
            }
            Err(GdprError::BadInput { field, message }) => {
                return Err(GdprError::BadInput {
                    field,
                    message: format!("{message} Aucun traitement n'a été archivé."),
                })
            }
            Err(e) => return Err(e),
        }
    }
    txn.commit().await?;
    Ok(out)
}
