//! The list table every screen uses: scrolls inside the page with a sticky header, and a status badge.

use leptos::prelude::*;

use crate::components::markup::{push_link_around, unless_hydrating};
use crate::model::escape_into;

/// A sort head's link.
const SORT_LINK: &str =
    "hover:underline focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500";

/// The classes of a table's body (`<tbody>`).
pub const BODY_CLASS: &str = "divide-y divide-slate-100 dark:divide-slate-800";

/// A table with a sticky header of `columns`; `lead` is an extra first header cell (e.g. select-all), `children`
/// the body rows (or `body`, a whole `<tbody>` of its own, with [`BODY_CLASS`]). Its scrolling box (both ways:
/// long lists, and wide rows on a phone) is a labelled region that takes keyboard focus, so it can be scrolled
/// without a mouse.
#[component]
pub fn DataTable(
    columns: &'static [&'static str],
    #[prop(optional_no_strip)] lead: Option<AnyView>,
    /// Header cells to use instead of `columns` (e.g. sortable ones).
    #[prop(optional)]
    heads: Option<AnyView>,
    /// The table's body, instead of a `<tbody>` of `children`.
    #[prop(optional)]
    body: Option<AnyView>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let heads = heads.unwrap_or_else(|| {
        columns
            .iter()
            .map(|c| view! { <th scope="col" class="px-4 py-2.5 font-semibold">{*c}</th> })
            .collect_view()
            .into_any()
    });
    view! {
        <div
            class="max-h-[70vh] overflow-auto focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500"
            role="region"
            aria-label="List"
            tabindex="0"
        >
            <table class="w-full text-left text-sm">
                <thead class="sticky top-0 bg-slate-50 text-xs uppercase tracking-wide text-slate-500 dark:bg-slate-800 dark:text-slate-400">
                    <tr>
                        {lead.map(|l| view! { <th scope="col" class="w-10 px-4 py-2.5">{l}</th> })}
                        {heads}
                    </tr>
                </thead>
                {body.unwrap_or_else(|| view! {
                    <tbody class=BODY_CLASS>{children.map(|c| c())}</tbody>
                }.into_any())}
            </table>
        </div>
    }
}

/// "Active" or "Suspended", as a coloured badge.
#[component]
pub fn StatusBadge(suspended: bool) -> impl IntoView {
    if suspended {
        view! { <span class="badge badge-suspended">"Suspended"</span> }
    } else {
        view! { <span class="badge badge-active">"Active"</span> }
    }
}

/// Rows picked for a bulk action: (id, name shown back in the confirmation).
pub type Selection = RwSignal<Vec<(String, String)>>;

/// A row's checkbox: adds or removes (`id`, `name`) from `selected`.
#[component]
pub fn SelectBox(selected: Selection, id: String, name: String) -> impl IntoView {
    let checked = {
        let id = id.clone();
        move || selected.read().iter().any(|(s, _)| s == &id)
    };
    let label = format!("Select {name}");
    let toggle = {
        let checked = checked.clone();
        move |_| {
            if checked() {
                selected.update(|v| v.retain(|(s, _)| s != &id));
            } else {
                selected.update(|v| v.push((id.clone(), name.clone())));
            }
        }
    };
    view! {
        <input type="checkbox" aria-label=label disabled=crate::components::ready::not_ready() prop:checked=checked on:change=toggle
            class="checkbox" />
    }
}

/// The header checkbox: selects every row of the page, or clears the selection when all are selected.
#[component]
pub fn SelectAllBox(selected: Selection, on_page: Vec<(String, String)>) -> impl IntoView {
    let all_checked = {
        let on_page = on_page.clone();
        move || {
            let sel = selected.read();
            !on_page.is_empty()
                && on_page
                    .iter()
                    .all(|(id, _)| sel.iter().any(|(s, _)| s == id))
        }
    };
    let toggle_all = {
        let all_checked = all_checked.clone();
        move |_| {
            if all_checked() {
                selected.set(Vec::new());
            } else {
                selected.set(on_page.clone());
            }
        }
    };
    view! {
        <input type="checkbox" aria-label="Select all on this page" disabled=crate::components::ready::not_ready() prop:checked=all_checked on:change=toggle_all
            class="checkbox" />
    }
}

