//! Group membership through BI: adds and removals in calls of at most 1000 ids, usernames resolved through BI's
//! username filter, and the cheaper of two ways to learn which identities are already members.

use std::collections::HashSet;

use futures::stream::{self, StreamExt, TryStreamExt};

use crate::bi::forms::username_filter;
use crate::bi::pages::{pages, pages_from, Bounds};
use crate::bi::wire::BiPage;
use crate::bi::wire::ListQuery;
use crate::bi::{BiError, Client};
use crate::model::{Identity, MembershipResult, MAX_PAGE_SIZE};
use crate::permit::{act, Permit};

/// Concurrent lookups (username resolution, membership checks).
const PARALLEL_LOOKUPS: usize = 8;

/// Adds (`add = true`) or removes the identities, one BI call per 1000 ids (see [`super::bulk::chunked`]).
pub async fn change(
    client: &Client,
    permit: &Permit<act::ManageMembers>,
    group: &str,
    ids: &[String],
    add: bool,
) -> MembershipResult {
    let name = std::sync::Mutex::new(String::new());
    let done = super::bulk::chunked(ids, "identity not found (deleted?)", |chunk| {
        let name = &name;
        async move {
            let group = change_verified(client, permit, group, chunk, add).await?;
            *name.lock().expect("lock") = group;
            Ok(())
        }
    })
    .await;
    MembershipResult {
        changed: done.succeeded,
        calls: done.calls,
        group_name: name.into_inner().expect("lock"),
        changed_ids: {
            let failed: HashSet<&str> = done.failed.iter().map(|f| f.id.as_str()).collect();
            ids.iter()
                .filter(|id| !failed.contains(id.as_str()))
                .cloned()
                .collect()
        },
        failed: done.failed,
        ..MembershipResult::default()
    }
}

/// One `:addMembers` / `:deleteMembers` call, never repeated blindly: after a failure that may hide a success, the
/// group's members are read and only the identities still to add (or still to remove) are sent again. Answers the
/// group's name.
async fn change_verified(
    client: &Client,
    permit: &Permit<act::ManageMembers>,
    group: &str,
    ids: Vec<String>,
    add: bool,
) -> Result<String, BiError> {
    let realm = permit.realm();
    // The ids still to send: narrowed by each look at the group.
    let pending = std::sync::Mutex::new(ids);
    let current = || pending.lock().expect("lock").clone();
    crate::bi::retry::write_checked(
        client.retry_policy(),
        || async {
            let ids = current();
            let group = if add {
                client.add_members(permit, group, &ids).await?
            } else {
                client.delete_members(permit, group, &ids).await?
            };
            Ok(group.display_name)
        },
        || async {
            let ids = current();
            let first = first_members_page(client, realm, group).await?;
            let present = members_among(client, realm, group, first, &ids).await?;
            let left: Vec<String> = ids
                .into_iter()
                .filter(|id| present.contains(id) != add)
                .collect();
            let done = left.is_empty();
            *pending.lock().expect("lock") = left;
            if done {
                Ok(Some(client.get_group(realm, group).await?.display_name))
            } else {
                Ok(None)
            }
        },
    )
    .await
}

/// Looks each username up through BI's `traits.username eq` filter (eight at a time). Answers the identities found,
/// in the order given, and the usernames BI does not know.
pub async fn resolve_usernames(
    client: &Client,
    realm: &str,
    usernames: &[String],
) -> Result<(Vec<Identity>, Vec<String>), BiError> {
    let found: Vec<(String, Option<Identity>)> = stream::iter(usernames.iter().cloned())
        .map(|u| async move {
            let query = ListQuery {
                filter: Some(username_filter(&u)),
                page_size: Some(1),
                ..ListQuery::default()
            };
            let page = client.list_identities(realm, &query).await?;
            Ok::<_, BiError>((u, page.items.into_iter().next()))
        })
        .buffered(PARALLEL_LOOKUPS)
        .try_collect()
        .await?;
    let mut identities = Vec::new();
    let mut unknown = Vec::new();
    for (u, identity) in found {
        match identity {
            Some(i) => identities.push(i),
            None => unknown.push(u),
        }
    }
    Ok((identities, unknown))
}

fn first_page_query() -> ListQuery {
    ListQuery {
        page_size: Some(MAX_PAGE_SIZE),
        ..ListQuery::default()
    }
}

/// The first 200 members of a group (with the total): where [`members_among`] starts.
pub async fn first_members_page(
    client: &Client,
    realm: &str,
    group: &str,
) -> Result<BiPage<Identity>, BiError> {
    client.list_members(realm, group, &first_page_query()).await
}

/// Every member id of a group, paging through `:listMembers` 200 at a time from `first` (or from the start).
pub async fn all_member_ids(
    client: &Client,
    realm: &str,
    group: &str,
    first: Option<BiPage<Identity>>,
) -> Result<Vec<String>, BiError> {
    let mut ids: Vec<String> = Vec::new();
    let mut rest = Some(first_page_query());
    if let Some(first) = first {
        let mut next = first_page_query();
        let more = next.follow(first.next_page_token, first.items.is_empty());
        ids.extend(first.items.into_iter().map(|i| i.id));
        rest = more.then_some(next);
    }
    if let Some(from) = rest {
        let mut walk = std::pin::pin!(pages_from(from, Bounds::WHOLE, |q| async move {
            client.list_members(realm, group, &q).await
        }));
        while let Some(page) = walk.try_next().await? {
            ids.extend(page.items.into_iter().map(|i| i.id));
        }
    }
    Ok(ids)
}

