//! Files sent to the server that are ZIP archives (a workbook to import, a bundle to verify):
//! bounded before they are parsed, and parsed or hashed beside the other requests rather than
//! in their way (issue 18, findings 1 and 2).
use integration_tests::*;
use serde_json::{json, Value};
use std::io::{Cursor, Read, Write};
use std::time::{Duration, Instant};
use zip::write::SimpleFileOptions;

fn deflated() -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true)
}

/// Writes `mib` MiB of `byte` into the open entry, one MiB at a time.
fn fill(z: &mut zip::ZipWriter<Cursor<Vec<u8>>>, byte: u8, mib: usize) {
    let chunk = vec![byte; 1 << 20];
    for _ in 0..mib {
        z.write_all(&chunk).expect("bytes");
    }
}

#[tokio::test]
async fn a_workbook_that_inflates_to_hundreds_of_megabytes_is_refused_before_it_is_read() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    // A real workbook whose shared strings are replaced by one string of 400 MiB of 'a'
    // (deflated about 1000:1): the probe's shape.
    let good = crate::procurement_import::import_xlsx_bytes(44_306_184_100_047);
    let mut src = zip::ZipArchive::new(Cursor::new(&good[..])).expect("workbook");
    let mut z = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let mut replaced = false;
    for i in 0..src.len() {
        let mut e = src.by_index(i).expect("entry");
        let name = e.name().expect("name").into_owned();
        z.start_file(name.as_str(), deflated()).expect("start");
        if name == "xl/sharedStrings.xml" {
            replaced = true;
            z.write_all(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"1\" uniqueCount=\"1\"><si><t>")
                .expect("head");
            fill(&mut z, b'a', 400);
            z.write_all(b"</t></si></sst>").expect("tail");
        } else {
            let mut b = vec![];
            e.read_to_end(&mut b).expect("read");
            z.write_all(&b).expect("copy");
        }
    }
    assert!(replaced, "the workbook has shared strings");
    let bomb = z.finish().expect("zip").into_inner();
    assert!(bomb.len() < 1024 * 1024, "{} bytes", bomb.len());
    let t = Instant::now();
    let r = app
        .gql(
            &fx.editor_a2,
            "mutation($t: UUID!, $x: String!) { importContractsXlsx(tenantId: $t, xlsx: $x, dryRun: true) { rows } }",
            json!({"t": fx.tenant_a2, "x": crate::procurement_import::base64(&bomb)}),
        )
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("BAD_USER_INPUT"), "{r}");
    assert_eq!(r["errors"][0]["extensions"]["field"], json!("xlsx"), "{r}");
    let message = r["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("décompressé"), "{message}");
    // A figure, not a condition (tests never fail on time): refused before any parsing.
    eprintln!("workbook bomb refused in {:?}", t.elapsed());
}

/// One request: how long the answer took, and its status (0: none).
async fn timed(req: reqwest::RequestBuilder) -> (Duration, u16) {
    let t = Instant::now();
    let status = req.send().await.map(|r| r.status().as_u16()).unwrap_or(0);
    (t.elapsed(), status)
}

#[tokio::test]
async fn bundles_are_verified_beside_health_checks_and_graphql() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    // One 240 MiB file of zeros (a bundle under every bound: about 240 KB sent), declared at
    // its size with a wrong hash: the whole file is inflated and hashed before it is refused.
    let mib = 240;
    let mut z = zip::ZipWriter::new(Cursor::new(Vec::new()));
    z.start_file("registre.csv", deflated()).expect("entry");
    fill(&mut z, 0, mib);
    let manifest = json!({"format_version": 1, "software": "mutualis test",
        "generated_at": "2026-01-01T00:00:00Z", "principal": "x", "tenants": [],
        "purpose": "", "files": [{"name": "registre.csv", "media_type": "text/csv",
        "bytes": (mib as u64) << 20, "sha256": "0".repeat(64)}]});
    z.start_file("manifest.json", deflated()).expect("manifest");
    z.write_all(manifest.to_string().as_bytes()).expect("json");
    let bundle = z.finish().expect("zip").into_inner();
    let Caller::Session { secret, csrf, .. } = fx.dpo_a.clone() else {
        panic!("session")
    };
    let verify = |body: Vec<u8>| {
        let (app, secret, csrf) = (&app, secret.clone(), csrf.clone());
        async move {
            let r = app
                .http
                .post(format!("{}{}", app.url, api::http::exports::VERIFY_BUNDLE))
                .header("cookie", format!("mutualis_session={secret}"))
                .header("x-csrf-token", csrf)
                .body(body)
                .send()
                .await
                .expect("verify");
            let status = r.status().as_u16();
            (status, r.json::<Value>().await.expect("json"))
        }
    };
    // Eight at once (four times the concurrent verifications), while the probe and a GraphQL
    // query are timed every 50 ms until all have answered. The test's runtime has one thread
    // (a server with one worker): hashing on it held every request that came meanwhile.
    let started = Instant::now();
    let done = std::sync::atomic::AtomicBool::new(false);
    let verifications = async {
        let answers = futures::future::join_all((0..8).map(|_| verify(bundle.clone()))).await;
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        answers
    };
    let probes = async {
        let mut worst = (Duration::ZERO, Duration::ZERO);
        tokio::time::sleep(Duration::from_millis(100)).await;
        while !done.load(std::sync::atomic::Ordering::SeqCst) {
            let (h, hs) = timed(app.http.get(format!("{}/healthz", app.url))).await;
            assert_eq!(hs, 200);
            let (g, gs) = timed(
                app.http
                    .post(format!("{}/graphql", app.url))
                    .header("cookie", format!("mutualis_session={secret}"))
                    .header("x-csrf-token", &csrf)
                    .json(&json!({"query": "{ me { email } }"})),
            )
            .await;
            assert_eq!(gs, 200);
            worst = (worst.0.max(h), worst.1.max(g));
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        worst
    };
    let (answers, (healthz, graphql)) = tokio::join!(verifications, probes);
    eprintln!(
        "8 verifications of {mib} MiB in {:?}; slowest /healthz {healthz:?}, slowest GraphQL {graphql:?}",
        started.elapsed()
    );
    for (status, body) in answers {
        assert_eq!(status, 422, "{body}");
        assert!(
            body["problem"]
                .as_str()
                .unwrap_or_default()
                .contains("a été modifié"),
            "hashed to the end: {body}"
        );
    }
    // The latencies above are printed, not asserted (tests never fail on time). Measured here:
    // with the hashing on the blocking pool, /healthz under 1 ms and GraphQL under 50 ms; with
    // it on the runtime's thread, 200 and 470 ms.
}
