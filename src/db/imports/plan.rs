//! A plan kept as it is made, a chunk of rows at a time with multi-row inserts.

use super::super::{insert_rows, Db};
use super::now;
use crate::model::*;
use crate::store::Fut;
use crate::transfer::store::*;

/// Rows of a multi-row INSERT (at most 7 values each: well under SQLite's bound on a statement's parameters).
const INSERT_ROWS: usize = 100;

impl PlanStore for Db {
    fn new_plan<'a>(&'a self, realm: &'a str, operator: &'a OperatorView, file_name: &'a str, sha256: &'a str) -> Fut<'a, String> {
        Box::pin(async move {
            let id = format!("{:016x}", rand::random::<u64>());
            sqlx::query(
                "INSERT INTO imports (id, realm, operator, file_name, sha256, created, state, summary) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, '{}')",
            )
            .bind(&id)
            .bind(realm)
            .bind(serde_json::to_string(operator).unwrap_or_default())
            .bind(file_name)
            .bind(sha256)
            .bind(now())
            .bind(crate::model::IMPORT_PLANNING)
            .execute(&self.pool)
            .await?;
            Ok(id)
        })
    }
    fn discard_abandoned_plans<'a>(&'a self, age: std::time::Duration) -> Fut<'a, usize> {
        Box::pin(async move {
            let age = chrono::Duration::from_std(age).unwrap_or(chrono::Duration::MAX);
            let before = chrono::Utc::now()
                .checked_sub_signed(age)
                .unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC)
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
            let abandoned: Vec<String> =
                sqlx::query_scalar("SELECT id FROM imports WHERE state = $1 AND created < $2")
                    .bind(crate::model::IMPORT_PLANNING)
                    .bind(before)
                    .fetch_all(&self.pool)
                    .await?;
            for id in &abandoned {
                self.discard(id).await?;
            }
            Ok(abandoned.len())
        })
    }
    fn discard<'a>(&'a self, id: &'a str) -> Fut<'a, ()> {
        Box::pin(async move {
            let mut tx = self.pool.begin().await?;
            for table in ["import_rows", "import_joins", "import_groups", "import_leaves", "import_suspensions"] {
                sqlx::query(&format!("DELETE FROM {table} WHERE import_id = $1"))
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query("DELETE FROM imports WHERE id = $1").bind(id).execute(&mut *tx).await?;
            Ok(tx.commit().await?)
        })
    }
    fn save_rows<'a>(&'a self, id: &'a str, rows: &'a [PlannedRow]) -> Fut<'a, ()> {
        Box::pin(async move {
            let mut tx = self.pool.begin().await?;
            for part in rows.chunks(INSERT_ROWS) {
                let sql = insert_rows(
                    "INSERT INTO import_rows (import_id, line, username, action, plan, write, identity_id)",
                    part.len(),
                    7,
                );
                let mut insert = sqlx::query(&sql);
                for p in part {
                    let r = &p.row;
                    insert = insert
                        .bind(id)
                        .bind(r.line as i64)
                        .bind(&r.username)
                        .bind(&r.action)
                        .bind(serde_json::to_string(r).unwrap_or_default())
                        .bind(p.write.as_ref().map(|w| serde_json::to_string(w).unwrap_or_default()))
                        .bind(&r.identity_id);
                }
                insert.execute(&mut *tx).await?;
                let joins: Vec<(i64, &String)> = part
                    .iter()
                    .filter(|p| p.row.action != ROW_ERROR)
                    .flat_map(|p| p.row.join.iter().map(move |g| (p.row.line as i64, g)))
                    .collect();
                for some in joins.chunks(INSERT_ROWS) {
                    let sql = insert_rows("INSERT INTO import_joins (import_id, line, group_name)", some.len(), 3);
                    let mut insert = sqlx::query(&sql);
                    for (line, g) in some {
                        insert = insert.bind(id).bind(*line).bind(*g);
                    }
                    insert.execute(&mut *tx).await?;
                }
            }
            Ok(tx.commit().await?)
        })
    }
    fn finish_plan<'a>(&'a self, id: &'a str, groups: &'a [PlannedGroup], suspensions: &'a [(String, String)], summary: &'a Summary) -> Fut<'a, ()> {
        Box::pin(async move {
            let mut tx = self.pool.begin().await?;
            for g in groups {
                sqlx::query("INSERT INTO import_groups (import_id, name, group_id, to_create) VALUES ($1, $2, $3, $4)")
                    .bind(id)
                    .bind(&g.name)
                    .bind(&g.id)
                    .bind(g.id.is_none() as i64)
                    .execute(&mut *tx)
                    .await?;
                for some in g.leaving.chunks(INSERT_ROWS) {
                    let sql =
                        insert_rows("INSERT INTO import_leaves (import_id, group_name, identity_id)", some.len(), 3);
                    let mut insert = sqlx::query(&sql);
                    for who in some {
                        insert = insert.bind(id).bind(&g.name).bind(who);
                    }
                    insert.execute(&mut *tx).await?;
                }
            }
            for some in suspensions.chunks(INSERT_ROWS) {
                let sql =
                    insert_rows("INSERT INTO import_suspensions (import_id, identity_id, username)", some.len(), 3);
                let mut insert = sqlx::query(&sql);
                for (who, username) in some {
                    insert = insert.bind(id).bind(who).bind(username);
                }
                insert.execute(&mut *tx).await?;
            }
            sqlx::query("UPDATE imports SET state = $1, summary = $2 WHERE id = $3")
                .bind(crate::model::IMPORT_PLANNED)
                .bind(serde_json::to_string(summary).unwrap_or_default())
                .bind(id)
                .execute(&mut *tx)
                .await?;
            Ok(tx.commit().await?)
        })
    }
}
