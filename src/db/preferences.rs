//! The realm preferences' store (`preferences::PreferenceStore`) on the console's database: `realm_preferences`.

use super::Db;
use crate::preferences::PreferenceStore;
use crate::store::Fut;

impl PreferenceStore for Db {
    fn get<'a>(&'a self, realm: &'a str, name: &'a str) -> Fut<'a, Option<String>> {
        Box::pin(async move {
            let value = sqlx::query_scalar("SELECT value FROM realm_preferences WHERE realm_id = $1 AND name = $2")
                .bind(realm)
                .bind(name)
                .fetch_optional(&self.pool)
                .await?;
            Ok(value)
        })
    }

    fn set<'a>(&'a self, realm: &'a str, name: &'a str, value: &'a str) -> Fut<'a, ()> {
        Box::pin(async move {
            sqlx::query(
                "INSERT INTO realm_preferences (realm_id, name, value) VALUES ($1, $2, $3) \
                 ON CONFLICT (realm_id, name) DO UPDATE SET value = excluded.value",
            )
            .bind(realm)
            .bind(name)
            .bind(value)
            .execute(&self.pool)
            .await?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::Db;
    use crate::preferences::*;

    #[tokio::test]
    async fn remembers_per_realm_and_replaces() {
        let dir = std::env::temp_dir().join(format!("bi-console-prefs-{:x}", rand::random::<u64>()));
        let prefs = Preferences::new(Db::new(crate::db::open(&dir).await.unwrap()));
        assert_eq!(prefs.get("r1", INVITATION_CONFIG).await, None);
        prefs.set("r1", INVITATION_CONFIG, "c1").await;
        prefs.set("r2", INVITATION_CONFIG, "c9").await;
        prefs.set("r1", INVITATION_CONFIG, "c2").await;
        assert_eq!(prefs.get("r1", INVITATION_CONFIG).await.as_deref(), Some("c2"));
        assert_eq!(prefs.get("r2", INVITATION_CONFIG).await.as_deref(), Some("c9"));
        let _ = std::fs::remove_dir_all(dir);
    }
}
