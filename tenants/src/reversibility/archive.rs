//! Writing the archive: for each table of the registry, `<table>.json` (every row, in
//! primary-key order), `<table>.csv` for tabular tables, `<table>.schema.json`; then
//! `README.md` and the manifest. Rows are read a page at a time and streamed into the ZIP, so
//! memory holds one page and the compressed archive, not the organisation's data.
//!
//! On PostgreSQL every page is read in one REPEATABLE READ READ ONLY transaction: the archive
//! is one consistent picture even while people keep working. SQLite's single connection is the
//! whole server's, so there each page takes its own short transaction.
use super::columns::{self, csv_cell, ColumnInfo};
use super::registry::{tables, Row, TableDef, Target};
use super::ReversibilityError;
use crate::storage::Storage;
use crate::tenancy::Scope;
use chrono::{DateTime, Utc};
use formats::{BundleWriter, Manifest, ManifestMeta, TenantRef};
use sea_orm::{
    Condition, ConnectionTrait, DatabaseBackend, DatabaseConnection, DatabaseTransaction,
};
use std::io::{Cursor, Write};

/// Rows read and written at once.
pub const PAGE: u64 = 500;

pub struct ArchiveMeta {
    pub generated_at: DateTime<Utc>,
    pub principal: String,
    pub purpose: String,
    /// What the archive covers, for the README's title (« Commune de … »).
    pub subject: String,
    pub tenants: Vec<TenantRef>,
}

pub struct Archive {
    pub zip: Vec<u8>,
    pub manifest: Manifest,
    pub manifest_sha256: String,
    pub rows: u64,
}

/// Where pages are read.
struct Reader<'a> {
    db: &'a DatabaseConnection,
    scope: &'a Scope,
    snapshot: Option<DatabaseTransaction>,
}

impl Reader<'_> {
    async fn page(
        &self,
        t: &TableDef,
        c: Condition,
        offset: u64,
    ) -> Result<Vec<Row>, ReversibilityError> {
        if let Some(txn) = &self.snapshot {
            return Ok(t.page(txn, c, offset, PAGE).await?);
        }
        let txn = self.scope.begin(self.db).await?;
        let rows = t.page(&txn, c, offset, PAGE).await?;
        txn.commit().await?;
        Ok(rows)
    }

    async fn count(&self, t: &TableDef, c: Condition) -> Result<u64, ReversibilityError> {
        if let Some(txn) = &self.snapshot {
            return Ok(t.count(txn, c).await?);
        }
        let txn = self.scope.begin(self.db).await?;
        let n = t.count(&txn, c).await?;
        txn.commit().await?;
        Ok(n)
    }
}

/// Told the rows done so far and the total, after every page.
pub trait Progress {
    fn report(
        &mut self,
        done: u64,
        total: u64,
    ) -> impl std::future::Future<Output = Result<(), ReversibilityError>> + Send;
}

/// No one to tell.
pub struct Silent;
impl Progress for Silent {
    async fn report(&mut self, _: u64, _: u64) -> Result<(), ReversibilityError> {
        Ok(())
    }
}

fn io(e: std::io::Error) -> ReversibilityError {
    ReversibilityError::Io(e.to_string())
}

