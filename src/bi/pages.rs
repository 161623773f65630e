//! BI's lists read page after page, in one place: [`pages`] walks a list from its first page (BI's largest, 200
//! items) by its page tokens to the last, as a stream of pages, within [`Bounds`] (how many items, how long).
//! Every reader of a whole list goes through it: the index's refresh, the import's plan, the export, an invitation
//! batch's results, and the protected-identity rule's reads (`permit::Membership`, through [`all_pages`]).

use std::future::Future;
use std::time::{Duration, Instant};

use futures::{Stream, TryStreamExt};

use super::wire::{BatchResults, BiPage, ListQuery};
use super::{BiError, Client};
use crate::model::Group;

/// At most this many items are read from one list for the protected-identity rule (50 pages of 200).
pub const MAX_LISTED: usize = 10_000;

/// One page of one of BI's lists: how many items it holds and where the next page is.
pub trait Paged {
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    fn next_token(&self) -> Option<&str>;
}

impl<T> Paged for BiPage<T> {
    fn len(&self) -> usize {
        self.items.len()
    }
    fn next_token(&self) -> Option<&str> {
        self.next_page_token.as_deref()
    }
}

impl Paged for BatchResults {
    fn len(&self) -> usize {
        self.job_results.len()
    }
    fn next_token(&self) -> Option<&str> {
        self.next_page_token.as_deref()
    }
}

/// How far a walk over a list may go: at most `items` items (a longer list is [`BiError::TooLong`]: it is not
/// guessed at), and no page asked once `within` has passed since the first ([`BiError::Timeout`]). Nothing
/// bounds a walk that sets neither (an index refresh or an export reads a realm whole, however large).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Bounds {
    pub items: Option<usize>,
    pub within: Option<Duration>,
}

impl Bounds {
    /// A whole list, however long it is and takes.
    pub const WHOLE: Bounds = Bounds { items: None, within: None };

    /// At most `max` items.
    pub fn items(max: usize) -> Bounds {
        Bounds { items: Some(max), within: None }
    }

    /// The same bounds, and no page asked once `limit` has passed.
    pub fn within(self, limit: Duration) -> Bounds {
        Bounds { within: Some(limit), ..self }
    }
}

/// Where a walk is.
struct Walk<F> {
    fetch: F,
    next: Option<ListQuery>,
    items: usize,
    started: Instant,
}

/// The pages of a list, from the first ([`ListQuery::whole_list`]) to the last (no next page token, an empty
/// token, or an empty page), each asked of `fetch` with the query that names it, within `bounds`. The stream ends
/// at the last page or at its first error.
pub fn pages<P, F, Fut>(bounds: Bounds, fetch: F) -> impl Stream<Item = Result<P, BiError>>
where
    P: Paged,
    F: FnMut(ListQuery) -> Fut,
    Fut: Future<Output = Result<P, BiError>>,
{
    pages_from(ListQuery::whole_list(), bounds, fetch)
}

/// [`pages`] from `first` (a query with its own filter or page size).
pub fn pages_from<P, F, Fut>(first: ListQuery, bounds: Bounds, fetch: F) -> impl Stream<Item = Result<P, BiError>>
where
    P: Paged,
    F: FnMut(ListQuery) -> Fut,
    Fut: Future<Output = Result<P, BiError>>,
{
    let walk = Walk {
        fetch,
        next: Some(first),
        items: 0,
        started: Instant::now(),
    };
    futures::stream::try_unfold(walk, move |mut walk| async move {
        let Some(mut query) = walk.next.take() else {
            return Ok(None);
        };
        if let Some(limit) = bounds.within {
            if walk.started.elapsed() > limit {
                return Err(BiError::Timeout(limit));
            }
        }
        let page = (walk.fetch)(query.clone()).await?;
        walk.items += page.len();
        if let Some(max) = bounds.items {
            if walk.items > max {
                return Err(BiError::too_long(max));
            }
        }
        if query.follow(page.next_token().map(str::to_string), page.is_empty()) {
            walk.next = Some(query);
        }
        Ok(Some((page, walk)))
    })
}

