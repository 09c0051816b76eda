//! A bundle written file by file, for archives too large to hold rendered in memory (the
//! reversibility export of a whole organisation): each file is streamed into its ZIP entry
//! while its SHA-256 and length are counted, and `manifest.json` is written last, in the
//! layout [`crate::bundle`] writes and [`crate::bundle::verify`] reads.
use std::collections::HashSet;
use std::io::{Seek, Write};

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::CompressionMethod;

use crate::bundle::{
    sha256_hex, zip_time, BundleError, Manifest, ManifestFile, ManifestMeta, FORMAT_VERSION,
    MANIFEST_NAME,
};

struct Open {
    name: String,
    media_type: String,
    hasher: Sha256,
    bytes: u64,
}

/// Writes a verifiable bundle entry by entry: `start_file`, `write_all` (it is a [`Write`]),
/// the next `start_file` or `finish`.
pub struct BundleWriter<W: Write + Seek> {
    zip: zip::ZipWriter<W>,
    options: SimpleFileOptions,
    generated_at: DateTime<Utc>,
    names: HashSet<String>,
    files: Vec<ManifestFile>,
    open: Option<Open>,
}

impl<W: Write + Seek> BundleWriter<W> {
    /// Entry times are `generated_at` (the manifest's), so equal content gives equal entries.
    pub fn new(out: W, generated_at: DateTime<Utc>) -> Self {
        Self {
            zip: zip::ZipWriter::new(out),
            options: SimpleFileOptions::default()
                .compression_method(CompressionMethod::Deflated)
                .last_modified_time(zip_time(generated_at))
                .unix_permissions(0o644)
                .large_file(false),
            generated_at,
            names: HashSet::new(),
            files: Vec::new(),
            open: None,
        }
    }

    fn close_open(&mut self) {
        if let Some(o) = self.open.take() {
            self.files.push(ManifestFile {
                name: o.name,
                media_type: o.media_type,
                bytes: o.bytes,
                sha256: hex::encode(o.hasher.finalize()),
            });
        }
    }

    /// Starts the next file (the previous one is complete).
    pub fn start_file(&mut self, name: &str, media_type: &str) -> Result<(), BundleError> {
        if !crate::bundle::is_plain_name(name) {
            return Err(BundleError::UnsafeName { name: name.into() });
        }
        if name.eq_ignore_ascii_case(MANIFEST_NAME) {
            return Err(BundleError::ReservedName { name: name.into() });
        }
        if !self.names.insert(name.to_lowercase()) {
            return Err(BundleError::DuplicateName { name: name.into() });
        }
        self.close_open();
        self.zip.start_file(name, self.options)?;
        self.open = Some(Open {
            name: name.into(),
            media_type: media_type.into(),
            hasher: Sha256::new(),
            bytes: 0,
        });
        Ok(())
    }

    /// The files written so far (the open one excluded).
    pub fn files(&self) -> &[ManifestFile] {
        &self.files
    }

    /// Writes `manifest.json` and closes the archive: the manifest, the SHA-256 of its bytes
    /// (the value to record in the audit trail) and the output.
    pub fn finish(mut self, meta: ManifestMeta) -> Result<(Manifest, String, W), BundleError> {
        self.close_open();
        let manifest = Manifest {
            format_version: FORMAT_VERSION,
            software: format!("mutualis {}", meta.software_version),
            generated_at: self.generated_at,
            principal: meta.principal,
            tenants: meta.tenants,
            purpose: meta.purpose,
            files: std::mem::take(&mut self.files),
        };
        let mut manifest_bytes = serde_json::to_vec_pretty(&manifest)?;
        manifest_bytes.push(b'\n');
        let sha = sha256_hex(&manifest_bytes);
        self.zip.start_file(MANIFEST_NAME, self.options)?;
        self.zip.write_all(&manifest_bytes)?;
        let out = self.zip.finish()?;
        Ok((manifest, sha, out))
    }
}

impl<W: Write + Seek> Write for BundleWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let Some(open) = self.open.as_mut() else {
            return Err(std::io::Error::other("no file started in the bundle"));
        };
        let n = self.zip.write(buf)?;
        open.hasher.update(&buf[..n]);
        open.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.zip.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::{verify_with, VerifyLimits};
    use std::io::Cursor;

    #[test]
    fn streamed_bundle_verifies_and_names_an_altered_file() {
        let at = DateTime::parse_from_rfc3339("2026-12-15T10:00:00Z")
            .map(|d| d.with_timezone(&Utc))
            .expect("date");
        let mut w = BundleWriter::new(Cursor::new(Vec::new()), at);
        w.start_file("a.json", "application/json").expect("start");
        w.write_all(b"[1,").expect("write");
        w.write_all(b"2]").expect("write");
        w.start_file("b.csv", "text/csv").expect("start");
        w.write_all(b"x;y\r\n").expect("write");
        assert!(matches!(
            w.start_file("A.json", "application/json"),
            Err(BundleError::DuplicateName { .. })
        ));
        let meta = ManifestMeta {
            software_version: "0".into(),
            generated_at: at,
            principal: "p".into(),
            tenants: vec![],
            purpose: "test".into(),
        };
        let (m, sha, out) = w.finish(meta).expect("finish");
        assert_eq!(m.files.len(), 2);
        assert_eq!(m.files[0].bytes, 5);
        assert_eq!(m.files[0].sha256, sha256_hex(b"[1,2]"));
        let zip = out.into_inner();
        let limits = VerifyLimits {
            max_entries: 3,
            max_content_bytes: 1000,
        };
        let (_, got) = verify_with(&zip, &limits).expect("verifies");
        assert_eq!(got, sha);
        let too_few = VerifyLimits {
            max_entries: 2,
            ..limits
        };
        assert!(verify_with(&zip, &too_few).is_err());
    }
}
