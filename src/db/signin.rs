//! The sign-in throttle's counts where replicas share the console's database (`auth::throttle::SharedCounts`):
//! `signin_failures` (one row per attempt counted, by the database's clock; `cleared` once the pair is forgiven,
//! `operator` when the name was an operator's), `signin_turns` (each username's next queued turn) and
//! `signin_known` (the addresses each username signed in from). A username's attempts are counted one at a time:
//! on PostgreSQL under a transaction-scoped advisory lock of the username (two replicas counting at once would each
//! see the other's row only after it commits); the rules are `auth::throttle::decide`, as in one process.

use std::time::Duration;

use super::{millis, one_at_a_time, Backend, Db};
use crate::auth::throttle::{decide, Counts, Limits, Refusal, SharedCounts};
use crate::store::Fut;

impl SharedCounts for Db {
    fn attempt<'a>(
        &'a self,
        user: &'a str,
        address: &'a str,
        operator: bool,
        limits: Limits,
        known_for: Duration,
    ) -> Fut<'a, Result<Duration, Refusal>> {
        Box::pin(async move {
            let now = super::clock_ms(&self.pool);
            let mut tx = self.pool.begin().await?;
            one_at_a_time(&mut tx, Backend::of(&self.pool), &format!("signin {user}")).await?;
            let window = millis(limits.window);
            sqlx::query(&format!("DELETE FROM signin_failures WHERE at < {now} - $1"))
                .bind(window)
                .execute(&mut *tx)
                .await?;
            let (pair, known, from_address, of_user, turn_in): (i64, i64, i64, i64, i64) =
                sqlx::query_as(&format!(
                    "SELECT \
                     (SELECT COUNT(*) FROM signin_failures WHERE user_key = $1 AND address = $2 AND cleared = 0), \
                     (SELECT COUNT(*) FROM signin_known WHERE user_key = $1 AND address = $2 AND at > {now} - $3), \
                     (SELECT COUNT(*) FROM signin_failures WHERE address = $2 AND operator = 0), \
                     (SELECT COUNT(*) FROM signin_failures WHERE user_key = $1), \
                     COALESCE((SELECT next_turn FROM signin_turns WHERE user_key = $1), 0) - {now}"
                ))
                .bind(user)
                .bind(address)
                .bind(millis(known_for))
                .fetch_one(&mut *tx)
                .await?;
            let counts = Counts {
                pair: pair as usize,
                known: known > 0,
                address: from_address as usize,
                user: of_user as usize,
                turn_in: Duration::from_millis(turn_in.max(0) as u64),
            };
            let decision = match decide(&limits, counts, operator) {
                Ok(d) => d,
                Err(why) => {
                    tx.commit().await?;
                    return Ok(Err(why));
                }
            };
            if let Some(next) = decision.next_turn_in {
                sqlx::query(&format!(
                    "INSERT INTO signin_turns (user_key, next_turn) VALUES ($1, {now} + $2) \
                     ON CONFLICT (user_key) DO UPDATE SET next_turn = excluded.next_turn"
                ))
                .bind(user)
                .bind(millis(next))
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query(&format!(
                "INSERT INTO signin_failures (user_key, address, at, operator) VALUES ($1, $2, {now}, $3)"
            ))
            .bind(user)
            .bind(address)
            .bind(i32::from(operator))
            .execute(&mut *tx)
            .await?;
            // Turns long past are no one's any more.
            sqlx::query(&format!("DELETE FROM signin_turns WHERE next_turn < {now} - $1"))
                .bind(window)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(Ok(decision.wait))
        })
    }

    fn succeeded<'a>(&'a self, user: &'a str, address: &'a str) -> Fut<'a, ()> {
        Box::pin(async move {
            let now = super::clock_ms(&self.pool);
            let mut tx = self.pool.begin().await?;
            one_at_a_time(&mut tx, Backend::of(&self.pool), &format!("signin {user}")).await?;
            // The attempt itself (the pair's latest) was no failure; the pair's others are forgiven for the pair,
            // and still count for the username's slow-down.
            sqlx::query(
                "DELETE FROM signin_failures WHERE user_key = $1 AND address = $2 AND at = \
                 (SELECT MAX(at) FROM signin_failures WHERE user_key = $1 AND address = $2)",
            )
            .bind(user)
            .bind(address)
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE signin_failures SET cleared = 1 WHERE user_key = $1 AND address = $2")
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
