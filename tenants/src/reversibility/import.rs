//! Importing a reversibility archive into an instance that does not hold its rows: the
//! archive's inflated size is bounded, its manifest verified (an altered file refuses it
//! whole), every identifier checked against the database (conflicts are listed, nothing is
//! written), then every row inserted in one transaction, parents first: nothing is ever
//! half-imported. The stored files the rows name (`fichier_…` entries) are written to the store
//! before the rows are committed: a failure leaves at most unreferenced files, never a row
//! without its file.
use super::columns::{from_json, ColumnInfo};
use super::registry::{tables, Row, TableDef};
use super::ReversibilityError;
use crate::storage::Storage;
use crate::tenancy::{can, Principal};
use formats::bundle::MANIFEST_NAME as MANIFEST;
use formats::bundle::{verify_with, VerifyLimits};
use formats::ZipLimits;
use sea_orm::{DatabaseConnection, DatabaseTransaction};
use serde_json::Value as Json;
use std::collections::HashSet;
use std::io::{Cursor, Read};

/// An archive's bounds once inflated: a few thousand rows per commune and table are a few
/// megabytes; an organisation of a hundred communes with years of audit trail stays far below.
pub const LIMITS: ZipLimits = ZipLimits {
    // About 200 for the tables, the rest for stored files (documents, library versions).
    max_entries: 100_000,
    max_entry_bytes: 512 * 1024 * 1024,
    max_total_bytes: 2 * 1024 * 1024 * 1024,
};

/// The largest archive file read at all.
pub const MAX_ARCHIVE_BYTES: u64 = 1024 * 1024 * 1024;

/// Rows inserted per statement (PostgreSQL allows 65,535 parameters, the widest table has
/// about 40 columns).
const BATCH: usize = 500;
/// Conflicts listed at most (the count is always given).
const MAX_LISTED: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    /// Rows inserted per table, registry order.
    pub tables: Vec<(String, usize)>,
    pub rows: usize,
    /// Stored files written back (evidence documents, library versions).
    pub files: usize,
    /// People whose `platform_admin` flag the archive set: cleared (an archive never makes
    /// an operator of this instance).
    pub platform_admin_cleared: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub file: String,
    /// `id=…` (or each key column).
    pub key: String,
}

struct Doc {
    rows: Vec<Row>,
}

fn entry_text(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
) -> Result<Option<Vec<u8>>, ReversibilityError> {
    let entry = match archive.by_name(name) {
        Ok(e) => e,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(ReversibilityError::Invalid(format!("{name} : {e}"))),
    };
    let mut bytes = Vec::new();
    entry
        .take(LIMITS.max_entry_bytes)
        .read_to_end(&mut bytes)
        .map_err(|e| ReversibilityError::Invalid(format!("{name} : {e}")))?;
    Ok(Some(bytes))
}

/// Parses `<table>.json` into rows in column order; every column present, no other.
fn parse(t: &TableDef, cols: &[ColumnInfo], bytes: &[u8]) -> Result<Doc, ReversibilityError> {
    #[derive(serde::Deserialize)]
    struct Raw {
        entity: String,
        rows: Vec<serde_json::Map<String, Json>>,
    }
    let file = format!("{}.json", t.file);
    let raw: Raw = serde_json::from_slice(bytes).map_err(|e| {
        ReversibilityError::Invalid(format!("{file} n'est pas un document JSON d'export : {e}"))
    })?;
    if raw.entity != t.file {
        return Err(ReversibilityError::Invalid(format!(
            "{file} annonce le type « {} »",
            raw.entity
        )));
    }
    let mut rows = Vec::with_capacity(raw.rows.len());
    for (i, mut obj) in raw.rows.into_iter().enumerate() {
        let mut row = Vec::with_capacity(cols.len());
        for c in cols {
            let v = obj.remove(&c.name).ok_or_else(|| {
                ReversibilityError::Invalid(format!(
                    "{file}, ligne {} : champ « {} » absent",
                    i + 1,
                    c.name
                ))
            })?;
            // Checked now, so a bad value is named with its line before anything is written.
            from_json(c, &v).map_err(|m| {
                ReversibilityError::Invalid(format!("{file}, ligne {} : {m}", i + 1))
            })?;
            row.push(v);
        }
        if let Some(extra) = obj.keys().next() {
            return Err(ReversibilityError::Invalid(format!(
                "{file}, ligne {} : champ inconnu « {extra} »",
                i + 1
            )));
        }
        rows.push(row);
    }
    Ok(Doc { rows })
}

