//! What the console does on an operator's behalf, as plain async functions over the state and an explicit
//! [`Actor`] (the operator, the request id, where the work came from): server functions, the plain-form and
//! upload routes, the command line and background jobs all go through it, and none of it reads a request's
//! context. Its core is the one audited write sequence, [`Service::write`]: the BI call (made with a permit or a
//! target, so the access rules have been applied), its outcome in the operator's words, the audit entry, then the
//! directory index brought in line — in that order, for every write.

mod access;
pub mod errors;
mod index;

pub use index::{apply as apply_to_index, Indexed};

use crate::audit::Event;
use crate::bi::BiError;
use crate::model::{AppError, OperatorView};
use crate::state::AppState;

/// Where a piece of work came from (on its log lines).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A request from a browser (a server function, a form post, an upload or an export).
    Request,
    /// A background job (an import's apply, an invitation run).
    Job,
    /// The command line (`bi-console import`, …).
    Cli,
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Request => "request",
            Origin::Job => "job",
            Origin::Cli => "cli",
        }
    }
}

/// Who is acting, and under which id their work is logged and audited.
#[derive(Clone, Debug)]
pub struct Actor {
    pub operator: OperatorView,
    /// The request's id, or the job's (`import-…`, `run-…`): on every log line and audit entry of the work.
    pub request_id: String,
    pub origin: Origin,
}

impl Actor {
    /// `operator` acting through the request `request_id`.
    pub fn request(operator: &OperatorView, request_id: impl Into<String>) -> Actor {
        Actor {
            operator: operator.clone(),
            request_id: request_id.into(),
            origin: Origin::Request,
        }
    }
}

/// The console's work for one actor.
#[derive(Clone)]
pub struct Service {
    pub state: AppState,
    pub actor: Actor,
    /// Told the HTTP status a failed BI call should answer with, when there is an answer to give (a request).
    answer: Option<fn(u16)>,
    /// The job step this work does, on every audit entry it makes (see `audit::Event::step`).
    step: Option<String>,
}

/// A write's result for the audit log: `ok`, BI's error code, or what refused it.
fn result_of<T>(outcome: &Result<T, AppError>) -> String {
    match outcome {
        Ok(_) => "ok".to_string(),
        Err(e) => e.code.clone().unwrap_or_else(|| "error".into()),
    }
}

impl Service {
    pub fn new(state: AppState, actor: Actor) -> Service {
        Service {
            state,
            actor,
            answer: None,
            step: None,
        }
    }

    /// The same service doing the job step `step`: its audit entries are the step's, one each however often the
    /// step is done again.
    pub fn in_step(&self, step: impl Into<String>) -> Service {
        Service {
            step: Some(step.into()),
            ..self.clone()
        }
    }

    /// The same service, telling `answer` the HTTP status of a failed BI call (a request's adapter does).
    pub fn answering(mut self, answer: fn(u16)) -> Service {
        self.answer = Some(answer);
        self
    }

    pub fn operator(&self) -> &OperatorView {
        &self.actor.operator
    }

    /// A failed BI call made for `operation`, in the operator's words, with this work's request id.
    pub fn failed(&self, operation: &str, e: BiError) -> AppError {
        tracing::warn!(request_id = %self.actor.request_id, operation, error = %e, "BI call failed");
        if let Some(answer) = self.answer {
            answer(errors::answer_status_for(&e));
        }
        errors::from_bi(&e, &self.actor.request_id)
    }

    /// A BI call's outcome, its error in the operator's words.
    pub async fn bi<T>(
        &self,
        operation: &str,
        call: impl std::future::Future<Output = Result<T, BiError>>,
    ) -> Result<T, AppError> {
        call.await.map_err(|e| self.failed(operation, e))
    }

    /// Records `event` with `outcome` in the audit log under this actor (and on a log line). The one place an audit
    /// entry is made: a failure to write it is logged and does not undo the change already made in BI.
    pub async fn record<T>(&self, mut event: Event, outcome: &Result<T, AppError>) {
        if event.step.is_none() {
            event.step = self.step.clone();
        }
        let result = result_of(outcome);
        // A failed BI call keeps the request id BI's error was logged with.
        let request_id = match outcome {
            Err(AppError {
                request_id: Some(id),
                ..
            }) if !id.is_empty() => id.clone(),
            _ => self.actor.request_id.clone(),
        };
        let operator = &self.actor.operator.username;
        tracing::info!(%operator, action = event.action.as_str(), realm = %event.realm, target = %event.target_id,
            %result, %request_id, origin = self.actor.origin.as_str(), "change");
        if let Some(audit) = &self.state.audit {
            audit.record(operator, event, &result, &request_id).await;
        }
    }

    /// A membership change made at BI (`result`, the members `added` or removed): recorded with the group as its
    /// target and each identity changed as a subject (`detail` says how), and counted in the index.
    pub async fn membership_changed(
        &self,
        realm: &str,
        group: &str,
        added: bool,
        result: &crate::model::MembershipResult,
        detail: String,
    ) {
        let action = if added {
            crate::model::AuditAction::GroupMembersAdd
        } else {
            crate::model::AuditAction::GroupMembersRemove
        };
        let event = Event::new(action, realm, group, &result.group_name, detail)
            .with_subjects(result.changed_ids.clone());
        let outcome = match result.failed.len() {
            0 => Ok(()),
            n => Err(AppError {
                code: Some("partial".into()),
                ..AppError::new(format!("{n} not changed"))
            }),
        };
        self.record(event, &outcome).await;
        let delta = result.changed as i64 * if added { 1 } else { -1 };
        if delta != 0 {
            self.index(realm, Indexed::Members(group.to_string(), delta)).await;
        }
    }

    /// The one audited write: `call` (BI's write, already holding its permit or target), its outcome in the
    /// operator's words (`operation` names it), the audit entry `event` makes of it, and the directory index brought
    /// in line with what BI answered (`indexed`); answers the outcome.
    pub async fn write<T>(
        &self,
        operation: &str,
        call: impl std::future::Future<Output = Result<T, BiError>>,
        event: impl FnOnce(&Result<T, AppError>) -> Event,
        indexed: impl FnOnce(&T) -> Option<Indexed>,
    ) -> Result<T, AppError> {
        let outcome = self.bi(operation, call).await;
        let entry = event(&outcome);
        let realm = entry.realm.clone();
        self.record(entry, &outcome).await;
        if let Ok(value) = &outcome {
            if let Some(change) = indexed(value) {
                self.index(&realm, change).await;
            }
        }
        outcome
    }
}
