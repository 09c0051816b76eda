use sea_orm::entity::prelude::*;

/// A document proving something of the same commune's register: an activity, a rights request,
/// a breach, a processor or an action plan item.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "gdpr_document_link")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub tenant_id: Uuid,
    pub document_id: Uuid,
    /// `activity`, `request`, `breach`, `processor` or `action`.
    pub target_kind: String,
    pub target_id: Uuid,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
