//! What the metrics read from the console's database when Prometheus asks (`metrics::Snapshot`): the jobs by kind
//! and state, the oldest job waiting to run, and each realm's index (its size and when it was last complete).

use crate::metrics::{RealmIndex, Snapshot};
use crate::store::StoreError;

/// The database's part of a scrape: four small queries (the jobs' table is small; the index's sizes are kept
/// with the rows).
pub async fn metrics_snapshot(pool: &super::Pool) -> Result<Snapshot, StoreError> {
    let jobs: Vec<(String, String, i64)> =
        sqlx::query_as("SELECT kind, state, CAST(COUNT(*) AS BIGINT) FROM jobs GROUP BY kind, state ORDER BY kind, state")
            .fetch_all(pool)
            .await?;
    let oldest: Option<i64> = sqlx::query_scalar("SELECT CAST(MIN(created) AS BIGINT) FROM jobs WHERE state = 'queued'")
        .fetch_one(pool)
        .await?;
    let realms: Vec<(String, Option<String>, i64)> = sqlx::query_as(
        "SELECT r.realm_id, r.indexed_at, \
         CAST(COALESCE((SELECT SUM(c.n) FROM ix_counts c WHERE c.realm_id = r.realm_id), 0) AS BIGINT) \
         FROM ix_realms r ORDER BY r.realm_id",
    )
    .fetch_all(pool)
    .await?;
    let audit_outbox: (i64, Option<i64>) =
        sqlx::query_as("SELECT CAST(COUNT(*) AS BIGINT), CAST(MIN(queued) AS BIGINT) FROM audit_outbox")
            .fetch_one(pool)
            .await?;
    Ok(Snapshot {
        audit_outbox,
        jobs,
        oldest_queued_ms: oldest,
        realms: realms
            .into_iter()
            .map(|(realm, indexed_at, identities)| RealmIndex {
                realm,
                indexed_at,
                identities,
            })
            .collect(),
    })
}
