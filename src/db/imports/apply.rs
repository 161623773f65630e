//! What the apply job keeps and reads: the plan's steps and their outcomes.

use sqlx::Row;

use super::super::Db;
use super::now;
use crate::model::*;
use crate::store::{Fut, StoreError};
use crate::transfer::store::*;

impl ImportStore for Db {
    fn start<'a>(&'a self, id: &'a str, applier: &'a OperatorView, invite: bool) -> Fut<'a, bool> {
        Box::pin(async move {
            let applier = serde_json::to_string(applier).unwrap_or_default();
            let mut tx = self.pool.begin().await?;
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
            .execute(&mut *tx)
            .await?;
            let started = started.rows_affected() == 1;
            if started {
                // Its job, in the same transaction: whichever process claims it applies the import.
                let now = super::super::clock_ms(&self.pool);
                sqlx::query(&format!(
                    "INSERT INTO jobs (kind, subject, state, created, updated) VALUES ($1, $2, 'queued', {now}, {now}) \
                     ON CONFLICT (kind, subject) DO UPDATE SET state = 'queued', owner = NULL, lease_until = 0, \
                     run_after = 0, attempts = 0, error = NULL"
                ))
                .bind(crate::jobs::IMPORT_APPLY)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(started)
        })
    }
    fn halt<'a>(&'a self, id: &'a str, why: &'a str) -> Fut<'a, ()> {
        Box::pin(async move {
            sqlx::query("UPDATE imports SET halted = $1 WHERE id = $2")
                .bind(why)
                .bind(id)
                .execute(&self.pool)
                .await?;
            self.set_state(id, crate::model::IMPORT_CANCELLED).await
        })
    }
    fn header<'a>(&'a self, id: &'a str) -> Fut<'a, Option<Header>> {
        Box::pin(async move {
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
        })
    }
    fn set_invitations<'a>(&'a self, id: &'a str, sent: Result<&'a str, &'a str>) -> Fut<'a, ()> {
        Box::pin(async move {
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
        })
    }
    fn created<'a>(&'a self, id: &'a str) -> Fut<'a, Vec<String>> {
        Box::pin(async move {
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
        })
    }
    fn set_state<'a>(&'a self, id: &'a str, state: &'a str) -> Fut<'a, ()> {
        Box::pin(async move {
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
        })
    }
    fn unfinished<'a>(&'a self) -> Fut<'a, Vec<String>> {
        Box::pin(async move {
            sqlx::query_scalar("SELECT id FROM imports WHERE state IN ($1, $2) ORDER BY created")
                .bind(crate::model::IMPORT_APPLYING)
                .bind(crate::model::IMPORT_CANCELLING)
                .fetch_all(&self.pool)
                .await
                .map_err(StoreError::from)
        })
    }
    fn rows_to_write<'a>(&'a self, id: &'a str) -> Fut<'a, Vec<(u64, RowWrite)>> {
        Box::pin(async move {
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
        })
    }
    fn row_done<'a>(&'a self, id: &'a str, line: u64, outcome: &'a str, message: Option<&'a str>, identity: Option<&'a str>) -> Fut<'a, ()> {
        Box::pin(async move {
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
        })
    }
    fn retry_failed<'a>(&'a self, id: &'a str) -> Fut<'a, u64> {
        Box::pin(async move {
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
        })
    }
    fn to_suspend<'a>(&'a self, id: &'a str) -> Fut<'a, Vec<String>> {
        Box::pin(async move {
            sqlx::query_scalar(
                "SELECT identity_id FROM import_suspensions WHERE import_id = $1 AND outcome IS NULL ORDER BY username",
            )
            .bind(id)
            .fetch_all(&self.pool)
            .await
                .map_err(StoreError::from)
        })
    }
    fn suspended<'a>(&'a self, id: &'a str, identity: &'a str, failed: Option<&'a str>) -> Fut<'a, ()> {
        Box::pin(async move {
            sqlx::query("UPDATE import_suspensions SET outcome = $1, message = $2 WHERE import_id = $3 AND identity_id = $4")
                .bind(if failed.is_some() { crate::model::STEP_FAILED } else { crate::model::STEP_OK })
                .bind(failed)
                .bind(id)
                .bind(identity)
                .execute(&self.pool)
                .await?;
            Ok(())
        })
    }
    fn groups<'a>(&'a self, id: &'a str) -> Fut<'a, Vec<GroupStep>> {
        Box::pin(async move {
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
        })
    }
    fn group_done<'a>(&'a self, id: &'a str, name: &'a str, step: GroupOutcome<'a>) -> Fut<'a, ()> {
        Box::pin(async move {
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
        })
    }
    fn leaving<'a>(&'a self, id: &'a str, group: &'a str) -> Fut<'a, Vec<String>> {
        Box::pin(async move {
            sqlx::query_scalar("SELECT identity_id FROM import_leaves WHERE import_id = $1 AND group_name = $2 ORDER BY identity_id")
                .bind(id)
                .bind(group)
                .fetch_all(&self.pool)
                .await
                .map_err(StoreError::from)
        })
    }
    fn group_trimmed<'a>(&'a self, id: &'a str, name: &'a str, failed: Option<&'a str>) -> Fut<'a, ()> {
        Box::pin(async move {
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
        })
    }
    fn joining<'a>(&'a self, id: &'a str, group: &'a str) -> Fut<'a, Vec<String>> {
        Box::pin(async move {
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
        })
    }
}
