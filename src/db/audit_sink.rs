//! The audit sink's outbox (`audit::sink::OutboxStore`) on the console's database: `audit_outbox`, the events still
//! to send in the order written, and `audit_sink`, who sends them (a lease by the database's clock) and how it goes.

use std::time::Duration;

use sqlx::Row;

use super::{clock_ms, millis, Db};
use crate::audit::sink::{OutboxStore, SinkStatus, Waiting};
use crate::store::Fut;

impl OutboxStore for Db {
    fn hold<'a>(&'a self, owner: &'a str, lease: Duration) -> Fut<'a, bool> {
        Box::pin(async move {
            let now = clock_ms(&self.pool);
            // One statement: of replicas asking at once, one holds the row.
            let held = sqlx::query(&format!(
                "UPDATE audit_sink SET owner = $1, lease_until = {now} + $2 \
                 WHERE id = 1 AND (owner = $1 OR owner IS NULL OR lease_until < {now})"
            ))
            .bind(owner)
            .bind(millis(lease))
            .execute(&self.pool)
            .await?
            .rows_affected();
            Ok(held == 1)
        })
    }

    fn waiting(&self, limit: u32) -> Fut<'_, Vec<Waiting>> {
        Box::pin(async move {
            let rows = sqlx::query(
                "SELECT o.seq AS outbox_seq, e.id, e.at, e.operator, e.action, e.realm, e.target_id, e.target_name, \
                 e.detail, e.result, e.request_id FROM audit_outbox o LEFT JOIN audit_events e ON e.id = o.event_id \
                 ORDER BY o.seq LIMIT $1",
            )
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
            let waiting = rows
                .iter()
                .map(|r| {
                    // No event row: the event is gone (retention) before it was sent.
                    let entry = r.get::<Option<String>, _>("id").map(|_| super::audit::entry(r));
                    Waiting { seq: r.get("outbox_seq"), entry }
                })
                .collect();
            Ok(waiting)
        })
    }

    fn sent<'a>(&'a self, owner: &'a str, seqs: &'a [i64]) -> Fut<'a, bool> {
        Box::pin(async move {
            let now = clock_ms(&self.pool);
            let mut tx = self.pool.begin().await?;
            let holder = sqlx::query(&format!(
                "UPDATE audit_sink SET delivered = delivered + $2, last_delivered = {now}, failing_since = NULL, \
                 last_error = NULL WHERE id = 1 AND owner = $1"
            ))
            .bind(owner)
            .bind(seqs.len() as i64)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if holder != 1 {
                return Ok(false);
            }
            // By their numbers, not "up to the last": on PostgreSQL an event written earlier may become visible
            // after later ones, and waits for the next delivery.
            for chunk in seqs.chunks(500) {
                let among = (1..=chunk.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
                let sql = format!("DELETE FROM audit_outbox WHERE seq IN ({among})");
                let mut delete = sqlx::query(&sql);
                for seq in chunk {
                    delete = delete.bind(*seq);
                }
                delete.execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(true)
        })
    }

    fn failed<'a>(&'a self, owner: &'a str, error: &'a str) -> Fut<'a, ()> {
        Box::pin(async move {
            let now = clock_ms(&self.pool);
            sqlx::query(&format!(
                "UPDATE audit_sink SET failing_since = COALESCE(failing_since, {now}), last_error = $2 \
                 WHERE id = 1 AND owner = $1"
            ))
            .bind(owner)
            .bind(error)
            .execute(&self.pool)
            .await?;
            Ok(())
        })
    }

    fn let_go<'a>(&'a self, owner: Option<&'a str>) -> Fut<'a, ()> {
        Box::pin(async move {
            match owner {
                Some(owner) => {
                    sqlx::query("UPDATE audit_sink SET owner = NULL, lease_until = 0 WHERE id = 1 AND owner = $1")
                        .bind(owner)
                        .execute(&self.pool)
                        .await?
                }
                None => sqlx::query("UPDATE audit_sink SET owner = NULL, lease_until = 0 WHERE id = 1")
                    .execute(&self.pool)
                    .await?,
            };
            Ok(())
        })
    }

    fn status(&self) -> Fut<'_, SinkStatus> {
        Box::pin(async move {
            let now = clock_ms(&self.pool);
            let (waiting, oldest): (i64, Option<i64>) =
                sqlx::query_as("SELECT CAST(COUNT(*) AS BIGINT), CAST(MIN(queued) AS BIGINT) FROM audit_outbox")
                    .fetch_one(&self.pool)
                    .await?;
            let (now_ms, failing_since, last_error): (i64, Option<i64>, Option<String>) = sqlx::query_as(&format!(
                "SELECT CAST({now} AS BIGINT), CAST(failing_since AS BIGINT), last_error FROM audit_sink WHERE id = 1"
            ))
            .fetch_one(&self.pool)
            .await?;
            Ok(SinkStatus {
                waiting: waiting as u64,
                oldest_ms: oldest,
                now_ms,
                failing_since_ms: failing_since,
                last_error,
            })
        })
    }
}
