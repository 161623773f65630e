//! Where sessions live: the console's database (SQLite for one process, PostgreSQL for several replicas) or Redis,
//! behind one `SessionStore`, and the session layer with its cookie settings. With SQLite the process is the only
//! one using the sessions, so it keeps the ones in use in memory too ([`Recent`]): a page view reads no session
//! row. With PostgreSQL or Redis another replica may end a session, so every view reads it.

use std::collections::HashMap;
use std::sync::Mutex;
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
    /// The console's database (`CONSOLE_SESSION_STORE=database`, the default; `sqlite` is taken as the same).
    Database,
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
    Database(String),
    #[error("CONSOLE_REDIS_URL is not a valid Redis URL")]
    RedisUrl,
    #[error("cannot reach Redis at CONSOLE_REDIS_URL within 10 s")]
    RedisTimeout,
    #[error("cannot connect to Redis: {0}")]
    Redis(String),
}

/// The session store: the console's database (default; on SQLite with the sessions in use kept in memory too) or
/// Redis.
#[derive(Debug, Clone)]
pub enum Sessions {
    Database(std::sync::Arc<dyn SessionStore>, Option<std::sync::Arc<Recent>>),
    Redis(tower_sessions_redis_store::RedisStore<tower_sessions_redis_store::fred::prelude::Pool>),
}

impl Sessions {
    fn store(&self) -> &dyn SessionStore {
        match self {
            Sessions::Database(s, _) => &**s,
            Sessions::Redis(s) => s,
        }
    }

    fn recent(&self) -> Option<&Recent> {
        match self {
            Sessions::Database(_, recent) => recent.as_deref(),
            Sessions::Redis(_) => None,
        }
    }
}

#[async_trait::async_trait]
impl SessionStore for Sessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let since = self.recent().map(Recent::deletions);
        self.store().create(record).await?;
        if let (Some(recent), Some(since)) = (self.recent(), since) {
            recent.keep(record, since);
        }
        Ok(())
    }
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let since = self.recent().map(Recent::deletions);
        self.store().save(record).await?;
        if let (Some(recent), Some(since)) = (self.recent(), since) {
            recent.keep(record, since);
        }
        Ok(())
    }
    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        if let Some(kept) = self.recent().and_then(|r| r.get(id)) {
            return Ok(Some(kept));
        }
        let since = self.recent().map(Recent::deletions);
        let loaded = self.store().load(id).await?;
        if let (Some(recent), Some(record), Some(since)) = (self.recent(), &loaded, since) {
            recent.keep(record, since);
        }
        Ok(loaded)
    }
    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        // Forgotten first: a failed delete must not leave the session usable from memory.
        if let Some(recent) = self.recent() {
            recent.forget(id);
        }
        self.store().delete(id).await
    }
}

/// The sessions in use, as last saved or loaded: at most [`Recent::CAPACITY`], each until its expiry. What is
/// written goes to SQLite first, so a restart loses nothing; what is here is never newer than SQLite's row. A
/// session read or written while another was deleted is not kept (the next read keeps it): a load that raced a
/// sign-out cannot bring the ended session back into memory.
#[derive(Debug, Default)]
pub struct Recent {
    kept: Mutex<Kept>,
}

#[derive(Debug, Default)]
struct Kept {
    sessions: HashMap<Id, Record>,
    /// Sessions forgotten so far.
    deletions: u64,
}

impl Recent {
    pub const CAPACITY: usize = 10_000;

    /// The session `id` unless it has expired (an expired one is forgotten).
    pub fn get(&self, id: &Id) -> Option<Record> {
        let mut kept = self.kept.lock().expect("sessions lock");
        match kept.sessions.get(id) {
            Some(r) if r.expiry_date > time::OffsetDateTime::now_utc() => Some(r.clone()),
            Some(_) => {
                kept.sessions.remove(id);
                None
            }
            None => None,
        }
    }

    /// How many sessions have been forgotten: read before a store call, given back to [`keep`](Self::keep).
    pub fn deletions(&self) -> u64 {
        self.kept.lock().expect("sessions lock").deletions
    }

    /// Keeps `record` unless a session was forgotten since `since` (then SQLite alone has the truth); when full,
    /// expired sessions go first, then the one closest to its expiry.
    pub fn keep(&self, record: &Record, since: u64) {
        let mut kept = self.kept.lock().expect("sessions lock");
        if kept.deletions != since {
            return;
        }
        let sessions = &mut kept.sessions;
        if sessions.len() >= Self::CAPACITY && !sessions.contains_key(&record.id) {
            let now = time::OffsetDateTime::now_utc();
            sessions.retain(|_, r| r.expiry_date > now);
            if sessions.len() >= Self::CAPACITY {
                if let Some(first) = sessions.values().min_by_key(|r| r.expiry_date).map(|r| r.id) {
                    sessions.remove(&first);
                }
            }
        }
        sessions.insert(record.id, record.clone());
    }

    pub fn forget(&self, id: &Id) {
        let mut kept = self.kept.lock().expect("sessions lock");
        kept.sessions.remove(id);
        kept.deletions += 1;
    }

