//! Bundles: manifest content, determinism, and tamper detection naming the file concerned.

mod common;

use std::io::{Cursor, Read, Write};

use formats::{
    bundle, render, verify, verify_against, Bundle, Format, FormatError, ManifestMeta,
    RenderedFile, TenantRef, VerifyError,
};
use sha2::{Digest, Sha256};

fn meta() -> ManifestMeta {
    ManifestMeta {
        software_version: "0.1.0".into(),
        generated_at: common::at("2025-03-14T09:30:00Z"),
        principal: "dpo@cc-pays-voironnais.fr".into(),
        tenants: vec![
            TenantRef {
                id: "0190f3c2-7a1e-7c4e-9b1a-000000000038".into(),
                name: "Saint-Étienne-de-Crossey".into(),
            },
            TenantRef {
                id: "0190f3c2-7a1e-7c4e-9b1a-000000000039".into(),
                name: "Voiron".into(),
            },
        ],
        purpose: "Contrôle CNIL du 14/03/2025 — registre Art. 30".into(),
    }
}

fn all_files() -> Vec<RenderedFile> {
    let doc = common::document();
    Format::ALL
        .iter()
        .flat_map(|f| render(&doc, *f).expect("render"))
        .collect()
}

fn make() -> Bundle {
    bundle(all_files(), meta()).expect("bundle")
}

/// Every entry of a ZIP, in order.
fn entries(zip: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(Cursor::new(zip)).expect("zip");
    (0..archive.len())
        .map(|i| {
            let mut entry = archive.by_index(i).expect("entry");
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).expect("read");
            (entry.name().expect("utf-8 name").into_owned(), bytes)
        })
        .collect()
}

/// A new ZIP made of `entries`, as a tamperer would write it.
fn rezip(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        writer
            .start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .expect("start");
        writer.write_all(bytes).expect("write");
    }
    writer.finish().expect("finish").into_inner()
}

#[test]
fn manifest_lists_every_file_with_its_hash() {
    let b = make();
    let files = all_files();
    assert_eq!(b.manifest.format_version, 1);
    assert_eq!(b.manifest.software, "mutualis 0.1.0");
    assert_eq!(b.manifest.principal, "dpo@cc-pays-voironnais.fr");
    assert_eq!(b.manifest.tenants.len(), 2);
    assert_eq!(b.manifest.files.len(), files.len());
    for (listed, file) in b.manifest.files.iter().zip(&files) {
        assert_eq!(listed.name, file.name);
        assert_eq!(listed.media_type, file.media_type);
        assert_eq!(listed.bytes, file.bytes.len() as u64);
        assert_eq!(listed.sha256, hex::encode(Sha256::digest(&file.bytes)));
    }

    let stored = entries(&b.zip);
    let names: Vec<&str> = stored.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names.last(), Some(&"manifest.json"));
    assert_eq!(names.len(), files.len() + 1);
    let (_, manifest_bytes) = stored.last().expect("manifest");
    assert_eq!(
        b.manifest_sha256,
        hex::encode(Sha256::digest(manifest_bytes))
    );
    let parsed: formats::Manifest = serde_json::from_slice(manifest_bytes).expect("manifest JSON");
    assert_eq!(parsed, b.manifest);
    let text = std::str::from_utf8(manifest_bytes).expect("UTF-8");
    assert!(
        text.contains("\"generated_at\": \"2025-03-14T09:30:00Z\""),
        "{text}"
    );
}

#[test]
fn same_input_gives_same_bytes() {
    let (a, b) = (make(), make());
    assert_eq!(a.zip, b.zip);
    assert_eq!(a.manifest_sha256, b.manifest_sha256);
    // Entry times come from generated_at, not from the clock.
    let mut archive = zip::ZipArchive::new(Cursor::new(&a.zip[..])).expect("zip");
    let time = archive
        .by_index(0)
        .expect("entry")
        .last_modified()
        .expect("time");
    assert_eq!(
        (
            time.year(),
            time.month(),
            time.day(),
            time.hour(),
            time.minute()
        ),
        (2025, 3, 14, 9, 30)
    );
}

