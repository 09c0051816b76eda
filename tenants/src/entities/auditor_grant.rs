use sea_orm::entity::prelude::*;

/// Read and export access for an auditor on named tenants, until an expiry date.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "auditor_grant")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub user_id: Uuid,
    /// JSON array of tenant ids (all in `organisation_id`).
    pub tenant_ids: Json,
    pub reason: String,
    pub expires_at: DateTimeUtc,
    pub revoked_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub created_by: Option<Uuid>,
    /// JSON array of the permission names the grant carries (those of the auditor role its
    /// granter held on every listed tenant); null for grants older than that rule: all.
    pub permissions: Option<Json>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
