//! Credentials (passkeys) in the sandbox's store: made when a person completes enrollment (or by the demo seed),
//! listed, read and revoked. Each change moves the identity's enrollment status by BI's rule (migration 0003).

use super::{new_id, ListSql, SandboxStore, WindowRows};
use crate::model::{Credential, CREDENTIAL_ACTIVE, CREDENTIAL_REVOKED};
use crate::sandbox::error::ApiError;

#[derive(sqlx::FromRow)]
pub(super) struct CredentialRow {
    id: String,
    realm_id: String,
    identity_id: String,
    state: String,
    csr_type: String,
    jwk_json: String,
    jwk_thumbprint: String,
    create_time: String,
    update_time: String,
}

/// Adds an active passkey (a WebAuthn credential) to an identity at time `t`; answers its id.
pub(super) async fn new_passkey(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    realm: &str,
    identity: &str,
    t: &str,
) -> Result<String, ApiError> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO credentials (id, realm_id, identity_id, state, csr_type, jwk_json, jwk_thumbprint, \
         create_time, update_time) VALUES (?, ?, ?, 'ACTIVE', 'WEBAUTHN', ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(realm)
    .bind(identity)
    .bind(r#"{"kty":"EC","crv":"P-256"}"#)
    .bind(format!("{}{}", new_id(), new_id()))
    .bind(t)
    .bind(t)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

impl SandboxStore {
    fn credential(&self, r: CredentialRow) -> Credential {
        Credential {
            id: r.id,
            identity_id: r.identity_id,
            realm_id: r.realm_id,
            tenant_id: self.tenant_id.clone(),
            state: r.state,
            csr_type: r.csr_type,
            jwk_json: r.jwk_json,
            jwk_thumbprint: r.jwk_thumbprint,
            create_time: Some(r.create_time),
            update_time: Some(r.update_time),
        }
    }

    /// An identity's credentials (`-`: every credential of the realm), oldest first.
    pub async fn list_credentials(
        &self,
        realm: &str,
        identity: &str,
        offset: u64,
        limit: u32,
    ) -> Result<WindowRows<Credential>, ApiError> {
        if identity == "-" {
            let sql = ListSql {
                total: "SELECT COUNT(*) FROM credentials WHERE realm_id = ?",
                rows: "SELECT * FROM credentials WHERE realm_id = ? ORDER BY seq LIMIT ? OFFSET ?",
            };
            return self.window(sql, realm, (offset, limit), Self::credential).await;
        }
        // Another realm's identity has no passkeys here.
        if !self.identity_in(realm, identity).await? {
            return Ok(WindowRows {
                items: Vec::new(),
                total: 0,
            });
        }
        let sql = ListSql {
            total: "SELECT COUNT(*) FROM credentials WHERE identity_id = ?",
            rows: "SELECT * FROM credentials WHERE identity_id = ? ORDER BY seq LIMIT ? OFFSET ?",
        };
        self.window(sql, identity, (offset, limit), Self::credential).await
    }

    pub async fn get_credential(
        &self,
        realm: &str,
        identity: &str,
        id: &str,
    ) -> Result<Credential, ApiError> {
        let row: Option<CredentialRow> = sqlx::query_as(
            "SELECT * FROM credentials WHERE realm_id = ? AND identity_id = ? AND id = ?",
        )
        .bind(realm)
        .bind(identity)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| self.credential(r))
            .ok_or_else(|| ApiError::not_found("Credential", id))
    }

    /// Revokes a credential (a revoked one stays revoked); answers it.
    pub async fn revoke_credential(
        &self,
        realm: &str,
        identity: &str,
        id: &str,
    ) -> Result<Credential, ApiError> {
        let _w = self.write.lock().await;
        let found = self.get_credential(realm, identity, id).await?;
        if found.state == CREDENTIAL_ACTIVE {
            sqlx::query("UPDATE credentials SET state = ?, update_time = ? WHERE id = ?")
                .bind(CREDENTIAL_REVOKED)
                .bind(super::now())
                .bind(id)
                .execute(&self.pool)
                .await?;
        }
        drop(_w);
        self.get_credential(realm, identity, id).await
    }
}
