//! The typed client of BI's Management API v1: the only code that knows BI's URLs and holds the token.
//!
//! It talks HTTP to whatever `api_base` says: BI itself, or the embedded sandbox on loopback (one code path).
//! Auth is a static API token, or client credentials exchanged at BI's token endpoint; such a token is cached until
//! shortly before it expires, and a 401/403 answer refreshes it and retries the call once (as BI's own CLI does).
//! Reads and deletes are repeated after 429, 5xx and connection failures (see [`retry`]); writes are not, and
//! [`verified`] checks BI's state before trying one again.

pub mod forms;
pub mod hosts;
pub mod retry;
pub mod verified;
pub mod wire;

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use tokio::sync::Mutex;

use crate::model::{Group, Identity, Page, Realm};
use crate::secret::Secret;
use wire::*;

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

/// A failed BI call, keeping BI's own status, code, message and details.
#[derive(Clone, Debug, thiserror::Error)]
pub enum BiError {
    #[error("BI answered {status}: {}", body.message)]
    Api {
        status: u16,
        body: ErrorBody,
        /// The wait BI asked for (`Retry-After` / `RateLimit-Reset`), if any.
        retry_after: Option<Duration>,
    },
    #[error("BI did not answer within {} seconds", .0.as_secs())]
    Timeout(Duration),
    #[error("BI could not be reached: {0}")]
    Unreachable(String),
    #[error("BI's answer could not be read: {0}")]
    Decode(String),
    #[error("no BI access token: {0}")]
    Token(String),
    /// An id that cannot be one of BI's (empty, `.`/`..`, or characters BI never uses): refused before any URL is
    /// built, so no request can leave the resource's own path.
    #[error("'{0}' is not a valid id")]
    InvalidId(String),
}

