use sea_orm::entity::prelude::*;

/// A browser session. The cookie holds a random secret; only its SHA-256 is stored, so a
/// database dump does not hand out live sessions. Stored in the database so any API process
/// accepts it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "session")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id_hash: String,
    pub user_id: Uuid,
    pub csrf_token: String,
    /// "oidc" or "demo".
    pub method: String,
    pub id_token: Option<String>,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
