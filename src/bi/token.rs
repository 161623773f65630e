//! The access token: a static API token, or one from client credentials, cached until shortly before it expires.

use std::time::{Duration, Instant};

use super::error::without_url;
use super::wire::{ErrorBody, TokenResponse};
use super::{BiError, Client, ClientAuth};
use crate::secret::Secret;

pub(super) struct CachedToken {
    token: Secret,
    refresh_at: Instant,
}

impl Client {
    pub(super) async fn bearer(&self, force_refresh: bool) -> Result<Secret, BiError> {
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
        let fetched = async {
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
        .await;
        crate::metrics::global().bi_token_refresh(fetched.is_ok());
        fetched
    }
}

/// How long a token is used: what the token endpoint says, between a second and a day (a larger `expires_in`, from
/// a broken or hostile endpoint, would otherwise overflow the clock arithmetic or keep a token forever).
pub(super) fn token_lifetime(expires_in: u64) -> Duration {
    Duration::from_secs(expires_in.clamp(1, 24 * 3600))
}
