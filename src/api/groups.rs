//! Server functions for groups and membership. Membership logic (chunking, username resolution, who is already a
//! member) lives in `api::members`; these check input, call it and map BI errors.

use leptos::prelude::*;

use crate::model::{AppError, Group, GroupInput, Identity, MembershipResult, PageView};

#[cfg(feature = "ssr")]
use super::{errors, record, state};
#[cfg(feature = "ssr")]
use crate::audit::Event;
#[cfg(feature = "ssr")]
use crate::model::Action;

#[cfg(feature = "ssr")]
fn group_url(realm: &str, id: &str, query: &str) -> String {
    use crate::model::encode_component as enc;
    format!("/realms/{}/groups/{}{query}", enc(realm), enc(id))
}

/// One numbered page of a realm's groups. Exactly one BI call.
#[server]
pub async fn list_groups(realm: String, page: u32, size: u32) -> Result<PageView<Group>, AppError> {
    use crate::bi::wire::ListQuery;
    use crate::model::clamp_page_size;
    super::allow_in(Action::Read, &realm).await?;
    let s = state()?;
    let size = clamp_page_size(Some(size));
    let page = page.max(1);
    let result = s
        .client
        .list_groups(&realm, &ListQuery::numbered(page, size))
        .await
        .map_err(|e| errors::from_bi("list groups", e))?;
    Ok(PageView {
        items: result.items,
        total: result.total_size,
        page,
        size,
    })
}

/// A group and one numbered page of its members.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct GroupDetail {
    pub group: Group,
    pub members: PageView<Identity>,
    /// Listed in `CONSOLE_PROTECTED_GROUPS`: only an admin may change its members or settings.
    #[serde(default)]
    pub protected: bool,
}

/// A group and a page of its members: two BI calls, made concurrently (BI has no call that returns both).
#[server]
pub async fn get_group(
    realm: String,
    id: String,
    page: u32,
    size: u32,
) -> Result<GroupDetail, AppError> {
    use crate::bi::wire::ListQuery;
    use crate::model::clamp_page_size;
    super::allow_in(Action::Read, &realm).await?;
    let s = state()?;
    let size = clamp_page_size(Some(size));
    let page = page.max(1);
    let members_query = ListQuery::numbered(page, size);
    let (group, members) = tokio::join!(
        s.client.get_group(&realm, &id),
        s.client.list_members(&realm, &id, &members_query)
    );
    let group = group.map_err(|e| errors::from_bi("get group", e))?;
    let members = members.map_err(|e| errors::from_bi("list group members", e))?;
    let protected = s
        .protected_groups
        .iter()
        .any(|p| *p == group.id || p.eq_ignore_ascii_case(&group.display_name));
    Ok(GroupDetail {
        protected,
        group,
        members: PageView {
            items: members.items,
            total: members.total_size,
            page,
            size,
        },
    })
}

/// Creates a group. The form's rules run first; BI's errors land on their fields. On success the browser goes to
/// the new group. A plain form post that fails goes back to the form with what was typed.
#[server]
pub async fn create_group(
    realm: String,
    display_name: String,
    description: String,
) -> Result<String, AppError> {
    let input = GroupInput {
        display_name,
        description,
    };
    let outcome = async {
        let operator = super::allow_in(Action::CreateGroup, &realm).await?;
        let fields = input.validate();
        if !fields.is_empty() {
            return Err(AppError::with_fields(crate::model::FIX_FIELDS, fields));
        }
        let created = state()?
            .client
            .create_group(&realm, &crate::bi::forms::ToBi::to_create(&input))
            .await
            .map_err(|e| errors::from_bi("create group", e));
        let event = Event {
            action: "group.create",
            realm: realm.clone(),
            target_id: created.as_ref().map(|g| g.id.clone()).unwrap_or_default(),
            target_name: input.display_name.trim().to_string(),
            detail: input.describe(),
            subjects: Vec::new(),
        };
        record(&operator, event, &created).await;
        created
    }
    .await;
    let form = format!(
        "/realms/{}/groups/new",
        crate::model::encode_component(&realm)
    );
    let Some(created) = super::back_to_form(outcome, form, input.pairs()).await? else {
        return Ok(String::new());
    };
    leptos_axum::redirect(&group_url(&realm, &created.id, "?created=1"));
    Ok(created.id)
}