    pub fn len(&self) -> usize {
        self.kept.lock().expect("sessions lock").sessions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The sessions' store in the console's database, as the server opened it.
pub struct DatabaseSessions {
    pub store: std::sync::Arc<dyn SessionStore>,
    /// Other processes use the same sessions (PostgreSQL): none is kept in memory here.
    pub shared: bool,
}

/// Builds the session layer on the configured store (the console's database, `database`, or Redis): cookie
/// HttpOnly, SameSite=Lax, Secure as configured, ending after the idle timeout.
pub async fn session_layer(
    backend: &SessionBackend,
    cookie: CookiePolicy,
    database: Option<DatabaseSessions>,
) -> Result<SessionManagerLayer<Sessions>, SessionError> {
    let store = match backend {
        SessionBackend::Database => {
            let database = database
                .ok_or_else(|| SessionError::Database("the console's database is not open".into()))?;
            let recent = (!database.shared).then(Default::default);
            Sessions::Database(database.store, recent)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn record(minutes: i64) -> Record {
        Record {
            id: Id::default(),
            data: Default::default(),
            expiry_date: time::OffsetDateTime::now_utc() + time::Duration::minutes(minutes),
        }
    }

    /// Sessions in a SQLite file of their own, and a pool on the same file to look at its rows.
    async fn sqlite() -> (Sessions, crate::db::Pool) {
        let dir = std::env::temp_dir().join(format!("bi-console-sessions-{:016x}", rand::random::<u64>()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = crate::db::default_url(&dir);
        let pool = crate::db::open_url(&url).await.unwrap();
        let store = crate::db::session_store(&url).await.unwrap();
        assert!(!store.shared(), "SQLite's sessions are one process's");
        let store: std::sync::Arc<dyn SessionStore> = std::sync::Arc::new(store);
        let layer = session_layer(
            &SessionBackend::Database,
            CookiePolicy {
                idle: Duration::from_secs(600),
                secure: false,
            },
            Some(DatabaseSessions {
                store: store.clone(),
                shared: false,
            }),
        )
        .await;
        assert!(layer.is_ok());
        (Sessions::Database(store, Some(Default::default())), pool)
    }

    async fn rows(pool: &crate::db::Pool) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
            .fetch_one(pool)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn a_session_in_use_is_read_from_memory_and_written_through() {
        let (sessions, pool) = sqlite().await;
        let mut r = record(10);
        sessions.create(&mut r).await.unwrap();
        assert_eq!(rows(&pool).await, 1, "written to SQLite at once");
        // The row is gone behind the store's back: a load still answers, from memory (no query).
        sqlx::query("DELETE FROM sessions").execute(&pool).await.unwrap();
        assert_eq!(sessions.load(&r.id).await.unwrap().map(|s| s.id), Some(r.id));
        // A save writes the row again; a delete forgets it in both places.
        sessions.save(&r).await.unwrap();
        assert_eq!(rows(&pool).await, 1);
        sessions.delete(&r.id).await.unwrap();
        assert_eq!(rows(&pool).await, 0);
        assert!(sessions.load(&r.id).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn a_session_not_in_memory_is_loaded_from_sqlite_once() {
        let (sessions, pool) = sqlite().await;
        let mut r = record(10);
        sessions.create(&mut r).await.unwrap();
        // As after a restart: SQLite has the session, memory does not.
        let fresh = match &sessions {
            Sessions::Database(store, _) => Sessions::Database(store.clone(), Some(Default::default())),
            Sessions::Redis(_) => unreachable!(),
        };
        assert_eq!(fresh.load(&r.id).await.unwrap().map(|s| s.id), Some(r.id));
        assert_eq!(fresh.recent().unwrap().len(), 1, "kept after its first load");
        let _ = pool;
    }

    #[test]
    fn a_session_read_while_another_was_deleted_is_not_kept() {
        let recent = Recent::default();
        let (read, ended) = (record(10), record(10));
        recent.keep(&ended, 0);
        // A load starts (reads the count), a sign-out forgets a session, the load's row comes back.
        let since = recent.deletions();
        recent.forget(&ended.id);
        recent.keep(&read, since);
        assert!(recent.get(&read.id).is_none(), "not kept: it may be the one just deleted");
        // The next read keeps it.
        recent.keep(&read, recent.deletions());
        assert!(recent.get(&read.id).is_some());
    }

    #[test]
    fn an_expired_session_is_not_answered_from_memory() {
        let recent = Recent::default();
        let gone = record(-1);
        recent.keep(&gone, 0);
        assert!(recent.get(&gone.id).is_none());
        assert!(recent.is_empty(), "forgotten once seen expired");
    }

    #[test]
    fn memory_holds_at_most_its_capacity_and_drops_the_expired_first() {
        let recent = Recent::default();
        let expired = record(-1);
        recent.keep(&expired, 0);
        let soonest = record(1);
        recent.keep(&soonest, 0);
        for _ in 2..Recent::CAPACITY {
            recent.keep(&record(60), 0);
        }
        assert_eq!(recent.len(), Recent::CAPACITY);
        // Full: the expired one goes, then (once no expired one is left) the one closest to its expiry.
        let newer = record(120);
        recent.keep(&newer, 0);
        assert_eq!(recent.len(), Recent::CAPACITY);
        assert!(recent.get(&soonest.id).is_some());
        let newest = record(120);
        recent.keep(&newest, 0);
        assert_eq!(recent.len(), Recent::CAPACITY);
        assert!(recent.get(&soonest.id).is_none(), "the one closest to expiry went");
        assert!(recent.get(&newer.id).is_some() && recent.get(&newest.id).is_some());
    }
}
