//! Keeping a plan as it is made: the import's header first (state `planning`), then each chunk of classified rows in
//! a transaction of its own with multi-row inserts, then the groups, removals, suspensions and the summary, which
//! make it `planned`. A plan that cannot be finished is discarded.

use sqlx::QueryBuilder;

use crate::db::{Engine, Pool, StoreError};

use super::store::{now, Imports, PlannedGroup, PlannedRow, Summary};
use crate::model::{OperatorView, ROW_ERROR};

impl Imports {
    /// Starts keeping a plan (in the state `planning` until [`Saving::finish`]).
    pub async fn begin(
        &self,
        realm: &str,
        operator: &OperatorView,
        file_name: &str,
        sha256: &str,
    ) -> Result<Saving, StoreError> {
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
        Ok(Saving {
            pool: self.pool.clone(),
            id,
        })
    }

    /// Forgets the plans still being made that were started more than `age` ago: a plan is made by one request or
    /// one command in seconds, so such a plan was left by a console or command that stopped while making it (a
    /// crash, a restart). Answers how many were forgotten.
    pub async fn discard_abandoned_plans(&self, age: std::time::Duration) -> Result<usize, StoreError> {
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
    }

    /// Forgets a plan that could not be made to the end.
    pub async fn discard(&self, id: &str) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        for table in ["import_rows", "import_joins", "import_groups", "import_leaves", "import_suspensions"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE import_id = $1"))
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("DELETE FROM imports WHERE id = $1").bind(id).execute(&mut *tx).await?;
        Ok(tx.commit().await?)
    }
}

/// Rows of a multi-row INSERT (at most 7 values each: well under SQLite's bound on a statement's parameters).
const INSERT_ROWS: usize = 100;

/// A plan being kept, a chunk of rows at a time (each chunk in a transaction of its own).
pub struct Saving {
    pool: Pool,
    id: String,
}

impl Saving {
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Keeps classified rows, with the groups each joins.
    pub async fn rows(&mut self, rows: &[PlannedRow]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        for part in rows.chunks(INSERT_ROWS) {
            let mut insert = QueryBuilder::<Engine>::new(
                "INSERT INTO import_rows (import_id, line, username, action, plan, write, identity_id) ",
            );
            insert.push_values(part, |mut b, p| {
                let r = &p.row;
                b.push_bind(self.id.clone())
                    .push_bind(r.line as i64)
                    .push_bind(r.username.clone())
                    .push_bind(r.action.clone())
                    .push_bind(serde_json::to_string(r).unwrap_or_default())
                    .push_bind(p.write.as_ref().map(|w| serde_json::to_string(w).unwrap_or_default()))
                    .push_bind(r.identity_id.clone());
            });
            insert.push(" ON CONFLICT DO NOTHING");
            insert.build().execute(&mut *tx).await?;
            let joins: Vec<(i64, &String)> = part
                .iter()
                .filter(|p| p.row.action != ROW_ERROR)
                .flat_map(|p| p.row.join.iter().map(move |g| (p.row.line as i64, g)))
                .collect();
            for some in joins.chunks(INSERT_ROWS) {
                let mut insert = QueryBuilder::<Engine>::new("INSERT INTO import_joins (import_id, line, group_name) ");
                insert.push_values(some, |mut b, (line, g)| {
                    b.push_bind(self.id.clone()).push_bind(*line).push_bind((*g).clone());
                });
                insert.push(" ON CONFLICT DO NOTHING");
                insert.build().execute(&mut *tx).await?;
            }
        }
        Ok(tx.commit().await?)
    }

    /// Keeps the groups the plan names (with the members they lose), the identities it suspends and its summary;
    /// the plan is then ready to apply.
    pub async fn finish(
        &mut self,
        groups: &[PlannedGroup],
        suspensions: &[(String, String)],
        summary: &Summary,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        for g in groups {
            sqlx::query("INSERT INTO import_groups (import_id, name, group_id, to_create) VALUES ($1, $2, $3, $4)")
                .bind(&self.id)
                .bind(&g.name)
                .bind(&g.id)
                .bind(g.id.is_none() as i64)
                .execute(&mut *tx)
                .await?;
            for some in g.leaving.chunks(INSERT_ROWS) {
                let mut insert =
                    QueryBuilder::<Engine>::new("INSERT INTO import_leaves (import_id, group_name, identity_id) ");
                insert.push_values(some, |mut b, who| {
                    b.push_bind(self.id.clone()).push_bind(g.name.clone()).push_bind(who.clone());
                });
                insert.push(" ON CONFLICT DO NOTHING");
                insert.build().execute(&mut *tx).await?;
            }
        }
        for some in suspensions.chunks(INSERT_ROWS) {
            let mut insert =
                QueryBuilder::<Engine>::new("INSERT INTO import_suspensions (import_id, identity_id, username) ");
            insert.push_values(some, |mut b, (who, username)| {
                b.push_bind(self.id.clone()).push_bind(who.clone()).push_bind(username.clone());
            });
            insert.push(" ON CONFLICT DO NOTHING");
            insert.build().execute(&mut *tx).await?;
        }
        sqlx::query("UPDATE imports SET state = $1, summary = $2 WHERE id = $3")
            .bind(crate::model::IMPORT_PLANNED)
            .bind(serde_json::to_string(summary).unwrap_or_default())
            .bind(&self.id)
            .execute(&mut *tx)
            .await?;
        Ok(tx.commit().await?)
    }
}
