//! Fault: PostgreSQL stopped and started again under a running API process and worker process.
//! The shared cluster is never touched: the test makes a throwaway cluster of its own (initdb
//! in a temp dir, its own port), migrates it, starts the processes on it, then stops it
//! (`pg_ctl stop -m fast`). Meanwhile `/readyz` answers 503 promptly (never hangs) and GraphQL
//! answers a coded error; once PostgreSQL is back, the same API process (same PID) is ready
//! again and answers reads and writes, and the same worker process does a new job.
use integration_tests::*;
use sea_orm::ConnectionTrait;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The newest PostgreSQL server binaries of the Debian packages.
fn pg_bin() -> PathBuf {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("/usr/lib/postgresql (Debian package postgresql)")
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let v = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((v, bin))
        })
        .collect();
    versions.sort();
    versions.pop().expect("a PostgreSQL with initdb").1
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// A PostgreSQL cluster of this test only, on its own port; stopped and removed when dropped.
struct Cluster {
    dir: PathBuf,
    port: u16,
    bin: PathBuf,
}

impl Cluster {
    /// `cmd` as the `postgres` system user when running as root (the server refuses root).
    fn run(&self, program: &str, args: &[&str]) -> std::process::Output {
        let exe = self.bin.join(program);
        let mut cmd = if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&exe);
            c
        } else {
            Command::new(&exe)
        };
        cmd.args(args).output().expect("PostgreSQL binaries run")
    }

    fn init() -> Cluster {
        let dir = std::env::temp_dir().join(format!("mutualis-pg-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).expect("cluster dir");
        let c = Cluster {
            dir,
            port: free_port(),
            bin: pg_bin(),
        };
        if is_root() {
            let ok = Command::new("chown")
                .args(["postgres:", &c.dir.to_string_lossy()])
                .status()
                .is_ok_and(|s| s.success());
            assert!(ok, "chown the cluster dir to postgres");
        }
        let data = c.data();
        let out = c.run(
            "initdb",
            &["-D", &data, "-A", "trust", "-U", "postgres", "--no-sync"],
        );
        assert!(
            out.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        c.start();
        c
    }

    fn data(&self) -> String {
        self.dir.join("data").to_string_lossy().into_owned()
    }

    fn start(&self) {
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.display()
        );
        let log = self.dir.join("log").to_string_lossy().into_owned();
        let out = self.run(
            "pg_ctl",
            &[
                "-D",
                &self.data(),
                "-l",
                &log,
                "-o",
                &opts,
                "-w",
                "-t",
                "60",
                "start",
            ],
        );
        assert!(
            out.status.success(),
            "pg_ctl start: {} {}",
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(self.dir.join("log")).unwrap_or_default()
        );
    }

    fn stop(&self, mode: &str) -> bool {
        self.run(
            "pg_ctl",
            &["-D", &self.data(), "-m", mode, "-w", "-t", "60", "stop"],
        )
        .status
        .success()
    }

    /// The server's processes: the postmaster (first line of postmaster.pid) and its children.
    fn pids(&self) -> Vec<u32> {
        let pidfile = Path::new(&self.data()).join("postmaster.pid");
        let Some(main) = std::fs::read_to_string(pidfile)
            .ok()
            .and_then(|s| s.lines().next().and_then(|l| l.trim().parse::<u32>().ok()))
        else {
            return vec![];
        };
        let mut pids = vec![main];
        for e in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
            let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            // /proc/PID/stat: "pid (comm) state ppid ...", comm may hold spaces.
            let ppid = std::fs::read_to_string(e.path().join("stat"))
                .ok()
                .and_then(|s| {
                    s.rsplit_once(')')
                        .and_then(|(_, rest)| rest.split_whitespace().nth(1)?.parse::<u32>().ok())
                });
            if ppid == Some(main) {
                pids.push(pid);
            }
        }
        pids
    }

    fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if Path::new(&self.data()).join("postmaster.pid").exists() {
            self.stop("immediate");
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// POST /graphql on `base` as `caller`, without asserting success: (HTTP status, body, time).
async fn gql_raw(base: &str, caller: &Caller, query: &str) -> (u16, Value, Duration) {
    let Caller::Session { secret, csrf, .. } = caller else {
        panic!("a session caller");
    };
    let t = Instant::now();
    let resp = reqwest::Client::new()
        .post(format!("{base}/graphql"))
        .header("cookie", format!("mutualis_session={secret}"))
        .header("x-csrf-token", csrf)
        .json(&json!({"query": query}))
        .timeout(Duration::from_secs(60))
        .send()
        .await
        .expect("the API answers (no hang)");
    let status = resp.status().as_u16();
    let body = resp.json().await.unwrap_or(Value::Null);
    assert_french_errors(&body);
    (status, body, t.elapsed())
}

#[tokio::test]
async fn postgres_restarted_makes_the_api_unready_then_it_recovers_without_a_restart() {
    let pg = Cluster::init();
    let base_db = tenants::db::connect(&pg.url("postgres"), 1)
        .await
        .expect("throwaway cluster");
    base_db
        .execute_unprepared("CREATE DATABASE mutualis")
        .await
        .expect("create database");
    base_db.close().await.ok();
    migrate_at(&pg.url("mutualis")).await;
    let app = spawn_app_on(TestDb::at(&pg.url("mutualis")), AppOptions::default()).await;
    let fx = app.fixture().await;
    // No Redis: this test is about the database (and keeps off the shared wake-up list).
    let mut procs = Processes(vec![]);
    let (api, base) = app.start_api("");
    let api_pid = api.id();
    procs.0.push(api);
    procs.0.push(app.start_binary(&["worker"], &[]));
    let worker_pid = procs.0[1].id();
    app.wait_ready(&base).await;
    let (_, r, _) = gql_raw(&base, &fx.commune_admin_a1, "{ me { email } }").await;
    assert_eq!(data(&r)["me"]["email"], json!("dgs@mairie-compiegne.fr"));

    // PostgreSQL stops (fast: clients are disconnected, the server shuts down cleanly).
    assert!(pg.stop("fast"), "pg_ctl stop");
    let down = Instant::now();
    for _ in 0..3 {
        let (status, body, took) = readyz(&base).await.expect("/readyz answers, no hang");
        assert_eq!(status, 503, "{body}");
        assert_eq!(body["database"], json!("unavailable"), "{body}");
        assert!(took < Duration::from_secs(30), "/readyz took {took:?}");
        eprintln!(
            "PostgreSQL down: /readyz 503 in {:.2} s",
            took.as_secs_f64()
        );
    }
    // GraphQL: a coded error, not a dropped connection or a panic. The session cannot be
    // looked up: 503 SERVICE_UNAVAILABLE with Retry-After (not UNAUTHENTICATED, which the
    // console would answer with "log in again").
    let (status, r, took) = gql_raw(&base, &fx.commune_admin_a1, "{ me { email } }").await;
    eprintln!(
        "PostgreSQL down: GraphQL HTTP {status} in {:.2} s: {r}",
        took.as_secs_f64()
    );
    assert_eq!(status, 503, "{r}");
    assert_eq!(
        error_code(&r).as_deref(),
        Some("SERVICE_UNAVAILABLE"),
        "{r}"
    );
    assert!(
        r["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("indisponible")),
        "{r}"
    );
    assert!(r["data"].is_null() || r["data"]["me"].is_null(), "{r}");
    let (status, body) = {
        let resp = reqwest::Client::new()
            .get(format!("{base}/healthz"))
            .send()
            .await
            .expect("healthz");
        (
            resp.status().as_u16(),
            resp.text().await.unwrap_or_default(),
        )
    };
    assert_eq!((status, body.as_str()), (200, "ok"), "alive, only unready");
    // Both processes ride the outage out.
    for c in &mut procs.0 {
        assert!(c.try_wait().expect("status").is_none(), "a process exited");
    }

    // PostgreSQL is back: the same API process becomes ready and serves reads and writes.
    pg.start();
    eprintln!("PostgreSQL down for {:.1} s", down.elapsed().as_secs_f64());
    let t = Instant::now();
    app.wait_ready(&base).await;
    eprintln!(
        "API ready again {:.2} s after PostgreSQL restarted",
        t.elapsed().as_secs_f64()
    );
    let (_, r, _) = gql_raw(&base, &fx.commune_admin_a1, "{ me { email } }").await;
    assert_eq!(data(&r)["me"]["email"], json!("dgs@mairie-compiegne.fr"));
    let (_, r, _) = gql_raw(
        &base,
        &fx.commune_admin_a1,
        &format!(
            "mutation {{ createRightsRequest(input: {{tenantId: \"{}\", kind: \"access\", receivedOn: \"{}\", requester: \"Après la panne\"}}) {{ id }} }}",
            fx.tenant_a1,
            chrono::Utc::now().date_naive()
        ),
    )
    .await;
    assert!(data(&r)["createRightsRequest"]["id"].is_string(), "{r}");
    assert_eq!(
        app.count_where("gdpr_request", "requester = 'Après la panne'")
            .await,
        1
    );
    // The same worker process takes a new job.
    app.admin_exec(&format!(
        "INSERT INTO job (id, organisation_id, tenant_id, kind, payload, dedup_key, status, attempts,
           max_attempts, run_at, created_at)
         SELECT gen_random_uuid(), t.organisation_id, t.id, 'reporting.snapshot',
           json_build_object('organisationId', t.organisation_id, 'period', '2001-01'),
           'after-restart', 'pending', 0, 8, now(), now()
         FROM tenant t WHERE t.organisation_id = '{}' AND t.kind = 'organisation'",
        fx.org_a
    ))
    .await;
    wait_until(
        "the worker does a job after the restart",
        Duration::from_secs(60),
        || async {
            app.count_where("job", "dedup_key = 'after-restart' AND status = 'done'")
                .await
                == 1
        },
    )
    .await;
    assert_eq!(
        app.count_where(
            "report_snapshot",
            &format!("organisation_id = '{}' AND period = '2001-01'", fx.org_a)
        )
        .await,
        1
    );

    // A hung server (every process of the cluster stopped, connections open but silent):
    // still a prompt 503, and a bounded GraphQL answer.
    let frozen = pg.pids();
    assert!(frozen.len() > 1, "the postmaster and its children");
    for pid in &frozen {
        signal(*pid, "STOP");
    }
    let (status, body, took) = readyz(&base).await.expect("/readyz answers, no hang");
    let (gql_status, r, gql_took) = gql_raw(&base, &fx.commune_admin_a1, "{ me { email } }").await;
    for pid in &frozen {
        signal(*pid, "CONT");
    }
    eprintln!(
        "PostgreSQL hung: /readyz {status} in {:.2} s, GraphQL {gql_status} in {:.2} s: {r}",
        took.as_secs_f64(),
        gql_took.as_secs_f64()
    );
    assert_eq!(status, 503, "{body}");
    assert!(took < Duration::from_secs(30), "/readyz took {took:?}");
    assert_eq!(
        (gql_status, error_code(&r).as_deref()),
        (503, Some("SERVICE_UNAVAILABLE")),
        "{r}"
    );
    app.wait_ready(&base).await;
    let (_, r, _) = gql_raw(&base, &fx.commune_admin_a1, "{ me { email } }").await;
    assert_eq!(data(&r)["me"]["email"], json!("dgs@mairie-compiegne.fr"));

    // Same processes (never exited), same PIDs.
    eprintln!("API pid {api_pid} and worker pid {worker_pid} served before and after");
    for c in &mut procs.0 {
        assert!(c.try_wait().expect("status").is_none(), "a process exited");
    }
}
