//! Groups in the directory index: name, description and member count of each group of a realm, found by any part
//! of the name or description (a realm has thousands of groups, not millions: a scan of the folded text suffices),
//! sorted by name, member count or creation. Member counts come from BI's `:listMembers` with `page_size=1`.

use super::{DirectoryIndex, IndexError, RefreshReport};
use crate::store::StoreError;
use futures::TryStreamExt;

use crate::bi::pages::{pages, Bounds};
use crate::bi::wire::ListQuery;
use crate::bi::Client;
use crate::model::{Group, GroupListing, PageView, Sort};

/// Member counts asked of BI at once while refreshing.
const PARALLEL_COUNTS: usize = 4;

impl DirectoryIndex {
    /// Reads every group of `realm` from BI, with its member count, and writes them for the refresh of `generation`
    /// (what it does not see is removed when the refresh ends).
    pub(super) async fn refresh_groups(
        &self,
        client: &Client,
        realm: &str,
        generation: i64,
    ) -> Result<RefreshReport, IndexError> {
        let mut report = RefreshReport::default();
        let one = ListQuery {
            page_size: Some(1),
            ..ListQuery::default()
        };
        let mut walk = std::pin::pin!(pages(Bounds::WHOLE, |q| async move { client.list_groups(realm, &q).await }));
        while let Some(page) = walk.try_next().await? {
            let mut counted: Vec<(Group, u64)> = Vec::with_capacity(page.items.len());
            for chunk in page.items.chunks(PARALLEL_COUNTS) {
                let calls: Vec<_> = chunk
                    .iter()
                    .map(|g| client.list_members(realm, &g.id, &one))
                    .collect();
                for (group, members) in chunk.iter().zip(futures::future::try_join_all(calls).await?) {
                    counted.push((group.clone(), members.total_size));
                }
            }
            report.calls += 1 + counted.len() as u64;
            report.written += self.store.write_groups(realm, &counted, generation).await?;
            report.read += page.items.len() as u64;
        }
        Ok(report)
    }

    /// One page of `realm`'s groups whose name or description holds `q`, in `sort`'s order (else BI's).
    pub async fn search_groups(
        &self,
        realm: &str,
        q: &str,
        sort: Option<Sort>,
        page: u32,
        size: u32,
    ) -> Result<PageView<GroupListing>, StoreError> {
        crate::store::traced("index.search_groups", self.store.search_groups(realm, q, sort, page, size)).await
    }

    /// The groups of `realm` named exactly one of `names` (ignoring case), as far as the index knows them; a name may
    /// find several groups (BI does not require names to differ).
    pub async fn groups_named(&self, realm: &str, names: &[String]) -> Result<Vec<Group>, StoreError> {
        self.store.groups_named(realm, names).await
    }

    /// Keeps `group` (as BI answered a write) in the index; `members` when known.
    pub async fn put_group(&self, realm: &str, group: &Group, members: Option<u64>) -> Result<(), StoreError> {
        self.store.put_group(realm, group, members).await
    }

    pub async fn remove_group(&self, realm: &str, id: &str) -> Result<(), StoreError> {
        self.store.remove_group(realm, id).await
    }

    /// Adds `delta` (negative: removed) to a group's member count.
    pub async fn count_members(&self, realm: &str, id: &str, delta: i64) -> Result<(), StoreError> {
        self.store.count_members(realm, id, delta).await
    }
}
