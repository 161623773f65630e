//! The audit log leaves the box (`CONSOLE_AUDIT_SINK`): each event is written with a row in an outbox, in the same
//! transaction, and one process at a time (a lease in the database: replicas share the work, a dead process's lease
//! lapses) sends the outbox to the sink in the audit log's order, removing what the sink took (on PostgreSQL, two
//! writes made at the same moment may be sent in the order their transactions ended). A delivery that fails or
//! stalls is tried again with a backoff; one that succeeded but was not yet recorded as sent (the process died in
//! between) is sent again: delivery is at least once, and each event carries its id for the receiver to drop a copy.
//!
//! Formats: JSON lines over HTTPS (one event per line), Splunk's HTTP Event Collector, and RFC 5424 syslog over TCP
//! or TLS (octet-counting framing, RFC 6587).

use std::sync::Arc;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::sync::Notify;

use crate::config::{AuditSinkSettings, SinkTarget};
use crate::model::AuditEntry;
use crate::store::Fut;

/// One event waiting in the outbox: its place in the order written, and the entry (`None` when the entry was
/// forgotten by the retention before it could be sent).
#[derive(Clone, Debug)]
pub struct Waiting {
    pub seq: i64,
    pub entry: Option<AuditEntry>,
}

/// How sending goes, as the Audit page and the metrics show it. Times are milliseconds since 1970 by the database's
/// clock.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SinkStatus {
    /// Events not yet sent.
    pub waiting: u64,
    /// When the oldest of them was written.
    pub oldest_ms: Option<i64>,
    /// The database's time now.
    pub now_ms: i64,
    /// Since when deliveries have failed (none: the last one succeeded).
    pub failing_since_ms: Option<i64>,
    /// Why the last delivery failed (never a token or a URL's path: see [`Sender::send`]).
    pub last_error: Option<String>,
}

impl SinkStatus {
    /// How long the oldest waiting event has waited.
    pub fn lag(&self) -> Duration {
        Duration::from_millis(self.oldest_ms.map_or(0, |at| (self.now_ms - at).max(0)) as u64)
    }
}

/// What the sending needs of the console's database (implemented in `db`).
pub trait OutboxStore: Send + Sync {
    /// Holds the sending for `owner` for `lease` from now (again, when it holds it already); false when another
    /// process holds it.
    fn hold<'a>(&'a self, owner: &'a str, lease: Duration) -> Fut<'a, bool>;
    /// The first `limit` events waiting, in the order written.
    fn waiting(&self, limit: u32) -> Fut<'_, Vec<Waiting>>;
    /// The sink took the events `seqs`: they leave the outbox, if `owner` still holds the sending (answers whether
    /// it did; otherwise nothing changes, and the holder sends them again).
    fn sent<'a>(&'a self, owner: &'a str, seqs: &'a [i64]) -> Fut<'a, bool>;
    /// A delivery by `owner` failed with `error`.
    fn failed<'a>(&'a self, owner: &'a str, error: &'a str) -> Fut<'a, ()>;
    /// Lets go of the sending: `owner`'s hold, or any (at start, on a database no other process uses).
    fn let_go<'a>(&'a self, owner: Option<&'a str>) -> Fut<'a, ()>;
    fn status(&self) -> Fut<'_, SinkStatus>;
}

/// Events sent in one delivery, at most.
const BATCH: u32 = 200;
/// How often an idle sender looks at the outbox (an event written by this process wakes it at once).
const IDLE: Duration = Duration::from_secs(1);
/// The wait after a first failed delivery, doubled after each one that follows.
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
/// The longest wait between failed deliveries.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// The console's sink: its settings, its outbox, and what wakes its sender.
#[derive(Clone)]
pub struct Sink {
    pub(super) store: Arc<dyn OutboxStore>,
    pub(super) settings: Arc<AuditSinkSettings>,
    pub(super) wake: Arc<Notify>,
}

impl Sink {
    pub fn new(store: impl OutboxStore + 'static, settings: AuditSinkSettings) -> Sink {
        Sink {
            store: Arc::new(store),
            settings: Arc::new(settings),
            wake: Arc::new(Notify::new()),
        }
    }

    pub async fn status(&self) -> Result<SinkStatus, crate::store::StoreError> {
        self.store.status().await
    }

    /// The time limit of one delivery.
    pub fn timeout(&self) -> Duration {
        self.settings.timeout
    }

    /// What the Audit page names the sink by (no path, no token).
    pub fn label(&self) -> String {
        self.settings.target.label()
    }

