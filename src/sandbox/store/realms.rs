//! Realms in the sandbox's store.

use super::{new_id, now, SandboxStore, WindowRows};
use crate::model::Realm;
use crate::sandbox::error::ApiError;

/// A row of `realms`.
#[derive(sqlx::FromRow)]
pub(super) struct RealmRow {
    id: String,
    display_name: String,
    classification: Option<String>,
    create_time: String,
    update_time: String,
}

/// The authenticator configuration a new realm gets: BI's hosted web experience with passkeys.
pub(super) fn default_authenticator() -> serde_json::Value {
    serde_json::json!({
        "type": "hosted_web",
        "authentication_methods": [{"type": "webauthn_passkey"}, {"type": "software_passkey"}],
        "trusted_origins": []
    })
}

impl SandboxStore {
    fn realm(&self, r: RealmRow) -> Realm {
        Realm {
            id: r.id,
            tenant_id: self.tenant_id.clone(),
            display_name: r.display_name,
            classification: r.classification,
            create_time: Some(r.create_time),
            update_time: Some(r.update_time),
        }
    }

    pub async fn insert_realm(
        &self,
        display_name: &str,
        classification: &str,
    ) -> Result<Realm, ApiError> {
        let _w = self.write.lock().await;
        let id = new_id();
        let t = now();
        sqlx::query(
            "INSERT INTO realms (id, display_name, classification, create_time, update_time) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(display_name)
        .bind(classification)
        .bind(&t)
        .bind(&t)
        .execute(&self.pool)
        .await?;
        drop(_w);
        // Every realm starts with an authenticator configuration, as BI's do.
        self.create_authenticator_config(&id, "Hosted Web passkeys", &default_authenticator())
            .await?;
        Ok(Realm {
            id,
            tenant_id: self.tenant_id.clone(),
            display_name: display_name.to_string(),
            classification: Some(classification.to_string()),
            create_time: Some(t.clone()),
            update_time: Some(t),
        })
    }

    pub async fn list_realms(
        &self,
        offset: u64,
        limit: u32,
    ) -> Result<WindowRows<Realm>, ApiError> {
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM realms")
            .fetch_one(&self.pool)
            .await?;
        let rows: Vec<RealmRow> =
            sqlx::query_as("SELECT * FROM realms ORDER BY seq LIMIT ? OFFSET ?")
                .bind(i64::from(limit))
                .bind(offset as i64)
                .fetch_all(&self.pool)
                .await?;
        Ok(WindowRows {
            items: rows.into_iter().map(|r| self.realm(r)).collect(),
            total: total as u64,
        })
    }

    pub async fn get_realm(&self, id: &str) -> Result<Realm, ApiError> {
        let row: Option<RealmRow> = sqlx::query_as("SELECT * FROM realms WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| self.realm(r))
            .ok_or_else(|| ApiError::not_found("Realm", id))
    }

    /// Whether realm `id` exists (BI's not-found error if not); remembered once seen (realms are never deleted).
    pub async fn check_realm(&self, id: &str) -> Result<(), ApiError> {
        if self.known_realms.read().expect("lock").contains(id) {
            return Ok(());
        }
        self.get_realm(id).await?;
        self.known_realms.write().expect("lock").insert(id.to_string());
        Ok(())
    }

    /// The first realm created: the console's default in sandbox mode.
    pub async fn first_realm(&self) -> Result<Option<String>, ApiError> {
        Ok(
            sqlx::query_scalar("SELECT id FROM realms ORDER BY seq LIMIT 1")
                .fetch_optional(&self.pool)
                .await?,
        )
    }
}
