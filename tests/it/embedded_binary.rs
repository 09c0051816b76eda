//! The one-command start, as a new user gets it: the real binary, no configuration, started
//! from an empty directory. It serves the console embedded in it (compressed, cached as a
//! production server would), and takes a town hall's concurrent writes on SQLite.
use crate::sqlite_embedded::{demo_login, gql};
use integration_tests::*;
use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};

pub(crate) struct Embedded {
    child: Child,
    pub(crate) url: String,
}

impl Drop for Embedded {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `mutualis` with no argument and no configuration, in `dir`: embedded SQLite under
/// `dir/data`, demo, worker in-process. Waits until it answers. Its output (the logs are on
/// stdout) and its stderr go to `dir/server.log`.
pub(crate) async fn start_in(dir: &std::path::Path) -> Embedded {
    start_in_with(dir, "warn").await
}

/// The same with another `RUST_LOG`.
pub(crate) async fn start_in_with(dir: &std::path::Path, rust_log: &str) -> Embedded {
    let exe = std::env::var_os("MUTUALIS_BIN").expect("MUTUALIS_BIN (set by tests/run)");
    let port = free_port();
    let log = std::fs::File::create(dir.join("server.log")).expect("log file");
    let child = Command::new(exe)
        .current_dir(dir)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("LISTEN_ADDR", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", rust_log)
        .stdout(Stdio::from(log.try_clone().expect("log file")))
        .stderr(Stdio::from(log))
        .spawn()
        .expect("the binary starts");
    let url = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    wait_until(
        "the embedded server is ready",
        std::time::Duration::from_secs(120),
        || {
            let http = http.clone();
            let url = url.clone();
            async move {
                http.get(format!("{url}/readyz"))
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success())
            }
        },
    )
    .await;
    Embedded { child, url }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

#[tokio::test]
async fn the_console_is_inside_the_binary() {
    let dir = TempDir(std::env::temp_dir().join(format!("mutualis-bin-{}", uuid::Uuid::new_v4())));
    std::fs::create_dir_all(&dir.0).expect("empty directory");
    let server = start_in(&dir.0).await;
    let http = client();
    let get = |path: &str, encoding: Option<&str>| {
        let mut r = http.get(format!("{}{path}", server.url));
        if let Some(e) = encoding {
            r = r.header("accept-encoding", e);
        }
        r.send()
    };

    // The console's page at / and at its own routes, deep links included.
    let mut index = String::new();
    for path in [
        "/",
        "/registre",
        "/demandes",
        "/registre/nouvelle?modele=1#haut",
    ] {
        let r = get(path, None).await.expect(path);
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(r.headers()["cache-control"], "no-cache", "{path}");
        assert!(r.headers()["content-type"]
            .to_str()
            .is_ok_and(|t| t.starts_with("text/html")));
        let body = r.text().await.expect("html");
        assert!(body.contains("<div id=\"root\">"), "{path}: {body}");
        assert!(body.contains("lang=\"fr\""));
        index = body;
    }
    // Nothing of the console was on disk: the directory holds only the database.
    assert!(!dir.0.join("web").exists());

    // Its files: hashed names, kept a year, compressed as negotiated, no source maps.
    let assets: Vec<&str> = index
        .split(['"', '\''])
        .filter(|s| s.starts_with("/assets/"))
        .collect();
    assert!(
        assets.iter().any(|a| a.ends_with(".js")) && assets.iter().any(|a| a.ends_with(".css")),
        "{assets:?}"
    );
    for asset in &assets {
        let plain = get(asset, None).await.expect(asset);
        assert_eq!(plain.status(), 200, "{asset}");
        assert_eq!(
            plain.headers()["cache-control"],
            "max-age=31536000, immutable",
            "{asset}"
        );
        let plain_len = plain.bytes().await.expect("bytes").len();
        if asset.ends_with(".js") || asset.ends_with(".css") {
            for (accept, expected) in [("br", "br"), ("gzip", "gzip"), ("gzip, deflate, br", "br")]
            {
                let r = get(asset, Some(accept)).await.expect(asset);
                assert_eq!(
                    r.headers()["content-encoding"],
                    expected,
                    "{asset} {accept}"
                );
                let len = r.bytes().await.expect("bytes").len();
                assert!(len < plain_len, "{asset} {accept}: {len} >= {plain_len}");
            }
        }
        if asset.ends_with(".js") {
            let text = get(asset, None)
                .await
                .expect(asset)
                .text()
                .await
                .expect("js");
            assert!(
                !text.contains("sourceMappingURL"),
                "{asset} points at a map"
            );
            let map = get(&format!("{asset}.map"), None).await.expect("map");
            assert_eq!(map.status(), 404, "{asset}.map is served");
        }
    }
    // The server's own paths are never answered with the console.
    for path in ["/graphql/nowhere", "/exports/nothing", "/assets/missing.js"] {
        let r = get(path, None).await.expect(path);
        assert_eq!(r.status(), 404, "{path}");
    }
    let r = http
        .post(format!("{}/registre", server.url))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 404);
}

/// Twenty town-hall users saving at once is normal: on SQLite every write must land, once,
/// also the moment the server is ready (when the in-process worker starts its own work), over
/// several starts.
#[tokio::test]
async fn concurrent_writes_on_sqlite_all_land_once() {
    let dir = TempDir(std::env::temp_dir().join(format!("mutualis-bin-{}", uuid::Uuid::new_v4())));
    std::fs::create_dir_all(&dir.0).expect("empty directory");
    const STARTS: usize = 3;
    const WRITES: usize = 40;
    let http = client();
    for start in 0..STARTS {
        let server = start_in(&dir.0).await;
        let admin = demo_login(&http, &server.url, "mairie-compiegne@demo.mutualis.invalid").await;
        let me = gql(
            &http,
            &server.url,
            &admin,
            "{ tenants(search: \"60159\") { items { id inseeCode }} }",
            json!({}),
        )
        .await;
        let tenant = me["data"]["tenants"]["items"]
            .as_array()
            .and_then(|v| v.iter().find(|t| t["inseeCode"] == "60159"))
            .map(|t| t["id"].clone())
            .unwrap_or_else(|| panic!("Compiègne in {me}"));
        let writes = (0..WRITES).map(|i| {
            let (http, url, admin, tenant) = (http.clone(), server.url.clone(), admin.clone(), tenant.clone());
            async move {
                gql(
                    &http,
                    &url,
                    &admin,
                    "mutation($i: RightsRequestInput!) { createRightsRequest(input: $i) { id requester } }",
                    json!({"i": {"tenantId": tenant, "kind": "access",
                                 "receivedOn": tenants::calendar::paris_today().to_string(),
                                 "requester": format!("Concurrence {start}-{i}")}}),
                )
                .await
            }
        });
        let answers: Vec<Value> = futures::future::join_all(writes).await;
        let failed: Vec<&Value> = answers
            .iter()
            .filter(|a| {
                a.get("errors").is_some() || a["data"]["createRightsRequest"]["id"].is_null()
            })
            .collect();
        assert!(
            failed.is_empty(),
            "start {start}: {} of {WRITES} writes failed, first: {}\nserver log:\n{}",
            failed.len(),
            failed[0],
            std::fs::read_to_string(dir.0.join("server.log")).unwrap_or_default()
        );
        // Each stored exactly once, the earlier starts' too.
        let list = gql(
            &http,
            &server.url,
            &admin,
            "{ rightsRequests(first: 500) { items { requester }} }",
            json!({}),
        )
        .await;
        let stored: Vec<&str> = list["data"]["rightsRequests"]["items"]
            .as_array()
            .expect("requests")
            .iter()
            .filter_map(|r| r["requester"].as_str())
            .filter(|r| r.starts_with("Concurrence "))
            .collect();
        assert_eq!(stored.len(), (start + 1) * WRITES, "start {start}");
        for s in 0..=start {
            for i in 0..WRITES {
                let name = format!("Concurrence {s}-{i}");
                assert_eq!(stored.iter().filter(|r| **r == name).count(), 1, "{name}");
            }
        }
        drop(server);
    }
}
