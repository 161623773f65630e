//! The jobs' queue (`jobs::JobStore`) on the console's database: the `jobs` table, claimed with a lease by the
//! database's clock; on PostgreSQL the next job is chosen `FOR UPDATE SKIP LOCKED`, so replicas asking at once take
//! different jobs (SQLite has one writer at a time).

use std::time::Duration;

use sqlx::Row;

use super::{clock_ms as now_sql, millis, Backend, Db};
use crate::jobs::{Claimed, JobStore, MAX_ATTEMPTS};
use crate::store::Fut;

/// Ready to run: queued and due, or running under a lease that lapsed.
fn ready(now: &str) -> String {
    format!("((jobs.state = 'queued' AND jobs.run_after <= {now}) OR (jobs.state = 'running' AND jobs.lease_until < {now}))")
}

fn claimed(r: &super::DbRow) -> Claimed {
    Claimed {
        kind: r.get("kind"),
        subject: r.get("subject"),
        attempt: r.get("attempts"),
    }
}

impl JobStore for Db {
    fn claim_next<'a>(&'a self, kinds: &'a [&'a str], owner: &'a str, lease: Duration) -> Fut<'a, Option<Claimed>> {
        Box::pin(async move {
            if kinds.is_empty() {
                return Ok(None);
            }
            let among = (0..kinds.len()).map(|i| format!("${}", i + 3)).collect::<Vec<_>>().join(", ");
            let now = now_sql(&self.pool);
            let lock = match Backend::of(&self.pool) {
                Backend::Sqlite => "",
                Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            };
            let sql = format!(
                "UPDATE jobs SET state = 'running', owner = $1, lease_until = {now} + $2, attempts = attempts + 1, \
                 updated = {now} WHERE (kind, subject) = (SELECT kind, subject FROM jobs WHERE kind IN ({among}) \
                 AND {} ORDER BY created LIMIT 1{lock}) RETURNING kind, subject, attempts",
                ready(now)
            );
            let mut query = sqlx::query(&sql).bind(owner).bind(millis(lease));
            for kind in kinds {
                query = query.bind(*kind);
            }
            let row = query.fetch_optional(&self.pool).await?;
            Ok(row.as_ref().map(claimed))
        })
    }

    fn claim<'a>(&'a self, kind: &'a str, subject: &'a str, owner: &'a str, lease: Duration) -> Fut<'a, Option<Claimed>> {
        Box::pin(async move {
            // One statement: the job is never seen queued by a runner between its making and its claim.
            let now = now_sql(&self.pool);
            let sql = format!(
                "INSERT INTO jobs (kind, subject, state, owner, lease_until, attempts, created, updated) \
                 VALUES ($1, $2, 'running', $3, {now} + $4, 1, {now}, {now}) \
                 ON CONFLICT (kind, subject) DO UPDATE SET state = 'running', owner = excluded.owner, \
                 lease_until = excluded.lease_until, attempts = jobs.attempts + 1, updated = excluded.updated \
                 WHERE {} RETURNING kind, subject, attempts",
                ready(now)
            );
            let row = sqlx::query(&sql)
                .bind(kind)
                .bind(subject)
                .bind(owner)
                .bind(millis(lease))
                .fetch_optional(&self.pool)
                .await?;
            Ok(row.as_ref().map(claimed))
        })
    }

    fn renew<'a>(&'a self, job: &'a Claimed, owner: &'a str, lease: Duration) -> Fut<'a, bool> {
        Box::pin(async move {
            let now = now_sql(&self.pool);
            let renewed = sqlx::query(&format!(
                "UPDATE jobs SET lease_until = {now} + $1, updated = {now} \
                 WHERE kind = $2 AND subject = $3 AND owner = $4 AND state = 'running'"
            ))
            .bind(millis(lease))
            .bind(&job.kind)
            .bind(&job.subject)
            .bind(owner)
            .execute(&self.pool)
            .await?;
            Ok(renewed.rows_affected() == 1)
        })
    }

    fn done<'a>(&'a self, job: &'a Claimed, owner: &'a str) -> Fut<'a, ()> {
        Box::pin(async move {
            let now = now_sql(&self.pool);
            sqlx::query(&format!(
                "UPDATE jobs SET state = 'done', owner = NULL, error = NULL, updated = {now} \
                 WHERE kind = $1 AND subject = $2 AND owner = $3"
            ))
            .bind(&job.kind)
            .bind(&job.subject)
            .bind(owner)
            .execute(&self.pool)
            .await?;
            Ok(())
        })
    }

    fn failed<'a>(&'a self, job: &'a Claimed, owner: &'a str, error: &'a str, backoff: Duration) -> Fut<'a, ()> {
        Box::pin(async move {
            let now = now_sql(&self.pool);
            sqlx::query(&format!(
                "UPDATE jobs SET state = CASE WHEN attempts >= $1 THEN 'failed' ELSE 'queued' END, owner = NULL, \
                 run_after = {now} + $2, error = $3, updated = {now} WHERE kind = $4 AND subject = $5 AND owner = $6"
            ))
            .bind(MAX_ATTEMPTS)
            .bind(millis(backoff))
            .bind(error)
            .bind(&job.kind)
            .bind(&job.subject)
            .bind(owner)
            .execute(&self.pool)
            .await?;
            Ok(())
        })
    }

    fn release<'a>(&'a self, job: &'a Claimed, owner: &'a str) -> Fut<'a, ()> {
        Box::pin(async move {
            sqlx::query(
                "UPDATE jobs SET state = 'queued', owner = NULL, lease_until = 0, attempts = attempts - 1 \
                 WHERE kind = $1 AND subject = $2 AND owner = $3",
            )
            .bind(&job.kind)
            .bind(&job.subject)
            .bind(owner)
            .execute(&self.pool)
            .await?;
            Ok(())
        })
    }

    fn free_all<'a>(&'a self) -> Fut<'a, u64> {
        Box::pin(async move {
            let freed = sqlx::query("UPDATE jobs SET lease_until = 0 WHERE state = 'running'")
                .execute(&self.pool)
                .await?;
            Ok(freed.rows_affected())
        })
    }

    fn forget_finished<'a>(&'a self, age: Duration) -> Fut<'a, u64> {
        Box::pin(async move {
            let now = now_sql(&self.pool);
            let forgotten = sqlx::query(&format!(
                "DELETE FROM jobs WHERE state IN ('done', 'failed') AND updated < {now} - $1"
            ))
            .bind(millis(age))
            .execute(&self.pool)
            .await?;
            Ok(forgotten.rows_affected())
        })
    }

    fn shared(&self) -> bool {
        Backend::of(&self.pool) == Backend::Postgres
    }
}
