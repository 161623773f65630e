//! Where sessions live: SQLite in the console's database (one replica) or Redis (several), behind one
//! `SessionStore`, and the session layer with its cookie settings.

use std::time::Duration;

use tower_sessions::cookie::SameSite;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};
use tower_sessions::{Expiry, SessionManagerLayer};

use super::web::COOKIE_NAME;
use crate::secret::Secret;

/// Where sessions live (`CONSOLE_SESSION_STORE`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionBackend {
    /// SQLite in the data directory (one replica).
    Sqlite,
    /// `CONSOLE_SESSION_STORE=redis` and `CONSOLE_REDIS_URL` (several replicas behind a load balancer).
    Redis(Secret),
}

/// How the session cookie behaves.
pub struct CookiePolicy {
    /// A session unused this long ends.
    pub idle: Duration,
    /// Sent only over https.
    pub secure: bool,
}

/// Why the session store could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("cannot prepare the session table: {0}")]
    Sqlite(String),
    #[error("CONSOLE_REDIS_URL is not a valid Redis URL")]
    RedisUrl,
    #[error("cannot reach Redis at CONSOLE_REDIS_URL within 10 s")]
    RedisTimeout,
    #[error("cannot connect to Redis: {0}")]
    Redis(String),
}

/// The session store: SQLite (default) or Redis.
#[derive(Debug, Clone)]
pub enum Sessions {
    Sqlite(tower_sessions_sqlx_store::SqliteStore),
    Redis(tower_sessions_redis_store::RedisStore<tower_sessions_redis_store::fred::prelude::Pool>),
}

impl Sessions {
    fn store(&self) -> &dyn SessionStore {
        match self {
            Sessions::Sqlite(s) => s,
            Sessions::Redis(s) => s,
        }
    }
}

#[async_trait::async_trait]
impl SessionStore for Sessions {
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

/// Opens the configured store (SQLite in `pool`, or Redis) and builds the session layer: cookie HttpOnly,
/// SameSite=Lax, Secure as configured, ending after the idle timeout.
pub async fn session_layer(
    backend: &SessionBackend,
    cookie: CookiePolicy,
    pool: sqlx::SqlitePool,
) -> Result<SessionManagerLayer<Sessions>, SessionError> {
    let store = match backend {
        SessionBackend::Sqlite => {
            let s = tower_sessions_sqlx_store::SqliteStore::new(pool)
                .with_table_name("sessions")
                .map_err(|e| SessionError::Sqlite(e.to_string()))?;
            s.migrate()
                .await
                .map_err(|e| SessionError::Sqlite(e.to_string()))?;
            {
                use tower_sessions::ExpiredDeletion;
                let s = s.clone();
                tokio::spawn(s.continuously_delete_expired(Duration::from_secs(600)));
            }
            Sessions::Sqlite(s)
        }
        SessionBackend::Redis(url) => {
            use tower_sessions_redis_store::fred::prelude::*;
            let config = Config::from_url(url.expose()).map_err(|_| SessionError::RedisUrl)?;
            let pool = Pool::new(config, None, None, None, 4)
                .map_err(|e| SessionError::Redis(e.to_string()))?;
            // The connection tasks run in the background; their handle is not needed.
            drop(pool.connect());
            tokio::time::timeout(Duration::from_secs(10), pool.wait_for_connect())
                .await
                .map_err(|_| SessionError::RedisTimeout)?
                .map_err(|e| SessionError::Redis(e.to_string()))?;
            Sessions::Redis(tower_sessions_redis_store::RedisStore::new(pool))
        }
    };
    let idle = time::Duration::seconds(cookie.idle.as_secs() as i64);
    Ok(SessionManagerLayer::new(store)
        .with_name(COOKIE_NAME)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(cookie.secure)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(idle)))
}
