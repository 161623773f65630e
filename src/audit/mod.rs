//! The audit log: every write made through the console, with time, operator, action, realm, target, what changed,
//! the result (ok, or BI's error code) and the request id, in the console's database (its tables in `db`'s
//! migrations). Membership changes also link each identity they touched
//! (`audit_subjects`), so an identity's Activity shows the groups it joined or left.

pub mod sink;

use std::sync::Arc;

use crate::store::{Fut, StoreError};

use crate::model::{AuditEntry, AuditFilter, PageView};

/// A write to record.
#[derive(Debug, Clone)]
pub struct Event {
    pub action: crate::model::AuditAction,
    pub realm: String,
    pub target_id: String,
    pub target_name: String,
    pub detail: String,
    /// Other ids this event concerns (the identities of a membership change).
    pub subjects: Vec<String>,
    /// The step of a job this event records (e.g. `import/ID/row/7`): an event of the same step, action, target
    /// and result is one entry, however often the step is done again (a job taken over after its process died
    /// redoes the step in flight, and records nothing more).
    pub step: Option<String>,
}

impl Event {
    /// An event on one target (no other subjects).
    pub fn new(
        action: crate::model::AuditAction,
        realm: &str,
        target_id: &str,
        target_name: &str,
        detail: impl Into<String>,
    ) -> Event {
        Event {
            action,
            realm: realm.to_string(),
            target_id: target_id.to_string(),
            target_name: target_name.to_string(),
            detail: detail.into(),
            subjects: Vec::new(),
            step: None,
        }
    }

    /// The id of this event's entry with `result`: for a job's step, the same each time the step is done with the
    /// same result (see [`Event::step`]); otherwise a new one.
    fn entry_id(&self, result: &str) -> String {
        match &self.step {
            None => format!("{:016x}", rand::random::<u64>()),
            Some(step) => {
                use sha2::Digest;
                let digest = sha2::Sha256::new()
                    .chain_update(step.as_bytes())
                    .chain_update([0])
                    .chain_update(self.action.as_str().as_bytes())
                    .chain_update([0])
                    .chain_update(self.target_id.as_bytes())
                    .chain_update([0])
                    .chain_update(result.as_bytes())
                    .finalize();
                digest[..12].iter().map(|b| format!("{b:02x}")).collect()
            }
        }
    }

    /// The same event, also concerning `subjects` (the identities of a membership change).
    pub fn with_subjects(mut self, subjects: Vec<String>) -> Event {
        self.subjects = subjects;
        self
    }
}

/// An entry to keep: the event, and what is known of it once made.
#[derive(Debug, Clone)]
pub struct NewEntry {
    /// A new id (16 hex digits), or the one of its job's step (24): the store keeps one entry per id.
    pub id: String,
    /// When it was made (see `now`).
    pub at: String,
    pub operator: String,
    pub event: Event,
    /// `ok`, BI's error code, or what refused the write.
    pub result: String,
    pub request_id: String,
    /// Also put in the outbox, for the sink to send (`CONSOLE_AUDIT_SINK`): written in the same transaction, and
    /// only when the entry is new (a step done again is neither kept nor sent twice).
    pub outbox: bool,
}

/// Where the audit log is kept (the console's database: `db`).
pub trait AuditStore: Send + Sync {
    /// Keeps `entry`, with its subjects, at once or not at all.
    fn append(&self, entry: NewEntry) -> Fut<'_, ()>;
    /// One page of entries, newest first, with the total matching `filter`, of the realms in `realms` (`None`:
    /// every realm).
    fn list<'a>(
        &'a self,
        filter: &'a AuditFilter,
        realms: Option<&'a [String]>,
        page: u32,
        size: u32,
    ) -> Fut<'a, PageView<AuditEntry>>;
    /// The latest `limit` entries about `id` (as the target, or as a subject of a membership change), of the
    /// realms in `realms` (`None`: every realm).
    fn activity<'a>(&'a self, id: &'a str, realms: Option<&'a [String]>, limit: u32) -> Fut<'a, Vec<AuditEntry>>;
    /// Forgets the entries made before `before` (an entry's time, RFC 3339 UTC), with their subjects; answers how
    /// many.
    fn forget_before<'a>(&'a self, before: &'a str) -> Fut<'a, u64>;
}

