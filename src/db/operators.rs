//! Operators in the console's database (`auth::OperatorStore`): one row per operator, keyed by the username
//! lowercased, and `operator_book.generation`, moved in the same transaction as every change.

use super::Db;
use crate::auth::{OperatorRecord, OperatorStore};
use crate::model::Role;
use crate::store::{Fut, StoreError};

type Row = (String, String, String, Option<String>);

fn record((username, role, password_hash, realms): Row) -> Result<OperatorRecord, StoreError> {
    let bad = |what: String| StoreError::new(format!("operator {username}: {what}"), false);
    Ok(OperatorRecord {
        role: Role::parse(&role).ok_or_else(|| bad(format!("unknown role '{role}'")))?,
        realms: realms
            .map(|r| serde_json::from_str(&r))
            .transpose()
            .map_err(|e| bad(e.to_string()))?,
        password_hash,
        username,
    })
}

fn realms(record: &OperatorRecord) -> Option<String> {
    record
        .realms
        .as_ref()
        .map(|r| serde_json::to_string(r).expect("a list of strings serializes"))
}

/// `sql` with `r`'s columns bound as `$1`…`$5`: the key, the username, the role, the hash, the realms.
fn with_record<'q>(sql: &'q str, r: &'q OperatorRecord) -> super::Query<'q> {
    sqlx::query(sql)
        .bind(r.username.to_lowercase())
        .bind(&r.username)
        .bind(r.role.as_str())
        .bind(&r.password_hash)
        .bind(realms(r))
}

const MOVE: &str = "UPDATE operator_book SET generation = generation + 1 WHERE id = 1";

impl OperatorStore for Db {
    fn generation(&self) -> Fut<'_, i64> {
        Box::pin(async move {
            Ok(sqlx::query_scalar("SELECT generation FROM operator_book WHERE id = 1")
                .fetch_one(&self.pool)
                .await?)
        })
    }

    fn operators(&self) -> Fut<'_, (i64, Vec<OperatorRecord>)> {
        Box::pin(async move {
            // The generation first: the rows read after it are at least as new, so a change in between is read
            // again next time, never missed.
            let generation: i64 =
                sqlx::query_scalar("SELECT generation FROM operator_book WHERE id = 1")
                    .fetch_one(&self.pool)
                    .await?;
            let rows: Vec<Row> = sqlx::query_as(
                "SELECT username, role, password_hash, realms FROM operators ORDER BY username_key",
            )
            .fetch_all(&self.pool)
            .await?;
            Ok((
                generation,
                rows.into_iter().map(record).collect::<Result<_, _>>()?,
            ))
        })
    }

    fn put<'a>(&'a self, r: &'a OperatorRecord) -> Fut<'a, ()> {
        Box::pin(async move {
            let now = super::clock_ms(&self.pool);
            let mut tx = self.pool.begin().await?;
            let sql = format!(
                "INSERT INTO operators (username_key, username, role, password_hash, realms, changed) \
                 VALUES ($1, $2, $3, $4, $5, {now}) \
                 ON CONFLICT (username_key) DO UPDATE SET username = excluded.username, role = excluded.role, \
                 password_hash = excluded.password_hash, realms = excluded.realms, changed = excluded.changed"
            );
            with_record(&sql, r).execute(&mut *tx).await?;
            sqlx::query(MOVE).execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(())
        })
    }

    fn put_first<'a>(&'a self, r: &'a OperatorRecord) -> Fut<'a, bool> {
        Box::pin(async move {
            let now = super::clock_ms(&self.pool);
            let mut tx = self.pool.begin().await?;
            // Two replicas starting at once both see no operator; the second's row meets the first's key and is
            // dropped (on PostgreSQL it waits for the first to commit).
            let sql = format!(
                "INSERT INTO operators (username_key, username, role, password_hash, realms, changed) \
                 SELECT $1, $2, $3, $4, $5, {now} WHERE NOT EXISTS (SELECT 1 FROM operators) \
                 ON CONFLICT (username_key) DO NOTHING"
            );
            let added = with_record(&sql, r).execute(&mut *tx).await?.rows_affected() == 1;
            if added {
                sqlx::query(MOVE).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(added)
        })
    }

    fn remove<'a>(&'a self, username: &'a str) -> Fut<'a, bool> {
        Box::pin(async move {
            let mut tx = self.pool.begin().await?;
            let removed = sqlx::query("DELETE FROM operators WHERE username_key = $1")
                .bind(username.to_lowercase())
                .execute(&mut *tx)
                .await?
                .rows_affected()
                > 0;
            if removed {
                sqlx::query(MOVE).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(removed)
        })
    }
}
