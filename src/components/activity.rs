//! "Activity": the latest audit entries about an identity or a group, with a link to the full log.

use leptos::prelude::*;

use crate::api::activity;
use crate::components::pager::encode_component;
use crate::model::{human_date, AuditEntry};

#[component]
pub fn Activity(realm: String, id: String, #[prop(into)] version: Signal<usize>) -> impl IntoView {
    let data = {
        let id = id.clone();
        Resource::new(move || version.get(), move |_| activity(id.clone()))
    };
    let all = format!(
        "/realms/{}/audit?target={}",
        encode_component(&realm),
        encode_component(&id)
    );
    view! {
        <section id="activity-log" aria-labelledby="activity-heading" class="scroll-mt-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900">
            <div class="flex items-center justify-between">
                <h2 id="activity-heading" class="text-lg font-semibold">"Activity"</h2>
                <a href=all class="text-sm text-indigo-600 hover:underline dark:text-indigo-400">"Full audit log"</a>
            </div>
            <Transition fallback=|| view! { <p class="mt-2 text-sm text-slate-500">"Loading activity…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => view! { <p class="mt-2 text-sm text-red-700">{e.full_message()}</p> }.into_any(),
                        Ok(entries) if entries.is_empty() => view! {
                            <p class="mt-2 text-sm text-slate-600 dark:text-slate-400">"No changes made through this console yet."</p>
                        }.into_any(),
                        Ok(entries) => view! {
                            <ol id="activity" class="mt-3 flex flex-col gap-2 text-sm">
                                {entries.into_iter().map(|e| view! { <ActivityLine entry=e /> }).collect_view()}
                            </ol>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn ActivityLine(entry: AuditEntry) -> impl IntoView {
    let failed = entry.result != "ok";
    view! {
        <li class="flex flex-wrap items-baseline gap-x-2">
            <time datetime=entry.at.clone() title=entry.at.clone() class="text-slate-500">{human_date(&entry.at)}</time>
            <span class="font-medium">{entry.operator.clone()}</span>
            <code class="text-xs">{entry.action.clone()}</code>
            <span class="text-slate-600 dark:text-slate-300">{entry.target_name.clone()}</span>
            <span class="text-slate-600 dark:text-slate-400">{entry.detail.clone()}</span>
            {failed.then(|| view! { <span class="rounded bg-red-100 px-1.5 text-xs text-red-800 dark:bg-red-900/40 dark:text-red-200">{entry.result.clone()}</span> })}
        </li>
    }
}
