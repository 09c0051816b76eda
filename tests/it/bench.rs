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
