//! An import read for its page and its CSVs: the header, the progress of its apply, and its rows.

use sqlx::Row;

use super::super::Db;
use crate::model::*;
use crate::store::Fut;
use crate::transfer::store::*;

impl ImportReads for Db {
    fn view<'a>(&'a self, id: &'a str, show: &'a str, page: u32, size: u32) -> Fut<'a, Option<ImportView>> {
        Box::pin(async move {
            let Some(r) = sqlx::query("SELECT * FROM imports WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?
            else {
                return Ok(None);
            };
            let summary: Summary = serde_json::from_str(r.get::<&str, _>("summary")).unwrap_or_default();
            let operator: Option<OperatorView> = serde_json::from_str(r.get::<&str, _>("operator")).ok();
            let progress = sqlx::query(
                "SELECT \
                   (SELECT COUNT(*) FROM import_rows WHERE import_id = $1 AND write IS NOT NULL) AS rows_total, \
                   (SELECT COUNT(*) FROM import_rows WHERE import_id = $1 AND write IS NOT NULL AND outcome IS NOT NULL) AS rows_done, \
                   (SELECT COUNT(*) FROM import_rows WHERE import_id = $1 AND outcome = $2) AS rows_failed, \
                   (SELECT COUNT(*) FROM import_groups WHERE import_id = $1 AND to_create = 1) AS to_create, \
                   (SELECT COUNT(*) FROM import_groups WHERE import_id = $1 AND to_create = 1 AND created IS NOT NULL) AS created, \
                   (SELECT COUNT(*) FROM import_groups WHERE import_id = $1) AS to_fill, \
                   (SELECT COUNT(*) FROM import_groups WHERE import_id = $1 AND filled IS NOT NULL) AS filled, \
                   (SELECT COUNT(*) FROM import_groups WHERE import_id = $1 AND (created = $2 OR filled = $2 OR trimmed = $2)) AS groups_failed, \
                   (SELECT COUNT(DISTINCT group_name) FROM import_leaves WHERE import_id = $1) AS to_trim, \
                   (SELECT COUNT(*) FROM import_groups WHERE import_id = $1 AND trimmed IS NOT NULL) AS trimmed, \
                   (SELECT COUNT(*) FROM import_suspensions WHERE import_id = $1) AS to_suspend, \
                   (SELECT COUNT(*) FROM import_suspensions WHERE import_id = $1 AND outcome IS NOT NULL) AS suspended, \
                   (SELECT COUNT(*) FROM import_suspensions WHERE import_id = $1 AND outcome = $2) AS suspend_failed",
            )
            .bind(id)
            .bind(crate::model::STEP_FAILED)
            .fetch_one(&self.pool)
            .await?;
            let n = |k: &str| progress.get::<i64, _>(k) as u64;
            let (page, size) = (page.max(1), size.clamp(1, crate::model::MAX_PAGE_SIZE));
            let filter = match show {
                "create" | "update" | "unchanged" | "error" => " AND action = ?",
                "failed" => " AND outcome = ?",
                _ => "",
            };
            let (count_sql, rows_sql) = if show == ROW_SUSPEND {
                (
                    "SELECT COUNT(*) FROM import_suspensions WHERE import_id = ?".to_string(),
                    format!("{} WHERE import_id = ? ORDER BY username LIMIT ? OFFSET ?", suspensions(&self.pool)),
                )
            } else {
                (
                    format!("SELECT COUNT(*) FROM import_rows WHERE import_id = ?{filter}"),
                    format!(
                        "SELECT plan, outcome, message, identity_id FROM import_rows WHERE import_id = ?{filter} ORDER BY line LIMIT ? OFFSET ?"
                    ),
                )
            };
            let (count_sql, rows_sql) = (crate::db::numbered(&count_sql), crate::db::numbered(&rows_sql));
            let mut count = sqlx::query_scalar::<_, i64>(&count_sql).bind(id);
            let mut rows = sqlx::query(&rows_sql).bind(id);
            if !filter.is_empty() {
                count = count.bind(show);
                rows = rows.bind(show);
            }
            let total = count.fetch_one(&self.pool).await? as u64;
            let items = rows
                .bind(size as i64)
                .bind(((page - 1) as i64) * size as i64)
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(plan_row)
                .collect();
            Ok(Some(ImportView {
                id: id.to_string(),
                realm: r.get("realm"),
                file_name: r.get("file_name"),
                sha256: r.get("sha256"),
                operator: operator.map(|o| o.username).unwrap_or_default(),
                created: r.get("created"),
                state: r.get("state"),
                counts: summary.counts,
                groups_to_create: summary.groups_to_create,
                unknown_columns: summary.unknown_columns,
                unknown_more: summary.unknown_more,
                removals: summary.removals,
                done: n("rows_done") + n("created") + n("filled") + n("trimmed") + n("suspended"),
                total: n("rows_total") + n("to_create") + n("to_fill") + n("to_trim") + n("to_suspend"),
                failed: n("rows_failed") + n("groups_failed") + n("suspend_failed"),
                started: r.get("started"),
                ended: r.get("ended"),
                rows: PageView {
                    items,
                    total,
                    page,
                    size,
                },
                pace: None,
                invitations: r.get("invitations"),
                invitations_error: r.get("invitations_error"),
                applied_by: r
                    .get::<Option<&str>, _>("applier")
                    .and_then(|a| serde_json::from_str::<OperatorView>(a).ok())
                    .map(|o| o.username),
                halted: r.get("halted"),
            }))
        })
    }
    fn all_rows<'a>(&'a self, id: &'a str, errors_only: bool) -> Fut<'a, Vec<PlanRow>> {
        Box::pin(async move {
            // With `errors_only`, the rows whose action is an error; else every row (`$2` is then null and matches all).
            let sql = "SELECT plan, outcome, message, identity_id FROM import_rows WHERE import_id = $1 \
                       AND ($2 IS NULL OR action = $2) ORDER BY line";
            let mut rows: Vec<PlanRow> = sqlx::query(sql)
                .bind(id)
                .bind(errors_only.then_some(crate::model::ROW_ERROR))
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(plan_row)
                .collect();
            if !errors_only {
                let sql = format!("{} WHERE import_id = $1 ORDER BY username", suspensions(&self.pool));
                let suspensions = sqlx::query(&sql).bind(id).fetch_all(&self.pool).await?;
                rows.extend(suspensions.iter().map(plan_row));
            }
            Ok(rows)
        })
    }
}

