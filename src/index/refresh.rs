//! Filling a realm's index from BI: every page of its identities (200 at a time, following BI's page tokens), each
//! record written only when it changed, then whatever BI no longer has removed. One refresh per realm at a time;
//! its progress is kept for the freshness line.

use sqlx::Connection;

use crate::db::Conn;

use super::{fold, DirectoryIndex, IndexError};
use futures::TryStreamExt;

use crate::bi::pages::{pages, Bounds};
use crate::bi::Client;
use crate::model::Identity;

/// What a refresh did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RefreshReport {
    /// Identities BI listed.
    pub read: u64,
    /// Rows written: new, or changed since the last refresh.
    pub written: u64,
    /// Rows removed: gone at BI.
    pub removed: u64,
    /// BI calls made (identities, groups and member counts).
    pub calls: u64,
    /// Groups BI listed, group rows written (new, renamed or with a new member count), and removed.
    pub groups_read: u64,
    pub groups_written: u64,
    pub groups_removed: u64,
}

impl IndexError {
    /// Whether another writer held the console's database (SQLite's busy or locked): a refresh, which only brings
    /// rows up to date, can simply run again.
    pub fn is_contention(&self) -> bool {
        matches!(self, IndexError::Db(e) if e.is_contention())
    }
}

/// Runs `run` (given its attempt, from 1) again while it meets another writer holding the console's database, up
/// to `attempts` times in all, pausing `pause` times the attempt between two; any other outcome is answered at once.
pub async fn retry_on_contention<T, Fut>(
    attempts: u64,
    pause: std::time::Duration,
    mut run: impl FnMut(u64) -> Fut,
) -> Result<T, IndexError>
where
    Fut: std::future::Future<Output = Result<T, IndexError>>,
{
    let mut attempt = 1;
    loop {
        match run(attempt).await {
            Err(e) if e.is_contention() && attempt < attempts => {
                tokio::time::sleep(pause * attempt as u32).await;
                attempt += 1;
            }
            outcome => return outcome,
        }
    }
}

impl DirectoryIndex {
    /// Reads every identity of `realm` from BI and brings the index up to date with it.
    pub async fn refresh(&self, client: &Client, realm: &str) -> Result<RefreshReport, IndexError> {
        let _running = self.start(realm).ok_or(IndexError::Busy)?;
        let _writing = self.writing();
        let mut conn = self.pool.acquire().await?;
        sqlx::query("INSERT INTO ix_realms (realm_id) VALUES ($1) ON CONFLICT (realm_id) DO NOTHING")
            .bind(realm)
            .execute(&mut *conn)
            .await?;
        // This refresh's generation: rows the console writes while it runs are stamped with it and kept.
        let generation: i64 = sqlx::query_scalar("UPDATE ix_realms SET gen = gen + 1 WHERE realm_id = $1 RETURNING gen")
            .bind(realm)
            .fetch_one(&mut *conn)
            .await?;
        let mut report = RefreshReport::default();
        let mut walk = std::pin::pin!(pages(Bounds::WHOLE, |q| async move {
            client.list_identities(realm, &q).await
        }));
        loop {
            let page = match walk.try_next().await {
                Ok(Some(page)) => page,
                Ok(None) => break,
                // BI has no such realm: the index keeps nothing of it (no row for a realm that is not there).
                Err(e) if e.is_not_found() && report.calls == 0 => {
                    let mut tx = conn.begin().await?;
                    for table in ["ix_identities", "ix_groups", "ix_counts", "ix_realms"] {
                        sqlx::query(&format!("DELETE FROM {table} WHERE realm_id = $1"))
                            .bind(realm)
                            .execute(&mut *tx)
                            .await?;
                    }
                    tx.commit().await?;
                    return Err(e.into());
                }
                Err(e) => return Err(e.into()),
            };
            report.calls += 1;
            let mut tx = conn.begin().await?;
            for identity in &page.items {
                if upsert(&mut tx, realm, identity).await? {
                    report.written += 1;
                }
            }
            let ids: Vec<&str> = page.items.iter().map(|i| i.id.as_str()).collect();
            super::seen(&mut tx, "ix_identities", realm, &ids, generation).await?;
            report.read += page.items.len() as u64;
            sqlx::query("UPDATE ix_realms SET done = $1, total = $2 WHERE realm_id = $3")
                .bind(report.read as i64)
                .bind(page.total_size.max(report.read) as i64)
                .bind(realm)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        }
        let groups = self.refresh_groups(client, realm, &mut conn, generation).await?;
        report.calls += groups.calls;
        (report.groups_read, report.groups_written, report.groups_removed) =
            (groups.read, groups.written, groups.removed);
        let mut tx = conn.begin().await?;
        report.removed = Self::remove_unseen(&mut tx, "ix_identities", realm, generation).await?;
        sqlx::query("UPDATE ix_realms SET indexed_at = $1, done = $2, total = $3 WHERE realm_id = $4")
            .bind(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .bind(report.read as i64)
            .bind(report.read as i64)
            .bind(realm)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        tracing::info!(realm, read = report.read, written = report.written, removed = report.removed,
            calls = report.calls, "directory index refreshed");
        Ok(report)
    }
}

/// Writes `identity` into `realm`'s index unless the row already holds the same values; answers whether it wrote.
pub(super) async fn upsert(
    conn: &mut Conn,
    realm: &str,
    identity: &Identity,
) -> Result<bool, crate::db::StoreError> {
    let t = &identity.traits;
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let (username, email, external_id) = (text(&t.username), text(&t.primary_email_address), text(&t.external_id));
    let folded = fold(&format!(
        "{username} {} {email} {external_id}",
        identity.display_name
    ));
    let written = sqlx::query(
        "INSERT INTO ix_identities (realm_id, id, username, display_name, email, external_id, given_name, family_name, \
         status, enrollment, create_time, update_time, folded) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
         ON CONFLICT (realm_id, id) DO UPDATE SET username = excluded.username, \
         display_name = excluded.display_name, email = excluded.email, external_id = excluded.external_id, \
         given_name = excluded.given_name, family_name = excluded.family_name, \
         status = excluded.status, enrollment = excluded.enrollment, create_time = excluded.create_time, \
         update_time = excluded.update_time, folded = excluded.folded \
         WHERE (ix_identities.update_time, ix_identities.status, ix_identities.enrollment, ix_identities.folded, \
         ix_identities.given_name, ix_identities.family_name) \
         IS NOT (excluded.update_time, excluded.status, excluded.enrollment, excluded.folded, excluded.given_name, \
         excluded.family_name)",
    )
    .bind(realm)
    .bind(&identity.id)
    .bind(&username)
    .bind(&identity.display_name)
    .bind(&email)
    .bind(&external_id)
    .bind(text(&t.given_name))
    .bind(text(&t.family_name))
    .bind(identity.status.as_deref().unwrap_or(""))
    .bind(identity.enrollment_status.as_deref().unwrap_or(""))
    .bind(identity.create_time.as_deref().unwrap_or(""))
    .bind(identity.update_time.as_deref().unwrap_or(""))
    .bind(&folded)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(written > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

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
                written.map(|_| attempt).map_err(IndexError::from)
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
                    .map_err(IndexError::from)
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
        assert!(IndexError::from(e).is_contention());
        assert!(!IndexError::Busy.is_contention());
        held.rollback().await.unwrap();
        let _ = std::fs::remove_dir_all(dir);
    }
}