fn key_of(pk_idx: &[usize], row: &Row) -> Row {
    pk_idx.iter().map(|&i| row[i].clone()).collect()
}

fn key_text(pk: &[String], key: &Row) -> String {
    pk.iter()
        .zip(key)
        .map(|(n, v)| {
            format!(
                "{n}={}",
                v.as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| v.to_string())
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Checks and imports `bytes`. `Conflicts` lists identifiers already present (nothing
/// written); any other refusal names the file and line.
pub async fn import_archive(
    db: &DatabaseConnection,
    bytes: &[u8],
    files: Option<&Storage>,
) -> Result<ImportReport, ReversibilityError> {
    formats::zip_limits::check(bytes, &LIMITS)?;
    let (manifest, _) = verify_with(
        bytes,
        &VerifyLimits {
            max_entries: LIMITS.max_entries,
            max_content_bytes: LIMITS.max_total_bytes,
        },
    )?;
    let listed: HashSet<&str> = manifest.files.iter().map(|f| f.name.as_str()).collect();
    if !listed.contains("organisation.json") || !listed.contains("README.md") {
        return Err(ReversibilityError::Invalid(
            "ce n'est pas une archive de réversibilité (organisation.json ou README.md manque)"
                .into(),
        ));
    }
    let registry = tables();
    let known: HashSet<String> = registry
        .iter()
        .map(|t| format!("{}.json", t.file))
        .collect();
    if let Some(unknown) = manifest.files.iter().find(|f| {
        f.name.ends_with(".json")
            && !f.name.ends_with(".schema.json")
            && f.name != MANIFEST
            && !known.contains(&f.name)
    }) {
        return Err(ReversibilityError::Invalid(format!(
            "« {} » : type d'élément inconnu de cette version de Mutualis",
            unknown.name
        )));
    }
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| ReversibilityError::Invalid(e.to_string()))?;

    let operator = Principal::operator();
    let scope = operator.can::<can::ManageUsers>()?;
    let txn = scope.begin(db).await?;

    // Pass 1: parse every table and look for identifiers already present.
    let mut conflicts = Vec::new();
    let mut conflict_count = 0usize;
    for t in &registry {
        let Some(bytes) = entry_text(&mut archive, &format!("{}.json", t.file))? else {
            continue;
        };
        let cols = t.columns();
        let doc = parse(t, &cols, &bytes)?;
        let pk = t.primary_key();
        let pk_idx: Vec<usize> = pk
            .iter()
            .filter_map(|k| cols.iter().position(|c| &c.name == k))
            .collect();
        let mut seen = HashSet::new();
        for row in &doc.rows {
            let key = key_text(&pk, &key_of(&pk_idx, row));
            if !seen.insert(key.clone()) {
                return Err(ReversibilityError::Invalid(format!(
                    "{}.json : la ligne {key} figure deux fois",
                    t.file
                )));
            }
        }
        for chunk in doc.rows.chunks(BATCH) {
            let keys = chunk.iter().map(|r| key_of(&pk_idx, r)).collect();
            for found in t.existing(&txn, keys).await? {
                conflict_count += 1;
                if conflicts.len() < MAX_LISTED {
                    conflicts.push(Conflict {
                        file: t.file.to_owned(),
                        key: key_text(&pk, &found),
                    });
                }
            }
        }
    }
    if conflict_count > 0 {
        txn.rollback().await?;
        return Err(ReversibilityError::Conflicts {
            count: conflict_count,
            listed: conflicts,
        });
    }

    // Pass 2: insert, parents first.
    let mut report = ImportReport {
        tables: vec![],
        rows: 0,
        files: 0,
        platform_admin_cleared: vec![],
    };
    let mut file_keys: Vec<String> = Vec::new();
    for t in &registry {
        let Some(bytes) = entry_text(&mut archive, &format!("{}.json", t.file))? else {
            continue;
        };
        let cols = t.columns();
        let mut doc = parse(t, &cols, &bytes)?;
        if let Some(i) = super::files::key_column(&cols) {
            file_keys.extend(
                doc.rows
                    .iter()
                    .filter_map(|r| r[i].as_str().map(str::to_owned)),
            );
        }
        if t.file == "app_user" {
            clear_platform_admin(&cols, &mut doc.rows, &mut report.platform_admin_cleared);
        }
        let n = doc.rows.len();
        insert_ordered(&txn, t, &cols, doc.rows).await?;
        report.tables.push((t.file.to_owned(), n));
        report.rows += n;
    }
    file_keys.sort();
    file_keys.dedup();
    if !file_keys.is_empty() {
        let store = super::files::store(files, file_keys.len())?;
        for key in &file_keys {
            let name =
                super::files::entry_name(key).ok_or_else(|| super::files::invalid_key(key))?;
            let content = entry_text(&mut archive, &name)?.ok_or_else(|| {
                ReversibilityError::Invalid(format!("{name} : fichier absent de l'archive"))
            })?;
            super::files::restore(store, key, content).await?;
        }
    }
    report.files = file_keys.len();
    txn.commit().await?;
    Ok(report)
}

fn clear_platform_admin(cols: &[ColumnInfo], rows: &mut [Row], cleared: &mut Vec<String>) {
    let (Some(flag), Some(email)) = (
        cols.iter().position(|c| c.name == "platform_admin"),
        cols.iter().position(|c| c.name == "email"),
    ) else {
        return;
    };
    for row in rows {
        if row[flag] == Json::Bool(true) {
            row[flag] = Json::Bool(false);
            cleared.push(row[email].as_str().unwrap_or_default().to_owned());
        }
    }
}

/// Inserts `rows`; with a self reference, the rows pointed to go first (a model activity
/// before the activities made from it, a run before its correction).
async fn insert_ordered(
    txn: &DatabaseTransaction,
    t: &TableDef,
    cols: &[ColumnInfo],
    rows: Vec<Row>,
) -> Result<(), ReversibilityError> {
    let wrap = |e: sea_orm::DbErr| {
        ReversibilityError::Invalid(format!(
            "{}.json : insertion refusée par la base ({e})",
            t.file
        ))
    };
    let Some(self_ref) = t
        .self_ref
        .and_then(|r| cols.iter().position(|c| c.name == r))
    else {
        for chunk in rows.chunks(BATCH) {
            t.insert(txn, chunk.to_vec()).await.map_err(wrap)?;
        }
        return Ok(());
    };
    let id = cols.iter().position(|c| c.name == "id").unwrap_or(0);
    let ids: HashSet<String> = rows.iter().map(|r| r[id].to_string()).collect();
    let mut placed: HashSet<String> = HashSet::new();
    let mut pending = rows;
    while !pending.is_empty() {
        let (ready, rest): (Vec<Row>, Vec<Row>) = pending.into_iter().partition(|r| {
            let p = &r[self_ref];
            let p = p.to_string();
            r[self_ref].is_null() || !ids.contains(&p) || placed.contains(&p)
        });
        if ready.is_empty() {
            return Err(ReversibilityError::Invalid(format!(
                "{}.json : références circulaires par « {} »",
                t.file, cols[self_ref].name
            )));
        }
        placed.extend(ready.iter().map(|r| r[id].to_string()));
        for chunk in ready.chunks(BATCH) {
            t.insert(txn, chunk.to_vec()).await.map_err(wrap)?;
        }
        pending = rest;
    }
    Ok(())
}
