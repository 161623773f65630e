//! A realm's index state and counts, in one read (`ix_realms` and `ix_counts`).

use sqlx::Row;

use super::super::{Pool, StoreError};
use crate::index::Overview;
use crate::model::IndexState;

pub(super) async fn read_overview(pool: &Pool, realm: &str) -> Result<Overview, StoreError> {
    let rows = sqlx::query(
        "SELECT 0 AS kind, indexed_at, done, total, '' AS status, '' AS enrollment \
           FROM ix_realms WHERE realm_id = $1 \
         UNION ALL \
         SELECT 1, NULL, n, 0, status, enrollment FROM ix_counts WHERE realm_id = $2 AND n > 0",
    )
    .bind(realm)
    .bind(realm)
    .fetch_all(pool)
    .await?;
    let mut overview = Overview::default();
    for r in &rows {
        if r.get::<i64, _>("kind") == 1 {
            overview.counts.push((
                r.get("status"),
                r.get("enrollment"),
                r.get::<i64, _>("done") as u64,
            ));
            continue;
        }
        let indexed_at: Option<String> = r.get("indexed_at");
        overview.state = IndexState {
            ready: indexed_at.is_some(),
            age_secs: None,
            indexed_at,
            running: false,
            done: r.get::<i64, _>("done") as u64,
            total: r.get::<i64, _>("total") as u64,
        };
    }
    Ok(overview)
}
