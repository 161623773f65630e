//! Whole lists read page after page (BI's page tokens, 200 items a page), bounded: the protected-identity rule's
//! reads (`permit::Membership`).

use std::future::Future;

use super::wire::{BiPage, ListQuery};
use super::{BiError, Client};
use crate::model::Group;

/// At most this many items are read from one list for the protected-identity rule (50 pages of 200).
pub const MAX_LISTED: usize = 10_000;

/// Every item of a list, following BI's page tokens from the first page, at most `max` items (the rest is an
/// error: a list too long to read whole is not guessed at).
pub async fn all_pages<T, F, Fut>(max: usize, mut page: F) -> Result<Vec<T>, BiError>
where
    F: FnMut(ListQuery) -> Fut,
    Fut: Future<Output = Result<BiPage<T>, BiError>>,
{
    let mut query = ListQuery::whole_list();
    let mut items = Vec::new();
    loop {
        let p = page(query.clone()).await?;
        let more = query.follow(p.next_page_token, p.items.is_empty());
        items.extend(p.items);
        if items.len() > max {
            return Err(BiError::too_long(max));
        }
        if !more {
            return Ok(items);
        }
    }
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
