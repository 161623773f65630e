//! The line under a directory table that says how fresh the realm's index is: "Index updated 12:04 UTC (3 min ago)
//! · Refresh", or while the realm is indexed, a progress bar with counts that follows the work as it goes (read every
//! 1.5 s once the wasm runs) and, when the work ends, has the table read again. Refresh is a plain form before then.

use std::time::Duration;

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::api::{index_status, RefreshIndex};
use crate::components::poll::poll_while;
use crate::model::{thousands, IndexState};

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
    let line = move || {
        let index = live.get();
        let when = index.indexed_at.clone().map(|t| {
            let ago = crate::model::ago(index.age_secs.unwrap_or(0));
            (t.get(11..16).unwrap_or("").to_string(), ago, t)
        });
        match (when, index.running) {
            (None, true) => view! {
                <label for="index-progress">{format!("Indexing this realm: {} of {}", thousands(index.done), thousands(index.total))}</label>
                <progress id="index-progress" max=index.total.max(1).to_string() value=index.done.to_string() class="h-2 w-40"></progress>
                <span>"Until it is complete, search matches exact usernames."</span>
            }
            .into_any(),
            (None, false) => view! { <span>"Search matches exact usernames until this realm is indexed."</span> }.into_any(),
            (Some((hhmm, ago, full)), running) => view! {
                <span>"Index updated " <time datetime=full>{format!("{hhmm} UTC")}</time>{format!(" ({ago})")}</span>
                {running.then(|| view! { <span>"· refreshing…"</span> })}
            }
            .into_any(),
        }
    };
    view! {
        <div id="index-freshness" class="flex flex-wrap items-center gap-3 border-t border-slate-200 px-4 py-2 text-xs text-slate-600 dark:border-slate-800 dark:text-slate-400">
            {line}
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
