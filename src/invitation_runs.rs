//! Passkey invitations to more identities than BI's queue takes at once. BI queues at most 1,000 invitations per
//! realm and a batch holds at most 1,000; a larger selection (or one sent while the queue is busy) is a *run*: the
//! console hands BI one batch at a time, waits while BI answers that the queue is full, and goes on as it drains.
//! The run lives in the server (a reload of its page finds it); a restart of the console ends the runs it held,
//! and their page then says so.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Runs one operator may have going at once…
pub const MAX_RUNS_PER_OPERATOR: usize = 2;
/// …and one realm (BI's queue is per realm: more runs would only wait on each other).
pub const MAX_RUNS_PER_REALM: usize = 4;

/// How long a finished run is kept for its page.
const KEEP_FINISHED: Duration = Duration::from_secs(24 * 3600);

/// Where a run is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Run {
    pub realm: String,
    /// Who started it.
    pub operator: String,
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
    /// Keeps a new run; answers its id, or why it may not start: an operator has at most
    /// [`MAX_RUNS_PER_OPERATOR`] runs going, a realm [`MAX_RUNS_PER_REALM`]. Runs finished more than a day ago are
    /// forgotten.
    pub fn start(&self, run: Run) -> Result<String, String> {
        let id = format!("run-{:016x}", rand::random::<u64>());
        let mut runs = self.runs.lock().unwrap_or_else(|e| e.into_inner());
        runs.retain(|_, (_, ended)| ended.is_none_or(|t| t.elapsed() < KEEP_FINISHED));
        let going = |same: &dyn Fn(&Run) -> bool| {
            runs.values()
                .filter(|(r, ended)| ended.is_none() && same(r))
                .count()
        };
        if going(&|r| r.operator.eq_ignore_ascii_case(&run.operator)) >= MAX_RUNS_PER_OPERATOR {
            return Err(format!(
                "You have {MAX_RUNS_PER_OPERATOR} invitation runs going already; send more when one has handed all its invitations to BI."
            ));
        }
        if going(&|r| r.realm == run.realm) >= MAX_RUNS_PER_REALM {
            return Err(format!(
                "This realm has {MAX_RUNS_PER_REALM} invitation runs going already; send more when one has handed all its invitations to BI."
            ));
        }
        let ended = run.handed_over().then(Instant::now);
        runs.insert(id.clone(), (run, ended));
        Ok(id)
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
        let id = runs
            .start(Run {
                realm: "r1".into(),
                operator: "ada".into(),
                total: 2_500,
                batches: vec!["b1".into()],
                waiting: 1_500,
                ..Run::default()
            })
            .unwrap();
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

    #[test]
    fn runs_going_at_once_are_bounded_per_operator_and_per_realm() {
        let runs = Runs::default();
        let run = |operator: &str, realm: &str| Run {
            realm: realm.into(),
            operator: operator.into(),
            total: 2_000,
            waiting: 1_000,
            ..Run::default()
        };
        for _ in 0..MAX_RUNS_PER_OPERATOR {
            runs.start(run("ada", "r1")).unwrap();
        }
        assert!(runs.start(run("ADA", "r2")).unwrap_err().contains("You have"));
        // Another operator in the same realm, up to the realm's bound.
        for _ in MAX_RUNS_PER_OPERATOR..MAX_RUNS_PER_REALM {
            runs.start(run("grace", "r1")).unwrap();
        }
        assert!(runs.start(run("alan", "r1")).unwrap_err().contains("This realm"));
        // A run handed over in full no longer counts.
        let done = runs.start(run("alan", "r3")).unwrap();
        runs.update(&done, |r| r.waiting = 0);
        runs.start(run("alan", "r3")).unwrap();
    }
}
