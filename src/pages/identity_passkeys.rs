//! An identity's passkeys on its page: the passkeys (id, created, last updated, status) with Revoke behind a
//! confirmation naming the identity and the passkey; the enrollment history (each invitation's delivery, state,
//! created, expiry) with Revoke for open ones; Send invitation by email and Get enrollment link (shown once, with a
//! copy button, for an operator helping someone in person), with the authenticator configuration to use. And
//! invitations for the identities selected on the list (`InviteSelected`).

use leptos::prelude::*;

use crate::api::{
    identity_passkeys, PasskeysView, RevokePasskey, RevokePasskeyInvitation, SendPasskeyInvitation,
    StartPasskeyInvitations,
};
use crate::components::dialog::ConfirmDialog;
use crate::components::error::{ErrorBanner, Notice};
use crate::components::form::{PRIMARY_BUTTON, SECONDARY_BUTTON};
use crate::components::pager::encode_component;
use crate::components::ready::not_ready;
use crate::components::table::DataTable;
use crate::model::{human_date, job_state_label};

const SELECT: &str = "rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:border-slate-700 dark:bg-slate-900";

/// The passkey writes of an identity's page. They belong to the page, not to this section, so that what they
/// answered (an enrollment link, shown once) stays on screen while the page reads the identity again.
#[derive(Clone, Copy)]
pub struct PasskeyActions {
    pub send: ServerAction<SendPasskeyInvitation>,
    pub revoke_job: ServerAction<RevokePasskeyInvitation>,
    pub revoke_key: ServerAction<RevokePasskey>,
}

impl PasskeyActions {
    pub fn new() -> PasskeyActions {
        PasskeyActions {
            send: ServerAction::new(),
            revoke_job: ServerAction::new(),
            revoke_key: ServerAction::new(),
        }
    }

    /// Grows with every write made (a dependency for what must be read again after one).
    pub fn version(&self) -> usize {
        self.send.version().get()
            + self.revoke_job.version().get()
            + self.revoke_key.version().get()
    }
}

impl Default for PasskeyActions {
    fn default() -> Self {
        PasskeyActions::new()
    }
}

/// Whose passkeys these are, and what the operator may do with them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PasskeyOwner {
    pub realm: String,
    pub identity: String,
    pub username: String,
    pub has_email: bool,
    /// Whether the operator may send invitations (and revoke open ones).
    pub invite: bool,
    /// Whether the operator may revoke passkeys.
    pub revoke: bool,
}

