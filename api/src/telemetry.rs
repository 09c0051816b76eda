//! Logs, traces and metrics.
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::trace::SdkTracerProvider;
use std::sync::OnceLock;
use tracing_subscriber::{fmt, prelude::*, EnvFilter};

/// Where traces go: an OpenTelemetry collector, over OTLP/HTTP (protobuf).
#[derive(Debug, Clone)]
pub struct OtlpSettings {
    /// The collector's base URL (`/v1/traces` is appended, as the OTLP specification says of
    /// `OTEL_EXPORTER_OTLP_ENDPOINT`).
    pub endpoint: url::Url,
    pub service_name: String,
}

/// The tracer provider, kept to flush the last spans at exit.
static TRACES: OnceLock<SdkTracerProvider> = OnceLock::new();

/// Installs the log subscriber, and the trace exporter when `otlp` is set. Every log line goes
/// through `Redactor` before it is written: our own code never logs a secret, but libraries'
/// spans do at debug and trace (sea-orm's connect span prints the connection URL with its
/// password), and a log is copied to places a secret must not go.
pub fn init_logs(json: bool, secrets: &[String], otlp: Option<&OtlpSettings>) {
    let _ = REDACTOR.set(Redactor::new(secrets));
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let traces = otlp.and_then(|o| match tracer_provider(o) {
        Ok(p) => Some(p),
        Err(e) => {
            eprintln!("OTEL_EXPORTER_OTLP_ENDPOINT: traces are not exported: {e}");
            None
        }
    });
    let otel = traces.as_ref().map(|p| {
        opentelemetry::global::set_text_map_propagator(
            opentelemetry_sdk::propagation::TraceContextPropagator::new(),
        );
        tracing_opentelemetry::layer().with_tracer(p.tracer("mutualis"))
    });
    if let Some(p) = traces {
        let _ = TRACES.set(p);
    }
    let registry = tracing_subscriber::registry().with(filter).with(otel);
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

/// The OTLP exporter behind a batch processor (its own thread: the spans leave in batches,
/// never on a request's path).
fn tracer_provider(o: &OtlpSettings) -> Result<SdkTracerProvider, String> {
    let endpoint = format!("{}/v1/traces", o.endpoint.as_str().trim_end_matches('/'));
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_http_client(BlockingHttp::new()?)
        .with_endpoint(endpoint)
        .with_timeout(std::time::Duration::from_secs(10))
        .build()
        .map_err(|e| e.to_string())?;
    let resource = opentelemetry_sdk::Resource::builder()
        .with_service_name(o.service_name.clone())
        .with_attribute(opentelemetry::KeyValue::new(
            "service.version",
            env!("CARGO_PKG_VERSION"),
        ))
        .build();
    Ok(SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(resource)
        .build())
}

/// Sends the last spans before the process exits (at most a few seconds).
pub fn flush_traces() {
    if let Some(p) = TRACES.get() {
        if let Err(e) = p.shutdown_with_timeout(std::time::Duration::from_secs(5)) {
            eprintln!("traces: the last spans were not all sent: {e}");
        }
    }
}

/// The exporter's HTTP client: reqwest's blocking client (the workspace's reqwest, rustls), as
/// the batch processor calls it from its own thread, outside the async runtime.
#[derive(Debug, Clone)]
struct BlockingHttp(reqwest::blocking::Client);

impl BlockingHttp {
    fn new() -> Result<Self, String> {
        // Built on a thread of its own: the blocking client starts (and at drop stops) an
        // inner runtime, which may not happen on a thread of the async runtime.
        std::thread::spawn(|| {
            reqwest::blocking::Client::builder()
                .timeout(std::time::Duration::from_secs(10))
                .build()
                .map(BlockingHttp)
                .map_err(|e| e.to_string())
        })
        .join()
        .map_err(|_| "the HTTP client could not be built".to_owned())?
    }
}

#[async_trait::async_trait]
impl opentelemetry_http::HttpClient for BlockingHttp {
    async fn send_bytes(
        &self,
        request: axum::http::Request<axum::body::Bytes>,
    ) -> Result<axum::http::Response<axum::body::Bytes>, opentelemetry_http::HttpError> {
        let request = reqwest::blocking::Request::try_from(request)?;
        let response = self.0.execute(request)?;
        let status = response.status();
        let headers = response.headers().clone();
        // The collector answers a small protobuf or JSON status: a bound anyway.
        let body = response.bytes()?;
        if body.len() > 4 * 1024 * 1024 {
            return Err("the collector's answer is over 4 MiB".into());
        }
        let mut out = axum::http::Response::builder().status(status).body(body)?;
        *out.headers_mut() = headers;
        Ok(out)
    }
}

/// The trace id of `span` (the OpenTelemetry one) as a field of its own, so that every log
/// line written inside it carries the id its trace has in the collector. The parent given by
/// the caller's `traceparent` header, if any, is adopted first.
pub fn join_trace(span: &tracing::Span, headers: &axum::http::HeaderMap) {
    use opentelemetry::trace::TraceContextExt;
    use tracing_opentelemetry::OpenTelemetrySpanExt;
    if TRACES.get().is_none() {
        return;
    }
    let parent = opentelemetry::global::get_text_map_propagator(|p| {
        p.extract(&opentelemetry_http::HeaderExtractor(headers))
    });
    if parent.span().span_context().is_valid() {
        let _ = span.set_parent(parent);
    }
    worker::trace::record_trace_id(span);
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
