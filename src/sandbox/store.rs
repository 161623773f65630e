//! The sandbox's SQLite store (through sqlx). Writes are serialised by one lock (SQLite has one writer anyway), reads
//! run concurrently on the pool (WAL mode). Every list is a window over an indexed, stable order.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{Row, SqlitePool};
use tokio::sync::Mutex;

use super::error::ApiError;
use crate::model::{Group, Identity, Realm, Traits};

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS realms (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    id             TEXT NOT NULL UNIQUE,
    display_name   TEXT NOT NULL,
    classification TEXT,
    create_time    TEXT NOT NULL,
    update_time    TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS identities (
    seq               INTEGER PRIMARY KEY AUTOINCREMENT,
    id                TEXT NOT NULL UNIQUE,
    realm_id          TEXT NOT NULL,
    display_name      TEXT NOT NULL,
    status            TEXT NOT NULL,
    enrollment_status TEXT,
    username_key      TEXT NOT NULL,
    traits            TEXT NOT NULL,
    create_time       TEXT NOT NULL,
    update_time       TEXT NOT NULL,
    UNIQUE (realm_id, username_key)
);
CREATE INDEX IF NOT EXISTS identities_by_realm ON identities (realm_id, seq);
CREATE TABLE IF NOT EXISTS bi_groups (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT NOT NULL UNIQUE,
    realm_id     TEXT NOT NULL,
    display_name TEXT NOT NULL,
    description  TEXT,
    create_time  TEXT NOT NULL,
    update_time  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS groups_by_realm ON bi_groups (realm_id, seq);
CREATE TABLE IF NOT EXISTS members (
    group_seq    INTEGER NOT NULL,
    identity_seq INTEGER NOT NULL,
    PRIMARY KEY (group_seq, identity_seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS members_by_identity ON members (identity_seq, group_seq);
-- Totals kept by triggers, so a list page's total_size costs one row read at any size.
CREATE TABLE IF NOT EXISTS realm_counts (
    realm_id   TEXT PRIMARY KEY,
    identities INTEGER NOT NULL DEFAULT 0,
    groups     INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS group_counts (
    group_seq INTEGER PRIMARY KEY,
    members   INTEGER NOT NULL DEFAULT 0
);
CREATE TRIGGER IF NOT EXISTS count_identity_in AFTER INSERT ON identities BEGIN
    INSERT INTO realm_counts (realm_id, identities) VALUES (NEW.realm_id, 1)
    ON CONFLICT (realm_id) DO UPDATE SET identities = identities + 1;
END;
CREATE TRIGGER IF NOT EXISTS count_identity_out AFTER DELETE ON identities BEGIN
    UPDATE realm_counts SET identities = identities - 1 WHERE realm_id = OLD.realm_id;
END;
CREATE TRIGGER IF NOT EXISTS count_group_in AFTER INSERT ON bi_groups BEGIN
    INSERT INTO realm_counts (realm_id, groups) VALUES (NEW.realm_id, 1)
    ON CONFLICT (realm_id) DO UPDATE SET groups = groups + 1;
END;
CREATE TRIGGER IF NOT EXISTS count_group_out AFTER DELETE ON bi_groups BEGIN
    UPDATE realm_counts SET groups = groups - 1 WHERE realm_id = OLD.realm_id;
    DELETE FROM group_counts WHERE group_seq = OLD.seq;
END;
CREATE TRIGGER IF NOT EXISTS count_member_in AFTER INSERT ON members BEGIN
    INSERT INTO group_counts (group_seq, members) VALUES (NEW.group_seq, 1)
    ON CONFLICT (group_seq) DO UPDATE SET members = members + 1;
END;
CREATE TRIGGER IF NOT EXISTS count_member_out AFTER DELETE ON members BEGIN
    UPDATE group_counts SET members = members - 1 WHERE group_seq = OLD.group_seq;
END;
"#;

/// Fills the totals once for a database made before they were kept.
const BACKFILL_COUNTS: &str = r#"
DELETE FROM realm_counts;
DELETE FROM group_counts;
INSERT INTO realm_counts (realm_id, identities, groups)
    SELECT r.id,
           (SELECT COUNT(*) FROM identities i WHERE i.realm_id = r.id),
           (SELECT COUNT(*) FROM bi_groups g WHERE g.realm_id = r.id)
    FROM realms r;
INSERT INTO group_counts (group_seq, members)
    SELECT group_seq, COUNT(*) FROM members GROUP BY group_seq;
INSERT INTO meta (key, value) VALUES ('counts', 'v1');
"#;

pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// 16 lowercase hex digits, like BI's ids.
pub fn new_id() -> String {
    format!("{:016x}", rand::random::<u64>())
}

pub fn username_key(username: &str) -> String {
    username.to_lowercase()
}

pub struct Store {
    pool: SqlitePool,
    write: Mutex<()>,
    tenant_id: String,
}

/// A list window's rows and the number of rows matching in all.
pub struct Rows<T> {
    pub items: Vec<T>,
    pub total: u64,
}

impl Store {
    /// Opens (creating when missing) the database at `path`. `fresh` is true when it had no tenant yet.
    pub async fn open(path: &Path) -> Result<(Store, bool), sqlx::Error> {
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        sqlx::raw_sql(SCHEMA).execute(&pool).await?;
        let counted: Option<String> =
            sqlx::query_scalar("SELECT value FROM meta WHERE key = 'counts'")
                .fetch_optional(&pool)
                .await?;
        if counted.is_none() {
            let mut tx = pool.begin().await?;
            sqlx::raw_sql(BACKFILL_COUNTS).execute(&mut *tx).await?;
            tx.commit().await?;
        }
        let existing: Option<String> =
            sqlx::query_scalar("SELECT value FROM meta WHERE key = 'tenant_id'")
                .fetch_optional(&pool)
                .await?;
        let fresh = existing.is_none();
        let tenant_id = match existing {
            Some(t) => t,
            None => {
                let t = format!("0001{:012x}", rand::random::<u64>() & 0xffff_ffff_ffff);
                sqlx::query("INSERT INTO meta (key, value) VALUES ('tenant_id', ?)")
                    .bind(&t)
                    .execute(&pool)
                    .await?;
                t
            }
        };
        Ok((
            Store {
                pool,
                write: Mutex::new(()),
                tenant_id,
            },
            fresh,
        ))
    }

    pub fn tenant_id(&self) -> &str {
        &self.tenant_id
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    // --- realms --------------------------------------------------------------------------------------------------

    fn realm(&self, r: &SqliteRow) -> Realm {
        Realm {
            id: r.get("id"),
            tenant_id: self.tenant_id.clone(),
            display_name: r.get("display_name"),
            classification: r.get("classification"),
            create_time: Some(r.get("create_time")),
            update_time: Some(r.get("update_time")),
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
        Ok(Realm {
            id,
            tenant_id: self.tenant_id.clone(),
            display_name: display_name.to_string(),
            classification: Some(classification.to_string()),
            create_time: Some(t.clone()),
            update_time: Some(t),
        })
    }

    pub async fn list_realms(&self, offset: u64, limit: u32) -> Result<Rows<Realm>, ApiError> {
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM realms")
            .fetch_one(&self.pool)
            .await?;
        let rows = sqlx::query("SELECT * FROM realms ORDER BY seq LIMIT ? OFFSET ?")
            .bind(i64::from(limit))
            .bind(offset as i64)
            .fetch_all(&self.pool)
            .await?;
        Ok(Rows {
            items: rows.iter().map(|r| self.realm(r)).collect(),
            total: total as u64,
        })
    }

    pub async fn get_realm(&self, id: &str) -> Result<Realm, ApiError> {
        let row = sqlx::query("SELECT * FROM realms WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| self.realm(&r))
            .ok_or_else(|| ApiError::not_found("Realm", id))
    }

    /// The first realm created: the console's default in sandbox mode.
    pub async fn first_realm(&self) -> Result<Option<String>, ApiError> {
        Ok(
            sqlx::query_scalar("SELECT id FROM realms ORDER BY seq LIMIT 1")
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    // --- identities ----------------------------------------------------------------------------------------------

    fn identity(&self, r: &SqliteRow) -> Identity {
        let traits: String = r.get("traits");
        Identity {
            id: r.get("id"),
            realm_id: r.get("realm_id"),
            tenant_id: self.tenant_id.clone(),
            display_name: r.get("display_name"),
            create_time: Some(r.get("create_time")),
            update_time: Some(r.get("update_time")),
            status: Some(r.get("status")),
            traits: serde_json::from_str(&traits).unwrap_or_default(),
            enrollment_status: r.get("enrollment_status"),
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
    ) -> Result<Rows<Identity>, ApiError> {
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
                let rows = sqlx::query(
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
                let rows = sqlx::query(
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
        Ok(Rows {
            items: rows.iter().map(|r| self.identity(r)).collect(),
            total: total as u64,
        })
    }

    pub async fn get_identity(&self, realm: &str, id: &str) -> Result<Identity, ApiError> {
        let row = sqlx::query("SELECT * FROM identities WHERE realm_id = ? AND id = ?")
            .bind(realm)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| self.identity(&r))
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
    ) -> Result<Rows<Group>, ApiError> {
        let seq = self.identity_seq(realm, identity).await?;
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM members WHERE identity_seq = ?")
            .bind(seq)
            .fetch_one(&self.pool)
            .await?;
        let rows = sqlx::query(
            "SELECT g.* FROM members m JOIN bi_groups g ON g.seq = m.group_seq WHERE m.identity_seq = ? \
             ORDER BY m.group_seq LIMIT ? OFFSET ?",
        )
        .bind(seq)
        .bind(i64::from(limit))
        .bind(offset as i64)
        .fetch_all(&self.pool)
        .await?;
        Ok(Rows {
            items: rows.iter().map(|r| self.group(r)).collect(),
            total: total as u64,
        })
    }

    async fn identity_seq(&self, realm: &str, id: &str) -> Result<i64, ApiError> {
        sqlx::query_scalar("SELECT seq FROM identities WHERE realm_id = ? AND id = ?")
            .bind(realm)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| ApiError::not_found("Identity", id))
    }

    // --- groups --------------------------------------------------------------------------------------------------

    fn group(&self, r: &SqliteRow) -> Group {
        Group {
            id: r.get("id"),
            realm_id: r.get("realm_id"),
            tenant_id: self.tenant_id.clone(),
            display_name: r.get("display_name"),
            description: r.get("description"),
            create_time: Some(r.get("create_time")),
            update_time: Some(r.get("update_time")),
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
    ) -> Result<Rows<Group>, ApiError> {
        let total: i64 = sqlx::query_scalar(
            "SELECT COALESCE((SELECT groups FROM realm_counts WHERE realm_id = ?), 0)",
        )
        .bind(realm)
        .fetch_one(&self.pool)
        .await?;
        let rows =
            sqlx::query("SELECT * FROM bi_groups WHERE realm_id = ? ORDER BY seq LIMIT ? OFFSET ?")
                .bind(realm)
                .bind(i64::from(limit))
                .bind(offset as i64)
                .fetch_all(&self.pool)
                .await?;
        Ok(Rows {
            items: rows.iter().map(|r| self.group(r)).collect(),
            total: total as u64,
        })
    }

    pub async fn get_group(&self, realm: &str, id: &str) -> Result<Group, ApiError> {
        let row = sqlx::query("SELECT * FROM bi_groups WHERE realm_id = ? AND id = ?")
            .bind(realm)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| self.group(&r))
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

    async fn group_seq(&self, realm: &str, id: &str) -> Result<i64, ApiError> {
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
    ) -> Result<Rows<Identity>, ApiError> {
        let seq = self.group_seq(realm, group).await?;
        let total: i64 = sqlx::query_scalar(
            "SELECT COALESCE((SELECT members FROM group_counts WHERE group_seq = ?), 0)",
        )
        .bind(seq)
        .fetch_one(&self.pool)
        .await?;
        let rows = sqlx::query(
            "SELECT i.* FROM members m JOIN identities i ON i.seq = m.identity_seq WHERE m.group_seq = ? \
             ORDER BY m.identity_seq LIMIT ? OFFSET ?",
        )
        .bind(seq)
        .bind(i64::from(limit))
        .bind(offset as i64)
        .fetch_all(&self.pool)
        .await?;
        Ok(Rows {
            items: rows.iter().map(|r| self.identity(r)).collect(),
            total: total as u64,
        })
    }
}

/// The row keys of `ids` in `realm`; 404 naming every id that is not there.
async fn identity_seqs(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    realm: &str,
    ids: &[String],
) -> Result<Vec<i64>, ApiError> {
    let mut seqs = Vec::with_capacity(ids.len());
    let mut missing = Vec::new();
    for id in ids {
        let seq: Option<i64> =
            sqlx::query_scalar("SELECT seq FROM identities WHERE realm_id = ? AND id = ?")
                .bind(realm)
                .bind(id)
                .fetch_optional(&mut **tx)
                .await?;
        match seq {
            Some(s) => seqs.push(s),
            None => missing.push(id.clone()),
        }
    }
    if missing.is_empty() {
        Ok(seqs)
    } else {
        Err(ApiError::identities_not_found(missing))
    }
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.is_unique_violation())
}
