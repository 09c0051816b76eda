//! Log lines joined to their trace: a span's OpenTelemetry trace id recorded as its `trace_id`
//! field, so that the JSON log lines written inside it carry the id the collector shows.
use opentelemetry::trace::{TraceContextExt, TraceId};
use tracing_opentelemetry::OpenTelemetrySpanExt;

/// Records the trace id into `span`'s `trace_id` field (declared empty where the span is
/// made). Without a trace exporter the id is invalid and nothing is recorded.
pub fn record_trace_id(span: &tracing::Span) {
    let id = span.context().span().span_context().trace_id();
    if id != TraceId::INVALID {
        span.record("trace_id", tracing::field::display(id));
    }
}
