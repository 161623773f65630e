//! `CONSOLE_AUDIT_SINK` and its companions: where the audit log is sent as it is written (a SIEM), in which format,
//! with which token.

use std::time::Duration;

use super::{err, whole, ConfigError};
use crate::secret::Secret;

/// Where and how the audit log is sent.
#[derive(Debug, Clone)]
pub struct AuditSinkSettings {
    pub target: SinkTarget,
    /// `CONSOLE_AUDIT_SINK_TOKEN`: sent as `Authorization: Bearer …` (JSON lines) or `Authorization: Splunk …` (HEC).
    pub token: Option<Secret>,
    /// `CONSOLE_AUDIT_SINK_TIMEOUT_SECS` (default 10): time limit of one delivery; a sink that takes longer is
    /// tried again later.
    pub timeout: Duration,
    /// `CONSOLE_AUDIT_SINK_CA`: a PEM file of certificates to trust for the sink besides the usual public roots (a
    /// private CA).
    pub ca: Option<std::path::PathBuf>,
}

/// The sink's address and format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SinkTarget {
    /// `https://…` with `CONSOLE_AUDIT_SINK_FORMAT=json` (the default): a POST of JSON lines, one event per line.
    JsonLines(url::Url),
    /// `https://…` with `CONSOLE_AUDIT_SINK_FORMAT=splunk`: Splunk's HTTP Event Collector
    /// (`…/services/collector/event`).
    Splunk(url::Url),
    /// `syslog+tls://host:port` (port 6514 by default) or `syslog+tcp://host:port` (514): RFC 5424 messages over TCP
    /// with octet-counting framing (RFC 6587).
    Syslog { host: String, port: u16, tls: bool },
}

impl SinkTarget {
    /// What log lines and the Audit page call it: its scheme, host and port, never a path or a query (either may
    /// carry a token).
    pub fn label(&self) -> String {
        match self {
            SinkTarget::JsonLines(url) | SinkTarget::Splunk(url) => {
                format!("{}://{}", url.scheme(), url.host_str().unwrap_or_default())
                    + &url.port().map(|p| format!(":{p}")).unwrap_or_default()
            }
            SinkTarget::Syslog { host, port, tls } => {
                format!("syslog+{}://{host}:{port}", if *tls { "tls" } else { "tcp" })
            }
        }
    }
}

const KEY: &str = "CONSOLE_AUDIT_SINK";

/// Whether `host` (as a URL names it) is this machine: plain http is allowed only there (a forwarder beside the
/// console), as the token and the events would cross the network unencrypted.
fn loopback(host: &url::Host<&str>) -> bool {
    match host {
        url::Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
    }
}