    /// Sends the outbox for as long as the process lives, as `owner`, holding the sending for `lease` at a time;
    /// `shared`: other processes use the same database (otherwise a hold left by the previous process is let go at
    /// once). Fails at once when the sink's settings cannot be used (its CA file).
    pub async fn start(&self, owner: String, lease: Duration, shared: bool) -> Result<(), String> {
        let sender = Sender::new(&self.settings)?;
        if !shared {
            if let Err(e) = self.store.let_go(None).await {
                tracing::warn!(error = %e, "could not take over the audit sink from the previous process");
            }
        }
        let sink = self.clone();
        tokio::spawn(async move { sink.deliver_forever(&sender, &owner, lease).await });
        Ok(())
    }

    async fn deliver_forever(&self, sender: &Sender, owner: &str, lease: Duration) {
        let mut backoff = Duration::ZERO;
        loop {
            match self.deliver_once(sender, owner, lease).await {
                Ok(Some(n)) if n > 0 => {
                    backoff = Duration::ZERO;
                    continue;
                }
                Ok(_) => {
                    backoff = Duration::ZERO;
                    let _ = tokio::time::timeout(IDLE, self.wake.notified()).await;
                }
                Err(why) => {
                    backoff = (backoff * 2).clamp(FIRST_BACKOFF, MAX_BACKOFF);
                    crate::metrics::global().audit_sink_delivery(false, 0);
                    tracing::warn!(sink = %self.label(), error = %why, retry_in_secs = backoff.as_secs(),
                        "audit events not delivered");
                    if let Err(e) = self.store.failed(owner, &why).await {
                        tracing::warn!(error = %e, "the audit sink's failure not recorded");
                    }
                    tokio::time::sleep(backoff).await;
                }
            }
        }
    }

    /// One delivery: the next events waiting, if this process holds the sending. Answers how many left the outbox
    /// (`None`: another process holds the sending).
    async fn deliver_once(&self, sender: &Sender, owner: &str, lease: Duration) -> Result<Option<usize>, String> {
        let store = |e: crate::store::StoreError| format!("the console's database: {e}");
        if !self.store.hold(owner, lease).await.map_err(store)? {
            return Ok(None);
        }
        let waiting = self.store.waiting(BATCH).await.map_err(store)?;
        if waiting.is_empty() {
            return Ok(Some(0));
        }
        let entries: Vec<&AuditEntry> = waiting.iter().filter_map(|w| w.entry.as_ref()).collect();
        if !entries.is_empty() {
            // Bounded by the sink's time limit, well inside the hold: another process does not take the sending
            // over while this one still waits.
            sender.send(&entries).await?;
        }
        let seqs: Vec<i64> = waiting.iter().map(|w| w.seq).collect();
        if !self.store.sent(owner, &seqs).await.map_err(store)? {
            tracing::warn!("the audit sink was taken over by another process during a delivery: it sends these again");
            return Ok(None);
        }
        crate::metrics::global().audit_sink_delivery(true, entries.len());
        Ok(Some(seqs.len()))
    }
}

/// One event as every format carries it.
#[derive(serde::Serialize)]
struct Wire<'a> {
    id: &'a str,
    time: &'a str,
    operator: &'a str,
    action: &'a str,
    realm: &'a str,
    target_id: &'a str,
    target_name: &'a str,
    detail: &'a str,
    result: &'a str,
    request_id: &'a str,
    source: &'static str,
}

impl<'a> From<&'a AuditEntry> for Wire<'a> {
    fn from(e: &'a AuditEntry) -> Wire<'a> {
        Wire {
            id: &e.id,
            time: &e.at,
            operator: &e.operator,
            action: &e.action,
            realm: &e.realm,
            target_id: &e.target_id,
            target_name: &e.target_name,
            detail: &e.detail,
            result: &e.result,
            request_id: &e.request_id,
            source: SOURCE,
        }
    }
}

const SOURCE: &str = "bi-console";

/// This machine's name, as syslog and Splunk name the sender.
fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty() && h.is_ascii() && !h.contains(' '))
        .unwrap_or_else(|| "-".into())
}

/// The events as JSON lines: one object per line.
pub fn json_lines(entries: &[&AuditEntry]) -> Vec<u8> {
    let mut out = Vec::new();
    for e in entries {
        serde_json::to_writer(&mut out, &Wire::from(*e)).expect("an event serializes");
        out.push(b'\n');
    }
    out
}

