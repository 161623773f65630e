//! Sending a passkey invitation to one identity: by email ("Send invitation"), or as an enrollment link answered
//! to the operator ("Get enrollment link"), who helps someone in person; with the authenticator configuration to
//! use when the realm has more than one. What BI answered shows above the passkeys, a link only there and once.

use leptos::prelude::*;

use crate::api::SendPasskeyInvitation;
use crate::components::error::{ErrorBanner, Notice};
use crate::components::form::{PRIMARY_BUTTON, SECONDARY_BUTTON};
use crate::components::ready::not_ready;
use crate::model::AuthenticatorConfig;

const SELECT: &str = "rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:border-slate-700 dark:bg-slate-900";

/// The configuration choice and both buttons.
#[component]
pub fn SendInvitation(
    send: ServerAction<SendPasskeyInvitation>,
    realm: String,
    identity: String,
    has_email: bool,
    configs: Vec<AuthenticatorConfig>,
    default_config: String,
) -> impl IntoView {
    let config = RwSignal::new(default_config);
    let dispatch = move |link: bool| {
        send.dispatch(SendPasskeyInvitation {
            realm: realm.clone(),
            identity: identity.clone(),
            config: config.get_untracked(),
            link,
        });
    };
    let by_email = dispatch.clone();
    let config_choice = (configs.len() > 1).then(|| {
        let options = configs
            .iter()
            .map(|c| view! { <option value=c.id.clone() selected=c.id == config.get_untracked()>{c.label()}</option> })
            .collect_view();
        view! {
            <label class="flex items-center gap-2 text-sm">
                "Authenticator"
                <select class=SELECT on:change=move |ev| config.set(event_target_value(&ev))>{options}</select>
            </label>
        }
    });
    let no_config = configs.is_empty();
    let waiting = not_ready();
    view! {
        <div class="flex flex-wrap items-center gap-2">
            {config_choice}
            <button type="button" class=PRIMARY_BUTTON disabled=move || waiting() || send.pending().get() || no_config || !has_email
                title=(!has_email).then_some("This identity has no email address")
                on:click=move |_| by_email(false)>"Send invitation"</button>
            <button type="button" class=SECONDARY_BUTTON disabled=move || waiting() || send.pending().get() || no_config
                on:click=move |_| dispatch(true)>"Get enrollment link"</button>
        </div>
    }
}

/// What the last invitation came to: an error, "sent", "BI could not send it", or the enrollment link.
#[component]
pub fn InvitationOutcome(send: ServerAction<SendPasskeyInvitation>) -> impl IntoView {
    move || {
        send.value().get().map(|r| match r {
            Err(e) => view! { <ErrorBanner error=e /> }.into_any(),
            Ok(inv) => match inv.link {
                Some(link) => view! { <LinkPanel link=link /> }.into_any(),
                None if inv.job.state == "FAILED_TO_SEND" => view! {
                    <Notice lines=vec!["BI could not email the invitation: the address does not receive mail. The identity shows Invitation failed.".to_string()] id="passkey-result" />
                }.into_any(),
                None => view! { <Notice lines=vec!["Invitation sent by email.".to_string()] id="passkey-result" /> }.into_any(),
            },
        })
    }
}

/// An enrollment link, shown once: to give to the person being helped. Copied with a button.
#[component]
fn LinkPanel(link: String) -> impl IntoView {
    let copied = RwSignal::new(false);
    let copy_text = link.clone();
    view! {
        <div id="enrollment-link" role="status" class="flex flex-col gap-2 rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-950 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
            <p class="font-medium">"Enrollment link (shown once: give it only to this person)"</p>
            <label for="enrollment-link-value" class="sr-only">"Enrollment link"</label>
            <input id="enrollment-link-value" readonly value=link class="w-full rounded border border-amber-300 bg-white px-2 py-1 font-mono text-xs text-slate-900 dark:bg-slate-900 dark:text-slate-100" />
            <div>
                <button type="button" class=SECONDARY_BUTTON on:click=move |_| {
                    #[cfg(feature = "hydrate")]
                    if let Some(w) = web_sys::window() {
                        let _ = w.navigator().clipboard().write_text(&copy_text);
                    }
                    #[cfg(not(feature = "hydrate"))]
                    let _ = &copy_text;
                    copied.set(true);
                }>{move || if copied.get() { "Copied" } else { "Copy link" }}</button>
            </div>
        </div>
    }
}