/// Which of `ids` are members of the group, given its first page of members. A group of at most 200 members is
/// already known in full; for a bigger one the fewer BI calls win: the rest of its member list (one call per 200)
/// or each identity's groups (one call per identity).
pub async fn members_among(
    client: &Client,
    realm: &str,
    group: &str,
    first: BiPage<Identity>,
    ids: &[String],
) -> Result<HashSet<String>, BiError> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let wanted: HashSet<&String> = ids.iter().collect();
    let more = first
        .next_page_token
        .as_deref()
        .is_some_and(|t| !t.is_empty());
    let remaining_calls = first
        .total_size
        .saturating_sub(first.items.len() as u64)
        .div_ceil(u64::from(MAX_PAGE_SIZE));
    if !more || remaining_calls <= ids.len() as u64 {
        let all = all_member_ids(client, realm, group, Some(first)).await?;
        return Ok(all.into_iter().filter(|id| wanted.contains(id)).collect());
    }
    let flags: Vec<(String, bool)> = stream::iter(ids.iter().cloned())
        .map(|id| async move {
            let member = identity_in_group(client, realm, &id, group).await?;
            Ok::<_, BiError>((id, member))
        })
        .buffer_unordered(PARALLEL_LOOKUPS)
        .try_collect()
        .await?;
    Ok(flags
        .into_iter()
        .filter(|(_, member)| *member)
        .map(|(id, _)| id)
        .collect())
}

/// Whether an identity belongs to a group, from the identity's groups (paged, 200 at a time).
async fn identity_in_group(
    client: &Client,
    realm: &str,
    identity: &str,
    group: &str,
) -> Result<bool, BiError> {
    let mut walk = std::pin::pin!(pages(Bounds::WHOLE, |q| async move {
        client.list_identity_groups(realm, identity, &q).await
    }));
    while let Some(page) = walk.try_next().await? {
        if page.items.iter().any(|g| g.id == group) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Adds the identities named in a pasted list. Unknown usernames and identities already in the group are listed
/// back and not sent; the rest are added in calls of at most 1000.
/// `known` are identities already resolved (by the directory index); only the other usernames are looked up at BI.
pub async fn add_by_usernames(
    client: &Client,
    permit: &Permit<act::ManageMembers>,
    group: &str,
    usernames: &[String],
    mut known: Vec<Identity>,
) -> Result<MembershipResult, BiError> {
    let known_names: HashSet<String> = known.iter().map(|i| i.username().to_lowercase()).collect();
    let rest: Vec<String> = usernames
        .iter()
        .filter(|u| !known_names.contains(&u.to_lowercase()))
        .cloned()
        .collect();
    let (resolved, unknown) = resolve_usernames(client, permit.realm(), &rest).await?;
    known.extend(resolved);
    let mut result = add_identities(client, permit, group, &known).await?;
    result.unknown = unknown;
    Ok(result)
}

/// Adds these identities to a group: those already in it are listed back (by username) and not sent; the rest go
/// in calls of at most 1000. Costs the group's first page of members, the look at which are members (see
/// [`members_among`]), and the adds.
pub async fn add_identities(
    client: &Client,
    permit: &Permit<act::ManageMembers>,
    group: &str,
    identities: &[Identity],
) -> Result<MembershipResult, BiError> {
    let realm = permit.realm();
    let first = first_members_page(client, realm, group).await?;
    let ids: Vec<String> = identities.iter().map(|i| i.id.clone()).collect();
    let present = members_among(client, realm, group, first, &ids).await?;
    let (already, new): (Vec<&Identity>, Vec<&Identity>) =
        identities.iter().partition(|i| present.contains(&i.id));
    let new_ids: Vec<String> = new.iter().map(|i| i.id.clone()).collect();
    let mut result = change(client, permit, group, &new_ids, true).await;
    result.already = already.iter().map(|i| i.username().to_string()).collect();
    Ok(result)
}

/// Removes every member of a group (listing them first, then one `:deleteMembers` per 1000), then deletes it.
/// Answers who was removed; an error leaves the group in place with whatever was already removed.
pub async fn empty_and_delete(
    client: &Client,
    members: &Permit<act::ManageMembers>,
    delete: &Permit<act::DeleteGroup>,
    group: &str,
) -> Result<MembershipResult, BiError> {
    let ids = all_member_ids(client, delete.realm(), group, None).await?;
    let result = change(client, members, group, &ids, false).await;
    if let Some(first) = result.failed.first() {
        return Err(BiError::Api {
            status: 409,
            retry_after: None,
            body: crate::bi::wire::ErrorBody::new(
                "conflict",
                format!(
                    "could not remove every member ({} failed, e.g. {}: {})",
                    result.failed.len(),
                    first.id,
                    first.reason
                ),
            ),
        });
    }
    client.delete_group(delete, group).await?;
    Ok(result)
}

/// Adds one identity to several groups: one `:addMembers` call per group, eight at a time, each checked before
/// being sent again (see [`change`]). Answers each group with what its change did; `None` for a group not tried
/// because the request's deadline had passed.
pub async fn join_groups(
    client: &Client,
    permit: &Permit<act::ManageMembers>,
    identity: &str,
    groups: &[String],
) -> Vec<(String, Option<MembershipResult>)> {
    let one = [identity.to_string()];
    stream::iter(groups.iter().cloned())
        .map(|g| {
            let one = &one;
            async move {
                // Past the request's deadline nothing more is sent (and so nothing more recorded).
                if crate::bi::retry::remaining().is_some_and(|left| left.is_zero()) {
                    return (g, None);
                }
                let r = change(client, permit, &g, one, true).await;
                (g, Some(r))
            }
        })
        .buffer_unordered(PARALLEL_LOOKUPS)
        .collect()
        .await
}
