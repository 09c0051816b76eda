//! The stored files (evidence documents, the library's versions) travel in the archive, one
//! entry each, covered by the manifest like every other entry: a commune that leaves takes its
//! documents, not only their descriptions. The archive is flat (no folders: the bundle format
//! refuses them), so the entry of storage key `documents/a/b/c` is `fichier_documents_a_b_c`;
//! keys hold no `_`, so no two keys share an entry.
use super::columns::ColumnInfo;
use super::ReversibilityError;
use crate::storage::Storage;

/// The prefix of the stored files' entries.
pub const PREFIX: &str = "fichier_";

/// The largest stored file carried (uploads are bounded far below).
pub const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;

/// The column naming a row's stored file, when the table has one.
pub fn key_column(cols: &[ColumnInfo]) -> Option<usize> {
    cols.iter().position(|c| c.name == "storage_key")
}

/// The entry of a storage key; `None` for a key this instance would not have written.
pub fn entry_name(key: &str) -> Option<String> {
    let plain = !key.is_empty()
        && key.len() <= 200
        && key
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/-.".contains(c));
    plain.then(|| format!("{PREFIX}{}", key.replace('/', "_")))
}

pub fn invalid_key(key: &str) -> ReversibilityError {
    ReversibilityError::Invalid(format!("clé de fichier refusée : « {key} »"))
}

/// The store, or the refusal when rows name files and none is configured.
pub fn store(files: Option<&Storage>, count: usize) -> Result<&Storage, ReversibilityError> {
    files.ok_or_else(|| {
        ReversibilityError::Io(format!(
            "{count} fichier(s) déposé(s) à joindre, mais aucun stockage de fichiers n'est configuré"
        ))
    })
}

/// Reads one stored file for the archive.
pub async fn read(store: &Storage, key: &str) -> Result<(String, Vec<u8>), ReversibilityError> {
    let name = entry_name(key).ok_or_else(|| invalid_key(key))?;
    let bytes = store
        .get(key, MAX_FILE_BYTES)
        .await
        .map_err(|e| ReversibilityError::Io(format!("{key} : {e}")))?;
    Ok((name, bytes))
}

/// Writes one stored file back from the archive.
pub async fn restore(store: &Storage, key: &str, bytes: Vec<u8>) -> Result<(), ReversibilityError> {
    entry_name(key).ok_or_else(|| invalid_key(key))?;
    store
        .put(key, bytes)
        .await
        .map_err(|e| ReversibilityError::Io(format!("{key} : {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_stay_inside_the_folder() {
        assert_eq!(
            entry_name("documents/0191/abc.pdf").as_deref(),
            Some("fichier_documents_0191_abc.pdf")
        );
        for bad in [
            "",
            "/etc/passwd",
            "a/../b",
            "a//b",
            "./a",
            "a\\b",
            "é",
            "a_b",
        ] {
            assert_eq!(entry_name(bad), None, "{bad}");
        }
    }
}
