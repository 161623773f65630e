//! An identity's passkeys on its page: the passkeys (id, created, last updated, status) with Revoke behind a
//! confirmation naming the identity and the passkey; the enrollment history (each invitation's delivery, state,
//! created, expiry) with Revoke for open ones; Send invitation by email and Get enrollment link (shown once, with a
//! copy button, for an operator helping someone in person), with the authenticator configuration to use. And
//! invitations for the identities selected on the list (`InviteSelected`).

use leptos::prelude::*;

use super::identity_actions::revoke_invitation::{InvitationRevocation, RevokeInvitationDialog};
use super::identity_actions::revoke_passkey::{PasskeyRevocation, RevokePasskeyDialog};
use super::identity_actions::send_invitation::{InvitationOutcome, SendInvitation};
use super::identity_actions::RevokeButton;
use crate::api::{
    identity_passkeys, PasskeysView, RevokePasskey, RevokePasskeyInvitation, SendPasskeyInvitation,
    StartPasskeyInvitations,
};
use crate::components::dialog::ConfirmDialog;
use crate::components::error::ErrorBanner;
use crate::components::pager::encode_component;
use crate::components::table::DataTable;
use crate::model::{human_date, job_state_label};

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
            revoke_key: crate::components::step_up::consequential(),
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

/// The passkeys, the enrollment history, and the actions on them.
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
    let PasskeysView {
        credentials,
        credentials_total,
        jobs,
        jobs_total,
        configs,
        default_config,
    } = view;
    let revoking_key = PasskeyRevocation::new(actions.revoke_key);
    let revoking_job = InvitationRevocation::new(actions.revoke_job);
    let write_error = move || {
        actions
            .revoke_job
            .value()
            .get()
            .and_then(|r| r.err())
            .or_else(|| actions.revoke_key.value().get().and_then(|r| r.err()))
            .map(|e| view! { <ErrorBanner error=e /> })
    };
    let key_rows = credentials
        .into_iter()
        .map(|c| {
            let created = c.create_time.clone().unwrap_or_default();
            let updated = c.update_time.clone().unwrap_or_default();
            let active = c.state == crate::model::CREDENTIAL_ACTIVE;
            let label = format!("Revoke passkey {}", c.id);
            view! {
                <tr>
                    <td class="px-4 py-2.5 font-mono text-xs">{c.id.clone()}</td>
                    <td class="px-4 py-2.5"><time datetime=created.clone() title=created.clone()>{human_date(&created)}</time></td>
                    <td class="px-4 py-2.5"><time datetime=updated.clone() title=updated.clone()>{human_date(&updated)}</time></td>
                    <td class="px-4 py-2.5">{if active { "Active" } else { "Revoked" }}</td>
                    <td class="px-4 py-2.5 text-right">
                        {(revoke && active).then(|| view! { <RevokeButton revocation=revoking_key id=c.id.clone() label=label /> })}
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
            let delivery = if j.delivery_method == crate::model::DELIVERY_RETURN { "Link" } else { "Email" };
            view! {
                <tr>
                    <td class="px-4 py-2.5">{delivery}</td>
                    <td class="px-4 py-2.5">{job_state_label(&j.state)}</td>
                    <td class="px-4 py-2.5"><time datetime=created.clone() title=created.clone()>{human_date(&created)}</time></td>
                    <td class="px-4 py-2.5"><time datetime=expires.clone() title=expires.clone()>{human_date(&expires)}</time></td>
                    <td class="px-4 py-2.5 text-right">
                        {(invite && open).then(|| view! { <RevokeButton revocation=revoking_job id=j.id.clone() label=label /> })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="flex flex-wrap items-center justify-between gap-3 px-4 pt-4">
            <h2 id="passkeys-heading" class="text-lg font-semibold">{format!("Passkeys ({credentials_total})")}</h2>
            {invite.then(|| view! {
                <SendInvitation send=actions.send realm=realm.clone() identity=identity.clone() has_email=has_email configs=configs default_config=default_config />
            })}
        </div>
        <div class="px-4 pt-3"><InvitationOutcome send=actions.send />{write_error}</div>
        {if credentials_total == 0 {
            view! { <p id="no-passkeys" class="px-4 py-3 text-sm text-slate-600 dark:text-slate-400">{format!("{username} has no passkey yet.")}</p> }.into_any()
        } else {
            view! { <div class="mt-2"><DataTable columns=&["Passkey ID", "Created", "Last updated", "Status", ""]>{key_rows}</DataTable></div> }.into_any()
        }}
        <h3 id="enrollment-history" class="px-4 pt-4 text-base font-semibold">{format!("Enrollment history ({jobs_total})")}</h3>
        {if jobs_total == 0 {
            view! { <p class="px-4 py-3 text-sm text-slate-600 dark:text-slate-400">"No invitation has been sent."</p> }.into_any()
        } else {
            view! { <div class="mt-2 pb-2"><DataTable columns=&["Delivery", "State", "Created", "Expires", ""]>{job_rows}</DataTable></div> }.into_any()
        }}
        <RevokePasskeyDialog revocation=revoking_key realm=realm.clone() identity=identity.clone() who=username.clone() />
        <RevokeInvitationDialog revocation=revoking_job realm=realm identity=identity who=username />
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
