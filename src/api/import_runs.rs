//! Starting an import's apply job (`import_job`): held in this process while it runs, and claimed in the queue of
//! jobs (`jobs`) with a lease, so one process at a time applies an import and another carries it on if it dies.

use super::import_job::steps;

/// Starts the apply job of import `id` (see the module's notes): by `apply_import`, the `import` command and, for an
/// apply that was running when the console stopped, at start-up. One job per import at a time: in this process the
/// import is held before this returns (so `import_jobs.settled(id)` waits for the job; `None` when a job here has
/// it already); across processes the job is claimed in the queue with a lease (when another process holds it, this
/// one leaves it be).
pub fn run_import(s: crate::state::AppState, id: String) -> Option<tokio::task::JoinHandle<()>> {
    run(s, id, None)
}

/// Runs the apply job the queue gave this process (`job`, claimed already); `None` when this process applies the
/// import already.
pub fn run_claimed_import(
    s: crate::state::AppState,
    job: crate::jobs::Claimed,
) -> Option<tokio::task::JoinHandle<()>> {
    run(s, job.subject.clone(), Some(job))
}

fn run(
    s: crate::state::AppState,
    id: String,
    claimed: Option<crate::jobs::Claimed>,
) -> Option<tokio::task::JoinHandle<()>> {
    if !s.import_jobs.claim(&id) {
        return None;
    }
    Some(tokio::spawn(async move {
        let apply = async { steps(&s, &id).await.map_err(|e| e.to_string()) };
        match &s.jobs {
            None => {
                if let Err(e) = apply.await {
                    tracing::error!(import = %id, error = %e, "import apply stopped");
                }
            }
            Some(queue) => {
                let job = match claimed {
                    Some(job) => Some(job),
                    None => match queue.claim(crate::jobs::IMPORT_APPLY, &id).await {
                        Ok(job) => job,
                        Err(e) => {
                            tracing::error!(import = %id, error = %e, "import apply not started");
                            None
                        }
                    },
                };
                match job {
                    Some(job) => queue.run(job, apply).await,
                    None => tracing::info!(import = %id, "another process applies this import"),
                }
            }
        }
        s.import_jobs.release(&id);
    }))
}
