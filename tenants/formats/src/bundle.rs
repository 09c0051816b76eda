//! A verifiable bundle: a ZIP holding the rendered files and a `manifest.json` that lists each
//! file's name, media type, size and SHA-256, with who generated it, when, for which tenants and
//! why. The ZIP is deterministic: entry times come from the manifest's `generated_at`, entries
//! keep the given order (`manifest.json` last), so the same input gives the same bytes and the
//! same `manifest_sha256`, the value to record in the audit log.

use std::collections::{BTreeSet, HashSet};
use std::io::{Cursor, Read, Write};

use chrono::{DateTime, Datelike, Timelike, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::CompressionMethod;

use crate::{FormatError, RenderedFile};

/// The name of the manifest entry inside a bundle.
pub const MANIFEST_NAME: &str = "manifest.json";
/// The manifest layout version written by [`bundle`] and accepted by [`verify`].
pub const FORMAT_VERSION: u32 = 1;
/// The largest `manifest.json` that [`verify`] reads.
const MAX_MANIFEST_BYTES: u64 = 16 * 1024 * 1024;
/// The most files (manifest included) a bundle to verify may hold: a register export has one
/// per format and sheet, about ten.
pub const MAX_ENTRIES: usize = 100;
/// The most bytes the files of a bundle to verify may add up to. A register export of 1,000
/// activities in every format is about 10 MB; this leaves room for the largest registers, and
/// bounds the hashing a 50 MiB upload can ask for (a few hundred milliseconds of one core,
/// where the DEFLATE ratio alone allowed 52 GB).
pub const MAX_CONTENT_BYTES: u64 = 256 * 1024 * 1024;

/// A tenant the export covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantRef {
    pub id: String,
    pub name: String,
}

/// What the caller knows about the export; copied into the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestMeta {
    /// Mutualis version, e.g. `env!("CARGO_PKG_VERSION")`; the manifest says `mutualis <it>`.
    pub software_version: String,
    pub generated_at: DateTime<Utc>,
    /// Who asked for the export (a principal id or e-mail).
    pub principal: String,
    pub tenants: Vec<TenantRef>,
    /// Why, in words (e.g. "Contrôle CNIL du 14/03/2025").
    pub purpose: String,
}

/// One file listed in the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestFile {
    pub name: String,
    pub media_type: String,
    pub bytes: u64,
    /// Lowercase hexadecimal SHA-256 of the file's bytes.
    pub sha256: String,
}

/// The content of `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format_version: u32,
    pub software: String,
    pub generated_at: DateTime<Utc>,
    pub principal: String,
    pub tenants: Vec<TenantRef>,
    pub purpose: String,
    pub files: Vec<ManifestFile>,
}

/// A packed bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle {
    pub zip: Vec<u8>,
    pub manifest: Manifest,
    /// SHA-256 (hex) of the exact `manifest.json` bytes stored in the ZIP.
    pub manifest_sha256: String,
}

/// Why a bundle could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("file name {name:?} is not a plain file name (empty, a path, a control character or a dot name)")]
    UnsafeName { name: String },
    #[error("file name {name:?} is reserved for the manifest")]
    ReservedName { name: String },
    #[error("file name {name:?} is given twice")]
    DuplicateName { name: String },
    #[error("manifest could not be serialized: {0}")]
    Manifest(#[from] serde_json::Error),
    #[error("bundle archive could not be written: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("bundle archive could not be written: {0}")]
    Io(#[from] std::io::Error),
}

/// Why a bundle does not verify. Each problem names the file concerned.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("ce n'est pas une archive ZIP lisible")]
    Archive(#[from] zip::result::ZipError),
    #[error("l'archive ne contient pas de {MANIFEST_NAME}")]
    ManifestMissing,
    #[error("{MANIFEST_NAME} est illisible ({0})")]
    ManifestInvalid(String),
    #[error("{MANIFEST_NAME} est au format_version {0}, ce logiciel lit le {FORMAT_VERSION}")]
    UnsupportedVersion(u32),
    #[error(
        "{MANIFEST_NAME} ne correspond pas à l'empreinte enregistrée : {expected} attendue, {actual} trouvée"
    )]
    ManifestAltered { expected: String, actual: String },
    #[error("le fichier « {name} » figure au manifeste mais manque dans l'archive")]
    MissingFile { name: String },
    #[error("le fichier « {name} » est dans l'archive mais pas au manifeste")]
    ExtraFile { name: String },
    #[error("le fichier « {name} » a été modifié : {expected_bytes} octets d'empreinte SHA-256 {expected_sha256} attendus, {actual_bytes} octets d'empreinte SHA-256 {actual_sha256} trouvés")]
    AlteredFile {
        name: String,
        expected_sha256: String,
        actual_sha256: String,
        expected_bytes: u64,
        actual_bytes: u64,
    },
    #[error("l'entrée « {name} » figure plusieurs fois dans l'archive ou le manifeste")]
    DuplicateEntry { name: String },
    #[error("le manifeste déclare {declared} octets de fichiers, plus qu'une archive de {archive} octets ne peut en contenir ({limit} au plus)")]
    TooLarge {
        declared: u64,
        archive: u64,
        limit: u64,
    },
    #[error("l'archive contient {count} entrées ; une archive de ce type en compte {max} au plus")]
    TooManyEntries { count: usize, max: usize },
    #[error("l'entrée « {name} » n'a pas pu être lue")]
    Read {
        name: String,
        #[source]
        source: std::io::Error,
    },
}

