//! What the directory index needs of the database it is kept in (`db` implements it on the console's database):
//! reading a realm's records the way the console searches them, the console's own writes, and a refresh's writes a
//! page at a time. How an engine searches text (SQLite's FTS5 trigram index here) is its implementation's business.

use super::Overview;
use crate::model::{Group, GroupListing, Identity, IdentityFilter, PageView, Sort};
use crate::store::Fut;

pub trait IndexStore: Send + Sync {
    /// Whether other processes write to this store too (replicas on one database): what one process keeps in
    /// memory is then valid only while [`changes`](Self::changes) answers the same.
    fn shared(&self) -> bool {
        false
    }
    /// Claims the refresh of `realm` for `owner` for `lease` (or extends `owner`'s claim): false when another
    /// process's claim holds. Only asked where the store is [`shared`](Self::shared).
    fn claim_refresh<'a>(&'a self, realm: &'a str, owner: &'a str, lease: std::time::Duration) -> Fut<'a, bool>;
    /// Lets go of `owner`'s claim on the refresh of `realm`.
    fn release_refresh<'a>(&'a self, realm: &'a str, owner: &'a str) -> Fut<'a, ()>;
    /// A stamp of `realm`'s records that every write moves (`None` while nothing was written for it).
    fn changes<'a>(&'a self, realm: &'a str) -> Fut<'a, Option<i64>>;
    /// One page of `realm`'s identities matching `filter`, in its order, with the total (`known_total` when the
    /// caller knows it already: then only the rows are read).
    fn search<'a>(
        &'a self,
        realm: &'a str,
        filter: &'a IdentityFilter,
        page: u32,
        size: u32,
        known_total: Option<u64>,
    ) -> Fut<'a, PageView<Identity>>;
    /// The identities of `realm` with these usernames (ignoring case, as BI does), as far as the index knows them.
    fn by_usernames<'a>(&'a self, realm: &'a str, usernames: &'a [String]) -> Fut<'a, Vec<Identity>>;
    /// The identities of `realm` with these ids, as far as the index knows them.
    fn by_ids<'a>(&'a self, realm: &'a str, ids: &'a [String]) -> Fut<'a, Vec<Identity>>;
    /// Up to `limit` identities of `realm` matching `filter` (its sort ignored), after position `after` in the
    /// index's order, with their positions.
    fn export_page<'a>(
        &'a self,
        realm: &'a str,
        filter: &'a IdentityFilter,
        after: i64,
        limit: u32,
    ) -> Fut<'a, Vec<(i64, Identity)>>;
    /// `realm`'s index state and counts per (status, enrollment), in one read.
    fn overview<'a>(&'a self, realm: &'a str) -> Fut<'a, Overview>;
    /// One page of `realm`'s groups whose name or description holds `q`, in `sort`'s order (else BI's).
    fn search_groups<'a>(
        &'a self,
        realm: &'a str,
        q: &'a str,
        sort: Option<Sort>,
        page: u32,
        size: u32,
    ) -> Fut<'a, PageView<GroupListing>>;
    /// The groups of `realm` named exactly one of `names` (ignoring case), as far as the index knows them.
    fn groups_named<'a>(&'a self, realm: &'a str, names: &'a [String]) -> Fut<'a, Vec<Group>>;
    /// Keeps `identity` (as BI answered a write), marked so that a refresh running now keeps it.
    fn put<'a>(&'a self, realm: &'a str, identity: &'a Identity) -> Fut<'a, ()>;
    /// Drops identities BI no longer has.
    fn remove<'a>(&'a self, realm: &'a str, ids: &'a [String]) -> Fut<'a, ()>;
    /// Sets the status of identities a bulk change suspended or reactivated.
    fn set_status<'a>(&'a self, realm: &'a str, ids: &'a [String], status: &'a str) -> Fut<'a, ()>;
    /// Sets the enrollment status of these identities to `to`, except where it is one of `unless`.
    fn set_enrollment<'a>(
        &'a self,
        realm: &'a str,
        ids: &'a [String],
        to: &'a str,
        unless: &'a [&'a str],
    ) -> Fut<'a, ()>;
    /// Keeps `group` (as BI answered a write); `members` when known.
    fn put_group<'a>(&'a self, realm: &'a str, group: &'a Group, members: Option<u64>) -> Fut<'a, ()>;
    fn remove_group<'a>(&'a self, realm: &'a str, id: &'a str) -> Fut<'a, ()>;
    /// Adds `delta` (negative: removed) to a group's member count.
    fn count_members<'a>(&'a self, realm: &'a str, id: &'a str, delta: i64) -> Fut<'a, ()>;
    /// Starts a refresh of `realm`; answers its generation (rows the console writes meanwhile carry it and stay).
    fn begin_refresh<'a>(&'a self, realm: &'a str) -> Fut<'a, i64>;
    /// Forgets everything of `realm` (BI has no such realm).
    fn forget_realm<'a>(&'a self, realm: &'a str) -> Fut<'a, ()>;
    /// Writes one page of identities for the refresh of `generation` (each only when it changed), and its progress:
    /// `read` so far of `total`. Answers how many rows it wrote.
    fn write_identities<'a>(
        &'a self,
        realm: &'a str,
        page: &'a [Identity],
        generation: i64,
        read: u64,
        total: u64,
    ) -> Fut<'a, u64>;
    /// Writes one page of groups with their member counts for the refresh of `generation`; answers how many rows
    /// it wrote.
    fn write_groups<'a>(&'a self, realm: &'a str, page: &'a [(Group, u64)], generation: i64) -> Fut<'a, u64>;
    /// Ends the refresh of `generation`: what it did not see (and the console did not write meanwhile) is removed,
    /// and the realm is indexed with `read` identities. Answers how many identities and groups were removed.
    fn end_refresh<'a>(&'a self, realm: &'a str, generation: i64, read: u64) -> Fut<'a, (u64, u64)>;
}
