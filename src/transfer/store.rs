//! Imports in the console's database: the plan (each row, what it will send, the groups it joins, the groups to
//! create) and, as the apply job goes, each step's outcome. Everything the job needs is here, so a restart of the
//! console continues an apply from where it stopped. Plain SQL that SQLite and Postgres both accept.

use sqlx::Row;

use crate::db::{Pool, StoreError};

use crate::bi::wire::IdentityWrite;
use crate::model::{ImportCounts, OperatorView, PlanRow};

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

#[derive(Clone)]
pub struct Imports {
    pub(super) pool: Pool,
}

pub(super) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

impl Imports {
    /// The imports in `pool` (the console's database; their tables in `db`'s migrations).
    pub fn new(pool: Pool) -> Imports {
        Imports { pool }
    }

    /// Starts the apply of a plan by `applier`, once: only a plan still `planned` starts (two clicks, or two
    /// replicas, start one job). Answers whether this call started it.
    pub async fn start(&self, id: &str, applier: &OperatorView, invite: bool) -> Result<bool, StoreError> {
        let applier = serde_json::to_string(applier).unwrap_or_default();
        let started = sqlx::query(
            "UPDATE imports SET state = $1, applier = $2, invite = $3, started = COALESCE(started, $4) \
             WHERE id = $5 AND state = $6",
        )
        .bind(crate::model::IMPORT_APPLYING)
        .bind(applier)
        .bind(invite as i64)
        .bind(now())
        .bind(id)
        .bind(crate::model::IMPORT_PLANNED)
        .execute(&self.pool)
        .await?;
        Ok(started.rows_affected() == 1)
    }

    /// Stops an apply for `why` (its operator may no longer apply it): cancelled, with the reason kept.
    pub async fn halt(&self, id: &str, why: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE imports SET halted = $1 WHERE id = $2")
            .bind(why)
            .bind(id)
            .execute(&self.pool)
            .await?;
        self.set_state(id, crate::model::IMPORT_CANCELLED).await
    }

