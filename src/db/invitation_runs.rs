//! Invitation runs (`invitation_runs::RunStore`) in the console's database: one row per run (the run as JSON), its
//! job queued in the same transaction. The bounds on runs at once are checked in that transaction too (on
//! PostgreSQL under an advisory lock of the realm, so two replicas starting runs at once count each other's).

use super::{one_at_a_time, Backend, Db};
use crate::invitation_runs::{too_many, Run, RunStore, JOB_KIND};
use crate::store::{Fut, StoreError};

fn json(run: &Run) -> Result<String, StoreError> {
    serde_json::to_string(run).map_err(|e| StoreError::new(e.to_string(), false))
}

impl RunStore for Db {
    fn start<'a>(&'a self, id: &'a str, run: &'a Run) -> Fut<'a, Result<(), String>> {
        Box::pin(async move {
            let now = super::clock_ms(&self.pool);
            let operator = run.by.username.to_lowercase();
            let mut tx = self.pool.begin().await?;
            one_at_a_time(&mut tx, Backend::of(&self.pool), &format!("invitation runs {}", run.realm)).await?;
            sqlx::query(&format!(
                "DELETE FROM invitation_runs WHERE going = 0 AND created < {now} - 86400000"
            ))
            .execute(&mut *tx)
            .await?;
            let (mine, realm): (i64, i64) = sqlx::query_as(
                "SELECT (SELECT COUNT(*) FROM invitation_runs WHERE going = 1 AND operator = $1), \
                 (SELECT COUNT(*) FROM invitation_runs WHERE going = 1 AND realm = $2)",
            )
            .bind(&operator)
            .bind(&run.realm)
            .fetch_one(&mut *tx)
            .await?;
            if let Some(why) = too_many(mine as usize, realm as usize) {
                tx.commit().await?;
                return Ok(Err(why));
            }
            sqlx::query(&format!(
                "INSERT INTO invitation_runs (id, realm, operator, going, run, created) VALUES ($1, $2, $3, $4, $5, {now})"
            ))
            .bind(id)
            .bind(&run.realm)
            .bind(&operator)
            .bind(i64::from(!run.handed_over()))
            .bind(json(run)?)
            .execute(&mut *tx)
            .await?;
            if !run.handed_over() {
                sqlx::query(&format!(
                    "INSERT INTO jobs (kind, subject, state, created, updated) VALUES ($1, $2, 'queued', {now}, {now}) \
                     ON CONFLICT (kind, subject) DO NOTHING"
                ))
                .bind(JOB_KIND)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(Ok(()))
        })
    }

    fn get<'a>(&'a self, id: &'a str) -> Fut<'a, Option<Run>> {
        Box::pin(async move {
            let kept: Option<String> = sqlx::query_scalar("SELECT run FROM invitation_runs WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
            kept.map(|j| serde_json::from_str(&j).map_err(|e| StoreError::new(e.to_string(), false)))
                .transpose()
        })
    }

    fn put<'a>(&'a self, id: &'a str, run: &'a Run) -> Fut<'a, ()> {
        Box::pin(async move {
            sqlx::query("UPDATE invitation_runs SET run = $1, going = $2 WHERE id = $3")
                .bind(json(run)?)
                .bind(i64::from(!run.handed_over()))
                .bind(id)
                .execute(&self.pool)
                .await?;
            Ok(())
        })
    }
}
