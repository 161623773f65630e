//! The line under a directory table that says how fresh the realm's index is: "Index updated 12:04 UTC (3 min ago)
//! · Refresh", or while the realm is indexed, a progress bar with counts that follows the work as it goes (read every
//! 1.5 s once the wasm runs) and, when the work ends, has the table read again. Refresh is a plain form before then.

use std::time::Duration;

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::api::{index_status, RefreshIndex};
use crate::components::markup::unless_hydrating;
use crate::components::poll::poll_while;
use crate::model::{escape_into, thousands, IndexState};

/// How often a running index's progress is read.
const POLL: Duration = Duration::from_millis(1500);

#[component]
pub fn Freshness(
    index: IndexState,
    realm: String,
    /// Called once the index work that was running has ended (e.g. to read the table again).
    on_done: Callback<()>,
) -> impl IntoView {
    let live = RwSignal::new(index);
    let refresh = ServerAction::<RefreshIndex>::new();
    Effect::new(move |_| {
        if let Some(Ok(state)) = refresh.value().get() {
            live.set(state);
        }
    });
    let realm = StoredValue::new(realm);
    let running = Signal::derive(move || live.read().running);
    poll_while(running, POLL, move || {
        leptos::task::spawn_local(async move {
            let Some(realm) = realm.try_get_value() else {
                return;
            };
            if let Ok(now) = index_status(realm).await {
                let ended = !now.running;
                live.try_set(now);
                if ended {
                    on_done.run(());
                }
            }
        });
    });
    // The line as HTML (see `markup`), drawn again as the work goes.
    let line = move || {
        let index = live.get();
        unless_hydrating(|| line_html(&index))
    };
    view! {
        <div id="index-freshness" class="flex flex-wrap items-center gap-3 border-t border-slate-200 px-4 py-2 text-xs text-slate-600 dark:border-slate-800 dark:text-slate-400">
            <div class="contents" inner_html=line></div>
            // A plain form posted to the server function before the wasm loads; after, sent without leaving the page.
            <form method="post" action=RefreshIndex::url() class="inline" on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                if let Some(realm) = realm.try_get_value() {
                    refresh.dispatch(RefreshIndex { realm });
                }
            }>
                <input type="hidden" name="realm" value=realm.get_value() />
                <button type="submit" class="font-medium text-indigo-700 underline hover:no-underline dark:text-indigo-300" disabled=move || refresh.pending().get() || live.read().running>
                    "Refresh"
                </button>
            </form>
        </div>
    }
}

/// What the line says: the index's progress while a first index runs, when it was last updated otherwise.
fn line_html(index: &IndexState) -> String {
    let mut out = String::new();
    match (&index.indexed_at, index.running) {
        (None, true) => {
            out.push_str(r#"<label for="index-progress">Indexing this realm: "#);
            out.push_str(&thousands(index.done));
            out.push_str(" of ");
            out.push_str(&thousands(index.total));
            out.push_str(&format!(
                r#"</label><progress id="index-progress" max="{}" value="{}" class="h-2 w-40"></progress><span>Until it is complete, search matches exact usernames.</span>"#,
                index.total.max(1),
                index.done
            ));
        }
        (None, false) => {
            out.push_str("<span>Search matches exact usernames until this realm is indexed.</span>")
        }
        (Some(at), running) => {
            out.push_str(r#"<span>Index updated <time datetime=""#);
            escape_into(&mut out, at);
            out.push_str(r#"">"#);
            escape_into(&mut out, at.get(11..16).unwrap_or(""));
            out.push_str(" UTC</time> (");
            out.push_str(&crate::model::ago(index.age_secs.unwrap_or(0)));
            out.push_str(")</span>");
            if running {
                out.push_str("<span>· refreshing…</span>");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_says_progress_then_freshness() {
        let mut index = IndexState {
            running: true,
            done: 1200,
            total: 5000,
            ..Default::default()
        };
        let html = line_html(&index);
        assert!(html.starts_with(r#"<label for="index-progress">Indexing this realm: 1,200 of 5,000</label><progress id="index-progress" max="5000" value="1200""#), "{html}");
        index.running = false;
        assert!(line_html(&index).contains("until this realm is indexed"));
        index.indexed_at = Some("2026-12-01T02:04:48Z".into());
        index.age_secs = Some(5);
        let html = line_html(&index);
        assert!(
            html.starts_with(
                r#"<span>Index updated <time datetime="2026-12-01T02:04:48Z">02:04 UTC</time> ("#
            ),
            "{html}"
        );
        assert!(!html.contains("refreshing"), "{html}");
        index.running = true;
        assert!(line_html(&index).ends_with("<span>· refreshing…</span>"));
    }
}
