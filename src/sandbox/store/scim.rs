//! What the sandbox's SCIM server reads beyond the REST API's queries: users by `userName` or `externalId` (equal or
//! not equal), groups by `displayName`, the ids of a realm that exist, and a group's deletion with its members.

use super::{username_key, SandboxStore, WindowRows};
use crate::model::{Group, Identity};
use crate::sandbox::error::ApiError;

/// The attribute a SCIM user filter compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserKey {
    /// Compared ignoring case, as usernames are unique ignoring case.
    UserName,
    /// Compared exactly.
    ExternalId,
}

/// A SCIM filter as the sandbox runs it: `attribute eq|ne "value"`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Compare<K> {
    pub key: K,
    pub equal: bool,
    pub value: String,
}

impl SandboxStore {
    /// A window of `realm`'s users, all or those `filter` keeps, in the order they were created.
    pub async fn scim_users(
        &self,
        realm: &str,
        filter: Option<&Compare<UserKey>>,
        offset: u64,
        limit: u32,
    ) -> Result<WindowRows<Identity>, ApiError> {
        let (test, value) = match filter {
            None => ("1 = 1".to_string(), String::new()),
            Some(f) => {
                let (column, value) = match f.key {
                    UserKey::UserName => ("username_key", username_key(&f.value)),
                    UserKey::ExternalId => ("json_extract(traits, '$.external_id')", f.value.clone()),
                };
                // `ne` keeps the users without the attribute too.
                let test = if f.equal {
                    format!("{column} = ?2")
                } else {
                    format!("({column} IS NULL OR {column} <> ?2)")
                };
                (test, value)
            }
        };
        self.scim_window("identities", &test, realm, &value, (offset, limit), Self::identity)
            .await
    }

    /// A window of `realm`'s groups, all or those whose name is (`equal`) or is not `name`, ignoring case.
    pub async fn scim_groups(
        &self,
        realm: &str,
        filter: Option<&Compare<()>>,
        offset: u64,
        limit: u32,
    ) -> Result<WindowRows<Group>, ApiError> {
        let test = match filter {
            None => "1 = 1",
            Some(f) if f.equal => "lower(display_name) = lower(?2)",
            Some(_) => "lower(display_name) <> lower(?2)",
        };
        let value = filter.map(|f| f.value.clone()).unwrap_or_default();
        self.scim_window("bi_groups", test, realm, &value, (offset, limit), Self::group)
            .await
    }

    /// The window of `table`'s rows of `realm` that pass `test` (which may use `?2`, bound to `value`), in the
    /// order they were made, with how many pass in all.
    async fn scim_window<R, T>(
        &self,
        table: &str,
        test: &str,
        realm: &str,
        value: &str,
        (offset, limit): (u64, u32),
        map: impl Fn(&Self, R) -> T,
    ) -> Result<WindowRows<T>, ApiError>
    where
        R: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> + Send + Unpin,
    {
        let total: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM {table} WHERE realm_id = ?1 AND {test}"
        ))
        .bind(realm)
        .bind(value)
        .fetch_one(&self.pool)
        .await?;
        let rows: Vec<R> = sqlx::query_as(&format!(
            "SELECT * FROM {table} WHERE realm_id = ?1 AND {test} ORDER BY seq LIMIT ?3 OFFSET ?4"
        ))
        .bind(realm)
        .bind(value)
        .bind(i64::from(limit))
        .bind(offset as i64)
        .fetch_all(&self.pool)
        .await?;
        Ok(WindowRows {
            items: rows.into_iter().map(|r| map(self, r)).collect(),
            total: total as u64,
        })
    }

    /// Those of `ids` that name no identity of `realm`.
    pub async fn unknown_identities(&self, realm: &str, ids: &[String]) -> Result<Vec<String>, ApiError> {
        let mut found = std::collections::HashSet::new();
        for chunk in ids.chunks(500) {
            let marks = vec!["?"; chunk.len()].join(", ");
            let sql = format!("SELECT id FROM identities WHERE realm_id = ? AND id IN ({marks})");
            let mut query = sqlx::query_scalar::<_, String>(&sql).bind(realm);
            for id in chunk {
                query = query.bind(id);
            }
            found.extend(query.fetch_all(&self.pool).await?);
        }
        Ok(ids.iter().filter(|id| !found.contains(*id)).cloned().collect())
    }

    /// Deletes a group with its memberships (the identities stay), as a SCIM client expects.
    pub async fn delete_group_and_members(&self, realm: &str, id: &str) -> Result<(), ApiError> {
        let _w = self.write.lock().await;
        let seq = self.group_seq(realm, id).await?;
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM members WHERE group_seq = ?")
            .bind(seq)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM bi_groups WHERE seq = ?")
            .bind(seq)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
