//! The sandbox's identity provider in its store: OIDC applications, the signing key, authorization codes and access
//! tokens (see migration 0005). Secrets, codes and tokens are kept as SHA-256 hashes; the key is made once.

use super::{new_id, now, SandboxStore};
use crate::sandbox::error::ApiError;

/// An OIDC application of a realm.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OidcApplication {
    pub id: String,
    pub realm_id: String,
    pub display_name: String,
    pub client_id: String,
    client_secret_hash: String,
    redirect_uris: String,
}

impl OidcApplication {
    /// The redirect URIs registered (a redirect must be one of them exactly).
    pub fn redirect_uris(&self) -> Vec<String> {
        serde_json::from_str(&self.redirect_uris).unwrap_or_default()
    }

    /// Whether `secret` is this application's client secret.
    pub fn secret_is(&self, secret: &str) -> bool {
        crate::sandbox::auth::constant_time_eq(hash(secret).as_bytes(), self.client_secret_hash.as_bytes())
    }
}

/// An authorization code, taken (it works once).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TakenCode {
    pub application_id: String,
    pub identity_id: String,
    pub redirect_uri: String,
    pub nonce: Option<String>,
    pub code_challenge: String,
    /// When the identity authenticated, seconds since 1970.
    pub auth_time: i64,
    pub expires: i64,
}

/// SHA-256 of `secret`, hex.
fn hash(secret: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Seconds since 1970.
pub fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}

impl SandboxStore {
    /// The identity provider's signing key (kid, PKCS#1 PEM): made (RSA, 2,048 bits) and kept at first use.
    pub async fn oidc_key(&self) -> Result<(String, String), ApiError> {
        if let Some(key) = self.read_oidc_key().await? {
            return Ok(key);
        }
        let _w = self.write.lock().await;
        if let Some(key) = self.read_oidc_key().await? {
            return Ok(key);
        }
        let pem = tokio::task::spawn_blocking(|| {
            use rsa::pkcs1::EncodeRsaPrivateKey;
            let mut rng = argon2::password_hash::rand_core::OsRng;
            let key = rsa::RsaPrivateKey::new(&mut rng, 2048).map_err(|e| e.to_string())?;
            key.to_pkcs1_pem(rsa::pkcs1::LineEnding::LF)
                .map(|pem| pem.to_string())
                .map_err(|e| e.to_string())
        })
        .await
        .ok()
        .and_then(|made: Result<String, String>| {
            made.map_err(|e| tracing::error!(error = %e, "the sandbox could not make its signing key"))
                .ok()
        })
        .ok_or_else(ApiError::internal)?;
        let kid = new_id();
        sqlx::query("INSERT INTO oidc_keys (kid, pem, create_time) VALUES (?, ?, ?)")
            .bind(&kid)
            .bind(&pem)
            .bind(now())
            .execute(&self.pool)
            .await?;
        Ok((kid, pem))
    }

