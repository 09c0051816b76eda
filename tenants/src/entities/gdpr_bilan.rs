use sea_orm::entity::prelude::*;

/// One commune's yearly bilan of a run: its figures and its two documents.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "gdpr_bilan")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub tenant_id: Uuid,
    pub run_id: Uuid,
    pub year: i32,
    /// `BilanFigures` as JSON: what the documents say.
    pub figures: Json,
    /// The editable document (Office Open XML).
    pub docx: Vec<u8>,
    pub pdf: Vec<u8>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
