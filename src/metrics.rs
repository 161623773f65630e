//! The console's metrics, in Prometheus's text format at `/metrics` on a listener of its own
//! (`CONSOLE_METRICS_ADDR`, never the public port). What the process counts as it works (HTTP requests, BI calls,
//! the BI token's refreshes, sign-ins, throttled attempts, audit events) is kept here, in one process-wide
//! [`Metrics`]; what the database knows (jobs by kind and state, the oldest waiting job, each realm's index) is read
//! when Prometheus asks. Labels take bounded values only: a route's pattern, an operation's shape, a status code,
//! a method — never an id, a username or a realm's name (a realm's id, for the index: the console knows few).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

/// Upper bounds of the duration histograms, in seconds.
const BUCKETS: [f64; 12] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

/// One histogram's counts (per bucket, cumulative when written), sum and count.
#[derive(Clone, Debug, Default)]
struct Histogram {
    buckets: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        for (n, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                self.buckets[n] += 1;
            }
        }
        self.sum += seconds;
        self.count += 1;
    }
}

type Labels = Vec<(&'static str, String)>;

#[derive(Default)]
struct Families {
    counters: BTreeMap<&'static str, BTreeMap<Labels, u64>>,
    histograms: BTreeMap<&'static str, BTreeMap<Labels, Histogram>>,
}

/// What the process counts.
#[derive(Default)]
pub struct Metrics {
    families: Mutex<Families>,
}

/// The process's metrics.
pub fn global() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(Metrics::default)
}

/// Every family the process counts: its name, type and help.
const FAMILIES: &[(&str, &str, &str)] = &[
    ("console_http_requests_total", "counter", "HTTP requests answered, by route pattern, method and status."),
    ("console_http_request_duration_seconds", "histogram", "Time to answer an HTTP request, by route pattern and method."),
    ("console_bi_calls_total", "counter", "Calls to BI's Management API (each attempt), by operation and status."),
    ("console_bi_call_duration_seconds", "histogram", "Time of one call to BI's Management API, by operation."),
    ("console_bi_retries_total", "counter", "BI calls repeated after a transient failure, by operation."),
    ("console_bi_rate_limited_total", "counter", "BI answers of 429 (too many requests), by operation."),
    ("console_bi_token_refreshes_total", "counter", "Fetches of the BI API token (client credentials), by outcome."),
    ("console_sign_ins_total", "counter", "Sign-ins, by method and outcome."),
    ("console_sign_in_throttled_total", "counter", "Password sign-in attempts refused by the throttle."),
    ("console_audit_events_total", "counter", "Audit events written, by result."),
    ("console_audit_sink_deliveries_total", "counter", "Deliveries to the audit sink, by outcome."),
    ("console_audit_sink_events_sent_total", "counter", "Audit events the sink took (a redelivered event counts again)."),
];

fn help(name: &str) -> (&'static str, &'static str) {
    FAMILIES
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, kind, help)| (*kind, *help))
        .unwrap_or(("untyped", ""))
}

impl Metrics {
    fn count(&self, name: &'static str, labels: Labels, by: u64) {
        let mut f = self.families.lock().expect("metrics lock");
        *f.counters.entry(name).or_default().entry(labels).or_default() += by;
    }

    fn observe(&self, name: &'static str, labels: Labels, took: Duration) {
        let mut f = self.families.lock().expect("metrics lock");
        f.histograms.entry(name).or_default().entry(labels).or_default().observe(took.as_secs_f64());
    }

    /// An HTTP request answered: `route` is the pattern it matched (`/realms/{realm}/identities`), never the path.
    pub fn http_request(&self, route: &str, method: &str, status: u16, took: Duration) {
        let base = vec![("route", route.to_string()), ("method", method.to_string())];
        let mut with_status = base.clone();
        with_status.push(("status", status.to_string()));
        self.count("console_http_requests_total", with_status, 1);
        self.observe("console_http_request_duration_seconds", base, took);
    }

    /// One attempt of a BI call: `status` is BI's HTTP status, or `error` / `timeout` when none came back.
    pub fn bi_call(&self, operation: &str, status: &str, took: Duration) {
        let op = vec![("operation", operation.to_string())];
        let mut with_status = op.clone();
        with_status.push(("status", status.to_string()));
        self.count("console_bi_calls_total", with_status, 1);
        if status == "429" {
            self.count("console_bi_rate_limited_total", op.clone(), 1);
        }
        self.observe("console_bi_call_duration_seconds", op, took);
    }

    pub fn bi_retry(&self, operation: &str) {
        self.count("console_bi_retries_total", vec![("operation", operation.to_string())], 1);
    }

    pub fn bi_token_refresh(&self, ok: bool) {
        let outcome = if ok { "ok" } else { "failed" };
        self.count("console_bi_token_refreshes_total", vec![("outcome", outcome.into())], 1);
    }

