//! Passkey invitations to more identities than BI's queue takes at once. BI queues at most 1,000 invitations per
//! realm and a batch holds at most 1,000; a larger selection (or one sent while the queue is busy) is a *run*: the
//! console hands BI one batch at a time, waits while BI answers that the queue is full, and goes on as it drains.
//! The run lives in the server (a reload of its page finds it); a restart of the console ends the runs it held,
//! and their page then says so.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a finished run is kept for its page.
const KEEP_FINISHED: Duration = Duration::from_secs(24 * 3600);

/// Where a run is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Run {
    pub realm: String,
    /// Identities selected.
    pub total: usize,
    /// BI's batches, in the order they were accepted.
    pub batches: Vec<String>,
    /// Identities not yet handed to BI.
    pub waiting: usize,
    /// BI's last answer was that the realm's queue is full.
    pub queue_full: bool,
    /// Why the run stopped before handing every identity to BI (the `waiting` ones were not sent).
    pub stopped: Option<String>,
    /// The views of batches BI has finished (they no longer change, so they are not read again).
    pub finished: HashMap<String, crate::model::BatchView>,
}

impl Run {
    /// Every identity is with BI, or the run stopped.
    pub fn handed_over(&self) -> bool {
        self.waiting == 0 || self.stopped.is_some()
    }
}

/// A run and when it was handed over in full (or stopped).
type Kept = (Run, Option<Instant>);

/// The runs of this console process, by id (`run-` and 16 hex digits: never a BI batch id).
#[derive(Clone, Default)]
pub struct Runs {
    runs: Arc<Mutex<HashMap<String, Kept>>>,
}

impl Runs {
    /// Keeps a new run; answers its id. Runs finished more than a day ago are forgotten.
    pub fn start(&self, run: Run) -> String {
        let id = format!("run-{:016x}", rand::random::<u64>());
        let mut runs = self.runs.lock().unwrap_or_else(|e| e.into_inner());
        runs.retain(|_, (_, ended)| ended.is_none_or(|t| t.elapsed() < KEEP_FINISHED));
        let ended = run.handed_over().then(Instant::now);
        runs.insert(id.clone(), (run, ended));
        id
    }

    pub fn get(&self, id: &str) -> Option<Run> {
        let runs = self.runs.lock().unwrap_or_else(|e| e.into_inner());
        runs.get(id).map(|(run, _)| run.clone())
    }

    /// Changes a run (nothing when it is gone).
    pub fn update(&self, id: &str, change: impl FnOnce(&mut Run)) {
        let mut runs = self.runs.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((run, ended)) = runs.get_mut(id) {
            change(run);
            if run.handed_over() && ended.is_none() {
                *ended = Some(Instant::now());
            }
        }
    }

    /// Whether `id` names a run (rather than one of BI's batches).
    pub fn is_run_id(id: &str) -> bool {
        id.strip_prefix("run-")
            .is_some_and(|hex| hex.len() == 16 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_is_kept_changed_and_found_by_its_id() {
        let runs = Runs::default();
        let id = runs.start(Run {
            realm: "r1".into(),
            total: 2_500,
            batches: vec!["b1".into()],
            waiting: 1_500,
            ..Run::default()
        });
        assert!(Runs::is_run_id(&id), "{id}");
        assert!(!Runs::is_run_id("0123456789abcdef"), "a BI batch id is not a run's");
        runs.update(&id, |r| {
            r.batches.push("b2".into());
            r.waiting -= 1_000;
            r.queue_full = true;
        });
        let now = runs.get(&id).unwrap();
        assert_eq!(now.batches, ["b1", "b2"]);
        assert_eq!(now.waiting, 500);
        assert!(!now.handed_over());
        runs.update(&id, |r| r.stopped = Some("refused".into()));
        assert!(runs.get(&id).unwrap().handed_over());
        assert_eq!(runs.get("run-0000000000000000"), None);
    }
}
