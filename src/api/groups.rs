//! Server functions for groups: list, view with a page of members, create, edit, delete; and which groups are
//! protected. Membership changes are in `api::membership`.

use leptos::prelude::*;

use crate::model::{AppError, Group, GroupInput, Identity, PageView};
#[cfg(feature = "ssr")]
pub(crate) use ssr::*;
#[cfg(feature = "ssr")]
use {
    super::checks::{permit, service, service_of, state},
    super::errors,
    crate::audit::Event,
    crate::model::Action,
    crate::model::AuditAction,
    crate::permit::act,
    crate::service::Indexed,
};

/// One numbered page of a realm's groups. Exactly one BI call.
#[server(output = crate::api::codec::TextJson)]
pub async fn list_groups(realm: String, page: u32, size: u32) -> Result<PageView<Group>, AppError> {
    use crate::bi::wire::ListQuery;
    use crate::model::clamp_page_size;
    super::checks::allow_in(Action::Read, &realm).await?;
    let size = clamp_page_size(Some(size));
    let page = page.max(1);
    let result = errors::bi(
        "list groups",
        state()?
            .client
            .list_groups(&realm, &ListQuery::numbered(page, size)),
    )
    .await?;
    Ok(result.numbered(page, size))
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
#[server(output = crate::api::codec::TextJson)]
pub async fn get_group(
    realm: String,
    id: String,
    page: u32,
    size: u32,
) -> Result<GroupDetail, AppError> {
    use crate::bi::wire::ListQuery;
    use crate::model::clamp_page_size;
    let op = super::checks::allow_in(Action::Read, &realm).await?;
    let s = state()?;
    let size = clamp_page_size(Some(size));
    let page = page.max(1);
    let members_query = ListQuery::numbered(page, size);
    let (group, members) = tokio::join!(
        s.client.get_group(&realm, &id),
        s.client.list_members(&realm, &id, &members_query)
    );
    // The live record keeps the directory index current: its member count, or gone at BI, gone from the index.
    let svc = service(&op)?;
    match (&group, &members) {
        (Ok(found), Ok(m)) => {
            svc.index(&realm, Indexed::Group(found.clone(), Some(m.total_size)))
                .await
        }
        (Err(e), _) if e.is_not_found() => {
            svc.index(&realm, Indexed::GroupRemoved(id.clone())).await
        }
        _ => {}
    }
    let group = group.map_err(|e| errors::from_bi("get group", e))?;
    let members = members.map_err(|e| errors::from_bi("list group members", e))?;
    Ok(GroupDetail {
        protected: s.is_protected_group(&group),
        group,
        members: members.numbered(page, size),
    })
}

/// Creates a group. The form's rules run first; BI's errors land on their fields. On success the browser goes to
/// the new group. A plain form post that fails goes back to the form with what was typed.
#[server(output = crate::api::codec::TextJson)]
pub async fn create_group(realm: String, input: GroupInput) -> Result<String, AppError> {
    use crate::bi::forms::ToBi;
    let posted = super::forms::Posted {
        form: format!(
            "/realms/{}/groups/new",
            crate::model::encode_component(&realm)
        ),
        values: input.pairs(),
        problems: input.validate(),
    };
    let write = async |p: &crate::permit::Permit<act::CreateGroup>| {
        let svc = service_of(p)?;
        let event = |created: &Result<Group, AppError>| {
            let id = created.as_ref().map(|g| g.id.clone()).unwrap_or_default();
            Event::new(
                AuditAction::GroupCreate,
                &realm,
                &id,
                input.display_name.trim(),
                input.describe(),
            )
        };
        let body = input.to_create();
        let call = svc.state.client.create_group(p, &body);
        svc.write("create group", call, event, |created| {
            Some(Indexed::Group(created.clone(), Some(0)))
        })
        .await
    };
    let done = |created: &Group| group_url(&realm, &created.id, "?created=1");
    let created = super::forms::form_write(permit(&realm).await, posted, write, done).await?;
    Ok(created.map(|g| g.id).unwrap_or_default())
}

/// Saves a group edit: only the fields that differ from what the form opened with. Nothing changed → no BI call.
#[server(output = crate::api::codec::TextJson)]
pub async fn update_group(
    realm: String,
    id: String,
    input: GroupInput,
    original: GroupInput,
) -> Result<(), AppError> {
    use crate::bi::forms::ToBi;
    let permit = permit::<act::EditGroup>(&realm).await?;
    check_group_not_protected(permit.operator(), &realm, &id).await?;
    let posted = super::forms::Posted {
        form: group_url(&realm, &id, "/edit"),
        values: input.pairs(),
        problems: input.validate(),
    };
    let write = async |p: &crate::permit::Permit<act::EditGroup>| {
        let Some(patch) = input.to_patch(&original) else {
            return Ok(());
        };
        let svc = service_of(p)?;
        // The audit's "before" and the group's name are BI's, read here, never what the browser says.
        let before = svc
            .bi("get group", svc.state.client.get_group(&realm, &id))
            .await?;
        let before = GroupInput::from_group(&before);
        let event = |outcome: &Result<Group, AppError>| {
            let after = match outcome {
                Ok(g) => GroupInput::from_group(g),
                Err(_) => input.clone(),
            };
            let detail = after.describe_change(&before);
            Event::new(
                AuditAction::GroupUpdate,
                &realm,
                &id,
                &before.display_name,
                detail,
            )
        };
        let call = svc.state.client.update_group(p, &id, &patch);
        svc.write("update group", call, event, |updated| {
            Some(Indexed::Group(updated.clone(), None))
        })
        .await?;
        Ok(())
    };
    let done = |_: &()| group_url(&realm, &id, "?updated=1");
    super::forms::form_write(Ok(permit), posted, write, done).await?;
    Ok(())
}

/// Deletes a group. BI refuses a group with members (409 `group has children`); with `remove_members` the console
/// first removes every member (`:deleteMembers`, 1000 at a time), then deletes. Answers how many were removed.
#[server(output = crate::api::codec::TextJson)]
pub async fn delete_group(
    realm: String,
    id: String,
    remove_members: bool,
) -> Result<usize, AppError> {
    let permit = permit::<act::DeleteGroup>(&realm).await?;
    check_group_not_protected(permit.operator(), &realm, &id).await?;
    let svc = service_of(&permit)?;
    // Read it first, so the audit log names what was deleted.
    let before = svc
        .bi("delete group", svc.state.client.get_group(&realm, &id))
        .await?;
    let members = match remove_members {
        true => Some(super::checks::permit::<act::ManageMembers>(&realm).await?),
        false => None,
    };
    let client = &svc.state.client;
    let call = async {
        match &members {
            Some(members) => super::members::empty_and_delete(client, members, &permit, &id)
                .await
                .map(|r| r.changed),
            None => client.delete_group(&permit, &id).await.map(|()| 0),
        }
    };
    let event = |outcome: &Result<usize, AppError>| {
        let detail = match outcome {
            Ok(n) if *n > 0 => format!("removed its {n} members, then deleted it"),
            _ => before.display_name.clone(),
        };
        Event::new(
            AuditAction::GroupDelete,
            &realm,
            &id,
            &before.display_name,
            detail,
        )
    };
    let operation = if remove_members {
        "remove members and delete group"
    } else {
        "delete group"
    };
    svc.write(operation, call, event, |_| {
        Some(Indexed::GroupRemoved(id.clone()))
    })
    .await
}

/// What the server functions above do on the server only.
#[cfg(feature = "ssr")]
mod ssr {
    use super::*;

    /// `/realms/{realm}/groups/{id}{rest}`, each part percent-encoded.
    pub(crate) fn group_url(realm: &str, id: &str, rest: &str) -> String {
        use crate::model::encode_component as enc;
        format!("/realms/{}/groups/{}{rest}", enc(realm), enc(id))
    }

    /// Whether `group` is protected (`CONSOLE_PROTECTED_GROUPS`, by id or name). Its name is read from BI only when a
    /// protected name could match.
    pub(super) async fn is_protected(realm: &str, group: &str) -> Result<bool, AppError> {
        let s = state()?;
        let p = &s.protected_groups;
        if p.is_empty() {
            return Ok(false);
        }
        if p.iter().any(|x| x == group) {
            return Ok(true);
        }
        let g = errors::bi("get group", s.client.get_group(realm, group)).await?;
        Ok(s.is_protected_group(&g))
    }

    /// Refuses (403, recorded) a change to a protected group's membership or settings by anyone but an admin.
    pub(crate) async fn check_group_not_protected(
        op: &crate::model::OperatorView,
        realm: &str,
        group: &str,
    ) -> Result<(), AppError> {
        if op.role == crate::model::Role::Admin || !is_protected(realm, group).await? {
            return Ok(());
        }
        let refused = super::super::checks::forbidden(
            "This group is protected: only an admin may change its members or settings.",
        );
        let event = Event::new(
            AuditAction::RefusedProtectedGroup,
            realm,
            group,
            "",
            "a change to a protected group",
        );
        super::super::checks::record(op, event, &Err::<(), _>(refused.clone())).await;
        Err(refused)
    }
}
