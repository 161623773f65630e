//! Suspending or unsuspending an identity: the button, and a confirmation that names the identity and says what
//! suspension means. Done, the identity is read again (the page follows the action's version).

use leptos::prelude::*;

use crate::api::SetIdentityStatus;
use crate::components::dialog::ConfirmDialog;
use crate::components::form::SECONDARY_BUTTON;
use crate::components::ready::not_ready;

/// The status change and its confirmation.
#[derive(Clone, Copy)]
pub struct StatusChange {
    pub action: ServerAction<SetIdentityStatus>,
    confirm: RwSignal<bool>,
}

impl StatusChange {
    pub fn new() -> StatusChange {
        let change = StatusChange {
            action: ServerAction::new(),
            confirm: RwSignal::new(false),
        };
        // Closed once the change is made.
        Effect::new(move |_| {
            if let Some(Ok(_)) = change.action.value().get() {
                change.confirm.set(false);
            }
        });
        change
    }
}

impl Default for StatusChange {
    fn default() -> StatusChange {
        StatusChange::new()
    }
}

/// "Suspend" or "Unsuspend".
#[component]
pub fn StatusButton(change: StatusChange, suspended: bool) -> impl IntoView {
    view! {
        <button type="button" class=SECONDARY_BUTTON disabled=not_ready() on:click=move |_| change.confirm.set(true)>
            {if suspended { "Unsuspend" } else { "Suspend" }}
        </button>
    }
}

/// The confirmation naming `who`.
#[component]
pub fn StatusDialog(
    change: StatusChange,
    realm: Memo<String>,
    id: String,
    who: String,
    suspended: bool,
) -> impl IntoView {
    let run = Callback::new(move |_| {
        change.action.dispatch(SetIdentityStatus {
            realm: realm.get_untracked(),
            id: id.clone(),
            suspend: !suspended,
        });
    });
    view! {
        <ConfirmDialog
            open=change.confirm
            title=if suspended { "Unsuspend identity?".to_string() } else { "Suspend identity?".to_string() }
            body=if suspended {
                format!("Unsuspend {who}. They will be able to sign in again.")
            } else {
                format!("Suspend {who}. They will not be able to sign in or create passkeys until unsuspended.")
            }
            confirm_label=if suspended { "Unsuspend identity".to_string() } else { "Suspend identity".to_string() }
            pending=change.action.pending()
            on_confirm=run
        />
    }
}
