//! Who may sign in and how sessions behave: the `CONSOLE_OPERATORS`, session and origin settings.

use std::time::Duration;

use super::{err, http_url, whole, ConfigError};
use crate::auth::sessions::SessionBackend;
use crate::secret::Secret;

/// Who may sign in, and how sessions behave.
#[derive(Debug, Clone)]
pub struct AccessSettings {
    /// `CONSOLE_OPERATORS`: `username:role:argon2-hash` entries separated by spaces or newlines.
    pub operators: Vec<crate::auth::OperatorRecord>,
    pub store: SessionBackend,
    /// `CONSOLE_SESSION_IDLE_MINUTES` (default 15, as BI's own console): a session unused this long ends.
    pub idle: Duration,
    /// `CONSOLE_SESSION_MAX_HOURS` (default 24, as BI's own console): a session ends this long after sign-in, used
    /// or not.
    pub absolute: Duration,
    /// `CONSOLE_STEP_UP_SECS` (default 600): a consequential write (deleting identities or groups, suspending or
    /// deleting many at once, an import that suspends or removes members, revoking a passkey) asks the operator to
    /// confirm it is them when their last authentication is older than this (1 to 86,400).
    pub step_up: Duration,
    /// `CONSOLE_LOCAL_PASSKEY=required`: local operators sign in with their password and then a passkey; one
    /// without a passkey registers one before anything else. Default `optional`: those who registered one are
    /// asked for it.
    pub passkey_required: bool,
    /// `CONSOLE_COOKIE_SECURE`: send the session cookie only over https. Default: on when `CONSOLE_PUBLIC_URL` is
    /// https.
    pub cookie_secure: bool,
    /// `CONSOLE_PUBLIC_URL`, e.g. `https://console.example.com`: the origin browsers use. State-changing requests
    /// from any other origin are refused. Without it, the request's own Host is the console's origin.
    pub public_origin: Option<String>,
    /// `CONSOLE_ALLOWED_HOSTS`: host names (besides loopback and the public URL's) requests may name, separated by
    /// spaces or commas. Any other Host is refused (a DNS-rebinding page cannot reach a console on 127.0.0.1).
    pub allowed_hosts: Vec<String>,
    /// `CONSOLE_PROTECTED_GROUPS`: groups (ids or names, separated by commas or newlines) whose membership and
    /// settings only an admin may change, e.g. the administrators group of BI's admin realm.
    pub protected_groups: Vec<String>,
    /// `CONSOLE_TRUSTED_PROXIES`: the proxies in front of the console (addresses or networks, separated by spaces,
    /// commas or newlines). A request from one of them is from the right-most address of `X-Forwarded-For` (or
    /// `Forwarded`) that is not one of them; any other request's headers are ignored. Empty: the TCP peer.
    pub trusted_proxies: crate::auth::client_addr::TrustedProxies,
    /// Signing in with Beyond Identity.
    pub oidc: OidcSettings,
}

/// Signing in with Beyond Identity (OpenID Connect).
#[derive(Debug, Clone)]
pub struct OidcSettings {
    /// `CONSOLE_OIDC_ISSUER`, `CONSOLE_OIDC_CLIENT_ID` and `CONSOLE_OIDC_CLIENT_SECRET` (all three, or none): the
    /// console's OIDC application at BI. None: on the sandbox, the console registers itself there; on BI, only
    /// operators' passwords.
    pub client: Option<(String, String, Secret)>,
    /// `CONSOLE_OIDC_ROLES` (default [`crate::auth::bi::DEFAULT_ROLES`]): which BI groups give which role.
    pub roles: Vec<crate::auth::bi::RoleMapping>,
    /// `CONSOLE_OIDC_RECHECK_SECS` (default 300): how often a BI operator's role is asked again.
    pub recheck: Duration,
    /// `CONSOLE_OIDC=off`: no sign-in with Beyond Identity, even on the sandbox.
    pub enabled: bool,
    /// `CONSOLE_PASSWORD_SIGN_IN=off`: operators sign in with Beyond Identity only (no password is checked).
    pub passwords: bool,
}

