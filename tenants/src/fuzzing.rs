//! The invariants the fuzz targets (`tests/fuzz`) check, one function per parser of outside
//! input. Each takes the raw fuzz input, panics when the parser panics or breaks a rule, and
//! says whether the input was accepted all the way; the tests below replay every seed and
//! every regression input through the same functions.
//!
//! Input layouts (text lines split at `\n`, so corpus files stay readable):
//! - [`backup_webhook`]: timestamp header, signature header, then the body; `-` for an absent
//!   header, `{sig}` in the signature header stands for the valid `v1=<hex>`;
//! - [`stripe_webhook`]: the `Stripe-Signature` header (`-` for none, `{sig}` for the valid
//!   hex of the header's `t`), then the payload;
//! - [`referential_import`]: `communes.json`, a `---` line, `epci.json`;
//! - [`bundle_roundtrip`]: two bytes of offset and one of mask (the byte flipped in the built
//!   ZIP), then names and contents separated by `0xFF`.
use crate::backups::ingest::{self, IngestSecret};
use crate::backups::reports;
use crate::billing::webhook::{self, SignatureError};
use crate::billing::BillingError;
use crate::procurement::import::{self, Record};
use crate::procurement::ProcurementError;
use crate::referential::{Referential, ReferentialError};
use chrono::{DateTime, TimeZone, Utc};
use std::borrow::Cow;
use std::collections::HashSet;

/// The fixed clock of the webhook targets, so a run is reproducible.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .expect("a valid instant")
}

const TOKEN_ID: &str = "ing_fuzz";
const STRIPE_SECRET: &str = "whsec_fuzz";

/// Splits at the first `n` line feeds: `n` lines, then the rest.
fn lines<const N: usize>(data: &[u8]) -> ([&[u8]; N], &[u8]) {
    let mut out = [&data[..0]; N];
    let mut rest = data;
    for slot in &mut out {
        match rest.iter().position(|b| *b == b'\n') {
            Some(i) => {
                *slot = &rest[..i];
                rest = &rest[i + 1..];
            }
            None => {
                *slot = rest;
                rest = &rest[rest.len()..];
            }
        }
    }
    (out, rest)
}

/// A header line: `-` is an absent header.
fn header(line: &[u8]) -> Option<Cow<'_, str>> {
    (line != b"-").then(|| String::from_utf8_lossy(line))
}

/// The backup report webhook's checks ([`ingest::check_delivery`]).
pub fn backup_webhook(data: &[u8]) -> bool {
    let ([ts_line, sig_line], body) = lines::<2>(data);
    let secret = IngestSecret::new(vec![7u8; 32]).expect("32 bytes");
    let key = secret.signing_key(TOKEN_ID);
    let ts = header(ts_line);
    let parsed_ts = ts.as_deref().and_then(|t| t.trim().parse::<i64>().ok());
    let sig = header(sig_line).map(|s| match parsed_ts {
        Some(t) => s.replace("{sig}", &ingest::sign(&key, t, body)),
        None => s.into_owned(),
    });
    let check = |token: &str, ts: Option<&str>, body: &[u8]| {
        ingest::check_delivery(&secret, token, ts, sig.as_deref(), body, now())
    };
    let result = check(TOKEN_ID, ts.as_deref(), body);
    assert_eq!(
        result,
        check(TOKEN_ID, ts.as_deref(), body),
        "deterministic"
    );
    match result {
        Err((r, report_id)) => {
            let expected_status = match r.code {
                "missing_header" | "bad_timestamp" | "stale_timestamp" | "malformed_json" => 400,
                "bad_signature" => 401,
                "invalid_report" => 422,
                other => panic!("unexpected rejection code {other:?}"),
            };
            assert_eq!(r.status, expected_status, "{r:?}");
            assert!(!r.message.is_empty());
            // The report id is known exactly when the body was read as a report.
            assert_eq!(report_id.is_some(), r.code == "invalid_report", "{r:?}");
            false
        }
        Ok(c) => {
            let t = parsed_ts.expect("accepted without a timestamp");
            let expected = ingest::sign(&key, t, body);
            let sig = sig.as_deref().expect("accepted without a signature");
            assert!(
                sig.split([',', ' ']).any(|s| s.trim() == expected),
                "accepted without the valid signature"
            );
            assert!((i128::from(now().timestamp()) - i128::from(t)).abs() <= 300);
            // The signature binds the body, the timestamp and the token: change one, refused.
            let mut longer = body.to_vec();
            longer.push(b' ');
            let code = |r: Result<ingest::Checked, (ingest::Rejection, Option<String>)>| {
                r.err().map(|(r, _)| r.code)
            };
            assert_eq!(
                code(check(TOKEN_ID, ts.as_deref(), &longer)),
                Some("bad_signature")
            );
            assert_eq!(
                code(check("ing_other", ts.as_deref(), body)),
                Some("bad_signature")
            );
            if let Some(later) = t.checked_add(1) {
                assert_eq!(
                    code(check(TOKEN_ID, Some(&later.to_string()), body)),
                    Some("bad_signature")
                );
            }
            reports::check(&c.report, now()).expect("an accepted report passes the checks");
            assert_eq!(c.report.external_id, c.report_id.trim());
            assert_eq!(c.policy_ref, c.policy_ref.trim());
            for v in [
                c.report.duration_ms,
                c.report.bytes_processed,
                c.report.bytes_added,
                c.report.files,
                c.report.stored_bytes,
            ] {
                assert!(v.is_none_or(|v| v >= 0));
            }
            true
        }
    }
}