/// The events as Splunk's HTTP Event Collector takes several at once: event objects one after another, each with
/// its time in seconds since 1970.
pub fn splunk(entries: &[&AuditEntry], host: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for e in entries {
        let time = chrono::DateTime::parse_from_rfc3339(&e.at).map_or(0.0, |t| t.timestamp_micros() as f64 / 1e6);
        let object = serde_json::json!({
            "time": time,
            "host": host,
            "source": SOURCE,
            "sourcetype": "bi-console:audit",
            "event": Wire::from(*e),
        });
        serde_json::to_writer(&mut out, &object).expect("an event serializes");
        out.push(b'\n');
    }
    out
}

/// The events as RFC 5424 syslog messages (facility "log audit", severity informational; the event as JSON in the
/// message), each framed by its length (RFC 6587 octet counting).
pub fn syslog(entries: &[&AuditEntry], host: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for e in entries {
        let json = serde_json::to_string(&Wire::from(*e)).expect("an event serializes");
        // PRI 110: facility 13 (log audit) × 8 + severity 6 (informational). No structured data: the message is the
        // event.
        let message = format!("<110>1 {} {host} {SOURCE} - audit - {json}", e.at);
        out.extend_from_slice(format!("{} {message}", message.len()).as_bytes());
    }
    out
}

/// How events reach the sink.
enum Sender {
    Http {
        client: reqwest::Client,
        url: url::Url,
        splunk: bool,
        token: Option<crate::secret::Secret>,
        host: String,
    },
    Syslog {
        host: String,
        port: u16,
        tls: Option<tokio_rustls::TlsConnector>,
        timeout: Duration,
        me: String,
    },
}

/// The certificates in `CONSOLE_AUDIT_SINK_CA` (PEM).
fn extra_roots(settings: &AuditSinkSettings) -> Result<Vec<rustls_pki_types::CertificateDer<'static>>, String> {
    use rustls_pki_types::pem::PemObject;
    let Some(path) = &settings.ca else {
        return Ok(Vec::new());
    };
    let certs = rustls_pki_types::CertificateDer::pem_file_iter(path)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("CONSOLE_AUDIT_SINK_CA: cannot read {}: {e}", path.display()))?;
    if certs.is_empty() {
        return Err(format!("CONSOLE_AUDIT_SINK_CA: {} holds no certificate", path.display()));
    }
    Ok(certs)
}

impl Sender {
    fn new(settings: &AuditSinkSettings) -> Result<Sender, String> {
        let extra = extra_roots(settings)?;
        Ok(match &settings.target {
            SinkTarget::JsonLines(url) | SinkTarget::Splunk(url) => {
                let mut builder = reqwest::Client::builder()
                    .timeout(settings.timeout)
                    .redirect(reqwest::redirect::Policy::none())
                    .user_agent(concat!("bi-console/", env!("CARGO_PKG_VERSION")));
                for cert in &extra {
                    let cert = reqwest::Certificate::from_der(cert).map_err(|e| format!("CONSOLE_AUDIT_SINK_CA: {e}"))?;
                    builder = builder.add_root_certificate(cert);
                }
                Sender::Http {
                    client: builder.build().map_err(|e| format!("the audit sink's HTTP client: {e}"))?,
                    url: url.clone(),
                    splunk: matches!(settings.target, SinkTarget::Splunk(_)),
                    token: settings.token.clone(),
                    host: hostname(),
                }
            }
            SinkTarget::Syslog { host, port, tls } => {
                let tls = if *tls {
                    use tokio_rustls::rustls;
                    let mut roots = rustls::RootCertStore::empty();
                    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
                    for cert in extra {
                        roots.add(cert).map_err(|e| format!("CONSOLE_AUDIT_SINK_CA: {e}"))?;
                    }
                    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
                        rustls::crypto::ring::default_provider(),
                    ))
                    .with_safe_default_protocol_versions()
                    .map_err(|e| format!("TLS: {e}"))?
                    .with_root_certificates(roots)
                    .with_no_client_auth();
                    Some(tokio_rustls::TlsConnector::from(Arc::new(config)))
                } else {
                    None
                };
                Sender::Syslog {
                    host: host.clone(),
                    port: *port,
                    tls,
                    timeout: settings.timeout,
                    me: hostname(),
                }
            }
        })
    }

    /// Delivers `entries`; the error says why not, without the sink's path, query or token.
    async fn send(&self, entries: &[&AuditEntry]) -> Result<(), String> {
        match self {
            Sender::Http { client, url, splunk: is_splunk, token, host } => {
                let (body, kind) = if *is_splunk {
                    (splunk(entries, host), "application/json")
                } else {
                    (json_lines(entries), "application/x-ndjson")
                };
                let mut request = client.post(url.clone()).header("content-type", kind).body(body);
                if let Some(token) = token {
                    let scheme = if *is_splunk { "Splunk" } else { "Bearer" };
                    request = request.header("authorization", format!("{scheme} {}", token.expose()));
                }
                let response = request.send().await.map_err(|e| {
                    if e.is_timeout() {
                        "the sink did not answer in time".to_string()
                    } else {
                        format!("could not reach the sink: {}", e.without_url())
                    }
                })?;
                let status = response.status();
                if status.is_success() {
                    Ok(())
                } else {
                    Err(format!("the sink answered {}", status.as_u16()))
                }
            }
            Sender::Syslog { host, port, tls, timeout, me } => {
                let frames = syslog(entries, me);
                let deliver = async {
                    let tcp = tokio::net::TcpStream::connect((host.as_str(), *port))
                        .await
                        .map_err(|e| format!("could not reach the sink: {e}"))?;
                    match tls {
                        None => write_all(tcp, &frames).await,
                        Some(connector) => {
                            let name = rustls_pki_types::ServerName::try_from(host.clone())
                                .map_err(|e| format!("the sink's name: {e}"))?;
                            let stream = connector
                                .connect(name, tcp)
                                .await
                                .map_err(|e| format!("TLS with the sink failed: {e}"))?;
                            write_all(stream, &frames).await
                        }
                    }
                };
                tokio::time::timeout(*timeout, deliver)
                    .await
                    .map_err(|_| "the sink did not take the events in time".to_string())?
            }
        }
    }
}

