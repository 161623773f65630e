//! Server functions for group membership: add and remove selected identities, add from a pasted list of
//! usernames, the member picker's pages, and one identity's groups from its own page. The logic (chunking,
//! username resolution, who is already a member) lives in `api::members`.

use leptos::prelude::*;

use crate::model::{AppError, Identity, MembershipResult, PageView};
#[cfg(feature = "ssr")]
pub(in crate::api) use ssr::*;
#[cfg(feature = "ssr")]
use {
    super::checks::{permit, state},
    super::errors,
    super::groups::check_group_not_protected,
    crate::audit::Event,
    crate::model::AuditAction,
    crate::permit::{act, Permit},
};

/// Adds the selected identities to a group: one `:addMembers` call per 1000.
#[server(output = crate::api::codec::TextJson)]
pub async fn add_group_members(
    realm: String,
    group: String,
    ids: Vec<String>,
) -> Result<MembershipResult, AppError> {
    change_members(realm, group, ids, true).await
}

/// Removes identities from a group: one `:deleteMembers` call per 1000.
#[server(output = crate::api::codec::TextJson)]
pub async fn remove_group_members(
    realm: String,
    group: String,
    ids: Vec<String>,
) -> Result<MembershipResult, AppError> {
    change_members(realm, group, ids, false).await
}

/// Adds the identities named in a pasted list (newlines or commas). Unknown usernames and existing members are
/// listed back and not sent; the rest go in one `:addMembers` call per 1000.
#[server(output = crate::api::codec::TextJson)]
pub async fn add_group_members_by_usernames(
    realm: String,
    group: String,
    usernames: String,
) -> Result<MembershipResult, AppError> {
    let permit = members_permit(&realm, &group).await?;
    let names = crate::model::check_pasted_usernames(&usernames).map_err(|message| AppError {
        fields: vec![crate::model::FieldError {
            field: "usernames".into(),
            message: message.clone(),
        }],
        ..super::checks::bad_request(message)
    })?;
    let s = state()?;
    // Usernames the directory index knows need no lookup at BI.
    let known = match ready_index(&s, &realm).await {
        Some(index) => index.by_usernames(&realm, &names).await.unwrap_or_default(),
        None => Vec::new(),
    };
    let result = super::members::add_by_usernames(&s.client, &permit, &group, &names, known)
        .await
        .map_err(|e| errors::from_bi("add members by username", e))?;
    let note = format!("pasted {} usernames", names.len());
    record_membership(&permit, AuditAction::GroupMembersAdd, &group, &result, note).await;
    Ok(result)
}

/// A page of the member picker: identities, and which of them are already members.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PickerPage {
    pub identities: PageView<Identity>,
    pub member_ids: Vec<String>,
    /// Whether the page came from the directory index (any part of a name, username or email matches, and every
    /// match can be added at once), rather than from BI (exact usernames only).
    #[serde(default)]
    pub indexed: bool,
}

/// Rows per picker page.
pub const PICKER_PAGE_SIZE: u32 = 10;

/// One picker page: the realm's identities matching `q` and which of them are already in `group`. From the
/// directory index when it is ready (any part of a name, username or email), else from BI (the username `q`
/// exactly). The identities and the group's first 200 members are read at once; a group bigger than that costs
/// the fewer of its remaining member pages or one call per row shown.
#[server(output = crate::api::codec::TextJson)]
pub async fn member_picker_page(
    realm: String,
    group: String,
    page: u32,
    q: String,
) -> Result<PickerPage, AppError> {
    use super::members;
    use crate::bi::forms::username_filter;
    use crate::bi::wire::ListQuery;
    use crate::model::IdentityFilter;
    super::checks::allow_in(crate::model::Action::Read, &realm).await?;
    super::checks::checked_search(&q)?;
    let s = state()?;
    let page = page.max(1);
    let q = q.trim().to_string();
    let index = ready_index(&s, &realm).await;
    let identities = async {
        match &index {
            Some(index) => {
                let filter = IdentityFilter {
                    q: q.clone(),
                    ..IdentityFilter::default()
                };
                index
                    .search(&realm, &filter, page, PICKER_PAGE_SIZE)
                    .await
                    .map_err(super::search::index_failed)
            }
            None => {
                let filter = (!q.is_empty()).then(|| username_filter(&q));
                let query = ListQuery::numbered(page, PICKER_PAGE_SIZE).with_filter(filter);
                s.client
                    .list_identities(&realm, &query)
                    .await
                    .map(|found| found.numbered(page, PICKER_PAGE_SIZE))
                    .map_err(|e| errors::from_bi("list identities", e))
            }
        }
    };
    let (identities, first) = tokio::join!(
        identities,
        members::first_members_page(&s.client, &realm, &group)
    );
    let identities = identities?;
    let first = first.map_err(|e| errors::from_bi("list group members", e))?;
    let ids: Vec<String> = identities.items.iter().map(|i| i.id.clone()).collect();
    let members = members::members_among(&s.client, &realm, &group, first, &ids)
        .await
        .map_err(|e| errors::from_bi("check group membership", e))?;
    Ok(PickerPage {
        member_ids: ids.into_iter().filter(|id| members.contains(id)).collect(),
        identities,
        indexed: index.is_some(),
    })
}

