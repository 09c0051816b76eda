use sea_orm::entity::prelude::*;

/// An OpenID authorization request in flight: its state, PKCE verifier and nonce, kept
/// server-side (any API process can finish the login) and used once.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "login_attempt")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub state: String,
    pub pkce_verifier: String,
    pub nonce: String,
    pub return_to: String,
    pub expires_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