    pub async fn header(&self, id: &str) -> Result<Option<Header>, StoreError> {
        let row = sqlx::query("SELECT realm, operator, applier, state, summary, invite FROM imports WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| Header {
            realm: r.get("realm"),
            operator: serde_json::from_str(r.get::<&str, _>("operator")).unwrap_or_else(|_| {
                OperatorView {
                    username: String::new(),
                    role: crate::model::Role::Viewer,
                    realms: Some(Vec::new()),
                }
            }),
            applier: r
                .get::<Option<&str>, _>("applier")
                .and_then(|a| serde_json::from_str(a).ok()),
            state: r.get("state"),
            summary: serde_json::from_str(r.get::<&str, _>("summary")).unwrap_or_default(),
            invite: r.get::<i64, _>("invite") != 0,
        }))
    }


    /// The invitations sent after the apply: their batch's or run's id, or why they were not sent.
    pub async fn set_invitations(&self, id: &str, sent: Result<&str, &str>) -> Result<(), StoreError> {
        let (ok, error) = match sent {
            Ok(batch) => (Some(batch), None),
            Err(why) => (None, Some(why)),
        };
        sqlx::query("UPDATE imports SET invitations = $1, invitations_error = $2 WHERE id = $3")
            .bind(ok)
            .bind(error)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The identities the import created.
    pub async fn created(&self, id: &str) -> Result<Vec<String>, StoreError> {
        sqlx::query_scalar(
            "SELECT identity_id FROM import_rows WHERE import_id = $1 AND action = $2 AND outcome = $3 \
             AND identity_id IS NOT NULL ORDER BY line",
        )
        .bind(id)
        .bind(crate::model::ROW_CREATE)
        .bind(crate::model::STEP_OK)
        .fetch_all(&self.pool)
        .await
            .map_err(StoreError::from)
    }

    pub async fn set_state(&self, id: &str, state: &str) -> Result<(), StoreError> {
        let (started, ended) = match state {
            crate::model::IMPORT_APPLYING => (Some(now()), None),
            crate::model::IMPORT_DONE | crate::model::IMPORT_CANCELLED => (None, Some(now())),
            _ => (None, None),
        };
        sqlx::query(
            "UPDATE imports SET state = $1, started = COALESCE(started, $2), ended = COALESCE($3, ended) WHERE id = $4",
        )
        .bind(state)
        .bind(started)
        .bind(ended)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Imports an apply job was running when the console stopped.
    pub async fn unfinished(&self) -> Result<Vec<String>, StoreError> {
        sqlx::query_scalar("SELECT id FROM imports WHERE state IN ($1, $2) ORDER BY created")
            .bind(crate::model::IMPORT_APPLYING)
            .bind(crate::model::IMPORT_CANCELLING)
            .fetch_all(&self.pool)
            .await
            .map_err(StoreError::from)
    }

    /// Rows still to write, in the file's order.
    pub async fn rows_to_write(&self, id: &str) -> Result<Vec<(u64, RowWrite)>, StoreError> {
        let rows = sqlx::query(
            "SELECT line, write FROM import_rows WHERE import_id = $1 AND write IS NOT NULL AND outcome IS NULL ORDER BY line",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .filter_map(|r| {
                let write = serde_json::from_str(r.get::<&str, _>("write")).ok()?;
                Some((r.get::<i64, _>("line") as u64, write))
            })
            .collect())
    }

    pub async fn row_done(
        &self,
        id: &str,
        line: u64,
        outcome: &str,
        message: Option<&str>,
        identity: Option<&str>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE import_rows SET outcome = $1, message = $2, identity_id = COALESCE($3, identity_id) \
             WHERE import_id = $4 AND line = $5",
        )
        .bind(outcome)
        .bind(message)
        .bind(identity)
        .bind(id)
        .bind(line as i64)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Makes the steps that failed to be tried again (a row's create or update, a group's creation or filling);
    /// answers how many.
    pub async fn retry_failed(&self, id: &str) -> Result<u64, StoreError> {
        let rows = sqlx::query(
            "UPDATE import_rows SET outcome = NULL, message = NULL WHERE import_id = $1 AND outcome = $2",
        )
        .bind(id)
        .bind(crate::model::STEP_FAILED)
        .execute(&self.pool)
        .await?
        .rows_affected();
        let created = sqlx::query("UPDATE import_groups SET created = NULL WHERE import_id = $1 AND created = $2")
            .bind(id)
            .bind(crate::model::STEP_FAILED)
            .execute(&self.pool)
            .await?
            .rows_affected();
        let filled = sqlx::query("UPDATE import_groups SET filled = NULL WHERE import_id = $1 AND filled = $2")
            .bind(id)
            .bind(crate::model::STEP_FAILED)
            .execute(&self.pool)
            .await?
            .rows_affected();
        let trimmed = sqlx::query("UPDATE import_groups SET trimmed = NULL WHERE import_id = $1 AND trimmed = $2")
            .bind(id)
            .bind(crate::model::STEP_FAILED)
            .execute(&self.pool)
            .await?
            .rows_affected();
        let suspended = sqlx::query(
            "UPDATE import_suspensions SET outcome = NULL, message = NULL WHERE import_id = $1 AND outcome = $2",
        )
        .bind(id)
        .bind(crate::model::STEP_FAILED)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(rows + created + filled + trimmed + suspended)
    }

    /// Identities still to suspend.
    pub async fn to_suspend(&self, id: &str) -> Result<Vec<String>, StoreError> {
        sqlx::query_scalar(
            "SELECT identity_id FROM import_suspensions WHERE import_id = $1 AND outcome IS NULL ORDER BY username",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await
            .map_err(StoreError::from)
    }

    /// A suspension's outcome: `None`, or BI's message when it failed.
    pub async fn suspended(&self, id: &str, identity: &str, failed: Option<&str>) -> Result<(), StoreError> {
        sqlx::query("UPDATE import_suspensions SET outcome = $1, message = $2 WHERE import_id = $3 AND identity_id = $4")
            .bind(if failed.is_some() { crate::model::STEP_FAILED } else { crate::model::STEP_OK })
            .bind(failed)
            .bind(id)
            .bind(identity)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn groups(&self, id: &str) -> Result<Vec<GroupStep>, StoreError> {
        let rows = sqlx::query("SELECT * FROM import_groups WHERE import_id = $1 ORDER BY name")
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|r| GroupStep {
                name: r.get("name"),
                id: r.get("group_id"),
                to_create: r.get::<i64, _>("to_create") != 0,
                created: r.get("created"),
                filled: r.get("filled"),
                trimmed: r.get("trimmed"),
            })
            .collect())
    }

    /// A group step's outcome: `created` (with the new id) or `filled`, `ok` or `failed` with BI's message.
    pub async fn group_done(
        &self,
        id: &str,
        name: &str,
        step: GroupOutcome<'_>,
    ) -> Result<(), StoreError> {
        let (sql, outcome, message, group) = match step {
            GroupOutcome::Created(group) => (
                "UPDATE import_groups SET created = $1, message = $2, group_id = COALESCE($3, group_id) WHERE import_id = $4 AND name = $5",
                crate::model::STEP_OK,
                None,
                Some(group),
            ),
            GroupOutcome::CreateFailed(m) => (
                "UPDATE import_groups SET created = $1, message = $2, group_id = COALESCE($3, group_id) WHERE import_id = $4 AND name = $5",
                crate::model::STEP_FAILED,
                Some(m),
                None,
            ),
            GroupOutcome::Filled(m) => (
                "UPDATE import_groups SET filled = $1, message = COALESCE($2, message), group_id = COALESCE($3, group_id) WHERE import_id = $4 AND name = $5",
                if m.is_some() { crate::model::STEP_FAILED } else { crate::model::STEP_OK },
                m,
                None,
            ),
        };
        sqlx::query(sql)
            .bind(outcome)
            .bind(message)
            .bind(group)
            .bind(id)
            .bind(name)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The members `group` loses to match the file.
    pub async fn leaving(&self, id: &str, group: &str) -> Result<Vec<String>, StoreError> {
        sqlx::query_scalar("SELECT identity_id FROM import_leaves WHERE import_id = $1 AND group_name = $2 ORDER BY identity_id")
            .bind(id)
            .bind(group)
            .fetch_all(&self.pool)
            .await
            .map_err(StoreError::from)
    }

    /// A group's removals done: `None`, or why they failed.
    pub async fn group_trimmed(&self, id: &str, name: &str, failed: Option<&str>) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE import_groups SET trimmed = $1, message = COALESCE($2, message) WHERE import_id = $3 AND name = $4",
        )
        .bind(if failed.is_some() { crate::model::STEP_FAILED } else { crate::model::STEP_OK })
        .bind(failed)
        .bind(id)
        .bind(name)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The identities that join `group`: rows not in error whose identity is known (existing, or created).
    pub async fn joining(&self, id: &str, group: &str) -> Result<Vec<String>, StoreError> {
        sqlx::query_scalar(
            "SELECT r.identity_id FROM import_joins j JOIN import_rows r ON r.import_id = j.import_id AND r.line = j.line \
             WHERE j.import_id = $1 AND j.group_name = $2 AND r.identity_id IS NOT NULL AND r.action <> $3 \
             AND (r.outcome IS NULL OR r.outcome = $4) ORDER BY r.line",
        )
        .bind(id)
        .bind(group)
        .bind(crate::model::ROW_ERROR)
        .bind(crate::model::STEP_OK)
        .fetch_all(&self.pool)
        .await
            .map_err(StoreError::from)
    }
}

/// A group step's outcome (see [`Imports::group_done`]).
pub enum GroupOutcome<'a> {
    Created(&'a str),
    CreateFailed(&'a str),
    /// Filled; the message when it failed.
    Filled(Option<&'a str>),
}