impl AccessSettings {
    pub(super) fn from_lookup(
        get: &impl Fn(&str) -> Option<String>,
    ) -> Result<AccessSettings, ConfigError> {
        let operators = match get("CONSOLE_OPERATORS") {
            None => Vec::new(),
            Some(list) => crate::auth::parse_operators(&list)
                .map_err(|problem| err("CONSOLE_OPERATORS", problem))?,
        };
        let store = match get("CONSOLE_SESSION_STORE").as_deref() {
            None | Some("database" | "sqlite") => SessionBackend::Database,
            Some("redis") => {
                SessionBackend::Redis(Secret::new(get("CONSOLE_REDIS_URL").ok_or_else(|| {
                    err(
                        "CONSOLE_REDIS_URL",
                        "is missing (needed with CONSOLE_SESSION_STORE=redis)",
                    )
                })?))
            }
            Some(other) => {
                return Err(err(
                    "CONSOLE_SESSION_STORE",
                    format!("is '{other}'; expected database or redis"),
                ))
            }
        };
        let number = |key: &'static str, default: u64, max: u64| {
            whole(key, get(key), 1..=max, "a whole number").map(|n| n.unwrap_or(default))
        };
        let idle = Duration::from_secs(60 * number("CONSOLE_SESSION_IDLE_MINUTES", 15, 24 * 60)?);
        let absolute =
            Duration::from_secs(3600 * number("CONSOLE_SESSION_MAX_HOURS", 24, 24 * 30)?);
        let step_up = Duration::from_secs(
            whole("CONSOLE_STEP_UP_SECS", get("CONSOLE_STEP_UP_SECS"), 1..=86_400, "a whole number")?.unwrap_or(600),
        );
        let passkey_required = match get("CONSOLE_LOCAL_PASSKEY").as_deref() {
            None | Some("optional") => false,
            Some("required") => true,
            Some(_) => return Err(err("CONSOLE_LOCAL_PASSKEY", "must be optional or required")),
        };
        let public_origin = match get("CONSOLE_PUBLIC_URL") {
            None => None,
            Some(raw) => {
                let url = http_url("CONSOLE_PUBLIC_URL", &raw)?;
                if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
                    return Err(err(
                        "CONSOLE_PUBLIC_URL",
                        "must be an origin like https://console.example.com (no path)",
                    ));
                }
                Some(url.origin().ascii_serialization())
            }
        };
        let cookie_secure = match get("CONSOLE_COOKIE_SECURE").as_deref() {
            None => public_origin
                .as_deref()
                .is_some_and(|o| o.starts_with("https://")),
            Some("true" | "1") => true,
            Some("false" | "0") => false,
            Some(_) => return Err(err("CONSOLE_COOKIE_SECURE", "must be true or false")),
        };
        let allowed_hosts = get("CONSOLE_ALLOWED_HOSTS")
            .map(|v| {
                v.split([' ', ',', '\n'])
                    .map(str::trim)
                    .filter(|h| !h.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        let protected_groups = get("CONSOLE_PROTECTED_GROUPS")
            .map(|v| {
                v.split([',', '\n'])
                    .map(str::trim)
                    .filter(|g| !g.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        let trusted_proxies = crate::auth::client_addr::TrustedProxies::parse(
            &get("CONSOLE_TRUSTED_PROXIES").unwrap_or_default(),
        )
        .map_err(|problem| err("CONSOLE_TRUSTED_PROXIES", problem))?;
        let oidc = oidc_settings(get)?;
        Ok(AccessSettings {
            oidc,
            trusted_proxies,
            operators,
            protected_groups,
            store,
            idle,
            absolute,
            step_up,
            passkey_required,
            cookie_secure,
            public_origin,
            allowed_hosts,
        })
    }
}

fn oidc_settings(get: &impl Fn(&str) -> Option<String>) -> Result<OidcSettings, ConfigError> {
    let enabled = match get("CONSOLE_OIDC").as_deref() {
        None | Some("on" | "true" | "1") => true,
        Some("off" | "false" | "0") => false,
        Some(_) => return Err(err("CONSOLE_OIDC", "must be on or off")),
    };
    let client = match (
        get("CONSOLE_OIDC_ISSUER"),
        get("CONSOLE_OIDC_CLIENT_ID"),
        get("CONSOLE_OIDC_CLIENT_SECRET"),
    ) {
        (None, None, None) => None,
        (Some(issuer), Some(id), Some(secret)) => {
            let url = http_url("CONSOLE_OIDC_ISSUER", &issuer)?;
            Some((url.as_str().trim_end_matches('/').to_string(), id, Secret::new(secret)))
        }
        (issuer, id, _) => {
            let missing = if issuer.is_none() {
                "CONSOLE_OIDC_ISSUER"
            } else if id.is_none() {
                "CONSOLE_OIDC_CLIENT_ID"
            } else {
                "CONSOLE_OIDC_CLIENT_SECRET"
            };
            return Err(err(
                missing,
                "is missing (the issuer, client id and client secret go together)",
            ));
        }
    };
    let roles = crate::auth::bi::parse_roles(
        &get("CONSOLE_OIDC_ROLES").unwrap_or_else(|| crate::auth::bi::DEFAULT_ROLES.to_string()),
    )
    .map_err(|problem| err("CONSOLE_OIDC_ROLES", problem))?;
    let recheck = Duration::from_secs(
        whole("CONSOLE_OIDC_RECHECK_SECS", get("CONSOLE_OIDC_RECHECK_SECS"), 1..=86_400, "a whole number of seconds")?
            .unwrap_or(300),
    );
    let passwords = match get("CONSOLE_PASSWORD_SIGN_IN").as_deref() {
        None | Some("on" | "true" | "1") => true,
        Some("off" | "false" | "0") => false,
        Some(_) => return Err(err("CONSOLE_PASSWORD_SIGN_IN", "must be on or off")),
    };
    if !passwords && !enabled {
        return Err(err(
            "CONSOLE_PASSWORD_SIGN_IN",
            "is off while CONSOLE_OIDC is off: no one could sign in",
        ));
    }
    Ok(OidcSettings {
        client,
        roles,
        recheck,
        enabled,
        passwords,
    })
}
