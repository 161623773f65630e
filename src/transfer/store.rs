//! Imports in the console's database: the plan (each row, what it will send, the groups it joins, the groups to
//! create) and, as the apply job goes, each step's outcome. Everything the job needs is here, so a restart of the
//! console continues an apply from where it stopped. Plain SQL that SQLite and Postgres both accept.

use std::sync::Arc;

use crate::store::Fut;

use crate::bi::wire::IdentityWrite;
use crate::model::{ImportCounts, ImportView, OperatorView, PlanRow};

/// What a row sends to BI: a create, or a PATCH of the identity `id`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RowWrite {
    pub id: Option<String>,
    pub body: IdentityWrite,
}

/// A planned row with what it will send (none for unchanged and error rows).
pub struct PlannedRow {
    pub row: PlanRow,
    pub write: Option<RowWrite>,
}

/// A group the import names: found in the realm (`id`), or to create; and, when its membership is made to match
/// the file, the members it loses.
pub struct PlannedGroup {
    pub name: String,
    pub id: Option<String>,
    pub leaving: Vec<String>,
}

/// The summary kept with an import.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Summary {
    pub counts: ImportCounts,
    pub groups_to_create: Vec<String>,
    pub unknown_columns: Vec<String>,
    /// Unknown columns beyond those named.
    #[serde(default)]
    pub unknown_more: u64,
    #[serde(default)]
    pub removals: Vec<(String, u64)>,
}

/// One import's header, as the apply job reads it.
pub struct Header {
    pub realm: String,
    /// Who planned it.
    pub operator: OperatorView,
    /// Who applied it (as they were when they did); the apply writes as them.
    pub applier: Option<OperatorView>,
    pub state: String,
    pub summary: Summary,
    /// Invitations are to be sent to the identities the import creates.
    pub invite: bool,
}

/// A group step of the apply.
pub struct GroupStep {
    pub name: String,
    pub id: Option<String>,
    pub to_create: bool,
    pub created: Option<String>,
    pub filled: Option<String>,
    pub trimmed: Option<String>,
}

/// What the apply job keeps and reads of an import (its steps' outcomes, as it goes).
pub trait ImportStore: Send + Sync {
    /// Starts the apply of a plan by `applier`, once: only a plan still `planned` starts (two clicks, or two
    /// replicas, start one job). Answers whether this call started it.
    fn start<'a>(&'a self, id: &'a str, applier: &'a OperatorView, invite: bool) -> Fut<'a, bool>;
    /// Stops an apply for `why` (its operator may no longer apply it): cancelled, with the reason kept.
    fn halt<'a>(&'a self, id: &'a str, why: &'a str) -> Fut<'a, ()>;
    fn header<'a>(&'a self, id: &'a str) -> Fut<'a, Option<Header>>;
    /// The invitations sent after the apply: their batch's or run's id, or why they were not sent.
    fn set_invitations<'a>(&'a self, id: &'a str, sent: Result<&'a str, &'a str>) -> Fut<'a, ()>;
    /// The identities the import created.
    fn created<'a>(&'a self, id: &'a str) -> Fut<'a, Vec<String>>;
    fn set_state<'a>(&'a self, id: &'a str, state: &'a str) -> Fut<'a, ()>;
    /// Imports an apply job was running when the console stopped.
    fn unfinished<'a>(&'a self) -> Fut<'a, Vec<String>>;
    /// Rows still to write, in the file's order.
    fn rows_to_write<'a>(&'a self, id: &'a str) -> Fut<'a, Vec<(u64, RowWrite)>>;
    fn row_done<'a>(&'a self, id: &'a str, line: u64, outcome: &'a str, message: Option<&'a str>, identity: Option<&'a str>) -> Fut<'a, ()>;
    /// Makes the steps that failed to be tried again (a row's create or update, a group's creation or filling);
    /// answers how many.
    fn retry_failed<'a>(&'a self, id: &'a str) -> Fut<'a, u64>;
    /// Identities still to suspend.
    fn to_suspend<'a>(&'a self, id: &'a str) -> Fut<'a, Vec<String>>;
    /// A suspension's outcome: `None`, or BI's message when it failed.
    fn suspended<'a>(&'a self, id: &'a str, identity: &'a str, failed: Option<&'a str>) -> Fut<'a, ()>;
    fn groups<'a>(&'a self, id: &'a str) -> Fut<'a, Vec<GroupStep>>;
    /// A group step's outcome: `created` (with the new id) or `filled`, `ok` or `failed` with BI's message.
    fn group_done<'a>(&'a self, id: &'a str, name: &'a str, step: GroupOutcome<'a>) -> Fut<'a, ()>;
    /// The members `group` loses to match the file.
    fn leaving<'a>(&'a self, id: &'a str, group: &'a str) -> Fut<'a, Vec<String>>;
    /// A group's removals done: `None`, or why they failed.
    fn group_trimmed<'a>(&'a self, id: &'a str, name: &'a str, failed: Option<&'a str>) -> Fut<'a, ()>;
    /// The identities that join `group`: rows not in error whose identity is known (existing, or created).
    fn joining<'a>(&'a self, id: &'a str, group: &'a str) -> Fut<'a, Vec<String>>;
}

