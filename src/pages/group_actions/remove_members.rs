//! Removing members from a group: one from its row, or the selected ones from the selection's bar, each after a
//! confirmation that names them.

use leptos::prelude::*;

use super::{report, Outcome};
use crate::api::RemoveGroupMembers;
use crate::components::dialog::ConfirmDialog;
use crate::components::form::SECONDARY_BUTTON;
use crate::components::ready::not_ready;
use crate::components::table::Selection;
use crate::model::names_list;

/// The removal: the rows selected, who the open confirmation names, and whether it is open.
#[derive(Clone, Copy)]
pub struct Removing {
    pub action: ServerAction<RemoveGroupMembers>,
    pub selected: Selection,
    target: Selection,
    confirm: RwSignal<bool>,
}

impl Removing {
    /// The action, its result reported in `outcome`; the selection cleared once it has answered.
    pub fn new(outcome: Outcome) -> Removing {
        let removing = Removing {
            action: ServerAction::new(),
            selected: RwSignal::new(Vec::new()),
            target: RwSignal::new(Vec::new()),
            confirm: RwSignal::new(false),
        };
        report(removing.action, outcome, false);
        Effect::new(move |_| {
            if removing.action.value().get().is_some() {
                removing.confirm.set(false);
                removing.selected.set(Vec::new());
            }
        });
        removing
    }

    /// Asks to remove `who` (id, username).
    fn ask(&self, who: Vec<(String, String)>) {
        self.target.set(who);
        self.confirm.set(true);
    }
}

/// A row's "Remove".
#[component]
pub fn RemoveMemberButton(removing: Removing, id: String, username: String) -> impl IntoView {
    let label = format!("Remove {username}");
    let who = (id, username);
    view! {
        <button type="button" aria-label=label disabled=not_ready() on:click=move |_| removing.ask(vec![who.clone()])
            class="rounded px-2 py-1 text-sm text-red-700 hover:bg-red-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-red-500 dark:text-red-300 dark:hover:bg-red-950">
            "Remove"
        </button>
    }
}

/// The selection's bar: how many, "Remove selected", "Clear selection".
#[component]
pub fn RemoveSelectedBar(removing: Removing) -> impl IntoView {
    let selected = removing.selected;
    view! {
        <Show when=move || !selected.read().is_empty()>
            <div role="region" aria-label="Selected members" class="mx-4 mt-3 flex flex-wrap items-center gap-3 rounded-lg border border-indigo-200 bg-indigo-50 px-4 py-2 text-sm dark:border-indigo-900 dark:bg-indigo-950">
                <span class="font-medium">{move || format!("{} selected", selected.read().len())}</span>
                <button type="button" class=SECONDARY_BUTTON on:click=move |_| removing.ask(selected.get_untracked())>"Remove selected"</button>
                <button type="button" class="ml-auto text-sm text-slate-600 hover:underline dark:text-slate-400" on:click=move |_| selected.set(Vec::new())>"Clear selection"</button>
            </div>
        </Show>
    }
}

/// The confirmation naming who leaves `group_name`; confirmed, one `:deleteMembers` per 1000.
#[component]
pub fn RemoveMembersDialog(
    removing: Removing,
    realm: Memo<String>,
    group: String,
    group_name: String,
) -> impl IntoView {
    let target = removing.target;
    let run = Callback::new(move |_| {
        removing.action.dispatch(RemoveGroupMembers {
            realm: realm.get_untracked(),
            group: group.clone(),
            ids: target
                .get_untracked()
                .into_iter()
                .map(|(id, _)| id)
                .collect(),
        });
    });
    view! {
        <ConfirmDialog
            open=removing.confirm
            title=Signal::derive(move || {
                let n = target.read().len();
                if n == 1 { "Remove member?".to_string() } else { format!("Remove {n} members?") }
            })
            body=Signal::derive(move || {
                let names: Vec<String> = target.read().iter().map(|(_, u)| u.clone()).collect();
                format!("Remove from {group_name}: {}. Their identities stay in the realm.", names_list(&names))
            })
            confirm_label=Signal::derive(move || {
                let n = target.read().len();
                if n == 1 { "Remove member".to_string() } else { format!("Remove {n} members") }
            })
            danger=true
            pending=removing.action.pending()
            on_confirm=run
        />
    }
}