#[test]
fn intact_bundle_verifies() {
    let b = make();
    assert_eq!(verify(&b.zip).expect("verifies"), b.manifest);
    assert_eq!(
        verify_against(&b.zip, &b.manifest_sha256).expect("verifies"),
        b.manifest
    );
}

#[test]
fn altered_file_is_named() {
    let b = make();
    let mut stored = entries(&b.zip);
    let victim = stored
        .iter()
        .position(|(n, _)| n.ends_with(".json") && n != "manifest.json")
        .expect("json file");
    let name = stored[victim].0.clone();
    let bytes = &mut stored[victim].1;
    let at = bytes.len() / 2;
    bytes[at] ^= 0x01;
    match verify(&rezip(&stored)) {
        Err(VerifyError::AlteredFile {
            name: n,
            expected_sha256,
            actual_sha256,
            ..
        }) => {
            assert_eq!(n, name);
            assert_ne!(expected_sha256, actual_sha256);
        }
        other => panic!("expected AlteredFile, got {other:?}"),
    }
}

#[test]
fn truncated_file_is_named() {
    let b = make();
    let mut stored = entries(&b.zip);
    let name = stored[0].0.clone();
    stored[0].1.pop();
    assert!(
        matches!(verify(&rezip(&stored)), Err(VerifyError::AlteredFile { name: n, .. }) if n == name)
    );
}

#[test]
fn missing_file_is_named() {
    let b = make();
    let mut stored = entries(&b.zip);
    let removed = stored.remove(2);
    match verify(&rezip(&stored)) {
        Err(VerifyError::MissingFile { name }) => assert_eq!(name, removed.0),
        other => panic!("expected MissingFile, got {other:?}"),
    }
}

#[test]
fn extra_file_is_named() {
    let b = make();
    let mut stored = entries(&b.zip);
    stored.insert(1, ("note.txt".into(), b"ajout".to_vec()));
    match verify(&rezip(&stored)) {
        Err(VerifyError::ExtraFile { name }) => assert_eq!(name, "note.txt"),
        other => panic!("expected ExtraFile, got {other:?}"),
    }
}

#[test]
fn rewritten_manifest_is_caught_against_the_recorded_hash() {
    let b = make();
    let mut stored = entries(&b.zip);
    let mut manifest = b.manifest.clone();
    manifest.purpose = "Autre chose".into();
    stored.last_mut().expect("manifest").1 = serde_json::to_vec_pretty(&manifest).expect("json");
    let forged = rezip(&stored);
    assert!(verify(&forged).is_ok(), "self-consistent on its own");
    assert!(matches!(
        verify_against(&forged, &b.manifest_sha256),
        Err(VerifyError::ManifestAltered { .. })
    ));
}

#[test]
fn missing_or_broken_manifest_and_garbage() {
    let b = make();
    let mut stored = entries(&b.zip);
    stored.pop();
    assert!(matches!(
        verify(&rezip(&stored)),
        Err(VerifyError::ManifestMissing)
    ));
    stored.push(("manifest.json".into(), b"{ pas du JSON".to_vec()));
    assert!(matches!(
        verify(&rezip(&stored)),
        Err(VerifyError::ManifestInvalid(_))
    ));
    assert!(matches!(verify(b"not a zip"), Err(VerifyError::Archive(_))));
}

#[test]
fn bundle_rejects_bad_names() {
    let file = |name: &str| RenderedFile {
        name: name.into(),
        media_type: "text/plain",
        bytes: b"x".to_vec(),
    };
    for bad in [
        "",
        "../etc/passwd",
        "a/b.csv",
        "a\\b.csv",
        ".hidden",
        "x\n.csv",
    ] {
        assert!(
            matches!(
                bundle(vec![file(bad)], meta()),
                Err(FormatError::Bundle(formats::BundleError::UnsafeName { .. }))
            ),
            "{bad:?}"
        );
    }
    assert!(matches!(
        bundle(vec![file("manifest.json")], meta()),
        Err(FormatError::Bundle(
            formats::BundleError::ReservedName { .. }
        ))
    ));
    assert!(matches!(
        bundle(vec![file("a.csv"), file("A.csv")], meta()),
        Err(FormatError::Bundle(
            formats::BundleError::DuplicateName { .. }
        ))
    ));
}