    async fn read_oidc_key(&self) -> Result<Option<(String, String)>, ApiError> {
        Ok(
            sqlx::query_as("SELECT kid, pem FROM oidc_keys ORDER BY create_time LIMIT 1")
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Registers an OIDC application in `realm`; answers it and its client secret (shown this once).
    pub async fn create_oidc_application(
        &self,
        realm: &str,
        display_name: &str,
        redirect_uris: &[String],
    ) -> Result<(OidcApplication, String), ApiError> {
        let (id, client_id, secret) = (
            format!("{}-{}", new_id(), new_id()),
            new_id(),
            crate::sandbox::auth::random_token(32),
        );
        let _w = self.write.lock().await;
        sqlx::query(
            "INSERT INTO oidc_applications (id, realm_id, display_name, client_id, client_secret_hash, redirect_uris, \
             create_time) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(realm)
        .bind(display_name)
        .bind(&client_id)
        .bind(hash(&secret))
        .bind(serde_json::to_string(redirect_uris).expect("strings serialize"))
        .bind(now())
        .execute(&self.pool)
        .await?;
        drop(_w);
        let app = self
            .oidc_application(realm, &id)
            .await?
            .ok_or_else(ApiError::internal)?;
        Ok((app, secret))
    }

    /// The OIDC application `id` of `realm`.
    pub async fn oidc_application(
        &self,
        realm: &str,
        id: &str,
    ) -> Result<Option<OidcApplication>, ApiError> {
        Ok(sqlx::query_as("SELECT * FROM oidc_applications WHERE realm_id = ? AND id = ?")
            .bind(realm)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// Sets the redirect URIs of application `id` of `realm`.
    pub async fn set_redirect_uris(&self, realm: &str, id: &str, redirect_uris: &[String]) -> Result<(), ApiError> {
        let _w = self.write.lock().await;
        sqlx::query("UPDATE oidc_applications SET redirect_uris = ? WHERE realm_id = ? AND id = ?")
            .bind(serde_json::to_string(redirect_uris).expect("strings serialize"))
            .bind(realm)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// A new authorization code (valid for a minute) for `identity`, who authenticated at `auth_time`.
    pub async fn issue_code(
        &self,
        application: &str,
        identity: &str,
        redirect_uri: &str,
        nonce: Option<&str>,
        code_challenge: &str,
        auth_time: i64,
    ) -> Result<String, ApiError> {
        let code = crate::sandbox::auth::random_token(32);
        let _w = self.write.lock().await;
        sqlx::query(
            "INSERT INTO oidc_codes (code_hash, application_id, identity_id, redirect_uri, nonce, code_challenge, \
             auth_time, expires) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(hash(&code))
        .bind(application)
        .bind(identity)
        .bind(redirect_uri)
        .bind(nonce)
        .bind(code_challenge)
        .bind(auth_time)
        .bind(unix_now() + 60)
        .execute(&self.pool)
        .await?;
        Ok(code)
    }

    /// Takes `code` (it works once, then never again), if it was issued.
    pub async fn take_code(&self, code: &str) -> Result<Option<TakenCode>, ApiError> {
        let _w = self.write.lock().await;
        Ok(sqlx::query_as(
            "DELETE FROM oidc_codes WHERE code_hash = ? RETURNING application_id, identity_id, redirect_uri, nonce, \
             code_challenge, auth_time, expires",
        )
        .bind(hash(code))
        .fetch_optional(&self.pool)
        .await?)
    }

    /// A new access token (an hour) for `identity` through `application`, for `/userinfo`.
    pub async fn issue_access_token(&self, application: &str, identity: &str) -> Result<String, ApiError> {
        let token = crate::sandbox::auth::random_token(32);
        let _w = self.write.lock().await;
        sqlx::query("DELETE FROM oidc_tokens WHERE expires < ?")
            .bind(unix_now())
            .execute(&self.pool)
            .await?;
        sqlx::query(
            "INSERT INTO oidc_tokens (token_hash, application_id, identity_id, expires) VALUES (?, ?, ?, ?)",
        )
        .bind(hash(&token))
        .bind(application)
        .bind(identity)
        .bind(unix_now() + 3600)
        .execute(&self.pool)
        .await?;
        Ok(token)
    }

    /// The (application, identity) of a live access token.
    pub async fn access_token(&self, token: &str) -> Result<Option<(String, String)>, ApiError> {
        Ok(sqlx::query_as(
            "SELECT application_id, identity_id FROM oidc_tokens WHERE token_hash = ? AND expires >= ?",
        )
        .bind(hash(token))
        .bind(unix_now())
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The identity of `realm` named `username` (ignoring case), if there is one.
    pub async fn identity_by_username(
        &self,
        realm: &str,
        username: &str,
    ) -> Result<Option<crate::model::Identity>, ApiError> {
        let id: Option<String> =
            sqlx::query_scalar("SELECT id FROM identities WHERE realm_id = ? AND username_key = ?")
                .bind(realm)
                .bind(super::username_key(username))
                .fetch_optional(&self.pool)
                .await?;
        match id {
            Some(id) => Ok(Some(self.get_identity(realm, &id).await?)),
            None => Ok(None),
        }
    }

    /// Whether `identity` holds an active passkey.
    pub async fn has_active_passkey(&self, realm: &str, identity: &str) -> Result<bool, ApiError> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM credentials WHERE realm_id = ? AND identity_id = ? AND state = 'ACTIVE'",
        )
        .bind(realm)
        .bind(identity)
        .fetch_one(&self.pool)
        .await?;
        Ok(n > 0)
    }

    /// Up to `limit` active identities of `realm` holding an active passkey, by username (the sign-in page's
    /// choices).
    pub async fn passkey_holders(&self, realm: &str, limit: u32) -> Result<Vec<(String, String)>, ApiError> {
        Ok(sqlx::query_as(
            "SELECT json_extract(i.traits, '$.username'), i.display_name FROM identities i \
             WHERE i.realm_id = ? AND i.status = ? AND EXISTS (SELECT 1 FROM credentials c \
             WHERE c.identity_id = i.id AND c.state = 'ACTIVE') ORDER BY i.username_key LIMIT ?",
        )
        .bind(realm)
        .bind(crate::model::STATUS_ACTIVE)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?)
    }
}
