//! Bounds on a ZIP received from outside (an XLSX workbook to import), checked before any
//! parser reads it. A ZIP entry may claim any size and DEFLATE expands about 1,000 times: a
//! 0.7 MB workbook whose `xl/sharedStrings.xml` inflates to gigabytes made the spreadsheet
//! reader allocate them all. So every entry is inflated once here into nothing, counting,
//! and the archive is refused as soon as an entry or the whole exceeds its bound (the declared
//! sizes are checked first, but not trusted: the count is of the bytes actually inflated).
use std::io::{Cursor, Read};

/// How much an archive may hold once inflated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZipLimits {
    pub max_entries: usize,
    pub max_entry_bytes: u64,
    pub max_total_bytes: u64,
}

/// Why an archive is refused. The messages reach the person who sent the file (in French).
#[derive(Debug, thiserror::Error)]
pub enum ZipLimitError {
    /// The zip library's reason is English and technical: kept for the logs (`source`), not
    /// shown.
    #[error("archive ZIP illisible (fichier tronqué ou d'un autre format)")]
    Archive(#[from] zip::result::ZipError),
    #[error("l'archive contient {count} fichiers, {max} au plus sont acceptés")]
    TooManyEntries { count: usize, max: usize },
    #[error("le fichier « {name} » de l'archive dépasse {max} octets une fois décompressé")]
    EntryTooLarge { name: String, max: u64 },
    #[error("l'archive dépasse {max} octets une fois décompressée")]
    TooLarge { max: u64 },
    #[error("le fichier « {name} » de l'archive est illisible")]
    Read {
        name: String,
        #[source]
        source: std::io::Error,
    },
}

/// Checks `bytes` against `limits`: entry count, then each entry's declared and real size.
pub fn check(bytes: &[u8], limits: &ZipLimits) -> Result<(), ZipLimitError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))?;
    if archive.len() > limits.max_entries {
        return Err(ZipLimitError::TooManyEntries {
            count: archive.len(),
            max: limits.max_entries,
        });
    }
    let mut total = 0u64;
    let mut buf = vec![0u8; 64 * 1024];
    for i in 0..archive.len() {
        let entry = archive.by_index(i)?;
        let name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
        if entry.size() > limits.max_entry_bytes {
            return Err(ZipLimitError::EntryTooLarge {
                name,
                max: limits.max_entry_bytes,
            });
        }
        // One byte over the entry's bound is enough to know.
        let mut reader = entry.take(limits.max_entry_bytes.saturating_add(1));
        let mut inflated = 0u64;
        loop {
            let n = reader
                .read(&mut buf)
                .map_err(|source| ZipLimitError::Read {
                    name: name.clone(),
                    source,
                })?;
            if n == 0 {
                break;
            }
            inflated += n as u64;
            total += n as u64;
            if inflated > limits.max_entry_bytes {
                return Err(ZipLimitError::EntryTooLarge {
                    name,
                    max: limits.max_entry_bytes,
                });
            }
            if total > limits.max_total_bytes {
                return Err(ZipLimitError::TooLarge {
                    max: limits.max_total_bytes,
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use zip::write::SimpleFileOptions;

    fn archive(entries: &[(&str, usize)]) -> Vec<u8> {
        let mut z = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts =
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, len) in entries {
            z.start_file(*name, opts).expect("entry");
            z.write_all(&vec![b'a'; *len]).expect("bytes");
        }
        z.finish().expect("zip").into_inner()
    }

    const LIMITS: ZipLimits = ZipLimits {
        max_entries: 3,
        max_entry_bytes: 1000,
        max_total_bytes: 1500,
    };

    #[test]
    fn entries_are_bounded_one_by_one_and_together() {
        assert!(check(&archive(&[("a", 1000), ("b", 500)]), &LIMITS).is_ok());
        assert!(matches!(
            check(&archive(&[("a", 1001)]), &LIMITS),
            Err(ZipLimitError::EntryTooLarge { .. })
        ));
        assert!(matches!(
            check(&archive(&[("a", 1000), ("b", 501)]), &LIMITS),
            Err(ZipLimitError::TooLarge { .. })
        ));
        assert!(matches!(
            check(&archive(&[("a", 1), ("b", 1), ("c", 1), ("d", 1)]), &LIMITS),
            Err(ZipLimitError::TooManyEntries { count: 4, max: 3 })
        ));
        assert!(matches!(
            check(b"not a zip", &LIMITS),
            Err(ZipLimitError::Archive(_))
        ));
    }
}