#[derive(Clone)]
pub struct AuditLog {
    store: Arc<dyn AuditStore>,
    /// `CONSOLE_AUDIT_RETENTION_DAYS`: entries older than this are forgotten by the hourly sweep; `None`: kept.
    retention: Option<std::time::Duration>,
    /// `CONSOLE_AUDIT_SINK`: where every entry is sent, from the outbox.
    sink: Option<sink::Sink>,
}

impl std::fmt::Debug for AuditLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditLog")
    }
}

/// The time of an entry, as the operator reads it. The log's order is not this time but the database's own sequence
/// (two processes' clocks need not agree): see the migration `0003_audit_order`.
fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

impl AuditLog {
    /// The audit log kept in `store`.
    pub fn new(store: impl AuditStore + 'static) -> AuditLog {
        AuditLog {
            store: Arc::new(store),
            retention: None,
            sink: None,
        }
    }

    /// Every entry written from now on is also sent to `sink`.
    pub fn with_sink(mut self, sink: Option<sink::Sink>) -> AuditLog {
        self.sink = sink;
        self
    }

    /// The sink entries are sent to, if any.
    pub fn sink(&self) -> Option<&sink::Sink> {
        self.sink.as_ref()
    }

    /// Entries older than `retention` are forgotten by [`forget_expired`](Self::forget_expired).
    pub fn with_retention(mut self, retention: Option<std::time::Duration>) -> AuditLog {
        self.retention = retention;
        self
    }

    /// Forgets the entries older than the retention (none without one); answers how many went.
    pub async fn forget_expired(&self) -> Result<u64, crate::store::StoreError> {
        let Some(kept) = self.retention else {
            return Ok(0);
        };
        let before = chrono::Utc::now() - chrono::Duration::from_std(kept).unwrap_or(chrono::Duration::MAX);
        let before = before.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
        crate::store::traced("audit.forget", self.store.forget_before(&before)).await
    }

    /// Records one event. A failure to write is logged (with everything the entry would have held) and does not
    /// undo the change already made in BI.
    pub async fn record(&self, operator: &str, event: Event, result: &str, request_id: &str) {
        let entry = NewEntry {
            id: event.entry_id(result),
            at: now(),
            operator: operator.to_string(),
            event: event.clone(),
            result: result.to_string(),
            request_id: request_id.to_string(),
            outbox: self.sink.is_some(),
        };
        crate::metrics::global().audit_event(result);
        match crate::store::traced("audit.append", self.store.append(entry)).await {
            Ok(()) => {
                if let Some(sink) = &self.sink {
                    sink.wake.notify_one();
                }
            }
            Err(e) => tracing::error!(error = %e, operator, action = event.action.as_str(), realm = %event.realm,
                target = %event.target_id, result, request_id, "audit entry could not be written"),
        }
    }

    /// One page of entries, newest first, with the total matching `filter`, of the realms in `realms` (`None`:
    /// every realm).
    pub async fn list(
        &self,
        filter: &AuditFilter,
        realms: Option<&[String]>,
        page: u32,
        size: u32,
    ) -> Result<PageView<AuditEntry>, StoreError> {
        crate::store::traced("audit.list", self.store.list(filter, realms, page, size)).await
    }

    /// The latest `limit` entries about `id` (as the target, or as a subject of a membership change), of the
    /// realms in `realms` (`None`: every realm).
    pub async fn activity(
        &self,
        id: &str,
        realms: Option<&[String]>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        crate::store::traced("audit.activity", self.store.activity(id, realms, limit)).await
    }
}
