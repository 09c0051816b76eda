//! Logs and metrics.
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use tracing_subscriber::{fmt, prelude::*, EnvFilter};

/// Installs the log subscriber. Every line goes through `Redactor` before it is written: our own
/// code never logs a secret, but libraries' spans do at debug and trace (sea-orm's connect span
/// prints the connection URL with its password), and a log is copied to places a secret must
/// not go.
pub fn init_logs(json: bool, secrets: &[String]) {
    let _ = REDACTOR.set(Redactor::new(secrets));
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let registry = tracing_subscriber::registry().with(filter);
    let writer = || RedactingWriter(Vec::with_capacity(256));
    // A second init (tests) is harmless: keep the first subscriber.
    let _ = if json {
        registry
            .with(
                fmt::layer()
                    .json()
                    .with_current_span(true)
                    .with_writer(writer),
            )
            .try_init()
    } else {
        registry.with(fmt::layer().with_writer(writer)).try_init()
    };
}

static REDACTOR: OnceLock<Redactor> = OnceLock::new();

/// Hides the configured secrets, and anything shaped like a credential, in a log line.
pub struct Redactor {
    secrets: Vec<String>,
    patterns: Vec<(regex::Regex, &'static str)>,
}

impl Redactor {
    pub fn new(secrets: &[String]) -> Self {
        let rules: [(&str, &'static str); 3] = [
            // A password in a URL: scheme://user:password@host.
            (
                r#"([A-Za-z][A-Za-z0-9+.-]*://[^:/?#@\s"']*):[^@/\s"']+@"#,
                "${1}:***@",
            ),
            // Our own secrets and Stripe's, by their prefixes (ing_ token ids are public).
            (
                r"\b(ses|mut|mks|whsec|sk_live|sk_test|rk_live|rk_test)_[A-Za-z0-9_-]{8,}",
                "${1}_***",
            ),
            // Credential headers, however a library prints them.
            (
                r#"(?i)\b(authorization|cookie|x-csrf-token|x-mutualis-signature|stripe-signature)(["']?\s*[:=]\s*["']?)[^"'\r\n]+"#,
                "${1}${2}***",
            ),
        ];
        let patterns = rules
            .iter()
            .filter_map(|(re, with)| regex::Regex::new(re).ok().map(|r| (r, *with)))
            .collect();
        let mut secrets: Vec<String> = secrets.iter().filter(|s| s.len() >= 8).cloned().collect();
        // Longest first, so a secret containing another is hidden whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        Redactor { secrets, patterns }
    }

    pub fn redact(&self, line: &str) -> String {
        let mut out = line.to_owned();
        for s in &self.secrets {
            if out.contains(s.as_str()) {
                out = out.replace(s.as_str(), "***");
            }
        }
        for (re, with) in &self.patterns {
            if re.is_match(&out) {
                out = re.replace_all(&out, *with).into_owned();
            }
        }
        out
    }
}

/// Collects one event's output, and writes it redacted when the event is complete.
struct RedactingWriter(Vec<u8>);

impl std::io::Write for RedactingWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for RedactingWriter {
    fn drop(&mut self) {
        let text = String::from_utf8_lossy(&self.0);
        let line = match REDACTOR.get() {
            Some(r) => r.redact(&text),
            None => text.into_owned(),
        };
        let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), line.as_bytes());
    }
}

/// The process-wide Prometheus recorder (installed once, shared by every server in a test
/// process).
pub fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets(&[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0])
                .map(PrometheusBuilder::build_recorder)
                .unwrap_or_else(|_| PrometheusBuilder::new().build_recorder());
            let handle = recorder.handle();
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

#[cfg(test)]
mod tests {
    use super::Redactor;

    #[test]
    fn secrets_and_credential_shapes_are_hidden() {
        let r = Redactor::new(&["correct-horse-battery".into(), "short".into()]);
        let cases = [
            (
                "url: \"postgres://app:s3cr%40t@db:5432/m\"",
                "url: \"postgres://app:***@db:5432/m\"",
            ),
            ("key correct-horse-battery used", "key *** used"),
            ("cookie: mutualis_session=ses_abc", "cookie: ***"),
            ("authorization=\"Bearer mut_x\"", "authorization=\"***\""),
            (
                "token mut_AbCdEf0123456789_- and mks_AbCdEf0123456789",
                "token mut_*** and mks_***",
            ),
            (
                "whsec_abcdefgh12345678 sk_test_abcdefgh1234",
                "whsec_*** sk_test_***",
            ),
            // Left alone: public ids, a short configured value, an ordinary URL.
            (
                "token ing_AbCdEf0123456789 short https://x.fr/a",
                "token ing_AbCdEf0123456789 short https://x.fr/a",
            ),
        ];
        for (line, want) in cases {
            assert_eq!(r.redact(line), want, "{line}");
        }
    }
}