/// Saves a group edit: only the fields that differ from what the form opened with. Nothing changed → no BI call.
#[server]
pub async fn update_group(
    realm: String,
    id: String,
    input: GroupInput,
    original: GroupInput,
) -> Result<(), AppError> {
    let operator = super::allow_in(Action::EditGroup, &realm).await?;
    super::check_group_not_protected(&operator, &realm, &id).await?;
    let outcome = async {
        let fields = input.validate();
        if !fields.is_empty() {
            return Err(AppError::with_fields(crate::model::FIX_FIELDS, fields));
        }
        if let Some(patch) = crate::bi::forms::ToBi::to_patch(&input, &original) {
            let s = state()?;
            // The audit's "before" and the group's name are BI's, read here, never what the browser says.
            let before = s
                .client
                .get_group(&realm, &id)
                .await
                .map_err(|e| errors::from_bi("get group", e))?;
            let before = GroupInput::from_group(&before);
            let outcome = s
                .client
                .update_group(&realm, &id, &patch)
                .await
                .map_err(|e| errors::from_bi("update group", e));
            let after = match &outcome {
                Ok(g) => GroupInput::from_group(g),
                Err(_) => input.clone(),
            };
            let event = Event {
                action: "group.update",
                realm: realm.clone(),
                target_id: id.clone(),
                target_name: before.display_name.clone(),
                detail: after.describe_change(&before),
                subjects: Vec::new(),
            };
            record(&operator, event, &outcome).await;
            outcome?;
        }
        Ok(())
    }
    .await;
    let form = group_url(&realm, &id, "/edit");
    if super::back_to_form(outcome, form, input.pairs())
        .await?
        .is_none()
    {
        return Ok(());
    }
    leptos_axum::redirect(&group_url(&realm, &id, "?updated=1"));
    Ok(())
}

/// Deletes a group. BI refuses a group with members (409 `group has children`); with `remove_members` the console
/// first removes every member (`:deleteMembers`, 1000 at a time), then deletes. Answers how many were removed.
#[server]
pub async fn delete_group(
    realm: String,
    id: String,
    remove_members: bool,
) -> Result<usize, AppError> {
    let operator = super::allow_in(Action::DeleteGroup, &realm).await?;
    super::check_group_not_protected(&operator, &realm, &id).await?;
    let s = state()?;
    // Read it first, so the audit log names what was deleted.
    let before = s
        .client
        .get_group(&realm, &id)
        .await
        .map_err(|e| errors::from_bi("delete group", e))?;
    let outcome = if remove_members {
        super::members::empty_and_delete(&s.client, &realm, &id)
            .await
            .map(|r| r.changed)
            .map_err(|e| errors::from_bi("remove members and delete group", e))
    } else {
        s.client
            .delete_group(&realm, &id)
            .await
            .map(|()| 0)
            .map_err(|e| errors::from_bi("delete group", e))
    };
    let event = Event {
        action: "group.delete",
        realm,
        target_id: id,
        target_name: before.display_name.clone(),
        detail: match &outcome {
            Ok(n) if *n > 0 => format!("removed its {n} members, then deleted it"),
            _ => before.display_name,
        },
        subjects: Vec::new(),
    };
    record(&operator, event, &outcome).await;
    outcome
}

/// Records a membership change in the audit log: the group as target, each changed identity as a subject.
#[cfg(feature = "ssr")]
async fn record_membership(
    operator: &crate::model::OperatorView,
    action: &'static str,
    realm: String,
    group: String,
    result: &MembershipResult,
    note: String,
) {
    let mut detail = result.lines(action.ends_with(".add")).join(" ");
    if !note.is_empty() {
        detail = format!("{note}: {detail}");
    }
    let event = Event {
        action,
        realm,
        target_id: group,
        target_name: result.group_name.clone(),
        detail,
        subjects: result.changed_ids.clone(),
    };
    let outcome: Result<(), AppError> = if result.failed.is_empty() {
        Ok(())
    } else {
        Err(AppError {
            code: Some("partial".into()),
            ..AppError::new("")
        })
    };
    record(operator, event, &outcome).await;
}

