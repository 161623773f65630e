//! Passkey invitations to more identities than BI's queue takes at once. BI queues at most 1,000 invitations per
//! realm and a batch holds at most 1,000; a larger selection (or one sent while the queue is busy) is a *run*: the
//! console hands BI one batch at a time, waits while BI answers that the queue is full, and goes on as it drains.
//! A run is kept in a store (`RunStore`: the console's database, implemented in `db`), with what is still to be
//! handed over, and handed over by a job of the queue (`jobs`): it survives a restart, is carried on by another
//! replica when its process dies, and its page reads the same from any replica.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::store::Fut;

/// Runs one operator may have going at once…
pub const MAX_RUNS_PER_OPERATOR: usize = 2;
/// …and one realm (BI's queue is per realm: more runs would only wait on each other).
pub const MAX_RUNS_PER_REALM: usize = 4;

/// The job that hands a run over (subject: the run's id).
pub const JOB_KIND: &str = "invitation.run";

/// Where a run is.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Run {
    pub realm: String,
    /// Who started it (the run sends as them, while they still may).
    pub by: crate::model::OperatorView,
    /// Identities selected.
    pub total: usize,
    /// BI's batches, in the order they were accepted.
    pub batches: Vec<String>,
    /// The identities not yet handed to BI, a batch's worth each, in order.
    pub rest: Vec<Vec<String>>,
    /// Batches handed over so far, counting from the run's first (names each hand-over's step in the audit log).
    pub handed: usize,
    /// BI's last answer was that the realm's queue is full.
    pub queue_full: bool,
    /// Why the run stopped before handing every identity to BI (those still waiting were not sent).
    pub stopped: Option<String>,
    /// The invitations' authenticator configuration.
    pub config_id: String,
}

impl Run {
    /// Identities not yet handed to BI.
    pub fn waiting(&self) -> usize {
        self.rest.iter().map(Vec::len).sum()
    }

    /// Every identity is with BI, or the run stopped.
    pub fn handed_over(&self) -> bool {
        self.rest.is_empty() || self.stopped.is_some()
    }
}

/// What runs need of their store.
pub trait RunStore: Send + Sync {
    /// Keeps `run` as `id` and queues the job that hands it over, in one transaction; refuses (answering why) when
    /// its operator has [`MAX_RUNS_PER_OPERATOR`] runs going, or its realm [`MAX_RUNS_PER_REALM`].
    fn start<'a>(&'a self, id: &'a str, run: &'a Run) -> Fut<'a, Result<(), String>>;
    fn get<'a>(&'a self, id: &'a str) -> Fut<'a, Option<Run>>;
    /// Keeps `run` as it is now (only its job writes a run).
    fn put<'a>(&'a self, id: &'a str, run: &'a Run) -> Fut<'a, ()>;
}

/// The refusal when an operator or a realm has too many runs going.
pub fn too_many(operator_going: usize, realm_going: usize) -> Option<String> {
    if operator_going >= MAX_RUNS_PER_OPERATOR {
        return Some(format!(
            "You have {MAX_RUNS_PER_OPERATOR} invitation runs going already; send more when one has handed all its invitations to BI."
        ));
    }
    if realm_going >= MAX_RUNS_PER_REALM {
        return Some(format!(
            "This realm has {MAX_RUNS_PER_REALM} invitation runs going already; send more when one has handed all its invitations to BI."
        ));
    }
    None
}

/// Runs kept in this process's memory (a console without a database: unit tests).
#[derive(Default)]
pub struct InMemory {
    runs: Mutex<HashMap<String, Run>>,
}

impl RunStore for InMemory {
    fn start<'a>(&'a self, id: &'a str, run: &'a Run) -> Fut<'a, Result<(), String>> {
        Box::pin(async move {
            let mut runs = self.runs.lock().unwrap_or_else(|e| e.into_inner());
            let going = |same: &dyn Fn(&Run) -> bool| runs.values().filter(|r| !r.handed_over() && same(r)).count();
            let mine = going(&|r| r.by.username.eq_ignore_ascii_case(&run.by.username));
            if let Some(why) = too_many(mine, going(&|r| r.realm == run.realm)) {
                return Ok(Err(why));
            }
            runs.insert(id.to_string(), run.clone());
            Ok(Ok(()))
        })
    }
    fn get<'a>(&'a self, id: &'a str) -> Fut<'a, Option<Run>> {
        Box::pin(async move { Ok(self.runs.lock().unwrap_or_else(|e| e.into_inner()).get(id).cloned()) })
    }
    fn put<'a>(&'a self, id: &'a str, run: &'a Run) -> Fut<'a, ()> {
        Box::pin(async move {
            self.runs
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(id.to_string(), run.clone());
            Ok(())
        })
    }
}

