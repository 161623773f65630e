//! Background work that must be done once, whichever process does it: a queue of jobs in the console's database
//! (`JobStore`, implemented in `db::jobs`). A job is one (kind, subject), e.g. the apply of import `ID`. A process
//! claims a job with a lease (on PostgreSQL `FOR UPDATE SKIP LOCKED`: replicas never take the same one), renews it
//! while it works, and marks it done; a job whose process died is claimed by another once its lease lapses (on
//! SQLite, the only process's own jobs are free again at its next start). A failed attempt goes back to the queue
//! after a backoff, up to [`MAX_ATTEMPTS`]. What a job has done is kept by its subject (an import's rows and
//! steps), so the one that takes it over carries on where it stopped.

use std::sync::Arc;
use std::time::Duration;

use crate::store::Fut;

/// The apply of an import (subject: the import's id).
pub const IMPORT_APPLY: &str = "import.apply";
/// The hourly sweep of import plans left half made and of jobs long finished (subject: the hour, in hours since
/// 1970), done by one process whichever asks first.
pub const SWEEP: &str = "sweep";

/// Attempts of a job before it is left failed.
pub const MAX_ATTEMPTS: i64 = 5;

/// A job this process holds, until its lease lapses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claimed {
    pub kind: String,
    pub subject: String,
    /// This attempt's number (1 for the first).
    pub attempt: i64,
}

/// What the queue needs of its database. Times are the database's own clock (replicas' clocks need not agree).
pub trait JobStore: Send + Sync {
    /// The next job of one of `kinds` ready to run (queued and due, or running under a lease that lapsed), claimed
    /// for `owner` for `lease`; `None` when there is none.
    fn claim_next<'a>(&'a self, kinds: &'a [&'a str], owner: &'a str, lease: Duration) -> Fut<'a, Option<Claimed>>;
    /// That job, claimed for `owner` if it is ready to run (it is made, queued, when there is none yet).
    fn claim<'a>(&'a self, kind: &'a str, subject: &'a str, owner: &'a str, lease: Duration) -> Fut<'a, Option<Claimed>>;
    /// Extends `owner`'s lease of the job; false when `owner` no longer holds it.
    fn renew<'a>(&'a self, job: &'a Claimed, owner: &'a str, lease: Duration) -> Fut<'a, bool>;
    /// The job is done.
    fn done<'a>(&'a self, job: &'a Claimed, owner: &'a str) -> Fut<'a, ()>;
    /// This attempt failed (`error`): queued again after `backoff`, or left failed after [`MAX_ATTEMPTS`].
    fn failed<'a>(&'a self, job: &'a Claimed, owner: &'a str, error: &'a str, backoff: Duration) -> Fut<'a, ()>;
    /// Gives back a job claimed but not worked on (its attempt not counted).
    fn release<'a>(&'a self, job: &'a Claimed, owner: &'a str) -> Fut<'a, ()>;
    /// Frees every running job's lease: only for a database no other process uses (SQLite), at start, when the
    /// jobs that were running are the previous process's.
    fn free_all<'a>(&'a self) -> Fut<'a, u64>;
    /// Forgets jobs finished (done, or failed for good) more than `age` ago; answers how many.
    fn forget_finished<'a>(&'a self, age: Duration) -> Fut<'a, u64>;
    /// Whether other processes use the same jobs.
    fn shared(&self) -> bool;
}

/// The queue as this process uses it: its store, its name as an owner, and its leases' length.
#[derive(Clone)]
pub struct Queue {
    store: Arc<dyn JobStore>,
    owner: Arc<str>,
    lease: Duration,
}

impl Queue {
    pub fn new(store: impl JobStore + 'static, lease: Duration) -> Queue {
        let host = std::env::var("HOSTNAME").unwrap_or_default();
        Queue {
            store: Arc::new(store),
            owner: format!("{host}:{}:{:08x}", std::process::id(), rand::random::<u32>()).into(),
            lease,
        }
    }

    pub fn owner(&self) -> &str {
        &self.owner
    }

    pub fn lease(&self) -> Duration {
        self.lease
    }

    pub fn store(&self) -> &dyn JobStore {
        &*self.store
    }

    /// The next job of one of `kinds` ready to run, claimed. A runner asks only for the kinds it runs: a job of
    /// another kind (the hour's sweep, claimed by name) is never taken only to be given back.
    pub async fn next(&self, kinds: &[&str]) -> Result<Option<Claimed>, crate::store::StoreError> {
        crate::store::traced("jobs.next", self.store.claim_next(kinds, &self.owner, self.lease)).await
    }

    /// The job (`kind`, `subject`), claimed if it is ready to run.
    pub async fn claim(&self, kind: &str, subject: &str) -> Result<Option<Claimed>, crate::store::StoreError> {
        crate::store::traced("jobs.claim", self.store.claim(kind, subject, &self.owner, self.lease)).await
    }

    /// Gives back `job`, claimed but not worked on here.
    pub async fn release(&self, job: &Claimed) {
        if let Err(e) = self.store.release(job, &self.owner).await {
            tracing::warn!(kind = %job.kind, subject = %job.subject, error = %e, "job not given back");
        }
    }

    /// Runs `work` for the claimed `job`, renewing its lease a third of the way through each; if the lease is lost
    /// (this process was paused past it, and another took the job over), the work is dropped at its next await,
    /// and nothing more is written for it here. Then marks the job done, or failed with a backoff.
    pub async fn run<F>(&self, job: Claimed, work: F)
    where
        F: std::future::Future<Output = Result<(), String>> + Send,
    {
        let renewing = async {
            loop {
                tokio::time::sleep(self.lease / 3).await;
                match self.store.renew(&job, &self.owner, self.lease).await {
                    Ok(true) => {}
                    Ok(false) => return,
                    // The database did not answer: the lease may still hold; try again at the next third.
                    Err(e) => tracing::warn!(kind = %job.kind, subject = %job.subject, error = %e, "job lease not renewed"),
                }
            }
        };
        let outcome = tokio::select! {
            outcome = work => Some(outcome),
            () = renewing => None,
        };
        let recorded = match outcome {
            None => {
                tracing::warn!(kind = %job.kind, subject = %job.subject, "job lease lost: another process has it now");
                return;
            }
            Some(Ok(())) => self.store.done(&job, &self.owner).await,
            Some(Err(why)) => {
                let backoff = Duration::from_secs(2u64.pow(job.attempt.clamp(1, 8) as u32)).min(Duration::from_secs(300));
                tracing::warn!(kind = %job.kind, subject = %job.subject, attempt = job.attempt, error = %why,
                    retry_in_secs = backoff.as_secs(), "job attempt failed");
                self.store.failed(&job, &self.owner, &why, backoff).await
            }
        };
        if let Err(e) = recorded {
            tracing::error!(kind = %job.kind, subject = %job.subject, error = %e, "job outcome not recorded");
        }
    }
}
