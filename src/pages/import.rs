//! Import: upload a CSV or JSON file (a plain multipart form: it works before the wasm loads), then its plan — what
//! each row would do, nothing written yet: counts per kind, the rows filtered by kind and paged, the groups to
//! create, the errors as a CSV to fix and upload again — then Apply, which runs as a job in the server with a
//! progress bar (done of total, failures, rate, time left), survives a reload and can be cancelled, and ends with a
//! summary and the result as a CSV.

use std::time::Duration;

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::{get_import, ApplyImport, CancelImport};
use crate::components::error::ErrorBanner;
use crate::components::form::{use_form_flash, DANGER_BUTTON, INPUT_CLASS, PRIMARY_BUTTON};
use crate::components::layout::use_me;
use crate::components::pager::Pager;
use crate::components::poll::poll_while;
use crate::components::table::DataTable;
use crate::model::{encode_component, thousands, FormFlash, ImportView, PlanRow, Role};

const LINK: &str = "font-medium text-indigo-700 underline hover:no-underline dark:text-indigo-300";

/// `/realms/:realm/import`: the upload form.
#[component]
pub fn ImportUploadPage() -> impl IntoView {
    let params = use_params_map();
    let realm = Memo::new(move |_| params.read().get("realm").unwrap_or_default());
    let flash = use_form_flash();
    let me = use_me();
    view! {
        <div class="mx-auto flex max-w-3xl flex-col gap-5">
            <div>
                <a href=move || format!("/realms/{}/identities", encode_component(&realm.get())) class="text-sm text-indigo-600 hover:underline dark:text-indigo-400">"← Identities"</a>
                <h1 class="mt-1 text-2xl font-semibold tracking-tight">"Import identities"</h1>
            </div>
            <section class="flex flex-col gap-3 rounded-lg border border-slate-200 bg-white p-6 text-sm shadow-sm dark:border-slate-800 dark:bg-slate-900">
                <p>"Upload a CSV or JSON file with the columns of an export. The console first shows what each row would do; nothing changes until you apply the plan."</p>
                <ul class="list-disc pl-5 text-slate-600 dark:text-slate-400">
                    <li><code>"username"</code>" (required), "<code>"name"</code>", "<code>"email"</code>", "<code>"external_id"</code>", "<code>"given_name"</code>", "<code>"family_name"</code>", "<code>"status"</code>" (active or suspended), "<code>"groups"</code>" (names separated by ;)."</li>
                    <li>"An empty cell leaves the identity's value as it is; other columns are reported and ignored."</li>
                    <li>"UTF-8, with or without a byte order mark; quotes, commas and line breaks inside quoted cells are fine."</li>
                </ul>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        let error = flash.await.and_then(|f| f.error.field("file"));
                        let admin = me.perms().await.0.is_some_and(|o| o.role == Role::Admin);
                        let described = if error.is_some() { "file-help file-error" } else { "file-help" };
                        view! {
                            <form method="post" enctype="multipart/form-data" action=format!("/realms/{}/imports", encode_component(&realm.get_untracked())) class="flex flex-col gap-3">
                                <label for="import-file" class="font-medium">"File (CSV or JSON)"</label>
                                <input id="import-file" name="file" type="file" accept=".csv,.json,text/csv,application/json" required
                                    aria-describedby=described aria-invalid=error.is_some().then_some("true")
                                    class="text-sm file:mr-3 file:rounded-md file:border-0 file:bg-slate-100 file:px-3 file:py-1.5 dark:file:bg-slate-800" />
                                <p id="file-help" class="text-xs text-slate-500 dark:text-slate-400">"Up to 20 MB and 100,000 rows unless the console is set otherwise."</p>
                                <p id="file-error" class="text-sm text-red-700 dark:text-red-400">{error.clone()}</p>
                                <label class="flex items-start gap-2">
                                    <input type="checkbox" name="sync_groups" value="on" class="mt-0.5 h-4 w-4 rounded border-slate-300" />
                                    <span>"Make the membership of the groups in the file match it: members the file does not list in a group are removed from it (the plan shows how many)"</span>
                                </label>
                                {admin.then(|| view! {
                                    <label class="flex items-start gap-2">
                                        <input type="checkbox" name="suspend_missing" value="on" class="mt-0.5 h-4 w-4 rounded border-slate-300" />
                                        <span>"Suspend the realm's active identities that are not in the file (the plan shows how many; you confirm the number before anything changes)"</span>
                                    </label>
                                })}
                                <div><button type="submit" class=PRIMARY_BUTTON>"Plan import"</button></div>
                            </form>
                        }
                    })}
                </Suspense>
            </section>
        </div>
    }
}

