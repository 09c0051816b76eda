//! The evidence documents in an auditor's register bundle. Every document of the communes
//! exported is listed (`pieces-justificatives-*.csv`: title, type, date, file, size, SHA-256,
//! who uploaded it, what it is linked to, and the name of its copy in the archive), and the
//! files themselves are packed beside the register while they fit: at most
//! [`MAX_FILES`] files and [`MAX_BYTES`] bytes, so that the bundle stays under the 50 MiB a
//! bundle sent back for verification may weigh. A document left out says so in the list, with
//! its SHA-256, which lets the auditor check the file downloaded from the console. Every file
//! packed is hashed again in the manifest (the manifest's SHA-256 is in the audit trail), and a
//! stored file whose bytes no longer match the SHA-256 recorded at upload is not packed: the
//! list says it is altered.
use super::{DocumentError, DocumentKind, LinkTarget};
use crate::entities::{gdpr_document, gdpr_document_link, tenant};
use crate::storage::Storage;
use crate::tenancy::Scope;
use chrono::{DateTime, Utc};
use formats::{Cell, Column, Document, Format, RenderedFile, Sheet};
use sea_orm::{ColumnTrait, DatabaseConnection, QueryFilter, QueryOrder};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use uuid::Uuid;

/// The most document files packed in one bundle.
pub const MAX_FILES: usize = 60;
/// The most bytes of document files packed in one bundle (they hardly compress: PDF, JPEG).
pub const MAX_BYTES: u64 = 40 * 1024 * 1024;

/// What the bundle gets: the list, and the files that fit.
pub struct BundledDocuments {
    pub files: Vec<RenderedFile>,
    pub listed: usize,
    pub packed: usize,
}

/// A plain ASCII name for the copy in the archive: `piece-<8 hex of the id>-<name>`.
pub fn archive_name(id: Uuid, file_name: &str) -> String {
    let folded = crate::collation::fold(file_name.rsplit_once('.').map_or(file_name, |(s, _)| s));
    let stem: String = folded
        .split_whitespace()
        .collect::<Vec<_>>()
        .join("-")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(80)
        .collect();
    let ext: String = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(5)
        .collect();
    let short = &id.simple().to_string()[20..];
    match (stem.is_empty(), ext.is_empty()) {
        (true, _) => format!("piece-{short}.{ext}"),
        (false, true) => format!("piece-{short}-{stem}"),
        (false, false) => format!("piece-{short}-{stem}.{ext}"),
    }
}