/// Writes `frames` and closes the stream cleanly (for TLS, with its close_notify).
async fn write_all<S: tokio::io::AsyncWrite + Unpin>(mut stream: S, frames: &[u8]) -> Result<(), String> {
    stream.write_all(frames).await.map_err(|e| format!("the sink closed the connection: {e}"))?;
    stream.shutdown().await.map_err(|e| format!("the sink closed the connection: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str) -> AuditEntry {
        AuditEntry {
            id: id.into(),
            at: "2026-12-04T10:00:00.250000Z".into(),
            operator: "ada".into(),
            action: "identity.create".into(),
            realm: "r1".into(),
            target_id: "i1".into(),
            target_name: "grace \"amazing\" hopper".into(),
            detail: "created".into(),
            result: "ok".into(),
            request_id: "req1".into(),
        }
    }

    #[test]
    fn each_format_carries_every_field_and_the_events_id() {
        let (a, b) = (entry("e1"), entry("e2"));
        let lines = String::from_utf8(json_lines(&[&a, &b])).unwrap();
        let parsed: Vec<serde_json::Value> = lines.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!((parsed.len(), parsed[1]["id"].as_str()), (2, Some("e2")));
        assert_eq!(parsed[0]["target_name"], "grace \"amazing\" hopper");
        assert_eq!((parsed[0]["time"].as_str(), parsed[0]["source"].as_str()), (Some(a.at.as_str()), Some(SOURCE)));

        let hec = String::from_utf8(splunk(&[&a], "console-1")).unwrap();
        let hec: serde_json::Value = serde_json::from_str(hec.trim()).unwrap();
        assert_eq!((hec["host"].as_str(), hec["sourcetype"].as_str()), (Some("console-1"), Some("bi-console:audit")));
        assert_eq!((hec["time"].as_f64(), hec["event"]["id"].as_str()), (Some(1_796_378_400.25), Some("e1")));

        let frames = String::from_utf8(syslog(&[&a, &b], "console-1")).unwrap();
        let (length, rest) = frames.split_once(' ').unwrap();
        let first = &rest[..length.parse::<usize>().unwrap()];
        assert!(first.starts_with("<110>1 2026-12-04T10:00:00.250000Z console-1 bi-console - audit - {"), "{first}");
        let json: serde_json::Value = serde_json::from_str(first.split_once(" - audit - ").unwrap().1).unwrap();
        assert_eq!(json["id"], "e1");
        assert!(rest[first.len()..].starts_with(&format!("{} <110>1", first.len())), "the next frame follows");
    }

    #[test]
    fn lag_is_the_age_of_the_oldest_event_waiting() {
        let status = SinkStatus { waiting: 3, oldest_ms: Some(1_000), now_ms: 61_000, ..SinkStatus::default() };
        assert_eq!(status.lag(), Duration::from_secs(60));
        assert_eq!(SinkStatus::default().lag(), Duration::ZERO);
    }
}
