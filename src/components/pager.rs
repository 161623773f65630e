//! "1–25 of 63", numbered page links and rows per page; all state in the URL so deep links and Back work.

use leptos::prelude::*;

use crate::components::markup::{options_html, push_link, unless_hydrating};
use crate::model::{last_page, range_label, PAGE_SIZES};

/// `?page=…&size=…` plus `extra` (e.g. the search query), percent-encoded.
pub fn query_string(page: u32, size: u32, extra: &[(&str, String)]) -> String {
    let mut parts = Vec::new();
    for (k, v) in extra {
        if !v.is_empty() {
            parts.push(format!("{k}={}", encode_component(v)));
        }
    }
    if page > 1 {
        parts.push(format!("page={page}"));
    }
    parts.push(format!("size={size}"));
    format!("?{}", parts.join("&"))
}

pub use crate::model::encode_component;

/// A search box tied to the address's `q`: returns the box's reference (`node_ref=`) and its `on:input` handler.
/// Once the operator pauses typing, the page goes to `url(typed)` (when it answers one), replacing the history entry
/// so that Back skips the keystrokes; before the wasm loads, the search form's button does the same with a plain GET.
/// A pause that ends after the page has gone elsewhere (the search sent with Enter, a link followed) goes nowhere:
/// the operator's later choice stands. And when the page moves without the box (a link such as "Show all", Back),
/// the box is given `q` unless it already says it, give or take spaces at its ends (so typing is never undone).
pub fn search_as_you_type(
    q: Memo<String>,
    url: impl Fn(&str) -> Option<String> + 'static,
) -> (NodeRef<leptos::html::Input>, impl FnMut(leptos::ev::Event)) {
    let navigate = leptos_router::hooks::use_navigate();
    // Counts the page's moves (its address changing): the pause goes only if none came after the keystroke.
    let location = leptos_router::hooks::use_location();
    let moves = StoredValue::new(0u32);
    Effect::new(move |_| {
        location.pathname.track();
        location.search.track();
        moves.update_value(|n| *n = n.wrapping_add(1));
    });
    let input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        let q = q.get();
        if let Some(input) = input.get() {
            if input.value().trim() != q {
                input.set_value(&q);
            }
        }
    });
    let mut later = leptos::leptos_dom::helpers::debounce(
        std::time::Duration::from_millis(300),
        move |(typed, moves_then): (String, u32)| {
            if moves.get_value() != moves_then {
                return;
            }
            if let Some(to) = url(typed.trim()) {
                navigate(
                    &to,
                    leptos_router::NavigateOptions {
                        replace: true,
                        scroll: false,
                        ..Default::default()
                    },
                );
            }
        },
    );
    let on_input = move |ev| later((leptos::prelude::event_target_value(&ev), moves.get_value()));
    (input, on_input)
}

/// An `on:submit` handler for a GET form whose action is its own page (a search, a filter): the browser's own
/// submit before the wasm loads; after it, the same address (the form's fields as the query, as the browser would
/// send them) reached through the router, without reloading the page.
pub fn submit_in_place() -> impl Fn(leptos::ev::SubmitEvent) + Clone + 'static {
    let navigate = leptos_router::hooks::use_navigate();
    move |ev| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let query = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
                .and_then(|form| web_sys::FormData::new_with_form(&form).ok())
                .and_then(|data| {
                    web_sys::UrlSearchParams::new_with_str_sequence_sequence(&data).ok()
                });
            if let Some(query) = query {
                ev.prevent_default();
                let path = leptos::prelude::location().pathname().unwrap_or_default();
                navigate(
                    &format!("{path}?{}", String::from(query.to_string())),
                    Default::default(),
                );
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, &navigate);
    }
}

/// Page numbers to show around `page`: first, last, and two either side; `None` marks a gap.
pub fn page_numbers(page: u32, last: u32) -> Vec<Option<u32>> {
    let mut out = Vec::new();
    let mut prev = 0;
    for n in 1..=last {
        if n == 1 || n == last || n.abs_diff(page) <= 2 {
            if prev != 0 && n > prev + 1 {
                out.push(None);
            }
            out.push(Some(n));
            prev = n;
        }
    }
    out
}

