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
mod audit_sink;
mod backup;
pub use backup::{backup_into, check_backup};
mod imports;
mod index;
mod invitation_runs;
mod jobs;
mod legacy;
mod preferences;
mod sessions;
mod metrics;
pub use metrics::metrics_snapshot;
mod operators;
mod passkeys;
mod signin;

pub use sessions::{session_store, SessionStore};

use std::path::{Path, PathBuf};

/// Which engine holds the console's database: SQLite (the embedded default, one process) or PostgreSQL (several
/// replicas sharing it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The engine a database URL names (`sqlite:…`, `postgres://…` or `postgresql://…`).
    pub fn of_url(url: &str) -> Option<Backend> {
        let scheme = url.split(':').next().unwrap_or_default();
        match scheme {
            "sqlite" => Some(Backend::Sqlite),
            "postgres" | "postgresql" => Some(Backend::Postgres),
            _ => None,
        }
    }

    /// The engine behind `pool`.
    pub fn of(pool: &Pool) -> Backend {
        Backend::of_url(pool.connect_options().database_url.as_str()).unwrap_or(Backend::Sqlite)
    }

    /// This engine's migrations, in this build.
    fn migrator(self) -> &'static sqlx::migrate::Migrator {
        match self {
            Backend::Sqlite => &SQLITE_MIGRATOR,
            Backend::Postgres => &POSTGRES_MIGRATOR,
        }
    }
}

/// The console's database as the stores' implementation: each subject's store interface (`audit::AuditStore`,
/// `preferences::PreferenceStore`, …) is implemented on it in this room, in the SQL of its engine where the two
/// differ.
#[derive(Clone)]
pub struct Db {
    pool: Pool,
}

impl Db {
    pub fn new(pool: Pool) -> Db {
        Db { pool }
    }
}

/// A pool of connections to the console's database, whichever its engine.
pub type Pool = sqlx::AnyPool;
/// One connection of the [`Pool`] (a transaction derefs to one).
pub type Conn = sqlx::AnyConnection;
/// A row read from the console's database.
pub type DbRow = sqlx::any::AnyRow;
/// The engine, for query builders.
pub type Engine = sqlx::Any;
/// A query with its parameters bound, not yet run.
pub type Query<'q> = sqlx::query::Query<'q, Engine, <Engine as sqlx::Database>::Arguments<'q>>;

/// The migrations of the console's database on SQLite, in this build.
static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("src/db/migrations/sqlite");
/// The same versions on PostgreSQL.
static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("src/db/migrations/postgres");

pub use crate::store::StoreError;

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> StoreError {
        // SQLite's busy (5) or locked (6), extended codes included; PostgreSQL's serialization failure, deadlock
        // or lock not available.
        let contention = match &e {
            sqlx::Error::Database(d) => d.code().is_some_and(|c| {
                matches!(c.as_ref(), "40001" | "40P01" | "55P03")
                    || c.parse::<i32>().is_ok_and(|c| matches!(c & 0xff, 5 | 6))
            }),
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

/// Why the console's database could not be opened or prepared. `place` names it without a password.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("cannot create {}: {source}", path.display())]
    Dir { path: PathBuf, source: std::io::Error },
    #[error("CONSOLE_DATABASE_URL must start with sqlite: or postgres://")]
    Url,
    #[error("cannot open {place}: {source}")]
    Open { place: String, source: sqlx::Error },
    #[error("cannot prepare {place}: {source}")]
    Prepare { place: String, source: MigrateError },
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

/// `head` (`INSERT INTO table (columns)`) with `rows` rows of `columns` parameters each, numbered `$1`, `$2`, … row
/// by row (query builders number them `?` for the `Any` driver, which PostgreSQL does not take), skipping rows
/// already there.
pub fn insert_rows(head: &str, rows: usize, columns: usize) -> String {
    let mut sql = format!("{head} VALUES ");
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        let marks: Vec<String> = (1..=columns).map(|c| format!("${}", r * columns + c)).collect();
        sql.push('(');
        sql.push_str(&marks.join(", "));
        sql.push(')');
    }
    sql.push_str(" ON CONFLICT DO NOTHING");
    sql
}

/// The database's clock in milliseconds since 1970, as SQL of `pool`'s engine (leases and throttle windows are
/// measured by it, so replicas' clocks need not agree).
pub(super) fn clock_ms(pool: &Pool) -> &'static str {
    match Backend::of(pool) {
        Backend::Sqlite => "CAST(unixepoch('subsec') * 1000 AS INTEGER)",
        Backend::Postgres => "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)",
    }
}

/// `d` in whole milliseconds, as the database keeps durations.
pub(super) fn millis(d: std::time::Duration) -> i64 {
    d.as_millis().min(i64::MAX as u128) as i64
}