/// The runs, in their store, with the views of batches BI has finished kept in this process (they no longer
/// change, so they are not read from BI again).
#[derive(Clone)]
pub struct Runs {
    store: Arc<dyn RunStore>,
    finished: Arc<Mutex<HashMap<String, crate::model::BatchView>>>,
}

impl Default for Runs {
    fn default() -> Runs {
        Runs::new(InMemory::default())
    }
}

/// Finished batches' views kept at most (more are forgotten at once).
const KEPT_VIEWS: usize = 10_000;

impl Runs {
    pub fn new(store: impl RunStore + 'static) -> Runs {
        Runs {
            store: Arc::new(store),
            finished: Default::default(),
        }
    }

    /// Keeps a new run and queues its job; answers its id (`run-` and 16 hex digits: never a BI batch id), or why it
    /// may not start (see [`RunStore::start`]).
    pub async fn start(&self, run: Run) -> Result<Result<String, String>, crate::store::StoreError> {
        let id = format!("run-{:016x}", rand::random::<u64>());
        Ok(self.store.start(&id, &run).await?.map(|()| id))
    }

    pub async fn get(&self, id: &str) -> Result<Option<Run>, crate::store::StoreError> {
        self.store.get(id).await
    }

    /// Changes a run (nothing when it is gone); answers it as changed.
    pub async fn update(
        &self,
        id: &str,
        change: impl FnOnce(&mut Run),
    ) -> Result<Option<Run>, crate::store::StoreError> {
        let Some(mut run) = self.store.get(id).await? else {
            return Ok(None);
        };
        change(&mut run);
        self.store.put(id, &run).await?;
        Ok(Some(run))
    }

    /// The view of a batch BI has finished, if this process read it since.
    pub fn finished(&self, batch: &str) -> Option<crate::model::BatchView> {
        self.finished.lock().unwrap_or_else(|e| e.into_inner()).get(batch).cloned()
    }

    /// Keeps the view of a batch BI has finished.
    pub fn keep_finished(&self, batch: &str, view: crate::model::BatchView) {
        let mut kept = self.finished.lock().unwrap_or_else(|e| e.into_inner());
        if kept.len() >= KEPT_VIEWS {
            kept.clear();
        }
        kept.insert(batch.to_string(), view);
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

    fn operator(name: &str) -> crate::model::OperatorView {
        crate::model::OperatorView {
            username: name.into(),
            role: crate::model::Role::Admin,
            realms: None,
        }
    }

    #[tokio::test]
    async fn a_run_is_kept_changed_and_found_by_its_id() {
        let runs = Runs::default();
        let id = runs
            .start(Run {
                realm: "r1".into(),
                by: operator("ada"),
                total: 2_500,
                batches: vec!["b1".into()],
                rest: vec![vec!["x".into(); 1_000], vec!["y".into(); 500]],
                ..Run::default()
            })
            .await
            .unwrap()
            .unwrap();
        assert!(Runs::is_run_id(&id), "{id}");
        assert!(!Runs::is_run_id("0123456789abcdef"), "a BI batch id is not a run's");
        runs.update(&id, |r| {
            r.batches.push("b2".into());
            r.rest.remove(0);
            r.queue_full = true;
        })
        .await
        .unwrap();
        let now = runs.get(&id).await.unwrap().unwrap();
        assert_eq!(now.batches, ["b1", "b2"]);
        assert_eq!(now.waiting(), 500);
        assert!(!now.handed_over());
        runs.update(&id, |r| r.stopped = Some("refused".into())).await.unwrap();
        assert!(runs.get(&id).await.unwrap().unwrap().handed_over());
        assert_eq!(runs.get("run-0000000000000000").await.unwrap(), None);
    }

    #[tokio::test]
    async fn runs_going_at_once_are_bounded_per_operator_and_per_realm() {
        let runs = Runs::default();
        let run = |name: &str, realm: &str| Run {
            realm: realm.into(),
            by: operator(name),
            total: 2_000,
            rest: vec![vec!["x".into(); 1_000]],
            ..Run::default()
        };
        for _ in 0..MAX_RUNS_PER_OPERATOR {
            runs.start(run("ada", "r1")).await.unwrap().unwrap();
        }
        assert!(runs.start(run("ADA", "r2")).await.unwrap().unwrap_err().contains("You have"));
        // Another operator in the same realm, up to the realm's bound.
        for _ in MAX_RUNS_PER_OPERATOR..MAX_RUNS_PER_REALM {
            runs.start(run("grace", "r1")).await.unwrap().unwrap();
        }
        assert!(runs.start(run("alan", "r1")).await.unwrap().unwrap_err().contains("This realm"));
        // A run handed over in full no longer counts.
        let done = runs.start(run("alan", "r3")).await.unwrap().unwrap();
        runs.update(&done, |r| r.rest.clear()).await.unwrap();
        runs.start(run("alan", "r3")).await.unwrap().unwrap();
    }
}
