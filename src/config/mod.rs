//! Settings from the environment (and an optional `.env` file): typed, validated once at start-up, failing fast with
//! the name of the key that is missing or wrong. Secrets are held as [`Secret`] so no log line can print them.

use std::path::PathBuf;
use std::time::Duration;

use crate::bi::{ClientAuth, ClientConfig};
use crate::secret::Secret;

mod access;
mod audit_sink;
pub use audit_sink::{AuditSinkSettings, SinkTarget};
pub use access::AccessSettings;

/// A configuration problem, naming the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("configuration: {key} {problem}")]
pub struct ConfigError {
    pub key: &'static str,
    pub problem: String,
}

/// `raw` parsed as an http(s) URL with a host, or the error naming `key`.
fn http_url(key: &'static str, raw: &str) -> Result<url::Url, ConfigError> {
    let url =
        url::Url::parse(raw.trim()).map_err(|e| err(key, format!("is not a valid URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(err(key, "must start with https:// or http://"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(err(key, "must name a host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(err(key, "must not hold credentials"));
    }
    Ok(url)
}

/// `raw` (the value of `key`, when set) as a whole number in `range`; `what` is how the error names it ("a whole
/// number of seconds").
fn whole(
    key: &'static str,
    raw: Option<String>,
    range: std::ops::RangeInclusive<u64>,
    what: &str,
) -> Result<Option<u64>, ConfigError> {
    raw.map(|v| match v.parse::<u64>() {
        Ok(n) if range.contains(&n) => Ok(n),
        _ => Err(err(
            key,
            format!("must be {what} from {} to {}", range.start(), range.end()),
        )),
    })
    .transpose()
}

fn err(key: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError {
        key,
        problem: problem.into(),
    }
}

#[derive(Debug, Clone)]
pub struct Settings {
    /// Where the sandbox database and its credentials file live (and the console's database by default).
    pub data_dir: PathBuf,
    /// `CONSOLE_DATABASE_URL`: the console's database, `sqlite://…` (default: `console.db` in the data directory)
    /// or `postgres://…` (several replicas share it). A secret: a PostgreSQL URL may hold a password.
    pub database_url: Secret,
    /// Time limit of every BI call.
    pub timeout: Duration,
    /// `BI_ACTION_DEADLINE_SECS`: time limit of everything one request does at BI, retries and waits included.
    pub action_deadline: Duration,
    /// `SANDBOX_FAULTS`, e.g. `rate=0.3,latency_ms=20,retry_after=1`: faults the sandbox injects (off by default).
    pub sandbox_faults: crate::sandbox::faults::Faults,
    /// `SANDBOX_SEED=large` / `xlarge`: also seed "Acme Scale" (100,000 identities) / "Acme Million" (1,000,000),
    /// each with 5,000 groups, if it is not there.
    pub sandbox_scale: Option<crate::sandbox::seed::Scale>,
    /// The directory index: `None` when `CONSOLE_INDEX=off`; otherwise how long an index is used before a search
    /// refreshes it in the background (`CONSOLE_INDEX_REFRESH_SECS`, default 600).
    pub index: Option<Duration>,
    /// `CONSOLE_JOB_LEASE_SECS` (default 30): how long a process holds a background job (an import's apply) without
    /// renewing it; a job whose process died is taken over by another this long after its last renewal.
    pub job_lease: Duration,
    /// `CONSOLE_IMPORT_MAX_BYTES` (default 20 MB) and `CONSOLE_IMPORT_MAX_ROWS` (default 100,000).
    pub import: crate::transfer::Limits,
    /// `CONSOLE_METRICS_ADDR`, e.g. `127.0.0.1:9464`: where `/metrics` is served (a listener of its own, never the
    /// console's port). None: no metrics endpoint.
    pub metrics_addr: Option<std::net::SocketAddr>,
    /// `CONSOLE_AUDIT_RETENTION_DAYS`: audit entries older than this many days are forgotten by the hourly sweep.
    /// None (the default): kept.
    pub audit_retention: Option<Duration>,
    /// `CONSOLE_AUDIT_SINK` and its companions: where every audit event is sent as it is written. None: kept here
    /// only.
    pub audit_sink: Option<AuditSinkSettings>,
    pub mode: Mode,
    pub access: AccessSettings,
}

#[derive(Debug, Clone)]
pub enum Mode {
    /// No BI settings: the embedded sandbox serves the API and the console calls it over loopback HTTP.
    Sandbox {
        /// `SANDBOX_TOKEN`: a fixed API token; otherwise one is generated at first start and kept in the data dir.
        token: Option<Secret>,
    },
    /// A real BI tenant.
    Bi(BiSettings),
}

#[derive(Debug, Clone)]
pub struct BiSettings {
    /// e.g. `https://api-us.beyondidentity.com`
    pub api_base: String,
    /// e.g. `https://auth-us.beyondidentity.com`
    pub auth_base: String,
    /// What the top bar shows: the region, or the API host for an explicit base URL.
    pub label: String,
    pub tenant_id: String,
    pub realm_id: String,
    pub auth: BiAuth,
}

#[derive(Debug, Clone)]
pub enum BiAuth {
    Token(Secret),
    ClientCredentials {
        client_id: String,
        client_secret: Secret,
        application_id: String,
        application_realm_id: String,
    },
}

pub use crate::bi::hosts::region_hosts;

/// The keys whose presence switches the console from the sandbox to a real BI tenant.
pub const BI_KEYS: [&str; 6] = [
    "BI_REGION",
    "BI_API_BASE_URL",
    "BI_TENANT_ID",
    "BI_REALM_ID",
    "BI_API_TOKEN",
    "BI_CLIENT_ID",
];

impl Settings {
    /// Reads the process environment, after loading `.env` from the working directory when there is one
    /// (unless `CONSOLE_DOTENV=0`). Variables already set win over `.env`.
    pub fn from_env() -> Result<Settings, ConfigError> {
        if std::env::var("CONSOLE_DOTENV").as_deref() != Ok("0") {
            let _ = dotenvy::dotenv();
        }
        Settings::from_lookup(|key| std::env::var(key).ok())
    }

    /// Reads settings through `get` (the environment, or a map in tests). Empty values count as absent.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Settings, ConfigError> {
        let get = |key: &str| {
            get(key)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };

        let data_dir = PathBuf::from(get("CONSOLE_DATA_DIR").unwrap_or_else(|| "data".to_string()));
        let database_url = match get("CONSOLE_DATABASE_URL") {
            None => crate::db::default_url(&data_dir),
            Some(url) if crate::db::Backend::of_url(&url).is_some() => url,
            Some(_) => {
                return Err(err(
                    "CONSOLE_DATABASE_URL",
                    "must start with sqlite:// or postgres:// (the value is not shown: it may hold a password)",
                ))
            }
        };
        let database_url = Secret::new(database_url);
        let seconds = |key: &'static str, range| whole(key, get(key), range, "a whole number of seconds");
        let timeout = seconds("BI_TIMEOUT_SECS", 1..=300)?.map_or(Duration::from_secs(15), Duration::from_secs);
        let action_deadline = seconds("BI_ACTION_DEADLINE_SECS", 1..=600)?
            .map_or(Duration::from_secs(30).max(timeout), Duration::from_secs);
        let sandbox_faults = match get("SANDBOX_FAULTS") {
            None => crate::sandbox::faults::Faults::default(),
            Some(spec) => crate::sandbox::faults::Faults::parse(&spec)
                .map_err(|problem| err("SANDBOX_FAULTS", problem))?,
        };
        let sandbox_scale = match get("SANDBOX_SEED").as_deref() {
            None | Some("demo") => None,
            Some(other) => match crate::sandbox::seed::Scale::parse(other) {
                Some(scale) => Some(scale),
                None => {
                    return Err(err(
                        "SANDBOX_SEED",
                        format!("is '{other}'; expected demo, large or xlarge"),
                    ))
                }
            },
        };
        let index = match get("CONSOLE_INDEX").as_deref() {
            Some("off") => None,
            None | Some("on") => Some(
                seconds("CONSOLE_INDEX_REFRESH_SECS", 10..=86_400)?
                    .map_or(Duration::from_secs(600), Duration::from_secs),
            ),
            Some(other) => return Err(err("CONSOLE_INDEX", format!("is '{other}'; expected on or off"))),
        };
        let job_lease = seconds("CONSOLE_JOB_LEASE_SECS", 3..=600)?.map_or(Duration::from_secs(30), Duration::from_secs);
        let access = AccessSettings::from_lookup(&get)?;
        let import = {
            let default = crate::transfer::Limits::default();
            let bound = |key: &'static str, default: usize| match get(key) {
                None => Ok(default),
                Some(v) => v
                    .trim()
                    .parse::<usize>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| err(key, "must be a whole number above 0")),
            };
            crate::transfer::Limits {
                max_bytes: bound("CONSOLE_IMPORT_MAX_BYTES", default.max_bytes)?,
                max_rows: bound("CONSOLE_IMPORT_MAX_ROWS", default.max_rows)?,
            }
        };
        let mode = if BI_KEYS.iter().any(|k| get(k).is_some()) {
            Mode::Bi(BiSettings::from_lookup(&get)?)
        } else {
            Mode::Sandbox {
                token: get("SANDBOX_TOKEN").map(Secret::new),
            }
        };
        let audit_retention = whole("CONSOLE_AUDIT_RETENTION_DAYS", get("CONSOLE_AUDIT_RETENTION_DAYS"), 1..=36_500, "a whole number of days")?
            .map(|days| Duration::from_secs(days * 86_400));
        let metrics_addr = get("CONSOLE_METRICS_ADDR")
            .map(|v| {
                v.parse::<std::net::SocketAddr>()
                    .map_err(|_| err("CONSOLE_METRICS_ADDR", "must be an address and port, like 127.0.0.1:9464"))
            })
            .transpose()?;
        let audit_sink = AuditSinkSettings::from_lookup(&get)?;
        Ok(Settings {
            data_dir,
            database_url,
            timeout,
            action_deadline,
            sandbox_faults,
            sandbox_scale,
            index,
            job_lease,
            import,
            metrics_addr,
            audit_retention,
            audit_sink,
            access,
            mode,
        })
    }
}