/// The identities an import suspends, read as rows of its plan (line 0: they are not in the file; the action is
/// `model::ROW_SUSPEND`), in the JSON functions of `pool`'s engine.
fn suspensions(pool: &crate::db::Pool) -> String {
    let plan = match crate::db::Backend::of(pool) {
        crate::db::Backend::Sqlite => SUSPENSION_PLAN_SQLITE,
        crate::db::Backend::Postgres => SUSPENSION_PLAN_POSTGRES,
    };
    format!("SELECT {plan} AS plan, outcome, message, identity_id FROM import_suspensions")
}

const SUSPENSION_PLAN_SQLITE: &str = "json_object('line', 0, 'username', username, 'action', 'suspend', \
     'changes', json_array(), 'join', json_array())";
const SUSPENSION_PLAN_POSTGRES: &str = "CAST(json_build_object('line', 0, 'username', username, 'action', 'suspend', \
     'changes', json_build_array(), 'join', json_build_array()) AS TEXT)";

fn plan_row(r: &crate::db::DbRow) -> PlanRow {
    let mut row: PlanRow = serde_json::from_str(r.get::<&str, _>("plan")).unwrap_or_default();
    row.outcome = r.get("outcome");
    row.message = r.get("message");
    row.identity_id = r.get::<Option<String>, _>("identity_id").or(row.identity_id);
    row
}
