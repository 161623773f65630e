//! This process's background work once it serves: the jobs' runner (it asks the queue for work every few seconds —
//! a job queued by another replica, or one whose process died and whose lease lapsed — and hands each job to its
//! kind's work), the imports the last process left applying, and the hourly sweep.

use crate::jobs::{Claimed, Queue, IMPORT_APPLY};
use crate::state::AppState;

/// How often the runner asks for work.
const POLL: std::time::Duration = std::time::Duration::from_secs(2);

/// The kinds of job the runner takes up (the hour's sweep is claimed by name, see [`sweep`]).
const RUNS: &[&str] = &[IMPORT_APPLY, crate::invitation_runs::JOB_KIND];

/// Starts this process's runner.
fn start_runner(state: AppState, queue: Queue) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(POLL);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            loop {
                match queue.next(RUNS).await {
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

/// A plan still being made after this long was abandoned (a plan of 100,000 rows is made in about 2 s).
const ABANDONED_PLAN: std::time::Duration = std::time::Duration::from_secs(3600);

/// Finished jobs are forgotten after this long.
const FINISHED_JOBS_KEPT: std::time::Duration = std::time::Duration::from_secs(7 * 24 * 3600);

/// Forgets import plans left half made by a console or command that stopped while making them, and jobs finished a
/// week ago (each idempotent: any process may do it at any time).
async fn sweep_now(
    imports: &crate::transfer::store::Imports,
    queue: &crate::jobs::Queue,
    audit: Option<&crate::audit::AuditLog>,
) -> Result<(), String> {
    if let Some(audit) = audit {
        let gone = audit
            .forget_expired()
            .await
            .map_err(|e| format!("could not forget audit entries past their retention: {e}"))?;
        if gone > 0 {
            tracing::info!(entries = gone, "forgot audit entries past CONSOLE_AUDIT_RETENTION_DAYS");
        }
    }
    let plans = imports
        .discard_abandoned_plans(ABANDONED_PLAN)
        .await
        .map_err(|e| format!("could not forget import plans left half made: {e}"))?;
    if plans > 0 {
        tracing::info!(plans, "forgot import plans left half made");
    }
    let jobs = queue
        .store()
        .forget_finished(FINISHED_JOBS_KEPT)
        .await
        .map_err(|e| format!("could not forget finished jobs: {e}"))?;
    if jobs > 0 {
        tracing::info!(jobs, "forgot jobs finished a week ago");
    }
    Ok(())
}

/// The sweep of the hour `hour` (hours since 1970), if no process has done it yet (see [`sweep_now`]). Answers
/// whether this process did it. Replicas all ask every few minutes; one does each hour's.
pub async fn sweep(state: &AppState, hour: u64) -> bool {
    let (Some(queue), Some(imports)) = (&state.jobs, &state.imports) else {
        return false;
    };
    let job = match queue.claim(crate::jobs::SWEEP, &hour.to_string()).await {
        Ok(Some(job)) => job,
        Ok(None) => return false,
        Err(e) => {
            tracing::warn!(error = %e, "could not ask the job queue for the sweep");
            return false;
        }
    };
    queue.run(job, sweep_now(imports, queue, state.audit.as_ref())).await;
    true
}

/// Continues the imports whose apply was running when the console last stopped: called by the server once it
/// listens (the jobs' calls to an embedded sandbox go to it), never by a command-line tool. Every few minutes asks
/// for the hour's [`sweep`].
pub async fn resume_imports(state: &AppState) {
    let Some(imports) = &state.imports else {
        return;
    };
    // At start, whatever the hour's sweep did: the plans a stopped process left half made are forgotten now.
    if let Some(queue) = &state.jobs {
        if let Err(e) = sweep_now(imports, queue, state.audit.as_ref()).await {
            tracing::warn!(error = %e, "the sweep at start failed");
        }
    }
    let sweeping = state.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(300));
        every.tick().await;
        loop {
            every.tick().await;
            let hour = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() / 3600)
                .unwrap_or_default();
            sweep(&sweeping, hour).await;
        }
    });
    if let Some(queue) = &state.jobs {
        // On a database of this process alone, the jobs it shows running were the previous process's.
        if !queue.store().shared() {
            match queue.store().free_all().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(jobs = n, "taking up the jobs the previous process left running"),
                Err(e) => tracing::warn!(error = %e, "could not take up the previous process's jobs"),
            }
        }
        start_runner(state.clone(), queue.clone());
    }
    // Those this process may take now are taken at once (another replica's, under a live lease, are not).
    for id in imports.unfinished().await.unwrap_or_default() {
        if crate::api::run_import(state.clone(), id.clone()).is_some() {
            tracing::info!(import = %id, "continuing an import's apply");
        }
    }
}

/// Starts sending the audit log to `CONSOLE_AUDIT_SINK`, when one is set: one process at a time sends, holding the
/// sending for three of the sink's time limits (at least a job's lease), so a delivery in flight is never taken
/// over by another replica; a process that died lets go when its hold lapses.
pub async fn start_audit_sink(state: &AppState) -> Result<(), String> {
    let (Some(audit), Some(queue)) = (&state.audit, &state.jobs) else {
        return Ok(());
    };
    let Some(sink) = audit.sink() else {
        return Ok(());
    };
    let hold = queue.lease().max(sink.timeout() * 3);
    sink.start(queue.owner().to_string(), hold, queue.store().shared()).await?;
    tracing::info!(sink = %sink.label(), "sending the audit log to its sink");
    Ok(())
}
