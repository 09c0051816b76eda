use sea_orm::entity::prelude::*;

/// A browser session. The cookie holds a random secret; only its SHA-256 is stored, so a
/// database dump does not hand out live sessions, and nothing else secret: the CSRF token is
/// derived from the cookie's secret (`secrets::session_csrf`), the provider's ID token is not
/// kept. Stored in the database so any API process accepts it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "session")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id_hash: String,
    pub user_id: Uuid,
    /// "oidc" or "demo".
    pub method: String,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