impl AuditSinkSettings {
    /// The sink's settings from values already trimmed; `None` without `CONSOLE_AUDIT_SINK`.
    pub fn from_lookup(get: &impl Fn(&str) -> Option<String>) -> Result<Option<AuditSinkSettings>, ConfigError> {
        let Some(raw) = get(KEY) else {
            for companion in ["CONSOLE_AUDIT_SINK_FORMAT", "CONSOLE_AUDIT_SINK_TOKEN"] {
                if get(companion).is_some() {
                    return Err(err(KEY, format!("is missing, and {companion} is set: where should events go?")));
                }
            }
            return Ok(None);
        };
        let url = url::Url::parse(&raw).map_err(|e| err(KEY, format!("is not a valid URL ({e})")))?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(err(KEY, "must not hold credentials (use CONSOLE_AUDIT_SINK_TOKEN)"));
        }
        let Some(host) = url.host() else {
            return Err(err(KEY, "must name a host"));
        };
        let format = get("CONSOLE_AUDIT_SINK_FORMAT");
        let target = match url.scheme() {
            "https" | "http" => {
                if url.scheme() == "http" && !loopback(&host) {
                    return Err(err(KEY, "must start with https:// (http:// only to this machine, e.g. a local forwarder)"));
                }
                match format.as_deref() {
                    None | Some("json") => SinkTarget::JsonLines(url),
                    Some("splunk") => SinkTarget::Splunk(url),
                    Some(other) => {
                        return Err(err("CONSOLE_AUDIT_SINK_FORMAT", format!("is '{other}'; expected json or splunk")))
                    }
                }
            }
            scheme @ ("syslog+tls" | "syslog+tcp") => {
                if format.is_some() {
                    return Err(err("CONSOLE_AUDIT_SINK_FORMAT", "is for https:// sinks; a syslog sink sends RFC 5424"));
                }
                if !matches!(url.path(), "" | "/") || url.query().is_some() {
                    return Err(err(KEY, "a syslog sink is a host and a port, like syslog+tls://siem.example.com:6514"));
                }
                let tls = scheme == "syslog+tls";
                SinkTarget::Syslog {
                    host: host.to_string().trim_start_matches('[').trim_end_matches(']').to_string(),
                    port: url.port().unwrap_or(if tls { 6514 } else { 514 }),
                    tls,
                }
            }
            _ => return Err(err(KEY, "must start with https://, syslog+tls:// or syslog+tcp://")),
        };
        let token = get("CONSOLE_AUDIT_SINK_TOKEN").map(Secret::new);
        if token.is_some() && matches!(target, SinkTarget::Syslog { .. }) {
            return Err(err("CONSOLE_AUDIT_SINK_TOKEN", "is for https:// sinks; syslog has no token"));
        }
        let timeout = whole(
            "CONSOLE_AUDIT_SINK_TIMEOUT_SECS",
            get("CONSOLE_AUDIT_SINK_TIMEOUT_SECS"),
            1..=120,
            "a whole number of seconds",
        )?
        .map_or(Duration::from_secs(10), Duration::from_secs);
        let ca = get("CONSOLE_AUDIT_SINK_CA").map(std::path::PathBuf::from);
        if ca.is_some() && matches!(target, SinkTarget::Syslog { tls: false, .. }) {
            return Err(err("CONSOLE_AUDIT_SINK_CA", "is for https:// and syslog+tls:// sinks"));
        }
        Ok(Some(AuditSinkSettings { target, token, timeout, ca }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(vars: &[(&str, &str)]) -> Result<Option<AuditSinkSettings>, ConfigError> {
        let vars: Vec<(String, String)> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        AuditSinkSettings::from_lookup(&|key: &str| vars.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()))
    }

    #[test]
    fn the_sink_is_read_from_its_url_and_format() {
        assert!(read(&[]).unwrap().is_none());
        let s = read(&[("CONSOLE_AUDIT_SINK", "https://siem.example.com/hook?k=1")]).unwrap().unwrap();
        assert!(matches!(&s.target, SinkTarget::JsonLines(u) if u.as_str() == "https://siem.example.com/hook?k=1"));
        assert_eq!((s.target.label(), s.timeout), ("https://siem.example.com".into(), Duration::from_secs(10)));
        let s = read(&[
            ("CONSOLE_AUDIT_SINK", "https://splunk.example.com:8088/services/collector/event"),
            ("CONSOLE_AUDIT_SINK_FORMAT", "splunk"),
            ("CONSOLE_AUDIT_SINK_TOKEN", "hec-token"),
            ("CONSOLE_AUDIT_SINK_TIMEOUT_SECS", "3"),
        ])
        .unwrap()
        .unwrap();
        assert!(matches!(s.target, SinkTarget::Splunk(_)));
        assert_eq!((s.target.label(), s.timeout), ("https://splunk.example.com:8088".into(), Duration::from_secs(3)));
        assert!(!format!("{s:?}").contains("hec-token"));
        let s = read(&[("CONSOLE_AUDIT_SINK", "syslog+tls://siem.example.com")]).unwrap().unwrap();
        assert_eq!(s.target, SinkTarget::Syslog { host: "siem.example.com".into(), port: 6514, tls: true });
        let s = read(&[("CONSOLE_AUDIT_SINK", "syslog+tcp://[::1]:1514")]).unwrap().unwrap();
        assert_eq!(s.target, SinkTarget::Syslog { host: "::1".into(), port: 1514, tls: false });
        let s = read(&[("CONSOLE_AUDIT_SINK", "http://127.0.0.1:9000/events")]).unwrap().unwrap();
        assert!(matches!(s.target, SinkTarget::JsonLines(_)));
    }

    #[test]
    fn a_wrong_sink_is_named_with_what_is_wrong() {
        for (vars, key, problem) in [
            (&[("CONSOLE_AUDIT_SINK", "http://siem.example.com/hook")][..], KEY, "must start with https://"),
            (&[("CONSOLE_AUDIT_SINK", "ftp://siem.example.com")][..], KEY, "must start with https://, syslog"),
            (&[("CONSOLE_AUDIT_SINK", "https://u:p@siem.example.com")][..], KEY, "must not hold credentials"),
            (&[("CONSOLE_AUDIT_SINK", "siem")][..], KEY, "is not a valid URL"),
            (&[("CONSOLE_AUDIT_SINK_TOKEN", "t")][..], KEY, "is missing"),
            (
                &[("CONSOLE_AUDIT_SINK", "https://siem.example.com"), ("CONSOLE_AUDIT_SINK_FORMAT", "cef")][..],
                "CONSOLE_AUDIT_SINK_FORMAT",
                "expected json or splunk",
            ),
            (
                &[("CONSOLE_AUDIT_SINK", "syslog+tcp://siem:514"), ("CONSOLE_AUDIT_SINK_TOKEN", "t")][..],
                "CONSOLE_AUDIT_SINK_TOKEN",
                "syslog has no token",
            ),
            (
                &[("CONSOLE_AUDIT_SINK", "https://siem.example.com"), ("CONSOLE_AUDIT_SINK_TIMEOUT_SECS", "0")][..],
                "CONSOLE_AUDIT_SINK_TIMEOUT_SECS",
                "from 1 to 120",
            ),
        ] {
            let e = read(vars).unwrap_err();
            assert_eq!(e.key, key, "{vars:?}");
            assert!(e.problem.contains(problem), "{vars:?}: {}", e.problem);
        }
    }
}
