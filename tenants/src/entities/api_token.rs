use sea_orm::entity::prelude::*;

/// A bearer token for scripts. Only the SHA-256 of the secret is stored.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_token")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub name: String,
    #[sea_orm(unique)]
    pub secret_hash: String,
    /// First characters of the secret, to recognise it in a list.
    pub prefix: String,
    pub role: String,
    /// JSON array of tenant ids for tenant roles; null for org-wide roles.
    pub tenant_ids: Option<Json>,
    pub expires_at: DateTimeUtc,
    pub revoked_at: Option<DateTimeUtc>,
    pub last_used_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub created_by: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
