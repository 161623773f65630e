//! Identities in the sandbox's store: create (one, or a large seeded realm at once), list (by username too), read,
//! update under the write lock, delete (all of a batch or none), and the groups one belongs to.

use sqlx::{FromRow, Row};

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
    /// enough for a million rows: the first `big_groups` groups get `big_size` members each, the others a handful.
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
        let (n, big_groups) = (identities as i64, big_groups as i64);
        let big_size = big_size.min(identities) as i64;
        // Generated in SQL, one statement per table: a million rows in seconds, not one round trip each.
        // Person n is "{prefix}.{n:06}" (usernames are lower case, so the username key is the username).
        sqlx::query(
            "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ?1), \
             u(x, name) AS (SELECT x, ?2 || '.' || printf('%06d', x) FROM n) \
             INSERT INTO identities (id, realm_id, display_name, status, enrollment_status, username_key, traits, \
             create_time, update_time) \
             SELECT lower(hex(randomblob(8))), ?3, 'Scale Person ' || x, 'active', 'UNENROLLED', name, \
             json_object('type', 'traits_v0', 'username', name, 'given_name', 'Scale', 'family_name', 'Person ' || x, \
             'primary_email_address', name || '@scale.example'), ?4, ?4 FROM u",
        )
        .bind(n)
        .bind(prefix)
        .bind(realm)
        .bind(&t)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ?1) \
             INSERT INTO bi_groups (id, realm_id, display_name, description, create_time, update_time) \
             SELECT lower(hex(randomblob(8))), ?2, printf('Scale group %04d', x), \
             CASE WHEN x <= ?3 THEN 'A big group' ELSE 'A small group' END, ?4, ?4 FROM n",
        )
        .bind(groups as i64)
        .bind(realm)
        .bind(big_groups)
        .bind(&t)
        .execute(&mut *tx)
        .await?;
        // Group g (1-based) holds `big_size` consecutive people if g <= big_groups, else g % 20 people 97 apart,
        // starting at person (g * 7919) % n + 1.
        if n > 0 {
            sqlx::query(
                "WITH RECURSIVE k(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM k WHERE k < max(?1, 20) - 1), \
                 g(seq, g) AS (SELECT seq, ROW_NUMBER() OVER (ORDER BY seq) FROM bi_groups WHERE realm_id = ?2), \
                 picked(group_seq, person) AS ( \
                   SELECT g.seq, ((g.g * 7919 + k.k * CASE WHEN g.g <= ?3 THEN 1 ELSE 97 END) % ?4) + 1 \
                   FROM g JOIN k ON k.k < CASE WHEN g.g <= ?3 THEN ?1 ELSE g.g % 20 END) \
                 INSERT OR IGNORE INTO members (group_seq, identity_seq) \
                 SELECT picked.group_seq, i.seq FROM picked JOIN identities i \
                 ON i.realm_id = ?2 AND i.username_key = ?5 || '.' || printf('%06d', picked.person)",
            )
            .bind(big_size)
            .bind(realm)
            .bind(big_groups)
            .bind(n)
            .bind(prefix)
            .execute(&mut *tx)
            .await?;
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
                // Skip along the (realm_id, seq) index alone, then read only the page's rows: deep pages of a
                // large realm stay cheap. The realm's count comes with them (one query); alone for an empty page.
                let found = sqlx::query(
                    "SELECT *, (SELECT identities FROM realm_counts WHERE realm_id = ?) AS realm_total \
                     FROM identities WHERE realm_id = ? AND seq >= COALESCE( \
                     (SELECT seq FROM identities WHERE realm_id = ? ORDER BY seq LIMIT 1 OFFSET ?), \
                     9223372036854775807) ORDER BY seq LIMIT ?",
                )
                .bind(realm)
                .bind(realm)
                .bind(realm)
                .bind(offset as i64)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
                let total: i64 = match found.first() {
                    Some(row) => row.try_get::<Option<i64>, _>("realm_total")?.unwrap_or(0),
                    None => {
                        sqlx::query_scalar(
                            "SELECT COALESCE((SELECT identities FROM realm_counts WHERE realm_id = ?), 0)",
                        )
                        .bind(realm)
                        .fetch_one(&self.pool)
                        .await?
                    }
                };
                let rows = found
                    .iter()
                    .map(IdentityRow::from_row)
                    .collect::<Result<Vec<_>, _>>()?;
                (total, rows)
            }
        };
        Ok(WindowRows {
            items: rows.into_iter().map(|r| self.identity(r)).collect(),
            total: total as u64,
        })
    }

    /// Whether `realm` holds the identity `id`.
    pub(super) async fn identity_in(&self, realm: &str, id: &str) -> Result<bool, ApiError> {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM identities WHERE realm_id = ? AND id = ?")
                .bind(realm)
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(found.is_some())
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
