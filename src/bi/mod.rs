//! The typed client of BI's Management API v1: the only code that knows BI's URLs and holds the token.
//!
//! It talks HTTP to whatever `api_base` says: BI itself, or the embedded sandbox on loopback (one code path).
//! Auth is a static API token, or client credentials exchanged at BI's token endpoint; such a token is cached until
//! shortly before it expires, and a 401/403 answer refreshes it and retries the call once (as BI's own CLI does).
//! Reads and deletes are repeated after 429, 5xx and connection failures (see [`retry`]); writes are not, and
//! [`verified`] checks BI's state before trying one again.

mod calls;
pub mod coalesce;
mod error;
pub mod forms;
pub mod hosts;
pub mod pages;
pub mod retry;
mod token;
mod transport;
pub mod verified;
pub mod wire;

use std::time::Duration;

use tokio::sync::Mutex;

use crate::secret::Secret;
pub use error::BiError;
use token::CachedToken;

/// How the client authenticates.
#[derive(Clone, Debug)]
pub enum ClientAuth {
    Token(Secret),
    ClientCredentials {
        /// `https://auth-{region}.beyondidentity.com/v1/tenants/{t}/realms/{r}/applications/{app}/token`
        token_url: String,
        client_id: String,
        client_secret: Secret,
    },
}

#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// Scheme and host (and for the sandbox, its path prefix), without `/v1`.
    pub api_base: String,
    pub tenant_id: String,
    pub auth: ClientAuth,
    /// Limit of each HTTP call.
    pub timeout: Duration,
}

/// The BI client. Cheap to share behind an `Arc`; holds one connection pool.
pub struct Client {
    http: reqwest::Client,
    tenant_base: String,
    tenant_id: String,
    auth: ClientAuth,
    cached: Mutex<Option<CachedToken>>,
    timeout: Duration,
    retry: retry::RetryPolicy,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("tenant_base", &self.tenant_base)
            .field("auth", &self.auth)
            .finish()
    }
}

/// An id as one path segment. BI's ids are hex (tenants, realms, identities, groups); the console accepts any id
/// made of URL-unreserved characters (`A–Z a–z 0–9 - . _ ~`, at most 128), except the dot segments `.` and `..`,
/// which a URL parser would resolve (`…/groups/..` is the realm itself). Everything else is refused here, before a
/// URL exists, so no id can point a request at another resource.
pub fn seg(s: &str) -> Result<&str, BiError> {
    let unreserved = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~');
    let ok =
        !s.is_empty() && s.len() <= 128 && s.chars().all(unreserved) && s.chars().any(|c| c != '.');
    if ok {
        Ok(s)
    } else {
        let shown: String = s.chars().take(40).flat_map(char::escape_debug).collect();
        Err(BiError::InvalidId(shown))
    }
}

impl Client {
    pub fn new(config: ClientConfig) -> Result<Client, BiError> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(5)))
            .user_agent(concat!("bi-console/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| BiError::Unreachable(e.to_string()))?;
        Ok(Client {
            http,
            tenant_base: format!(
                "{}/v1/tenants/{}",
                config.api_base.trim_end_matches('/'),
                seg(&config.tenant_id)?
            ),
            tenant_id: config.tenant_id,
            auth: config.auth,
            cached: Mutex::new(None),
            timeout: config.timeout,
            retry: retry::RetryPolicy::default(),
        })
    }

    /// The same client with another retry policy.
    pub fn with_retry(mut self, policy: retry::RetryPolicy) -> Client {
        self.retry = policy;
        self
    }

    pub fn retry_policy(&self) -> retry::RetryPolicy {
        self.retry
    }

    pub fn tenant_id(&self) -> &str {
        &self.tenant_id
    }
}

#[cfg(test)]
mod tests {
    use super::token::token_lifetime;
    use super::*;

    #[test]
    fn only_plain_ids_become_path_segments() {
        assert_eq!(seg("abc123").unwrap(), "abc123");
        assert_eq!(seg("a.b_c-d~e").unwrap(), "a.b_c-d~e");
        for bad in [
            "",
            ".",
            "..",
            "...",
            "../x",
            "a/b",
            "a b?c",
            "%2e%2e",
            "a\\b",
            "é",
            &"a".repeat(129),
        ] {
            assert!(matches!(seg(bad), Err(BiError::InvalidId(_))), "{bad:?}");
        }
    }

    #[test]
    fn token_lifetimes_are_bounded() {
        assert_eq!(token_lifetime(0), Duration::from_secs(1));
        assert_eq!(token_lifetime(3600), Duration::from_secs(3600));
        assert_eq!(token_lifetime(u64::MAX), Duration::from_secs(24 * 3600));
    }

    #[test]
    fn client_debug_hides_the_token() {
        let c = Client::new(ClientConfig {
            api_base: "http://127.0.0.1:1".into(),
            tenant_id: "t".into(),
            auth: ClientAuth::Token(Secret::new("very-secret-token")),
            timeout: Duration::from_secs(1),
        })
        .unwrap();
        let shown = format!("{c:?}");
        assert!(!shown.contains("very-secret-token"), "{shown}");
    }
}