/// Adds (`add`) or removes the selected identities, one BI call per 1000, and records it.
#[cfg(feature = "ssr")]
async fn change_members(
    realm: String,
    group: String,
    ids: Vec<String>,
    add: bool,
) -> Result<MembershipResult, AppError> {
    let operator = super::allow_in(Action::ManageMembers, &realm).await?;
    super::check_group_not_protected(&operator, &realm, &group).await?;
    let ids = super::checked_ids(ids, crate::model::limits::MAX_SELECTED_IDS, "identity")?;
    let s = state()?;
    let result = super::members::change(&s.client, &realm, &group, &ids, add).await;
    let action = if add {
        "group.members.add"
    } else {
        "group.members.remove"
    };
    record_membership(&operator, action, realm, group, &result, String::new()).await;
    Ok(result)
}

/// Adds the selected identities to a group: one `:addMembers` call per 1000.
#[server]
pub async fn add_group_members(
    realm: String,
    group: String,
    ids: Vec<String>,
) -> Result<MembershipResult, AppError> {
    change_members(realm, group, ids, true).await
}

/// Adds the identities named in a pasted list (newlines or commas). Unknown usernames and existing members are
/// listed back and not sent; the rest go in one `:addMembers` call per 1000.
#[server]
pub async fn add_group_members_by_usernames(
    realm: String,
    group: String,
    usernames: String,
) -> Result<MembershipResult, AppError> {
    let operator = super::allow_in(Action::ManageMembers, &realm).await?;
    super::check_group_not_protected(&operator, &realm, &group).await?;
    let names = crate::model::check_pasted_usernames(&usernames).map_err(|message| AppError {
        fields: vec![crate::model::FieldError {
            field: "usernames".into(),
            message: message.clone(),
        }],
        ..super::bad_request(message)
    })?;
    let s = state()?;
    let result = super::members::add_by_usernames(&s.client, &realm, &group, &names)
        .await
        .map_err(|e| errors::from_bi("add members by username", e))?;
    let note = format!("pasted {} usernames", names.len());
    record_membership(&operator, "group.members.add", realm, group, &result, note).await;
    Ok(result)
}

/// Removes identities from a group: one `:deleteMembers` call per 1000.
#[server]
pub async fn remove_group_members(
    realm: String,
    group: String,
    ids: Vec<String>,
) -> Result<MembershipResult, AppError> {
    change_members(realm, group, ids, false).await
}

/// A page of the member picker: identities, and which of them are already members.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PickerPage {
    pub identities: PageView<Identity>,
    pub member_ids: Vec<String>,
}

/// Rows per picker page.
pub const PICKER_PAGE_SIZE: u32 = 10;

/// One picker page: the realm's identities (or the one whose username is `q`) and which are already in `group`.
/// Two concurrent calls (the identities, the group's first 200 members); a group bigger than that costs the fewer
/// of its remaining member pages or one call per row shown.
#[server]
pub async fn member_picker_page(
    realm: String,
    group: String,
    page: u32,
    q: String,
) -> Result<PickerPage, AppError> {
    use crate::bi::forms::username_filter;
    use crate::bi::wire::ListQuery;
    super::allow_in(Action::Read, &realm).await?;
    let s = state()?;
    let page = page.max(1);
    let q = q.trim();
    let filter = (!q.is_empty()).then(|| username_filter(q));
    let query = ListQuery::numbered(page, PICKER_PAGE_SIZE).with_filter(filter);
    let (identities, first) = tokio::join!(
        s.client.list_identities(&realm, &query),
        super::members::first_members_page(&s.client, &realm, &group)
    );
    let identities = identities.map_err(|e| errors::from_bi("list identities", e))?;
    let first = first.map_err(|e| errors::from_bi("list group members", e))?;
    let ids: Vec<String> = identities.items.iter().map(|i| i.id.clone()).collect();
    let members = super::members::members_among(&s.client, &realm, &group, first, &ids)
        .await
        .map_err(|e| errors::from_bi("check group membership", e))?;
    Ok(PickerPage {
        member_ids: ids.into_iter().filter(|id| members.contains(id)).collect(),
        identities: PageView {
            items: identities.items,
            total: identities.total_size,
            page,
            size: PICKER_PAGE_SIZE,
        },
    })
}

