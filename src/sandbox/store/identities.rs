//! Identities in the sandbox's store: create (one, or a large seeded realm at once), list (by username too), read,
//! update under the write lock, delete (all of a batch or none), and the groups one belongs to.

use super::{
    identity_seqs, is_unique_violation, new_id, now, username_key, ListSql, SandboxStore, WindowRows,
};
use crate::model::{Group, Identity, Traits};
use crate::sandbox::error::ApiError;

/// A row of `identities`; `traits` is JSON.
#[derive(sqlx::FromRow)]
pub(super) struct IdentityRow {
    id: String,
    realm_id: String,
    display_name: String,
    status: String,
    enrollment_status: Option<String>,
    traits: String,
    create_time: String,
    update_time: String,
}

impl SandboxStore {
    pub(super) fn identity(&self, r: IdentityRow) -> Identity {
        Identity {
            id: r.id,
            realm_id: r.realm_id,
            tenant_id: self.tenant_id.clone(),
            display_name: r.display_name,
            create_time: Some(r.create_time),
            update_time: Some(r.update_time),
            status: Some(r.status),
            traits: serde_json::from_str(&r.traits).unwrap_or_default(),
            enrollment_status: r.enrollment_status,
        }
    }

    /// Inserts an identity; 409 `username already exists` when the username is taken (case-insensitively).
    /// Adds a realm of `identities` identities (`{prefix}.000001`…) and `groups` groups in one transaction, fast
    /// enough for 100,000 rows: the first `big_groups` groups get `big_size` members each, the others a handful.
    pub async fn bulk_seed(
        &self,
        realm: &str,
        prefix: &str,
        identities: usize,
        groups: usize,
        big_groups: usize,
        big_size: usize,
    ) -> Result<(), ApiError> {
        let _w = self.write.lock().await;
        let mut tx = self.pool.begin().await?;
        let t = now();
        let first_seq: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) + 1 FROM identities")
            .fetch_one(&mut *tx)
            .await?;
        for n in 1..=identities {
            let username = format!("{prefix}.{n:06}");
            let traits = Traits {
                username: Some(username.clone()),
                given_name: Some("Scale".into()),
                family_name: Some(format!("Person {n}")),
                primary_email_address: Some(format!("{username}@scale.example")),
                ..Traits::default()
            };
            sqlx::query(
                "INSERT INTO identities (id, realm_id, display_name, status, enrollment_status, username_key, traits, \
                 create_time, update_time) VALUES (?, ?, ?, 'active', 'UNENROLLED', ?, ?, ?, ?)",
            )
            .bind(new_id())
            .bind(realm)
            .bind(format!("Scale Person {n}"))
            .bind(username_key(&username))
            .bind(serde_json::to_string(&traits).expect("traits serialize"))
            .bind(&t)
            .bind(&t)
            .execute(&mut *tx)
            .await?;
        }
        for g in 1..=groups {
            let seq: i64 = sqlx::query_scalar(
                "INSERT INTO bi_groups (id, realm_id, display_name, description, create_time, update_time) \
                 VALUES (?, ?, ?, ?, ?, ?) RETURNING seq",
            )
            .bind(new_id())
            .bind(realm)
            .bind(format!("Scale group {g:04}"))
            .bind(if g <= big_groups { "A big group" } else { "A small group" })
            .bind(&t)
            .bind(&t)
            .fetch_one(&mut *tx)
            .await?;
            let (size, stride) = if g <= big_groups {
                (big_size.min(identities), 1)
            } else {
                (g % 20, 97)
            };
            for m in 0..size {
                let offset = ((g * 7919 + m * stride) % identities.max(1)) as i64;
                sqlx::query(
                    "INSERT OR IGNORE INTO members (group_seq, identity_seq) VALUES (?, ?)",
                )
                .bind(seq)
                .bind(first_seq + offset)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn create_identity(
        &self,
        realm: &str,
        display_name: &str,
        status: &str,
        enrollment_status: &str,
        traits: &Traits,
        create_time: Option<String>,
    ) -> Result<Identity, ApiError> {
        let _w = self.write.lock().await;
        let username = traits.username.as_deref().unwrap_or_default();
        let id = new_id();
        let t = create_time.unwrap_or_else(now);
        let result = sqlx::query(
            "INSERT INTO identities (id, realm_id, display_name, status, enrollment_status, username_key, traits, \
             create_time, update_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(realm)
        .bind(display_name)
        .bind(status)
        .bind(enrollment_status)
        .bind(username_key(username))
        .bind(serde_json::to_string(traits).expect("traits serialize"))
        .bind(&t)
        .bind(&t)
        .execute(&self.pool)
        .await;
        match result {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => {
                return Err(ApiError::conflict("username already exists"))
            }
            Err(e) => return Err(e.into()),
        }
        Ok(Identity {
            id,
            realm_id: realm.to_string(),
            tenant_id: self.tenant_id.clone(),
            display_name: display_name.to_string(),
            create_time: Some(t.clone()),
            update_time: Some(t),
            status: Some(status.to_string()),
            traits: traits.clone(),
            enrollment_status: Some(enrollment_status.to_string()),
        })
    }

    pub async fn list_identities(
        &self,
        realm: &str,
        username: Option<&str>,
        offset: u64,
        limit: u32,
    ) -> Result<WindowRows<Identity>, ApiError> {
        let (total, rows) = match username {
            Some(u) => {
                let key = username_key(u);
                let total: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM identities WHERE realm_id = ? AND username_key = ?",
                )
                .bind(realm)
                .bind(&key)
                .fetch_one(&self.pool)
                .await?;
                let rows: Vec<IdentityRow> = sqlx::query_as(
                    "SELECT * FROM identities WHERE realm_id = ? AND username_key = ? ORDER BY seq LIMIT ? OFFSET ?",
                )
                .bind(realm)
                .bind(&key)
                .bind(i64::from(limit))
                .bind(offset as i64)
                .fetch_all(&self.pool)
                .await?;
                (total, rows)
            }
            None => {
                let total: i64 = sqlx::query_scalar(
                    "SELECT COALESCE((SELECT identities FROM realm_counts WHERE realm_id = ?), 0)",
                )
                .bind(realm)
                .fetch_one(&self.pool)
                .await?;
                // Skip along the (realm_id, seq) index alone, then read only the page's rows: deep pages of a
                // large realm stay cheap.
                let rows: Vec<IdentityRow> = sqlx::query_as(
                    "SELECT * FROM identities WHERE realm_id = ? AND seq >= COALESCE( \
                     (SELECT seq FROM identities WHERE realm_id = ? ORDER BY seq LIMIT 1 OFFSET ?), \
                     9223372036854775807) ORDER BY seq LIMIT ?",
                )
                .bind(realm)
                .bind(realm)
                .bind(offset as i64)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
                (total, rows)
            }
        };
        Ok(WindowRows {
            items: rows.into_iter().map(|r| self.identity(r)).collect(),
            total: total as u64,
        })
    }

    pub async fn get_identity(&self, realm: &str, id: &str) -> Result<Identity, ApiError> {
        let row: Option<IdentityRow> =
            sqlx::query_as("SELECT * FROM identities WHERE realm_id = ? AND id = ?")
                .bind(realm)
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|r| self.identity(r))
            .ok_or_else(|| ApiError::not_found("Identity", id))
    }

    /// Reads an identity, applies `change` and stores the result, all under the write lock, so concurrent PATCHes of
    /// different fields both land; 409 on a taken username.
    pub async fn update_identity(
        &self,
        realm: &str,
        id: &str,
        change: impl FnOnce(&mut Identity),
    ) -> Result<Identity, ApiError> {
        let _w = self.write.lock().await;
        let mut saved = self.get_identity(realm, id).await?;
        change(&mut saved);
        saved.update_time = Some(now());
        let result = sqlx::query(
            "UPDATE identities SET display_name = ?, status = ?, username_key = ?, traits = ?, update_time = ? \
             WHERE realm_id = ? AND id = ?",
        )
        .bind(&saved.display_name)
        .bind(saved.status.as_deref().unwrap_or("active"))
        .bind(username_key(saved.username()))
        .bind(serde_json::to_string(&saved.traits).expect("traits serialize"))
        .bind(&saved.update_time)
        .bind(&saved.realm_id)
        .bind(&saved.id)
        .execute(&self.pool)
        .await;
        match result {
            Ok(r) if r.rows_affected() == 0 => Err(ApiError::not_found("Identity", &saved.id)),
            Ok(_) => Ok(saved),
            Err(e) if is_unique_violation(&e) => Err(ApiError::conflict("username already exists")),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn delete_identity(&self, realm: &str, id: &str) -> Result<(), ApiError> {
        self.batch_delete_identities(realm, &[id.to_string()])
            .await
            .map_err(|e| {
                if e.status.as_u16() == 404 {
                    ApiError::not_found("Identity", id)
                } else {
                    e
                }
            })
    }

    /// Deletes all `ids` or none: any unknown id → 404 naming the unknown ones.
    pub async fn batch_delete_identities(
        &self,
        realm: &str,
        ids: &[String],
    ) -> Result<(), ApiError> {
        let _w = self.write.lock().await;
        let mut tx = self.pool.begin().await?;
        let seqs = identity_seqs(&mut tx, realm, ids).await?;
        for seq in seqs {
            sqlx::query("DELETE FROM members WHERE identity_seq = ?")
                .bind(seq)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM identities WHERE seq = ?")
                .bind(seq)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn identity_groups(
        &self,
        realm: &str,
        identity: &str,
        offset: u64,
        limit: u32,
    ) -> Result<WindowRows<Group>, ApiError> {
        let sql = ListSql {
            total: "SELECT COUNT(*) FROM members WHERE identity_seq = ?",
            rows: "SELECT g.* FROM members m JOIN bi_groups g ON g.seq = m.group_seq \
                   WHERE m.identity_seq = ? ORDER BY m.group_seq LIMIT ? OFFSET ?",
        };
        let seq = self.identity_seq(realm, identity).await?;
        self.window(sql, seq, (offset, limit), Self::group).await
    }

    pub(super) async fn identity_seq(&self, realm: &str, id: &str) -> Result<i64, ApiError> {
        sqlx::query_scalar("SELECT seq FROM identities WHERE realm_id = ? AND id = ?")
            .bind(realm)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| ApiError::not_found("Identity", id))
    }
}
