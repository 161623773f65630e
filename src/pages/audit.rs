//! Audit: every write made through the console, newest first, filtered by operator, action, target and date. The
//! filters and the page live in the URL (a plain GET form), so a filtered view can be linked and Back works.

use leptos::prelude::*;

use crate::components::deferred::Deferred;
use leptos_router::hooks::use_query_map;

use crate::api::{audit_sink_status, list_audit};
use crate::components::error::ErrorBanner;
use crate::components::form::SECONDARY_BUTTON;
use crate::components::pager::{submit_in_place, Pager};
use crate::components::table::DataTable;
use crate::model::{human_date, AuditAction, AuditEntry, AuditFilter, AuditSinkView, PageView};
use crate::pages::identities::page_and_size;

#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    let (page, size) = page_and_size(query);
    let filter = Memo::new(move |_| {
        let q = query.read();
        let get = |k: &str| q.get(k).unwrap_or_default().trim().to_string();
        AuditFilter {
            operator: get("operator"),
            action: get("action"),
            target: get("target"),
            from: get("from"),
            to: get("to"),
        }
    });
    let data = Resource::new(
        move || (filter.get(), page.get(), size.get()),
        |(f, page, size)| list_audit(f, page, size),
    );
    let input = "rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:border-slate-700 dark:bg-slate-900";
    view! {
        <div class="mx-auto flex max-w-6xl flex-col gap-5">
            <h1 class="text-2xl font-semibold tracking-tight">"Audit"</h1>
            <SinkWarning />
            <form method="get" aria-label="Filter the audit log" class="flex flex-wrap items-end gap-3" on:submit=submit_in_place()>
                <div class="flex flex-col gap-1">
                    <label for="audit-operator" class="text-xs font-semibold uppercase tracking-wide text-slate-500">"Operator"</label>
                    <input id="audit-operator" name="operator" type="text" value=move || filter.get().operator class=input />
                </div>
                <div class="flex flex-col gap-1">
                    <label for="audit-action" class="text-xs font-semibold uppercase tracking-wide text-slate-500">"Action"</label>
                    <select id="audit-action" name="action" class=input>
                        <option value="">"Any"</option>
                        {AuditAction::ALL.iter().map(|a| {
                            let a = a.as_str();
                            view! { <option value=a selected=move || filter.get().action == a>{a}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div class="flex flex-col gap-1">
                    <label for="audit-target" class="text-xs font-semibold uppercase tracking-wide text-slate-500">"Target"</label>
                    <input id="audit-target" name="target" type="text" placeholder="Name or id" value=move || filter.get().target class=input />
                </div>
                <div class="flex flex-col gap-1">
                    <label for="audit-from" class="text-xs font-semibold uppercase tracking-wide text-slate-500">"From"</label>
                    <input id="audit-from" name="from" type="date" value=move || filter.get().from class=input />
                </div>
                <div class="flex flex-col gap-1">
                    <label for="audit-to" class="text-xs font-semibold uppercase tracking-wide text-slate-500">"To"</label>
                    <input id="audit-to" name="to" type="date" value=move || filter.get().to class=input />
                </div>
                <input type="hidden" name="size" value=move || size.get().to_string() />
                <button type="submit" class=SECONDARY_BUTTON>"Filter"</button>
                <a href="?" class="pb-1.5 text-sm text-indigo-600 hover:underline dark:text-indigo-400">"Clear"</a>
            </form>
            <section class="overflow-hidden rounded-lg border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900">
                <Transition fallback=|| view! { <p class="p-6 text-sm text-slate-500">"Loading the audit log…"</p> }>
                    {move || Suspend::new(async move {
                        match data.await {
                            Ok(v) => Deferred::new(move || view! { <AuditTable data=v filter=filter.get_untracked() /> }).into_any(),
                            Err(e) => view! { <div class="p-4"><ErrorBanner error=e /></div> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
        </div>
    }
}

/// A warning when the audit log's sending to its SIEM (`CONSOLE_AUDIT_SINK`) falls behind: deliveries fail, or
/// events have waited a minute or more. Nothing without a sink, or when it keeps up.
#[component]
fn SinkWarning() -> impl IntoView {
    let status = Resource::new(|| (), |()| audit_sink_status());
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match status.await {
                    Ok(Some(s)) if s.behind() => view! { <SinkBehind status=s /> }.into_any(),
                    _ => ().into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn SinkBehind(status: AuditSinkView) -> impl IntoView {
    let waited = match status.lag_secs {
        s if s < 120 => format!("{s} seconds"),
        s if s < 7200 => format!("{} minutes", s / 60),
        s => format!("{} hours", s / 3600),
    };
    let events = if status.waiting == 1 {
        "event"
    } else {
        "events"
    };
    view! {
        <div role="status" class="rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950/40 dark:text-amber-100">
            <p class="font-semibold">"The SIEM is behind: "{status.waiting}" "{events}" not yet sent to "{status.sink.clone()}"."</p>
            <p>"The oldest has waited "{waited}". They are kept here and sent, in order, as soon as it takes them."</p>
            {status.last_error.map(|e| view! { <p>"Last attempt: "{e}"."</p> })}
        </div>
    }
}

#[component]
fn AuditTable(data: PageView<AuditEntry>, filter: AuditFilter) -> impl IntoView {
    if data.items.is_empty() {
        return view! { <p id="empty-state" class="p-8 text-slate-700 dark:text-slate-300">"No entries match."</p> }
            .into_any();
    }
    let shown = data.items.len();
    let rows = data
        .items
        .into_iter()
        .map(|e| {
            let ok = e.result == "ok";
            view! {
                <tr class="align-top hover:bg-slate-50 dark:hover:bg-slate-800/60">
                    <td class="whitespace-nowrap px-4 py-2.5 text-slate-600 dark:text-slate-400"><time datetime=e.at.clone() title=e.at.clone()>{human_date(&e.at)}</time></td>
                    <td class="px-4 py-2.5 font-medium">{e.operator.clone()}</td>
                    <td class="px-4 py-2.5"><code class="text-xs">{e.action.clone()}</code></td>
                    <td class="px-4 py-2.5">
                        <span>{e.target_name.clone()}</span>
                        <span class="block text-xs text-slate-500">{e.target_id.clone()}</span>
                    </td>
                    <td class="px-4 py-2.5 text-slate-600 dark:text-slate-300">{e.detail.clone()}</td>
                    <td class="px-4 py-2.5">
                        <span class=if ok { "rounded bg-emerald-100 px-1.5 text-xs text-emerald-800 dark:bg-emerald-900/40 dark:text-emerald-200" } else { "rounded bg-red-100 px-1.5 text-xs text-red-800 dark:bg-red-900/40 dark:text-red-200" }>
                            {e.result.clone()}
                        </span>
                        <span class="block text-xs text-slate-500" title="Request id">{e.request_id.clone()}</span>
                    </td>
                </tr>
            }
        })
        .collect_view();
    let extra = vec![
        ("operator", filter.operator),
        ("action", filter.action),
        ("target", filter.target),
        ("from", filter.from),
        ("to", filter.to),
    ];
    view! {
        <DataTable columns=&["When", "Operator", "Action", "Target", "Change", "Result"]>{rows}</DataTable>
        <Pager page=data.page size=data.size shown=shown total=data.total extra=extra />
    }
    .into_any()
}
