//! One identity: every field, its id (copyable), status, times; Suspend / Unsuspend and Delete behind
//! confirmations that name the identity; its passkeys and invitations; its groups, joined and left from here; its
//! activity. A row of links at the top leads to each part.

use leptos::prelude::*;

use crate::components::ready::not_ready;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

use crate::api::{
    added_identity_report, get_identity, AddIdentityToGroups, DeleteIdentity, IdentityDetail,
    RemoveIdentityFromGroup, SetIdentityStatus,
};
use crate::components::activity::Activity;
use crate::components::dialog::ConfirmDialog;
use crate::components::error::ErrorBanner;
use crate::components::form::{DANGER_BUTTON, SECONDARY_BUTTON};
use crate::components::layout::{use_me, Perms};
use crate::components::pager::encode_component;
use crate::components::table::StatusBadge;
use crate::model::{human_date, Action, AppError, Identity};
use crate::pages::identity_groups::IdentityGroups;
use crate::pages::identity_passkeys::{IdentityPasskeys, PasskeyActions, PasskeyOwner};

#[component]
pub fn IdentityDetailPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let realm = Memo::new(move |_| params.read().get("realm").unwrap_or_default());
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let created = Memo::new(move |_| query.read().get("created").is_some());
    let updated = Memo::new(move |_| query.read().get("updated").is_some());

    let status_action = ServerAction::<SetIdentityStatus>::new();
    let delete_action = ServerAction::<DeleteIdentity>::new();
    // The dialogs' state lives above the part rebuilt when the identity is read again, so a dialog opened while
    // another change is on its way stays open.
    let dialogs = Dialogs {
        status: RwSignal::new(false),
        delete: RwSignal::new(false),
    };
    let me = use_me();
    let join = ServerAction::<AddIdentityToGroups>::new();
    let leave = ServerAction::<RemoveIdentityFromGroup>::new();
    // Passkey writes change the identity's enrollment status: the identity is read again after each.
    let passkeys = PasskeyActions::new();
    let data = Resource::new(
        move || {
            (
                realm.get(),
                id.get(),
                status_action.version().get()
                    + join.version().get()
                    + leave.version().get()
                    + passkeys.version(),
            )
        },
        |(realm, id, _)| get_identity(realm, id),
    );

    view! {
        <div class="mx-auto flex max-w-6xl flex-col gap-5">
            <a href=move || format!("/realms/{}/identities", realm.get()) class="text-sm text-indigo-600 hover:underline dark:text-indigo-400">"← Identities"</a>
            <Show when=move || created.get()>
                <CreatedReport realm=realm id=id />
            </Show>
            <Show when=move || updated.get()>
                <p role="status" class="rounded-md border border-emerald-300 bg-emerald-50 px-4 py-3 text-sm text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-200">"Changes saved."</p>
            </Show>
            <Transition fallback=|| view! { <p class="text-sm text-slate-500">"Loading identity…"</p> }>
                {move || Suspend::new(async move {
                    let perms = me.perms().await;
                    match data.await {
                        Ok(detail) => view! { <Detail detail=detail realm=realm status_action=status_action delete_action=delete_action join=join leave=leave perms=perms passkeys=passkeys dialogs=dialogs /> }.into_any(),
                        Err(e) => view! { <ErrorBanner error=e /> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

/// Whether the Suspend / Unsuspend and Delete confirmations are open.
#[derive(Clone, Copy)]
struct Dialogs {
    status: RwSignal<bool>,
    delete: RwSignal<bool>,
}

#[component]
fn Detail(
    detail: IdentityDetail,
    realm: Memo<String>,
    status_action: ServerAction<SetIdentityStatus>,
    delete_action: ServerAction<DeleteIdentity>,
    join: ServerAction<AddIdentityToGroups>,
    leave: ServerAction<RemoveIdentityFromGroup>,
    perms: Perms,
    passkeys: PasskeyActions,
    dialogs: Dialogs,
) -> impl IntoView {
    let changes = Signal::derive(move || {
        status_action.version().get() + join.version().get() + leave.version().get()
    });
    let IdentityDetail {
        identity,
        groups,
        groups_total,
        protected,
    } = detail;
    let suspended = identity.is_suspended();
    let Dialogs {
        status: confirm_status,
        delete: confirm_delete,
    } = dialogs;
    // A member of a protected group is changed by an admin only; others see why the controls are missing.
    let guarded = protected && !perms.is_admin();
    let may = |action: Action| perms.can(action) && !guarded;
    let protected_note = guarded.then(|| {
        view! {
            <p id="protected-note" class="rounded-md border border-slate-300 bg-slate-50 px-3 py-2 text-sm text-slate-700 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-300">
                {crate::model::PROTECTED_IDENTITY}
            </p>
        }
    });
    let who = format!("{} ({})", identity.username(), identity.display_name);

    // Close the dialog once the change is made; the resource reloads through the action's version.
    Effect::new(move |_| {
        if let Some(Ok(_)) = status_action.value().get() {
            confirm_status.set(false);
        }
    });
    let navigate = use_navigate();
    let username = identity.username().to_string();
    Effect::new(move |_| {
        if let Some(Ok(())) = delete_action.value().get() {
            confirm_delete.set(false);
            navigate(
                &format!(
                    "/realms/{}/identities?deleted={}",
                    realm.get_untracked(),
                    encode_component(&username)
                ),
                Default::default(),
            );
        }
    });
    let action_error = move || {
        let status_err = status_action
            .value()
            .get()
            .and_then(|r: Result<Identity, AppError>| r.err());
        let delete_err = delete_action
            .value()
            .get()
            .and_then(|r: Result<(), AppError>| r.err());
        status_err
            .or(delete_err)
            .map(|e| view! { <ErrorBanner error=e /> })
    };

    let id = identity.id.clone();
    let dispatch_status = {
        let id = id.clone();
        Callback::new(move |_| {
            status_action.dispatch(SetIdentityStatus {
                realm: realm.get_untracked(),
                id: id.clone(),
                suspend: !suspended,
            });
        })
    };
    let dispatch_delete = {
        let id = id.clone();
        Callback::new(move |_| {
            delete_action.dispatch(DeleteIdentity {
                realm: realm.get_untracked(),
                id: id.clone(),
            });
        })
    };
    let t = &identity.traits;
    let mut rows: Vec<(String, String)> = vec![
        ("Username".to_string(), identity.username().to_string()),
        (
            "Email".to_string(),
            t.primary_email_address.clone().unwrap_or_default(),
        ),
        (
            "External ID".to_string(),
            t.external_id.clone().unwrap_or_default(),
        ),
        (
            "Given name".to_string(),
            t.given_name.clone().unwrap_or_default(),
        ),
        (
            "Family name".to_string(),
            t.family_name.clone().unwrap_or_default(),
        ),
        (
            "Enrollment".to_string(),
            crate::model::enrollment_label(
                identity.enrollment_status.as_deref().unwrap_or_default(),
            ),
        ),
    ];
    // Every other trait BI holds for this identity, in BI's order.
    rows.extend(t.other_traits());
    let button = SECONDARY_BUTTON;
    let created = identity.create_time.clone().unwrap_or_default();
    let updated = identity.update_time.clone().unwrap_or_default();
    let copy_id = id.clone();

    view! {
        <div class="flex flex-wrap items-start justify-between gap-4">
            <div>
                <h1 class="text-2xl font-semibold tracking-tight">{identity.display_name.clone()}</h1>
                <p class="mt-1 flex items-center gap-2 text-sm text-slate-600 dark:text-slate-400">
                    <span>"ID "</span><code id="identity-id">{id.clone()}</code>
                    <button type="button" class="rounded px-1.5 text-xs text-indigo-600 hover:underline disabled:cursor-progress disabled:opacity-60 dark:text-indigo-400" disabled=not_ready()
                        on:click=move |_| {
                            #[cfg(feature = "hydrate")]
                            if let Some(w) = web_sys::window() {
                                let _ = w.navigator().clipboard().write_text(&copy_id);
                            }
                            #[cfg(not(feature = "hydrate"))]
                            let _ = &copy_id;
                        }
                    >"Copy ID"</button>
                </p>
            </div>
            <div class="flex gap-2">
                {may(Action::EditIdentity).then(|| view! {
                    <a class=button href=format!("/realms/{}/identities/{}/edit", encode_component(&realm.get_untracked()), encode_component(&id))>"Edit"</a>
                })}
                {may(Action::SetStatus).then(|| view! {
                    <button type="button" class=button disabled=not_ready() on:click=move |_| confirm_status.set(true)>
                        {if suspended { "Unsuspend" } else { "Suspend" }}
                    </button>
                })}
                {may(Action::DeleteIdentity).then(|| view! {
                    <button type="button" class=DANGER_BUTTON disabled=not_ready() on:click=move |_| confirm_delete.set(true)>"Delete"</button>
                })}
            </div>
        </div>
        <nav aria-label="Sections of this identity" class="flex flex-wrap gap-4 border-b border-slate-200 pb-2 text-sm dark:border-slate-800">
            <a href="#profile" class="font-medium text-indigo-700 hover:underline dark:text-indigo-300">"Profile"</a>
            <a href="#passkeys" class="font-medium text-indigo-700 hover:underline dark:text-indigo-300">"Passkeys"</a>
            <a href="#groups" class="font-medium text-indigo-700 hover:underline dark:text-indigo-300">"Groups"</a>
            <a href="#activity-log" class="font-medium text-indigo-700 hover:underline dark:text-indigo-300">"Activity"</a>
        </nav>
        {protected_note}
        {action_error}
        <section id="profile" aria-label="Profile" class="scroll-mt-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900">
            <dl class="grid grid-cols-1 gap-x-6 gap-y-4 sm:grid-cols-2">
                <div>
                    <dt class="text-xs font-semibold uppercase tracking-wide text-slate-500">"Status"</dt>
                    <dd id="identity-status" class="mt-1">
                        <StatusBadge suspended=suspended />
                    </dd>
                </div>
                {rows
                    .into_iter()
                    .map(|(label, value)| view! {
                        <div>
                            <dt class="text-xs font-semibold uppercase tracking-wide text-slate-500">{label}</dt>
                            <dd class="mt-1 text-sm">{if value.is_empty() { "—".to_string() } else { value }}</dd>
                        </div>
                    })
                    .collect_view()}
                <div>
                    <dt class="text-xs font-semibold uppercase tracking-wide text-slate-500">"Created"</dt>
                    <dd class="mt-1 text-sm"><time datetime=created.clone() title=created.clone()>{human_date(&created)}</time></dd>
                </div>
                <div>
                    <dt class="text-xs font-semibold uppercase tracking-wide text-slate-500">"Updated"</dt>
                    <dd class="mt-1 text-sm"><time datetime=updated.clone() title=updated.clone()>{human_date(&updated)}</time></dd>
                </div>
            </dl>
        </section>
        <IdentityPasskeys
            owner=PasskeyOwner {
                realm: realm.get_untracked(),
                identity: id.clone(),
                username: identity.username().to_string(),
                has_email: !identity.email().is_empty(),
                invite: may(Action::Invite),
                revoke: may(Action::RevokePasskey),
            }
            actions=passkeys
        />
        <IdentityGroups
            realm=realm.get_untracked()
            identity=id.clone()
            username=identity.username().to_string()
            groups=groups
            groups_total=groups_total
            join=join
            leave=leave
            manage=perms.can(Action::ManageMembers)
        />
        <Activity realm=realm.get_untracked() id=id.clone() version=changes />
        <ConfirmDialog
            open=confirm_status
            title=if suspended { "Unsuspend identity?".to_string() } else { "Suspend identity?".to_string() }
            body=if suspended {
                format!("Unsuspend {who}. They will be able to sign in again.")
            } else {
                format!("Suspend {who}. They will not be able to sign in or create passkeys until unsuspended.")
            }
            confirm_label=if suspended { "Unsuspend identity".to_string() } else { "Suspend identity".to_string() }
            pending=status_action.pending()
            on_confirm=dispatch_status
        />
        <ConfirmDialog
            open=confirm_delete
            title="Delete identity?".to_string()
            body=format!("Delete {who}. This cannot be undone.")
            confirm_label="Delete identity".to_string()
            danger=true
            pending=delete_action.pending()
            on_confirm=dispatch_delete
        />
    }
}

/// What Add identity did, part by part (created; joined groups; invitation sent — or which part failed and why),
/// when this operator has just added the identity; else "Identity created."
#[component]
fn CreatedReport(realm: Memo<String>, id: Memo<String>) -> impl IntoView {
    let report = Resource::new(
        move || (realm.get(), id.get()),
        |(r, i)| added_identity_report(r, i),
    );
    let ok_class = "rounded-md border border-emerald-300 bg-emerald-50 px-4 py-3 text-sm text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-200";
    let partly_class = "rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200";
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match report.await.ok().flatten() {
                    None => view! { <p role="status" class=ok_class>"Identity created."</p> }.into_any(),
                    Some(r) => {
                        let (class, title) = if r.all_ok() {
                            (ok_class, "Identity created.")
                        } else {
                            (partly_class, "Identity created; not everything asked for was done.")
                        };
                        let lines = r.lines.into_iter().map(|l| view! {
                            <li class="flex gap-2">
                                <span aria-hidden="true">{if l.ok { "✓" } else { "✗" }}</span>
                                <span>{l.text}</span>
                            </li>
                        }).collect_view();
                        view! {
                            <div role="status" id="created-report" class=class>
                                <p class="font-medium">{title}</p>
                                <ul class="mt-1 flex flex-col gap-0.5">{lines}</ul>
                            </div>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}
