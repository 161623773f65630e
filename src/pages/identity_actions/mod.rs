//! The operator's actions on one identity, one file each: suspend or unsuspend it, delete it, send a passkey
//! invitation (or get an enrollment link), revoke an invitation, revoke a passkey. (Its groups' are in
//! `identity_groups`; editing is its own screen.) Each action holds its
//! server action and whether its confirmation is open in a `Copy` value the identity's page makes once, above the
//! part that is rebuilt when the identity is read again, so a confirmation opened meanwhile stays open.

pub mod delete_identity;
pub mod revoke_invitation;
pub mod revoke_passkey;
pub mod send_invitation;
pub mod set_status;

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::components::dialog::ConfirmDialog;
use crate::components::ready::not_ready;
use crate::model::AppError;

/// A revocation on the identity's passkeys section: its server action (the page's), the row it is about (a
/// passkey's or an invitation's id), and whether its confirmation is open.
pub struct Revocation<A: ServerFn + 'static> {
    pub action: ServerAction<A>,
    target: RwSignal<Option<String>>,
    confirm: RwSignal<bool>,
}

impl<A: ServerFn + 'static> Clone for Revocation<A> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<A: ServerFn + 'static> Copy for Revocation<A> {}

impl<A> Revocation<A>
where
    A: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    A::Output: Send + Sync + 'static,
{
    /// For `action`; the confirmation closes once it has answered.
    pub fn new(action: ServerAction<A>) -> Revocation<A> {
        let revocation = Revocation {
            action,
            target: RwSignal::new(None),
            confirm: RwSignal::new(false),
        };
        Effect::new(move |_| {
            if action.value().with(Option::is_some) {
                revocation.confirm.set(false);
            }
        });
        revocation
    }
}

/// What `action` last answered, when it failed.
#[component]
pub fn ActionError<A>(action: ServerAction<A>) -> impl IntoView
where
    A: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    A::Output: Send + Sync + 'static,
{
    move || {
        action
            .value()
            .with(|v| v.as_ref().and_then(|r| r.as_ref().err().cloned()))
            .map(|e| view! { <crate::components::error::ErrorBanner error=e /> })
    }
}

/// "Revoke" on a row: names what it revokes (`label`), and asks for confirmation of `id` first.
#[component]
pub fn RevokeButton<A>(revocation: Revocation<A>, id: String, label: String) -> impl IntoView
where
    A: ServerFn + 'static,
{
    let (target, confirm) = (revocation.target, revocation.confirm);
    view! {
        <button type="button" aria-label=label disabled=not_ready()
            on:click=move |_| { target.set(Some(id.clone())); confirm.set(true); }
            class="rounded px-2 py-1 text-sm text-red-700 hover:bg-red-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-red-500 dark:text-red-300 dark:hover:bg-red-950">"Revoke"</button>
    }
}

/// The confirmation of a revocation: `body` says what goes (given the row's id); confirmed, `request` makes the
/// call for that row.
#[component]
fn RevokeDialog<A>(
    revocation: Revocation<A>,
    title: &'static str,
    confirm_label: &'static str,
    body: impl Fn(String) -> String + Send + Sync + 'static,
    request: impl Fn(String) -> A + Send + Sync + 'static,
) -> impl IntoView
where
    A: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    A::Output: Send + Sync + 'static,
{
    let target = revocation.target;
    let run = Callback::new(move |_| {
        if let Some(id) = target.get_untracked() {
            revocation.action.dispatch(request(id));
        }
    });
    view! {
        <ConfirmDialog
            open=revocation.confirm
            title=title.to_string()
            body=Signal::derive(move || body(target.get().unwrap_or_default()))
            confirm_label=confirm_label.to_string()
            danger=true
            pending=revocation.action.pending()
            on_confirm=run
        />
    }
}
