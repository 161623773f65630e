//! The console's own database, and the only room that opens it, names its engine or writes its SQL: it makes the
//! file in the data directory, brings the schema to this version through versioned migrations (`migrations/`, run
//! in order once each and recorded in the database), and implements on it ([`Db`]) the store each subject declares
//! beside its domain: `audit::AuditStore`, `preferences::PreferenceStore`, the imports' stores
//! (`transfer::store`) and `index::IndexStore`; the sessions' store is tower-sessions' own ([`SessionStore`]).
//!
//! SQL is written for SQLite (the embedded default) in a form PostgreSQL takes as well where the two agree:
//! `ON CONFLICT … DO NOTHING` rather than `INSERT OR IGNORE`, explicit order columns rather than row ids, plain
//! columns rather than temporary tables.

mod audit;
mod imports;
mod index;
mod legacy;
mod preferences;

use std::path::{Path, PathBuf};

/// The console's database as the stores' implementation: each subject's store interface (`audit::AuditStore`,
/// `preferences::PreferenceStore`) is implemented on it in this room.
#[derive(Clone)]
pub struct Db {
    pool: Pool,
}

impl Db {
    pub fn new(pool: Pool) -> Db {
        Db { pool }
    }
}

/// A pool of connections to the console's database.
pub type Pool = sqlx::SqlitePool;
/// One connection of the [`Pool`] (a transaction derefs to one).
pub type Conn = sqlx::SqliteConnection;
/// A row read from the console's database.
pub type DbRow = sqlx::sqlite::SqliteRow;
/// The engine, for query builders.
pub type Engine = sqlx::Sqlite;
/// A query with its parameters bound, not yet run.
pub type Query<'q> = sqlx::query::Query<'q, Engine, <Engine as sqlx::Database>::Arguments<'q>>;

/// The sessions' store in the console's database (its table made by the store itself, `sessions`).
pub type SessionStore = tower_sessions_sqlx_store::SqliteStore;

/// The migrations of the console's database, in this build.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("src/db/migrations");

pub use crate::store::StoreError;

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> StoreError {
        // SQLite's busy (5) or locked (6), extended codes included.
        let contention = match &e {
            sqlx::Error::Database(d) => d
                .code()
                .and_then(|c| c.parse::<i32>().ok())
                .is_some_and(|c| matches!(c & 0xff, 5 | 6)),
            _ => false,
        };
        StoreError::new(e.to_string(), contention)
    }
}

/// Why the console's database could not be brought to this build's schema.
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the console's database could not be brought to this version: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error(
        "the console's database has migration {0}, which this console does not know: it was opened by a newer \
         console. Run that version (or restore a backup made before it)"
    )]
    Newer(i64),
}

impl From<sqlx::Error> for MigrateError {
    fn from(e: sqlx::Error) -> MigrateError {
        MigrateError::Store(e.into())
    }
}

/// Why the console's database could not be opened or prepared.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("cannot create {}: {source}", path.display())]
    Dir { path: PathBuf, source: std::io::Error },
    #[error("cannot open {}: {source}", path.display())]
    Open { path: PathBuf, source: sqlx::Error },
    #[error("cannot prepare {}: {source}", path.display())]
    Prepare { path: PathBuf, source: MigrateError },
}

/// `sql` assembled from parts, each parameter written `?`, with its parameters numbered `$1`, `$2`, … in order (the
/// form both SQLite and PostgreSQL take); a `?` inside a quoted string is left alone.
pub fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let (mut n, mut quoted) = (0, false);
    for c in sql.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                out.push(c);
            }
            '?' if !quoted => {
                n += 1;
                out.push_str(&format!("${n}"));
            }
            _ => out.push(c),
        }
    }
    out
}

/// The console's database in `data_dir` (`console.db`, made when missing), at this build's schema version.
pub async fn open(data_dir: &Path) -> Result<Pool, OpenError> {
    use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
    std::fs::create_dir_all(data_dir).map_err(|source| OpenError::Dir {
        path: data_dir.to_path_buf(),
        source,
    })?;
    let path = data_dir.join("console.db");
    let options = SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(std::time::Duration::from_secs(5));
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        .connect_with(options)
        .await
        .map_err(|source| OpenError::Open { path: path.clone(), source })?;
    migrate(&pool)
        .await
        .map_err(|source| OpenError::Prepare { path, source })?;
    Ok(pool)
}

