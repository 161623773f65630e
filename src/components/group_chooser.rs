//! Choosing groups for one identity: the realm's groups in a dialog, 200 per page, searched by any part of the name
//! or description as the operator types (from the directory index; until it is ready, BI's pages filtered in the
//! browser), clicked to select several; groups already joined are marked and cannot be picked.

use leptos::prelude::*;

use crate::components::deferred::Deferred;

use crate::api::{search_groups, AddIdentityToGroups};
use crate::components::dialog::Modal;
use crate::components::error::ErrorBanner;
use crate::components::form::{PRIMARY_BUTTON, SECONDARY_BUTTON};
use crate::components::table::{PickRow, Selection};
use crate::model::{range_label, GroupSearch, MAX_PAGE_SIZE};

/// The realm's groups, 200 per page, searched as the operator types; groups already joined are marked.
#[component]
pub fn GroupChooser(
    open: RwSignal<bool>,
    realm: String,
    identity: String,
    username: String,
    joined: Vec<String>,
    join: ServerAction<AddIdentityToGroups>,
) -> impl IntoView {
    let realm = StoredValue::new(realm);
    let identity = StoredValue::new(identity);
    let joined = StoredValue::new(joined);
    view! {
        <Modal open=open id="group-chooser" title=format!("Add {username} to groups") wide=true>
            {move || {
                let filter = RwSignal::new(String::new());
                let q = RwSignal::new(String::new());
                let page = RwSignal::new(1u32);
                let chosen: Selection = RwSignal::new(Vec::new());
                let data = Resource::new(
                    move || (q.get(), page.get()),
                    move |(q, page)| search_groups(realm.get_value(), q, "name".into(), page, MAX_PAGE_SIZE),
                );
                let mut later = leptos::leptos_dom::helpers::debounce(std::time::Duration::from_millis(250), move |text: String| {
                    let text = text.trim().to_string();
                    if text != q.get_untracked() {
                        q.set(text);
                        page.set(1);
                    }
                });
                let add_now = move |_| {
                    join.dispatch(AddIdentityToGroups {
                        realm: realm.get_value(),
                        identity: identity.get_value(),
                        groups: chosen.get_untracked().into_iter().map(|(id, _)| id).collect(),
                    });
                };
                view! {
                    <label for="group-filter" class="sr-only">"Search groups"</label>
                    <input id="group-filter" type="search" autofocus placeholder="Search groups by name or description"
                        prop:value=move || filter.get() on:input=move |ev| { let text = event_target_value(&ev); filter.set(text.clone()); later(text); }
                        class="mt-4 w-full rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:border-slate-700 dark:bg-slate-950" />
                    <Transition fallback=|| view! { <p class="py-6 text-sm text-slate-500">"Loading groups…"</p> }>
                        {move || Suspend::new(async move {
                            match data.await {
                                Err(e) => view! { <ErrorBanner error=e /> }.into_any(),
                                Ok(groups) => Deferred::new(move || view! { <GroupRows data=groups filter=filter chosen=chosen joined=joined.get_value() page=page /> }).into_any(),
                            }
                        })}
                    </Transition>
                    <div class="mt-4 flex items-center justify-end gap-3">
                        <button type="button" class=PRIMARY_BUTTON disabled=move || chosen.read().is_empty() || join.pending().get() on:click=add_now>
                            {move || {
                                let n = chosen.read().len();
                                if join.pending().get() { "Adding…".to_string() }
                                else if n == 1 { "Add to 1 group".to_string() }
                                else { format!("Add to {n} groups") }
                            }}
                        </button>
                    </div>
                }
            }}
        </Modal>
    }
}

#[component]
fn GroupRows(
    data: GroupSearch,
    filter: RwSignal<String>,
    chosen: Selection,
    joined: Vec<String>,
    page: RwSignal<u32>,
) -> impl IntoView {
    let GroupSearch { page: data, index } = data;
    let label = range_label(data.page, data.size, data.items.len(), data.total);
    let (current, last) = (data.page, data.last_page());
    let rows = data
        .items
        .into_iter()
        .map(|listing| {
            let g = listing.group;
            let member = joined.contains(&g.id);
            // Until the index is ready the search reaches BI's page only: filtered here by name.
            let lower = g.display_name.to_lowercase();
            let searched = index.ready;
            let hidden = Signal::derive(move || !searched && !lower.contains(&filter.read().trim().to_lowercase()));
            view! {
                <PickRow chosen=chosen id=g.id.clone() name=g.display_name.clone() taken=member hidden=hidden>
                    <span class="w-56 truncate font-medium">{g.display_name.clone()}</span>
                    <span class="flex-1 truncate text-slate-500">{g.description.clone().unwrap_or_default()}</span>
                </PickRow>
            }
        })
        .collect_view();
    view! {
        <ul aria-label="Groups" class="mt-3 max-h-[50vh] divide-y divide-slate-100 overflow-y-auto rounded-md border border-slate-200 text-sm dark:divide-slate-800 dark:border-slate-800">
            {rows}
        </ul>
        <div class="mt-2 flex items-center justify-between text-sm text-slate-600 dark:text-slate-400">
            <span>{label}</span>
            <Show when=move || { last > 1 }>
                <div class="flex gap-2">
                    <button type="button" class=SECONDARY_BUTTON disabled={current <= 1} on:click=move |_| page.set(current - 1)>"Previous"</button>
                    <button type="button" class=SECONDARY_BUTTON disabled={current >= last} on:click=move |_| page.set(current + 1)>"Next"</button>
                </div>
            </Show>
        </div>
    }
}
