//! The sandbox's credentials and tokens: the API token and client credentials kept in the data directory, the
//! client-credentials token endpoint shaped like BI's, and the bearer check in front of every API call.

use std::path::Path;
use std::time::{Duration, Instant};

use axum::extract::{Path as UrlPath, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::{store, OpenError, Sandbox, Shared, PREFIX};
use crate::bi::wire::TokenResponse;
use crate::files::write_private;
use crate::secret::Secret;

/// What a caller needs to talk to the sandbox. Kept in the data directory (owner-only) across restarts.
#[derive(Clone, Debug)]
pub struct Credentials {
    pub api_token: Secret,
    pub client_id: String,
    pub client_secret: Secret,
    pub application_id: String,
}

#[derive(Serialize, Deserialize)]
struct CredentialsFile {
    api_token: String,
    client_id: String,
    client_secret: String,
    application_id: String,
}

pub(super) fn random_token(bytes: usize) -> String {
    let raw: Vec<u8> = (0..bytes).map(|_| rand::random::<u8>()).collect();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}

/// The credentials kept at `path`, made and written (owner-only) on first use. `token` fixes the API token.
pub(super) fn load_credentials(
    path: &Path,
    token: Option<Secret>,
) -> Result<Credentials, OpenError> {
    let stored: Option<CredentialsFile> = std::fs::read_to_string(path)
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok());
    let file = match stored {
        Some(f) => f,
        None => {
            let f = CredentialsFile {
                api_token: random_token(32),
                client_id: format!("sandbox-{}", store::new_id()),
                client_secret: random_token(32),
                application_id: format!("{}-{}", store::new_id(), store::new_id()),
            };
            write_private(path, &serde_json::to_string_pretty(&f).expect("serializes")).map_err(
                |source| OpenError::Credentials {
                    path: path.to_path_buf(),
                    source,
                },
            )?;
            f
        }
    };
    Ok(Credentials {
        api_token: token.unwrap_or(Secret::new(file.api_token)),
        client_id: file.client_id,
        client_secret: Secret::new(file.client_secret),
        application_id: file.application_id,
    })
}

impl Sandbox {
    /// Lifetime of tokens from the token endpoint (default one hour).
    pub fn set_token_ttl(&self, ttl: Duration) {
        *self.token_ttl.lock().expect("lock") = ttl;
    }

    /// How many tokens the token endpoint has issued since start.
    pub fn tokens_issued(&self) -> usize {
        self.tokens_issued.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Makes every token issued so far invalid, as BI does when a token is revoked.
    pub fn revoke_issued_tokens(&self) {
        self.issued.lock().expect("lock").clear();
    }

    /// The token endpoint path for this tenant (under [`PREFIX`]), given the application's realm.
    pub fn token_path(&self, realm: &str) -> String {
        format!(
            "{PREFIX}/auth/v1/tenants/{}/realms/{realm}/applications/{}/token",
            self.tenant_id(),
            self.credentials.application_id
        )
    }

    pub(super) fn token_valid(&self, presented: &str) -> bool {
        if constant_time_eq(
            presented.as_bytes(),
            self.credentials.api_token.expose().as_bytes(),
        ) {
            return true;
        }
        let mut issued = self.issued.lock().expect("lock");
        let now = Instant::now();
        issued.retain(|_, expiry| *expiry > now);
        issued.contains_key(presented)
    }
}

/// Whether `path` is exactly an enrollment link, `…/v1/tenants/{t}/realms/{r}/identities/{i}/credential-binding-jobs/
/// {id}:invokeAuthenticator` (under the sandbox's prefix or not), opened (GET) or acted on (POST).
pub(super) fn is_enrollment_link(method: &axum::http::Method, path: &str) -> bool {
    use axum::http::Method;
    if method != Method::GET && method != Method::POST {
        return false;
    }
    let path = path.strip_prefix(super::PREFIX).unwrap_or(path);
    let parts: Vec<&str> = path.split('/').collect();
    let id_ok = |s: &str| crate::bi::seg(s).is_ok();
    match parts.as_slice() {
        ["", "v1", "tenants", t, "realms", r, "identities", i, "credential-binding-jobs", last] => {
            let job = last.strip_suffix(":invokeAuthenticator");
            id_ok(t) && id_ok(r) && id_ok(i) && job.is_some_and(id_ok)
        }
        _ => false,
    }
}

/// Compares secrets in time that does not depend on where they differ.
pub(super) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.ct_eq(b).into()
}

