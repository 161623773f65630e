//! The jobs' runner of this process: it asks the queue for work every few seconds (a job queued by another
//! replica, or one whose process died and whose lease lapsed) and hands each job to its kind's work.

use crate::jobs::{Claimed, Queue, IMPORT_APPLY};
use crate::state::AppState;

/// How often the runner asks for work.
const POLL: std::time::Duration = std::time::Duration::from_secs(2);

/// Starts this process's runner.
pub(super) fn start_runner(state: AppState, queue: Queue) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(POLL);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            loop {
                match queue.next().await {
                    Ok(Some(job)) => run(&state, &queue, job).await,
                    Ok(None) => break,
                    Err(e) => {
                        tracing::warn!(error = %e, "could not ask the job queue for work");
                        break;
                    }
                }
            }
        }
    });
}

async fn run(state: &AppState, queue: &Queue, job: Claimed) {
    tracing::info!(kind = %job.kind, subject = %job.subject, attempt = job.attempt, "taking up a job");
    match job.kind.as_str() {
        IMPORT_APPLY => {
            if crate::api::run_claimed_import(state.clone(), job.clone()).is_none() {
                // Already applying in this process (about to claim it itself): given back.
                queue.release(&job).await;
            }
        }
        crate::invitation_runs::JOB_KIND => {
            crate::api::run_invitations(state.clone(), job.subject.clone(), Some(job));
        }
        other => {
            tracing::warn!(kind = other, "a job of a kind this console does not know: given back");
            queue.release(&job).await;
        }
    }
}
