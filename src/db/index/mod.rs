//! The directory index's store (`index::IndexStore`) on the console's database: `ix_identities` with its FTS5
//! trigram table (SQLite) or trigram index (PostgreSQL) and per-column indexes, `ix_counts` kept by triggers,
//! `ix_groups`, and `ix_realms` (each realm's state, refresh generation and, on PostgreSQL, where replicas share
//! it, the stamp every write moves).

mod groups;
mod identities;
mod overview;
mod refresh;

use super::{Backend, Db, StoreError};
use crate::index::{IndexStore, Overview};
use crate::model::{Group, GroupListing, Identity, IdentityFilter, PageView, Sort};
use crate::store::Fut;

impl Db {
    /// After a write to `realm`'s records: on a database replicas share, a new stamp for them, so every replica
    /// forgets what it kept of the index (a random one: a realm forgotten and written again never meets an old
    /// stamp).
    async fn wrote<T>(&self, realm: &str, done: Result<T, StoreError>) -> Result<T, StoreError> {
        let done = done?;
        if self.shared() {
            sqlx::query(
                "INSERT INTO ix_realms (realm_id, changes) VALUES ($1, $2) \
                 ON CONFLICT (realm_id) DO UPDATE SET changes = excluded.changes",
            )
            .bind(realm)
            .bind(rand::random::<i64>())
            .execute(&self.pool)
            .await?;
        }
        Ok(done)
    }
}