pub(super) async fn require_bearer(State(sb): Shared, req: Request, next: Next) -> Response {
    // An enrollment link is opened by the person invited, with no API token: its own token is the key. Only that
    // one route, with GET or POST; anything else ending the same way needs the bearer token like every call.
    if is_enrollment_link(req.method(), req.uri().path()) {
        return next.run(req).await;
    }
    let presented = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim);
    match presented {
        Some(t) if sb.token_valid(t) => {
            if !req.uri().path().ends_with("/_calls") {
                sb.record_call(req.method().as_str(), req.uri().path());
            }
            next.run(req).await
        }
        _ => ApiError::unauthorized().into_response(),
    }
}

#[derive(Deserialize)]
pub(super) struct TokenForm {
    grant_type: Option<String>,
}

/// The client id and secret of an HTTP Basic `Authorization` header.
pub(super) fn basic_credentials(headers: &axum::http::HeaderMap) -> Option<(String, String)> {
    let decoded = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| STANDARD.decode(b.trim()).ok())
        .and_then(|b| String::from_utf8(b).ok())?;
    let (id, secret) = decoded.split_once(':')?;
    // RFC 6749 §2.3.1: both form-encoded before the Basic encoding.
    let decode = |s: &str| {
        url::form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    Some((decode(id), decode(secret)))
}

/// `POST …/applications/{app}/token`: the API's client credentials grant for the tenant's API application, the
/// authorization code grant for an OIDC application (see `oidc`).
pub(super) async fn issue_token(
    State(sb): Shared,
    UrlPath((tenant, realm, app)): UrlPath<(String, String, String)>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if app != sb.credentials.application_id {
        return super::oidc::token(&sb, (tenant, realm, app), &headers, &body).await;
    }
    let form: Option<TokenForm> = serde_json::to_value(
        url::form_urlencoded::parse(&body)
            .into_owned()
            .collect::<std::collections::HashMap<String, String>>(),
    )
    .ok()
    .and_then(|v| serde_json::from_value(v).ok());
    let oauth_error = |status: StatusCode, error: &str| {
        (status, Json(serde_json::json!({ "error": error }))).into_response()
    };
    let Some((id, secret)) = basic_credentials(&headers) else {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client");
    };
    let c = &sb.credentials;
    if tenant != sb.tenant_id()
        || app != c.application_id
        || id != c.client_id
        || !constant_time_eq(secret.as_bytes(), c.client_secret.expose().as_bytes())
    {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client");
    }
    if form.and_then(|f| f.grant_type).as_deref() != Some("client_credentials") {
        return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type");
    }
    let ttl = *sb.token_ttl.lock().expect("lock");
    let token = random_token(32);
    sb.tokens_issued
        .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    sb.issued
        .lock()
        .expect("lock")
        .insert(token.clone(), Instant::now() + ttl);
    Json(TokenResponse {
        access_token: token,
        token_type: "Bearer".into(),
        expires_in: ttl.as_secs().max(1),
        scope: None,
    })
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_enrollment_link_itself_goes_without_the_bearer_token() {
        use axum::http::Method;
        let link = "/sandbox/v1/tenants/t1/realms/r1/identities/i1/credential-binding-jobs/j1:invokeAuthenticator";
        assert!(is_enrollment_link(&Method::GET, link));
        assert!(is_enrollment_link(&Method::POST, link));
        assert!(!is_enrollment_link(&Method::DELETE, link));
        assert!(!is_enrollment_link(&Method::PATCH, "/sandbox/v1/tenants/t1/realms/r1/identities/i1:invokeAuthenticator"));
        assert!(!is_enrollment_link(&Method::GET, "/sandbox/v1/tenants/t1/realms/r1/identities:invokeAuthenticator"));
        assert!(!is_enrollment_link(&Method::POST, "/sandbox/v1/tenants/t1/realms/r1/groups/g1/x/y/z:invokeAuthenticator"));
        assert!(!is_enrollment_link(&Method::GET, "/sandbox/v1/tenants/t1/realms/r1/identities/i1/credential-binding-jobs/..:invokeAuthenticator"));
    }
}
