//! Each person's choice of visible columns per list of the console, kept on the server so that
//! it follows them to another browser. Row-level security shows a person only their own rows
//! (`user_id = mutualis_user_id()`); the code asks by their own id as well.
use super::lists::ListKind;
use super::GdprError;
use crate::entities::user_list_preference;
use crate::tenancy::{PrincipalKind, Scope};
use chrono::Utc;
use sea_orm::{sea_query::OnConflict, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde_json::json;

fn person(scope: &Scope) -> Option<uuid::Uuid> {
    match scope.principal().kind {
        PrincipalKind::User(id) => Some(id),
        _ => None,
    }
}

/// The columns the person chose for `list`, in the list's order; none before any choice (or
/// for an API token, which has no display).
pub async fn columns(
    db: &DatabaseConnection,
    scope: &Scope,
    list: ListKind,
) -> Result<Option<Vec<String>>, GdprError> {
    let Some(user) = person(scope) else {
        return Ok(None);
    };
    let txn = scope.begin(db).await?;
    let row = user_list_preference::Entity::find()
        .filter(user_list_preference::Column::UserId.eq(user))
        .filter(user_list_preference::Column::ListKey.eq(list.key()))
        .one(&txn)
        .await?;
    txn.commit().await?;
    Ok(row.map(|r| {
        let stored: Vec<String> = serde_json::from_value(r.columns).unwrap_or_default();
        // Columns a later version dropped are forgotten, not an error.
        list.columns()
            .iter()
            .map(|(k, _)| (*k).to_owned())
            .filter(|k| stored.contains(k))
            .collect()
    }))
}

/// Keeps the person's choice for `list` (at least one known column); answers it as stored.
pub async fn set_columns(
    db: &DatabaseConnection,
    scope: &Scope,
    list: ListKind,
    columns: &[String],
) -> Result<Vec<String>, GdprError> {
    let Some(user) = person(scope) else {
        return Err(GdprError::BadInput {
            field: "list",
            message: "Le choix des colonnes appartient à une personne connectée : un jeton d'API n'en a pas.".into(),
        });
    };
    let picked: Vec<String> = list.pick(columns)?.into_iter().map(str::to_owned).collect();
    if picked.is_empty() {
        return Err(GdprError::BadInput {
            field: "columns",
            message: "Gardez au moins une colonne visible.".into(),
        });
    }
    let txn = scope.begin(db).await?;
    user_list_preference::Entity::insert(user_list_preference::ActiveModel::from(
        user_list_preference::Model {
            user_id: user,
            list_key: list.key().to_owned(),
            columns: json!(picked),
            updated_at: Utc::now(),
        },
    ))
    .on_conflict(
        OnConflict::columns([
            user_list_preference::Column::UserId,
            user_list_preference::Column::ListKey,
        ])
        .update_columns([
            user_list_preference::Column::Columns,
            user_list_preference::Column::UpdatedAt,
        ])
        .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    txn.commit().await?;
    Ok(picked)
}
