//! Passkey invitations to many identities at once: BI's batch credential binding jobs, followed to a summary. BI
//! takes at most 1,000 identities per batch and queues at most 1,000 per realm, so a larger selection, or one sent
//! while the queue is busy, becomes a run (`crate::invitation_runs`): the console hands BI one batch at a time and
//! goes on as the queue drains. Either way the page at `/realms/{realm}/invitations/{id}` follows it.

use leptos::prelude::*;

use crate::model::{AppError, BatchView};
#[cfg(feature = "ssr")]
pub(crate) use ssr::*;
#[cfg(feature = "ssr")]
use {
    super::checks::{allow_in, permit, state},
    super::errors,
    crate::permit::{act, Permit},
};

/// Sends passkey invitations by email to the selected identities (up to 10,000), with the realm's default
/// authenticator configuration. Up to 1,000 that BI queues at once: one batch, whose id is answered. Otherwise a
/// run that hands BI 1,000 at a time as its queue drains, whose id (`run-…`) is answered. Either id's page follows
/// the invitations to a summary.
#[server(output = crate::api::codec::TextJson)]
pub async fn start_passkey_invitations(
    realm: String,
    ids: Vec<String>,
) -> Result<String, AppError> {
    use crate::model::limits::MAX_SELECTED_IDS;
    let permit = permit::<act::Invite>(&realm).await?;
    let ids = super::checks::checked_ids(ids, MAX_SELECTED_IDS, "identity")?;
    invite_many(&super::checks::service_of(&permit)?, permit, ids).await
}

/// How far a batch, or a run of batches, has got (see [`batch_view`]). A run reads only its batches that BI has not
/// finished: a finished one's view is kept.
#[server(output = crate::api::codec::TextJson)]
pub async fn invitation_batch(realm: String, batch: String) -> Result<BatchView, AppError> {
    use crate::invitation_runs::Runs;
    allow_in(crate::model::Action::Read, &realm).await?;
    let s = state()?;
    if !Runs::is_run_id(&batch) {
        return batch_view(&s, &realm, &batch).await;
    }
    let kept = s.invitation_runs.get(&batch).await.map_err(|e| {
        tracing::error!(error = %e, "invitation run not read");
        AppError::new("The console's database did not answer; try again.")
    })?;
    let Some(run) = kept.filter(|r| r.realm == realm) else {
        return Err(super::checks::not_found(
            "The console does not know these invitations (they were sent more than a day ago, or by another console). What was sent is in the audit log, and each identity's enrollment status says where it is.",
        ));
    };
    let mut views = Vec::with_capacity(run.batches.len());
    for id in &run.batches {
        if let Some(done) = s.invitation_runs.finished(id) {
            views.push(done);
            continue;
        }
        let view = batch_view(&s, &realm, id).await?;
        if !view.running() {
            s.invitation_runs.keep_finished(id, view.clone());
        }
        views.push(view);
    }
    Ok(BatchView::of_run(
        &batch,
        run.total as u64,
        &views,
        run.waiting() as u64,
        run.queue_full,
        run.stopped,
    ))
}

/// What the server functions above do on the server only.
#[cfg(feature = "ssr")]
mod ssr {
    use super::*;

    /// While BI's queue is full, a run asks again this often…
    pub(super) const QUEUE_RETRY: std::time::Duration = std::time::Duration::from_secs(3);

    /// …and stops after this long without BI taking a batch.
    pub(super) const QUEUE_PATIENCE: std::time::Duration = std::time::Duration::from_secs(3600);

