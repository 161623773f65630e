//! Directory → Identities: the realm's identities from the directory index: one search box over any part of the
//! username, name, email or external id, status and enrollment filters, sortable columns, the realm's Enrollment
//! Summary, and how fresh the index is. All of it in the URL (plain links and a GET form before the wasm loads).
//! Until a realm's first index is complete the page lists BI's pages and matches exact usernames, and says so.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::search_identities;
use crate::components::deferred::Deferred;
use crate::components::error::ErrorBanner;
use crate::components::form::{PRIMARY_BUTTON, SECONDARY_BUTTON};
use crate::components::freshness::Freshness;
use crate::components::layout::{use_me, Perms};
use crate::components::markup::{options_html, push_link_around, unless_hydrating};
use crate::components::pager::{
    encode_component, query_string, search_as_you_type, submit_in_place, Pager,
};
use crate::components::table::{sort_heads, DataTable, SelectAllBox, Selection};
use crate::model::{
    clamp_page_size, enrollment_label, escape_into, known_enrollment_label, search_text_problem,
    thousands, Action, IdentityFilter, IdentityRow, IdentitySearch, IndexState, Sort, SortKey,
};
use crate::pages::identities_bulk::SelectionTools;
use crate::pages::identity_rows::{IdentityRows, RowsAsKeys};

/// The Status filter's choices (value, label).
const STATUSES: [(&str, &str); 3] = [
    ("", "Any"),
    ("active", "Active"),
    ("suspended", "Suspended"),
];
/// The Enrollment filter's choices after "Any".
const ENROLLMENTS: [&str; 4] = ["ENROLLED", "PENDING", "INVITE_FAILED", "UNENROLLED"];