/// Keeping a plan as it is made: the import's header first (state `planning`), then each chunk of classified rows,
/// then the groups, removals, suspensions and the summary, which make it `planned`.
pub trait PlanStore: Send + Sync {
    /// Starts keeping a plan (in the state `planning` until `finish_plan`); answers its id.
    fn new_plan<'a>(&'a self, realm: &'a str, operator: &'a OperatorView, file_name: &'a str, sha256: &'a str) -> Fut<'a, String>;
    /// Forgets the plans still being made that were started more than `age` ago: a plan is made by one request or
    /// one command in seconds, so such a plan was left by a console or command that stopped while making it (a
    /// crash, a restart). Answers how many were forgotten.
    fn discard_abandoned_plans<'a>(&'a self, age: std::time::Duration) -> Fut<'a, usize>;
    /// Forgets a plan that could not be made to the end.
    fn discard<'a>(&'a self, id: &'a str) -> Fut<'a, ()>;
    /// Keeps classified rows, with the groups each joins.
    fn save_rows<'a>(&'a self, id: &'a str, rows: &'a [PlannedRow]) -> Fut<'a, ()>;
    /// Keeps the groups the plan names (with the members they lose), the identities it suspends and its summary;
    /// the plan is then ready to apply.
    fn finish_plan<'a>(&'a self, id: &'a str, groups: &'a [PlannedGroup], suspensions: &'a [(String, String)], summary: &'a Summary) -> Fut<'a, ()>;
}

/// Reading an import for its page and its CSVs.
pub trait ImportReads: Send + Sync {
    /// The import for its page: header, progress, and one page of rows (all, or of one kind).
    fn view<'a>(&'a self, id: &'a str, show: &'a str, page: u32, size: u32) -> Fut<'a, Option<ImportView>>;
    /// Every row (or only the errors), in the file's order: for the errors CSV and the result CSV.
    fn all_rows<'a>(&'a self, id: &'a str, errors_only: bool) -> Fut<'a, Vec<PlanRow>>;
}

/// Where imports are kept (the console's database: `db`): all three interfaces.
pub trait ImportsStore: ImportStore + PlanStore + ImportReads {}

impl<T: ImportStore + PlanStore + ImportReads> ImportsStore for T {}

/// The imports, kept in their store; their operations are the store's (`ImportStore`, `PlanStore`,
/// `ImportReads`).
#[derive(Clone)]
pub struct Imports(Arc<dyn ImportsStore>);

impl Imports {
    /// The imports kept in `store`.
    pub fn new(store: impl ImportsStore + 'static) -> Imports {
        Imports(Arc::new(store))
    }
}

impl std::ops::Deref for Imports {
    type Target = dyn ImportsStore;
    fn deref(&self) -> &Self::Target {
        &*self.0
    }
}

/// A group step's outcome (see [`Imports::group_done`]).
pub enum GroupOutcome<'a> {
    Created(&'a str),
    CreateFailed(&'a str),
    /// Filled; the message when it failed.
    Filled(Option<&'a str>),
}
