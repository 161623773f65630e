//! A batch of passkey invitations at BI, followed to its end: a progress bar with counts while BI sends them (read
//! every 1.5 s once the wasm runs; before that, a link reloads the page), then a summary: how many were sent, and who
//! was not and why. The batch has its own address, so a reload or coming back later shows where it is. A run of
//! several batches (more than BI's queue takes at once) also says how many wait in the console for BI's queue.

use std::time::Duration;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::invitation_batch;
use crate::components::error::ErrorBanner;
use crate::components::poll::poll_while;
use crate::model::{thousands, BatchView};

#[component]
pub fn InvitationsPage() -> impl IntoView {
    let params = use_params_map();
    let realm = Memo::new(move |_| params.read().get("realm").unwrap_or_default());
    let batch = Memo::new(move |_| params.read().get("batch").unwrap_or_default());
    let data = Resource::new(
        move || (realm.get(), batch.get()),
        |(r, b)| invitation_batch(r, b),
    );
    let running = Signal::derive(move || {
        data.get()
            .and_then(|r| r.ok())
            .is_some_and(|v: BatchView| v.running())
    });
    poll_while(running, Duration::from_millis(1500), move || data.refetch());
    view! {
        <div class="mx-auto flex max-w-3xl flex-col gap-5">
            <a href=move || format!("/realms/{}/identities", realm.get()) class="text-sm text-indigo-600 hover:underline dark:text-indigo-400">"← Identities"</a>
            <h1 class="text-2xl font-semibold tracking-tight">"Passkey invitations"</h1>
            <section class="rounded-lg border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900">
                <Transition fallback=|| view! { <p class="text-sm text-slate-500">"Loading the batch…"</p> }>
                    {move || Suspend::new(async move {
                        match data.await {
                            Err(e) => view! { <ErrorBanner error=e /> }.into_any(),
                            Ok(v) => view! { <Batch view=v /> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
        </div>
    }
}

/// Identities named in a summary, at most.
const SHOWN: usize = 200;

#[component]
fn Batch(view: BatchView) -> impl IntoView {
    let done = view.sent + view.failed;
    if view.running() {
        return view! {
            <div id="batch-progress" class="flex flex-col gap-3">
                <label for="batch-bar" class="text-sm">{format!("BI is sending invitations: {} of {}", thousands(done), thousands(view.total))}</label>
                <progress id="batch-bar" max=view.total.max(1).to_string() value=done.to_string() class="h-2 w-full"></progress>
                {(view.waiting > 0).then(|| view! {
                    <p id="batch-waiting" class="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200">
                        {format!(
                            "{} identities wait in the console: BI queues at most 1,000 invitations per realm{}. They go to BI as its queue drains; this page can be closed meanwhile.",
                            thousands(view.waiting),
                            if view.queue_full { " and its queue is full now" } else { "" },
                        )}
                    </p>
                })}
                <p class="text-sm text-slate-600 dark:text-slate-400">
                    {format!("{} sent, {} not sent so far. ", thousands(view.sent), thousands(view.failed))}
                    <a href="" class="text-indigo-700 underline dark:text-indigo-300">"Show the latest"</a>
                </p>
            </div>
        }
        .into_any();
    }
    let head = format!(
        "Sent {} of {} invitations.",
        thousands(view.sent),
        thousands(view.total)
    );
    // The first 200 are named; the audit log and each identity's page have the rest.
    let more = view.not_sent.len().saturating_sub(SHOWN);
    let lines = view
        .not_sent
        .into_iter()
        .take(SHOWN)
        .map(|(who, why)| view! { <li>{format!("{who}: {why}")}</li> })
        .collect_view();
    view! {
        <div id="batch-summary" role="status" class="flex flex-col gap-2 text-sm">
            <p class="font-medium">{head}</p>
            {(view.failed > 0).then(|| view! {
                <p>{format!("Not sent to {}:", thousands(view.failed))}</p>
                <ul class="list-disc pl-5">{lines}</ul>
                {(more > 0).then(|| view! { <p>{format!("…and {} more.", thousands(more as u64))}</p> })}
            })}
        </div>
    }
    .into_any()
}