/// Brings `pool`'s schema to this build's version: a database made before migrations first gains the columns
/// added since its tables were made (`legacy`), then every migration not yet applied runs, each in its
/// transaction. A database that has a migration this build does not know is refused, untouched.
pub async fn migrate(pool: &Pool) -> Result<(), MigrateError> {
    let applied: Vec<i64> = if legacy::has_migrations(pool).await? {
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations")
            .fetch_all(pool)
            .await?
    } else {
        legacy::upgrade(pool).await?;
        Vec::new()
    };
    if let Some(newer) = applied
        .iter()
        .find(|v| !MIGRATOR.iter().any(|m| m.version == **v))
    {
        return Err(MigrateError::Newer(*newer));
    }
    MIGRATOR.run(pool).await?;
    Ok(())
}

/// The sessions' store in `pool`, its table made when missing.
pub async fn session_store(pool: Pool) -> Result<SessionStore, StoreError> {
    let store = SessionStore::new(pool)
        .with_table_name("sessions")
        .map_err(|e| StoreError::new(e.to_string(), false))?;
    store.migrate().await.map_err(|e| StoreError::new(e.to_string(), false))?;
    Ok(store)
}

/// Whether the database answers (one trivial query).
pub async fn ping(pool: &Pool) -> Result<(), StoreError> {
    sqlx::query("SELECT 1").execute(pool).await?;
    Ok(())
}

/// Whether the database holds exactly this build's migrations, all applied.
pub async fn schema_current(pool: &Pool) -> Result<bool, StoreError> {
    let applied: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
            .fetch_all(pool)
            .await?;
    Ok(applied == known_versions())
}

/// The migrations this build knows, by version (for `migrate --status` and the tests).
pub fn known_versions() -> Vec<i64> {
    MIGRATOR.iter().map(|m| m.version).collect()
}

/// A database of one connection in memory, migrated (for unit tests).
#[cfg(test)]
pub(crate) async fn in_memory() -> Pool {
    let pool = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect("sqlite::memory:")
        .await
        .expect("an in-memory database");
    migrate(&pool).await.expect("migrations run");
    pool
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(tag: &str) -> PathBuf {
        std::env::temp_dir().join(format!("bi-console-db-{tag}-{:016x}", rand::random::<u64>()))
    }

    #[test]
    fn parameters_are_numbered_in_order_outside_quoted_strings() {
        assert_eq!(
            numbered("SELECT * FROM t WHERE a = ? AND b LIKE ? ESCAPE '?' AND c IN (?, ?) LIMIT ?"),
            "SELECT * FROM t WHERE a = $1 AND b LIKE $2 ESCAPE '?' AND c IN ($3, $4) LIMIT $5"
        );
        assert_eq!(numbered("SELECT 1"), "SELECT 1");
    }

    #[tokio::test]
    async fn a_new_database_gets_every_migration_and_opening_again_changes_nothing() {
        let dir = dir("new");
        let pool = open(&dir).await.unwrap();
        let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&pool)
            .await
            .unwrap();
        assert_eq!(applied, known_versions());
        sqlx::query("INSERT INTO realm_preferences (realm_id, name, value) VALUES ($1, $2, $3)")
            .bind("r")
            .bind("n")
            .bind("v")
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
        let pool = open(&dir).await.unwrap();
        let kept: String = sqlx::query_scalar("SELECT value FROM realm_preferences WHERE realm_id = $1")
            .bind("r")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(kept, "v");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test]
    async fn a_database_from_a_newer_console_is_refused_untouched() {
        let dir = dir("newer");
        let pool = open(&dir).await.unwrap();
        sqlx::query(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES (99990101000000, 'from a newer console', TRUE, X'00', 0)",
        )
        .execute(&pool)
        .await
        .unwrap();
        pool.close().await;
        let refused = open(&dir).await.unwrap_err();
        assert!(
            matches!(refused, OpenError::Prepare { source: MigrateError::Newer(99990101000000), .. }),
            "{refused}"
        );
        assert!(refused.to_string().contains("newer console"), "{refused}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