/// Pack `files` and their manifest into a deterministic ZIP (deflate).
pub fn bundle(files: Vec<RenderedFile>, meta: ManifestMeta) -> Result<Bundle, FormatError> {
    Ok(build(files, meta)?)
}

fn build(files: Vec<RenderedFile>, meta: ManifestMeta) -> Result<Bundle, BundleError> {
    let mut names = HashSet::new();
    for file in &files {
        if !is_plain_name(&file.name) {
            return Err(BundleError::UnsafeName {
                name: file.name.clone(),
            });
        }
        if file.name.eq_ignore_ascii_case(MANIFEST_NAME) {
            return Err(BundleError::ReservedName {
                name: file.name.clone(),
            });
        }
        if !names.insert(file.name.to_lowercase()) {
            return Err(BundleError::DuplicateName {
                name: file.name.clone(),
            });
        }
    }

    let manifest = Manifest {
        format_version: FORMAT_VERSION,
        software: format!("mutualis {}", meta.software_version),
        generated_at: meta.generated_at,
        principal: meta.principal,
        tenants: meta.tenants,
        purpose: meta.purpose,
        files: files
            .iter()
            .map(|f| ManifestFile {
                name: f.name.clone(),
                media_type: f.media_type.to_owned(),
                bytes: f.bytes.len() as u64,
                sha256: sha256_hex(&f.bytes),
            })
            .collect(),
    };
    let mut manifest_bytes = serde_json::to_vec_pretty(&manifest)?;
    manifest_bytes.push(b'\n');
    let manifest_sha256 = sha256_hex(&manifest_bytes);

    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(zip_time(manifest.generated_at))
        .unix_permissions(0o644);
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for file in &files {
        zip.start_file(file.name.as_str(), options)?;
        zip.write_all(&file.bytes)?;
    }
    zip.start_file(MANIFEST_NAME, options)?;
    zip.write_all(&manifest_bytes)?;
    let zip = zip.finish()?.into_inner();

    Ok(Bundle {
        zip,
        manifest,
        manifest_sha256,
    })
}

/// Check a bundle: read its manifest, re-hash every entry, and fail on the first problem, in
/// this order: a file of the manifest missing from the archive or altered (manifest order),
/// then an entry of the archive the manifest does not list (archive order).
pub fn verify(zip_bytes: &[u8]) -> Result<Manifest, VerifyError> {
    verify_inner(zip_bytes, None).map(|(m, _)| m)
}

/// [`verify`], with the SHA-256 (hex) of the `manifest.json` bytes, to compare with recorded
/// values without reading the bundle again.
pub fn verify_hashed(zip_bytes: &[u8]) -> Result<(Manifest, String), VerifyError> {
    verify_inner(zip_bytes, None)
}

/// [`verify`], and also check that `manifest.json` hashes to `expected_manifest_sha256` (the
/// value recorded when the bundle was made), so a rewritten manifest is caught too.
pub fn verify_against(
    zip_bytes: &[u8],
    expected_manifest_sha256: &str,
) -> Result<Manifest, VerifyError> {
    verify_inner(zip_bytes, Some(expected_manifest_sha256)).map(|(m, _)| m)
}

/// How much a bundle to verify may hold: register bundles use [`MAX_ENTRIES`] and
/// [`MAX_CONTENT_BYTES`]; larger archives (the reversibility export) give their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifyLimits {
    pub max_entries: usize,
    pub max_content_bytes: u64,
}

/// The limits of a register bundle.
pub const REGISTER_LIMITS: VerifyLimits = VerifyLimits {
    max_entries: MAX_ENTRIES,
    max_content_bytes: MAX_CONTENT_BYTES,
};

/// [`verify_hashed`] with other limits than a register bundle's.
pub fn verify_with(
    zip_bytes: &[u8],
    limits: &VerifyLimits,
) -> Result<(Manifest, String), VerifyError> {
    verify_limited(zip_bytes, None, limits)
}

fn verify_inner(
    zip_bytes: &[u8],
    expected_manifest_sha256: Option<&str>,
) -> Result<(Manifest, String), VerifyError> {
    verify_limited(zip_bytes, expected_manifest_sha256, &REGISTER_LIMITS)
}