#[component]
pub fn Pager(
    page: u32,
    size: u32,
    shown: usize,
    total: u64,
    /// Other query parameters to keep (the search, say).
    #[prop(optional)]
    extra: Vec<(&'static str, String)>,
) -> impl IntoView {
    let last = last_page(total, size);
    let link = {
        let extra = extra.clone();
        move |p: u32| query_string(p, size, &extra)
    };
    let navigate = leptos_router::hooks::use_navigate();
    let extra_for_size = extra.clone();
    let hidden = extra
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| view! { <input type="hidden" name=*k value=v.clone() /> })
        .collect_view();
    let links = unless_hydrating(|| pager_links(page, last, &link));
    let sizes = unless_hydrating(|| {
        let sizes: Vec<String> = PAGE_SIZES.iter().map(u32::to_string).collect();
        options_html(
            sizes.iter().map(|s| (s.as_str(), s.as_str())),
            &size.to_string(),
        )
    });
    view! {
        <div class="flex flex-wrap items-center justify-between gap-3 border-t border-slate-200 px-4 py-3 text-sm dark:border-slate-800">
            <p id="range-label" class="text-slate-600 dark:text-slate-400">{range_label(page, size, shown, total)}</p>
            <nav aria-label="Pagination" class="flex items-center gap-1" inner_html=links></nav>
            <form method="get" class="flex items-center gap-2">
                {hidden}
                <label for="page-size" class="text-slate-600 dark:text-slate-400">"Rows per page"</label>
                <select
                    id="page-size"
                    name="size"
                    on:change=move |ev| {
                        if let Ok(n) = event_target_value(&ev).parse::<u32>() {
                            navigate(&query_string(1, n, &extra_for_size), Default::default());
                        }
                    }
                    class="rounded-md border border-slate-300 bg-white px-2 py-1 dark:border-slate-700 dark:bg-slate-800"
                    inner_html=sizes
                ></select>
                <noscript><button type="submit" class="rounded-md border px-2 py-1">"Apply"</button></noscript>
            </form>
        </div>
    }
}

/// The pager's links as HTML (see `markup`): Previous, the page numbers around `page` (the current one marked,
/// gaps as "…"), Next; `link(n)` is page `n`'s address.
fn pager_links(page: u32, last: u32, link: &dyn Fn(u32) -> String) -> String {
    const LINK: &str = "rounded-md px-2.5 py-1 text-sm hover:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:hover:bg-slate-800";
    let mut out = String::new();
    if page > 1 {
        push_link(
            &mut out,
            &link(page - 1),
            LINK,
            r#" rel="prev""#,
            "Previous",
        );
    }
    for n in page_numbers(page, last) {
        match n {
            None => out.push_str(r#"<span class="px-1 text-slate-400">…</span>"#),
            Some(n) if n == page => {
                out.push_str(r#"<span aria-current="page" class="rounded-md bg-indigo-600 px-2.5 py-1 text-sm font-semibold text-white">"#);
                out.push_str(&n.to_string());
                out.push_str("</span>");
            }
            Some(n) => {
                let number = n.to_string();
                push_link(
                    &mut out,
                    &link(n),
                    LINK,
                    &format!(r#" aria-label="Page {n}""#),
                    &number,
                );
            }
        }
    }
    if page < last {
        push_link(&mut out, &link(page + 1), LINK, r#" rel="next""#, "Next");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_keep_search_and_size() {
        assert_eq!(query_string(1, 25, &[]), "?size=25");
        assert_eq!(
            query_string(3, 50, &[("q", "zoë a".into())]),
            "?q=zo%C3%AB%20a&page=3&size=50"
        );
    }

    #[test]
    fn pager_links_go_around_the_page() {
        let links = pager_links(2, 5, &|n| format!("?page={n}&size=25"));
        assert!(
            links.starts_with(r#"<a href="?page=1&amp;size=25" class=""#),
            "{links}"
        );
        assert!(links.contains(r#"rel="prev">Previous</a>"#), "{links}");
        assert!(links.contains(r#"<span aria-current="page" class="rounded-md bg-indigo-600 px-2.5 py-1 text-sm font-semibold text-white">2</span>"#), "{links}");
        assert!(links.contains(r#"aria-label="Page 4">4</a>"#), "{links}");
        assert!(!links.contains('…'), "{links}");
        assert!(links.ends_with(r#"rel="next">Next</a>"#), "{links}");
        let first = pager_links(1, 1, &|n| format!("?page={n}"));
        assert!(
            !first.contains("Previous") && !first.contains("Next"),
            "{first}"
        );
        assert!(pager_links(1, 9, &|n| format!("?page={n}")).contains("…"));
    }

    #[test]
    fn page_numbers_have_gaps() {
        assert_eq!(page_numbers(1, 3), vec![Some(1), Some(2), Some(3)]);
        assert_eq!(
            page_numbers(5, 10),
            vec![
                Some(1),
                None,
                Some(3),
                Some(4),
                Some(5),
                Some(6),
                Some(7),
                None,
                Some(10)
            ]
        );
    }
}