/// The documents of `tenants`, listed, and packed while they fit.
pub async fn for_bundle(
    db: &DatabaseConnection,
    storage: &Storage,
    scope: &Scope,
    tenants: &HashMap<Uuid, tenant::Model>,
    generated_at: DateTime<Utc>,
) -> Result<BundledDocuments, DocumentError> {
    let ids: Vec<Uuid> = tenants.keys().copied().collect();
    let txn = scope.begin(db).await?;
    let docs = scope
        .find::<gdpr_document::Entity>()
        .filter(gdpr_document::Column::TenantId.is_in(ids))
        .order_by_asc(gdpr_document::Column::TenantId)
        .order_by_desc(gdpr_document::Column::DocumentDate)
        .order_by_asc(gdpr_document::Column::Id)
        .all(&txn)
        .await?;
    let links = scope
        .find::<gdpr_document_link::Entity>()
        .filter(gdpr_document_link::Column::DocumentId.is_in(docs.iter().map(|d| d.id)))
        .all(&txn)
        .await?;
    txn.commit().await?;
    if docs.is_empty() {
        return Ok(BundledDocuments {
            files: vec![],
            listed: 0,
            packed: 0,
        });
    }
    let mut by_doc: HashMap<Uuid, Vec<String>> = HashMap::new();
    for l in &links {
        let label = LinkTarget::parse(&l.target_kind).map_or("?", |t| t.label());
        by_doc
            .entry(l.document_id)
            .or_default()
            .push(format!("{label} {}", l.target_id));
    }
    let mut files = vec![];
    let mut rows = vec![];
    let mut packed_bytes = 0u64;
    for d in &docs {
        let size = u64::try_from(d.bytes).unwrap_or(u64::MAX);
        let fits = files.len() < MAX_FILES && packed_bytes.saturating_add(size) <= MAX_BYTES;
        let in_archive = if !fits {
            "non : au-delà de la taille d'une archive, à télécharger depuis la console".to_owned()
        } else {
            match storage.get(&d.storage_key, size).await {
                Err(e) => {
                    tracing::error!(document = %d.id, error = %e, "a document's file is unreadable");
                    "non : fichier introuvable dans le stockage".to_owned()
                }
                Ok(bytes) => {
                    let expected = d.sha256.clone();
                    let (bytes, same) = crate::blocking::run(move || {
                        let same = hex::encode(Sha256::digest(&bytes)) == expected;
                        (bytes, same)
                    })
                    .await
                    .map_err(|e| DocumentError::Busy(e.to_string()))?;
                    if same {
                        let name = archive_name(d.id, &d.file_name);
                        packed_bytes += size;
                        files.push(RenderedFile {
                            name: name.clone(),
                            media_type: formats::sniff::FileKind::from_media_type(&d.media_type)
                                .map_or("application/octet-stream", |k| k.media_type()),
                            bytes,
                        });
                        name
                    } else {
                        tracing::error!(document = %d.id, "a stored document no longer matches its SHA-256");
                        "non : le fichier stocké ne correspond plus à son empreinte (altéré)"
                            .to_owned()
                    }
                }
            }
        };
        rows.push(vec![
            Cell::from(
                tenants
                    .get(&d.tenant_id)
                    .map(|t| t.name.clone())
                    .unwrap_or_default(),
            ),
            d.title.clone().into(),
            DocumentKind::parse(&d.kind)
                .map_or("?", |k| k.label())
                .into(),
            d.document_date.into(),
            d.file_name.clone().into(),
            d.media_type.clone().into(),
            Cell::Int(d.bytes),
            d.sha256.clone().into(),
            d.uploaded_by.clone().into(),
            d.uploaded_at.into(),
            by_doc
                .get(&d.id)
                .map(|v| v.join(" ; "))
                .unwrap_or_default()
                .into(),
            in_archive.into(),
        ]);
    }
    let packed = files.len();
    let list = Document {
        title: "Pièces justificatives".into(),
        subtitle: Some(
            "Documents de preuve des communes exportées, avec leur empreinte SHA-256".into(),
        ),
        sheets: vec![Sheet {
            name: "Documents".into(),
            columns: [
                ("commune", "Commune"),
                ("title", "Titre"),
                ("kind", "Type"),
                ("date", "Date du document"),
                ("file", "Fichier"),
                ("media_type", "Type de fichier"),
                ("bytes", "Octets"),
                ("sha256", "SHA-256"),
                ("uploaded_by", "Déposé par"),
                ("uploaded_at", "Déposé le"),
                ("links", "Lié à"),
                ("in_archive", "Copie dans l'archive"),
            ]
            .into_iter()
            .map(|(k, l)| Column::new(k, l))
            .collect(),
            rows,
        }],
        generated_at,
        charts: Vec::new(),
    };
    let mut out = formats::render(&list, Format::Csv)
        .map_err(|e| DocumentError::Busy(format!("rendering: {e}")))?;
    out.extend(files);
    Ok(BundledDocuments {
        files: out,
        listed: docs.len(),
        packed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archive_names_are_plain_ascii() {
        let id = Uuid::parse_str("0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b").expect("uuid");
        assert_eq!(
            archive_name(id, "Contrat signé – Sàrl Œuvre.PDF"),
            "piece-0c1d2e3f4a5b-contrat-signe-sarl-oeuvre.pdf"
        );
        assert_eq!(archive_name(id, "../x.pdf"), "piece-0c1d2e3f4a5b-x.pdf");
        assert_eq!(archive_name(id, ".pdf"), "piece-0c1d2e3f4a5b.pdf");
    }
}