impl BiSettings {
    /// The tenant's settings (`BI_REGION` or `BI_API_BASE_URL`, `BI_TENANT_ID`, `BI_REALM_ID`, and a token or
    /// client credentials), from values already trimmed.
    fn from_lookup(get: &impl Fn(&str) -> Option<String>) -> Result<BiSettings, ConfigError> {
        let (api_base, auth_base, label) = match (get("BI_API_BASE_URL"), get("BI_REGION")) {
            (Some(base), _) => {
                let parsed = http_url("BI_API_BASE_URL", &base)?;
                let base = base.trim_end_matches('/').to_string();
                let host = parsed
                    .host_str()
                    .map(|h| match parsed.port() {
                        Some(p) => format!("{h}:{p}"),
                        None => h.to_string(),
                    })
                    .unwrap_or_default();
                let auth = match get("BI_AUTH_BASE_URL") {
                    Some(a) => {
                        http_url("BI_AUTH_BASE_URL", &a)?;
                        a.trim_end_matches('/').to_string()
                    }
                    None => base.replacen("://api", "://auth", 1),
                };
                (base, auth, host)
            }
            (None, Some(region)) => {
                let (api, auth) = region_hosts(&region).ok_or_else(|| {
                    err(
                        "BI_REGION",
                        format!("is '{region}'; expected us, eu or us1-gov"),
                    )
                })?;
                let auth = get("BI_AUTH_BASE_URL").unwrap_or_else(|| auth.to_string());
                (api.to_string(), auth, region)
            }
            (None, None) => {
                return Err(err(
                    "BI_REGION",
                    "is missing (us, eu or us1-gov), or set BI_API_BASE_URL",
                ))
            }
        };
        let tenant_id = get("BI_TENANT_ID").ok_or_else(|| err("BI_TENANT_ID", "is missing"))?;
        let realm_id = get("BI_REALM_ID")
            .ok_or_else(|| err("BI_REALM_ID", "is missing (the realm the console opens)"))?;

        let auth = match (get("BI_API_TOKEN"), get("BI_CLIENT_ID")) {
            (Some(_), Some(_)) => {
                return Err(err(
                    "BI_API_TOKEN",
                    "and BI_CLIENT_ID are both set; set only one way to authenticate",
                ))
            }
            (Some(token), None) => BiAuth::Token(Secret::new(token)),
            (None, Some(client_id)) => BiAuth::ClientCredentials {
                client_id,
                client_secret: Secret::new(get("BI_CLIENT_SECRET").ok_or_else(|| {
                    err("BI_CLIENT_SECRET", "is missing (needed with BI_CLIENT_ID)")
                })?),
                application_id: get("BI_APPLICATION_ID").ok_or_else(|| {
                    err("BI_APPLICATION_ID", "is missing (needed with BI_CLIENT_ID)")
                })?,
                application_realm_id: get("BI_APPLICATION_REALM_ID")
                    .unwrap_or_else(|| realm_id.clone()),
            },
            (None, None) => {
                return Err(err(
                    "BI_API_TOKEN",
                    "is missing (or set BI_CLIENT_ID and BI_CLIENT_SECRET)",
                ))
            }
        };
        Ok(BiSettings {
            api_base,
            auth_base,
            label,
            tenant_id,
            realm_id,
            auth,
        })
    }

