//! The sessions' store in the console's database: tower-sessions' own store for its engine, opened on a pool of
//! that engine's type (as those stores take), behind one type.

use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

use super::{Backend, StoreError};

/// The sessions' store in the console's database.
#[derive(Clone, Debug)]
pub enum SessionStore {
    /// SQLite: one process uses it.
    Sqlite(SqliteStore),
    /// PostgreSQL: every replica uses it.
    Postgres(PostgresStore),
}

impl SessionStore {
    /// Whether other processes may use the same sessions (so a copy kept in one process's memory may be stale).
    pub fn shared(&self) -> bool {
        matches!(self, SessionStore::Postgres(_))
    }

    fn store(&self) -> &dyn tower_sessions::SessionStore {
        match self {
            SessionStore::Sqlite(s) => s,
            SessionStore::Postgres(s) => s,
        }
    }
}

/// The sessions' store in the database at `url`, whose table (`sessions`) its migrations made (see
/// [`super::open_url`]).
pub async fn session_store(url: &str) -> Result<SessionStore, StoreError> {
    let named = |e: String| StoreError::new(e, false);
    Ok(match Backend::of_url(url) {
        Some(Backend::Postgres) => {
            let pool = sqlx::postgres::PgPoolOptions::new().max_connections(4).connect(url).await?;
            let store = PostgresStore::new(pool)
                .with_schema_name("public")
                .and_then(|s| s.with_table_name("sessions"))
                .map_err(named)?;
            SessionStore::Postgres(store)
        }
        _ => {
            let options: sqlx::sqlite::SqliteConnectOptions = url.parse()?;
            let pool = sqlx::sqlite::SqlitePoolOptions::new()
                .max_connections(2)
                .connect_with(options)
                .await?;
            let store = SqliteStore::new(pool).with_table_name("sessions").map_err(named)?;
            SessionStore::Sqlite(store)
        }
    })
}

#[async_trait::async_trait]
impl tower_sessions::SessionStore for SessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        self.store().create(record).await
    }
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.store().save(record).await
    }
    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        self.store().load(id).await
    }
    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.store().delete(id).await
    }
}

#[async_trait::async_trait]
impl ExpiredDeletion for SessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        match self {
            SessionStore::Sqlite(s) => s.delete_expired().await,
            SessionStore::Postgres(s) => s.delete_expired().await,
        }
    }
}