impl IndexStore for Db {
    fn shared(&self) -> bool {
        Backend::of(&self.pool) == Backend::Postgres
    }
    fn claim_refresh<'a>(&'a self, realm: &'a str, owner: &'a str, lease: std::time::Duration) -> Fut<'a, bool> {
        Box::pin(async move {
            let now = super::clock_ms(&self.pool);
            sqlx::query("INSERT INTO ix_realms (realm_id) VALUES ($1) ON CONFLICT (realm_id) DO NOTHING")
                .bind(realm)
                .execute(&self.pool)
                .await?;
            let claimed = sqlx::query(&format!(
                "UPDATE ix_realms SET refresher = $1, refresh_until = {now} + $2 WHERE realm_id = $3 \
                 AND (refresher IS NULL OR refresher = $1 OR refresh_until < {now})"
            ))
            .bind(owner)
            .bind(super::millis(lease))
            .bind(realm)
            .execute(&self.pool)
            .await?;
            Ok(claimed.rows_affected() == 1)
        })
    }
    fn release_refresh<'a>(&'a self, realm: &'a str, owner: &'a str) -> Fut<'a, ()> {
        Box::pin(async move {
            sqlx::query("UPDATE ix_realms SET refresher = NULL, refresh_until = NULL WHERE realm_id = $1 AND refresher = $2")
                .bind(realm)
                .bind(owner)
                .execute(&self.pool)
                .await?;
            Ok(())
        })
    }
    fn changes<'a>(&'a self, realm: &'a str) -> Fut<'a, Option<i64>> {
        Box::pin(async move {
            let stamp: Option<Option<i64>> = sqlx::query_scalar("SELECT changes FROM ix_realms WHERE realm_id = $1")
                .bind(realm)
                .fetch_optional(&self.pool)
                .await?;
            Ok(stamp.flatten())
        })
    }
    fn search<'a>(
        &'a self,
        realm: &'a str,
        filter: &'a IdentityFilter,
        page: u32,
        size: u32,
        known_total: Option<u64>,
    ) -> Fut<'a, PageView<Identity>> {
        Box::pin(identities::search_counted(&self.pool, realm, filter, page, size, known_total))
    }
    fn by_usernames<'a>(&'a self, realm: &'a str, usernames: &'a [String]) -> Fut<'a, Vec<Identity>> {
        Box::pin(identities::by_usernames(&self.pool, realm, usernames))
    }
    fn by_ids<'a>(&'a self, realm: &'a str, ids: &'a [String]) -> Fut<'a, Vec<Identity>> {
        Box::pin(identities::by_ids(&self.pool, realm, ids))
    }
    fn export_page<'a>(
        &'a self,
        realm: &'a str,
        filter: &'a IdentityFilter,
        after: i64,
        limit: u32,
    ) -> Fut<'a, Vec<(i64, Identity)>> {
        Box::pin(identities::export_page(&self.pool, realm, filter, after, limit))
    }
    fn overview<'a>(&'a self, realm: &'a str) -> Fut<'a, Overview> {
        Box::pin(overview::read_overview(&self.pool, realm))
    }
    fn search_groups<'a>(
        &'a self,
        realm: &'a str,
        q: &'a str,
        sort: Option<Sort>,
        page: u32,
        size: u32,
    ) -> Fut<'a, PageView<GroupListing>> {
        Box::pin(groups::search_groups(&self.pool, realm, q, sort, page, size))
    }
    fn groups_named<'a>(&'a self, realm: &'a str, names: &'a [String]) -> Fut<'a, Vec<Group>> {
        Box::pin(groups::groups_named(&self.pool, realm, names))
    }
    fn put<'a>(&'a self, realm: &'a str, identity: &'a Identity) -> Fut<'a, ()> {
        Box::pin(async move { self.wrote(realm, identities::put(&self.pool, realm, identity).await).await })
    }
    fn remove<'a>(&'a self, realm: &'a str, ids: &'a [String]) -> Fut<'a, ()> {
        Box::pin(async move { self.wrote(realm, identities::remove(&self.pool, realm, ids).await).await })
    }
    fn set_status<'a>(&'a self, realm: &'a str, ids: &'a [String], status: &'a str) -> Fut<'a, ()> {
        Box::pin(async move { self.wrote(realm, identities::set_status(&self.pool, realm, ids, status).await).await })
    }
    fn set_enrollment<'a>(
        &'a self,
        realm: &'a str,
        ids: &'a [String],
        to: &'a str,
        unless: &'a [&'a str],
    ) -> Fut<'a, ()> {
        Box::pin(async move { self.wrote(realm, identities::set_enrollment(&self.pool, realm, ids, to, unless).await).await })
    }
    fn put_group<'a>(&'a self, realm: &'a str, group: &'a Group, members: Option<u64>) -> Fut<'a, ()> {
        Box::pin(async move { self.wrote(realm, groups::put_group(&self.pool, realm, group, members).await).await })
    }
    fn remove_group<'a>(&'a self, realm: &'a str, id: &'a str) -> Fut<'a, ()> {
        Box::pin(async move { self.wrote(realm, groups::remove_group(&self.pool, realm, id).await).await })
    }
    fn count_members<'a>(&'a self, realm: &'a str, id: &'a str, delta: i64) -> Fut<'a, ()> {
        Box::pin(async move { self.wrote(realm, groups::count_members(&self.pool, realm, id, delta).await).await })
    }
    fn begin_refresh<'a>(&'a self, realm: &'a str) -> Fut<'a, i64> {
        Box::pin(refresh::begin_refresh(&self.pool, realm))
    }
    fn forget_realm<'a>(&'a self, realm: &'a str) -> Fut<'a, ()> {
        Box::pin(refresh::forget_realm(&self.pool, realm))
    }
    fn write_identities<'a>(
        &'a self,
        realm: &'a str,
        page: &'a [Identity],
        generation: i64,
        read: u64,
        total: u64,
    ) -> Fut<'a, u64> {
        Box::pin(async move { self.wrote(realm, refresh::write_identities(&self.pool, realm, page, generation, read, total).await).await })
    }
    fn write_groups<'a>(&'a self, realm: &'a str, page: &'a [(Group, u64)], generation: i64) -> Fut<'a, u64> {
        Box::pin(async move { self.wrote(realm, refresh::write_groups(&self.pool, realm, page, generation).await).await })
    }
    fn end_refresh<'a>(&'a self, realm: &'a str, generation: i64, read: u64) -> Fut<'a, (u64, u64)> {
        Box::pin(async move { self.wrote(realm, refresh::end_refresh(&self.pool, realm, generation, read).await).await })
    }
}
