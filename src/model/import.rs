//! An import as the console plans and applies it, shared with the pages: each row of the file classified (create,
//! update with each change old → new, unchanged, or an error on a column), the memberships it adds and the groups it
//! creates, then the apply job's progress and each row's outcome.

use serde::{Deserialize, Serialize};

use super::PageView;

/// One row's values as the file gives them; `None` leaves the identity's value as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportValues {
    pub username: String,
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub external_id: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    /// `active` or `suspended`.
    pub status: Option<String>,
    pub groups: Option<Vec<String>>,
}

/// What a row of the plan does.
pub const ROW_CREATE: &str = "create";
pub const ROW_UPDATE: &str = "update";
pub const ROW_UNCHANGED: &str = "unchanged";
pub const ROW_ERROR: &str = "error";
/// Not a row of the file: an identity of the realm the file does not list, suspended when asked for.
pub const ROW_SUSPEND: &str = "suspend";

/// One field a row changes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// The column's name (`name`, `email`, …).
    pub field: String,
    pub before: String,
    pub after: String,
}

/// What is wrong with a row, on one of its columns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowProblem {
    pub column: String,
    pub message: String,
}

/// A row of the plan, and once applied its outcome.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanRow {
    /// The file's line (the header is line 1).
    pub line: u64,
    pub username: String,
    /// [`ROW_CREATE`], [`ROW_UPDATE`], [`ROW_UNCHANGED`] or [`ROW_ERROR`].
    pub action: String,
    pub changes: Vec<Change>,
    /// Groups (by name) the identity joins.
    pub join: Vec<String>,
    pub problem: Option<RowProblem>,
    /// `ok`, `failed` or `skipped` once applied.
    pub outcome: Option<String>,
    /// BI's message when it failed.
    pub message: Option<String>,
    pub identity_id: Option<String>,
    /// The row as the file gave it (kept for rows in error, to fix and upload again).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<ImportValues>,
}

/// How many rows of each kind, and what else the import does.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportCounts {
    pub create: u64,
    pub update: u64,
    pub unchanged: u64,
    pub error: u64,
    /// Memberships added (identity joins group).
    pub memberships: u64,
    pub groups_to_create: u64,
    /// Memberships removed to make the groups named in the file match it (when asked for).
    #[serde(default)]
    pub removals: u64,
    /// Active identities of the realm that the file does not list, suspended (when asked for).
    #[serde(default)]
    pub suspensions: u64,
}

impl ImportCounts {
    /// Whether applying would change anything.
    pub fn nothing_to_do(&self) -> bool {
        self.create
            + self.update
            + self.memberships
            + self.groups_to_create
            + self.removals
            + self.suspensions
            == 0
    }
}

/// The states of an import: planning (its rows being kept), planned, then applying (cancelling), then done or
/// cancelled. Every query names them through these, never as literals.
pub const IMPORT_PLANNING: &str = "planning";
pub const IMPORT_PLANNED: &str = "planned";
pub const IMPORT_APPLYING: &str = "applying";
pub const IMPORT_CANCELLING: &str = "cancelling";
pub const IMPORT_CANCELLED: &str = "cancelled";
pub const IMPORT_DONE: &str = "done";

/// How a step of an apply ended (a row's write, a group's creation, filling or trimming, a suspension).
pub const STEP_OK: &str = "ok";
pub const STEP_FAILED: &str = "failed";

/// An import as its page shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportView {
    pub id: String,
    pub realm: String,
    pub file_name: String,
    pub sha256: String,
    pub operator: String,
    pub created: String,
    pub state: String,
    pub counts: ImportCounts,
    pub groups_to_create: Vec<String>,
    pub unknown_columns: Vec<String>,
    /// Unknown columns beyond those named.
    #[serde(default)]
    pub unknown_more: u64,
    /// (group, members removed from it) when the groups' membership is made to match the file.
    #[serde(default)]
    pub removals: Vec<(String, u64)>,
    /// Steps of the apply (rows to write, groups to create, groups to fill) done so far, of `total`.
    pub done: u64,
    pub total: u64,
    pub failed: u64,
    pub started: Option<String>,
    pub ended: Option<String>,
    /// The rows shown (filtered by kind), paged.
    pub rows: PageView<PlanRow>,
    /// While applying: "12.5 per second · about 3 min left".
    #[serde(default)]
    pub pace: Option<String>,
    /// The invitations sent to the identities it created (a batch's or a run's id), or why they were not.
    #[serde(default)]
    pub invitations: Option<String>,
    #[serde(default)]
    pub invitations_error: Option<String>,
    /// The operator who applied the plan (its writes are recorded as theirs).
    #[serde(default)]
    pub applied_by: Option<String>,
    /// Why the apply was stopped by the console (its operator may no longer apply it), if it was.
    #[serde(default)]
    pub halted: Option<String>,
}

impl ImportView {
    pub fn applying(&self) -> bool {
        self.state == IMPORT_APPLYING || self.state == IMPORT_CANCELLING
    }

    /// Steps per second since the apply started, and seconds left at that rate.
    pub fn rate(&self, now_secs: i64) -> Option<(f64, u64)> {
        let started = self.started.as_deref()?;
        let started = chrono_secs(started)?;
        let elapsed = (now_secs - started).max(1) as f64;
        let rate = self.done as f64 / elapsed;
        let left = if rate > 0.0 {
            (self.total.saturating_sub(self.done) as f64 / rate).ceil() as u64
        } else {
            0
        };
        Some((rate, left))
    }
}

/// "12.5 per second · about 3 min left", from [`ImportView::rate`].
pub fn pace_words(rate: f64, left: u64) -> String {
    let left = match left {
        0..=89 => format!("{left} s"),
        90..=5399 => format!("{} min", left.div_ceil(60)),
        _ => format!("{} h", left.div_ceil(3600)),
    };
    format!("{rate:.1} per second · about {left} left")
}

/// Seconds since the epoch of an RFC 3339 UTC time (`2026-11-29T10:00:00…Z`), without a date library.
fn chrono_secs(t: &str) -> Option<i64> {
    let (date, time) = t.split_once('T')?;
    let mut d = date.split('-').map(|p| p.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let mut h = time.get(..8)?.split(':').map(|p| p.parse::<i64>().ok());
    let (hh, mm, ss) = (h.next()??, h.next()??, h.next()??);
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hh * 3_600 + mm * 60 + ss)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rate_and_time_left_follow_the_steps_done() {
        assert_eq!(chrono_secs("1970-01-02T00:00:10.000Z"), Some(86_410));
        let v = ImportView {
            started: Some("2026-11-29T10:00:00.000Z".into()),
            done: 100,
            total: 400,
            ..ImportView::default()
        };
        let now = chrono_secs("2026-11-29T10:00:50Z").unwrap();
        let (rate, left) = v.rate(now).unwrap();
        assert!((rate - 2.0).abs() < 1e-9);
        assert_eq!(left, 150);
        assert!(ImportCounts::default().nothing_to_do());
    }
}