/// Adds every identity the directory index finds for `q` (any part of a name, username, email or external id;
/// all of them across pages, at most 10,000 at once) to a group: those already in it are left as they are, the
/// rest go in one `:addMembers` call per 1000.
#[server(output = crate::api::codec::TextJson)]
pub async fn add_group_members_matching(
    realm: String,
    group: String,
    q: String,
) -> Result<MembershipResult, AppError> {
    use crate::model::{limits::MAX_SELECTED_IDS, IdentityFilter};
    let permit = members_permit(&realm, &group).await?;
    super::checks::checked_search(&q)?;
    let s = state()?;
    let Some(index) = ready_index(&s, &realm).await else {
        return Err(super::checks::bad_request(
            "The directory index of this realm is not ready yet: select identities one by one meanwhile.",
        ));
    };
    let filter = IdentityFilter {
        q: q.trim().to_string(),
        ..IdentityFilter::default()
    };
    let found = index
        .search(&realm, &filter, 1, MAX_SELECTED_IDS as u32)
        .await
        .map_err(super::search::index_failed)?;
    if found.total > MAX_SELECTED_IDS as u64 {
        return Err(super::checks::bad_request(format!(
            "{} identities match; at most {} can be added at once. Narrow the search.",
            crate::model::thousands(found.total),
            crate::model::thousands(MAX_SELECTED_IDS as u64)
        )));
    }
    let result = super::members::add_identities(&s.client, &permit, &group, &found.items)
        .await
        .map_err(|e| errors::from_bi("add members", e))?;
    let note = format!("all {} identities matching \"{}\"", found.total, filter.q);
    record_membership(&permit, AuditAction::GroupMembersAdd, &group, &result, note).await;
    Ok(result)
}

/// Adds one identity to several groups: one `:addMembers` call per group (eight at a time). Failures name the group.
#[server(output = crate::api::codec::TextJson)]
pub async fn add_identity_to_groups(
    realm: String,
    identity: String,
    groups: Vec<String>,
) -> Result<MembershipResult, AppError> {
    let permit = permit::<act::ManageMembers>(&realm).await?;
    let groups =
        super::checks::checked_ids(groups, crate::model::limits::MAX_GROUPS_AT_ONCE, "group")?;
    super::checks::checked_ids(vec![identity.clone()], 1, "identity")?;
    // A protected group among them refuses the whole request (nothing is sent).
    for g in &groups {
        check_group_not_protected(permit.operator(), &realm, g).await?;
    }
    Ok(join_recorded(
        &permit,
        &identity,
        &groups,
        "added 1 identity from its page",
    )
    .await)
}

/// Removes one identity from one group: one `:deleteMembers` call.
#[server(output = crate::api::codec::TextJson)]
pub async fn remove_identity_from_group(
    realm: String,
    identity: String,
    group: String,
) -> Result<(), AppError> {
    let permit = members_permit(&realm, &group).await?;
    let svc = super::checks::service_of(&permit)?;
    let one = std::slice::from_ref(&identity);
    let changed = super::members::change(&svc.state.client, &permit, &group, one, false).await;
    let outcome = one_change(&changed);
    let name = outcome.clone().unwrap_or_default();
    let event = Event::new(
        AuditAction::GroupMembersRemove,
        &realm,
        &group,
        &name,
        "removed 1 identity from its page",
    )
    .with_subjects(vec![identity]);
    svc.record(event, &outcome).await;
    outcome?;
    svc.index(&realm, crate::service::Indexed::Members(group, -1))
        .await;
    Ok(())
}

