//! Logs and traces. Logs go to standard output as text, or as JSON lines with `CONSOLE_LOG_FORMAT=json`. Traces go
//! to an OpenTelemetry collector over OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT` is set (off otherwise): a span
//! per request (its route pattern, method, status and request id), a child span per BI call (its operation's
//! shape, status and attempts) and per group of database queries, batched and sent in the background.
//!
//! Settings are OpenTelemetry's own names: `OTEL_EXPORTER_OTLP_ENDPOINT` (e.g. `http://collector:4318`; traces go
//! to its `/v1/traces`), `OTEL_EXPORTER_OTLP_PROTOCOL` (`http/protobuf`, the default, or `http/json`),
//! `OTEL_SERVICE_NAME` (default `bi-console`), and those the exporter and SDK read themselves
//! (`OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_TRACES_SAMPLER`, `OTEL_BSP_SCHEDULE_DELAY`, …).

use opentelemetry::trace::TracerProvider as _;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// What must outlive the process's work: the traces' provider, flushed and shut down when dropped.
pub struct Telemetry {
    traces: Option<opentelemetry_sdk::trace::SdkTracerProvider>,
}

impl Drop for Telemetry {
    fn drop(&mut self) {
        if let Some(provider) = self.traces.take() {
            if let Err(e) = provider.shutdown() {
                eprintln!("traces not all sent at exit: {e}");
            }
        }
    }
}

/// Where and how traces are sent.
#[derive(Debug, PartialEq, Eq)]
struct Export {
    /// `…/v1/traces`.
    url: String,
    json: bool,
    service: String,
}

/// The trace export the environment asks for: `None` without an endpoint; an error names the setting that is wrong.
fn export(get: impl Fn(&str) -> Option<String>) -> Result<Option<Export>, String> {
    let get = |k: &str| get(k).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    let Some(endpoint) = get("OTEL_EXPORTER_OTLP_ENDPOINT") else {
        return Ok(None);
    };
    let url = url::Url::parse(&endpoint)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
        .ok_or("OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// or https:// URL, like http://collector:4318")?;
    let json = match get("OTEL_EXPORTER_OTLP_PROTOCOL").as_deref() {
        None | Some("http/protobuf") => false,
        Some("http/json") => true,
        Some(other) => {
            return Err(format!(
                "OTEL_EXPORTER_OTLP_PROTOCOL is '{other}'; this console sends http/protobuf or http/json (a collector's port 4318)"
            ))
        }
    };
    Ok(Some(Export {
        url: format!("{}/v1/traces", url.as_str().trim_end_matches('/')),
        json,
        service: get("OTEL_SERVICE_NAME").unwrap_or_else(|| "bi-console".into()),
    }))
}

fn provider(export: &Export) -> Result<opentelemetry_sdk::trace::SdkTracerProvider, String> {
    use opentelemetry_otlp::{Protocol, WithExportConfig};
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_protocol(if export.json { Protocol::HttpJson } else { Protocol::HttpBinary })
        .with_endpoint(export.url.clone())
        .build()
        .map_err(|e| format!("the OTLP exporter: {e}"))?;
    let resource = opentelemetry_sdk::Resource::builder()
        .with_service_name(export.service.clone())
        .with_attribute(opentelemetry::KeyValue::new("service.version", env!("CARGO_PKG_VERSION")))
        .build();
    Ok(opentelemetry_sdk::trace::SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(resource)
        .build())
}

/// Sets up logging (and, when configured, trace export) for the process. `.env` is read first (unless
/// `CONSOLE_DOTENV=0`), as the settings will be.
pub fn init_tracing() -> Telemetry {
    if std::env::var("CONSOLE_DOTENV").as_deref() != Ok("0") {
        let _ = dotenvy::dotenv();
    }
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let format = std::env::var("CONSOLE_LOG_FORMAT").unwrap_or_default();
    let logs: Box<dyn Layer<_> + Send + Sync> = match format.trim() {
        // One JSON object per line for log shippers: the request's span (its id) on every line a request causes.
        "json" => tracing_subscriber::fmt::layer()
            .json()
            .with_target(false)
            .with_current_span(false)
            .with_span_list(true)
            .boxed(),
        _ => tracing_subscriber::fmt::layer().with_target(false).boxed(),
    };
    let (traces, trace_problem) = match export(|k| std::env::var(k).ok()) {
        Ok(None) => (None, None),
        Ok(Some(export)) => match provider(&export) {
            Ok(p) => (Some((p, export)), None),
            Err(e) => (None, Some(e)),
        },
        Err(e) => (None, Some(e)),
    };
    let layer = traces
        .as_ref()
        .map(|(p, _)| tracing_opentelemetry::layer().with_tracer(p.tracer("bi-console")));
    let _ = tracing_subscriber::registry().with(filter).with(logs).with(layer).try_init();
    if !matches!(format.trim(), "" | "text" | "json") {
        tracing::warn!(value = %format.trim(), "CONSOLE_LOG_FORMAT must be text or json; logging as text");
    }
    if let Some(problem) = trace_problem {
        tracing::warn!(problem = %problem, "traces are not sent");
    }
    if let Some((_, export)) = &traces {
        tracing::info!(url = %export.url, json = export.json, service = %export.service, "sending traces over OTLP");
    }
    Telemetry {
        traces: traces.map(|(p, _)| p),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(vars: &[(&str, &str)]) -> Result<Option<Export>, String> {
        export(|k| vars.iter().find(|(key, _)| *key == k).map(|(_, v)| v.to_string()))
    }

    #[test]
    fn the_export_is_read_from_opentelemetrys_own_settings() {
        assert_eq!(read(&[]), Ok(None));
        assert_eq!(
            read(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/")]),
            Ok(Some(Export { url: "http://collector:4318/v1/traces".into(), json: false, service: "bi-console".into() }))
        );
        assert_eq!(
            read(&[
                ("OTEL_EXPORTER_OTLP_ENDPOINT", "https://otel.example.com"),
                ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"),
                ("OTEL_SERVICE_NAME", "console-eu"),
            ]),
            Ok(Some(Export { url: "https://otel.example.com/v1/traces".into(), json: true, service: "console-eu".into() }))
        );
        assert!(read(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318")]).unwrap_err().contains("must be an http"));
        let grpc = read(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317"), ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")]);
        assert!(grpc.unwrap_err().contains("http/protobuf or http/json"));
    }
}
