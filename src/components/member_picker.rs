//! Adding members to a group: a picker over the realm's identities (from the directory index, searched by any part
//! of a name, username or email as the operator types; from BI's pages by exact username until the index is
//! ready), where rows are clicked to select several (removable chips that survive page changes; existing members
//! are marked and cannot be picked) or every result of a search is selected at once; and a dialog that takes a
//! pasted list of usernames.

use leptos::prelude::*;

use crate::components::deferred::Deferred;

use crate::api::{
    member_picker_page, AddGroupMembers, AddGroupMembersByUsernames, AddGroupMembersMatching,
    PickerPage,
};
use crate::components::dialog::Modal;
use crate::components::error::ErrorBanner;
use crate::components::form::{PRIMARY_BUTTON, SECONDARY_BUTTON};
use crate::components::table::{PickRow, Selection, StatusBadge};
use crate::model::limits::MAX_SELECTED_IDS;
use crate::model::{check_pasted_usernames, range_label, thousands, AppError, MembershipResult};

/// A server function that changes a group's members and answers what it did (add, paste, add all, remove).
pub trait MembershipCall:
    leptos::server_fn::ServerFn<Output = MembershipResult, Error = AppError>
    + Clone
    + Send
    + Sync
    + 'static
{
}

impl<A> MembershipCall for A where
    A: leptos::server_fn::ServerFn<Output = MembershipResult, Error = AppError>
        + Clone
        + Send
        + Sync
        + 'static
{
}

/// Closes `open` once `action` succeeds.
fn close_on_success<A: MembershipCall>(action: ServerAction<A>, open: RwSignal<bool>) {
    Effect::new(move |_| {
        if let Some(Ok(_)) = action.value().get() {
            open.set(false);
        }
    });
}

#[component]
pub fn MemberPicker(
    open: RwSignal<bool>,
    realm: String,
    group: String,
    group_name: String,
    action: ServerAction<AddGroupMembers>,
    /// "Select all N results": every identity the directory index finds for the search.
    add_all: ServerAction<AddGroupMembersMatching>,
) -> impl IntoView {
    close_on_success(action, open);
    close_on_success(add_all, open);
    let realm = StoredValue::new(realm);
    let group = StoredValue::new(group);
    view! {
        <Modal open=open id="member-picker" title=format!("Add members to {group_name}") wide=true>
            <PickerBody realm=realm.get_value() group=group.get_value() action=action add_all=add_all />
        </Modal>
    }
}

/// "All N results for …": the search whose every match is selected, and how many match.
type AllResults = RwSignal<Option<(String, u64)>>;