/// `/realms/:realm/imports/:id`: the plan, then the apply's progress, then its summary.
#[component]
pub fn ImportPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let realm = Memo::new(move |_| params.read().get("realm").unwrap_or_default());
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let show = Memo::new(move |_| query.read().get("show").unwrap_or_default());
    let page = Memo::new(move |_| {
        query
            .read()
            .get("page")
            .and_then(|p| p.parse().ok())
            .unwrap_or(1u32)
    });
    let apply = crate::components::step_up::consequential::<ApplyImport>();
    let cancel = ServerAction::<CancelImport>::new();
    let flash = use_form_flash();
    let data = Resource::new(
        move || {
            (
                realm.get(),
                id.get(),
                show.get(),
                page.get(),
                apply.version().get() + cancel.version().get(),
            )
        },
        |(r, i, s, p, _)| get_import(r, i, s, p),
    );
    let applying = Signal::derive(move || {
        data.get()
            .and_then(|r| r.ok())
            .is_some_and(|v| v.applying())
    });
    poll_while(applying, Duration::from_millis(1000), move || {
        data.refetch()
    });
    view! {
        <div class="mx-auto flex max-w-6xl flex-col gap-5">
            <a href=move || format!("/realms/{}/identities", encode_component(&realm.get())) class="text-sm text-indigo-600 hover:underline dark:text-indigo-400">"← Identities"</a>
            <Transition fallback=|| view! { <p class="text-sm text-slate-500">"Loading the import…"</p> }>
                {move || Suspend::new(async move {
                    let kept = flash.await;
                    match data.await {
                        Err(e) => view! { <ErrorBanner error=e /> }.into_any(),
                        Ok(v) => view! { <Import view=v apply=apply cancel=cancel show=show.get_untracked() kept=kept /> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn Import(
    view: ImportView,
    apply: ServerAction<ApplyImport>,
    cancel: ServerAction<CancelImport>,
    show: String,
    /// What a plain post of Apply kept when it was refused (the number typed to confirm, and why).
    kept: Option<FormFlash>,
) -> impl IntoView {
    let base = format!(
        "/realms/{}/imports/{}",
        encode_component(&view.realm),
        view.id
    );
    let c = &view.counts;
    let title = match view.state.as_str() {
        "planned" => "Import plan",
        "applying" | "cancelling" => "Applying the import",
        "cancelled" => "Import cancelled",
        _ => "Import done",
    };
    let counts = [
        ("create", c.create, "to create"),
        ("update", c.update, "to update"),
        ("unchanged", c.unchanged, "unchanged"),
        ("error", c.error, "with errors"),
    ];
    let cards = counts
        .iter()
        .map(|(kind, n, words)| view! {
            <li id=format!("count-{kind}") class="rounded-md border border-slate-200 px-3 py-2 dark:border-slate-800">
                <span class="text-lg font-semibold">{thousands(*n)}</span>" "{*words}
            </li>
        })
        .collect_view();
    let extra = view! {
        <li id="count-memberships" class="rounded-md border border-slate-200 px-3 py-2 dark:border-slate-800"><span class="text-lg font-semibold">{thousands(c.memberships)}</span>" memberships to add"</li>
        <li id="count-groups" class="rounded-md border border-slate-200 px-3 py-2 dark:border-slate-800"><span class="text-lg font-semibold">{thousands(c.groups_to_create)}</span>" groups to create"</li>
        {(c.removals > 0).then(|| view! {
            <li id="count-removals" class="rounded-md border border-amber-300 px-3 py-2 dark:border-amber-800"><span class="text-lg font-semibold">{thousands(c.removals)}</span>" memberships to remove"</li>
        })}
        {(c.suspensions > 0).then(|| view! {
            <li id="count-suspensions" class="rounded-md border border-amber-300 px-3 py-2 dark:border-amber-800"><span class="text-lg font-semibold">{thousands(c.suspensions)}</span>" identities to suspend (not in the file)"</li>
        })}
    };
    let removals_note = (!view.removals.is_empty()).then(|| {
        let each: Vec<String> = view.removals.iter().map(|(g, n)| format!("{g}: {n}")).collect();
        view! { <p class="text-sm">{format!("Members removed to match the file — {}.", each.join(", "))}</p> }
    });
    let groups_note = (!view.groups_to_create.is_empty()).then(|| view! {
        <p class="text-sm">{format!("Groups to create: {}.", view.groups_to_create.join(", "))}</p>
    });
    let unknown_note = (!view.unknown_columns.is_empty()).then(|| view! {
        <p class="text-sm text-amber-800 dark:text-amber-300">{format!("Columns not imported (unknown): {}{}.", view.unknown_columns.join(", "), if view.unknown_more > 0 { format!(" and {} more", crate::model::thousands(view.unknown_more)) } else { String::new() })}</p>
    });
    let errors_link = (c.error > 0).then(|| view! {
        <a href=format!("{base}/errors.csv") class=LINK download="">"Download the rows with errors (CSV)"</a>
    });
    let status = status_block(&view, &base, apply, cancel, kept);
    let suspend_tab = (c.suspensions > 0).then_some(("suspend", "Suspend"));
    let filters = [("", "All"), ("create", "Create"), ("update", "Update"), ("unchanged", "Unchanged"), ("error", "Errors"), ("failed", "Failed")]
        .into_iter()
        .chain(suspend_tab)
        .map(|(kind, label)| {
            let current = kind == show;
            let href = if kind.is_empty() { base.clone() } else { format!("{base}?show={kind}") };
            view! {
                <li><a href=href aria-current=current.then_some("page")
                    class="rounded-md px-2.5 py-1 text-sm hover:bg-slate-100 aria-[current=page]:bg-indigo-100 aria-[current=page]:font-semibold dark:hover:bg-slate-800 dark:aria-[current=page]:bg-indigo-950">{label}</a></li>
            }
        })
        .collect_view();
    let rows = view.rows.items.iter().map(row_view).collect_view();
    let (page, size, shown, total) = (
        view.rows.page,
        view.rows.size,
        view.rows.items.len(),
        view.rows.total,
    );
    view! {
        <div>
            <h1 class="text-2xl font-semibold tracking-tight">{title}</h1>
            <p class="mt-1 text-sm text-slate-600 dark:text-slate-400">{format!("{} · planned by {} · SHA-256 {}", view.file_name, view.operator, &view.sha256[..view.sha256.len().min(12)])}</p>
        </div>
        <section aria-label="Plan" class="flex flex-col gap-3 rounded-lg border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900">
            <ul class="flex flex-wrap gap-2 text-sm">{cards}{extra}</ul>
            {groups_note}
            {removals_note}
            {unknown_note}
            {errors_link}
            {status}
        </section>
        <section aria-label="Rows" class="overflow-hidden rounded-lg border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900">
            <nav aria-label="Show rows" class="border-b border-slate-200 px-4 py-2 dark:border-slate-800"><ul class="flex flex-wrap gap-1">{filters}</ul></nav>
            <DataTable columns=&["Line", "Username", "Action", "Details", "Outcome"]>{rows}</DataTable>
            <Pager page=page size=size shown=shown total=total extra=vec![("show", show.clone())] />
        </section>
    }
}

/// Apply (for a plan), the progress bar and Cancel (while applying), or the summary (at the end).
fn status_block(
    v: &ImportView,
    base: &str,
    apply: ServerAction<ApplyImport>,
    cancel: ServerAction<CancelImport>,
    kept: Option<FormFlash>,
) -> AnyView {
    let (realm, id) = (v.realm.clone(), v.id.clone());
    let creates = v.counts.create > 0;
    let confirm =
        (v.counts.suspensions > 0).then(|| confirm_field(v.counts.suspensions, apply, kept));
    let error = move || {
        apply
            .value()
            .get()
            .and_then(|r| r.err())
            .or_else(|| cancel.value().get().and_then(|r| r.err()))
            .map(|e| view! { <ErrorBanner error=e /> })
    };
    match v.state.as_str() {
        "planned" if v.counts.nothing_to_do() => view! {
            <p id="import-status" role="status" class="text-sm font-medium">"Nothing to do: the realm already matches this file."</p>
        }.into_any(),
        "planned" => view! {
            {error}
            <ActionForm action=apply attr:class="flex flex-wrap items-center gap-3">
                <input type="hidden" name="realm" value=realm />
                <input type="hidden" name="id" value=id />
                {creates.then(|| view! {
                    <label class="flex w-full items-center gap-2 text-sm">
                        <input type="checkbox" name="invite" value="on" class="h-4 w-4 rounded border-slate-300" />
                        "Send passkey invitations by email to the identities it creates"
                    </label>
                })}
                {confirm}
                <button type="submit" class=PRIMARY_BUTTON disabled=move || apply.pending().get()>"Apply import"</button>
                <span class="text-sm text-slate-600 dark:text-slate-400">"Rows with errors are skipped."</span>
            </ActionForm>
        }.into_any(),
        "applying" | "cancelling" => {
            let pace = v.pace.clone().map(|p| format!(" · {p}")).unwrap_or_default();
            let words = format!("{} of {} steps done, {} failed{pace}", thousands(v.done), thousands(v.total), thousands(v.failed));
            let cancelling = v.state == "cancelling";
            view! {
                {error}
                <div id="import-progress" class="flex flex-col gap-2">
                    <label for="import-bar" class="text-sm">{words}</label>
                    <progress id="import-bar" max=v.total.max(1).to_string() value=v.done.to_string() class="h-2 w-full"></progress>
                    <p class="text-sm text-slate-600 dark:text-slate-400">"The import runs in the console: this page can be closed or reloaded. "<a href=base.to_string() class=LINK>"Show the latest"</a></p>
                    {(!cancelling).then(|| view! {
                        <ActionForm action=cancel>
                            <input type="hidden" name="realm" value=realm.clone() />
                            <input type="hidden" name="id" value=id.clone() />
                            <button type="submit" class=DANGER_BUTTON>"Cancel import"</button>
                        </ActionForm>
                    })}
                    {cancelling.then(|| view! { <p class="text-sm">"Stopping after the writes in flight…"</p> })}
                </div>
            }.into_any()
        }
        state => {
            let head = if state == "cancelled" { "Import cancelled" } else { "Import done" };
            let words = format!("{head}: {} of {} steps done, {} failed.", thousands(v.done), thousands(v.total), thousands(v.failed));
            view! {
                <div id="import-summary" role="status" class="flex flex-col gap-2 text-sm">
                    <p class="font-medium">{words}</p>
                    <a href=format!("{base}/result.csv") class=LINK download="">"Download the result (CSV)"</a>
                    {v.invitations.clone().map(|batch| {
                        let href = format!("/realms/{}/invitations/{batch}", encode_component(&v.realm));
                        view! { <a href=href class=LINK>"Follow the passkey invitations sent to the new identities"</a> }
                    })}
                    {v.invitations_error.clone().map(|why| view! { <p>{format!("No passkey invitations were sent: {why}")}</p> })}
                    {v.halted.clone().map(|why| view! { <p id="import-halted">{format!("The console stopped this import: {why}")}</p> })}
                    {v.applied_by.clone().map(|who| view! { <p>{format!("Applied by {who}.")}</p> })}
                    {(v.failed > 0).then(|| view! { <a href=format!("{base}?show=failed") class=LINK>"Show the rows that failed"</a> })}
                </div>
            }.into_any()
        }
    }
}

/// The number of identities to suspend, typed to confirm them; its error from the last Apply (hydrated) or from a
/// refused plain post.
fn confirm_field(
    n: u64,
    apply: ServerAction<ApplyImport>,
    kept: Option<FormFlash>,
) -> impl IntoView {
    let typed = kept
        .as_ref()
        .and_then(|f| f.get("confirm"))
        .unwrap_or_default();
    let refused = kept.and_then(|f| f.error.field("confirm"));
    let error = Signal::derive(move || match apply.value().get() {
        Some(Err(e)) => e.field("confirm"),
        Some(Ok(_)) => None,
        None => refused.clone(),
    });
    let invalid = move || error.get().is_some().then_some("true");
    let n = thousands(n);
    view! {
        <div class="flex w-full flex-col gap-1">
            <label for="import-confirm" class="text-sm font-medium">{format!("Type {n} to confirm suspending {n} identities")}</label>
            <input id="import-confirm" name="confirm" inputmode="numeric" autocomplete="off" value=typed
                aria-describedby="import-confirm-error" aria-invalid=invalid class=INPUT_CLASS />
            <p id="import-confirm-error" class="text-sm text-red-700 dark:text-red-400">{error}</p>
        </div>
    }
}

fn row_view(r: &PlanRow) -> impl IntoView {
    let mut details: Vec<String> = r
        .changes
        .iter()
        .map(|c| {
            format!(
                "{}: {} → {}",
                c.field,
                if c.before.is_empty() {
                    "(empty)"
                } else {
                    &c.before
                },
                c.after
            )
        })
        .collect();
    if !r.join.is_empty() {
        details.push(format!("joins {}", r.join.join(", ")));
    }
    if let Some(p) = &r.problem {
        details.push(format!("{}: {}", p.column, p.message));
    }
    let outcome = match (&r.outcome, &r.message) {
        (Some(o), Some(m)) => format!("{o}: {m}"),
        (Some(o), None) => o.clone(),
        _ => String::new(),
    };
    let badge = match r.action.as_str() {
        "create" => "bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200",
        "update" => "bg-sky-100 text-sky-900 dark:bg-sky-950 dark:text-sky-200",
        "error" => "bg-red-100 text-red-900 dark:bg-red-950 dark:text-red-200",
        "suspend" => "bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200",
        _ => "bg-slate-100 text-slate-800 dark:bg-slate-800 dark:text-slate-200",
    };
    view! {
        <tr>
            <td class="px-4 py-2.5 tabular-nums">{r.line}</td>
            <td class="px-4 py-2.5">{r.username.clone()}</td>
            <td class="px-4 py-2.5"><span class=format!("rounded-full px-2 py-0.5 text-xs font-medium {badge}")>{r.action.clone()}</span></td>
            <td class="px-4 py-2.5 whitespace-pre-line">{details.join("\n")}</td>
            <td class="px-4 py-2.5">{outcome}</td>
        </tr>
    }
}
