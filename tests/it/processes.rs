//! Processes and files a test starts or makes: child processes and directories removed
//! however the test ends, signals, free ports, a Redis of its own, waits with a bound.
use serde_json::Value;

/// The Node of the test tools (OIDC provider, EN 16931 validator): the one tests/services.sh
/// fetched when the system's is too old for oidc-provider 9, else the system's.
pub fn node() -> std::path::PathBuf {
    let fetched = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".run/node22/bin/node");
    if fetched.exists() {
        fetched
    } else {
        "node".into()
    }
}

/// Kills child processes when dropped, however the test ends.
pub struct Processes(pub Vec<std::process::Child>);

impl Drop for Processes {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Polls `check` every 200 ms until it holds; panics naming `what` after `limit` (a generous
/// bound: only a real hang reaches it).
pub async fn wait_until<F, Fut>(what: &str, limit: std::time::Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + limit;
    while !check().await {
        assert!(
            std::time::Instant::now() < deadline,
            "{what}: still not the case after {limit:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

/// Sends `signal` (`"TERM"`, `"KILL"`, `"STOP"`...) to one process by id, through `kill(1)`.
pub fn signal(pid: u32, signal: &str) {
    let ok = std::process::Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(pid.to_string())
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "kill -{signal} {pid}");
}

/// GET `base`/readyz: (status, JSON body, how long it took); `None` on no answer within a
/// minute (a hang).
pub async fn readyz(base: &str) -> Option<(u16, Value, std::time::Duration)> {
    let t = std::time::Instant::now();
    let resp = reqwest::Client::new()
        .get(format!("{base}/readyz"))
        .timeout(std::time::Duration::from_secs(60))
        .send()
        .await
        .ok()?;
    let status = resp.status().as_u16();
    let body = resp.json().await.unwrap_or(Value::Null);
    Some((status, body, t.elapsed()))
}

/// A directory removed with everything in it when dropped, however the test ends.
pub struct TempDir(pub std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A redis-server of the test's own on `port` (the shared one is never touched), keeping
/// nothing on disk but what `extra` asks for (cluster configuration) under `dir`.
pub fn redis_server(port: u16, dir: &std::path::Path, extra: &[&str]) -> std::process::Child {
    std::process::Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no"])
        .arg("--dir")
        .arg(dir)
        .args(extra)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("redis-server (Debian package redis-server)")
}

/// `redis-cli -p port args…`: its output, trimmed.
pub fn redis_cli(port: u16, args: &[&str]) -> String {
    let out = std::process::Command::new("redis-cli")
        .arg("-p")
        .arg(port.to_string())
        .args(args)
        .output()
        .expect("redis-cli (Debian package redis-tools)");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}