#[component]
fn PickerBody(
    realm: String,
    group: String,
    action: ServerAction<AddGroupMembers>,
    add_all: ServerAction<AddGroupMembersMatching>,
) -> impl IntoView {
    let typed = RwSignal::new(String::new());
    let q = RwSignal::new(String::new());
    let page = RwSignal::new(1u32);
    let chosen: Selection = RwSignal::new(Vec::new());
    let all: AllResults = RwSignal::new(None);
    // Whether the last page came from the directory index (else searches match exact usernames only).
    let indexed = RwSignal::new(true);
    // Picking rows one by one and selecting every result are two ways to choose: one replaces the other.
    Effect::new(move |_| {
        if !chosen.read().is_empty() {
            all.set(None);
        }
    });
    Effect::new(move |_| {
        q.track();
        all.set(None);
    });
    let data = {
        let (realm, group) = (realm.clone(), group.clone());
        Resource::new(
            move || (q.get(), page.get()),
            move |(q, page)| member_picker_page(realm.clone(), group.clone(), page, q),
        )
    };
    Effect::new(move |_| {
        if let Some(Ok(p)) = data.get() {
            indexed.set(p.indexed);
        }
    });
    let apply = move |text: String| {
        let text = text.trim().to_string();
        if text != q.get_untracked() {
            q.set(text);
            page.set(1);
        }
    };
    let mut later =
        leptos::leptos_dom::helpers::debounce(std::time::Duration::from_millis(250), apply);
    let search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        apply(typed.get_untracked());
    };
    let pending = move || action.pending().get() || add_all.pending().get();
    let add_now = {
        let (realm, group) = (realm.clone(), group.clone());
        move |_| match all.get_untracked() {
            Some((q, _)) => {
                add_all.dispatch(AddGroupMembersMatching {
                    realm: realm.clone(),
                    group: group.clone(),
                    q,
                });
            }
            None => {
                let ids = chosen
                    .get_untracked()
                    .into_iter()
                    .map(|(id, _)| id)
                    .collect();
                action.dispatch(AddGroupMembers {
                    realm: realm.clone(),
                    group: group.clone(),
                    ids,
                });
            }
        }
    };
    let action_error = move || {
        let failed = match all.get() {
            Some(_) => add_all.value().get().and_then(|r| r.err()),
            None => action.value().get().and_then(|r| r.err()),
        };
        failed.map(|e| view! { <ErrorBanner error=e /> })
    };
    let how_many = move || match all.get() {
        Some((_, n)) => n,
        None => chosen.read().len() as u64,
    };
    view! {
        <form on:submit=search role="search" class="mt-4 flex items-center gap-2">
            <label for="picker-search" class="sr-only">"Search identities"</label>
            <input id="picker-search" type="search" autofocus
                placeholder=move || if indexed.get() { "Search by name, username or email" } else { "Search by exact username" }
                prop:value=move || typed.get()
                on:input=move |ev| { let text = event_target_value(&ev); typed.set(text.clone()); later(text); }
                class="w-full rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:border-slate-700 dark:bg-slate-950" />
            <button type="submit" class=SECONDARY_BUTTON>"Search"</button>
            <Show when=move || !q.read().is_empty()>
                <button type="button" class="text-sm text-indigo-600 hover:underline dark:text-indigo-400"
                    on:click=move |_| { typed.set(String::new()); q.set(String::new()); page.set(1); }>"Show all"</button>
            </Show>
        </form>
        <ul aria-label="Selected identities" class="mt-3 flex min-h-8 flex-wrap gap-2">
            {move || all.get().map(|(q, n)| {
                let text = if q.is_empty() {
                    format!("All {} identities", thousands(n))
                } else {
                    format!("All {} results for “{q}”", thousands(n))
                };
                view! {
                    <li class=CHIP>
                        {text}
                        <button type="button" aria-label="Unselect all results" on:click=move |_| all.set(None) class=CHIP_BUTTON>"×"</button>
                    </li>
                }
            })}
            <For each=move || chosen.get() key=|(id, _)| id.clone() let:item>
                {
                    let (id, username) = item;
                    let label = format!("Unselect {username}");
                    view! {
                        <li class=CHIP>
                            {username}
                            <button type="button" aria-label=label on:click=move |_| chosen.update(|v| v.retain(|(s, _)| s != &id)) class=CHIP_BUTTON>"×"</button>
                        </li>
                    }
                }
            </For>
        </ul>
        <Transition fallback=|| view! { <p class="py-6 text-sm text-slate-500">"Loading identities…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorBanner error=e /> }.into_any(),
                    Ok(p) => Deferred::new(move || view! { <PickerRows data=p chosen=chosen page=page all=all q=q.get_untracked() /> }).into_any(),
                }
            })}
        </Transition>
        {action_error}
        <div class="mt-4 flex items-center justify-end gap-3">
            <button type="button" class=PRIMARY_BUTTON disabled=move || how_many() == 0 || pending() on:click=add_now>
                {move || {
                    let n = how_many();
                    if pending() {
                        "Adding…".to_string()
                    } else if n == 1 {
                        "Add 1 identity".to_string()
                    } else {
                        format!("Add {} identities", thousands(n))
                    }
                }}
            </button>
        </div>
    }
}

const CHIP: &str = "inline-flex items-center gap-1 rounded-full bg-indigo-100 py-0.5 pl-3 pr-1 text-sm text-indigo-900 dark:bg-indigo-900/50 dark:text-indigo-100";
const CHIP_BUTTON: &str = "rounded-full px-1.5 hover:bg-indigo-200 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:hover:bg-indigo-800";