#[test]
fn work_is_bounded_by_the_declared_sizes_and_the_archive_size() {
    let b = make();
    // An entry far longer than declared (zeros compress ~1000:1) is read only one byte past its
    // declared size before it is refused.
    let mut stored = entries(&b.zip);
    let (name, declared) = (b.manifest.files[0].name.clone(), b.manifest.files[0].bytes);
    let slot = stored.iter_mut().find(|(n, _)| *n == name).expect("entry");
    slot.1 = vec![0u8; 20 * 1024 * 1024];
    match verify(&rezip(&stored)) {
        Err(VerifyError::AlteredFile {
            name: n,
            actual_bytes,
            ..
        }) => {
            assert_eq!(n, name);
            assert_eq!(
                actual_bytes,
                declared + 1,
                "stopped one byte past the declaration"
            );
        }
        other => panic!("expected AlteredFile, got {other:?}"),
    }
    // A manifest declaring more than the archive could expand to is refused before any hashing.
    let mut stored = entries(&b.zip);
    let mut manifest = b.manifest.clone();
    manifest.files[0].bytes = u64::MAX / 2;
    stored.last_mut().expect("manifest").1 = serde_json::to_vec_pretty(&manifest).expect("json");
    assert!(matches!(
        verify(&rezip(&stored)),
        Err(VerifyError::TooLarge { declared, limit, .. }) if declared > limit
    ));
}

/// The issue-18 probe: one entry of zeros that deflates about 1000:1, its true size declared
/// in the manifest. The archive-ratio bound alone let it through (300 MiB of hashing for a
/// 0.3 MB upload; 52 GB for a 50 MiB one); a bundle's content is bounded whatever its ratio.
#[test]
fn a_bundle_declaring_more_than_a_register_holds_is_refused_before_hashing() {
    let big: u64 = formats::bundle::MAX_CONTENT_BYTES + 44 * 1024 * 1024;
    let mut z = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    z.start_file("registre.csv", opts).expect("entry");
    let chunk = vec![0u8; 1024 * 1024];
    for _ in 0..big / chunk.len() as u64 {
        z.write_all(&chunk).expect("zeros");
    }
    let mut manifest = make().manifest;
    manifest.files = vec![formats::ManifestFile {
        name: "registre.csv".into(),
        media_type: "text/csv".into(),
        bytes: big,
        sha256: "0".repeat(64),
    }];
    z.start_file(formats::bundle::MANIFEST_NAME, opts)
        .expect("manifest");
    z.write_all(&serde_json::to_vec_pretty(&manifest).expect("json"))
        .expect("manifest bytes");
    let zip = z.finish().expect("zip").into_inner();
    assert!(zip.len() < 1024 * 1024, "{} bytes", zip.len());
    let t = std::time::Instant::now();
    match verify(&zip) {
        Err(VerifyError::TooLarge {
            declared, limit, ..
        }) => {
            assert_eq!(declared, big);
            assert_eq!(limit, formats::bundle::MAX_CONTENT_BYTES);
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
    assert!(
        t.elapsed() < std::time::Duration::from_secs(1),
        "{:?}",
        t.elapsed()
    );
    // And no bundle holds hundreds of files.
    let many: Vec<(String, Vec<u8>)> = (0..=formats::bundle::MAX_ENTRIES)
        .map(|i| (format!("f{i}.csv"), vec![]))
        .collect();
    assert!(matches!(
        verify(&rezip(&many)),
        Err(VerifyError::TooManyEntries { .. })
    ));
}
