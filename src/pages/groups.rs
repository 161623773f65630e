//! Directory → Groups: the realm's groups, paged through BI (one list call per view).

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::list_groups;
use crate::components::error::{ErrorBanner, Notice};
use crate::components::form::PRIMARY_BUTTON;
use crate::components::layout::use_me;
use crate::components::pager::{encode_component, Pager};
use crate::components::table::DataTable;
use crate::model::{human_date, Action, Group, PageView};
use crate::pages::identities::page_and_size;

#[component]
pub fn GroupsPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let realm = Memo::new(move |_| params.read().get("realm").unwrap_or_default());
    let me = use_me();
    let (page, size) = page_and_size(query);
    let deleted = Memo::new(move |_| query.read().get("deleted").filter(|d| !d.is_empty()));
    let removed = Memo::new(move |_| {
        query
            .read()
            .get("removed")
            .and_then(|r| r.parse::<u64>().ok())
    });
    let data = Resource::new(
        move || (realm.get(), page.get(), size.get()),
        |(realm, page, size)| list_groups(realm, page, size),
    );
    view! {
        <div class="mx-auto flex max-w-6xl flex-col gap-5">
            <div class="flex flex-wrap items-center justify-between gap-4">
                <h1 class="text-2xl font-semibold tracking-tight">"Groups"</h1>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        me.perms().await.can(Action::CreateGroup).then(|| view! {
                            <a href=format!("/realms/{}/groups/new", realm.get_untracked()) class=PRIMARY_BUTTON>"Create group"</a>
                        })
                    })}
                </Suspense>
            </div>
            {move || deleted.get().map(|name| {
                let line = match removed.get() {
                    Some(n) => format!("Removed {n} members and deleted {name}."),
                    None => format!("Deleted {name}."),
                };
                view! { <Notice lines=vec![line] /> }
            })}
            <section class="overflow-hidden rounded-lg border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900">
                <Transition fallback=|| view! { <p class="p-6 text-sm text-slate-500">"Loading groups…"</p> }>
                    {move || Suspend::new(async move {
                        let can_create = me.perms().await.can(Action::CreateGroup);
                        match data.await {
                            Ok(view) => view! { <GroupTable data=view realm=realm.get_untracked() can_create=can_create /> }.into_any(),
                            Err(e) => view! { <div class="p-4"><ErrorBanner error=e /></div> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
        </div>
    }
}

#[component]
fn GroupTable(data: PageView<Group>, realm: String, can_create: bool) -> impl IntoView {
    if data.items.is_empty() {
        return view! {
            <div class="flex flex-col items-start gap-3 p-8">
                <p id="empty-state" class="text-slate-700 dark:text-slate-300">"This realm has no groups yet."</p>
                {can_create.then(|| view! {
                    <a href=format!("/realms/{}/groups/new", encode_component(&realm)) class=PRIMARY_BUTTON>"Create group"</a>
                })}
            </div>
        }
        .into_any();
    }
    let shown = data.items.len();
    let rows = data
        .items
        .into_iter()
        .map(|g| {
            let created = g.create_time.clone().unwrap_or_default();
            view! {
                <tr class="hover:bg-slate-50 dark:hover:bg-slate-800/60">
                    <td class="px-4 py-2.5 font-medium">
                        <a href=format!("/realms/{}/groups/{}", encode_component(&realm), encode_component(&g.id)) class="text-indigo-700 hover:underline dark:text-indigo-300">{g.display_name.clone()}</a>
                    </td>
                    <td class="px-4 py-2.5 text-slate-600 dark:text-slate-400">{g.description.clone().unwrap_or_default()}</td>
                    <td class="px-4 py-2.5 text-slate-600 dark:text-slate-400">
                        <time datetime=created.clone() title=created.clone()>{human_date(&created)}</time>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <DataTable columns=&["Name", "Description", "Created"]>{rows}</DataTable>
        <Pager page=data.page size=data.size shown=shown total=data.total />
    }
    .into_any()
}
