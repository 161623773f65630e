//! Groups and their members in the sandbox's store.

use super::{identity_seqs, new_id, now, ListSql, SandboxStore, WindowRows};
use crate::model::{Group, Identity};
use crate::sandbox::error::ApiError;

/// A row of `bi_groups`.
#[derive(sqlx::FromRow)]
pub(super) struct GroupRow {
    id: String,
    realm_id: String,
    display_name: String,
    description: Option<String>,
    create_time: String,
    update_time: String,
}

impl SandboxStore {
    pub(super) fn group(&self, r: GroupRow) -> Group {
        Group {
            id: r.id,
            realm_id: r.realm_id,
            tenant_id: self.tenant_id.clone(),
            display_name: r.display_name,
            description: r.description,
            create_time: Some(r.create_time),
            update_time: Some(r.update_time),
        }
    }

    pub async fn create_group(
        &self,
        realm: &str,
        display_name: &str,
        description: Option<&str>,
        create_time: Option<String>,
    ) -> Result<Group, ApiError> {
        let _w = self.write.lock().await;
        let id = new_id();
        let t = create_time.unwrap_or_else(now);
        sqlx::query(
            "INSERT INTO bi_groups (id, realm_id, display_name, description, create_time, update_time) \
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(realm)
        .bind(display_name)
        .bind(description)
        .bind(&t)
        .bind(&t)
        .execute(&self.pool)
        .await?;
        Ok(Group {
            id,
            realm_id: realm.to_string(),
            tenant_id: self.tenant_id.clone(),
            display_name: display_name.to_string(),
            description: description.map(str::to_string),
            create_time: Some(t.clone()),
            update_time: Some(t),
        })
    }

    pub async fn list_groups(
        &self,
        realm: &str,
        offset: u64,
        limit: u32,
    ) -> Result<WindowRows<Group>, ApiError> {
        let sql = ListSql {
            total: "SELECT COALESCE((SELECT groups FROM realm_counts WHERE realm_id = ?), 0)",
            rows: "SELECT * FROM bi_groups WHERE realm_id = ? ORDER BY seq LIMIT ? OFFSET ?",
        };
        self.window(sql, realm, (offset, limit), Self::group).await
    }

    pub async fn get_group(&self, realm: &str, id: &str) -> Result<Group, ApiError> {
        let row: Option<GroupRow> =
            sqlx::query_as("SELECT * FROM bi_groups WHERE realm_id = ? AND id = ?")
                .bind(realm)
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|r| self.group(r))
            .ok_or_else(|| ApiError::not_found("Group", id))
    }

    /// Reads a group, applies `change` and stores the result, all under the write lock.
    pub async fn update_group(
        &self,
        realm: &str,
        id: &str,
        change: impl FnOnce(&mut Group),
    ) -> Result<Group, ApiError> {
        let _w = self.write.lock().await;
        let mut saved = self.get_group(realm, id).await?;
        change(&mut saved);
        saved.update_time = Some(now());
        let r = sqlx::query(
            "UPDATE bi_groups SET display_name = ?, description = ?, update_time = ? WHERE realm_id = ? AND id = ?",
        )
        .bind(&saved.display_name)
        .bind(&saved.description)
        .bind(&saved.update_time)
        .bind(&saved.realm_id)
        .bind(&saved.id)
        .execute(&self.pool)
        .await?;
        if r.rows_affected() == 0 {
            return Err(ApiError::not_found("Group", &saved.id));
        }
        Ok(saved)
    }

    /// Deletes a group; 409 `group has children` while it has members.
    pub async fn delete_group(&self, realm: &str, id: &str) -> Result<(), ApiError> {
        let _w = self.write.lock().await;
        let seq = self.group_seq(realm, id).await?;
        let members: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM members WHERE group_seq = ?")
            .bind(seq)
            .fetch_one(&self.pool)
            .await?;
        if members > 0 {
            return Err(ApiError::conflict("group has children"));
        }
        sqlx::query("DELETE FROM bi_groups WHERE seq = ?")
            .bind(seq)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub(super) async fn group_seq(&self, realm: &str, id: &str) -> Result<i64, ApiError> {
        sqlx::query_scalar("SELECT seq FROM bi_groups WHERE realm_id = ? AND id = ?")
            .bind(realm)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| ApiError::not_found("Group", id))
    }

    /// Adds (`add = true`) or removes members; every id must name an identity of the realm, else 404 and nothing
    /// changes. Adding a member twice or removing a non-member is not an error.
    pub async fn change_members(
        &self,
        realm: &str,
        group: &str,
        ids: &[String],
        add: bool,
    ) -> Result<Group, ApiError> {
        let _w = self.write.lock().await;
        let group_seq = self.group_seq(realm, group).await?;
        let mut tx = self.pool.begin().await?;
        let seqs = identity_seqs(&mut tx, realm, ids).await?;
        let sql = if add {
            "INSERT OR IGNORE INTO members (group_seq, identity_seq) VALUES (?, ?)"
        } else {
            "DELETE FROM members WHERE group_seq = ? AND identity_seq = ?"
        };
        for seq in seqs {
            sqlx::query(sql)
                .bind(group_seq)
                .bind(seq)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        drop(_w);
        self.get_group(realm, group).await
    }

    pub async fn list_members(
        &self,
        realm: &str,
        group: &str,
        offset: u64,
        limit: u32,
    ) -> Result<WindowRows<Identity>, ApiError> {
        let sql = ListSql {
            total: "SELECT COALESCE((SELECT members FROM group_counts WHERE group_seq = ?), 0)",
            rows: "SELECT i.* FROM members m JOIN identities i ON i.seq = m.identity_seq \
                   WHERE m.group_seq = ? ORDER BY m.identity_seq LIMIT ? OFFSET ?",
        };
        let seq = self.group_seq(realm, group).await?;
        self.window(sql, seq, (offset, limit), Self::identity).await
    }
}