#[component]
fn PickerRows(
    data: PickerPage,
    chosen: Selection,
    page: RwSignal<u32>,
    all: AllResults,
    q: String,
) -> impl IntoView {
    let PickerPage {
        identities,
        member_ids,
        indexed,
    } = data;
    if identities.items.is_empty() {
        return view! { <p class="py-6 text-sm text-slate-600 dark:text-slate-400">"No identity matches."</p> }
            .into_any();
    }
    let label = range_label(
        identities.page,
        identities.size,
        identities.items.len(),
        identities.total,
    );
    let last = identities.last_page();
    let current = identities.page;
    let total = identities.total;
    let noun = if total == 1 { "identity" } else { "identities" };
    let found_line = if q.is_empty() {
        format!("{} {noun}", thousands(total))
    } else if total == 1 {
        format!("1 identity matches “{q}”")
    } else {
        format!("{} {noun} match “{q}”", thousands(total))
    };
    // Every result of an indexed search can be chosen at once, up to the most one request may add.
    let select_all = (indexed && total > 1).then(|| {
        if total > MAX_SELECTED_IDS as u64 {
            view! {
                <p class="text-sm text-slate-600 dark:text-slate-400">
                    {format!("{} results: narrow the search to add them all at once (at most {}).", thousands(total), thousands(MAX_SELECTED_IDS as u64))}
                </p>
            }
            .into_any()
        } else {
            let q = q.clone();
            view! {
                <button type="button" class=SECONDARY_BUTTON disabled=move || all.read().is_some()
                    on:click=move |_| { chosen.set(Vec::new()); all.set(Some((q.clone(), total))); }>
                    {format!("Select all {} results", thousands(total))}
                </button>
            }
            .into_any()
        }
    });
    let rows = identities
        .items
        .into_iter()
        .map(|i| {
            let member = member_ids.contains(&i.id);
            view! {
                <PickRow chosen=chosen id=i.id.clone() name=i.username().to_string() taken=member>
                    <span class="w-48 truncate font-medium">{i.username().to_string()}</span>
                    <span class="flex-1 truncate">{i.display_name.clone()}</span>
                    <span class="hidden w-52 truncate text-slate-500 sm:inline">{i.email().to_string()}</span>
                    {(!member).then(|| view! { <StatusBadge suspended=i.is_suspended() /> })}
                </PickRow>
            }
        })
        .collect_view();
    view! {
        <div class="mt-2 flex min-h-9 flex-wrap items-center justify-between gap-2">
            <span class="text-sm text-slate-600 dark:text-slate-400">{found_line}</span>
            {select_all}
        </div>
        <ul aria-label="Identities" class="mt-2 max-h-[50vh] divide-y divide-slate-100 overflow-y-auto rounded-md border border-slate-200 text-sm dark:divide-slate-800 dark:border-slate-800">
            {rows}
        </ul>
        <div class="mt-2 flex items-center justify-between text-sm text-slate-600 dark:text-slate-400">
            <span>{label}</span>
            <div class="flex gap-2">
                <button type="button" class=SECONDARY_BUTTON disabled={current <= 1} on:click=move |_| page.set(current - 1)>"Previous"</button>
                <button type="button" class=SECONDARY_BUTTON disabled={current >= last} on:click=move |_| page.set(current + 1)>"Next"</button>
            </div>
        </div>
    }
    .into_any()
}

/// "Add by usernames": a pasted list, checked with the server's rule before it is sent.
#[component]
pub fn PasteMembers(
    open: RwSignal<bool>,
    realm: String,
    group: String,
    group_name: String,
    action: ServerAction<AddGroupMembersByUsernames>,
) -> impl IntoView {
    close_on_success(action, open);
    let realm = StoredValue::new(realm);
    let group = StoredValue::new(group);
    view! {
        <Modal open=open id="paste-members" title=format!("Add members to {group_name} by username")>
            {move || {
                let text = RwSignal::new(String::new());
                let client_error: RwSignal<Option<String>> = RwSignal::new(None);
                let error = move || {
                    client_error.get().or_else(|| {
                        action.value().get().and_then(|r| r.err()).map(|e| {
                            e.field("usernames").unwrap_or_else(|| e.full_message())
                        })
                    })
                };
                let submit = move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    let typed = text.get_untracked();
                    match check_pasted_usernames(&typed) {
                        Err(message) => client_error.set(Some(message)),
                        Ok(_) => {
                            client_error.set(None);
                            action.dispatch(AddGroupMembersByUsernames {
                                realm: realm.get_value(),
                                group: group.get_value(),
                                usernames: typed,
                            });
                        }
                    }
                };
                view! {
                    <form on:submit=submit class="mt-4 flex flex-col gap-2" novalidate>
                        <label for="field-usernames" class="text-sm font-medium">"Usernames"</label>
                        <textarea id="field-usernames" rows="8" autofocus
                            aria-describedby="field-usernames-help field-usernames-error"
                            aria-invalid=move || error().is_some().then_some("true")
                            prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))
                            class="rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 aria-[invalid=true]:border-red-500 dark:border-slate-700 dark:bg-slate-950"></textarea>
                        <p id="field-usernames-help" class="text-xs text-slate-500 dark:text-slate-400">
                            "One per line, or separated by commas. Unknown usernames are listed back and not added."
                        </p>
                        <p id="field-usernames-error" class="text-sm text-red-700 dark:text-red-400">{error}</p>
                        <div class="mt-2 flex justify-end">
                            <button type="submit" class=PRIMARY_BUTTON disabled=move || action.pending().get()>
                                {move || if action.pending().get() { "Adding…" } else { "Add members" }}
                            </button>
                        </div>
                    </form>
                }
            }}
        </Modal>
    }
}
