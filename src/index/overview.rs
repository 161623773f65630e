//! What a realm's Identities page needs from the index besides its rows, in one read: how fresh the index is
//! (`ix_realms`) and the identities counted per status and enrollment (`ix_counts`, kept by triggers). From it
//! come the Enrollment Summary and, for a search without text, the total: the page then reads only its rows.
//! Once read it is kept until the index next changes ([`Kept`]), and so are the pages of rows the Identities
//! list showed ([`DirectoryIndex::list_rows`]): a page viewed again reads nothing.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;

use super::{matcher, DirectoryIndex, Match};
use crate::model::{EnrollmentCount, IdentityFilter, IdentityRow, IndexState, PageView};

/// A realm's index state and counts, as read together.
#[derive(Debug, Clone, Default)]
pub struct Overview {
    pub state: IndexState,
    /// Identities per (status, enrollment).
    pub counts: Vec<(String, String, u64)>,
}

impl Overview {
    /// Identities per enrollment status, most first (then by name); statuses with none left out.
    pub fn summary(&self) -> Vec<EnrollmentCount> {
        let mut by: BTreeMap<&str, u64> = BTreeMap::new();
        for (_, enrollment, n) in &self.counts {
            *by.entry(enrollment).or_default() += n;
        }
        let mut summary: Vec<EnrollmentCount> = by
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|(status, count)| EnrollmentCount {
                status: status.to_string(),
                count,
            })
            .collect();
        // Stable: equal counts stay in name order.
        summary.sort_by_key(|c| std::cmp::Reverse(c.count));
        summary
    }

    /// How many identities `filter` finds when it has no text (its status and enrollment are counted); `None`
    /// when it has text, whose matches are counted by the search.
    pub fn total(&self, filter: &IdentityFilter) -> Option<u64> {
        if !matches!(matcher(&filter.q), Match::All) {
            return None;
        }
        let wanted = |kept: &str, asked: &str| asked.is_empty() || kept == asked;
        Some(
            self.counts
                .iter()
                .filter(|(status, enrollment, _)| {
                    wanted(status, &filter.status) && wanted(enrollment, &filter.enrollment)
                })
                .map(|(_, _, n)| n)
                .sum(),
        )
    }
}

/// Overviews (per realm) and pages of the Identities list (per realm, filter, page and size) read since the index
/// last changed. Every write to the index runs inside [`Writing`]: while one runs nothing is kept, and each one's
/// start and end forget all, so what is kept is never older than the index. (An overview's age and whether a
/// refresh runs are worked out as it is handed out.)
#[derive(Default)]
pub(super) struct Kept {
    overviews: Mutex<HashMap<String, Overview>>,
    pages: Mutex<HashMap<PageKey, PageView<IdentityRow>>>,
    writers: AtomicUsize,
    /// Changes with every write's start and end: what was read across one is not kept.
    generation: AtomicU64,
    /// On a store other processes write too: each realm's stamp as last seen (see [`DirectoryIndex::follow`]).
    stamps: Mutex<HashMap<String, Option<i64>>>,
}

/// A page of the Identities list: realm, filter, page, size.
type PageKey = (String, IdentityFilter, u32, u32);

/// Realms whose overview is kept at most (more are forgotten at once).
const KEPT_REALMS: usize = 1_000;
/// Pages of rows kept at most (more are forgotten at once): at most 200 rows each, a few MiB in all.
const KEPT_PAGES: usize = 64;

impl Kept {
    fn get(&self, realm: &str) -> Option<Overview> {
        self.overviews.lock().expect("lock").get(realm).cloned()
    }

    /// The generation to keep a read under, `None` while a write runs.
    fn reading(&self) -> Option<u64> {
        let generation = self.generation.load(Ordering::SeqCst);
        (self.writers.load(Ordering::SeqCst) == 0).then_some(generation)
    }

    fn keep(&self, realm: &str, read_at: Option<u64>, overview: &Overview) {
        self.keep_in(&self.overviews, KEPT_REALMS, realm.to_string(), read_at, overview);
    }

    /// Keeps `value` under `key` in `map` (whose lock is taken before the generation is compared, as `changed`
    /// moves the generation before it takes the locks) unless the index changed since `read_at`.
    fn keep_in<K: std::hash::Hash + Eq, V: Clone>(
        &self,
        map: &Mutex<HashMap<K, V>>,
        most: usize,
        key: K,
        read_at: Option<u64>,
        value: &V,
    ) {
        let mut kept = map.lock().expect("lock");
        let unchanged = read_at == Some(self.generation.load(Ordering::SeqCst))
            && self.writers.load(Ordering::SeqCst) == 0;
        if unchanged {
            if kept.len() >= most {
                kept.clear();
            }
            kept.insert(key, value.clone());
        }
    }