/// The Stripe webhook: the `Stripe-Signature` check ([`webhook::verify`]) and the event
/// payload ([`webhook::parse_event`]).
pub fn stripe_webhook(data: &[u8]) -> bool {
    let ([header_line], payload) = lines::<1>(data);
    let header = header(header_line);
    // The timestamp `verify` reads: the last `t=` part.
    let mut t = None;
    for part in header.as_deref().unwrap_or_default().split(',') {
        if let Some(("t", v)) = part.trim().split_once('=') {
            t = v.parse::<i64>().ok();
        }
    }
    let header = header.map(|h| {
        h.replace(
            "{sig}",
            &webhook::sign(STRIPE_SECRET, t.unwrap_or_default(), payload),
        )
    });
    let verify =
        |secret: &str, payload: &[u8]| webhook::verify(secret, header.as_deref(), payload, now());
    let result = verify(STRIPE_SECRET, payload);
    let in_time = t.is_some_and(|t| (i128::from(now().timestamp()) - i128::from(t)).abs() <= 300);
    match &result {
        Err(SignatureError::Missing) => assert!(header.is_none()),
        Err(SignatureError::Stale) => assert!(t.is_some() && !in_time),
        Err(SignatureError::Malformed | SignatureError::Mismatch) => {}
        Ok(()) => {
            let t = t.expect("accepted without a timestamp");
            assert!(in_time);
            let expected = format!("v1={}", webhook::sign(STRIPE_SECRET, t, payload));
            assert!(
                header
                    .as_deref()
                    .unwrap_or_default()
                    .split(',')
                    .any(|p| p.trim() == expected),
                "accepted without the valid signature"
            );
            let mut longer = payload.to_vec();
            longer.push(b' ');
            assert_eq!(
                verify(STRIPE_SECRET, &longer),
                Err(SignatureError::Mismatch)
            );
            assert_eq!(
                verify("whsec_other", payload),
                Err(SignatureError::Mismatch)
            );
        }
    }
    match webhook::parse_event(payload) {
        Err(BillingError::BadInput { field, .. }) => {
            assert_eq!(field, "payload");
            false
        }
        Err(e) => panic!("parse_event failed with {e:?}"),
        Ok(e) => {
            assert!(e.id.chars().count() <= 255 && e.kind.chars().count() <= 100);
            if let Some((status, _)) = &e.invoice_status {
                assert!(["paid", "void", "open"].contains(status));
                assert!(e.kind.starts_with("invoice."));
            }
            // The same JSON written again reads the same (when it is plain JSON).
            if let Ok(v) = serde_json::from_slice::<serde_json::Value>(payload) {
                let again = serde_json::to_vec(&v).expect("a value serializes");
                assert_eq!(
                    webhook::parse_event(&again).expect("re-serialized event"),
                    e
                );
            }
            result.is_ok()
        }
    }
}