    /// The client configuration for this tenant.
    pub fn client_config(&self, timeout: Duration) -> ClientConfig {
        let auth = match &self.auth {
            BiAuth::Token(t) => ClientAuth::Token(t.clone()),
            BiAuth::ClientCredentials {
                client_id,
                client_secret,
                application_id,
                application_realm_id,
            } => ClientAuth::ClientCredentials {
                token_url: crate::bi::hosts::token_url(
                    &self.auth_base,
                    &self.tenant_id,
                    application_realm_id,
                    application_id,
                ),
                client_id: client_id.clone(),
                client_secret: client_secret.clone(),
            },
        };
        ClientConfig {
            api_base: self.api_base.clone(),
            tenant_id: self.tenant_id.clone(),
            auth,
            timeout,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn urls_are_parsed_not_pattern_matched() {
        let origin =
            |v: &str| settings(&[("CONSOLE_PUBLIC_URL", v)]).map(|s| s.access.public_origin);
        assert_eq!(
            origin("https://Console.Example.com/").unwrap().as_deref(),
            Some("https://console.example.com")
        );
        assert_eq!(
            origin("http://10.0.0.5:8080").unwrap().as_deref(),
            Some("http://10.0.0.5:8080")
        );
        for bad in [
            "console.example.com",
            "ftp://x.example",
            "https://x.example/app",
            "https://u:p@x.example",
            "https://",
        ] {
            assert_eq!(origin(bad).unwrap_err().key, "CONSOLE_PUBLIC_URL", "{bad}");
        }
        let base = |v: &str| {
            settings(&[
                ("BI_API_BASE_URL", v),
                ("BI_TENANT_ID", "t"),
                ("BI_REALM_ID", "r"),
                ("BI_API_TOKEN", "x"),
            ])
        };
        assert!(base("https://proxy.example:8443").is_ok());
        assert_eq!(
            base("https//proxy.example").unwrap_err().key,
            "BI_API_BASE_URL"
        );
    }

    #[test]
    fn nothing_set_means_sandbox() {
        let s = settings(&[]).unwrap();
        assert!(matches!(s.mode, Mode::Sandbox { token: None }));
        assert_eq!(s.data_dir, PathBuf::from("data"));
    }

    #[test]
    fn region_and_token_mean_bi() {
        let s = settings(&[
            ("BI_REGION", "eu"),
            ("BI_TENANT_ID", "t1"),
            ("BI_REALM_ID", "r1"),
            ("BI_API_TOKEN", "tok"),
        ])
        .unwrap();
        let Mode::Bi(bi) = s.mode else {
            panic!("expected BI mode")
        };
        assert_eq!(bi.api_base, "https://api-eu.beyondidentity.com");
        assert_eq!(bi.label, "eu");
        assert!(format!("{bi:?}").contains("***"));
        assert!(!format!("{bi:?}").contains("tok\""));
    }

    #[test]
    fn missing_keys_are_named() {
        let e = settings(&[("BI_TENANT_ID", "t1")]).unwrap_err();
        assert_eq!(e.key, "BI_REGION");
        let e = settings(&[("BI_REGION", "us"), ("BI_TENANT_ID", "t")]).unwrap_err();
        assert_eq!(e.key, "BI_REALM_ID");
        let e = settings(&[
            ("BI_REGION", "us"),
            ("BI_TENANT_ID", "t"),
            ("BI_REALM_ID", "r"),
        ])
        .unwrap_err();
        assert_eq!(e.key, "BI_API_TOKEN");
        let e = settings(&[
            ("BI_REGION", "us"),
            ("BI_TENANT_ID", "t"),
            ("BI_REALM_ID", "r"),
            ("BI_CLIENT_ID", "c"),
        ])
        .unwrap_err();
        assert_eq!(e.key, "BI_CLIENT_SECRET");
        let e = settings(&[("BI_REGION", "mars"), ("BI_TENANT_ID", "t")]).unwrap_err();
        assert_eq!(e.key, "BI_REGION");
        assert!(e.to_string().contains("mars"));
        let e = settings(&[("BI_TIMEOUT_SECS", "soon")]).unwrap_err();
        assert_eq!(e.key, "BI_TIMEOUT_SECS");
    }

    #[test]
    fn numbers_have_defaults_and_bounds_named_on_their_key() {
        let s = settings(&[]).unwrap();
        let secs = Duration::from_secs;
        assert_eq!((s.timeout, s.action_deadline, s.index), (secs(15), secs(30), Some(secs(600))));
        assert_eq!((s.access.idle, s.access.absolute), (secs(15 * 60), secs(24 * 3600)));
        let s = settings(&[
            ("BI_TIMEOUT_SECS", "60"),
            ("CONSOLE_INDEX_REFRESH_SECS", "10"),
            ("CONSOLE_SESSION_IDLE_MINUTES", "5"),
        ])
        .unwrap();
        // The deadline is never shorter than one call's time limit.
        assert_eq!((s.timeout, s.action_deadline, s.index), (secs(60), secs(60), Some(secs(10))));
        assert_eq!(s.access.idle, secs(5 * 60));
        let defaults = settings(&[]).unwrap();
        assert_eq!((defaults.access.step_up, defaults.access.passkey_required), (secs(600), false));
        let s = settings(&[("CONSOLE_STEP_UP_SECS", "60"), ("CONSOLE_LOCAL_PASSKEY", "required")]).unwrap();
        assert_eq!((s.access.step_up, s.access.passkey_required), (secs(60), true));
        for (key, value, problem) in [
            ("BI_TIMEOUT_SECS", "301", "must be a whole number of seconds from 1 to 300"),
            ("BI_ACTION_DEADLINE_SECS", "0", "must be a whole number of seconds from 1 to 600"),
            ("CONSOLE_INDEX_REFRESH_SECS", "9", "must be a whole number of seconds from 10 to 86400"),
            ("CONSOLE_SESSION_MAX_HOURS", "721", "must be a whole number from 1 to 720"),
            ("CONSOLE_SESSION_IDLE_MINUTES", "-1", "must be a whole number from 1 to 1440"),
            ("CONSOLE_STEP_UP_SECS", "0", "must be a whole number from 1 to 86400"),
            ("CONSOLE_LOCAL_PASSKEY", "yes", "must be optional or required"),
            ("CONSOLE_METRICS_ADDR", "9464", "must be an address and port, like 127.0.0.1:9464"),
            ("CONSOLE_AUDIT_RETENTION_DAYS", "0", "must be a whole number of days from 1 to 36500"),
        ] {
            let e = settings(&[(key, value)]).unwrap_err();
            assert_eq!((e.key, e.problem.as_str()), (key, problem));
        }
    }

    #[test]
    fn sign_in_settings_are_checked() {
        let s = settings(&[]).unwrap();
        assert!(s.access.oidc.enabled && s.access.oidc.passwords && s.access.oidc.client.is_none());
        assert_eq!(s.access.oidc.recheck, Duration::from_secs(300));
        for (vars, key, problem) in [
            (
                &[("CONSOLE_PASSWORD_SIGN_IN", "off"), ("CONSOLE_OIDC", "off")][..],
                "CONSOLE_PASSWORD_SIGN_IN",
                "is off while CONSOLE_OIDC is off: no one could sign in",
            ),
            (
                &[("CONSOLE_OIDC_ISSUER", "https://idp.example.com/x")][..],
                "CONSOLE_OIDC_CLIENT_ID",
                "is missing (the issuer, client id and client secret go together)",
            ),
            (&[("CONSOLE_OIDC_ROLES", "root=Admins")][..], "CONSOLE_OIDC_ROLES", ""),
            (&[("CONSOLE_OIDC", "maybe")][..], "CONSOLE_OIDC", "must be on or off"),
        ] {
            let e = settings(vars).unwrap_err();
            assert_eq!(e.key, key);
            assert!(e.problem.contains(problem), "{}", e.problem);
        }
        let s = settings(&[
            ("CONSOLE_OIDC_ISSUER", "https://auth-us.beyondidentity.com/v1/tenants/t/realms/r/applications/a/"),
            ("CONSOLE_OIDC_CLIENT_ID", "c1"),
            ("CONSOLE_OIDC_CLIENT_SECRET", "s1"),
        ])
        .unwrap();
        let (issuer, id, secret) = s.access.oidc.client.unwrap();
        assert_eq!(issuer, "https://auth-us.beyondidentity.com/v1/tenants/t/realms/r/applications/a");
        assert_eq!((id.as_str(), format!("{secret:?}").contains("s1")), ("c1", false));
    }

    #[test]
    fn client_credentials_build_the_token_url() {
        let s = settings(&[
            ("BI_REGION", "us"),
            ("BI_TENANT_ID", "t1"),
            ("BI_REALM_ID", "r1"),
            ("BI_CLIENT_ID", "cid"),
            ("BI_CLIENT_SECRET", "shh"),
            ("BI_APPLICATION_ID", "app"),
            ("BI_APPLICATION_REALM_ID", "admin"),
        ])
        .unwrap();
        let Mode::Bi(bi) = s.mode else {
            panic!("expected BI mode")
        };
        let cfg = bi.client_config(Duration::from_secs(5));
        let ClientAuth::ClientCredentials { token_url, .. } = cfg.auth else {
            panic!("expected client credentials")
        };
        assert_eq!(
            token_url,
            "https://auth-us.beyondidentity.com/v1/tenants/t1/realms/admin/applications/app/token"
        );
    }
}