/// Every item of a list, at most `max` (see [`pages`]).
pub async fn all_pages<T, F, Fut>(max: usize, fetch: F) -> Result<Vec<T>, BiError>
where
    F: FnMut(ListQuery) -> Fut,
    Fut: Future<Output = Result<BiPage<T>, BiError>>,
{
    let mut items = Vec::new();
    let mut walk = std::pin::pin!(pages(Bounds::items(max), fetch));
    while let Some(page) = walk.try_next().await? {
        items.extend(page.items);
    }
    Ok(items)
}

impl crate::permit::Membership for Client {
    type Error = BiError;

    async fn groups_of(&self, realm: &str, identity: &str) -> Result<Vec<Group>, BiError> {
        all_pages(MAX_LISTED, |q| async move {
            self.list_identity_groups(realm, identity, &q).await
        })
        .await
    }

    async fn groups(&self, realm: &str) -> Result<Vec<Group>, BiError> {
        all_pages(MAX_LISTED, |q| async move { self.list_groups(realm, &q).await }).await
    }

    async fn member_ids(&self, realm: &str, group: &str) -> Result<Vec<String>, BiError> {
        let members = all_pages(MAX_LISTED, |q| async move {
            self.list_members(realm, group, &q).await
        })
        .await?;
        Ok(members.into_iter().map(|i| i.id).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A list of `n` numbers served `size` a page, with page tokens as BI gives them; counts the calls.
    fn list(n: u32, size: u32, calls: &std::cell::Cell<u32>) -> impl FnMut(ListQuery) -> std::future::Ready<Result<BiPage<u32>, BiError>> + '_ {
        move |q: ListQuery| {
            calls.set(calls.get() + 1);
            let from: u32 = q.page_token.as_deref().map_or(0, |t| t.parse().unwrap());
            let items: Vec<u32> = (from..n.min(from + size)).collect();
            let next = (from + size < n).then(|| (from + size).to_string());
            std::future::ready(Ok(BiPage { items, total_size: n as u64, next_page_token: next }))
        }
    }

    #[tokio::test]
    async fn a_list_is_walked_by_its_tokens_to_the_last_page_within_its_bounds() {
        let calls = std::cell::Cell::new(0);
        let all = all_pages(1_000, list(450, 200, &calls)).await.unwrap();
        assert_eq!(all, (0..450).collect::<Vec<_>>());
        assert_eq!(calls.get(), 3, "three pages, none asked after the last");

        let calls = std::cell::Cell::new(0);
        let refused = all_pages(300, list(450, 200, &calls)).await.unwrap_err();
        assert!(matches!(refused, BiError::TooLong(300)), "{refused}");
        assert_eq!(calls.get(), 2, "no page asked once the bound is passed");

        // An empty page ends the walk even when it carries a token.
        let calls = std::cell::Cell::new(0);
        let endless = |_q: ListQuery| {
            calls.set(calls.get() + 1);
            std::future::ready(Ok::<_, BiError>(BiPage::<u32> {
                items: vec![],
                total_size: 0,
                next_page_token: Some("again".into()),
            }))
        };
        assert!(all_pages(10, endless).await.unwrap().is_empty());
        assert_eq!(calls.get(), 1);

        // A walk out of time asks no further page.
        let calls = std::cell::Cell::new(0);
        let slow = pages(Bounds::WHOLE.within(Duration::from_millis(30)), |q| {
            let page = list(450, 200, &calls)(q);
            async move {
                tokio::time::sleep(Duration::from_millis(40)).await;
                page.await
            }
        });
        let outcome: Result<Vec<BiPage<u32>>, BiError> = slow.try_collect().await;
        assert!(matches!(outcome, Err(BiError::Timeout(_))), "{outcome:?}");
        assert_eq!(calls.get(), 1);
    }
}