    fn changed(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.overviews.lock().expect("lock").clear();
        self.pages.lock().expect("lock").clear();
    }
}

/// A write to the index in progress (see [`Kept`]).
pub(super) struct Writing<'a>(&'a Kept);

impl Drop for Writing<'_> {
    fn drop(&mut self) {
        self.0.writers.fetch_sub(1, Ordering::SeqCst);
        self.0.changed();
    }
}

impl DirectoryIndex {
    /// Marks a write to the index, for as long as the guard lives.
    pub(super) fn writing(&self) -> Writing<'_> {
        self.kept.writers.fetch_add(1, Ordering::SeqCst);
        self.kept.changed();
        Writing(&self.kept)
    }

    /// On a store other replicas write too, forgets everything kept when `realm`'s stamp has moved since this
    /// process last looked (one small read); on a store of this process alone, nothing. Called before anything
    /// kept is used: a read that started before another replica's write and is kept after this forgot is refused by
    /// the generation, as a local write's would be.
    async fn follow(&self, realm: &str) -> Result<(), crate::store::StoreError> {
        if !self.store.shared() {
            return Ok(());
        }
        let now = self.store.changes(realm).await?;
        let mut seen = self.kept.stamps.lock().expect("lock");
        if seen.get(realm) != Some(&now) {
            if seen.len() >= KEPT_REALMS {
                seen.clear();
            }
            seen.insert(realm.to_string(), now);
            drop(seen);
            self.kept.changed();
        }
        Ok(())
    }

    /// How fresh `realm`'s index is.
    pub async fn state(&self, realm: &str) -> Result<IndexState, crate::store::StoreError> {
        Ok(self.overview(realm).await?.state)
    }

    /// `realm`'s identities counted per enrollment status, most first.
    pub async fn enrollment_summary(&self, realm: &str) -> Result<Vec<EnrollmentCount>, crate::store::StoreError> {
        Ok(self.overview(realm).await?.summary())
    }

    /// `realm`'s index state and counts: kept since the index last changed, else one query.
    pub async fn overview(&self, realm: &str) -> Result<Overview, crate::store::StoreError> {
        self.follow(realm).await?;
        let mut overview = match self.kept.get(realm) {
            Some(kept) => kept,
            None => {
                let read_at = self.kept.reading();
                let read = crate::store::traced("index.overview", self.store.overview(realm)).await?;
                self.kept.keep(realm, read_at, &read);
                read
            }
        };
        overview.state.age_secs = overview
            .state
            .indexed_at
            .as_deref()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| (chrono::Utc::now() - t.with_timezone(&chrono::Utc)).num_seconds().max(0) as u64);
        overview.state.running = self.running.lock().expect("lock").contains(realm);
        Ok(overview)
    }

    /// One page of `realm`'s identities matching `filter` as the Identities list shows them: kept since the index
    /// last changed, else read ([`search_counted`](Self::search_counted), with the total when it is known).
    pub async fn list_rows(
        &self,
        realm: &str,
        filter: &IdentityFilter,
        (page, size): (u32, u32),
        known_total: Option<u64>,
    ) -> Result<PageView<IdentityRow>, crate::store::StoreError> {
        self.follow(realm).await?;
        let key = (realm.to_string(), filter.clone(), page, size);
        if let Some(kept) = self.kept.pages.lock().expect("lock").get(&key) {
            return Ok(kept.clone());
        }
        let read_at = self.kept.reading();
        let rows = self
            .search_counted(realm, filter, page, size, known_total)
            .await?
            .map(IdentityRow::from);
        self.kept.keep_in(&self.kept.pages, KEPT_PAGES, key, read_at, &rows);
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn overview(counts: &[(&str, &str, u64)]) -> Overview {
        Overview {
            state: IndexState::default(),
            counts: counts
                .iter()
                .map(|(s, e, n)| (s.to_string(), e.to_string(), *n))
                .collect(),
        }
    }

    fn filter(q: &str, status: &str, enrollment: &str) -> IdentityFilter {
        IdentityFilter {
            q: q.into(),
            status: status.into(),
            enrollment: enrollment.into(),
            sort: None,
        }
    }

    #[test]
    fn the_summary_adds_statuses_up_per_enrollment_most_first() {
        let o = overview(&[
            ("active", "ENROLLED", 3),
            ("suspended", "ENROLLED", 2),
            ("active", "PENDING", 5),
            ("active", "UNENROLLED", 0),
            ("active", "INVITE_FAILED", 5),
        ]);
        let got: Vec<(String, u64)> = o.summary().into_iter().map(|c| (c.status, c.count)).collect();
        assert_eq!(
            got,
            [("ENROLLED", 5), ("INVITE_FAILED", 5), ("PENDING", 5)].map(|(s, n)| (s.to_string(), n))
        );
    }

    /// An index in a database of its own, in memory, and the database (to change it behind the index's back).
    async fn index_in_memory() -> (DirectoryIndex, crate::db::Pool) {
        let pool = crate::db::in_memory().await;
        (DirectoryIndex::new(crate::db::Db::new(pool.clone())), pool)
    }

    /// An active, enrolled identity whose username is its name in lower case.
    fn person(id: &str, name: &str) -> crate::model::Identity {
        crate::model::Identity {
            id: id.into(),
            display_name: name.into(),
            status: Some("active".into()),
            enrollment_status: Some("ENROLLED".into()),
            traits: crate::model::Traits {
                username: Some(name.to_lowercase()),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    #[tokio::test]
    async fn an_overview_is_kept_until_the_index_changes_and_never_across_a_write() {
        let (index, pool) = index_in_memory().await;
        let all = filter("", "", "");
        index.put("r1", &person("i1", "Ada")).await.unwrap();
        assert_eq!(index.overview("r1").await.unwrap().total(&all), Some(1));
        // Changed behind the index's back: the kept overview still answers…
        sqlx::query("DELETE FROM ix_identities").execute(&pool).await.unwrap();
        assert_eq!(index.overview("r1").await.unwrap().total(&all), Some(1), "kept");
        // …until the next write through the index.
        index.set_status("r1", &["none".into()], "suspended").await.unwrap();
        assert_eq!(index.overview("r1").await.unwrap().total(&all), Some(0));

        // A read made while a write runs, or across one, is not kept.
        let during = index.writing();
        assert_eq!(index.kept.reading(), None);
        index.kept.keep("r2", None, &Overview::default());
        drop(during);
        let before = index.kept.reading();
        assert!(before.is_some());
        drop(index.writing());
        index.kept.keep("r2", before, &Overview::default());
        assert!(index.kept.get("r2").is_none());
        index.kept.keep("r2", index.kept.reading(), &Overview::default());
        assert!(index.kept.get("r2").is_some(), "kept when nothing changed");
    }

    #[tokio::test]
    async fn a_page_of_rows_is_kept_until_the_index_changes() {
        let (index, pool) = index_in_memory().await;
        index.put("r1", &person("i1", "Ada")).await.unwrap();
        let names = |p: PageView<IdentityRow>| p.items.into_iter().map(|r| r.display_name).collect::<Vec<_>>();
        let all = filter("", "", "");
        assert_eq!(names(index.list_rows("r1", &all, (1, 25), None).await.unwrap()), ["Ada"]);
        // Changed behind the index's back: the kept page still answers, and only for its own key…
        sqlx::query("UPDATE ix_identities SET display_name = 'Grace'").execute(&pool).await.unwrap();
        assert_eq!(names(index.list_rows("r1", &all, (1, 25), None).await.unwrap()), ["Ada"], "kept");
        assert_eq!(names(index.list_rows("r1", &all, (1, 10), None).await.unwrap()), ["Grace"], "another size");
        // …until the next write through the index, whichever realm it concerns.
        index.put("r2", &person("i2", "Alan")).await.unwrap();
        assert_eq!(names(index.list_rows("r1", &all, (1, 25), None).await.unwrap()), ["Grace"]);

        // A page read across a write is not kept.
        let before = index.kept.reading();
        drop(index.writing());
        let key = ("r1".to_string(), all.clone(), 2, 25);
        let empty = PageView { items: Vec::new(), total: 0, page: 2, size: 25 };
        index.kept.keep_in(&index.kept.pages, KEPT_PAGES, key.clone(), before, &empty);
        assert!(!index.kept.pages.lock().unwrap().contains_key(&key));
    }

    #[test]
    fn the_total_of_a_search_without_text_comes_from_the_counts() {
        let o = overview(&[
            ("active", "ENROLLED", 3),
            ("suspended", "ENROLLED", 2),
            ("active", "PENDING", 5),
        ]);
        assert_eq!(o.total(&filter("", "", "")), Some(10));
        assert_eq!(o.total(&filter("", "active", "")), Some(8));
        assert_eq!(o.total(&filter("", "", "ENROLLED")), Some(5));
        assert_eq!(o.total(&filter("", "suspended", "PENDING")), Some(0));
        assert_eq!(o.total(&filter("ada", "", "")), None, "text is counted by the search");
    }
}