#[component]
pub fn IdentityPasskeys(owner: PasskeyOwner, actions: PasskeyActions) -> impl IntoView {
    let data = {
        let (realm, identity) = (owner.realm.clone(), owner.identity.clone());
        Resource::new(
            move || actions.version(),
            move |_| identity_passkeys(realm.clone(), identity.clone()),
        )
    };
    let owner = StoredValue::new(owner);
    view! {
        <section id="passkeys" aria-labelledby="passkeys-heading" class="overflow-hidden rounded-lg border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900">
            <Transition fallback=|| view! { <p class="p-4 text-sm text-slate-500">"Loading passkeys…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => view! { <h2 id="passkeys-heading" class="px-4 pt-4 text-lg font-semibold">"Passkeys"</h2><div class="p-4"><ErrorBanner error=e /></div> }.into_any(),
                        Ok(view) => view! {
                            <Passkeys view=view owner=owner.get_value() actions=actions />
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Passkeys(view: PasskeysView, owner: PasskeyOwner, actions: PasskeyActions) -> impl IntoView {
    let PasskeyOwner {
        realm,
        identity,
        username,
        has_email,
        invite,
        revoke,
    } = owner;
    let PasskeyActions {
        send,
        revoke_job,
        revoke_key,
    } = actions;
    let PasskeysView {
        credentials,
        credentials_total,
        jobs,
        jobs_total,
        configs,
        default_config,
    } = view;
    let config = RwSignal::new(default_config);
    let ids = StoredValue::new((realm, identity, username.clone()));
    let dispatch_send = move |link: bool| {
        let (realm, identity, _) = ids.get_value();
        send.dispatch(SendPasskeyInvitation {
            realm,
            identity,
            config: config.get_untracked(),
            link,
        });
    };

    // The outcome of the last write, above the tables; an enrollment link is shown only here, once.
    let outcome = move || {
        if let Some(r) = send.value().get() {
            return Some(match r {
                Err(e) => view! { <ErrorBanner error=e /> }.into_any(),
                Ok(inv) => match inv.link {
                    Some(link) => view! { <LinkPanel link=link /> }.into_any(),
                    None if inv.job.state == "FAILED_TO_SEND" => view! {
                        <Notice lines=vec!["BI could not email the invitation: the address does not receive mail. The identity shows Invitation failed.".to_string()] id="passkey-result" />
                    }.into_any(),
                    None => view! { <Notice lines=vec!["Invitation sent by email.".to_string()] id="passkey-result" /> }.into_any(),
                },
            });
        }
        None
    };
    let write_error = move || {
        revoke_job
            .value()
            .get()
            .and_then(|r| r.err())
            .or_else(|| revoke_key.value().get().and_then(|r| r.err()))
            .map(|e| view! { <ErrorBanner error=e /> })
    };

    // Revoking: which passkey or invitation, behind a confirmation that names it.
    let key_target: RwSignal<Option<String>> = RwSignal::new(None);
    let job_target: RwSignal<Option<String>> = RwSignal::new(None);
    let confirm_key = RwSignal::new(false);
    let confirm_job = RwSignal::new(false);
    Effect::new(move |_| {
        if revoke_key.value().get().is_some() {
            confirm_key.set(false);
        }
    });
    Effect::new(move |_| {
        if revoke_job.value().get().is_some() {
            confirm_job.set(false);
        }
    });
    let run_revoke_key = Callback::new(move |_| {
        if let Some(credential) = key_target.get_untracked() {
            let (realm, identity, _) = ids.get_value();
            revoke_key.dispatch(RevokePasskey {
                realm,
                identity,
                credential,
            });
        }
    });
    let run_revoke_job = Callback::new(move |_| {
        if let Some(job) = job_target.get_untracked() {
            let (realm, identity, _) = ids.get_value();
            revoke_job.dispatch(RevokePasskeyInvitation {
                realm,
                identity,
                job,
            });
        }
    });

    let key_rows = credentials
        .into_iter()
        .map(|c| {
            let created = c.create_time.clone().unwrap_or_default();
            let updated = c.update_time.clone().unwrap_or_default();
            let active = c.state == crate::model::CREDENTIAL_ACTIVE;
            let label = format!("Revoke passkey {}", c.id);
            let id = c.id.clone();
            view! {
                <tr>
                    <td class="px-4 py-2.5 font-mono text-xs">{c.id.clone()}</td>
                    <td class="px-4 py-2.5"><time datetime=created.clone() title=created.clone()>{human_date(&created)}</time></td>
                    <td class="px-4 py-2.5"><time datetime=updated.clone() title=updated.clone()>{human_date(&updated)}</time></td>
                    <td class="px-4 py-2.5">{if active { "Active" } else { "Revoked" }}</td>
                    <td class="px-4 py-2.5 text-right">
                        {(revoke && active).then(|| view! { <RevokeButton label=label id=id target=key_target confirm=confirm_key /> })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    let job_rows = jobs
        .into_iter()
        .map(|j| {
            let created = j.create_time.clone().unwrap_or_default();
            let expires = j.expire_time.clone().unwrap_or_default();
            let open = j.is_pending();
            let label = format!("Revoke invitation {}", j.id);
            let id = j.id.clone();
            let delivery = if j.delivery_method == crate::model::DELIVERY_RETURN { "Link" } else { "Email" };
            view! {
                <tr>
                    <td class="px-4 py-2.5">{delivery}</td>
                    <td class="px-4 py-2.5">{job_state_label(&j.state)}</td>
                    <td class="px-4 py-2.5"><time datetime=created.clone() title=created.clone()>{human_date(&created)}</time></td>
                    <td class="px-4 py-2.5"><time datetime=expires.clone() title=expires.clone()>{human_date(&expires)}</time></td>
                    <td class="px-4 py-2.5 text-right">
                        {(invite && open).then(|| view! { <RevokeButton label=label id=id target=job_target confirm=confirm_job /> })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    let no_keys = credentials_total == 0;
    let no_jobs = jobs_total == 0;
    let who = username.clone();
    let who_job = username.clone();
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
        <div class="flex flex-wrap items-center justify-between gap-3 px-4 pt-4">
            <h2 id="passkeys-heading" class="text-lg font-semibold">{format!("Passkeys ({credentials_total})")}</h2>
            {invite.then(|| view! {
                <div class="flex flex-wrap items-center gap-2">
                    {config_choice}
                    <button type="button" class=PRIMARY_BUTTON disabled=move || waiting() || send.pending().get() || no_config || !has_email
                        title=(!has_email).then_some("This identity has no email address")
                        on:click=move |_| dispatch_send(false)>"Send invitation"</button>
                    <button type="button" class=SECONDARY_BUTTON disabled=move || waiting() || send.pending().get() || no_config
                        on:click=move |_| dispatch_send(true)>"Get enrollment link"</button>
                </div>
            })}
        </div>
        <div class="px-4 pt-3">{outcome}{write_error}</div>
        {if no_keys {
            view! { <p id="no-passkeys" class="px-4 py-3 text-sm text-slate-600 dark:text-slate-400">{format!("{username} has no passkey yet.")}</p> }.into_any()
        } else {
            view! { <div class="mt-2"><DataTable columns=&["Passkey ID", "Created", "Last updated", "Status", ""]>{key_rows}</DataTable></div> }.into_any()
        }}
        <h3 id="enrollment-history" class="px-4 pt-4 text-base font-semibold">{format!("Enrollment history ({jobs_total})")}</h3>
        {if no_jobs {
            view! { <p class="px-4 py-3 text-sm text-slate-600 dark:text-slate-400">"No invitation has been sent."</p> }.into_any()
        } else {
            view! { <div class="mt-2 pb-2"><DataTable columns=&["Delivery", "State", "Created", "Expires", ""]>{job_rows}</DataTable></div> }.into_any()
        }}
        <ConfirmDialog
            open=confirm_key
            title="Revoke passkey?".to_string()
            body=Signal::derive(move || format!("Revoke passkey {} of {who}. It can no longer be used to sign in. This cannot be undone.", key_target.get().unwrap_or_default()))
            confirm_label="Revoke passkey".to_string()
            danger=true
            pending=revoke_key.pending()
            on_confirm=run_revoke_key
        />
        <ConfirmDialog
            open=confirm_job
            title="Revoke invitation?".to_string()
            body=Signal::derive(move || format!("Revoke invitation {} of {who_job}. Its link will no longer work.", job_target.get().unwrap_or_default()))
            confirm_label="Revoke invitation".to_string()
            danger=true
            pending=revoke_job.pending()
            on_confirm=run_revoke_job
        />
    }
}

/// Passkey invitations for the identities selected on a list: a confirmation that names them, then one batch at BI
/// and its own page, which follows it; a refusal (e.g. BI's queue is full) shows here.
#[component]
pub fn InviteSelected(
    realm: Memo<String>,
    selected: crate::components::table::Selection,
    open: RwSignal<bool>,
) -> impl IntoView {
    let invite = ServerAction::<StartPasskeyInvitations>::new();
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| match invite.value().get() {
        Some(Ok(batch)) => {
            open.set(false);
            navigate(
                &format!(
                    "/realms/{}/invitations/{}",
                    encode_component(&realm.get_untracked()),
                    encode_component(&batch)
                ),
                Default::default(),
            );
        }
        Some(Err(_)) => open.set(false),
        None => {}
    });
    let run = Callback::new(move |_| {
        invite.dispatch(StartPasskeyInvitations {
            realm: realm.get_untracked(),
            ids: selected
                .get_untracked()
                .into_iter()
                .map(|(id, _)| id)
                .collect(),
        });
    });
    view! {
        {move || invite.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorBanner error=e /> })}
        <ConfirmDialog
            open=open
            title=Signal::derive(move || format!("Send passkey invitations to {} identities?", selected.read().len()))
            body=Signal::derive(move || {
                let names: Vec<String> = selected.read().iter().map(|(_, u)| u.clone()).collect();
                let queue = if names.len() > crate::model::MAX_BATCH_IDS {
                    " BI takes 1,000 at a time: the rest wait in the console and go as its queue drains."
                } else {
                    ""
                };
                format!("BI emails each an enrollment link: {}. Identities without an email address are skipped and listed.{queue}", crate::model::names_list(&names))
            })
            confirm_label=Signal::derive(move || format!("Send {} invitations", selected.read().len()))
            pending=invite.pending()
            on_confirm=run
        />
    }
}

/// "Revoke" on a row: names what it revokes, and asks for confirmation of `id` first.
#[component]
fn RevokeButton(
    label: String,
    id: String,
    target: RwSignal<Option<String>>,
    confirm: RwSignal<bool>,
) -> impl IntoView {
    view! {
        <button type="button" aria-label=label disabled=not_ready()
            on:click=move |_| { target.set(Some(id.clone())); confirm.set(true); }
            class="rounded px-2 py-1 text-sm text-red-700 hover:bg-red-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-red-500 dark:text-red-300 dark:hover:bg-red-950">"Revoke"</button>
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
