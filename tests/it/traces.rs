//! Traces over OTLP (`OTEL_EXPORTER_OTLP_ENDPOINT`): the console's binary sends them to a small OTLP/HTTP receiver
//! (JSON encoding) in the test — a server span per request, named by its route pattern and carrying the request id
//! the answer's `x-request-id` names; under it, a client span per BI call named by the call's shape, and spans for
//! the groups of database queries the request ran.

#![cfg(all(feature = "ssr", unix))]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::{self, browser, sign_in, signal, wait_exit};

/// One span as the receiver read it.
#[derive(Clone, Debug)]
struct Span {
    trace: String,
    id: String,
    parent: String,
    name: String,
    kind: i64,
    attributes: HashMap<String, String>,
}

type Spans = Arc<Mutex<Vec<Span>>>;

/// An attribute's value as text, whichever OTLP/JSON type carries it (64-bit integers come as strings).
fn text(v: &serde_json::Value) -> String {
    for key in ["stringValue", "intValue", "boolValue", "doubleValue"] {
        match &v[key] {
            serde_json::Value::Null => continue,
            serde_json::Value::String(s) => return s.clone(),
            other => return other.to_string(),
        }
    }
    String::new()
}

async fn take(
    axum::extract::State(spans): axum::extract::State<Spans>,
    body: String,
) -> &'static str {
    let request: serde_json::Value =
        serde_json::from_str(&body).expect("an OTLP/JSON export request");
    let mut kept = spans.lock().unwrap();
    for resource in request["resourceSpans"].as_array().into_iter().flatten() {
        let service = resource["resource"]["attributes"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|a| a["key"] == "service.name")
            .map(|a| text(&a["value"]));
        assert_eq!(service.as_deref(), Some("bi-console"));
        for scope in resource["scopeSpans"].as_array().into_iter().flatten() {
            for s in scope["spans"].as_array().into_iter().flatten() {
                kept.push(Span {
                    trace: s["traceId"].as_str().unwrap_or_default().to_string(),
                    id: s["spanId"].as_str().unwrap_or_default().to_string(),
                    parent: s["parentSpanId"].as_str().unwrap_or_default().to_string(),
                    name: s["name"].as_str().unwrap_or_default().to_string(),
                    kind: s["kind"].as_i64().unwrap_or_default(),
                    attributes: s["attributes"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|a| {
                            (
                                a["key"].as_str().unwrap_or_default().to_string(),
                                text(&a["value"]),
                            )
                        })
                        .collect(),
                });
            }
        }
    }
    "{}"
}

/// Whether `span` is `ancestor` or below it.
fn under(spans: &[Span], span: &Span, ancestor: &Span) -> bool {
    let mut at = span;
    loop {
        if at.id == ancestor.id {
            return true;
        }
        match spans
            .iter()
            .find(|s| s.id == at.parent && s.trace == at.trace)
        {
            Some(parent) => at = parent,
            None => return false,
        }
    }
}

#[tokio::test]
async fn requests_bi_calls_and_database_queries_are_traced_over_otlp() {
    let spans = Spans::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new()
        .route("/v1/traces", axum::routing::post(take))
        .with_state(spans.clone());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let dir = common::temp_dir("traces");
    let vars = [
        ("SANDBOX_TOKEN", "traces-token".to_string()),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", format!("http://{addr}")),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json".to_string()),
        ("OTEL_BSP_SCHEDULE_DELAY", "100".to_string()),
    ];
    let (mut child, base, realm, _) = common::spawn_console(&dir, &vars);
    let c = browser();
    sign_in(&c, &base, "admin", common::ADMIN_PASSWORD).await;
    // An identity BI does not know: the page asks BI once, and says so.
    let res = c
        .get(format!("{base}/realms/{realm}/identities/no-such-identity"))
        .send()
        .await
        .unwrap();
    let request_id = res.headers()["x-request-id"].to_str().unwrap().to_string();

    let until = Instant::now() + Duration::from_secs(30);
    let (all, request) = loop {
        let all = spans.lock().unwrap().clone();
        let request = all
            .iter()
            .find(|s| s.attributes.get("id") == Some(&request_id))
            .cloned();
        if let Some(request) = request {
            let calls = all.iter().filter(|s| {
                s.trace == request.trace
                    && s.name.starts_with("GET /realms/{realm}/identities/{id}")
            });
            if calls.count() > 0 {
                break (all, request);
            }
        }
        assert!(
            Instant::now() < until,
            "no trace of request {request_id}: {all:#?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(
        request.name, "GET /realms/{realm}/identities/{id}",
        "named by its route, not its path: {request:?}"
    );
    assert_eq!(
        (request.kind, request.parent.as_str()),
        (2, ""),
        "a server span at the root of its trace"
    );
    assert_eq!(
        request
            .attributes
            .get("http.request.method")
            .map(String::as_str),
        Some("GET")
    );
    assert!(
        request.attributes.contains_key("http.response.status_code"),
        "{request:?}"
    );
    let call = all
        .iter()
        .find(|s| {
            s.trace == request.trace
                && s.name == "GET /realms/{realm}/identities/{id}"
                && s.kind == 3
        })
        .expect("a client span for the BI call");
    assert!(
        under(&all, call, &request),
        "the BI call is under its request: {call:?}"
    );
    assert_eq!(
        call.attributes
            .get("http.response.status_code")
            .map(String::as_str),
        Some("404")
    );
    // The sign-in's request wrote its audit entry: a database span under it.
    let sign_in = all
        .iter()
        .find(|s| s.name == "POST /sign-in" && s.kind == 2)
        .expect("the sign-in's span");
    assert!(
        all.iter()
            .any(|s| s.name == "audit.append" && under(&all, s, sign_in)),
        "the sign-in's audit entry as a database span under it"
    );
    // No path with an id, and no id, names a span.
    assert!(all
        .iter()
        .all(|s| !s.name.contains("no-such-identity") && !s.name.contains(&realm)));
    signal(&child, libc::SIGTERM);
    wait_exit(&mut child, Duration::from_secs(20)).expect("stopped");
}