/// What the server functions above do on the server only.
#[cfg(feature = "ssr")]
mod ssr {
    use super::*;

    /// Records a membership change in the audit log: the group as target, each changed identity as a subject.
    pub(super) async fn record_membership(
        permit: &Permit<act::ManageMembers>,
        action: crate::model::AuditAction,
        group: &str,
        result: &MembershipResult,
        note: String,
    ) {
        let added = action == AuditAction::GroupMembersAdd;
        let mut detail = result.lines(added).join(" ");
        if !note.is_empty() {
            detail = format!("{note}: {detail}");
        }
        if let Ok(svc) = super::super::checks::service_of(permit) {
            svc.membership_changed(permit.realm(), group, added, result, detail)
                .await;
        }
    }

    /// The permit to change `group`'s members, after the protected-group check.
    pub(super) async fn members_permit(
        realm: &str,
        group: &str,
    ) -> Result<Permit<act::ManageMembers>, AppError> {
        let permit = permit::<act::ManageMembers>(realm).await?;
        check_group_not_protected(permit.operator(), realm, group).await?;
        Ok(permit)
    }

    /// Adds (`add`) or removes the selected identities, one BI call per 1000, and records it.
    pub(super) async fn change_members(
        realm: String,
        group: String,
        ids: Vec<String>,
        add: bool,
    ) -> Result<MembershipResult, AppError> {
        let permit = members_permit(&realm, &group).await?;
        let ids = super::super::checks::checked_ids(
            ids,
            crate::model::limits::MAX_SELECTED_IDS,
            "identity",
        )?;
        let result =
            super::super::members::change(&state()?.client, &permit, &group, &ids, add).await;
        let action = if add {
            AuditAction::GroupMembersAdd
        } else {
            AuditAction::GroupMembersRemove
        };
        record_membership(&permit, action, &group, &result, String::new()).await;
        Ok(result)
    }

    /// The realm's directory index when its first index is complete.
    pub(super) async fn ready_index(
        s: &crate::state::AppState,
        realm: &str,
    ) -> Option<std::sync::Arc<crate::index::DirectoryIndex>> {
        let index = s.index.clone()?;
        index
            .state(realm)
            .await
            .is_ok_and(|st| st.ready)
            .then_some(index)
    }

    /// What one group's change did, for the audit log and the answer: the group's name, or why it failed.
    pub(super) fn one_change(changed: &MembershipResult) -> Result<String, AppError> {
        match changed.failed.first() {
            None => Ok(changed.group_name.clone()),
            Some(f) => Err(AppError::new(format!(
                "{}.",
                crate::model::capitalize(&f.reason)
            ))),
        }
    }

    /// `identity` joins `groups` (checked already): one `:addMembers` per group, eight at a time, each recorded in the
    /// audit log with `note`. Failures name the group.
    pub(in crate::api) async fn join_recorded(
        permit: &Permit<act::ManageMembers>,
        identity: &str,
        groups: &[String],
        note: &str,
    ) -> MembershipResult {
        use crate::model::BulkFailure;
        let realm = permit.realm();
        let mut result = MembershipResult::default();
        let Ok(svc) = super::super::checks::service_of(permit) else {
            return result;
        };
        let outcomes =
            super::super::members::join_groups(&svc.state.client, permit, identity, groups).await;
        for (group, changed) in outcomes {
            let Some(changed) = changed else {
                result.failed.push(BulkFailure {
                    id: group,
                    reason: "not attempted: the request's time limit was reached".into(),
                });
                continue;
            };
            result.calls += changed.calls;
            let outcome = one_change(&changed);
            let name = outcome.clone().unwrap_or_default();
            let event = Event::new(AuditAction::GroupMembersAdd, realm, &group, &name, note)
                .with_subjects(vec![identity.to_string()]);
            svc.record(event, &outcome).await;
            match outcome {
                Ok(_) => {
                    result.changed += 1;
                    svc.index(realm, crate::service::Indexed::Members(group, 1))
                        .await;
                }
                Err(e) => result.failed.push(BulkFailure {
                    id: group,
                    reason: e.message,
                }),
            }
        }
        result
    }
}
