//! Directory → Groups: the realm's groups with their member counts, from the directory index: search by any part
//! of the name or description, sort by name, members or created (all in the URL). Until the realm's first index is
//! complete, BI's pages (one list call per view), without search or counts.

use leptos::prelude::*;

use crate::components::deferred::Deferred;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::search_groups;
use crate::components::error::{ErrorBanner, Notice};
use crate::components::form::PRIMARY_BUTTON;
use crate::components::freshness::Freshness;
use crate::components::layout::use_me;
use crate::components::pager::{
    encode_component, query_string, search_as_you_type, submit_in_place, Pager,
};
use crate::components::table::{sort_heads, DataTable};
use crate::model::{human_date, Action, GroupSearch, Sort, SortKey};
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
    let q = Memo::new(move |_| query.read().get("q").unwrap_or_default().trim().to_string());
    let sort = Memo::new(move |_| Sort::parse(&query.read().get("sort").unwrap_or_default()));
    let (search_box, on_type) = search_as_you_type(q, move |typed| {
        (typed != q.get_untracked()).then(|| {
            let sort = sort.get_untracked().map(Sort::param).unwrap_or_default();
            format!(
                "/realms/{}/groups{}",
                encode_component(&realm.get_untracked()),
                query_string(
                    1,
                    size.get_untracked(),
                    &[("q", typed.to_string()), ("sort", sort)]
                )
            )
        })
    });
    let data = Resource::new(
        move || (realm.get(), page.get(), size.get(), q.get(), sort.get()),
        |(realm, page, size, q, sort)| {
            search_groups(
                realm,
                q,
                sort.map(Sort::param).unwrap_or_default(),
                page,
                size,
            )
        },
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
            <form method="get" role="search" class="flex max-w-md items-end gap-2" on:submit=submit_in_place()>
                <div class="flex min-w-0 flex-1 flex-col gap-1">
                    <label for="group-search" class="text-xs font-medium text-slate-600 dark:text-slate-400">"Search groups by name or description"</label>
                    <input id="group-search" node_ref=search_box type="search" name="q" value=move || q.get() on:input=on_type
                        class="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:border-slate-700 dark:bg-slate-900" />
                </div>
                <input type="hidden" name="sort" value=move || sort.get().map(Sort::param).unwrap_or_default() />
                <input type="hidden" name="size" value=move || size.get().to_string() />
                <button type="submit" class="rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium hover:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:border-slate-700 dark:hover:bg-slate-800">"Search"</button>
            </form>
            <section class="overflow-hidden rounded-lg border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900">
                <Transition fallback=|| view! { <p class="p-6 text-sm text-slate-500">"Loading groups…"</p> }>
                    {move || Suspend::new(async move {
                        let can_create = me.perms().await.can(Action::CreateGroup);
                        match data.await {
                            Ok(found) => {
                                let (index, realm) = (found.index.clone(), realm.get_untracked());
                                Deferred::new(move || view! {
                                    <GroupTable found=found q=q.get_untracked() sort=sort.get_untracked() realm=realm.clone() can_create=can_create />
                                    <Freshness index=index realm=realm on_done=Callback::new(move |_| data.refetch()) />
                                }).into_any()
                            }
                            Err(e) => view! { <div class="p-4"><ErrorBanner error=e /></div> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
        </div>
    }
}

#[component]
fn GroupTable(
    found: GroupSearch,
    q: String,
    sort: Option<Sort>,
    realm: String,
    can_create: bool,
) -> impl IntoView {
    let GroupSearch { page: data, index } = found;
    if data.items.is_empty() {
        let message = if q.is_empty() {
            "This realm has no groups yet.".to_string()
        } else {
            format!("No group matches \u{201c}{q}\u{201d}.")
        };
        return view! {
            <div class="flex flex-col items-start gap-3 p-8">
                <p id="empty-state" class="text-slate-700 dark:text-slate-300">{message}</p>
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
        .map(|listing| {
            let g = listing.group;
            let members = listing.members.map(|m| m.to_string()).unwrap_or_else(|| "—".into());
            let created = g.create_time.clone().unwrap_or_default();
            view! {
                <tr class="hover:bg-slate-50 dark:hover:bg-slate-800/60">
                    <td class="px-4 py-2.5 font-medium">
                        <a href=format!("/realms/{}/groups/{}", encode_component(&realm), encode_component(&g.id)) class="text-indigo-700 hover:underline dark:text-indigo-300">{g.display_name.clone()}</a>
                    </td>
                    <td class="px-4 py-2.5 text-slate-600 dark:text-slate-400">{g.description.clone().unwrap_or_default()}</td>
                    <td class="px-4 py-2.5 tabular-nums">{members}</td>
                    <td class="px-4 py-2.5 text-slate-600 dark:text-slate-400">
                        <time datetime=created.clone() title=created.clone()>{human_date(&created)}</time>
                    </td>
                </tr>
            }
        })
        .collect_view();
    let size = data.size;
    let extra = move |sort: Option<Sort>| {
        vec![
            ("q", q.clone()),
            ("sort", sort.map(Sort::param).unwrap_or_default()),
        ]
    };
    let link = |s: Sort| query_string(1, size, &extra(Some(s)));
    let columns = [
        ("Name", Some(SortKey::Name)),
        ("Description", None),
        ("Members", Some(SortKey::Members)),
        ("Created", Some(SortKey::Created)),
    ];
    let heads = sort_heads(&columns, sort, index.ready, &link);
    view! {
        <DataTable columns=&["Name", "Description", "Members", "Created"] heads=heads>{rows}</DataTable>
        <Pager page=data.page size=data.size shown=shown total=data.total extra=extra(sort) />
    }
    .into_any()
}
