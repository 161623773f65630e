//! The Identities list's tools for its selected rows: the bulk actions bar (suspend, unsuspend, delete, send passkey
//! invitations), their confirmations, and what a bulk change did. They are mounted the first time a row is selected:
//! in a split build their code is a wasm chunk of its own, fetched then, so the list's first load leaves it out.

use leptos::prelude::*;

use crate::api::BulkIdentities;
use crate::components::dialog::ConfirmDialog;
use crate::components::error::ErrorBanner;
use crate::components::layout::Me;
use crate::components::table::Selection;
use crate::model::{bulk_summary, capitalize, Action, BulkOp};
use crate::pages::identity_passkeys::InviteSelected;

const BAR_BUTTON: &str = "rounded-md border border-slate-300 bg-white px-3 py-1 text-sm font-medium hover:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:border-slate-700 dark:bg-slate-900 dark:hover:bg-slate-800";

/// Above the list: nothing until a row is selected (selecting needs the wasm, so the server and the first render
/// agree), then the tools, which stay once loaded (what a bulk change did is said after it clears the selection).
/// `changed` counts the bulk changes that have ended: the list reads its page again on each.
#[component]
pub fn SelectionTools(
    realm: Memo<String>,
    selected: Selection,
    me: Me,
    changed: RwSignal<u32>,
) -> impl IntoView {
    let wanted = RwSignal::new(false);
    Effect::new(move |_| {
        if !selected.read().is_empty() {
            wanted.set(true);
        }
    });
    move || {
        wanted.get().then(|| {
            view! {
                <Suspense fallback=|| view! {
                    <p role="status" class="text-sm text-slate-600 dark:text-slate-400">"Loading the actions for the selection…"</p>
                }>
                    {move || Suspend::new(bulk_tools(realm, selected, me, changed))}
                </Suspense>
            }
        })
    }
}

/// The tools' view, loaded on first use in a split build (the `lazy` macro needs the splitter's step, so an unsplit
/// build calls it directly).
#[cfg_attr(feature = "split", leptos::lazy)]
async fn bulk_tools(
    realm: Memo<String>,
    selected: Selection,
    me: Me,
    changed: RwSignal<u32>,
) -> AnyView {
    view! { <BulkTools realm=realm selected=selected me=me changed=changed /> }.into_any()
}

#[component]
fn BulkTools(
    realm: Memo<String>,
    selected: Selection,
    me: Me,
    changed: RwSignal<u32>,
) -> impl IntoView {
    let bulk = crate::components::step_up::consequential::<BulkIdentities>();
    // A bulk change that has ended (done, partly done or refused) has the list read its page again.
    Effect::new(move |previous: Option<usize>| {
        let version = bulk.version().get();
        if previous.is_some_and(|p| p != version) {
            changed.update(|n| *n += 1);
        }
        version
    });
    // Passkey invitations for the selection: asked here, confirmed and sent by `InviteSelected`.
    let confirm_invite = RwSignal::new(false);
    let pending_op: RwSignal<Option<BulkOp>> = RwSignal::new(None);
    let confirm_open = RwSignal::new(false);
    Effect::new(move |_| {
        if bulk.value().get().is_some() {
            confirm_open.set(false);
        }
    });
    let ask = move |op: BulkOp| {
        pending_op.set(Some(op));
        confirm_open.set(true);
    };
    let summary = Signal::derive(move || {
        let names: Vec<String> = selected.read().iter().map(|(_, u)| u.clone()).collect();
        pending_op
            .get()
            .map(|op| bulk_summary(op, &names))
            .unwrap_or_default()
    });
    let run_bulk = Callback::new(move |_| {
        if let Some(op) = pending_op.get_untracked() {
            bulk.dispatch(BulkIdentities {
                realm: realm.get_untracked(),
                op,
                ids: selected
                    .get_untracked()
                    .into_iter()
                    .map(|(id, _)| id)
                    .collect(),
            });
        }
    });
    let bulk_message = move || {
        let op = pending_op.get()?;
        match bulk.value().get()? {
            Err(e) => Some(view! { <ErrorBanner error=e /> }.into_any()),
            Ok(r) => {
                let total = r.succeeded + r.failed.len();
                let head = if r.failed.is_empty() {
                    format!(
                        "{} {} {}.",
                        capitalize(op.past()),
                        r.succeeded,
                        if r.succeeded == 1 {
                            "identity"
                        } else {
                            "identities"
                        }
                    )
                } else {
                    format!(
                        "{} {} of {total}; {} failed.",
                        capitalize(op.past()),
                        r.succeeded,
                        r.failed.len()
                    )
                };
                Some(view! {
                    <div id="bulk-result" role="status" class="rounded-md border border-emerald-300 bg-emerald-50 px-4 py-3 text-sm text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-200">
                        <p class="font-medium">{head}</p>
                        <ul class="mt-1 list-disc pl-5">
                            {r.failed.into_iter().map(|f| view! { <li>{format!("{}: {}", f.id, f.reason)}</li> }).collect_view()}
                        </ul>
                    </div>
                }.into_any())
            }
        }
    };
    view! {
        {bulk_message}
        <InviteSelected realm=realm selected=selected open=confirm_invite />
        <Show when=move || !selected.read().is_empty()>
            <div role="region" aria-label="Bulk actions" class="flex flex-wrap items-center gap-3 rounded-lg border border-indigo-200 bg-indigo-50 px-4 py-2 text-sm dark:border-indigo-900 dark:bg-indigo-950">
                <span id="selected-count" class="font-medium">{move || format!("{} selected", selected.read().len())}</span>
                <Show when=move || me.perms_now().can(Action::SetStatus)>
                    <button type="button" class=BAR_BUTTON on:click=move |_| ask(BulkOp::Suspend)>"Suspend selected"</button>
                    <button type="button" class=BAR_BUTTON on:click=move |_| ask(BulkOp::Unsuspend)>"Unsuspend selected"</button>
                </Show>
                <Show when=move || me.perms_now().can(Action::DeleteIdentity)>
                    <button type="button" class=BAR_BUTTON on:click=move |_| ask(BulkOp::Delete)>"Delete selected"</button>
                </Show>
                <Show when=move || me.perms_now().can(Action::Invite)>
                    <button type="button" class=BAR_BUTTON on:click=move |_| confirm_invite.set(true)>"Send passkey invitations"</button>
                </Show>
                <button type="button" class="ml-auto text-sm text-slate-600 hover:underline dark:text-slate-400" on:click=move |_| selected.set(Vec::new())>"Clear selection"</button>
            </div>
        </Show>
        <ConfirmDialog
            open=confirm_open
            title=Signal::derive(move || pending_op.get().map(|op| format!("{} identities?", op.verb())).unwrap_or_default())
            body=Signal::derive(move || {
                let s = summary.get();
                if pending_op.get() == Some(BulkOp::Delete) { format!("{s}. This cannot be undone.") } else { format!("{s}.") }
            })
            confirm_label=Signal::derive(move || pending_op.get().map(|op| format!("{} {}", op.verb(), selected.read().len())).unwrap_or_default())
            danger=true
            pending=bulk.pending()
            on_confirm=run_bulk
        />
    }
}