fn verify_limited(
    zip_bytes: &[u8],
    expected_manifest_sha256: Option<&str>,
    limits: &VerifyLimits,
) -> Result<(Manifest, String), VerifyError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(zip_bytes))?;
    if archive.len() > limits.max_entries {
        return Err(VerifyError::TooManyEntries {
            count: archive.len(),
            max: limits.max_entries,
        });
    }

    let mut entry_names = Vec::with_capacity(archive.len());
    let mut seen = BTreeSet::new();
    for i in 0..archive.len() {
        let name = archive.by_index(i)?.name()?.into_owned();
        if !seen.insert(name.clone()) {
            return Err(VerifyError::DuplicateEntry { name });
        }
        entry_names.push(name);
    }

    let manifest_bytes = {
        let entry = match archive.by_name(MANIFEST_NAME) {
            Ok(entry) => entry,
            Err(zip::result::ZipError::FileNotFound) => return Err(VerifyError::ManifestMissing),
            Err(e) => return Err(e.into()),
        };
        let mut bytes = Vec::new();
        entry
            .take(MAX_MANIFEST_BYTES)
            .read_to_end(&mut bytes)
            .map_err(|source| VerifyError::Read {
                name: MANIFEST_NAME.to_owned(),
                source,
            })?;
        bytes
    };
    let manifest_sha256 = sha256_hex(&manifest_bytes);
    if let Some(expected) = expected_manifest_sha256 {
        let actual = manifest_sha256.clone();
        if !actual.eq_ignore_ascii_case(expected.trim()) {
            return Err(VerifyError::ManifestAltered {
                expected: expected.to_owned(),
                actual,
            });
        }
    }
    let manifest: Manifest = serde_json::from_slice(&manifest_bytes)
        .map_err(|e| VerifyError::ManifestInvalid(e.to_string()))?;
    if manifest.format_version != FORMAT_VERSION {
        return Err(VerifyError::UnsupportedVersion(manifest.format_version));
    }

    // Hashing reads only what the manifest declares (plus one byte, to see a longer entry), and
    // the declared total may not exceed what DEFLATE can expand the archive to nor what a real
    // bundle holds: a crafted zip whose entries share compressed data, or one entry declaring
    // gigabytes, cannot make an upload cost more than a real bundle's work.
    let archive_len = zip_bytes.len() as u64;
    let limit = archive_len
        .saturating_mul(MAX_DEFLATE_RATIO)
        .min(limits.max_content_bytes);
    let declared = manifest
        .files
        .iter()
        .fold(0u64, |sum, f| sum.saturating_add(f.bytes));
    if declared > limit {
        return Err(VerifyError::TooLarge {
            declared,
            archive: archive_len,
            limit,
        });
    }
    let mut listed = HashSet::new();
    for file in &manifest.files {
        if !listed.insert(file.name.as_str()) || file.name == MANIFEST_NAME {
            return Err(VerifyError::DuplicateEntry {
                name: file.name.clone(),
            });
        }
        let entry = match archive.by_name(&file.name) {
            Ok(entry) => entry,
            Err(zip::result::ZipError::FileNotFound) => {
                return Err(VerifyError::MissingFile {
                    name: file.name.clone(),
                })
            }
            Err(e) => return Err(e.into()),
        };
        let (actual_sha256, actual_bytes) = hash_reader(entry.take(file.bytes.saturating_add(1)))
            .map_err(|source| VerifyError::Read {
            name: file.name.clone(),
            source,
        })?;
        if actual_bytes != file.bytes || !actual_sha256.eq_ignore_ascii_case(&file.sha256) {
            return Err(VerifyError::AlteredFile {
                name: file.name.clone(),
                expected_sha256: file.sha256.clone(),
                actual_sha256,
                expected_bytes: file.bytes,
                actual_bytes,
            });
        }
    }
    if let Some(extra) = entry_names
        .into_iter()
        .find(|n| n != MANIFEST_NAME && !listed.contains(n.as_str()))
    {
        return Err(VerifyError::ExtraFile { name: extra });
    }
    Ok((manifest, manifest_sha256))
}

/// DEFLATE's best ratio is about 1032:1.
const MAX_DEFLATE_RATIO: u64 = 1032;

/// Streamed SHA-256 and length, so a large entry is never held in memory.
fn hash_reader(mut reader: impl Read) -> std::io::Result<(String, u64)> {
    let mut hasher = Sha256::new();
    let mut buf = [0u8; 64 * 1024];
    let mut total = 0u64;
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        total += n as u64;
    }
    Ok((hex::encode(hasher.finalize()), total))
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A file name with no directory part, no control character, not `.`-led, at most 255 bytes.
pub(crate) fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 255
        && !name.starts_with('.')
        && !name
            .chars()
            .any(|c| c.is_control() || matches!(c, '/' | '\\' | ':'))
}

/// ZIP (MS-DOS) timestamp of `at` in UTC, clamped to the format's 1980–2107 range.
pub(crate) fn zip_time(at: DateTime<Utc>) -> zip::DateTime {
    let year = at.year().clamp(1980, 2107) as u16;
    let clamped = if at.year() < 1980 {
        (1, 1, 0, 0, 0)
    } else if at.year() > 2107 {
        (12, 31, 23, 59, 58)
    } else {
        (
            at.month() as u8,
            at.day() as u8,
            at.hour() as u8,
            at.minute() as u8,
            at.second().min(59) as u8,
        )
    };
    let (month, day, hour, minute, second) = clamped;
    zip::DateTime::from_date_and_time(year, month, day, hour, minute, second).unwrap_or_default()
}
