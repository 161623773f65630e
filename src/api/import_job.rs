//! The apply job of an import (see `imports`): it runs in the server, keeps each step's outcome in the console's
//! database and so continues after a restart from where it stopped. Writes go through the checked paths (a create
//! is looked up before it is sent again; members are read before a failed `:addMembers` is repeated), a few at a
//! time; each is in the audit log, with one entry for the import itself.

use crate::model::AuditAction;
use crate::service::Indexed;

/// Writes in flight at once.
const PARALLEL_WRITES: usize = 4;

pub(super) async fn steps(
    s: &crate::state::AppState,
    id: &str,
) -> Result<(), crate::store::StoreError> {
    use crate::model::{IMPORT_CANCELLED, IMPORT_CANCELLING, IMPORT_DONE};
    let Some(imports) = s.imports.clone() else {
        return Ok(());
    };
    let Some(header) = imports.header(id).await? else {
        return Ok(());
    };
    // The job writes as the operator who applied the plan, as long as they still may.
    let applier = header.applier.as_ref().unwrap_or(&header.operator);
    if let Err(why) = s.operator_still(applier, &header.realm).await {
        tracing::warn!(import = %id, operator = %applier.username, %why, "import apply stopped");
        return imports.halt(id, &why).await;
    }
    let actor = crate::service::Actor {
        operator: applier.clone(),
        request_id: format!("import-{id}"),
        // An import applied from the command line writes as `cli`.
        origin: if applier.username == crate::model::CLI_OPERATOR {
            crate::service::Origin::Cli
        } else {
            crate::service::Origin::Job
        },
    };
    let svc = crate::service::Service::new(s.clone(), actor);
    let job = Job {
        s,
        svc: &svc,
        imports: &imports,
        id,
        realm: &header.realm,
        operator: applier,
    };
    let halted = std::sync::Mutex::new(None::<String>);
    let stopped = || async {
        if let Err(why) = s.operator_still(applier, &header.realm).await {
            *halted.lock().expect("lock") = Some(why);
            return true;
        }
        imports
            .header(id)
            .await
            .ok()
            .flatten()
            .is_none_or(|h| h.state == IMPORT_CANCELLING)
    };
    // Steps that failed (BI unreachable for longer than the client's retries) are tried again, up to twice.
    for round in 0..ROUNDS {
        if round > 0 && imports.retry_failed(id).await? == 0 {
            break;
        }
        if !pass(&job, &stopped).await? {
            let why = halted.lock().expect("lock").take();
            return match why {
                Some(why) => imports.halt(id, &why).await,
                None => imports.set_state(id, IMPORT_CANCELLED).await,
            };
        }
    }
    if header.invite {
        job.invite_created().await?;
    }
    imports.set_state(id, IMPORT_DONE).await?;
    job.record_import().await;
    Ok(())
}

/// Rounds of an apply: the first, and two more for what failed.
const ROUNDS: usize = 3;

/// One pass over what is left of an import: the groups to create, the rows, the memberships, the removals, then the
/// suspensions. False when it was stopped (cancelled, or its operator may no longer write).
async fn pass<F, Fut>(job: &Job<'_>, stopped: &F) -> Result<bool, crate::store::StoreError>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let job = *job;
    Ok(create_groups(job, stopped).await?
        && write_rows(job, stopped).await?
        && fill_groups(job, stopped).await?
        && trim_groups(job, stopped).await?
        && suspend_others(job, stopped).await?)
}

/// 1. The groups the file names that the realm lacks.
async fn create_groups<F, Fut>(job: Job<'_>, stopped: &F) -> Result<bool, crate::store::StoreError>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    use crate::transfer::store::GroupOutcome;
    for g in job.imports.groups(job.id).await? {
        if !g.to_create || g.created.is_some() {
            continue;
        }
        if stopped().await {
            return Ok(false);
        }
        let outcome = match job.create_group(&g.name).await {
            Ok(group) => {
                job.imports
                    .group_done(job.id, &g.name, GroupOutcome::Created(&group))
                    .await
            }
            Err(m) => {
                job.imports
                    .group_done(job.id, &g.name, GroupOutcome::CreateFailed(&m))
                    .await
            }
        };
        outcome?;
    }
    Ok(true)
}

