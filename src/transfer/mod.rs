//! Import and export of a realm's identities, one engine for the browser and the command line: the file formats
//! (`file`), the plan of an import (`plan`, its rows classified by `classify`), the imports kept in the console's
//! database (`store`; a plan kept as it is made by `saving`, read for pages by `view`) and streamed exports
//! (`export`). It uses only `bi`, `index` and `model`: the HTTP routes (`server::transfer_routes`), the apply job and
//! the plan's page (`api::import_job`, `api::imports`) and the commands (`server::transfer_commands`) use it.

mod classify;
pub mod export;
pub mod file;
pub mod plan;
pub mod saving;
pub mod store;
pub mod written;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

/// Bounds of an upload (`CONSOLE_IMPORT_MAX_BYTES`, `CONSOLE_IMPORT_MAX_ROWS`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub max_bytes: usize,
    pub max_rows: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 20 * 1024 * 1024,
            max_rows: 100_000,
        }
    }
}

/// Work of this process held by a key, one at a time per key: an import's apply job (by the import), an export
/// (by its operator).
#[derive(Clone, Default)]
pub struct Jobs(Arc<JobsInner>);

#[derive(Default)]
pub struct JobsInner {
    held: Mutex<HashSet<String>>,
    /// Told each time a key is released (for [`Jobs::settled`]).
    released: tokio::sync::Notify,
}

/// A key of [`Jobs`] held until this is dropped.
pub struct Held {
    jobs: Jobs,
    key: String,
}

impl Drop for Held {
    fn drop(&mut self) {
        self.jobs.release(&self.key);
    }
}

impl Jobs {
    /// Holds `key` until the answer is dropped; `None` when it is held already.
    pub fn hold(&self, key: &str) -> Option<Held> {
        self.claim(key).then(|| Held {
            jobs: self.clone(),
            key: key.to_string(),
        })
    }

    /// Takes the import for a job; false when a job already has it.
    pub fn claim(&self, id: &str) -> bool {
        self.0.held.lock().unwrap_or_else(|e| e.into_inner()).insert(id.to_string())
    }

    pub fn release(&self, id: &str) {
        self.0.held.lock().unwrap_or_else(|e| e.into_inner()).remove(id);
        self.0.released.notify_waiters();
    }

    /// Whether work holds `key` now.
    pub fn held(&self, key: &str) -> bool {
        self.0.held.lock().unwrap_or_else(|e| e.into_inner()).contains(key)
    }

    /// Returns once no work holds `key` (at once when none does): how the command line and the tests wait for a job,
    /// without polling.
    pub async fn settled(&self, key: &str) {
        loop {
            let released = self.0.released.notified();
            tokio::pin!(released);
            // Registered before the check, so a release between the check and the wait is not missed.
            released.as_mut().enable();
            if !self.held(key) {
                return;
            }
            released.await;
        }
    }
}

/// The SHA-256 of a file, in hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
