//! Traces: with `OTEL_EXPORTER_OTLP_ENDPOINT` set, the real binary sends its request and job
//! spans over OTLP/HTTP to a collector — here a receiver this test starts, which decodes what
//! arrives with the OTLP protobuf definitions. The request span continues the caller's trace
//! (`traceparent`), and the JSON log lines written inside it carry the same trace id.
use integration_tests::*;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use prost::Message;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone)]
struct Received {
    service: String,
    name: String,
    trace_id: String,
    attributes: Vec<(String, String)>,
}

type Spans = Arc<Mutex<Vec<Received>>>;

/// An OTLP/HTTP receiver on a free port: (its base URL, what it received).
async fn receiver() -> (String, Spans) {
    let spans: Spans = Arc::default();
    let kept = spans.clone();
    let app = axum::Router::new().route(
        "/v1/traces",
        axum::routing::post(move |body: axum::body::Bytes| {
            let kept = kept.clone();
            async move {
                let Ok(req) = ExportTraceServiceRequest::decode(body) else {
                    return axum::http::StatusCode::BAD_REQUEST;
                };
                let mut out = kept.lock().expect("lock");
                for rs in req.resource_spans {
                    let service = rs
                        .resource
                        .iter()
                        .flat_map(|r| r.attributes.iter())
                        .find(|a| a.key == "service.name")
                        .map(|a| format!("{:?}", a.value))
                        .unwrap_or_default();
                    for span in rs.scope_spans.into_iter().flat_map(|s| s.spans) {
                        out.push(Received {
                            service: service.clone(),
                            name: span.name,
                            trace_id: hex::encode(&span.trace_id),
                            attributes: span
                                .attributes
                                .into_iter()
                                .map(|a| (a.key, format!("{:?}", a.value)))
                                .collect(),
                        });
                    }
                }
                axum::http::StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), spans)
}

fn has(span: &Received, key: &str, value: &str) -> bool {
    span.attributes
        .iter()
        .any(|(k, v)| k == key && v.contains(value))
}

#[tokio::test]
async fn request_and_job_spans_reach_the_collector_and_the_logs_carry_their_trace_id() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let (collector, spans) = receiver().await;
    let logs =
        TempDir(std::env::temp_dir().join(format!("mutualis-traces-{}", uuid::Uuid::new_v4())));
    std::fs::create_dir_all(&logs.0).expect("dir");
    let listen = format!("127.0.0.1:{}", free_port());
    let otel = [
        ("OTEL_EXPORTER_OTLP_ENDPOINT", collector.as_str()),
        // Batches leave every 200 ms instead of 5 s: the test waits less.
        ("OTEL_BSP_SCHEDULE_DELAY", "200"),
        ("MUTUALIS_LOG_FORMAT", "json"),
        ("RUST_LOG", "info,tower_http=debug"),
    ];
    let spawn = |args: &[&str], service: &str, log: &str, extra: &[(&str, &str)]| {
        let mut env = otel.to_vec();
        env.push(("OTEL_SERVICE_NAME", service));
        env.extend_from_slice(extra);
        let out = std::fs::File::create(logs.0.join(log)).expect("log file");
        app.binary_command(args, &env)
            .stdout(out)
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("starts")
    };
    let mut procs = Processes(vec![spawn(
        &["serve"],
        "mutualis-api-test",
        "api.log",
        &[("LISTEN_ADDR", listen.as_str())],
    )]);
    let base = format!("http://{listen}");
    app.wait_ready(&base).await;

    // A call that continues the caller's trace, and writes (a report job follows the change).
    let trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
    let request_id = uuid::Uuid::new_v4().to_string();
    let Caller::Session { secret, csrf, .. } = &fx.commune_admin_a1 else {
        panic!("a session caller");
    };
    let resp = app
        .http
        .post(format!("{base}/graphql"))
        .header("cookie", format!("mutualis_session={secret}"))
        .header("x-csrf-token", csrf)
        .header("x-request-id", &request_id)
        .header("traceparent", format!("00-{trace_id}-00f067aa0ba902b7-01"))
        .json(&json!({
            "query": "mutation($t: UUID!, $d: Date!) { createRightsRequest(input: {tenantId: $t, kind: \"access\", receivedOn: $d, requester: \"Mme Trace\"}) { id } }",
            "variables": {"t": fx.tenant_a1, "d": chrono::Utc::now().date_naive()},
        }))
        .send()
        .await
        .expect("answered");
    assert_eq!(resp.status().as_u16(), 200);
    let body: Value = resp.json().await.expect("JSON");
    assert!(
        body["data"]["createRightsRequest"]["id"].is_string(),
        "{body}"
    );

    wait_until(
        "the request span at the collector",
        Duration::from_secs(30),
        || {
            let spans = spans.clone();
            let request_id = request_id.clone();
            async move {
                spans.lock().expect("lock").iter().any(|s| {
                    s.name == "request"
                        && s.trace_id == trace_id
                        && has(s, "request_id", &request_id)
                })
            }
        },
    )
    .await;
    let request = spans
        .lock()
        .expect("lock")
        .iter()
        .find(|s| s.name == "request" && s.trace_id == trace_id)
        .cloned()
        .expect("request span");
    assert!(request.service.contains("mutualis-api-test"), "{request:?}");
    assert!(has(&request, "path", "/graphql"), "{request:?}");

    // The domain operation has its own span in the same trace, naming who acted and the
    // tenant and organisation it changed (recorded by the audit entry).
    wait_until(
        "the domain span at the collector",
        Duration::from_secs(30),
        || {
            let spans = spans.clone();
            async move {
                spans
                    .lock()
                    .expect("lock")
                    .iter()
                    .any(|s| s.name == "create" && s.trace_id == trace_id)
            }
        },
    )
    .await;
    let create = spans
        .lock()
        .expect("lock")
        .iter()
        .find(|s| s.name == "create" && s.trace_id == trace_id)
        .cloned()
        .expect("domain span");
    assert!(
        has(&create, "tenant_id", &fx.tenant_a1.to_string()),
        "{create:?}"
    );
    assert!(
        has(&create, "organisation_id", &fx.org_a.to_string()),
        "{create:?}"
    );
    assert!(has(&create, "actor", "user:"), "{create:?}");

    // The log lines of that request name the same trace.
    let text = std::fs::read_to_string(logs.0.join("api.log")).expect("log");
    let joined: Vec<Value> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|l| l["span"]["request_id"] == json!(request_id))
        .collect();
    assert!(!joined.is_empty(), "log lines of the request: {text}");
    assert!(
        joined
            .iter()
            .all(|l| l["span"]["trace_id"] == json!(trace_id)),
        "{joined:?}"
    );

    // A worker sends its job spans too.
    assert!(app.count("job").await > 0, "the change queued a job");
    procs.0.push(spawn(
        &["worker"],
        "mutualis-worker-test",
        "worker.log",
        &[],
    ));
    wait_until(
        "a job span at the collector",
        Duration::from_secs(60),
        || {
            let spans = spans.clone();
            async move {
                spans.lock().expect("lock").iter().any(|s| {
                    s.name == "job"
                        && s.service.contains("mutualis-worker-test")
                        && has(s, "kind", "")
                })
            }
        },
    )
    .await;
    let job_trace = spans
        .lock()
        .expect("lock")
        .iter()
        .find(|s| s.name == "job")
        .map(|s| s.trace_id.clone())
        .expect("job span");
    wait_until(
        "the job's log line with its trace id",
        Duration::from_secs(30),
        || {
            let path = logs.0.join("worker.log");
            let job_trace = job_trace.clone();
            async move {
                std::fs::read_to_string(path).is_ok_and(|t| {
                    t.lines()
                        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
                        .any(|l| {
                            l["span"]["name"] == json!("job")
                                && l["span"]["trace_id"] == json!(job_trace)
                        })
                })
            }
        },
    )
    .await;
}