    /// A sign-in: `method` is `password`, `passkey` or `bi`; `outcome` `ok`, `failed`, `refused` or `throttled`.
    pub fn sign_in(&self, method: &'static str, outcome: &'static str) {
        self.count(
            "console_sign_ins_total",
            vec![("method", method.into()), ("outcome", outcome.into())],
            1,
        );
        if outcome == "throttled" {
            self.count("console_sign_in_throttled_total", vec![], 1);
        }
    }

    pub fn audit_event(&self, result: &str) {
        let result = match result {
            "ok" | "partial" | "failed" => result,
            _ => "other",
        };
        self.count("console_audit_events_total", vec![("result", result.into())], 1);
    }

    /// A delivery to the audit sink: taken (`ok`, with the events it carried) or not.
    pub fn audit_sink_delivery(&self, ok: bool, events: usize) {
        let outcome = if ok { "ok" } else { "failed" };
        self.count("console_audit_sink_deliveries_total", vec![("outcome", outcome.into())], 1);
        if events > 0 {
            self.count("console_audit_sink_events_sent_total", vec![], events as u64);
        }
    }

    /// What the process counted, in Prometheus's text format.
    pub fn render(&self, out: &mut String) {
        let f = self.families.lock().expect("metrics lock");
        for (name, kind, _) in FAMILIES {
            match *kind {
                "counter" => {
                    family_head(out, name);
                    for (labels, value) in f.counters.get(name).into_iter().flatten() {
                        sample(out, name, labels, None, &value.to_string());
                    }
                }
                _ => {
                    family_head(out, name);
                    for (labels, h) in f.histograms.get(name).into_iter().flatten() {
                        let mut cumulative = 0;
                        for (n, bound) in BUCKETS.iter().enumerate() {
                            cumulative = h.buckets[n].max(cumulative);
                            sample(out, &format!("{name}_bucket"), labels, Some(&bound.to_string()), &cumulative.to_string());
                        }
                        sample(out, &format!("{name}_bucket"), labels, Some("+Inf"), &h.count.to_string());
                        sample(out, &format!("{name}_sum"), labels, None, &h.sum.to_string());
                        sample(out, &format!("{name}_count"), labels, None, &h.count.to_string());
                    }
                }
            }
        }
    }
}

/// `# HELP` and `# TYPE` of `name`.
pub fn family_head(out: &mut String, name: &str) {
    let (kind, help) = help(name);
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// A gauge's head, for the families read at scrape time.
pub fn gauge_head(out: &mut String, name: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} gauge");
}

/// One sample line: `name{labels,le="…"} value`.
pub fn sample(out: &mut String, name: &str, labels: &[(&'static str, String)], le: Option<&str>, value: &str) {
    out.push_str(name);
    let mut all: Vec<(&str, &str)> = labels.iter().map(|(k, v)| (*k, v.as_str())).collect();
    if let Some(le) = le {
        all.push(("le", le));
    }
    if !all.is_empty() {
        out.push('{');
        for (n, (k, v)) in all.iter().enumerate() {
            if n > 0 {
                out.push(',');
            }
            let _ = write!(out, "{k}=\"{}\"", escape(v));
        }
        out.push('}');
    }
    let _ = writeln!(out, " {value}");
}

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// The operation of a BI call, for a label: its method and its path with every id replaced
/// (`GET /identities/{id}:listGroups`), so there are as many values as BI has operations.
pub fn operation(method: &str, url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or_default();
    let path = match path.split_once("://") {
        Some((_, rest)) => rest.find('/').map(|i| &rest[i..]).unwrap_or("/"),
        None => path,
    };
    // What follows the tenant: names and ids by turns (`realms/{realm}/identities/{id}:listGroups`).
    let rest = match path.split_once("/tenants/") {
        Some((_, after)) => after.split_once('/').map(|(_, r)| r).unwrap_or(""),
        None => path,
    };
    let clean = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .take(40)
            .collect()
    };
    let mut shape = String::new();
    let mut previous = String::new();
    for (n, segment) in rest.split('/').filter(|s| !s.is_empty()).enumerate() {
        let (name, verb) = match segment.split_once(':') {
            Some((a, b)) => (a, Some(b)),
            None => (segment, None),
        };
        shape.push('/');
        if n % 2 == 1 {
            shape.push_str(if previous == "realms" { "{realm}" } else { "{id}" });
        } else {
            previous = clean(name);
            shape.push_str(&previous);
        }
        if let Some(v) = verb {
            shape.push(':');
            shape.push_str(&clean(v));
        }
    }
    format!("{method} {}", if shape.is_empty() { "/" } else { &shape })
}

/// One realm's directory index, as the database has it.
#[derive(Clone, Debug)]
pub struct RealmIndex {
    pub realm: String,
    /// When it was last complete (RFC 3339), if ever.
    pub indexed_at: Option<String>,
    pub identities: i64,
}

/// What the database says when Prometheus asks (`db::metrics_snapshot`).
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    /// (kind, state, how many).
    pub jobs: Vec<(String, String, i64)>,
    /// When the oldest job waiting to run was made (milliseconds since 1970).
    pub oldest_queued_ms: Option<i64>,
    pub realms: Vec<RealmIndex>,
    /// Audit events waiting in the sink's outbox, and when the oldest was written (milliseconds since 1970).
    pub audit_outbox: (i64, Option<i64>),
}

