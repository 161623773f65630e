//! One group: name, description and members (paged through BI's `:listMembers`, with the total). Members are added
//! through a picker or a pasted list of usernames and removed per row or several at once; the group is edited or
//! deleted, and a group that still has members can be emptied and deleted in one confirmed step.

use leptos::prelude::*;

use leptos_router::hooks::{use_params_map, use_query_map};

use super::group_actions::add_members::{AddMembersButtons, AddMembersDialogs, Adding};
use super::group_actions::delete_group::{
    DeleteGroupButton, DeleteGroupDialogs, DeleteGroupOutcome, Deleting,
};
use super::group_actions::remove_members::{
    RemoveMemberButton, RemoveMembersDialog, RemoveSelectedBar, Removing,
};
use super::group_actions::Outcome;
use crate::api::{get_group, GroupDetail};
use crate::components::activity::Activity;
use crate::components::error::{ErrorBanner, Notice};
use crate::components::form::SECONDARY_BUTTON;
use crate::components::layout::{use_me, Perms};
use crate::components::pager::{encode_component, Pager};
use crate::components::table::{DataTable, SelectAllBox, SelectBox, StatusBadge};
use crate::model::Action;
use crate::pages::identities::page_and_size;

#[component]
pub fn GroupDetailPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let realm = Memo::new(move |_| params.read().get("realm").unwrap_or_default());
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let created = Memo::new(move |_| query.read().get("created").is_some());
    let updated = Memo::new(move |_| query.read().get("updated").is_some());
    let (page, size) = page_and_size(query);

    let outcome: Outcome = RwSignal::new(None);
    let adding = Adding::new(outcome);
    let removing = Removing::new(outcome);
    let deleting = Deleting::new();
    let data = Resource::new(
        move || {
            (
                realm.get(),
                id.get(),
                page.get(),
                size.get(),
                adding.version() + removing.action.version().get(),
            )
        },
        |(realm, id, page, size, _)| get_group(realm, id, page, size),
    );
    let me = use_me();

    view! {
        <div class="mx-auto flex max-w-6xl flex-col gap-5">
            <a href=move || format!("/realms/{}/groups", realm.get()) class="text-sm text-indigo-600 hover:underline dark:text-indigo-400">"← Groups"</a>
            <Show when=move || created.get()>
                <Notice lines=vec!["Group created.".to_string()] />
            </Show>
            <Show when=move || updated.get()>
                <Notice lines=vec!["Changes saved.".to_string()] />
            </Show>
            <Transition fallback=|| view! { <p class="text-sm text-slate-500">"Loading group…"</p> }>
                {move || Suspend::new(async move {
                    let perms = me.perms().await;
                    match data.await {
                        Err(e) => view! { <ErrorBanner error=e /> }.into_any(),
                        Ok(detail) => view! {
                            <Group detail=detail realm=realm adding=adding removing=removing deleting=deleting outcome=outcome perms=perms />
                        }
                        .into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

/// The group, its members and the actions the operator may take on them.
#[component]
fn Group(
    detail: GroupDetail,
    realm: Memo<String>,
    adding: Adding,
    removing: Removing,
    deleting: Deleting,
    outcome: Outcome,
    perms: Perms,
) -> impl IntoView {
    let GroupDetail {
        group,
        members,
        protected,
    } = detail;
    let admin = perms.can(Action::DeleteGroup);
    // A protected group's members are changed by admins only; others see why the controls are missing.
    let manage = perms.can(Action::ManageMembers) && (admin || !protected);
    let protected_note = (protected && !admin).then(|| {
        view! {
            <p class="rounded-md border border-slate-300 bg-slate-50 px-3 py-2 text-sm text-slate-700 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-300">
                "Protected group: only an admin may change its members or settings."
            </p>
        }
    });
    let changes = Signal::derive(move || adding.version() + removing.action.version().get());
    let realm_now = realm.get_untracked();
    let group_id = group.id.clone();
    let name = group.display_name.clone();
    let member_total = members.total;
    let selected = removing.selected;

    let edit_href = format!(
        "/realms/{}/groups/{}/edit",
        encode_component(&realm_now),
        encode_component(&group_id)
    );
    let first_names: Vec<String> = members
        .items
        .iter()
        .map(|i| i.username().to_string())
        .collect();
    let shown = members.items.len();
    let on_page: Vec<(String, String)> = members
        .items
        .iter()
        .map(|i| (i.id.clone(), i.username().to_string()))
        .collect();
    let rows = members
        .items
        .into_iter()
        .map(|i| {
            let href = format!(
                "/realms/{}/identities/{}",
                encode_component(&realm_now),
                encode_component(&i.id)
            );
            let username = i.username().to_string();
            view! {
                <tr class="hover:bg-slate-50 dark:hover:bg-slate-800/60">
                    {manage.then(|| view! { <td class="px-4 py-2.5"><SelectBox selected=selected id=i.id.clone() name=username.clone() /></td> })}
                    <td class="px-4 py-2.5 font-medium"><a href=href class="text-indigo-700 hover:underline dark:text-indigo-300">{username.clone()}</a></td>
                    <td class="px-4 py-2.5">{i.display_name.clone()}</td>
                    <td class="px-4 py-2.5 text-slate-600 dark:text-slate-400">{i.email().to_string()}</td>
                    <td class="px-4 py-2.5"><StatusBadge suspended=i.is_suspended() /></td>
                    <td class="px-4 py-2.5 text-right">
                        {manage.then(|| view! { <RemoveMemberButton removing=removing id=i.id.clone() username=username.clone() /> })}
                    </td>
                </tr>
            }
        })
        .collect_view();

    view! {
        <div class="flex flex-wrap items-start justify-between gap-4">
            <div>
                <h1 class="text-2xl font-semibold tracking-tight">{name.clone()}</h1>
                <p class="mt-1 text-sm text-slate-600 dark:text-slate-400">{group.description.clone().unwrap_or_default()}</p>
            </div>
            <div class="flex gap-2">
                {perms.can(Action::EditGroup).then(|| view! { <a class=SECONDARY_BUTTON href=edit_href.clone()>"Edit"</a> })}
                {perms.can(Action::DeleteGroup).then(|| view! { <DeleteGroupButton deleting=deleting /> })}
            </div>
        </div>
        {protected_note}
        <DeleteGroupOutcome deleting=deleting group_name=name.clone() member_total=member_total />
        {move || outcome.get().map(|o| match o {
            Ok(lines) => view! { <Notice lines=lines id="membership-result" /> }.into_any(),
            Err(e) => view! { <ErrorBanner error=e /> }.into_any(),
        })}
        <section aria-labelledby="members-heading" class="overflow-hidden rounded-lg border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900">
            <div class="flex flex-wrap items-center justify-between gap-3 px-4 pt-4">
                <h2 id="members-heading" class="text-lg font-semibold">{format!("Members ({member_total})")}</h2>
                {manage.then(|| view! { <AddMembersButtons adding=adding /> })}
            </div>
            <RemoveSelectedBar removing=removing />
            {if shown == 0 {
                view! { <p id="empty-state" class="p-4 text-sm text-slate-600 dark:text-slate-400">"This group has no members."</p> }.into_any()
            } else {
                view! {
                    <div class="mt-3">
                        <DataTable columns=&["Username", "Name", "Email", "Status", ""] lead=manage.then(|| view! { <SelectAllBox selected=selected on_page=on_page.clone() /> }.into_any())>
                            {rows}
                        </DataTable>
                    </div>
                    <Pager page=members.page size=members.size shown=shown total=member_total />
                }.into_any()
            }}
        </section>
        <Activity realm=realm_now.clone() id=group_id.clone() version=changes />
        <AddMembersDialogs adding=adding realm=realm_now.clone() group=group_id.clone() group_name=name.clone() />
        <RemoveMembersDialog removing=removing realm=realm group=group_id.clone() group_name=name.clone() />
        <DeleteGroupDialogs deleting=deleting realm=realm group=group_id group_name=name member_total=member_total first_names=first_names />
    }
}