/// 2. The rows, a few at a time, in the file's order.
async fn write_rows<F, Fut>(job: Job<'_>, stopped: &F) -> Result<bool, crate::store::StoreError>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    use futures::StreamExt;
    let rows = job.imports.rows_to_write(job.id).await?;
    for chunk in rows.chunks(PARALLEL_WRITES * 4) {
        if stopped().await {
            return Ok(false);
        }
        let outcomes: Vec<_> = futures::stream::iter(chunk.iter().cloned())
            .map(|(line, write)| async move { (line, job.write_row(line, write).await) })
            .buffer_unordered(PARALLEL_WRITES)
            .collect()
            .await;
        for (line, outcome) in outcomes {
            let (step, message, identity) = match &outcome {
                Ok(identity) => (crate::model::STEP_OK, None, Some(identity.as_str())),
                Err(m) => (crate::model::STEP_FAILED, Some(m.as_str()), None),
            };
            job.imports
                .row_done(job.id, line, step, message, identity)
                .await?;
        }
    }
    Ok(true)
}

/// 3. Memberships: per group, those joining it, in calls of at most 1,000.
async fn fill_groups<F, Fut>(job: Job<'_>, stopped: &F) -> Result<bool, crate::store::StoreError>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    use crate::transfer::store::GroupOutcome;
    for g in job.imports.groups(job.id).await? {
        if g.filled.is_some() {
            continue;
        }
        if stopped().await {
            return Ok(false);
        }
        let outcome = match &g.id {
            None => Some("the group was not created".to_string()),
            Some(group) => {
                let joining = job.imports.joining(job.id, &g.name).await?;
                job.change_members(group, &joining, true).await
            }
        };
        job.imports
            .group_done(job.id, &g.name, GroupOutcome::Filled(outcome.as_deref()))
            .await?;
    }
    Ok(true)
}

/// 4. Removals, when the groups' membership is to match the file.
async fn trim_groups<F, Fut>(job: Job<'_>, stopped: &F) -> Result<bool, crate::store::StoreError>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for g in job.imports.groups(job.id).await? {
        let (Some(group), None) = (&g.id, &g.trimmed) else {
            continue;
        };
        let leaving = job.imports.leaving(job.id, &g.name).await?;
        if leaving.is_empty() {
            continue;
        }
        if stopped().await {
            return Ok(false);
        }
        let outcome = job.change_members(group, &leaving, false).await;
        job.imports
            .group_trimmed(job.id, &g.name, outcome.as_deref())
            .await?;
    }
    Ok(true)
}

/// 5. Suspensions, when the identities the file does not list are to be suspended.
async fn suspend_others<F, Fut>(job: Job<'_>, stopped: &F) -> Result<bool, crate::store::StoreError>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    use futures::StreamExt;
    let ids = job.imports.to_suspend(job.id).await?;
    for chunk in ids.chunks(PARALLEL_WRITES * 4) {
        if stopped().await {
            return Ok(false);
        }
        let outcomes: Vec<_> = futures::stream::iter(chunk.iter().cloned())
            .map(|who| async move {
                let outcome = job.suspend(&who).await;
                (who, outcome)
            })
            .buffer_unordered(PARALLEL_WRITES)
            .collect()
            .await;
        for (who, outcome) in outcomes {
            job.imports
                .suspended(job.id, &who, outcome.err().as_deref())
                .await?;
        }
    }
    Ok(true)
}

/// What one apply job writes with: the operator who applied it, in its realm.
#[derive(Clone, Copy)]
struct Job<'a> {
    s: &'a crate::state::AppState,
    /// The job's work, as the operator who applied the import, under the id `import-…`.
    svc: &'a crate::service::Service,
    imports: &'a crate::transfer::store::Imports,
    id: &'a str,
    realm: &'a str,
    operator: &'a crate::model::OperatorView,
}

