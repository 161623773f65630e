//! The directory index: a copy of each realm's identity records (not pages) in the console's own database, so an
//! operator finds anyone by any part of a username, name, email or external id, filters by status and enrollment,
//! and sorts. BI stays the source of truth: details, edits and memberships are read from BI; the index only answers
//! "which records match". It is filled through the same BI client as everything else (`refresh`), and the
//! console's own writes update it at once. This is its one interface; what it needs of its database is `store::IndexStore`,
//! implemented in `db` (on SQLite: FTS5, trigram).

mod groups;
mod overview;
mod query;
mod refresh;
mod store;

pub use overview::Overview;
pub use query::{fold, like_pattern, matcher, Match};
pub use refresh::{retry_on_contention, RefreshReport};
pub use store::IndexStore;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use crate::model::{Identity, IdentityFilter, PageView};
use crate::store::StoreError;

/// Why the index could not answer or be filled.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("the directory index could not be read or written: {0}")]
    Db(#[from] StoreError),
    #[error(transparent)]
    Bi(#[from] crate::bi::BiError),
    #[error("the realm is already being indexed")]
    Busy,
}

/// The index of every realm, kept in its store (the console's database).
pub struct DirectoryIndex {
    store: Arc<dyn IndexStore>,
    /// Realms with a refresh running: at most one per realm.
    running: Mutex<HashSet<String>>,
    /// Overviews and pages of rows, kept until the index changes.
    kept: overview::Kept,
    /// This process's name in the store's refresh claims (where replicas share the store).
    owner: String,
}

impl DirectoryIndex {
    /// The index kept in `store`.
    pub fn new(store: impl IndexStore + 'static) -> DirectoryIndex {
        DirectoryIndex {
            store: Arc::new(store),
            running: Mutex::new(HashSet::new()),
            kept: Default::default(),
            owner: format!("{}:{:08x}", std::process::id(), rand::random::<u32>()),
        }
    }

    /// One page of `realm`'s identities matching `filter`, in its order.
    pub async fn search(
        &self,
        realm: &str,
        filter: &IdentityFilter,
        page: u32,
        size: u32,
    ) -> Result<PageView<Identity>, StoreError> {
        crate::store::traced("index.search", self.store.search(realm, filter, page, size, None)).await
    }

    /// [`search`](Self::search), with its total when the caller knows it already (from an [`Overview`]): then
    /// only the rows are read.
    pub async fn search_counted(
        &self,
        realm: &str,
        filter: &IdentityFilter,
        page: u32,
        size: u32,
        known_total: Option<u64>,
    ) -> Result<PageView<Identity>, StoreError> {
        crate::store::traced("index.search", self.store.search(realm, filter, page, size, known_total)).await
    }

    /// The identities of `realm` with these usernames (ignoring case, as BI does), as far as the index knows them.
    pub async fn by_usernames(&self, realm: &str, usernames: &[String]) -> Result<Vec<Identity>, StoreError> {
        crate::store::traced("index.by_usernames", self.store.by_usernames(realm, usernames)).await
    }

    /// The identities of `realm` with these ids, as far as the index knows them.
    pub async fn by_ids(&self, realm: &str, ids: &[String]) -> Result<Vec<Identity>, StoreError> {
        crate::store::traced("index.by_ids", self.store.by_ids(realm, ids)).await
    }

    /// Up to `limit` identities of `realm` matching `filter` (its sort ignored), after position `after`, with their
    /// positions: an export's keyset pages (the millionth row costs what the first does).
    pub async fn export_page(
        &self,
        realm: &str,
        filter: &IdentityFilter,
        after: i64,
        limit: u32,
    ) -> Result<Vec<(i64, Identity)>, StoreError> {
        self.store.export_page(realm, filter, after, limit).await
    }

    /// Keeps `identity` (as BI answered a write) in `realm`'s index at once.
    pub async fn put(&self, realm: &str, identity: &Identity) -> Result<(), StoreError> {
        let _writing = self.writing();
        self.store.put(realm, identity).await
    }

    /// Drops identities BI no longer has.
    pub async fn remove(&self, realm: &str, ids: &[String]) -> Result<(), StoreError> {
        let _writing = self.writing();
        self.store.remove(realm, ids).await
    }

    /// Sets the status of identities a bulk change suspended or reactivated.
    pub async fn set_status(&self, realm: &str, ids: &[String], status: &str) -> Result<(), StoreError> {
        let _writing = self.writing();
        self.store.set_status(realm, ids, status).await
    }

    /// Sets the enrollment status of these identities to `to`, except where it is one of `unless` (BI's rule puts
    /// an active passkey before an open invitation, and an open invitation before a failed one).
    pub async fn set_enrollment(
        &self,
        realm: &str,
        ids: &[String],
        to: &str,
        unless: &[&str],
    ) -> Result<(), StoreError> {
        let _writing = self.writing();
        self.store.set_enrollment(realm, ids, to, unless).await
    }

    /// Marks `realm` as being refreshed; `None` when a refresh of it is already running.
    fn start(&self, realm: &str) -> Option<RunningGuard<'_>> {
        let mut running = self.running.lock().expect("lock");
        running.insert(realm.to_string()).then(|| RunningGuard {
            index: self,
            realm: realm.to_string(),
        })
    }
}

/// Clears a realm's "refresh running" mark when the refresh ends, however it ends.
struct RunningGuard<'a> {
    index: &'a DirectoryIndex,
    realm: String,
}

impl Drop for RunningGuard<'_> {
    fn drop(&mut self) {
        self.index.running.lock().expect("lock").remove(&self.realm);
    }
}

