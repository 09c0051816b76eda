use sea_orm::entity::prelude::*;

/// An evidence document of a commune (its bytes are in the object storage under `storage_key`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "gdpr_document")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub tenant_id: Uuid,
    /// `contract`, `training_attendance`, `policy`, `procedure`, `signed_register`, `dpia`,
    /// `notification` or `other` (`gdpr::documents::DocumentKind`).
    pub kind: String,
    pub title: String,
    pub document_date: Date,
    /// The name the file was sent with (shown, and offered on download).
    pub file_name: String,
    /// Found by the file's content, never taken from the sender.
    pub media_type: String,
    pub bytes: i64,
    /// Lowercase hexadecimal SHA-256 of the bytes.
    pub sha256: String,
    pub storage_key: String,
    pub uploaded_by: String,
    pub uploaded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