impl Job<'_> {
    fn permit<A: crate::permit::Act>(&self) -> Result<crate::permit::Permit<A>, String> {
        crate::permit::Permit::check(self.operator, self.realm).map_err(|e| format!("refused: {e}"))
    }

    /// `permit` on `id`, or why not: a member of a protected group is changed by an admin only.
    async fn on<'p, A: crate::permit::OnIdentity>(
        &self,
        permit: &'p crate::permit::Permit<A>,
        id: &str,
    ) -> Result<crate::permit::Target<'p, A>, String> {
        let protection = self
            .svc
            .protection(permit, &[id.to_string()])
            .await
            .map_err(|e| e.message)?;
        permit.on(id, &protection).map_err(|e| match e {
            crate::permit::Refusal::Protected(_) => crate::model::PROTECTED_IDENTITY.to_string(),
            other => format!("refused: {other}"),
        })
    }

    async fn create_group(&self, name: &str) -> Result<String, String> {
        let permit = self.permit::<crate::permit::act::CreateGroup>()?;
        let body = crate::bi::wire::GroupWrite {
            display_name: Some(name.to_string()),
            description: None,
        };
        let event = |made: &Result<crate::model::Group, crate::model::AppError>| {
            let id = made.as_ref().map(|g| g.id.as_str()).unwrap_or("");
            crate::audit::Event::new(
                AuditAction::GroupCreate,
                self.realm,
                id,
                name,
                "created by an import",
            )
        };
        let call = self.s.client.create_group(&permit, &body);
        let indexed = |g: &crate::model::Group| Some(Indexed::Group(g.clone(), Some(0)));
        let svc = self.step(&format!("group/{name}"));
        let group = svc.write("create a group", call, event, indexed).await;
        group.map(|g| g.id).map_err(|e| e.message)
    }

    /// This job's step `step` (its audit entries are the step's: one each, however often the step is done again).
    fn step(&self, step: &str) -> crate::service::Service {
        self.svc.in_step(format!("import/{}/{step}", self.id))
    }

    /// Creates or updates the identity of line `line`; answers its id.
    async fn write_row(
        &self,
        line: u64,
        write: crate::transfer::store::RowWrite,
    ) -> Result<String, String> {
        let client = &self.s.client;
        let svc = self.step(&format!("row/{line}"));
        let username = write
            .body
            .traits
            .as_ref()
            .and_then(|t| t.username.clone())
            .unwrap_or_default();
        let event = |action| {
            let (write_id, username) = (write.id.clone(), username.clone());
            move |outcome: &Result<crate::model::Identity, crate::model::AppError>| {
                let target = outcome
                    .as_ref()
                    .map(|i| i.id.clone())
                    .ok()
                    .or(write_id)
                    .unwrap_or_default();
                let name = outcome
                    .as_ref()
                    .map(|i| i.username().to_string())
                    .unwrap_or(username);
                crate::audit::Event::new(action, self.realm, &target, &name, "from an import")
            }
        };
        let indexed = |i: &crate::model::Identity| Some(Indexed::Put(Box::new(i.clone())));
        let outcome = match &write.id {
            None => {
                let permit = self.permit::<crate::permit::act::CreateIdentity>()?;
                let call = async {
                    let made = client.create_identity_verified(&permit, &write.body).await;
                    // Refused as "username taken" after an earlier round's answer was lost: the identity there,
                    // holding every value of the row, is what the file asks for; its id is the row's.
                    match made {
                        Err(e) if e.status() == Some(409) => match client
                            .find_by_username(self.realm, &username)
                            .await
                        {
                            Ok(Some(found)) if crate::bi::verified::holds(&found, &write.body) => {
                                Ok(found)
                            }
                            _ => Err(e),
                        },
                        other => other,
                    }
                };
                let event = event(AuditAction::IdentityCreate);
                svc.write("import a row", call, event, indexed).await
            }
            Some(id) => {
                let permit = self.permit::<crate::permit::act::EditIdentity>()?;
                let target = self.on(&permit, id).await?;
                let call = client.update_identity_verified(&target, &write.body);
                let event = event(AuditAction::IdentityUpdate);
                svc.write("import a row", call, event, indexed).await
            }
        };
        outcome.map(|i| i.id).map_err(|e| e.message)
    }

    /// Suspends one identity the file does not list.
    async fn suspend(&self, id: &str) -> Result<(), String> {
        let permit = self.permit::<crate::permit::act::SetStatus>()?;
        let target = self.on(&permit, id).await?;
        let patch = crate::bi::wire::IdentityWrite::status_change(true);
        let event = |outcome: &Result<crate::model::Identity, crate::model::AppError>| {
            let name = outcome
                .as_ref()
                .map(|i| i.username().to_string())
                .unwrap_or_default();
            crate::audit::Event::new(
                AuditAction::IdentitySuspend,
                self.realm,
                id,
                &name,
                "not in the file of an import",
            )
        };
        let call = self.s.client.update_identity_verified(&target, &patch);
        let indexed = |i: &crate::model::Identity| Some(Indexed::Put(Box::new(i.clone())));
        self.step(&format!("suspend/{id}"))
            .write("suspend", call, event, indexed)
            .await
            .map(|_| ())
            .map_err(|e| e.message)
    }

    /// Adds `ids` to `group` (`add`), or removes them (checked, in calls of at most 1,000), records it; answers why
    /// it failed, if it did.
    async fn change_members(&self, group: &str, ids: &[String], add: bool) -> Option<String> {
        let permit = match self.permit::<crate::permit::act::ManageMembers>() {
            Ok(p) => p,
            Err(m) => return Some(m),
        };
        let done = super::members::change(&self.s.client, &permit, group, ids, add).await;
        let failed = done.failed.len();
        let verb = if add { "added" } else { "removed" };
        let detail = format!("{} {verb} by an import", done.changed);
        let step = if add { "fill" } else { "trim" };
        self.step(&format!("{step}/{group}"))
            .membership_changed(self.realm, group, add, &done, detail)
            .await;
        done.failed
            .first()
            .map(|f| format!("{failed} not {verb}: {}", f.reason))
    }

    /// Passkey invitations by email to the identities the import created (batches, as the list's bulk action).
    async fn invite_created(&self) -> Result<(), crate::store::StoreError> {
        // Once only, also when a restart comes between sending them and the end of the job.
        if let Some(v) = self.imports.view(self.id, "", 1, 1).await? {
            if v.invitations.is_some() || v.invitations_error.is_some() {
                return Ok(());
            }
        }
        let created = self.imports.created(self.id).await?;
        if created.is_empty() {
            return Ok(());
        }
        let sent = match self.permit::<crate::permit::act::Invite>() {
            Err(m) => Err(m),
            Ok(permit) => super::invitations::invite_many(&self.step("invite"), permit, created)
                .await
                .map_err(|e| e.message),
        };
        self.imports
            .set_invitations(self.id, sent.as_deref().map_err(String::as_str))
            .await
    }

    /// The import itself in the audit log: the file, its SHA-256 and what was done.
    async fn record_import(&self) {
        let Ok(Some(v)) = self.imports.view(self.id, "", 1, 1).await else {
            return;
        };
        let detail = format!(
            "file {} (sha256 {}): {} to create, {} to update, {} memberships, {} groups to create, {} memberships to remove, {} to suspend; {} of {} steps done, {} failed",
            v.file_name, v.sha256, v.counts.create, v.counts.update, v.counts.memberships, v.counts.groups_to_create,
            v.counts.removals, v.counts.suspensions, v.done, v.total, v.failed
        );
        let outcome = if v.failed == 0 {
            Ok(())
        } else {
            Err(String::new())
        };
        let event = crate::audit::Event::new(
            AuditAction::ImportApply,
            self.realm,
            self.id,
            &v.file_name,
            detail,
        );
        let outcome = outcome.map_err(crate::model::AppError::new);
        self.step("applied").record(event, &outcome).await;
    }
}
