//! The sign-in throttle's pair failures where replicas share the console's database (`auth::throttle::SharedPairs`):
//! `signin_failures` (one row per attempt counted, by the database's clock) and `signin_known` (the addresses each
//! username signed in from). A pair's attempts are counted one at a time: on PostgreSQL under a transaction-scoped
//! advisory lock of the pair (two replicas counting at once would each see the other's row only after it commits).

use std::time::Duration;

use super::{millis, one_at_a_time, Backend, Db};
use crate::auth::throttle::SharedPairs;
use crate::store::Fut;

impl SharedPairs for Db {
    fn begin<'a>(
        &'a self,
        user: &'a str,
        address: &'a str,
        limit: u64,
        window: Duration,
        known_for: Duration,
    ) -> Fut<'a, bool> {
        Box::pin(async move {
            let now = super::clock_ms(&self.pool);
            let mut tx = self.pool.begin().await?;
            one_at_a_time(&mut tx, Backend::of(&self.pool), &format!("signin {user} {address}")).await?;
            sqlx::query(&format!("DELETE FROM signin_failures WHERE at < {now} - $1"))
                .bind(millis(window))
                .execute(&mut *tx)
                .await?;
            let (failures, known): (i64, i64) = sqlx::query_as(&format!(
                "SELECT (SELECT COUNT(*) FROM signin_failures WHERE user_key = $1 AND address = $2), \
                 (SELECT COUNT(*) FROM signin_known WHERE user_key = $1 AND address = $2 AND at > {now} - $3)"
            ))
            .bind(user)
            .bind(address)
            .bind(millis(known_for))
            .fetch_one(&mut *tx)
            .await?;
            if failures >= limit as i64 && known == 0 {
                tx.commit().await?;
                return Ok(false);
            }
            sqlx::query(&format!(
                "INSERT INTO signin_failures (user_key, address, at) VALUES ($1, $2, {now})"
            ))
            .bind(user)
            .bind(address)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    fn succeeded<'a>(&'a self, user: &'a str, address: &'a str) -> Fut<'a, ()> {
        Box::pin(async move {
            let now = super::clock_ms(&self.pool);
            let mut tx = self.pool.begin().await?;
            sqlx::query("DELETE FROM signin_failures WHERE user_key = $1 AND address = $2")
                .bind(user)
                .bind(address)
                .execute(&mut *tx)
                .await?;
            sqlx::query(&format!(
                "INSERT INTO signin_known (user_key, address, at) VALUES ($1, $2, {now}) \
                 ON CONFLICT (user_key, address) DO UPDATE SET at = excluded.at"
            ))
            .bind(user)
            .bind(address)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(())
        })
    }
}