    /// Sends invitations by email to `ids` with the realm's default configuration, as [`start_passkey_invitations`]
    /// does (also for work outside a request: an import's new identities). Answers the batch's or the run's id.
    pub(crate) async fn invite_many(
        svc: &crate::service::Service,
        permit: Permit<act::Invite>,
        ids: Vec<String>,
    ) -> Result<String, AppError> {
        let s = &svc.state;
        use crate::bi::wire::JobTemplate;
        use crate::invitation_runs::Run;
        use crate::model::MAX_BATCH_IDS;
        let realm = permit.realm().to_string();
        let config = super::super::passkeys::realm_default_config(s, &realm)
            .await?
            .ok_or_else(|| {
                super::super::checks::bad_request(
                    "This realm has no authenticator configuration, so BI cannot send invitations.",
                )
            })?;
        let template = JobTemplate {
            authenticator_config_id: config.id,
            post_binding_redirect_uri: None,
        };
        // Members of a protected group refuse the whole selection for a non-admin (nothing is sent).
        svc.on_identities(&permit, &ids).await?;
        let chunks: Vec<Vec<String>> = ids.chunks(MAX_BATCH_IDS).map(<[String]>::to_vec).collect();
        let Some(first) = chunks.first() else {
            return Err(super::super::checks::bad_request("No identity to invite."));
        };
        let first = submit(svc, &permit, first, &template).await;
        let (batches, rest) = match first {
            Submitted::Batch(b) if chunks.len() == 1 => return Ok(b),
            Submitted::Batch(b) => (vec![b], chunks[1..].to_vec()),
            Submitted::QueueFull => (Vec::new(), chunks),
            Submitted::Refused(e) => return Err(e),
        };
        let run = Run {
            realm,
            by: permit.operator().clone(),
            total: ids.len(),
            queue_full: batches.is_empty(),
            handed: batches.len(),
            batches,
            rest,
            stopped: None,
            config_id: template.authenticator_config_id.clone(),
        };
        let id = s
            .invitation_runs
            .start(run)
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "invitation run not kept");
                AppError::new("The console's database did not answer; try again.")
            })?
            .map_err(|why| super::super::checks::answering(429, &why))?;
        run_invitations(s.clone(), id.clone(), None);
        Ok(id)
    }

    /// Hands over the run `id` as a job: claimed in the queue (or `claimed` already, by the runner) and handed
    /// over under its lease; a process that has no queue hands it over at once. Another process holding the job
    /// leaves it be.
    pub(crate) fn run_invitations(
        s: crate::state::AppState,
        id: String,
        claimed: Option<crate::jobs::Claimed>,
    ) {
        tokio::spawn(async move {
            let work = async { hand_over(&s, &id).await.map_err(|e| e.to_string()) };
            match s.jobs.clone() {
                None => {
                    if let Err(e) = work.await {
                        tracing::error!(run = %id, error = %e, "invitation run stopped");
                    }
                }
                Some(queue) => {
                    let job = match claimed {
                        Some(job) => Some(job),
                        None => queue
                            .claim(crate::invitation_runs::JOB_KIND, &id)
                            .await
                            .unwrap_or_else(|e| {
                                tracing::error!(run = %id, error = %e, "invitation run not started");
                                None
                            }),
                    };
                    if let Some(job) = job {
                        queue.run(job, work).await;
                    }
                }
            }
        });
    }

    /// What BI did with one batch.
    pub(super) enum Submitted {
        /// Queued: the batch's id.
        Batch(String),
        /// BI's queue for the realm cannot take it now (429): nothing was written.
        QueueFull,
        Refused(AppError),
    }

    /// Asks BI to send invitations to `ids` (at most 1,000) as one batch, and records what it answered (a full queue
    /// wrote nothing and is not recorded). Runs outside a request too, so it records through `s` directly.
    pub(super) async fn submit(
        svc: &crate::service::Service,
        permit: &Permit<act::Invite>,
        ids: &[String],
        template: &crate::bi::wire::JobTemplate,
    ) -> Submitted {
        let s = &svc.state;
        // The rule is read again for each batch: a run lasts, and membership can change meanwhile.
        let targets = match svc.on_identities(permit, ids).await {
            Ok(t) => t,
            Err(e) => return Submitted::Refused(e),
        };
        let made = s
            .client
            .create_batch_credential_binding_job(&targets, template)
            .await;
        let made = match made {
            Err(e) if e.status() == Some(429) => return Submitted::QueueFull,
            other => other.map_err(|e| svc.failed("send passkey invitations", e)),
        };
        let detail = format!("invitations by email to {} identities", ids.len());
        let event = crate::audit::Event::new(
            crate::model::AuditAction::PasskeyInviteBatch,
            permit.realm(),
            "",
            "",
            detail,
        )
        .with_subjects(ids.to_vec());
        svc.record(event, &made).await;
        match made {
            Ok(batch) => Submitted::Batch(batch.id),
            Err(e) => Submitted::Refused(e),
        }
    }

    /// Hands BI the rest of run `id`, a batch at a time, waiting while its queue is full, as the operator who
    /// started it (while they still may send invitations in the realm); stops when BI refuses a batch or its queue
    /// takes nothing for [`QUEUE_PATIENCE`]. What is handed over is kept after each batch, so the job, taken up again
    /// after a restart or by another replica, carries on with the next; a batch in flight when the process died is
    /// handed over again (its audit entry, the step's, is not written twice).
    pub(super) async fn hand_over(
        s: &crate::state::AppState,
        id: &str,
    ) -> Result<(), crate::store::StoreError> {
        let runs = s.invitation_runs.clone();
        let Some(run) = runs.get(id).await? else {
            return Ok(());
        };
        let stop = |why: String| {
            let runs = runs.clone();
            async move { runs.update(id, |r| r.stopped = Some(why)).await.map(|_| ()) }
        };
        let actor = crate::service::Actor {
            operator: run.by.clone(),
            request_id: id.to_string(),
            origin: crate::service::Origin::Job,
        };
        let svc = crate::service::Service::new(s.clone(), actor);
        let permit = match Permit::<act::Invite>::check(&run.by, &run.realm) {
            Ok(p) => p,
            Err(e) => return stop(format!("refused: {e}")).await,
        };
        let template = crate::bi::wire::JobTemplate {
            authenticator_config_id: run.config_id.clone(),
            post_binding_redirect_uri: None,
        };
        let mut since = std::time::Instant::now();
        loop {
            let Some(run) = runs.get(id).await? else {
                return Ok(());
            };
            if run.handed_over() {
                return Ok(());
            }
            // The run goes on only while its operator may still send invitations in the realm.
            if let Err(why) = s.operator_still(permit.operator(), permit.realm()).await {
                return stop(why).await;
            }
            let chunk = run.rest[0].clone();
            let step = svc.in_step(format!("{id}/batch/{}", run.handed));
            match submit(&step, &permit, &chunk, &template).await {
                Submitted::Batch(b) => {
                    runs.update(id, |r| {
                        r.batches.push(b);
                        r.rest.remove(0);
                        r.handed += 1;
                        r.queue_full = false;
                    })
                    .await?;
                    since = std::time::Instant::now();
                }
                Submitted::QueueFull if since.elapsed() < QUEUE_PATIENCE => {
                    if !run.queue_full {
                        runs.update(id, |r| r.queue_full = true).await?;
                    }
                    tokio::time::sleep(QUEUE_RETRY).await;
                }
                Submitted::QueueFull => {
                    return stop("BI's queue for this realm took nothing for an hour".to_string())
                        .await;
                }
                Submitted::Refused(e) => return stop(e.message).await,
            }
        }
    }

    /// How far one BI batch has got: one call for the batch and one for its counts while it runs; once it has
    /// finished, its results are read (200 per call) to name who was not sent an invitation, and the directory index
    /// follows.
    pub(super) async fn batch_view(
        s: &crate::state::AppState,
        realm: &str,
        batch: &str,
    ) -> Result<BatchView, AppError> {
        use crate::bi::wire::ListQuery;
        let one = ListQuery {
            page_size: Some(1),
            ..ListQuery::default()
        };
        let (found, counts) = tokio::join!(
            s.client.get_batch_credential_binding_job(realm, batch),
            s.client.list_batch_results(realm, batch, &one)
        );
        let found = found.map_err(|e| errors::from_bi("read the batch of invitations", e))?;
        let counts = counts.map_err(|e| errors::from_bi("read the batch's results", e))?;
        let mut view = BatchView {
            id: found.id.clone(),
            state: found.state.clone(),
            total: found.identity_ids.len() as u64,
            sent: counts.total_success_count,
            failed: counts.total_failure_count,
            pending: counts.total_pending_count,
            not_sent: Vec::new(),
            ..BatchView::default()
        };
        if view.running() {
            return Ok(view);
        }
        // Who was not sent one: BI's per-identity errors, and jobs that failed to send.
        let mut not_sent: Vec<(String, String)> = found
            .state_commentary
            .map(|c| c.errors)
            .unwrap_or_default()
            .into_iter()
            .map(|(id, e)| (id, e.last_error))
            .collect();
        let mut invited = Vec::new();
        let mut first_page = true;
        let client = &s.client;
        let mut walk = std::pin::pin!(crate::bi::pages::pages(
            crate::bi::pages::Bounds::WHOLE,
            |q| async move { client.list_batch_results(realm, batch, &q).await }
        ));
        while let Some(page) = futures::TryStreamExt::try_next(&mut walk)
            .await
            .map_err(|e| errors::from_bi("read the batch's results", e))?
        {
            // The counts read beside the batch may predate its finish: a finished batch's are read after it.
            if first_page {
                first_page = false;
                view.sent = page.total_success_count;
                view.failed = page.total_failure_count;
                view.pending = page.total_pending_count;
            }
            invited.extend(
                page.job_results
                    .iter()
                    .filter(|j| j.is_pending())
                    .map(|j| j.identity_id.clone()),
            );
            not_sent.extend(
                page.job_results
                    .iter()
                    .filter(|j| j.state == "FAILED_TO_SEND")
                    .map(|j| {
                        (
                            j.identity_id.clone(),
                            "the address cannot receive mail".to_string(),
                        )
                    }),
            );
        }
        // The directory index follows BI's rule for those invited (the batch wrote at BI, not through the console's
        // per-identity path), and names those not sent an invitation.
        if let Some(index) = &s.index {
            let bounced: Vec<String> = not_sent
                .iter()
                .filter(|(_, why)| why.starts_with("the address"))
                .map(|(id, _)| id.clone())
                .collect();
            let updated = tokio::join!(
                index.set_enrollment(realm, &invited, "PENDING", &["ENROLLED"]),
                index.set_enrollment(realm, &bounced, "INVITE_FAILED", &["ENROLLED", "PENDING"])
            );
            if let (Err(e), _) | (_, Err(e)) = updated {
                tracing::warn!(realm, error = %e, "directory index update failed");
            }
            let ids: Vec<String> = not_sent.iter().map(|(id, _)| id.clone()).collect();
            let known = index.by_ids(realm, &ids).await.unwrap_or_default();
            for (who, _) in not_sent.iter_mut() {
                if let Some(i) = known.iter().find(|i| &i.id == who) {
                    *who = i.username().to_string();
                }
            }
        }
        view.not_sent = not_sent;
        Ok(view)
    }
}
