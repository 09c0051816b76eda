use sea_orm::entity::prelude::*;

/// A service of the organisation's catalogue (licences, backup storage, DPO time...).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cost_service")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub tenant_id: Uuid,
    /// Short stable code, unique in the organisation (used in FOCUS `ServiceName`).
    pub code: String,
    pub name: String,
    /// The unit usage is counted in (GB-month, poste, ticket...).
    pub unit: String,
    pub created_at: DateTimeUtc,
    /// The budget account its costs are recovered on by titres (M57: 70875…); empty, the
    /// organisation's.
    pub budget_account: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