/// Writes the archive of `target` as `scope` reads it, with the stored files its rows name
/// (read from `files`; refused when rows name files and there is no store).
pub async fn write(
    db: &DatabaseConnection,
    scope: &Scope,
    target: &Target,
    meta: ArchiveMeta,
    progress: &mut impl Progress,
    files: Option<&Storage>,
) -> Result<Archive, ReversibilityError> {
    let snapshot = if db.get_database_backend() == DatabaseBackend::Postgres {
        Some(scope.begin_read_snapshot(db).await?)
    } else {
        None
    };
    let reader = Reader {
        db,
        scope,
        snapshot,
    };
    let mut selected = Vec::new();
    let mut total = 0u64;
    for t in tables() {
        if let Some(c) = t.selection(scope, target)? {
            let n = reader.count(&t, c.clone()).await?;
            total += n * if t.tabular() { 2 } else { 1 };
            selected.push((t, c));
        }
    }
    progress.report(0, total).await?;

    let mut w = BundleWriter::new(Cursor::new(Vec::new()), meta.generated_at);
    let mut done = 0u64;
    let mut counts = Vec::new();
    let mut file_keys: Vec<String> = Vec::new();
    for (t, c) in &selected {
        let cols = t.columns();
        let key_col = super::files::key_column(&cols);
        w.start_file(&format!("{}.json", t.file), "application/json")?;
        write!(w, "{{\"entity\":{},\"rows\":[", json_str(t.file)).map_err(io)?;
        let mut n = 0u64;
        loop {
            let rows = reader.page(t, c.clone(), n).await?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                w.write_all(if n == 0 { b"\n" } else { b",\n" })
                    .map_err(io)?;
                w.write_all(row_object(&cols, row).as_bytes()).map_err(io)?;
                if let Some(k) = key_col.and_then(|i| row[i].as_str()) {
                    file_keys.push(k.to_owned());
                }
                n += 1;
            }
            done += rows.len() as u64;
            progress.report(done, total).await?;
            if (rows.len() as u64) < PAGE {
                break;
            }
        }
        w.write_all(b"\n]}\n").map_err(io)?;

        if t.tabular() {
            w.start_file(&format!("{}.csv", t.file), "text/csv")?;
            let mut line = String::from("\u{feff}");
            line.push_str(
                &cols
                    .iter()
                    .map(|c| c.name.as_str())
                    .collect::<Vec<_>>()
                    .join(";"),
            );
            line.push_str("\r\n");
            w.write_all(line.as_bytes()).map_err(io)?;
            let mut offset = 0u64;
            loop {
                let rows = reader.page(t, c.clone(), offset).await?;
                for row in &rows {
                    let mut line = String::new();
                    for (i, v) in row.iter().enumerate() {
                        if i > 0 {
                            line.push(';');
                        }
                        csv_cell(v, &mut line);
                    }
                    line.push_str("\r\n");
                    w.write_all(line.as_bytes()).map_err(io)?;
                }
                offset += rows.len() as u64;
                done += rows.len() as u64;
                progress.report(done, total).await?;
                if (rows.len() as u64) < PAGE {
                    break;
                }
            }
        }

        w.start_file(
            &format!("{}.schema.json", t.file),
            "application/schema+json",
        )?;
        let schema = columns::schema(t.file, t.title, &cols);
        let mut bytes = serde_json::to_vec_pretty(&schema).map_err(|e| io(e.into()))?;
        bytes.push(b'\n');
        w.write_all(&bytes).map_err(io)?;
        counts.push((t, cols, n));
    }
    if let Some(txn) = reader.snapshot {
        txn.commit().await?;
    }

    file_keys.sort();
    file_keys.dedup();
    if !file_keys.is_empty() {
        let store = super::files::store(files, file_keys.len())?;
        // One file in memory at a time, beside the archive being written.
        for key in &file_keys {
            let (name, bytes) = super::files::read(store, key).await?;
            w.start_file(&name, "application/octet-stream")?;
            w.write_all(&bytes).map_err(io)?;
        }
    }

    w.start_file("README.md", "text/markdown")?;
    w.write_all(super::readme::render(&meta.subject, target, &counts).as_bytes())
        .map_err(io)?;
    let rows = counts.iter().map(|(_, _, n)| n).sum();
    let (manifest, manifest_sha256, out) = w.finish(ManifestMeta {
        software_version: env!("CARGO_PKG_VERSION").into(),
        generated_at: meta.generated_at,
        principal: meta.principal,
        tenants: meta.tenants,
        purpose: meta.purpose,
    })?;
    Ok(Archive {
        zip: out.into_inner(),
        manifest,
        manifest_sha256,
        rows,
    })
}

fn json_str(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

/// One row as a JSON object, keys in the table's column order.
fn row_object(cols: &[ColumnInfo], row: &Row) -> String {
    let mut s = String::from("{");
    for (i, (c, v)) in cols.iter().zip(row).enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&json_str(&c.name));
        s.push(':');
        s.push_str(&v.to_string());
    }
    s.push('}');
    s
}
