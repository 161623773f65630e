//! Deleting a group: "Delete" and its confirmation; BI refuses a group that still has members (409), and the
//! console then offers to remove every member and delete it, confirmed again with their names. Deleted, the
//! browser goes to the groups list, which says what was done.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::api::DeleteGroup;
use crate::components::dialog::ConfirmDialog;
use crate::components::error::ErrorBanner;
use crate::components::form::DANGER_BUTTON;
use crate::components::pager::encode_component;
use crate::components::ready::not_ready;

/// The delete: its action, which confirmation is open, and whether the operator chose to empty the group first
/// (then a refusal is an error, not an offer).
#[derive(Clone, Copy)]
pub struct Deleting {
    pub action: ServerAction<DeleteGroup>,
    confirm: RwSignal<bool>,
    confirm_empty: RwSignal<bool>,
    emptying: RwSignal<bool>,
}

impl Default for Deleting {
    fn default() -> Deleting {
        Deleting::new()
    }
}

impl Deleting {
    pub fn new() -> Deleting {
        let deleting = Deleting {
            action: crate::components::step_up::consequential(),
            confirm: RwSignal::new(false),
            confirm_empty: RwSignal::new(false),
            emptying: RwSignal::new(false),
        };
        Effect::new(move |_| {
            if deleting.action.value().get().is_some() {
                deleting.confirm.set(false);
                deleting.confirm_empty.set(false);
            }
        });
        deleting
    }

    /// BI refused because the group has members, and the operator had not asked to empty it.
    fn has_members_refusal(&self) -> bool {
        !self.emptying.get()
            && self
                .action
                .value()
                .get()
                .is_some_and(|r| r.is_err_and(|e| e.status == Some(409)))
    }
}

/// The header's "Delete".
#[component]
pub fn DeleteGroupButton(deleting: Deleting) -> impl IntoView {
    view! {
        <button type="button" class=DANGER_BUTTON disabled=not_ready() on:click=move |_| deleting.confirm.set(true)>"Delete"</button>
    }
}

/// What the delete answered: an error, or BI's refusal of a group with members and the offer to empty it.
#[component]
pub fn DeleteGroupOutcome(
    deleting: Deleting,
    group_name: String,
    member_total: u64,
) -> impl IntoView {
    let refusal =
        format!("{group_name} still has {member_total} members, and BI deletes only empty groups.");
    let error = move || {
        deleting
            .action
            .value()
            .get()
            .and_then(|r| r.err())
            .filter(|e| e.status != Some(409) || deleting.emptying.get())
    };
    view! {
        {move || error().map(|e| view! { <ErrorBanner error=e /> })}
        <Show when=move || deleting.has_members_refusal()>
            <div id="delete-refused" role="alert" class="flex flex-wrap items-center gap-3 rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
                <p class="flex-1">{refusal.clone()}</p>
                <button type="button" class=DANGER_BUTTON on:click=move |_| deleting.confirm_empty.set(true)>
                    {format!("Remove all {member_total} members and delete")}
                </button>
            </div>
        </Show>
    }
}

/// Both confirmations ("Delete group?", and "Remove all N members and delete?" naming the first of them); once
/// deleted, the groups list.
#[component]
pub fn DeleteGroupDialogs(
    deleting: Deleting,
    realm: Memo<String>,
    group: String,
    group_name: String,
    member_total: u64,
    /// The members' names on the page shown, for the second confirmation.
    first_names: Vec<String>,
) -> impl IntoView {
    let navigate = use_navigate();
    {
        let name = group_name.clone();
        Effect::new(move |_| {
            if let Some(Ok(removed)) = deleting.action.value().get() {
                let mut url = format!(
                    "/realms/{}/groups?deleted={}",
                    realm.get_untracked(),
                    encode_component(&name)
                );
                if removed > 0 {
                    url.push_str(&format!("&removed={removed}"));
                }
                navigate(&url, Default::default());
            }
        });
    }
    let dispatch = move |remove_members: bool| {
        deleting.emptying.set(remove_members);
        deleting.action.dispatch(DeleteGroup {
            realm: realm.get_untracked(),
            id: group.clone(),
            remove_members,
        });
    };
    let plain = {
        let d = dispatch.clone();
        Callback::new(move |_| d(false))
    };
    let all = Callback::new(move |_| dispatch(true));
    let summary = if member_total as usize <= first_names.len() {
        crate::model::names_list(&first_names)
    } else {
        format!(
            "{} and {} more",
            first_names.join(", "),
            member_total as usize - first_names.len()
        )
    };
    view! {
        <ConfirmDialog
            open=deleting.confirm
            title="Delete group?".to_string()
            body=format!("Delete the group {group_name}. Its members' identities stay in the realm. This cannot be undone.")
            confirm_label="Delete group".to_string()
            danger=true
            pending=deleting.action.pending()
            on_confirm=plain
        />
        <ConfirmDialog
            open=deleting.confirm_empty
            title=format!("Remove all {member_total} members and delete?")
            body=format!("Remove {member_total} members from {group_name} ({summary}), then delete the group. Their identities stay in the realm. This cannot be undone.")
            confirm_label=format!("Remove {member_total} members and delete")
            danger=true
            pending=deleting.action.pending()
            on_confirm=all
        />
    }
}
