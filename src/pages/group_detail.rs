//! One group: name, description and members (paged through BI's `:listMembers`, with the total). Members are added
//! through a picker or a pasted list of usernames and removed per row or several at once; the group is edited or
//! deleted, and a group that still has members can be emptied and deleted in one confirmed step.

use leptos::prelude::*;

use crate::components::ready::not_ready;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

use crate::api::{
    get_group, AddGroupMembers, AddGroupMembersByUsernames, AddGroupMembersMatching, DeleteGroup,
    GroupDetail, RemoveGroupMembers,
};
use crate::components::activity::Activity;
use crate::components::dialog::ConfirmDialog;
use crate::components::error::{ErrorBanner, Notice};
use crate::components::form::{DANGER_BUTTON, SECONDARY_BUTTON};
use crate::components::layout::{use_me, Perms};
use crate::components::member_picker::{MemberPicker, PasteMembers};
use crate::components::pager::{encode_component, Pager};
use crate::components::table::{DataTable, SelectAllBox, SelectBox, Selection, StatusBadge};
use crate::model::{names_list, Action, AppError, MembershipResult};
use crate::pages::identities::page_and_size;

/// The outcome of the last membership change, shown above the members.
type Outcome = RwSignal<Option<Result<Vec<String>, AppError>>>;

/// Shows an action's result in `outcome` as soon as it arrives.
fn report<A>(action: ServerAction<A>, outcome: Outcome, adding: bool)
where
    A: leptos::server_fn::ServerFn<Output = MembershipResult, Error = AppError>
        + Clone
        + Send
        + Sync
        + 'static,
{
    Effect::new(move |_| {
        if let Some(r) = action.value().get() {
            outcome.set(Some(r.map(|r| r.lines(adding))));
        }
    });
}

