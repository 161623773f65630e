//! Deleting an identity: the button, a confirmation that names it, and once deleted the identities list, which
//! says who was deleted.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::api::DeleteIdentity;
use crate::components::dialog::ConfirmDialog;
use crate::components::form::DANGER_BUTTON;
use crate::components::pager::encode_component;
use crate::components::ready::not_ready;

/// The delete and its confirmation.
#[derive(Clone, Copy)]
pub struct Deletion {
    pub action: ServerAction<DeleteIdentity>,
    confirm: RwSignal<bool>,
}

impl Deletion {
    pub fn new() -> Deletion {
        Deletion {
            action: crate::components::step_up::consequential(),
            confirm: RwSignal::new(false),
        }
    }
}

impl Default for Deletion {
    fn default() -> Deletion {
        Deletion::new()
    }
}

/// "Delete".
#[component]
pub fn DeleteIdentityButton(deletion: Deletion) -> impl IntoView {
    view! {
        <button type="button" class=DANGER_BUTTON disabled=not_ready() on:click=move |_| deletion.confirm.set(true)>"Delete"</button>
    }
}

/// The confirmation naming `who`; once deleted, the identities list.
#[component]
pub fn DeleteIdentityDialog(
    deletion: Deletion,
    realm: Memo<String>,
    id: String,
    username: String,
    who: String,
) -> impl IntoView {
    let navigate = use_navigate();
    Effect::new(move |_| {
        // Answered: the confirmation closes (a refusal shows on the page, with what to do about it).
        let answer = deletion.action.value().get();
        if answer.is_some() {
            deletion.confirm.set(false);
        }
        if let Some(Ok(())) = answer {
            let list = format!(
                "/realms/{}/identities?deleted={}",
                realm.get_untracked(),
                encode_component(&username)
            );
            navigate(&list, Default::default());
        }
    });
    let run = Callback::new(move |_| {
        deletion.action.dispatch(DeleteIdentity {
            realm: realm.get_untracked(),
            id: id.clone(),
        });
    });
    view! {
        <ConfirmDialog
            open=deletion.confirm
            title="Delete identity?".to_string()
            body=format!("Delete {who}. This cannot be undone.")
            confirm_label="Delete identity".to_string()
            danger=true
            pending=deletion.action.pending()
            on_confirm=run
        />
    }
}
