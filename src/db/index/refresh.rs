//! A refresh's writes: its generation, each page of identities or groups in a transaction of its own (a row written
//! only when it changed, every row seen marked with the generation in the row), then what the refresh did not see
//! removed, and the realm's progress for the freshness line.

use sqlx::Connection;

use super::super::{Conn, Pool, StoreError};
use super::identities::seen;
use crate::model::{Group, Identity};

/// Starts a refresh of `realm`: its row in `ix_realms`, and the refresh's generation (rows the console writes while it
/// runs are stamped with it and kept).
pub(super) async fn begin_refresh(pool: &Pool, realm: &str) -> Result<i64, StoreError> {
    let mut conn = pool.acquire().await?;
    sqlx::query("INSERT INTO ix_realms (realm_id) VALUES ($1) ON CONFLICT (realm_id) DO NOTHING")
        .bind(realm)
        .execute(&mut *conn)
        .await?;
    let generation: i64 = sqlx::query_scalar("UPDATE ix_realms SET gen = gen + 1 WHERE realm_id = $1 RETURNING gen")
        .bind(realm)
        .fetch_one(&mut *conn)
        .await?;
    Ok(generation)
}

/// Forgets everything of `realm` (BI has no such realm: the index keeps no row for it).
pub(super) async fn forget_realm(pool: &Pool, realm: &str) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    for table in ["ix_identities", "ix_groups", "ix_counts", "ix_realms"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE realm_id = $1"))
            .bind(realm)
            .execute(&mut *tx)
            .await?;
    }
    Ok(tx.commit().await?)
}

/// Writes one page of `realm`'s identities for the refresh of `generation`, and its progress (`read` so far of
/// `total`); answers how many rows it wrote.
pub(super) async fn write_identities(
    pool: &Pool,
    realm: &str,
    page: &[Identity],
    generation: i64,
    read: u64,
    total: u64,
) -> Result<u64, StoreError> {
    let mut conn = pool.acquire().await?;
    let mut tx = conn.begin().await?;
    let mut written = 0;
    for identity in page {
        if super::identities::upsert(&mut tx, realm, identity).await? {
            written += 1;
        }
    }
    let ids: Vec<&str> = page.iter().map(|i| i.id.as_str()).collect();
    seen(&mut tx, "ix_identities", realm, &ids, generation).await?;
    sqlx::query("UPDATE ix_realms SET done = $1, total = $2 WHERE realm_id = $3")
        .bind(read as i64)
        .bind(total.max(read) as i64)
        .bind(realm)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(written)
}

/// Writes one page of `realm`'s groups, each with its member count, for the refresh of `generation`; answers how
/// many rows it wrote.
pub(super) async fn write_groups(
    pool: &Pool,
    realm: &str,
    page: &[(Group, u64)],
    generation: i64,
) -> Result<u64, StoreError> {
    let mut conn = pool.acquire().await?;
    let mut tx = conn.begin().await?;
    let mut written = 0;
    for (group, members) in page {
        if super::groups::upsert(&mut tx, realm, group, Some(*members)).await? {
            written += 1;
        }
    }
    let ids: Vec<&str> = page.iter().map(|(g, _)| g.id.as_str()).collect();
    seen(&mut tx, "ix_groups", realm, &ids, generation).await?;
    tx.commit().await?;
    Ok(written)
}