/// Adds one identity to several groups: one `:addMembers` call per group (eight at a time). Failures name the group.
#[server]
pub async fn add_identity_to_groups(
    realm: String,
    identity: String,
    groups: Vec<String>,
) -> Result<MembershipResult, AppError> {
    use futures::stream::{self, StreamExt};
    let operator = super::allow_in(Action::ManageMembers, &realm).await?;
    let groups = super::checked_ids(groups, crate::model::limits::MAX_GROUPS_AT_ONCE, "group")?;
    super::checked_ids(vec![identity.clone()], 1, "identity")?;
    // A protected group among them refuses the whole request (nothing is sent).
    for g in &groups {
        super::check_group_not_protected(&operator, &realm, g).await?;
    }
    let s = state()?;
    let one = [identity.clone()];
    // Each group's change is checked before being sent again (see `members::change`).
    let outcomes: Vec<(String, Option<MembershipResult>)> = stream::iter(groups.iter().cloned())
        .map(|g| {
            let (client, realm, one) = (&s.client, &realm, &one);
            async move {
                // Past the request's deadline nothing more is sent (and so nothing more recorded).
                if crate::bi::retry::remaining().is_some_and(|left| left.is_zero()) {
                    return (g, None);
                }
                let r = super::members::change(client, realm, &g, one, true).await;
                (g, Some(r))
            }
        })
        .buffer_unordered(8)
        .collect()
        .await;
    let mut result = MembershipResult::default();
    for (group, changed) in outcomes {
        let Some(changed) = changed else {
            result.failed.push(crate::model::BulkFailure {
                id: group,
                reason: "not attempted: the request's time limit was reached".into(),
            });
            continue;
        };
        result.calls += changed.calls;
        let outcome = match changed.failed.first() {
            None => Ok(changed.group_name.clone()),
            Some(f) => Err(AppError::new(format!(
                "{}.",
                crate::model::capitalize(&f.reason)
            ))),
        };
        let event = Event {
            action: "group.members.add",
            realm: realm.clone(),
            target_id: group.clone(),
            target_name: outcome.clone().unwrap_or_default(),
            detail: "added 1 identity from its page".into(),
            subjects: vec![identity.clone()],
        };
        record(&operator, event, &outcome).await;
        match outcome {
            Ok(_) => result.changed += 1,
            Err(e) => result.failed.push(crate::model::BulkFailure {
                id: group,
                reason: e.message,
            }),
        }
    }
    Ok(result)
}

/// Removes one identity from one group: one `:deleteMembers` call.
#[server]
pub async fn remove_identity_from_group(
    realm: String,
    identity: String,
    group: String,
) -> Result<(), AppError> {
    let operator = super::allow_in(Action::ManageMembers, &realm).await?;
    super::check_group_not_protected(&operator, &realm, &group).await?;
    let changed = super::members::change(
        &state()?.client,
        &realm,
        &group,
        std::slice::from_ref(&identity),
        false,
    )
    .await;
    let outcome = match changed.failed.first() {
        None => Ok(changed.group_name.clone()),
        Some(f) => Err(AppError::new(format!(
            "{}.",
            crate::model::capitalize(&f.reason)
        ))),
    };
    let event = Event {
        action: "group.members.remove",
        realm,
        target_id: group,
        target_name: outcome.clone().unwrap_or_default(),
        detail: "removed 1 identity from its page".into(),
        subjects: vec![identity],
    };
    record(&operator, event, &outcome).await;
    outcome.map(|_| ())
}
