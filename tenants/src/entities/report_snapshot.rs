use sea_orm::entity::prelude::*;

/// The consolidated report of one organisation for one month (`YYYY-MM`), as computed.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "report_snapshot")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organisation_id: Uuid,
    /// The organisation's own tenant.
    pub tenant_id: Uuid,
    pub period: String,
    pub computed_at: DateTimeUtc,
    /// `{"communes": [CommuneFigures…], "total": CommuneFigures}`.
    pub figures: Json,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