#[component]
pub fn GroupDetailPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let realm = Memo::new(move |_| params.read().get("realm").unwrap_or_default());
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let created = Memo::new(move |_| query.read().get("created").is_some());
    let updated = Memo::new(move |_| query.read().get("updated").is_some());
    let (page, size) = page_and_size(query);

    let add = ServerAction::<AddGroupMembers>::new();
    let paste = ServerAction::<AddGroupMembersByUsernames>::new();
    let add_all = ServerAction::<AddGroupMembersMatching>::new();
    let remove = ServerAction::<RemoveGroupMembers>::new();
    let delete = ServerAction::<DeleteGroup>::new();
    let data = Resource::new(
        move || {
            (
                realm.get(),
                id.get(),
                page.get(),
                size.get(),
                add.version().get()
                    + add_all.version().get()
                    + paste.version().get()
                    + remove.version().get(),
            )
        },
        |(realm, id, page, size, _)| get_group(realm, id, page, size),
    );
    let me = use_me();
    let outcome: Outcome = RwSignal::new(None);
    report(add, outcome, true);
    report(paste, outcome, true);
    report(add_all, outcome, true);
    report(remove, outcome, false);

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
                            <Group detail=detail realm=realm add=add add_all=add_all paste=paste remove=remove delete=delete outcome=outcome perms=perms />
                        }
                        .into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn Group(
    detail: GroupDetail,
    realm: Memo<String>,
    add: ServerAction<AddGroupMembers>,
    add_all: ServerAction<AddGroupMembersMatching>,
    paste: ServerAction<AddGroupMembersByUsernames>,
    remove: ServerAction<RemoveGroupMembers>,
    delete: ServerAction<DeleteGroup>,
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
    let changes = Signal::derive(move || {
        add.version().get()
            + add_all.version().get()
            + paste.version().get()
            + remove.version().get()
    });
    let realm_now = realm.get_untracked();
    let group_id = group.id.clone();
    let name = group.display_name.clone();
    let member_total = members.total;

    // --- delete, and the offered path for a group that still has members ---------------------------------------
    let confirm_delete = RwSignal::new(false);
    let confirm_empty = RwSignal::new(false);
    // Whether the operator chose "Remove all members and delete" (then a refusal is an error, not an offer).
    let emptying = RwSignal::new(false);
    let has_members_refusal = move || {
        !emptying.get()
            && delete
                .value()
                .get()
                .is_some_and(|r| r.is_err_and(|e| e.status == Some(409)))
    };
    let delete_error = move || {
        delete
            .value()
            .get()
            .and_then(|r| r.err())
            .filter(|e| e.status != Some(409) || emptying.get())
    };
    let navigate = use_navigate();
    {
        let name = name.clone();
        Effect::new(move |_| {
            if let Some(Ok(removed)) = delete.value().get() {
                confirm_delete.set(false);
                confirm_empty.set(false);
                let mut url = format!(
                    "/realms/{}/groups?deleted={}",
                    realm.get_untracked(),
                    encode_component(&name)
                );
                if removed > 0 {
                    url.push_str(&format!("&removed={removed}"));
                }
                navigate(&url, Default::default());
            }
        });
    }
    Effect::new(move |_| {
        if delete.value().get().is_some() {
            confirm_delete.set(false);
            confirm_empty.set(false);
        }
    });
    let dispatch_delete = {
        let group_id = group_id.clone();
        move |remove_members: bool| {
            emptying.set(remove_members);
            delete.dispatch(DeleteGroup {
                realm: realm.get_untracked(),
                id: group_id.clone(),
                remove_members,
            });
        }
    };
    let delete_plain = {
        let d = dispatch_delete.clone();
        Callback::new(move |_| d(false))
    };
    let delete_all = Callback::new(move |_| dispatch_delete(true));

    // --- remove members -------------------------------------------------------------------------------------------
    let selected: Selection = RwSignal::new(Vec::new());
    let remove_target: Selection = RwSignal::new(Vec::new());
    let confirm_remove = RwSignal::new(false);
    Effect::new(move |_| {
        if remove.value().get().is_some() {
            confirm_remove.set(false);
            selected.set(Vec::new());
        }
    });
    let ask_remove = move |who: Vec<(String, String)>| {
        remove_target.set(who);
        confirm_remove.set(true);
    };
    let run_remove = {
        let group_id = group_id.clone();
        Callback::new(move |_| {
            remove.dispatch(RemoveGroupMembers {
                realm: realm.get_untracked(),
                group: group_id.clone(),
                ids: remove_target
                    .get_untracked()
                    .into_iter()
                    .map(|(id, _)| id)
                    .collect(),
            });
        })
    };

    // --- add members ----------------------------------------------------------------------------------------------
    let picker_open = RwSignal::new(false);
    let paste_open = RwSignal::new(false);

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
    let empty_summary = if member_total as usize <= first_names.len() {
        names_list(&first_names)
    } else {
        format!(
            "{} and {} more",
            first_names.join(", "),
            member_total as usize - first_names.len()
        )
    };
    let remove_name = name.clone();
    let refusal =
        format!("{name} still has {member_total} members, and BI deletes only empty groups.");
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
            let who = (i.id.clone(), i.username().to_string());
            let label = format!("Remove {}", i.username());
            view! {
                <tr class="hover:bg-slate-50 dark:hover:bg-slate-800/60">
                    {manage.then(|| view! { <td class="px-4 py-2.5"><SelectBox selected=selected id=i.id.clone() name=i.username().to_string() /></td> })}
                    <td class="px-4 py-2.5 font-medium"><a href=href class="text-indigo-700 hover:underline dark:text-indigo-300">{i.username().to_string()}</a></td>
                    <td class="px-4 py-2.5">{i.display_name.clone()}</td>
                    <td class="px-4 py-2.5 text-slate-600 dark:text-slate-400">{i.email().to_string()}</td>
                    <td class="px-4 py-2.5"><StatusBadge suspended=i.is_suspended() /></td>
                    <td class="px-4 py-2.5 text-right">
                        {manage.then(|| view! {
                            <button type="button" aria-label=label.clone() disabled=not_ready() on:click=move |_| ask_remove(vec![who.clone()])
                                class="rounded px-2 py-1 text-sm text-red-700 hover:bg-red-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-red-500 dark:text-red-300 dark:hover:bg-red-950">
                                "Remove"
                            </button>
                        })}
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
                {perms.can(Action::DeleteGroup).then(|| view! {
                    <button type="button" class=DANGER_BUTTON disabled=not_ready() on:click=move |_| confirm_delete.set(true)>"Delete"</button>
                })}
            </div>
        </div>
        {protected_note}
        {move || delete_error().map(|e| view! { <ErrorBanner error=e /> })}
        <Show when=has_members_refusal>
            <div id="delete-refused" role="alert" class="flex flex-wrap items-center gap-3 rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
                <p class="flex-1">{refusal.clone()}</p>
                <button type="button" class=DANGER_BUTTON on:click=move |_| confirm_empty.set(true)>
                    {format!("Remove all {member_total} members and delete")}
                </button>
            </div>
        </Show>
        {move || outcome.get().map(|o| match o {
            Ok(lines) => view! { <Notice lines=lines id="membership-result" /> }.into_any(),
            Err(e) => view! { <ErrorBanner error=e /> }.into_any(),
        })}
        <section aria-labelledby="members-heading" class="overflow-hidden rounded-lg border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900">
            <div class="flex flex-wrap items-center justify-between gap-3 px-4 pt-4">
                <h2 id="members-heading" class="text-lg font-semibold">{format!("Members ({member_total})")}</h2>
                {manage.then(|| view! {
                    <div class="flex gap-2">
                        <button type="button" class=SECONDARY_BUTTON disabled=not_ready() on:click=move |_| picker_open.set(true)>"Add members"</button>
                        <button type="button" class=SECONDARY_BUTTON disabled=not_ready() on:click=move |_| paste_open.set(true)>"Add by usernames"</button>
                    </div>
                })}
            </div>
            <Show when=move || !selected.read().is_empty()>
                <div role="region" aria-label="Selected members" class="mx-4 mt-3 flex flex-wrap items-center gap-3 rounded-lg border border-indigo-200 bg-indigo-50 px-4 py-2 text-sm dark:border-indigo-900 dark:bg-indigo-950">
                    <span class="font-medium">{move || format!("{} selected", selected.read().len())}</span>
                    <button type="button" class=SECONDARY_BUTTON on:click=move |_| ask_remove(selected.get_untracked())>"Remove selected"</button>
                    <button type="button" class="ml-auto text-sm text-slate-600 hover:underline dark:text-slate-400" on:click=move |_| selected.set(Vec::new())>"Clear selection"</button>
                </div>
            </Show>
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
        <MemberPicker open=picker_open realm=realm_now.clone() group=group_id.clone() group_name=name.clone() action=add add_all=add_all />
        <PasteMembers open=paste_open realm=realm_now.clone() group=group_id.clone() group_name=name.clone() action=paste />
        <ConfirmDialog
            open=confirm_remove
            title=Signal::derive(move || {
                let n = remove_target.read().len();
                if n == 1 { "Remove member?".to_string() } else { format!("Remove {n} members?") }
            })
            body=Signal::derive(move || {
                let names: Vec<String> = remove_target.read().iter().map(|(_, u)| u.clone()).collect();
                format!("Remove from {remove_name}: {}. Their identities stay in the realm.", names_list(&names))
            })
            confirm_label=Signal::derive(move || {
                let n = remove_target.read().len();
                if n == 1 { "Remove member".to_string() } else { format!("Remove {n} members") }
            })
            danger=true
            pending=remove.pending()
            on_confirm=run_remove
        />
        <ConfirmDialog
            open=confirm_delete
            title="Delete group?".to_string()
            body=format!("Delete the group {}. Its members' identities stay in the realm. This cannot be undone.", name.clone())
            confirm_label="Delete group".to_string()
            danger=true
            pending=delete.pending()
            on_confirm=delete_plain
        />
        <ConfirmDialog
            open=confirm_empty
            title=format!("Remove all {member_total} members and delete?")
            body=format!("Remove {member_total} members from {} ({empty_summary}), then delete the group. Their identities stay in the realm. This cannot be undone.", name.clone())
            confirm_label=format!("Remove {member_total} members and delete")
            danger=true
            pending=delete.pending()
            on_confirm=delete_all
        />
    }
}