/// Ends the refresh of `generation`: removes the identities and groups it did not see (but those the console wrote
/// meanwhile) and marks the realm indexed with `read` identities; answers how many identities and groups it removed.
pub(super) async fn end_refresh(pool: &Pool, realm: &str, generation: i64, read: u64) -> Result<(u64, u64), StoreError> {
    let mut conn = pool.acquire().await?;
    let mut tx = conn.begin().await?;
    let groups = remove_unseen(&mut tx, "ix_groups", realm, generation).await?;
    let identities = remove_unseen(&mut tx, "ix_identities", realm, generation).await?;
    sqlx::query("UPDATE ix_realms SET indexed_at = $1, done = $2, total = $3 WHERE realm_id = $4")
        .bind(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .bind(read as i64)
        .bind(read as i64)
        .bind(realm)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok((identities, groups))
}

/// Removes the rows of `table` in `realm` the refresh of generation `generation` did not see, except those the console
/// wrote while it ran (stamped with its generation).
async fn remove_unseen(
    conn: &mut Conn,
    table: &str,
    realm: &str,
    generation: i64,
) -> Result<u64, StoreError> {
    let sql = format!("DELETE FROM {table} WHERE realm_id = $1 AND stamp < $2");
    Ok(sqlx::query(&sql)
        .bind(realm)
        .bind(generation)
        .execute(&mut *conn)
        .await?
        .rows_affected())
}

#[cfg(test)]
mod tests {
    /// SQLite's own connections: the contention tested is SQLite's "database is locked".
    type Conn = sqlx::SqliteConnection;
    use crate::index::{retry_on_contention, IndexError};
    use crate::store::StoreError;
    use sqlx::Connection;

    /// A new database with a table `t`: a connection to hold it with, and one that waits for no one.
    async fn database(dir: &std::path::Path) -> (Conn, Conn) {
        std::fs::create_dir_all(dir).unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.join("db.sqlite").display());
        let options = |timeout| {
            url.parse::<sqlx::sqlite::SqliteConnectOptions>()
                .unwrap()
                .busy_timeout(std::time::Duration::from_millis(timeout))
        };
        use sqlx::ConnectOptions;
        let mut holder = options(1000).connect().await.unwrap();
        sqlx::query("CREATE TABLE t (x)").execute(&mut holder).await.unwrap();
        (holder, options(0).connect().await.unwrap())
    }

    /// `holder`'s write in a transaction left open: the database is held until it ends.
    async fn hold(holder: &mut Conn) -> sqlx::Transaction<'_, sqlx::Sqlite> {
        let mut held = holder.begin().await.unwrap();
        sqlx::query("INSERT INTO t VALUES (1)").execute(&mut *held).await.unwrap();
        held
    }

    #[tokio::test]
    async fn a_refresh_that_meets_a_held_database_runs_again_and_nothing_else_does() {
        let dir = std::env::temp_dir().join(format!("ix-retry-{}", rand::random::<u64>()));
        let (mut holder, other) = database(&dir).await;
        let held = tokio::sync::Mutex::new(Some(hold(&mut holder).await));
        let other = tokio::sync::Mutex::new(other);
        let pause = std::time::Duration::from_millis(1);
        // Held for two attempts (real "database is locked" errors), let go after the second: the third writes.
        let mut tried = Vec::new();
        let outcome = retry_on_contention(3, pause, |attempt| {
            tried.push(attempt);
            let (held, other) = (&held, &other);
            async move {
                let written = sqlx::query("INSERT INTO t VALUES (2)")
                    .execute(&mut *other.lock().await)
                    .await;
                if attempt == 2 {
                    held.lock().await.take().unwrap().rollback().await.unwrap();
                }
                written.map(|_| attempt).map_err(|e| IndexError::Db(StoreError::from(e)))
            }
        })
        .await;
        assert_eq!(outcome.unwrap(), 3);
        assert_eq!(tried, [1, 2, 3]);
        // Held throughout: three attempts, then the contention is answered.
        let (mut holder, other) = database(&dir.join("again")).await;
        let held = hold(&mut holder).await;
        let other = tokio::sync::Mutex::new(other);
        let mut tried = 0;
        let outcome = retry_on_contention(3, pause, |_| {
            tried += 1;
            let other = &other;
            async move {
                sqlx::query("INSERT INTO t VALUES (2)")
                    .execute(&mut *other.lock().await)
                    .await
                    .map_err(|e| IndexError::Db(StoreError::from(e)))
            }
        })
        .await;
        assert!(outcome.unwrap_err().is_contention());
        assert_eq!(tried, 3);
        held.rollback().await.unwrap();
        // Any other failure is answered at once.
        let mut tried = 0;
        let outcome: Result<(), _> = retry_on_contention(3, pause, |_| {
            tried += 1;
            async { Err(IndexError::Busy) }
        })
        .await;
        assert!(matches!(outcome, Err(IndexError::Busy)));
        assert_eq!(tried, 1);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn a_database_held_by_another_writer_is_contention() {
        let dir = std::env::temp_dir().join(format!("ix-busy-{}", rand::random::<u64>()));
        let (mut holder, mut other) = database(&dir).await;
        let held = hold(&mut holder).await;
        let e = sqlx::query("INSERT INTO t VALUES (2)").execute(&mut other).await.unwrap_err();
        assert!(IndexError::Db(StoreError::from(e)).is_contention());
        assert!(!IndexError::Busy.is_contention());
        held.rollback().await.unwrap();
        let _ = std::fs::remove_dir_all(dir);
    }
}