const FIELD: &str = "rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:border-slate-700 dark:bg-slate-900";

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
    let filter = Memo::new(move |_| {
        let m = query.read();
        let get = |k: &str| m.get(k).unwrap_or_default().trim().to_string();
        IdentityFilter {
            q: get("q"),
            status: get("status"),
            enrollment: get("enrollment"),
            sort: Sort::parse(&get("sort")),
        }
    });
    let q = Memo::new(move |_| filter.read().q.clone());
    // Text the search refuses is said on the field (the server says the same if asked).
    let q_problem = Memo::new(move |_| search_text_problem(&q.read()));
    // As the operator types (after a pause) and as a filter changes, the URL follows: typing replaces the
    // history entry, a filter adds one (Back undoes it). Before the wasm loads, the form's Search does the same.
    let url = move |f: &IdentityFilter| {
        format!(
            "/realms/{}/identities{}",
            encode_component(&realm.get_untracked()),
            query_string(1, size.get_untracked(), &filter_params(f))
        )
    };
    let (search_box, on_type) = search_as_you_type(q, move |typed| {
        let f = filter.get_untracked();
        (typed != f.q).then(|| {
            url(&IdentityFilter {
                q: typed.to_string(),
                ..f
            })
        })
    });
    let navigate = leptos_router::hooks::use_navigate();
    let go = move |f: IdentityFilter| navigate(&url(&f), Default::default());
    let on_status = {
        let go = go.clone();
        move |ev: leptos::ev::Event| {
            go(IdentityFilter {
                status: event_target_value(&ev),
                ..filter.get_untracked()
            })
        }
    };
    let on_enrollment = move |ev: leptos::ev::Event| {
        go(IdentityFilter {
            enrollment: event_target_value(&ev),
            ..filter.get_untracked()
        })
    };
    let deleted = Memo::new(move |_| query.read().get("deleted").filter(|d| !d.is_empty()));
    // The filters' options as HTML (see `markup`), drawn again when the address's filter changes (Back, a link).
    let status_options = move || {
        let chosen = filter.read().status.clone();
        unless_hydrating(|| options_html(STATUSES, &chosen))
    };
    let enrollment_options = move || {
        let chosen = filter.read().enrollment.clone();
        unless_hydrating(|| {
            let labels = ENROLLMENTS.map(|v| (v, known_enrollment_label(v).unwrap_or(v)));
            options_html(std::iter::once(("", "Any")).chain(labels), &chosen)
        })
    };

    // Counts the selection's changes that have ended (bulk status changes, deletions): each reads the page again.
    let changed = RwSignal::new(0u32);
    let data: Resource<_, RowsAsKeys> = Resource::new_with_options(
        move || {
            (
                realm.get(),
                page.get(),
                size.get(),
                filter.get(),
                changed.get(),
            )
        },
        |(realm, page, size, filter, _)| search_identities(realm, filter, page, size),
        false,
    );
    // Selected rows of the current page: (id, username). A new page or a finished bulk change clears it.
    let selected: RwSignal<Vec<(String, String)>> = RwSignal::new(Vec::new());
    Effect::new(move |_| {
        let _ = (
            realm.get(),
            page.get(),
            size.get(),
            filter.get(),
            changed.get(),
        );
        selected.set(Vec::new());
    });
    view! {
        <div class="mx-auto flex max-w-6xl flex-col gap-5">
            <div class="flex flex-wrap items-center justify-between gap-4">
                <h1 class="text-2xl font-semibold tracking-tight">"Identities"</h1>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        let add = me.perms().await.can(Action::CreateIdentity);
                        let export = move || format!("/realms/{}/export?{}", realm.get(), export_query(&query.read()));
                        view! {
                            <div class="flex flex-wrap items-center gap-2">
                                <a href=export class=SECONDARY_BUTTON download="">"Export CSV"</a>
                                {add.then(|| view! {
                                    <a href=format!("/realms/{}/import", realm.get_untracked()) class=SECONDARY_BUTTON>"Import"</a>
                                    <a href=format!("/realms/{}/identities/new", realm.get_untracked()) class=PRIMARY_BUTTON>"Add identity"</a>
                                })}
                            </div>
                        }
                    })}
                </Suspense>
            </div>
            {move || deleted.get().map(|who| view! {
                <p role="status" class="rounded-md border border-emerald-300 bg-emerald-50 px-4 py-3 text-sm text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-200">
                    {format!("Deleted {who}.")}
                </p>
            })}
            <form method="get" role="search" class="flex flex-wrap items-end gap-2" on:submit=submit_in_place()>
                <div class="flex min-w-0 flex-1 basis-64 flex-col gap-1">
                    <label for="identity-search" class="text-xs font-medium text-slate-600 dark:text-slate-400">"Search by name, username, email or external ID"</label>
                    <input
                        id="identity-search"
                        node_ref=search_box
                        type="search"
                        name="q"
                        placeholder="e.g. lovelace or @finance.example"
                        value=move || q.get()
                        on:input=on_type
                        aria-invalid=move || q_problem.get().is_some().then_some("true")
                        aria-describedby="identity-search-error"
                        class=FIELD
                    />
                    <p id="identity-search-error" class="text-sm text-red-700 empty:hidden dark:text-red-400">{move || q_problem.get()}</p>
                </div>
                <div class="flex flex-col gap-1">
                    <label for="status-filter" class="text-xs font-medium text-slate-600 dark:text-slate-400">"Status"</label>
                    <select id="status-filter" name="status" class=FIELD on:change=on_status inner_html=status_options></select>
                </div>
                <div class="flex flex-col gap-1">
                    <label for="enrollment-filter" class="text-xs font-medium text-slate-600 dark:text-slate-400">"Enrollment"</label>
                    <select id="enrollment-filter" name="enrollment" class=FIELD on:change=on_enrollment inner_html=enrollment_options></select>
                </div>
                <input type="hidden" name="sort" value=move || filter.read().sort.map(Sort::param).unwrap_or_default() />
                <input type="hidden" name="size" value=move || size.get().to_string() />
                <button type="submit" class="rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium hover:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:border-slate-700 dark:hover:bg-slate-800">
                    "Search"
                </button>
            </form>
            <SelectionTools realm=realm selected=selected me=me changed=changed />
            <section class="overflow-hidden rounded-lg border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900">
                <Transition fallback=|| view! { <p class="p-6 text-sm text-slate-500">"Loading identities…"</p> }>
                    {move || Suspend::new(async move {
                        let perms = me.perms().await;
                        match data.await {
                            // Made once, when rendered (see `Deferred`): 50 rows are most of a page view's work.
                            Ok(found) => Deferred::new(move || view! { <Found found=found filter=filter.get_untracked() realm=realm.get_untracked() selected=selected perms=perms on_done=Callback::new(move |_| data.refetch()) /> }).into_any(),
                            Err(e) if e.field("q").is_some() => ().into_any(),
                            Err(e) => view! { <div class="p-4"><ErrorBanner error=e /></div> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
        </div>
    }
}

/// The filter's parameters, for links that keep it.
fn filter_params(filter: &IdentityFilter) -> Vec<(&'static str, String)> {
    let sort = filter.sort.map(Sort::param).unwrap_or_default();
    vec![
        ("q", filter.q.clone()),
        ("status", filter.status.clone()),
        ("enrollment", filter.enrollment.clone()),
        ("sort", sort),
    ]
}

/// A search's answer: the Enrollment Summary, the table, the pager and the index's freshness.
#[component]
fn Found(
    found: IdentitySearch,
    filter: IdentityFilter,
    realm: String,
    selected: Selection,
    perms: Perms,
    /// Reads the page again (once index work that was running has ended).
    on_done: Callback<()>,
) -> impl IntoView {
    let IdentitySearch {
        page,
        summary,
        index,
    } = found;
    let size = page.size;
    view! {
        <EnrollmentSummary summary=summary filter=filter.clone() size=size />
        <IdentityTable data=page filter=filter index=index.clone() realm=realm.clone() selected=selected perms=perms />
        <Freshness index=index realm=realm on_done=on_done />
    }
}

/// The realm's counts per enrollment status, each a link that filters by it (as HTML, see `markup`).
#[component]
fn EnrollmentSummary(
    summary: Vec<crate::model::EnrollmentCount>,
    filter: IdentityFilter,
    size: u32,
) -> impl IntoView {
    (!summary.is_empty()).then(|| {
        let html = unless_hydrating(|| summary_html(&summary, &filter, size));
        view! { <nav aria-label="Enrollment summary" class="px-4 pt-4" inner_html=html></nav> }
    })
}

/// The Enrollment Summary's list: "All" with the total, then each status with its count and share.
fn summary_html(
    summary: &[crate::model::EnrollmentCount],
    filter: &IdentityFilter,
    size: u32,
) -> String {
    const LINK: &str = "flex items-baseline gap-2 rounded-md border border-slate-200 px-3 py-1.5 hover:bg-slate-50 dark:border-slate-800 dark:hover:bg-slate-800";
    let total: u64 = summary.iter().map(|s| s.count).sum();
    let mut out = String::from(r#"<ul class="flex flex-wrap gap-2 text-sm">"#);
    let mut item = |enrollment: &str, label: &str, count: String| {
        let f = IdentityFilter {
            enrollment: enrollment.to_string(),
            ..filter.clone()
        };
        out.push_str("<li>");
        let href = query_string(1, size, &filter_params(&f));
        push_link_around(&mut out, &href, LINK, "", |out| {
            out.push_str(r#"<span class="font-medium">"#);
            escape_into(out, label);
            out.push_str(
                r#"</span><span class="tabular-nums text-slate-600 dark:text-slate-400">"#,
            );
            out.push_str(&count);
            out.push_str("</span>");
        });
        out.push_str("</li>");
    };
    item("", "All", total.to_string());
    for s in summary {
        let percent = (s.count * 100 + total / 2) / total.max(1);
        item(
            &s.status,
            &enrollment_label(&s.status),
            format!("{} ({percent}%)", s.count),
        );
    }
    out.push_str("</ul>");
    out
}

#[component]
fn IdentityTable(
    data: crate::model::PageView<IdentityRow>,
    filter: IdentityFilter,
    index: IndexState,
    realm: String,
    selected: Selection,
    perms: Perms,
) -> impl IntoView {
    // Rows can be selected only by an operator who may change several at once.
    let selectable = perms.can(Action::SetStatus)
        || perms.can(Action::DeleteIdentity)
        || perms.can(Action::Invite);
    let q = filter.q.clone();
    let narrowed = filter.q.is_empty() && filter.status.is_empty() && filter.enrollment.is_empty();
    if data.items.is_empty() {
        let message = if narrowed {
            "This realm has no identities yet.".to_string()
        } else if q.is_empty() {
            "No identity matches these filters.".to_string()
        } else if filter.status.is_empty() && filter.enrollment.is_empty() {
            format!("No identity matches \u{201c}{q}\u{201d}.")
        } else {
            format!("No identity matches \u{201c}{q}\u{201d} with these filters.")
        };
        return view! {
            <div class="flex flex-col items-start gap-3 p-8">
                <p id="empty-state" class="text-slate-700 dark:text-slate-300">{message}</p>
                {if narrowed {
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
        .map(|i| (i.id.clone(), i.username.clone()))
        .collect();
    let size = data.size;
    let columns = [
        ("Username", Some(SortKey::Username)),
        ("Name", Some(SortKey::Name)),
        ("Email", Some(SortKey::Email)),
        ("Status", None),
        ("Enrollment", Some(SortKey::Enrollment)),
        ("Created", Some(SortKey::Created)),
    ];
    let link = |sort: Sort| {
        let f = IdentityFilter {
            sort: Some(sort),
            ..filter.clone()
        };
        query_string(1, size, &filter_params(&f))
    };
    let heads = sort_heads(&columns, filter.sort, index.ready, &link);
    let body = view! { <IdentityRows items=data.items realm=realm selected=selected selectable=selectable on_page=on_page.clone() /> }.into_any();
    view! {
        <p id="match-count" class="px-4 pt-3 text-sm text-slate-600 dark:text-slate-400">
            {format!("{} {}", thousands(data.total), if data.total == 1 { "identity" } else { "identities" })}
        </p>
        <DataTable
            columns=&["Username", "Name", "Email", "Status", "Enrollment", "Created"]
            lead=selectable.then(|| view! { <SelectAllBox selected=selected on_page=on_page /> }.into_any())
            heads=heads
            body=body
        />
        <Pager page=data.page size=data.size shown=shown total=data.total extra=filter_params(&filter) />
    }
    .into_any()
}

/// The Identities page's search, for its export: the search text and filters (not the page or the sort).
fn export_query(query: &leptos_router::params::ParamsMap) -> String {
    ["q", "status", "enrollment"]
        .iter()
        .filter_map(|k| {
            query
                .get(k)
                .filter(|v| !v.is_empty())
                .map(|v| format!("{k}={}", encode_component(&v)))
        })
        .chain(std::iter::once("format=csv".to_string()))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::EnrollmentCount;

    #[test]
    fn the_summary_links_each_status_with_its_share() {
        let summary = [
            EnrollmentCount {
                status: "ENROLLED".into(),
                count: 2,
            },
            EnrollmentCount {
                status: "ODD_ONE".into(),
                count: 1,
            },
        ];
        let filter = IdentityFilter {
            q: "a&b".into(),
            ..Default::default()
        };
        let html = summary_html(&summary, &filter, 25);
        assert!(
            html.starts_with(
                r#"<ul class="flex flex-wrap gap-2 text-sm"><li><a href="?q=a%26b&amp;size=25""#
            ),
            "{html}"
        );
        assert!(html.contains(r#"<span class="font-medium">All</span><span class="tabular-nums text-slate-600 dark:text-slate-400">3</span>"#), "{html}");
        assert!(
            html.contains(r#"href="?q=a%26b&amp;enrollment=ENROLLED&amp;size=25""#),
            "{html}"
        );
        assert!(html.contains(">Enrolled</span><span class=\"tabular-nums text-slate-600 dark:text-slate-400\">2 (67%)</span>"), "{html}");
        assert!(html.contains(">Odd one</span>"), "{html}");
    }
}