impl Snapshot {
    /// The database's families, in Prometheus's text format; `now_ms` is the time of the scrape.
    pub fn render(&self, out: &mut String, now_ms: i64) {
        gauge_head(out, "console_jobs", "Jobs in the console's queue, by kind and state.");
        for (kind, state, n) in &self.jobs {
            sample(out, "console_jobs", &[("kind", kind.clone()), ("state", state.clone())], None, &n.to_string());
        }
        gauge_head(
            out,
            "console_jobs_oldest_queued_age_seconds",
            "Age of the oldest job waiting to run (0 when none waits).",
        );
        let age = self.oldest_queued_ms.map(|c| (now_ms - c).max(0) as f64 / 1000.0).unwrap_or(0.0);
        sample(out, "console_jobs_oldest_queued_age_seconds", &[], None, &age.to_string());
        gauge_head(out, "console_index_identities", "Identities in a realm's directory index.");
        for r in &self.realms {
            sample(out, "console_index_identities", &[("realm", r.realm.clone())], None, &r.identities.to_string());
        }
        gauge_head(
            out,
            "console_index_age_seconds",
            "Time since a realm's directory index was last complete (absent until it first is).",
        );
        for r in &self.realms {
            let Some(at) = r.indexed_at.as_deref().and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok()) else {
                continue;
            };
            let age = (now_ms - at.timestamp_millis()).max(0) as f64 / 1000.0;
            sample(out, "console_index_age_seconds", &[("realm", r.realm.clone())], None, &age.to_string());
        }
        gauge_head(out, "console_audit_sink_waiting_events", "Audit events written but not yet taken by the sink.");
        sample(out, "console_audit_sink_waiting_events", &[], None, &self.audit_outbox.0.to_string());
        gauge_head(
            out,
            "console_audit_sink_lag_seconds",
            "Age of the oldest audit event not yet taken by the sink (0 when none waits).",
        );
        let lag = self.audit_outbox.1.map_or(0.0, |at| (now_ms - at).max(0) as f64 / 1000.0);
        sample(out, "console_audit_sink_lag_seconds", &[], None, &lag.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bi_operation_is_named_by_its_shape_never_by_its_ids() {
        let op = |m, u| operation(m, u);
        assert_eq!(
            op("GET", "https://api-us.beyondidentity.com/v1/tenants/t1/realms/r9/identities/abc:listGroups?page_size=10"),
            "GET /realms/{realm}/identities/{id}:listGroups"
        );
        assert_eq!(op("GET", "http://127.0.0.1:3000/sandbox/v1/tenants/t1/realms/r9/groups"), "GET /realms/{realm}/groups");
        assert_eq!(
            op("POST", "https://x/v1/tenants/t1/realms/r9/identities/i1/credential-binding-jobs"),
            "POST /realms/{realm}/identities/{id}/credential-binding-jobs"
        );
        assert_eq!(op("GET", "https://x/v1/tenants/t1/realms"), "GET /realms");
    }

    #[test]
    fn counts_and_histograms_are_written_in_prometheus_text_format() {
        let m = Metrics::default();
        m.http_request("/realms/{realm}/identities", "GET", 200, Duration::from_millis(20));
        m.http_request("/realms/{realm}/identities", "GET", 200, Duration::from_millis(700));
        m.sign_in("password", "throttled");
        let mut out = String::new();
        m.render(&mut out);
        assert!(out.contains("# TYPE console_http_requests_total counter\n"), "{out}");
        assert!(out.contains("console_http_requests_total{route=\"/realms/{realm}/identities\",method=\"GET\",status=\"200\"} 2\n"), "{out}");
        assert!(out.contains("console_http_request_duration_seconds_bucket{route=\"/realms/{realm}/identities\",method=\"GET\",le=\"0.025\"} 1\n"), "{out}");
        assert!(out.contains("console_http_request_duration_seconds_bucket{route=\"/realms/{realm}/identities\",method=\"GET\",le=\"+Inf\"} 2\n"), "{out}");
        assert!(out.contains("console_sign_in_throttled_total 1\n"), "{out}");
    }
}
