//! The sandbox's SQLite store (through sqlx). Writes are serialised by one lock (SQLite has one writer anyway), reads
//! run concurrently on the pool (WAL mode). Every list is a window over an indexed, stable order. The schema is
//! `src/sandbox/migrations/`, applied in order on open; rows map to BI's types through `FromRow` row types.

mod batches;
mod credentials;
mod groups;
mod identities;
mod oidc;
mod passkeys;
mod realms;
mod scim;

pub use batches::{BatchCounts, QueueFull, BATCH_QUEUE_LIMIT};
pub use oidc::{unix_now, OidcApplication, TakenCode};
pub use passkeys::{LinkStep, LinkedJob, NewJob};
pub use scim::{Compare, UserKey};

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use tokio::sync::Mutex;

use super::error::ApiError;

/// Why the store could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenStoreError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("cannot bring the schema up to date: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

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

pub struct SandboxStore {
    pool: SqlitePool,
    write: Mutex<()>,
    tenant_id: String,
    /// Realms seen to exist. The sandbox never deletes a realm, so one seen once stays: the realm check that opens
    /// every realm-scoped call costs a query only the first time.
    known_realms: std::sync::RwLock<std::collections::HashSet<String>>,
}

/// A list window's rows and the number of rows matching in all.
pub struct WindowRows<T> {
    pub items: Vec<T>,
    pub total: u64,
}

/// One list's queries: `total` counts its rows, `rows` reads them in order and ends `LIMIT ? OFFSET ?`; both take
/// the list's key (a realm id, a group's or an identity's row key) as their first parameter.
pub(super) struct ListSql {
    pub total: &'static str,
    pub rows: &'static str,
}

impl SandboxStore {
    /// The window `offset`/`limit` of the list `sql` keyed by `key`, each row turned into BI's type by `map`.
    pub(super) async fn window<'k, K, R, T>(
        &self,
        sql: ListSql,
        key: K,
        (offset, limit): (u64, u32),
        map: impl Fn(&Self, R) -> T,
    ) -> Result<WindowRows<T>, ApiError>
    where
        K: sqlx::Encode<'k, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite> + Copy + Send + 'k,
        R: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> + Send + Unpin,
    {
        let total: i64 = sqlx::query_scalar(sql.total)
            .bind(key)
            .fetch_one(&self.pool)
            .await?;
        let rows: Vec<R> = sqlx::query_as(sql.rows)
            .bind(key)
            .bind(i64::from(limit))
            .bind(offset as i64)
            .fetch_all(&self.pool)
            .await?;
        Ok(WindowRows {
            items: rows.into_iter().map(|r| map(self, r)).collect(),
            total: total as u64,
        })
    }
}

impl SandboxStore {
    /// Opens (creating when missing) the database at `path`. `fresh` is true when it had no tenant yet.
    pub async fn open(path: &Path) -> Result<(SandboxStore, bool), OpenStoreError> {
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
        sqlx::migrate!("src/sandbox/migrations").run(&pool).await?;
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
            SandboxStore {
                pool,
                write: Mutex::new(()),
                tenant_id,
                known_realms: Default::default(),
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
}

/// The row keys of `ids` in `realm`; 404 naming every id that is not there.
pub(super) async fn identity_seqs(
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

pub(super) fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.is_unique_violation())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A database from before the schema became migrations (its tables and rows, no migrations table) opens, keeps
    /// its rows, and gets its totals recomputed.
    #[tokio::test]
    async fn a_database_made_before_migrations_opens_with_its_rows() {
        let dir = std::env::temp_dir().join(format!("bi-console-store-{}", new_id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("old.sqlite");
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))
            .unwrap()
            .create_if_missing(true);
        let pool = SqlitePoolOptions::new()
            .connect_with(options)
            .await
            .unwrap();
        for sql in [
            include_str!("../migrations/0001_tables.sql"),
            include_str!("../migrations/0002_counts.sql"),
            "INSERT INTO meta VALUES ('tenant_id', '0001aaaaaaaaaaaa'); \
             INSERT INTO realms (id, display_name, create_time, update_time) VALUES ('r1', 'Old', 't', 't'); \
             INSERT INTO identities (id, realm_id, display_name, status, username_key, traits, create_time, \
             update_time) VALUES ('i1', 'r1', 'Ada', 'active', 'ada', '{}', 't', 't');",
        ] {
            sqlx::raw_sql(sql).execute(&pool).await.unwrap();
        }
        pool.close().await;
        let (store, fresh) = SandboxStore::open(&path).await.unwrap();
        assert!(!fresh);
        assert_eq!(store.tenant_id(), "0001aaaaaaaaaaaa");
        let page = store.list_identities("r1", None, 0, 10).await.unwrap();
        assert_eq!(page.total, 1);
        assert_eq!(page.items[0].display_name, "Ada");
        store.close().await;
        let _ = std::fs::remove_dir_all(dir);
    }
}