/// A record written back as CSV, every field quoted.
fn csv_line(fields: &[String]) -> String {
    fields
        .iter()
        .map(|f| format!("\"{}\"", f.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(";")
}

/// Cents written the way communes write euros: `-12 345,67`.
fn french_euros(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    let euros = (c / 100).to_string();
    let mut grouped = String::new();
    for (i, d) in euros.chars().enumerate() {
        if i > 0 && (euros.len() - i).is_multiple_of(3) {
            grouped.push(' ');
        }
        grouped.push(d);
    }
    format!("{sign}{grouped},{:02}", c % 100)
}

/// The row checks shared by both import formats ([`import::check_records`]).
fn contract_rows(source: &'static str, records: &[Record]) -> bool {
    for (_, fields) in records {
        for f in fields {
            if let Ok(c) = import::euros_to_cents(f) {
                assert_eq!(import::euros_to_cents(&french_euros(c)), Ok(c), "{f:?}");
            }
        }
    }
    match import::check_records(source, records) {
        Err(ProcurementError::BadInput { field, .. }) => {
            assert_eq!(field, source);
            false
        }
        Err(e) => panic!("check_records failed with {e:?}"),
        Ok((report, rows)) => {
            assert_eq!(report.rows + 1, records.len());
            assert_eq!(rows.len() + report.rejected.len(), report.rows);
            assert!(report.imported == 0 && report.contract_ids.is_empty());
            let lines: HashSet<usize> = records.iter().map(|(l, _)| *l).collect();
            assert!(report.rejected.iter().all(|r| lines.contains(&r.line)));
            let mut references = HashSet::new();
            for r in &rows {
                assert!(lines.contains(&r.line));
                assert!(references.insert(r.fields.reference.trim().to_owned()));
                r.fields.validate().expect("an accepted row is valid");
                // Amounts are whole cents, not negative, and read back the same.
                for c in std::iter::once(r.fields.estimated_cents).chain(r.fields.awarded_cents) {
                    assert!(c >= 0);
                    assert_eq!(import::euros_to_cents(&french_euros(c)), Ok(c));
                }
                if let Some((siret, name)) = &r.supplier {
                    assert!(siret.len() == 14 && siret.bytes().all(|b| b.is_ascii_digit()));
                    assert!(!name.is_empty());
                }
            }
            !rows.is_empty() && report.rejected.is_empty()
        }
    }
}

/// The CSV contract import: [`import::parse_csv`], then the row checks.
pub fn contract_import_csv(data: &[u8]) -> bool {
    let text = String::from_utf8_lossy(data);
    let line_count = text.matches('\n').count() + 1;
    match import::parse_csv(&text) {
        Err((line, message)) => {
            assert!((1..=line_count).contains(&line), "error on line {line}");
            assert!(!message.is_empty());
            false
        }
        Ok(records) => {
            assert!(
                records.windows(2).all(|w| w[0].0 < w[1].0),
                "lines increase"
            );
            assert!(records.iter().all(|(l, _)| (1..=line_count).contains(l)));
            assert!(records
                .iter()
                .all(|(_, r)| r.iter().any(|f| !f.trim().is_empty())));
            // Written back with every field quoted, the file reads the same records.
            let again: String = records.iter().map(|(_, r)| csv_line(r) + "\n").collect();
            let reread = import::parse_csv(&again).expect("re-written CSV parses");
            assert_eq!(
                reread.into_iter().map(|(_, r)| r).collect::<Vec<_>>(),
                records.iter().map(|(_, r)| r.clone()).collect::<Vec<_>>()
            );
            contract_rows("csv", &records)
        }
    }
}

/// The XLSX contract import: [`import::xlsx_records`], then the row checks.
pub fn contract_import_xlsx(data: &[u8]) -> bool {
    match import::xlsx_records(data) {
        Err(ProcurementError::BadInput { field, .. }) => {
            assert_eq!(field, "xlsx");
            false
        }
        Err(e) => panic!("xlsx_records failed with {e:?}"),
        Ok(records) => {
            assert!(records.len() <= import::MAX_XLSX_ROWS);
            assert!(records.windows(2).all(|w| w[0].0 < w[1].0), "rows increase");
            for (line, r) in &records {
                assert!(*line >= 1 && r.len() <= 64);
                assert!(r.iter().any(|f| !f.trim().is_empty()));
            }
            contract_rows("xlsx", &records)
        }
    }
}

/// The referential import ([`Referential::parse`]).
pub fn referential_import(data: &[u8]) -> bool {
    let text = String::from_utf8_lossy(data);
    let (communes, epcis) = text.split_once("\n---\n").unwrap_or((&text, "[]"));
    match Referential::parse(communes, epcis) {
        Err(e) => {
            assert!(
                matches!(
                    e,
                    ReferentialError::Parse { .. } | ReferentialError::Duplicate { .. }
                ),
                "{e:?}"
            );
            assert!(!e.to_string().is_empty());
            false
        }
        Ok(r) => {
            let array_len = |s: &str| {
                // `IgnoredAny`, as the parser skips unknown fields (`Value` refuses `1e999`).
                serde_json::from_str::<Vec<serde::de::IgnoredAny>>(s)
                    .expect("parsed, so a JSON array")
                    .len()
            };
            assert!(r.communes.len() <= array_len(communes));
            assert_eq!(r.epcis.len(), array_len(epcis));
            // Keys are unique, as the upserts of `load` need; memberships point at an EPCI.
            let sirens: HashSet<&str> = r.epcis.iter().map(|e| e.siren.as_str()).collect();
            assert_eq!(sirens.len(), r.epcis.len(), "EPCI codes are unique");
            let codes: HashSet<&str> = r.communes.iter().map(|c| c.insee_code.as_str()).collect();
            assert_eq!(codes.len(), r.communes.len(), "commune codes are unique");
            for c in &r.communes {
                if let Some(e) = &c.epci_siren {
                    assert!(sirens.contains(e.as_str()), "{c:?}");
                }
            }
            true
        }
    }
}

/// The export-bundle verifier ([`formats::verify`]) on any bytes.
pub fn bundle_verify(data: &[u8]) -> bool {
    match formats::verify(data) {
        Err(e) => {
            assert!(!e.to_string().is_empty());
            false
        }
        Ok(m) => {
            assert_eq!(m.format_version, formats::bundle::FORMAT_VERSION);
            let mut names = HashSet::new();
            for f in &m.files {
                assert!(names.insert(f.name.as_str()), "{:?} listed twice", f.name);
                assert_ne!(f.name, formats::bundle::MANIFEST_NAME);
            }
            // Accepted against the recorded hash only when the manifest hashes to it.
            assert!(matches!(
                formats::verify_against(data, &"0".repeat(64)),
                Err(formats::VerifyError::ManifestAltered { .. })
            ));
            assert_eq!(formats::verify(data).ok(), Some(m), "deterministic");
            true
        }
    }
}

/// A bundle built from fuzzed files verifies; with one byte flipped it never verifies as
/// anything but the original ([`formats::bundle`], [`formats::verify_against`]).
pub fn bundle_roundtrip(data: &[u8]) -> bool {
    use sha2::{Digest, Sha256};
    let Some((head, rest)) = data.split_first_chunk::<3>() else {
        return false;
    };
    let offset = usize::from(u16::from_le_bytes([head[0], head[1]]));
    let mask = head[2].max(1);
    let parts: Vec<&[u8]> = rest.split(|b| *b == 0xFF).take(16).collect();
    let files: Vec<formats::RenderedFile> = parts
        .chunks(2)
        .map(|p| formats::RenderedFile {
            name: String::from_utf8_lossy(p[0]).into_owned(),
            media_type: "application/octet-stream",
            bytes: p.get(1).map(|b| b.to_vec()).unwrap_or_default(),
        })
        .collect();
    let meta = formats::ManifestMeta {
        software_version: "fuzz".into(),
        generated_at: now(),
        principal: "fuzz@mutualis.invalid".into(),
        tenants: vec![formats::TenantRef {
            id: "00000000-0000-0000-0000-000000000001".into(),
            name: "Compiègne".into(),
        }],
        purpose: "fuzzing".into(),
    };
    // The naming rule of `bundle`, written out: plain, not the manifest, unique ignoring case.
    let mut lower = HashSet::new();
    let names_ok = files.iter().all(|f| {
        let n = &f.name;
        !n.is_empty()
            && n.len() <= 255
            && !n.starts_with('.')
            && !n
                .chars()
                .any(|c| c.is_control() || matches!(c, '/' | '\\' | ':'))
            && !n.eq_ignore_ascii_case(formats::bundle::MANIFEST_NAME)
            && lower.insert(n.to_lowercase())
    });
    let built = formats::bundle(files.clone(), meta.clone());
    let b = match built {
        Err(formats::FormatError::Bundle(e)) => {
            assert!(!names_ok, "refused valid names: {e}");
            return false;
        }
        Err(e) => panic!("bundle failed with {e:?}"),
        Ok(b) => b,
    };
    assert!(names_ok, "accepted an unsafe name: {:?}", b.manifest.files);
    for (f, m) in files.iter().zip(&b.manifest.files) {
        assert_eq!(m.name, f.name);
        assert_eq!(m.bytes, f.bytes.len() as u64);
        assert_eq!(m.sha256, hex::encode(Sha256::digest(&f.bytes)));
    }
    let again = formats::bundle(files, meta).expect("built once, builds again");
    assert_eq!(again.zip, b.zip, "deterministic");
    assert_eq!(
        formats::verify(&b.zip).expect("a built bundle verifies"),
        b.manifest
    );
    assert_eq!(
        formats::verify_against(&b.zip, &b.manifest_sha256).expect("against its own hash"),
        b.manifest
    );
    let mut tampered = b.zip.clone();
    let i = offset % tampered.len();
    tampered[i] ^= mask;
    if let Ok(m) = formats::verify_against(&tampered, &b.manifest_sha256) {
        assert_eq!(
            m, b.manifest,
            "a flipped byte at {i} changed the manifest unnoticed"
        );
    }
    true
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    type Check = fn(&[u8]) -> bool;
    const TARGETS: [(&str, Check); 7] = [
        ("backup_webhook", super::backup_webhook),
        ("stripe_webhook", super::stripe_webhook),
        ("contract_import_csv", super::contract_import_csv),
        ("contract_import_xlsx", super::contract_import_xlsx),
        ("referential_import", super::referential_import),
        ("bundle_verify", super::bundle_verify),
        ("bundle_roundtrip", super::bundle_roundtrip),
    ];

    fn fuzz_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fuzz")
    }

    fn read(kind: &str, target: &str, name: &str) -> Vec<u8> {
        let p = fuzz_dir().join(kind).join(target).join(name);
        std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    }

    /// Every seed and every regression input of `tests/fuzz`, through the targets' checks.
    #[test]
    fn fuzz_corpus_and_regressions_replay() {
        let mut total = 0;
        for (target, check) in TARGETS {
            let mut seeds = 0;
            for kind in ["corpus", "regressions"] {
                let Ok(dir) = std::fs::read_dir(fuzz_dir().join(kind).join(target)) else {
                    continue;
                };
                for entry in dir {
                    let path = entry.expect("directory entry").path();
                    eprintln!("{}", path.display());
                    check(&std::fs::read(&path).expect("readable input"));
                    seeds += usize::from(kind == "corpus");
                    total += 1;
                }
            }
            assert!(seeds > 0, "no seed for {target}");
        }
        eprintln!("{total} fuzz inputs replayed");
    }

    /// The valid seeds get through every check, so the fuzzers start deep in each parser.
    #[test]
    fn fuzz_seeds_reach_the_end_of_each_parser() {
        for (target, name) in [
            ("backup_webhook", "signed_report"),
            ("backup_webhook", "restic_summary_rotated_keys"),
            ("stripe_webhook", "invoice_paid"),
            ("stripe_webhook", "invoice_updated_rotated"),
            ("contract_import_csv", "three_contracts"),
            ("contract_import_csv", "bom_crlf_quotes"),
            ("contract_import_xlsx", "three_contracts.xlsx"),
            ("contract_import_xlsx", "three_contracts_stored.xlsx"),
            ("referential_import", "dunkerque"),
            ("referential_import", "compiegne_demo"),
            ("bundle_verify", "register_bundle.zip"),
            ("bundle_verify", "register_bundle_stored.zip"),
            ("bundle_roundtrip", "two_files"),
        ] {
            let check = TARGETS
                .iter()
                .find(|(t, _)| *t == target)
                .map(|(_, c)| *c)
                .expect("a target");
            assert!(check(&read("corpus", target, name)), "{target}/{name}");
        }
        for (target, name) in [
            ("backup_webhook", "invalid_report"),
            ("backup_webhook", "stale_timestamp"),
            ("stripe_webhook", "stale"),
            ("contract_import_csv", "faulty_rows"),
            ("bundle_verify", "altered_file.zip"),
            ("bundle_roundtrip", "reserved_name"),
        ] {
            let check = TARGETS
                .iter()
                .find(|(t, _)| *t == target)
                .map(|(_, c)| *c)
                .expect("a target");
            assert!(!check(&read("corpus", target, name)), "{target}/{name}");
        }
    }
}
