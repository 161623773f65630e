//! Directory → Identities: the realm's identities, paged through BI (one list call per view), searchable by
//! username through BI's filter.

use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::list_identities;
use crate::components::error::ErrorBanner;
use crate::components::pager::{encode_component, Pager};
use crate::model::{clamp_page_size, human_date, Identity, PageView};

/// The 1-based page number and the rows per page from the URL's `page` and `size`.
pub fn page_and_size(query: Memo<leptos_router::params::ParamsMap>) -> (Memo<u32>, Memo<u32>) {
    let page = Memo::new(move |_| {
        query
            .read()
            .get("page")
            .and_then(|p| p.parse::<u32>().ok())
            .unwrap_or(1)
            .max(1)
    });
    let size =
        Memo::new(move |_| clamp_page_size(query.read().get("size").and_then(|s| s.parse().ok())));
    (page, size)
}

#[component]
pub fn IdentitiesPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let realm = Memo::new(move |_| params.read().get("realm").unwrap_or_default());
    let (page, size) = page_and_size(query);
    let q = Memo::new(move |_| query.read().get("q").unwrap_or_default().trim().to_string());
    let deleted = Memo::new(move |_| query.read().get("deleted").filter(|d| !d.is_empty()));

    let data = Resource::new(
        move || (realm.get(), page.get(), size.get(), q.get()),
        |(realm, page, size, q)| list_identities(realm, page, size, q),
    );

    view! {
        <div class="mx-auto flex max-w-6xl flex-col gap-5">
            <div class="flex flex-wrap items-center justify-between gap-4">
                <h1 class="text-2xl font-semibold tracking-tight">"Identities"</h1>
                <a
                    href=move || format!("/realms/{}/identities/new", realm.get())
                    class="rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2"
                >
                    "Add identity"
                </a>
            </div>
            {move || deleted.get().map(|who| view! {
                <p role="status" class="rounded-md border border-emerald-300 bg-emerald-50 px-4 py-3 text-sm text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-200">
                    {format!("Deleted {who}.")}
                </p>
            })}
            <Form method="get" action="" attr:role="search" attr:class="flex max-w-md items-center gap-2">
                <label for="identity-search" class="sr-only">"Search by username"</label>
                <input
                    id="identity-search"
                    type="search"
                    name="q"
                    placeholder="Search by exact username"
                    value=move || q.get()
                    class="w-full rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:border-slate-700 dark:bg-slate-900"
                />
                <input type="hidden" name="size" value=move || size.get().to_string() />
                <button type="submit" class="rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium hover:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:border-slate-700 dark:hover:bg-slate-800">
                    "Search"
                </button>
            </Form>
            <section class="overflow-hidden rounded-lg border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900">
                <Transition fallback=|| view! { <p class="p-6 text-sm text-slate-500">"Loading identities…"</p> }>
                    {move || Suspend::new(async move {
                        match data.await {
                            Ok(view) => view! { <IdentityTable data=view q=q.get_untracked() realm=realm.get_untracked() /> }.into_any(),
                            Err(e) => view! { <div class="p-4"><ErrorBanner error=e /></div> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
        </div>
    }
}

#[component]
fn IdentityTable(data: PageView<Identity>, q: String, realm: String) -> impl IntoView {
    if data.items.is_empty() {
        let message = if q.is_empty() {
            "This realm has no identities yet.".to_string()
        } else {
            format!("No identity with username \u{201c}{q}\u{201d}.")
        };
        return view! {
            <div class="flex flex-col items-start gap-3 p-8">
                <p id="empty-state" class="text-slate-700 dark:text-slate-300">{message}</p>
                {(!q.is_empty()).then(|| view! {
                    <a href="?" class="text-sm font-medium text-indigo-600 underline dark:text-indigo-400">"Show all identities"</a>
                })}
            </div>
        }
        .into_any();
    }
    let shown = data.items.len();
    let rows = data
        .items
        .into_iter()
        .map(|i| view! { <IdentityRow identity=i realm=realm.clone() /> })
        .collect_view();
    view! {
        <div class="max-h-[70vh] overflow-auto">
            <table class="w-full text-left text-sm">
                <thead class="sticky top-0 bg-slate-50 text-xs uppercase tracking-wide text-slate-500 dark:bg-slate-800 dark:text-slate-400">
                    <tr>
                        <th scope="col" class="px-4 py-2.5 font-semibold">"Username"</th>
                        <th scope="col" class="px-4 py-2.5 font-semibold">"Name"</th>
                        <th scope="col" class="px-4 py-2.5 font-semibold">"Email"</th>
                        <th scope="col" class="px-4 py-2.5 font-semibold">"Status"</th>
                        <th scope="col" class="px-4 py-2.5 font-semibold">"Created"</th>
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100 dark:divide-slate-800">{rows}</tbody>
            </table>
        </div>
        <Pager page=data.page size=data.size shown=shown total=data.total extra=vec![("q", q)] />
    }
    .into_any()
}

#[component]
fn IdentityRow(identity: Identity, realm: String) -> impl IntoView {
    let href = format!(
        "/realms/{}/identities/{}",
        encode_component(&realm),
        encode_component(&identity.id)
    );
    let suspended = identity.is_suspended();
    let created = identity.create_time.clone().unwrap_or_default();
    view! {
        <tr class="hover:bg-slate-50 dark:hover:bg-slate-800/60">
            <td class="px-4 py-2.5 font-medium">
                <a href=href class="text-indigo-700 hover:underline focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:text-indigo-300">
                    {identity.username().to_string()}
                </a>
            </td>
            <td class="px-4 py-2.5">{identity.display_name.clone()}</td>
            <td class="px-4 py-2.5 text-slate-600 dark:text-slate-400">
                {match identity.email() {
                    "" => view! { <span class="text-slate-400">"—"</span> }.into_any(),
                    e => e.to_string().into_any(),
                }}
            </td>
            <td class="px-4 py-2.5">
                {if suspended {
                    view! { <span class="rounded-full bg-red-100 px-2 py-0.5 text-xs font-medium text-red-800 dark:bg-red-900/40 dark:text-red-200">"Suspended"</span> }.into_any()
                } else {
                    view! { <span class="rounded-full bg-emerald-100 px-2 py-0.5 text-xs font-medium text-emerald-800 dark:bg-emerald-900/40 dark:text-emerald-200">"Active"</span> }.into_any()
                }}
            </td>
            <td class="px-4 py-2.5 text-slate-600 dark:text-slate-400">
                <time datetime=created.clone() title=created.clone()>{human_date(&created)}</time>
            </td>
        </tr>
    }
}
