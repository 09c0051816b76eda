//! Where uploaded files are kept: `fs` (a directory, `files` in the data directory, the
//! default) or `s3` (an S3-compatible bucket, the default when a bucket is named).
use super::defaults;
use super::raw::{nonempty, RawConfig};
use super::{invalid, ConfigError};
use std::path::{Path, PathBuf};
use tenants::storage::StorageSettings;

/// `fs` (the default: a directory, `files` in the data directory) or `s3` (the default when a
/// bucket is named).
pub(super) fn read(raw: &RawConfig, data_dir: &Path) -> Result<StorageSettings, ConfigError> {
    let bucket = nonempty(&raw.s3_bucket);
    let kind =
        nonempty(&raw.storage).unwrap_or_else(|| if bucket.is_some() { "s3" } else { "fs" }.into());
    match kind.as_str() {
        "fs" => Ok(StorageSettings::FileSystem {
            root: nonempty(&raw.storage_dir)
                .map(PathBuf::from)
                .unwrap_or_else(|| data_dir.join(defaults::STORAGE_DIR)),
        }),
        "s3" => {
            let need = |v: &Option<String>, setting: &'static str| {
                nonempty(v).ok_or_else(|| invalid(setting, "required with MUTUALIS_STORAGE=s3"))
            };
            let endpoint = match nonempty(&raw.s3_endpoint) {
                None => None,
                Some(e) => {
                    let u = url::Url::parse(&e).map_err(|err| {
                        invalid("MUTUALIS_S3_ENDPOINT", format!("not a URL: {err}"))
                    })?;
                    if !matches!(u.scheme(), "http" | "https") {
                        return Err(invalid(
                            "MUTUALIS_S3_ENDPOINT",
                            "must be http:// or https://",
                        ));
                    }
                    Some(e.trim_end_matches('/').to_owned())
                }
            };
            Ok(StorageSettings::S3 {
                allow_http: endpoint
                    .as_deref()
                    .is_some_and(|e| e.starts_with("http://")),
                endpoint,
                bucket: need(&raw.s3_bucket, "MUTUALIS_S3_BUCKET")?,
                region: nonempty(&raw.s3_region).unwrap_or_else(|| defaults::S3_REGION.into()),
                access_key_id: need(&raw.s3_access_key_id, "MUTUALIS_S3_ACCESS_KEY_ID")?,
                secret_access_key: need(
                    &raw.s3_secret_access_key,
                    "MUTUALIS_S3_SECRET_ACCESS_KEY",
                )?,
            })
        }
        other => Err(invalid(
            "MUTUALIS_STORAGE",
            format!("fs or s3, not {other:?}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use crate::config::{Config, RawConfig};
    use std::path::PathBuf;

    fn raw() -> RawConfig {
        RawConfig::default()
    }

    #[test]
    fn files_go_to_the_data_directory_or_to_a_named_bucket() {
        use tenants::storage::StorageSettings;
        let c = Config::from_raw(raw()).expect("defaults");
        assert_eq!(
            c.storage,
            StorageSettings::FileSystem {
                root: PathBuf::from("./data/files")
            }
        );
        assert_eq!(c.document_max_bytes, 20 * 1024 * 1024);
        let s3 = RawConfig {
            s3_bucket: Some("preuves".into()),
            s3_endpoint: Some("http://127.0.0.1:9000/".into()),
            s3_access_key_id: Some("AK".into()),
            s3_secret_access_key: Some("SK-secret".into()),
            ..raw()
        };
        let c = Config::from_raw(s3.clone()).expect("s3");
        assert!(matches!(
            &c.storage,
            StorageSettings::S3 { bucket, allow_http: true, endpoint: Some(e), .. }
                if bucket == "preuves" && e == "http://127.0.0.1:9000"
        ));
        assert!(c.log_secrets.contains(&"SK-secret".to_owned()));
        assert!(!format!("{:?}", c.storage).contains("SK-secret"));
        let missing = Config::from_raw(RawConfig {
            s3_secret_access_key: None,
            ..s3
        })
        .expect_err("no secret");
        assert!(missing
            .to_string()
            .contains("MUTUALIS_S3_SECRET_ACCESS_KEY"));
        let bad = Config::from_raw(RawConfig {
            storage: Some("ftp".into()),
            ..raw()
        })
        .expect_err("unknown");
        assert!(bad.to_string().contains("MUTUALIS_STORAGE"));
        let tiny = Config::from_raw(RawConfig {
            document_max_bytes: Some(10),
            ..raw()
        })
        .expect_err("too small");
        assert!(tiny.to_string().contains("MUTUALIS_DOCUMENT_MAX_BYTES"));
    }
}
