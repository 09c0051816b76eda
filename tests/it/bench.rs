//! Load-driving helpers shared by the benchmarks (they print figures; nothing asserts time).
use std::sync::Arc;
use std::time::{Duration, Instant};

pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

pub fn report(label: &str, mut lat: Vec<Duration>, errors: usize, elapsed: Duration) {
    lat.sort();
    println!(
        "{label:<44} {:>8.0} req/s   p50 {:>7.2} ms   p99 {:>7.2} ms   ({} ok, {errors} errors)",
        lat.len() as f64 / elapsed.as_secs_f64(),
        percentile(&lat, 0.50).as_secs_f64() * 1e3,
        percentile(&lat, 0.99).as_secs_f64() * 1e3,
        lat.len()
    );
}

pub async fn drive<F, Fut>(clients: usize, secs: u64, f: F) -> (Vec<Duration>, usize, Duration)
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let f = Arc::new(f);
    let deadline = Instant::now() + Duration::from_secs(secs);
    let start = Instant::now();
    let mut tasks = vec![];
    for _ in 0..clients {
        let f = f.clone();
        tasks.push(tokio::spawn(async move {
            let (mut lat, mut errors) = (vec![], 0usize);
            while Instant::now() < deadline {
                let t = Instant::now();
                if f().await {
                    lat.push(t.elapsed());
                } else {
                    errors += 1;
                }
            }
            (lat, errors)
        }));
    }
    let (mut all, mut errors) = (vec![], 0);
    for t in tasks {
        if let Ok((l, e)) = t.await {
            all.extend(l);
            errors += e;
        }
    }
    (all, errors, start.elapsed())
}

/// A GraphQL POST with a browser session (cookie and CSRF header), ready to send.
pub fn session_post(
    http: &reqwest::Client,
    url: &str,
    secret: &str,
    csrf: &str,
    body: &'static str,
) -> reqwest::RequestBuilder {
    http.post(url)
        .header("cookie", format!("mutualis_session={secret}"))
        .header("x-csrf-token", csrf)
        .header("content-type", "application/json")
        .body(body)
}

/// Resident memory of a process, in MiB (0 when it is gone).
pub fn rss_mib(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// What pgbench measured: transactions per second, and its own summary line.
pub struct PgbenchRun {
    pub tps: f64,
    pub summary: String,
}

/// Runs `script` with pgbench at `clients` for `secs` against `url`. Panics (the benchmark
/// fails) unless every transaction went through: a figure counts only on correct answers.
pub fn pgbench(url: &str, clients: usize, secs: u64, script: &str) -> PgbenchRun {
    let file = std::env::temp_dir().join(format!("mutualis-pgbench-{}.sql", uuid::Uuid::now_v7()));
    std::fs::write(&file, script).expect("script");
    let out = std::process::Command::new("pgbench")
        .args([
            "-n",
            "-c",
            &clients.to_string(),
            "-j",
            "2",
            "-T",
            &secs.to_string(),
            "-f",
        ])
        .arg(&file)
        .arg(url)
        .output()
        .expect("pgbench (Debian package postgresql-client)");
    let _ = std::fs::remove_file(&file);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success()
            && !text
                .lines()
                .any(|l| l.starts_with("number of failed transactions: ")
                    && !l.starts_with("number of failed transactions: 0 ")),
        "pgbench failed: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pick = |k: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(k))
            .map(|l| l.trim().to_owned())
            .unwrap_or_else(|| format!("{k}: ? ({})", String::from_utf8_lossy(&out.stderr)))
    };
    // "tps = 5136.123456 (without initial connection time)"
    let tps = pick("tps")
        .split_whitespace()
        .nth(2)
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(0.0);
    PgbenchRun {
        tps,
        summary: format!("{}; {}", pick("tps"), pick("latency average")),
    }
}
