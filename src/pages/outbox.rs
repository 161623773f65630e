//! Sandbox → Outbox: the invitations the embedded sandbox "emailed" in this realm (newest first): recipient, subject,
//! when, and the enrollment link, which opens the sandbox's stand-in for BI's authenticator. Only in sandbox mode;
//! connected to BI, the emails go to the people themselves.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::sandbox_outbox;
use crate::components::error::ErrorBanner;
use crate::components::table::DataTable;
use crate::model::human_date;

#[component]
pub fn OutboxPage() -> impl IntoView {
    let params = use_params_map();
    let realm = Memo::new(move |_| params.read().get("realm").unwrap_or_default());
    let data = Resource::new(move || realm.get(), sandbox_outbox);
    view! {
        <div class="mx-auto flex max-w-6xl flex-col gap-5">
            <h1 class="text-2xl font-semibold tracking-tight">"Outbox"</h1>
            <p class="text-sm text-slate-600 dark:text-slate-400">
                "The passkey invitations the sandbox has emailed in this realm. Open a link to act as the person invited: complete enrollment (a passkey is created) or decline."
            </p>
            <section class="overflow-hidden rounded-lg border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900">
                <Transition fallback=|| view! { <p class="p-6 text-sm text-slate-500">"Loading the outbox…"</p> }>
                    {move || Suspend::new(async move {
                        match data.await {
                            Err(e) => view! { <div class="p-4"><ErrorBanner error=e /></div> }.into_any(),
                            Ok(messages) if messages.is_empty() => view! {
                                <p id="empty-state" class="p-6 text-sm text-slate-600 dark:text-slate-400">"No invitation has been emailed in this realm yet."</p>
                            }.into_any(),
                            Ok(messages) => {
                                let rows = messages.into_iter().map(|m| {
                                    let label = format!("Open the enrollment link for {}", m.recipient);
                                    view! {
                                        <tr>
                                            <td class="px-4 py-2.5">{m.recipient.clone()}</td>
                                            <td class="px-4 py-2.5">{m.subject.clone()}</td>
                                            <td class="px-4 py-2.5"><time datetime=m.create_time.clone() title=m.create_time.clone()>{human_date(&m.create_time)}</time></td>
                                            <td class="px-4 py-2.5"><a href=m.link.clone() rel="external" aria-label=label class="font-medium text-indigo-700 underline hover:no-underline dark:text-indigo-300">"Enrollment link"</a></td>
                                        </tr>
                                    }
                                }).collect_view();
                                view! { <DataTable columns=&["To", "Subject", "Sent", "Link"]>{rows}</DataTable> }.into_any()
                            }
                        }
                    })}
                </Transition>
            </section>
        </div>
    }
}