/// A row of a picker list: clicking anywhere on it selects or unselects (`id`, `name`) in `chosen`. A row that
/// is already a member (`taken`) is marked "Member" and cannot be picked. `children` are the row's cells.
#[component]
pub fn PickRow(
    chosen: Selection,
    id: String,
    name: String,
    taken: bool,
    /// Hides the row (a client-side filter) while true.
    #[prop(optional, into)]
    hidden: Signal<bool>,
    children: Children,
) -> impl IntoView {
    let checked = {
        let id = id.clone();
        move || taken || chosen.read().iter().any(|(s, _)| s == &id)
    };
    let label = format!("Select {name}");
    let toggle = {
        let checked = checked.clone();
        move |_| {
            if taken {
                return;
            }
            if checked() {
                chosen.update(|v| v.retain(|(s, _)| s != &id));
            } else {
                chosen.update(|v| v.push((id.clone(), name.clone())));
            }
        }
    };
    let row_class = if taken {
        "flex cursor-not-allowed items-center gap-3 px-3 py-2 opacity-60"
    } else {
        "flex cursor-pointer items-center gap-3 px-3 py-2 hover:bg-slate-50 dark:hover:bg-slate-800/60"
    };
    view! {
        <li class:hidden=move || hidden.get()>
            <label class=row_class data-member=taken.to_string()>
                <input type="checkbox" disabled=taken prop:checked=checked on:change=toggle aria-label=label
                    class="h-4 w-4 rounded border-slate-300 focus-visible:ring-2 focus-visible:ring-indigo-500" />
                {children()}
                {taken.then(|| view! {
                    <span class="rounded-full bg-slate-200 px-2 py-0.5 text-xs font-medium text-slate-700 dark:bg-slate-700 dark:text-slate-200">"Member"</span>
                })}
            </label>
        </li>
    }
}

/// Header cells for `columns`; when `sortable`, each column with a sort key is a link (`link(sort)`) that sorts by
/// it, ascending first and the other way on the sorted column, which says so with `aria-sort`.
pub fn sort_heads(
    columns: &[(&'static str, Option<crate::model::SortKey>)],
    current: Option<crate::model::Sort>,
    sortable: bool,
    link: &dyn Fn(crate::model::Sort) -> String,
) -> AnyView {
    use crate::model::Sort;
    columns
        .iter()
        .map(|&(label, key)| {
            let key = key.filter(|_| sortable);
            let sorted = key.and_then(|k| current.filter(|s| s.key == k));
            let aria = sorted.map(|s| if s.descending { "descending" } else { "ascending" });
            // The cell's content as HTML (see `markup`): a label, or a link that sorts with an arrow after it.
            let html = unless_hydrating(|| {
                let mut out = String::new();
                match key {
                    None => escape_into(&mut out, label),
                    Some(k) => {
                        let next = Sort { key: k, descending: sorted.is_some_and(|s| !s.descending) };
                        let arrow = match aria {
                            Some("ascending") => " ▲",
                            Some(_) => " ▼",
                            None => "",
                        };
                        push_link_around(&mut out, &link(next), SORT_LINK, "", |out| {
                            escape_into(out, label);
                            out.push_str(r#"<span aria-hidden="true">"#);
                            out.push_str(arrow);
                            out.push_str("</span>");
                        });
                    }
                }
                out
            });
            view! { <th scope="col" aria-sort=aria class="px-4 py-2.5 font-semibold" inner_html=html></th> }
        })
        .collect_view()
        .into_any()
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::model::{Sort, SortKey};
    use leptos::tachys::view::RenderHtml;

    #[test]
    fn a_sorted_head_links_the_other_way_and_says_so() {
        let columns = [
            ("Username", Some(SortKey::Username)),
            ("Name <full>", Some(SortKey::Name)),
            ("Status", None),
        ];
        let current = Some(Sort {
            key: SortKey::Username,
            descending: false,
        });
        let link = |s: Sort| format!("?sort={}&size=25", s.param());
        let html = sort_heads(&columns, current, true, &link).to_html();
        assert!(html.contains(r#"aria-sort="ascending""#), "{html}");
        assert!(html.contains(r#"<a href="?sort=-username&amp;size=25" class="hover:underline focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500">Username<span aria-hidden="true"> ▲</span></a>"#), "{html}");
        assert!(html.contains(r#"<a href="?sort=name&amp;size=25" class="hover:underline focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500">Name &lt;full&gt;<span aria-hidden="true"></span></a>"#), "{html}");
        assert!(html.contains(">Status</th>"), "{html}");
        // Not sortable (a search by BI's exact username): labels only.
        let plain = sort_heads(&columns, None, false, &link).to_html();
        assert!(!plain.contains("<a "), "{plain}");
        assert!(!plain.contains("aria-sort"), "{plain}");
    }
}
