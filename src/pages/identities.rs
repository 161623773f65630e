//! Directory → Identities: the realm's identities, paged through BI (one list call per view), searchable by
//! username through BI's filter.

use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::{list_identities, BulkIdentities};
use crate::components::dialog::ConfirmDialog;
use crate::components::error::ErrorBanner;
use crate::components::form::PRIMARY_BUTTON;
use crate::components::layout::{use_me, Perms};
use crate::components::pager::{encode_component, Pager};
use crate::components::table::{DataTable, SelectAllBox, SelectBox, Selection, StatusBadge};
use crate::model::{
    bulk_summary, capitalize, clamp_page_size, human_date, Action, BulkOp, Identity, PageView,
};

const BAR_BUTTON: &str = "rounded-md border border-slate-300 bg-white px-3 py-1 text-sm font-medium hover:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:border-slate-700 dark:bg-slate-900 dark:hover:bg-slate-800";

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
    let me = use_me();
    let (page, size) = page_and_size(query);
    let q = Memo::new(move |_| query.read().get("q").unwrap_or_default().trim().to_string());
    let deleted = Memo::new(move |_| query.read().get("deleted").filter(|d| !d.is_empty()));

    let bulk = ServerAction::<BulkIdentities>::new();
    let data = Resource::new(
        move || {
            (
                realm.get(),
                page.get(),
                size.get(),
                q.get(),
                bulk.version().get(),
            )
        },
        |(realm, page, size, q, _)| list_identities(realm, page, size, q),
    );
    // Selected rows of the current page: (id, username). A new page or a finished bulk change clears it.
    let selected: RwSignal<Vec<(String, String)>> = RwSignal::new(Vec::new());
    Effect::new(move |_| {
        let _ = (
            realm.get(),
            page.get(),
            size.get(),
            q.get(),
            bulk.version().get(),
        );
        selected.set(Vec::new());
    });
    let pending_op: RwSignal<Option<BulkOp>> = RwSignal::new(None);
    let confirm_open = RwSignal::new(false);
    Effect::new(move |_| {
        if bulk.value().get().is_some() {
            confirm_open.set(false);
        }
    });
    let ask = move |op: BulkOp| {
        pending_op.set(Some(op));
        confirm_open.set(true);
    };
    let summary = Signal::derive(move || {
        let names: Vec<String> = selected.read().iter().map(|(_, u)| u.clone()).collect();
        pending_op
            .get()
            .map(|op| bulk_summary(op, &names))
            .unwrap_or_default()
    });
    let run_bulk = Callback::new(move |_| {
        if let Some(op) = pending_op.get_untracked() {
            bulk.dispatch(BulkIdentities {
                realm: realm.get_untracked(),
                op,
                ids: selected
                    .get_untracked()
                    .into_iter()
                    .map(|(id, _)| id)
                    .collect(),
            });
        }
    });
    let bulk_message = move || {
        let op = pending_op.get()?;
        match bulk.value().get()? {
            Err(e) => Some(view! { <ErrorBanner error=e /> }.into_any()),
            Ok(r) => {
                let total = r.succeeded + r.failed.len();
                let head = if r.failed.is_empty() {
                    format!(
                        "{} {} {}.",
                        capitalize(op.past()),
                        r.succeeded,
                        if r.succeeded == 1 {
                            "identity"
                        } else {
                            "identities"
                        }
                    )
                } else {
                    format!(
                        "{} {} of {total}; {} failed.",
                        capitalize(op.past()),
                        r.succeeded,
                        r.failed.len()
                    )
                };
                Some(view! {
                    <div id="bulk-result" role="status" class="rounded-md border border-emerald-300 bg-emerald-50 px-4 py-3 text-sm text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-200">
                        <p class="font-medium">{head}</p>
                        <ul class="mt-1 list-disc pl-5">
                            {r.failed.into_iter().map(|f| view! { <li>{format!("{}: {}", f.id, f.reason)}</li> }).collect_view()}
                        </ul>
                    </div>
                }.into_any())
            }
        }
    };

    view! {
        <div class="mx-auto flex max-w-6xl flex-col gap-5">
            <div class="flex flex-wrap items-center justify-between gap-4">
                <h1 class="text-2xl font-semibold tracking-tight">"Identities"</h1>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        me.perms().await.can(Action::CreateIdentity).then(|| view! {
                            <a href=format!("/realms/{}/identities/new", realm.get_untracked()) class=PRIMARY_BUTTON>"Add identity"</a>
                        })
                    })}
                </Suspense>
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
            {bulk_message}
            <Show when=move || !selected.read().is_empty()>
                <div role="region" aria-label="Bulk actions" class="flex flex-wrap items-center gap-3 rounded-lg border border-indigo-200 bg-indigo-50 px-4 py-2 text-sm dark:border-indigo-900 dark:bg-indigo-950">
                    <span id="selected-count" class="font-medium">{move || format!("{} selected", selected.read().len())}</span>
                    <Show when=move || me.perms_now().can(Action::SetStatus)>
                        <button type="button" class=BAR_BUTTON on:click=move |_| ask(BulkOp::Suspend)>"Suspend selected"</button>
                        <button type="button" class=BAR_BUTTON on:click=move |_| ask(BulkOp::Unsuspend)>"Unsuspend selected"</button>
                    </Show>
                    <Show when=move || me.perms_now().can(Action::DeleteIdentity)>
                        <button type="button" class=BAR_BUTTON on:click=move |_| ask(BulkOp::Delete)>"Delete selected"</button>
                    </Show>
                    <button type="button" class="ml-auto text-sm text-slate-600 hover:underline dark:text-slate-400" on:click=move |_| selected.set(Vec::new())>"Clear selection"</button>
                </div>
            </Show>
            <ConfirmDialog
                open=confirm_open
                title=Signal::derive(move || pending_op.get().map(|op| format!("{} identities?", op.verb())).unwrap_or_default())
                body=Signal::derive(move || {
                    let s = summary.get();
                    if pending_op.get() == Some(BulkOp::Delete) { format!("{s}. This cannot be undone.") } else { format!("{s}.") }
                })
                confirm_label=Signal::derive(move || pending_op.get().map(|op| format!("{} {}", op.verb(), selected.read().len())).unwrap_or_default())
                danger=true
                pending=bulk.pending()
                on_confirm=run_bulk
            />
            <section class="overflow-hidden rounded-lg border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900">
                <Transition fallback=|| view! { <p class="p-6 text-sm text-slate-500">"Loading identities…"</p> }>
                    {move || Suspend::new(async move {
                        let perms = me.perms().await;
                        match data.await {
                            Ok(view) => view! { <IdentityTable data=view q=q.get_untracked() realm=realm.get_untracked() selected=selected perms=perms /> }.into_any(),
                            Err(e) => view! { <div class="p-4"><ErrorBanner error=e /></div> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
        </div>
    }
}

#[component]
fn IdentityTable(
    data: PageView<Identity>,
    q: String,
    realm: String,
    selected: Selection,
    perms: Perms,
) -> impl IntoView {
    // Rows can be selected only by an operator who may change several at once.
    let selectable = perms.can(Action::SetStatus) || perms.can(Action::DeleteIdentity);
    if data.items.is_empty() {
        let message = if q.is_empty() {
            "This realm has no identities yet.".to_string()
        } else {
            format!("No identity with username \u{201c}{q}\u{201d}.")
        };
        return view! {
            <div class="flex flex-col items-start gap-3 p-8">
                <p id="empty-state" class="text-slate-700 dark:text-slate-300">{message}</p>
                {if q.is_empty() {
                    perms.can(Action::CreateIdentity).then(|| view! {
                        <a href=format!("/realms/{}/identities/new", encode_component(&realm))
                            class=PRIMARY_BUTTON>
                            "Add the first identity"
                        </a>
                    }).into_any()
                } else {
                    view! {
                        <a href="?" class="text-sm font-medium text-indigo-600 underline dark:text-indigo-400">"Show all identities"</a>
                    }.into_any()
                }}
            </div>
        }
        .into_any();
    }
    let shown = data.items.len();
    let on_page: Vec<(String, String)> = data
        .items
        .iter()
        .map(|i| (i.id.clone(), i.username().to_string()))
        .collect();
    let rows = data
        .items
        .into_iter()
        .map(|i| view! { <IdentityRow identity=i realm=realm.clone() selected=selected selectable=selectable /> })
        .collect_view();
    view! {
        <DataTable
            columns=&["Username", "Name", "Email", "Status", "Created"]
            lead=selectable.then(|| view! { <SelectAllBox selected=selected on_page=on_page /> }.into_any())
        >
            {rows}
        </DataTable>
        <Pager page=data.page size=data.size shown=shown total=data.total extra=vec![("q", q)] />
    }
    .into_any()
}

#[component]
fn IdentityRow(
    identity: Identity,
    realm: String,
    selected: Selection,
    selectable: bool,
) -> impl IntoView {
    let href = format!(
        "/realms/{}/identities/{}",
        encode_component(&realm),
        encode_component(&identity.id)
    );
    let suspended = identity.is_suspended();
    let created = identity.create_time.clone().unwrap_or_default();
    view! {
        <tr class="hover:bg-slate-50 dark:hover:bg-slate-800/60">
            {selectable.then(|| view! {
                <td class="px-4 py-2.5">
                    <SelectBox selected=selected id=identity.id.clone() name=identity.username().to_string() />
                </td>
            })}
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
                <StatusBadge suspended=suspended />
            </td>
            <td class="px-4 py-2.5 text-slate-600 dark:text-slate-400">
                <time datetime=created.clone() title=created.clone()>{human_date(&created)}</time>
            </td>
        </tr>
    }
}