impl BiError {
    pub fn status(&self) -> Option<u16> {
        match self {
            BiError::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    pub fn body(&self) -> Option<&ErrorBody> {
        match self {
            BiError::Api { body, .. } => Some(body),
            _ => None,
        }
    }

    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    pub fn is_conflict(&self) -> bool {
        self.status() == Some(409)
    }

    /// Worth trying again: rate-limited, BI unavailable or failing, or no answer at all.
    pub fn is_transient(&self) -> bool {
        match self {
            BiError::Api { status, .. } => matches!(status, 429 | 500 | 502 | 503 | 504),
            BiError::Timeout(_) | BiError::Unreachable(_) => true,
            BiError::Decode(_) | BiError::Token(_) | BiError::InvalidId(_) => false,
        }
    }

    /// A failure after which a write may or may not have been applied (no answer, or a server error); 429 and 503
    /// say the request was not processed.
    pub fn is_ambiguous(&self) -> bool {
        match self {
            BiError::Api { status, .. } => matches!(status, 500 | 502 | 504),
            BiError::Timeout(_) | BiError::Unreachable(_) => true,
            BiError::Decode(_) | BiError::Token(_) | BiError::InvalidId(_) => false,
        }
    }

    /// An answer that says the request was not processed (429 rate-limited, 503 unavailable): any call, a create
    /// included, may be sent again.
    pub fn is_unprocessed(&self) -> bool {
        matches!(self.status(), Some(429 | 503))
    }

    /// The wait BI asked for with this error.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            BiError::Api { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// BI's own message for an API error, else what went wrong on the way: a reason to show next to one item.
    pub fn reason(&self) -> String {
        match self {
            BiError::Api { body, .. } => body.message.clone(),
            other => other.to_string(),
        }
    }

    fn from_reqwest(e: reqwest::Error, timeout: Duration) -> BiError {
        if e.is_timeout() {
            BiError::Timeout(timeout)
        } else if e.is_decode() {
            BiError::Decode(e.to_string())
        } else {
            // Never include the URL's query or headers; reqwest's Display holds the URL only.
            BiError::Unreachable(without_url(&e))
        }
    }
}

fn without_url(e: &reqwest::Error) -> String {
    let mut source: &dyn std::error::Error = e;
    while let Some(next) = source.source() {
        source = next;
    }
    source.to_string()
}

struct CachedToken {
    token: Secret,
    refresh_at: Instant,
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

    fn realm_path(&self, realm: &str) -> Result<String, BiError> {
        Ok(format!("{}/realms/{}", self.tenant_base, seg(realm)?))
    }

    // --- auth ----------------------------------------------------------------------------------------------------

    async fn bearer(&self, force_refresh: bool) -> Result<Secret, BiError> {
        let (token_url, client_id, client_secret) = match &self.auth {
            ClientAuth::Token(t) => return Ok(t.clone()),
            ClientAuth::ClientCredentials {
                token_url,
                client_id,
                client_secret,
            } => (token_url, client_id, client_secret),
        };
        let mut cached = self.cached.lock().await;
        if !force_refresh {
            if let Some(c) = cached.as_ref() {
                if Instant::now() < c.refresh_at {
                    return Ok(c.token.clone());
                }
            }
        }
        let resp = self
            .http
            .post(token_url)
            .basic_auth(client_id, Some(client_secret.expose()))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .map_err(|e| BiError::Token(BiError::from_reqwest(e, self.timeout).to_string()))?;
        let status = resp.status();
        if !status.is_success() {
            let body = resp.text().await.unwrap_or_default();
            let msg = serde_json::from_str::<ErrorBody>(&body)
                .map(|b| b.message)
                .or_else(|_| {
                    serde_json::from_str::<serde_json::Value>(&body).map(|v| {
                        v.get("error_description")
                            .or_else(|| v.get("error"))
                            .and_then(|m| m.as_str())
                            .unwrap_or("")
                            .to_string()
                    })
                })
                .unwrap_or_default();
            return Err(BiError::Token(format!(
                "the token endpoint answered {}{}",
                status.as_u16(),
                if msg.is_empty() {
                    String::new()
                } else {
                    format!(": {msg}")
                }
            )));
        }
        let token: TokenResponse = resp
            .json()
            .await
            .map_err(|e| BiError::Token(format!("unreadable token answer: {}", without_url(&e))))?;
        let lifetime = token_lifetime(token.expires_in);
        // Refresh a minute early, or halfway for short-lived tokens.
        let margin = if lifetime > Duration::from_secs(120) {
            Duration::from_secs(60)
        } else {
            lifetime / 2
        };
        let secret = Secret::new(token.access_token);
        *cached = Some(CachedToken {
            token: secret.clone(),
            refresh_at: Instant::now()
                .checked_add(lifetime - margin)
                .unwrap_or_else(Instant::now),
        });
        tracing::debug!(expires_in = token.expires_in, "obtained a BI access token");
        Ok(secret)
    }

    // --- transport -----------------------------------------------------------------------------------------------

    /// One HTTP exchange: the answer's body on success, else the error (with BI's wait hint). A 401/403 with client
    /// credentials refreshes the token and tries once more.
    async fn exchange(
        &self,
        method: &Method,
        url: &str,
        query: Option<&ListQuery>,
        body: Option<&[u8]>,
    ) -> Result<axum::body::Bytes, BiError> {
        let refreshable = matches!(self.auth, ClientAuth::ClientCredentials { .. });
        let mut refreshed = false;
        loop {
            let limit = match retry::remaining() {
                Some(left) if left.is_zero() => return Err(BiError::Timeout(self.timeout)),
                Some(left) => left.min(self.timeout),
                None => self.timeout,
            };
            let token = self.bearer(refreshed).await?;
            let mut req = self
                .http
                .request(method.clone(), url)
                .timeout(limit)
                .bearer_auth(token.expose());
            if let Some(q) = query {
                req = req.query(q);
            }
            if let Some(b) = body {
                req = req
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(b.to_vec());
            }
            let started = Instant::now();
            let resp = req
                .send()
                .await
                .map_err(|e| BiError::from_reqwest(e, limit))?;
            let status = resp.status();
            tracing::debug!(%method, path = %url_path(url), status = status.as_u16(),
                ms = started.elapsed().as_millis() as u64, "BI call");
            if refreshable
                && !refreshed
                && (status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN)
            {
                refreshed = true;
                continue;
            }
            let retry_after = retry::hint(resp.headers());
            let bytes = resp
                .bytes()
                .await
                .map_err(|e| BiError::from_reqwest(e, limit))?;
            if status.is_success() {
                return Ok(bytes);
            }
            let reason = status
                .canonical_reason()
                .unwrap_or("error")
                .to_ascii_lowercase();
            let body = serde_json::from_slice::<ErrorBody>(&bytes)
                .unwrap_or_else(|_| ErrorBody::new(&reason.replace(' ', "_"), reason.clone()));
            return Err(BiError::Api {
                status: status.as_u16(),
                body,
                retry_after,
            });
        }
    }

    /// A call, repeated with backoff when it is safe to repeat (reads, deletes) and failed transiently, within the
    /// action's deadline. A delete that BI calls unknown after an attempt whose outcome was unknown has succeeded.
    async fn send(
        &self,
        method: Method,
        url: &str,
        query: Option<&ListQuery>,
        body: Option<Vec<u8>>,
    ) -> Result<axum::body::Bytes, BiError> {
        let batch_delete = url.ends_with(":batchDelete");
        let repeatable = method == Method::GET || method == Method::DELETE || batch_delete;
        let mut attempt = 0;
        let mut unsure = false;
        loop {
            let outcome = self.exchange(&method, url, query, body.as_deref()).await;
            match outcome {
                Err(e) if e.is_not_found() && unsure && method == Method::DELETE => {
                    return Ok(axum::body::Bytes::new())
                }
                // BI deletes a batch entirely or not at all: when every id is unknown after an attempt whose
                // outcome was unknown, that attempt deleted them.
                Err(e) if e.is_not_found() && unsure && batch_delete && all_named(&e, &body) => {
                    return Ok(axum::body::Bytes::new())
                }
                Err(e)
                    if (repeatable && e.is_transient() || e.is_unprocessed())
                        && attempt + 1 < self.retry.attempts =>
                {
                    let wait = self.retry.wait(attempt, e.retry_after());
                    tracing::debug!(%method, path = %url_path(url), error = %e, attempt, wait_ms = wait.as_millis() as u64, "BI call will be repeated");
                    if !retry::pause(wait).await {
                        return Err(e);
                    }
                    unsure |= e.is_ambiguous();
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        url: &str,
        query: Option<&ListQuery>,
        body: Option<&impl Serialize>,
    ) -> Result<T, BiError> {
        let body = body
            .map(serde_json::to_vec)
            .transpose()
            .map_err(|e| BiError::Decode(e.to_string()))?;
        let bytes = self.send(method, url, query, body).await?;
        serde_json::from_slice(&bytes).map_err(|e| BiError::Decode(e.to_string()))
    }

    /// A call whose success has an empty body (deletes, batch delete).
    async fn call_empty(
        &self,
        method: Method,
        url: &str,
        body: Option<&impl Serialize>,
    ) -> Result<(), BiError> {
        let body = body
            .map(serde_json::to_vec)
            .transpose()
            .map_err(|e| BiError::Decode(e.to_string()))?;
        self.send(method, url, None, body).await?;
        Ok(())
    }

    // --- realms --------------------------------------------------------------------------------------------------

    pub async fn list_realms(&self, query: &ListQuery) -> Result<Page<Realm>, BiError> {
        let url = format!("{}/realms", self.tenant_base);
        let r: ListRealmsResponse = self
            .call(Method::GET, &url, Some(query), None::<&()>)
            .await?;
        Ok(r.into())
    }

    pub async fn get_realm(&self, realm: &str) -> Result<Realm, BiError> {
        self.call(Method::GET, &self.realm_path(realm)?, None, None::<&()>)
            .await
    }

    // --- identities ----------------------------------------------------------------------------------------------

    pub async fn create_identity(
        &self,
        realm: &str,
        identity: &IdentityWrite,
    ) -> Result<Identity, BiError> {
        let url = format!("{}/identities", self.realm_path(realm)?);
        let body = IdentityEnvelope { identity };
        self.call(Method::POST, &url, None, Some(&body)).await
    }

    pub async fn list_identities(
        &self,
        realm: &str,
        query: &ListQuery,
    ) -> Result<Page<Identity>, BiError> {
        let url = format!("{}/identities", self.realm_path(realm)?);
        let r: ListIdentitiesResponse = self
            .call(Method::GET, &url, Some(query), None::<&()>)
            .await?;
        Ok(r.into())
    }

    pub async fn get_identity(&self, realm: &str, id: &str) -> Result<Identity, BiError> {
        let url = format!("{}/identities/{}", self.realm_path(realm)?, seg(id)?);
        self.call(Method::GET, &url, None, None::<&()>).await
    }

    /// PATCH: only the fields set in `patch` change.
    pub async fn update_identity(
        &self,
        realm: &str,
        id: &str,
        patch: &IdentityWrite,
    ) -> Result<Identity, BiError> {
        let url = format!("{}/identities/{}", self.realm_path(realm)?, seg(id)?);
        let body = IdentityEnvelope { identity: patch };
        self.call(Method::PATCH, &url, None, Some(&body)).await
    }

    pub async fn delete_identity(&self, realm: &str, id: &str) -> Result<(), BiError> {
        let url = format!("{}/identities/{}", self.realm_path(realm)?, seg(id)?);
        self.call_empty(Method::DELETE, &url, None::<&()>).await
    }

    /// One `:batchDelete` call: 1–1000 ids, all deleted or none.
    pub async fn batch_delete_identities(
        &self,
        realm: &str,
        ids: &[String],
    ) -> Result<(), BiError> {
        let url = format!("{}/identities:batchDelete", self.realm_path(realm)?);
        let body = BatchDeleteRequest { ids: ids.to_vec() };
        self.call_empty(Method::POST, &url, Some(&body)).await
    }

    pub async fn list_identity_groups(
        &self,
        realm: &str,
        id: &str,
        query: &ListQuery,
    ) -> Result<Page<Group>, BiError> {
        let url = format!(
            "{}/identities/{}:listGroups",
            self.realm_path(realm)?,
            seg(id)?
        );
        let r: ListGroupsResponse = self
            .call(Method::GET, &url, Some(query), None::<&()>)
            .await?;
        Ok(r.into())
    }

    // --- groups --------------------------------------------------------------------------------------------------

    pub async fn create_group(&self, realm: &str, group: &GroupWrite) -> Result<Group, BiError> {
        let url = format!("{}/groups", self.realm_path(realm)?);
        self.call(Method::POST, &url, None, Some(&GroupEnvelope { group }))
            .await
    }

    pub async fn list_groups(
        &self,
        realm: &str,
        query: &ListQuery,
    ) -> Result<Page<Group>, BiError> {
        let url = format!("{}/groups", self.realm_path(realm)?);
        let r: ListGroupsResponse = self
            .call(Method::GET, &url, Some(query), None::<&()>)
            .await?;
        Ok(r.into())
    }

    pub async fn get_group(&self, realm: &str, id: &str) -> Result<Group, BiError> {
        let url = format!("{}/groups/{}", self.realm_path(realm)?, seg(id)?);
        self.call(Method::GET, &url, None, None::<&()>).await
    }

    pub async fn update_group(
        &self,
        realm: &str,
        id: &str,
        patch: &GroupWrite,
    ) -> Result<Group, BiError> {
        let url = format!("{}/groups/{}", self.realm_path(realm)?, seg(id)?);
        self.call(
            Method::PATCH,
            &url,
            None,
            Some(&GroupEnvelope { group: patch }),
        )
        .await
    }

    pub async fn delete_group(&self, realm: &str, id: &str) -> Result<(), BiError> {
        let url = format!("{}/groups/{}", self.realm_path(realm)?, seg(id)?);
        self.call_empty(Method::DELETE, &url, None::<&()>).await
    }

    /// One `:addMembers` call (1–1000 ids); answers the group.
    pub async fn add_members(
        &self,
        realm: &str,
        group: &str,
        identity_ids: &[String],
    ) -> Result<Group, BiError> {
        let url = format!(
            "{}/groups/{}:addMembers",
            self.realm_path(realm)?,
            seg(group)?
        );
        let body = MembersRequest {
            identity_ids: identity_ids.to_vec(),
        };
        self.call(Method::POST, &url, None, Some(&body)).await
    }

    /// One `:deleteMembers` call (1–1000 ids); answers the group.
    pub async fn delete_members(
        &self,
        realm: &str,
        group: &str,
        identity_ids: &[String],
    ) -> Result<Group, BiError> {
        let url = format!(
            "{}/groups/{}:deleteMembers",
            self.realm_path(realm)?,
            seg(group)?
        );
        let body = MembersRequest {
            identity_ids: identity_ids.to_vec(),
        };
        self.call(Method::POST, &url, None, Some(&body)).await
    }

    pub async fn list_members(
        &self,
        realm: &str,
        group: &str,
        query: &ListQuery,
    ) -> Result<Page<Identity>, BiError> {
        let url = format!(
            "{}/groups/{}:listMembers",
            self.realm_path(realm)?,
            seg(group)?
        );
        let r: ListIdentitiesResponse = self
            .call(Method::GET, &url, Some(query), None::<&()>)
            .await?;
        Ok(r.into())
    }
}

/// Whether a batch delete's 404 names every id the request sent (or names none, meaning all of them).
fn all_named(e: &BiError, body: &Option<Vec<u8>>) -> bool {
    let sent: Vec<String> = body
        .as_deref()
        .and_then(|b| serde_json::from_slice::<BatchDeleteRequest>(b).ok())
        .map(|r| r.ids)
        .unwrap_or_default();
    let named = e.body().map(|b| b.failed_ids()).unwrap_or_default();
    named.is_empty() || sent.iter().all(|id| named.contains(id))
}

/// How long a token is used: what the token endpoint says, between a second and a day (a larger `expires_in`, from
/// a broken or hostile endpoint, would otherwise overflow the clock arithmetic or keep a token forever).
fn token_lifetime(expires_in: u64) -> Duration {
    Duration::from_secs(expires_in.clamp(1, 24 * 3600))
}

fn url_path(url: &str) -> &str {
    url.find("/v1/").map(|i| &url[i..]).unwrap_or(url)
}

#[cfg(test)]
mod tests {
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
