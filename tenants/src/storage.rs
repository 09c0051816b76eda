//! Where uploaded files are kept: one interface over the `object_store` crate (Apache Arrow),
//! with two backends. The embedded mode (SQLite, the demo) keeps them in a directory beside its
//! database (`./data/files`): the file system rather than SQLite blobs, so the database stays
//! small, its WAL is not churned by 20 MiB writes, and a copy of the data directory still holds
//! everything. Production keeps them in an S3-compatible bucket (any provider, or a local
//! server such as the one the tests start), configured like every other setting.
//!
//! Keys name the organisation and tenant first (`documents/{org}/{tenant}/{id}`), so a bucket
//! policy or a lifecycle rule can follow the tenancy; the database row is the authority on who
//! may read a key: nothing here checks access.
use object_store::path::Path;
use object_store::{ObjectStore, PutPayload};
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("stockage des fichiers : {0}")]
    Config(String),
    #[error("le fichier n'est plus dans le stockage ({0})")]
    Missing(String),
    #[error("le fichier stocké dépasse {max} octets")]
    TooLarge { max: u64 },
    #[error("stockage des fichiers indisponible : {0}")]
    Backend(#[from] object_store::Error),
}

/// The settings of one backend.
#[derive(Clone, PartialEq, Eq)]
pub enum StorageSettings {
    /// A directory (created when missing).
    FileSystem { root: std::path::PathBuf },
    /// An S3-compatible bucket. `endpoint` is the server's URL for a provider other than AWS
    /// (path-style requests); `allow_http` for a server on a private network or in tests.
    S3 {
        endpoint: Option<String>,
        bucket: String,
        region: String,
        access_key_id: String,
        secret_access_key: String,
        allow_http: bool,
    },
}

impl std::fmt::Debug for StorageSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StorageSettings::FileSystem { root } => {
                f.debug_struct("FileSystem").field("root", root).finish()
            }
            StorageSettings::S3 {
                endpoint,
                bucket,
                region,
                allow_http,
                ..
            } => f
                .debug_struct("S3")
                .field("endpoint", endpoint)
                .field("bucket", bucket)
                .field("region", region)
                .field("allow_http", allow_http)
                .finish_non_exhaustive(),
        }
    }
}

/// The file store every upload goes through.
#[derive(Clone)]
pub struct Storage {
    inner: Arc<dyn ObjectStore>,
    backend: &'static str,
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Storage")
            .field("backend", &self.backend)
            .finish()
    }
}

impl Storage {
    pub fn open(settings: &StorageSettings) -> Result<Self, StorageError> {
        match settings {
            StorageSettings::FileSystem { root } => {
                std::fs::create_dir_all(root)
                    .map_err(|e| StorageError::Config(format!("{}: {e}", root.display())))?;
                let fs = object_store::local::LocalFileSystem::new_with_prefix(root)?
                    .with_automatic_cleanup(true);
                Ok(Storage {
                    inner: Arc::new(fs),
                    backend: "fs",
                })
            }
            StorageSettings::S3 {
                endpoint,
                bucket,
                region,
                access_key_id,
                secret_access_key,
                allow_http,
            } => {
                let mut b = object_store::aws::AmazonS3Builder::new()
                    .with_bucket_name(bucket)
                    .with_region(region)
                    .with_access_key_id(access_key_id)
                    .with_secret_access_key(secret_access_key)
                    .with_allow_http(*allow_http);
                if let Some(e) = endpoint {
                    b = b.with_endpoint(e).with_virtual_hosted_style_request(false);
                }
                Ok(Storage {
                    inner: Arc::new(b.build()?),
                    backend: "s3",
                })
            }
        }
    }

    /// `fs` or `s3`.
    pub fn backend(&self) -> &'static str {
        self.backend
    }

    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), StorageError> {
        self.inner
            .put(&Path::from(key), PutPayload::from(bytes))
            .await?;
        Ok(())
    }

    /// The file's bytes, refused past `max_bytes` before they are read.
    pub async fn get(&self, key: &str, max_bytes: u64) -> Result<Vec<u8>, StorageError> {
        let got = match self.inner.get(&Path::from(key)).await {
            Ok(g) => g,
            Err(object_store::Error::NotFound { .. }) => {
                return Err(StorageError::Missing(key.to_owned()))
            }
            Err(e) => return Err(e.into()),
        };
        if got.meta.size > max_bytes {
            return Err(StorageError::TooLarge { max: max_bytes });
        }
        Ok(got.bytes().await?.to_vec())
    }

    /// Removes a file; one already gone is not an error.
    pub async fn delete(&self, key: &str) -> Result<(), StorageError> {
        match self.inner.delete(&Path::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Whether a key holds a file.
    pub async fn exists(&self, key: &str) -> Result<bool, StorageError> {
        match self.inner.head(&Path::from(key)).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_file_system_backend_keeps_reads_and_forgets_a_file() {
        let dir = std::env::temp_dir().join(format!("mutualis-storage-{}", uuid::Uuid::now_v7()));
        let s = Storage::open(&StorageSettings::FileSystem { root: dir.clone() }).expect("open");
        assert_eq!(s.backend(), "fs");
        let key = "documents/o/t/d";
        s.put(key, b"%PDF-1.7 test".to_vec()).await.expect("put");
        assert!(dir.join("documents/o/t/d").exists());
        assert_eq!(s.get(key, 100).await.expect("get"), b"%PDF-1.7 test");
        assert!(matches!(
            s.get(key, 4).await,
            Err(StorageError::TooLarge { max: 4 })
        ));
        s.delete(key).await.expect("delete");
        assert!(!s.exists(key).await.expect("head"));
        assert!(matches!(
            s.get(key, 100).await,
            Err(StorageError::Missing(_))
        ));
        s.delete(key).await.expect("deleting twice is fine");
        std::fs::remove_dir_all(dir).ok();
    }
}
