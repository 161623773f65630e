//! Filling a realm's index from BI: every page of its identities (200 at a time, following BI's page tokens), each
//! record written only when it changed, then whatever BI no longer has removed. One refresh per realm at a time;
//! its progress is kept for the freshness line.

use super::{DirectoryIndex, IndexError};
use futures::TryStreamExt;

use crate::bi::pages::{pages, Bounds};
use crate::bi::Client;

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

/// How long a replica's claim on a realm's refresh holds without a page read (each page renews it).
const REFRESH_LEASE: std::time::Duration = std::time::Duration::from_secs(120);

impl DirectoryIndex {
    /// Reads every identity of `realm` from BI and brings the index up to date with it.
    pub async fn refresh(&self, client: &Client, realm: &str) -> Result<RefreshReport, IndexError> {
        let _running = self.start(realm).ok_or(IndexError::Busy)?;
        // Where replicas share the store, one of them refreshes a realm at a time (its claim renewed at each page).
        let shared = self.store.shared();
        if shared && !self.store.claim_refresh(realm, &self.owner, REFRESH_LEASE).await? {
            return Err(IndexError::Busy);
        }
        let refreshed = self.refresh_claimed(client, realm, shared).await;
        if shared {
            if let Err(e) = self.store.release_refresh(realm, &self.owner).await {
                tracing::warn!(realm, error = %e, "the claim on a realm's refresh was not let go (it lapses)");
            }
        }
        refreshed
    }

    async fn refresh_claimed(&self, client: &Client, realm: &str, shared: bool) -> Result<RefreshReport, IndexError> {
        let _writing = self.writing();
        // This refresh's generation: rows the console writes while it runs are stamped with it and kept.
        let generation = self.store.begin_refresh(realm).await?;
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
                    self.store.forget_realm(realm).await?;
                    return Err(e.into());
                }
                Err(e) => return Err(e.into()),
            };
            report.calls += 1;
            report.read += page.items.len() as u64;
            if shared && !self.store.claim_refresh(realm, &self.owner, REFRESH_LEASE).await? {
                // This process was held up past its claim, and another replica refreshes the realm now.
                return Err(IndexError::Busy);
            }
            report.written += self
                .store
                .write_identities(realm, &page.items, generation, report.read, page.total_size)
                .await?;
        }
        let groups = self.refresh_groups(client, realm, generation).await?;
        report.calls += groups.calls;
        (report.groups_read, report.groups_written) = (groups.read, groups.written);
        (report.removed, report.groups_removed) = self.store.end_refresh(realm, generation, report.read).await?;
        tracing::info!(realm, read = report.read, written = report.written, removed = report.removed,
            calls = report.calls, "directory index refreshed");
        Ok(report)
    }
}
