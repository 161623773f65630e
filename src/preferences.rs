//! What the console remembers for each realm on behalf of its operators, in its own database: today the
//! authenticator configuration last used to send a passkey invitation, which the next invitation starts from.

use crate::db::Pool;

/// The authenticator configuration last used in a realm to send an invitation.
pub const INVITATION_CONFIG: &str = "invitation_config";

#[derive(Clone)]
pub struct Preferences {
    pool: Pool,
}

impl Preferences {
    /// The preferences in `pool` (the console's database; their table in `db`'s migrations).
    pub fn new(pool: Pool) -> Preferences {
        Preferences { pool }
    }

    /// The value remembered for `realm`, if any. A failure to read is logged and answers none: a preference only
    /// chooses a default.
    pub async fn get(&self, realm: &str, name: &str) -> Option<String> {
        sqlx::query_scalar("SELECT value FROM realm_preferences WHERE realm_id = $1 AND name = $2")
            .bind(realm)
            .bind(name)
            .fetch_optional(&self.pool)
            .await
            .unwrap_or_else(|e| {
                tracing::warn!(realm, name, error = %e, "cannot read a realm preference");
                None
            })
    }

    /// Remembers `value` for `realm` (a failure is logged: the write it follows has been made).
    pub async fn set(&self, realm: &str, name: &str, value: &str) {
        let written = sqlx::query(
            "INSERT INTO realm_preferences (realm_id, name, value) VALUES ($1, $2, $3) \
             ON CONFLICT (realm_id, name) DO UPDATE SET value = excluded.value",
        )
        .bind(realm)
        .bind(name)
        .bind(value)
        .execute(&self.pool)
        .await;
        if let Err(e) = written {
            tracing::warn!(realm, name, error = %e, "cannot remember a realm preference");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn remembers_per_realm_and_replaces() {
        let dir = std::env::temp_dir().join(format!("bi-console-prefs-{:x}", rand::random::<u64>()));
        let prefs = Preferences::new(crate::db::open(&dir).await.unwrap());
        assert_eq!(prefs.get("r1", INVITATION_CONFIG).await, None);
        prefs.set("r1", INVITATION_CONFIG, "c1").await;
        prefs.set("r2", INVITATION_CONFIG, "c9").await;
        prefs.set("r1", INVITATION_CONFIG, "c2").await;
        assert_eq!(prefs.get("r1", INVITATION_CONFIG).await.as_deref(), Some("c2"));
        assert_eq!(prefs.get("r2", INVITATION_CONFIG).await.as_deref(), Some("c9"));
        let _ = std::fs::remove_dir_all(dir);
    }
}