/// Within transaction `tx`, waits until no other transaction holds `key` (PostgreSQL's advisory lock, let go at the
/// end of the transaction): work on `key` from several replicas goes one at a time. SQLite has one writer at a time
/// already: nothing to do.
pub(super) async fn one_at_a_time(tx: &mut Conn, backend: Backend, key: &str) -> Result<(), sqlx::Error> {
    if backend == Backend::Postgres {
        sqlx::query("SELECT CAST(1 AS BIGINT) FROM (SELECT pg_advisory_xact_lock(hashtext($1))) AS held")
            .bind(key)
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

/// The URL of the console's database in `data_dir` (`console.db`), the default.
pub fn default_url(data_dir: &Path) -> String {
    format!("sqlite://{}?mode=rwc", data_dir.join("console.db").display())
}

/// `url` as it may be shown: a PostgreSQL URL without its password and parameters, a SQLite one as its file.
pub fn place(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) if Backend::of_url(url) == Some(Backend::Postgres) => format!(
            "PostgreSQL database {} at {}:{}",
            u.path().trim_start_matches('/'),
            u.host_str().unwrap_or("localhost"),
            u.port().unwrap_or(5432)
        ),
        _ => url.trim_start_matches("sqlite://").split('?').next().unwrap_or_default().to_string(),
    }
}

/// The console's database in `data_dir` (`console.db`, made when missing), at this build's schema version.
pub async fn open(data_dir: &Path) -> Result<Pool, OpenError> {
    std::fs::create_dir_all(data_dir).map_err(|source| OpenError::Dir {
        path: data_dir.to_path_buf(),
        source,
    })?;
    open_url(&default_url(data_dir)).await
}

/// The console's database at `url` (SQLite or PostgreSQL), at this build's schema version: migrations not yet
/// applied run first (on PostgreSQL under the migrator's lock, so replicas starting together run each once).
pub async fn open_url(url: &str) -> Result<Pool, OpenError> {
    let pool = connect(url).await?;
    migrate(&pool).await.map_err(|source| OpenError::Prepare {
        place: place(url),
        source,
    })?;
    Ok(pool)
}

/// A pool on the database at `url`, its schema as it is (for `bi-console migrate`, which reports before it runs).
pub async fn connect(url: &str) -> Result<Pool, OpenError> {
    use sqlx::any::AnyPoolOptions;
    sqlx::any::install_default_drivers();
    let backend = Backend::of_url(url).ok_or(OpenError::Url)?;
    let options = AnyPoolOptions::new().max_connections(match backend {
        Backend::Sqlite => 4,
        Backend::Postgres => 8,
    });
    let options = match backend {
        // SQLite: a write-ahead log (readers never wait for the writer), synced at checkpoints.
        Backend::Sqlite => options.after_connect(|conn, _| {
            Box::pin(async move {
                use sqlx::Executor;
                conn.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000")
                    .await?;
                Ok(())
            })
        }),
        Backend::Postgres => options,
    };
    options.connect(url).await.map_err(|source| OpenError::Open {
        place: place(url),
        source,
    })
}

/// Brings `pool`'s schema to this build's version: a database made before migrations first gains the columns
/// added since its tables were made (`legacy`), then every migration not yet applied runs, each in its
/// transaction. A database that has a migration this build does not know is refused, untouched.
pub async fn migrate(pool: &Pool) -> Result<(), MigrateError> {
    let backend = Backend::of(pool);
    let applied = applied(pool).await?;
    if applied.is_empty() && backend == Backend::Sqlite {
        legacy::upgrade(pool).await?;
    }
    if let Some(newer) = applied.iter().find(|v| !known_versions_of(backend).contains(v)) {
        return Err(MigrateError::Newer(*newer));
    }
    backend.migrator().run(pool).await?;
    Ok(())
}

/// The migrations applied to the database so far, by version (none when it has no record of them).
pub async fn applied(pool: &Pool) -> Result<Vec<i64>, StoreError> {
    let recorded = match Backend::of(pool) {
        Backend::Sqlite => legacy::has_migrations(pool).await?,
        Backend::Postgres => {
            sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_name = '_sqlx_migrations'",
            )
            .fetch_one(pool)
            .await?
                > 0
        }
    };
    if !recorded {
        return Ok(Vec::new());
    }
    Ok(sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
        .fetch_all(pool)
        .await?)
}

/// Whether the database answers (one trivial query).
pub async fn ping(pool: &Pool) -> Result<(), StoreError> {
    sqlx::query("SELECT 1").execute(pool).await?;
    Ok(())
}

/// Whether the database holds exactly this build's migrations, all applied.
pub async fn schema_current(pool: &Pool) -> Result<bool, StoreError> {
    Ok(applied(pool).await? == known_versions_of(Backend::of(pool)))
}

/// The migrations this build knows, by version (the same on both engines).
pub fn known_versions() -> Vec<i64> {
    known_versions_of(Backend::Sqlite)
}

fn known_versions_of(backend: Backend) -> Vec<i64> {
    backend.migrator().iter().map(|m| m.version).collect()
}

/// A database of one connection in memory, migrated (for unit tests).
#[cfg(test)]
pub(crate) async fn in_memory() -> Pool {
    sqlx::any::install_default_drivers();
    let pool = sqlx::any::AnyPoolOptions::new()
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

    #[test]
    fn rows_are_inserted_with_their_parameters_numbered_row_by_row() {
        assert_eq!(
            insert_rows("INSERT INTO t (a, b)", 2, 2),
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4) ON CONFLICT DO NOTHING"
        );
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
