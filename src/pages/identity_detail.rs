//! One identity: every field, its id (copyable), status, times; Suspend / Unsuspend and Delete behind
//! confirmations that name the identity; its passkeys and invitations; its groups, joined and left from here; its
//! activity. A row of links at the top leads to each part.

use leptos::prelude::*;

use crate::components::ready::not_ready;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::identity_actions::delete_identity::{
    DeleteIdentityButton, DeleteIdentityDialog, Deletion,
};
use super::identity_actions::set_status::{StatusButton, StatusChange, StatusDialog};
use super::identity_actions::ActionError;
use crate::api::{
    added_identity_report, get_identity, AddIdentityToGroups, IdentityDetail,
    RemoveIdentityFromGroup,
};
use crate::components::activity::Activity;
use crate::components::error::ErrorBanner;
use crate::components::form::SECONDARY_BUTTON;
use crate::components::layout::{use_me, Perms};
use crate::components::pager::encode_component;
use crate::components::table::StatusBadge;
use crate::model::{human_date, Action, Identity};
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

    // The actions live above the part rebuilt when the identity is read again, so a confirmation opened while
    // another change is on its way stays open.
    let actions = Actions {
        status: StatusChange::new(),
        delete: Deletion::new(),
        join: ServerAction::new(),
        leave: ServerAction::new(),
        // Passkey writes change the identity's enrollment status: the identity is read again after each.
        passkeys: PasskeyActions::new(),
    };
    let me = use_me();
    let data = Resource::new(
        move || {
            (
                realm.get(),
                id.get(),
                actions.version() + actions.passkeys.version(),
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
                        Ok(detail) => view! { <Detail detail=detail realm=realm actions=actions perms=perms /> }.into_any(),
                        Err(e) => view! { <ErrorBanner error=e /> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

/// Every action of the identity's page.
#[derive(Clone, Copy)]
struct Actions {
    status: StatusChange,
    delete: Deletion,
    join: ServerAction<AddIdentityToGroups>,
    leave: ServerAction<RemoveIdentityFromGroup>,
    passkeys: PasskeyActions,
}

impl Actions {
    /// Changes made to the identity's record and groups so far (its activity and the page read again after each).
    fn version(&self) -> usize {
        self.status.action.version().get() + self.join.version().get() + self.leave.version().get()
    }
}

/// The identity, and the actions the operator may take on it.
#[component]
fn Detail(
    detail: IdentityDetail,
    realm: Memo<String>,
    actions: Actions,
    perms: Perms,
) -> impl IntoView {
    let changes = Signal::derive(move || actions.version());
    let IdentityDetail {
        identity,
        groups,
        groups_total,
        protected,
    } = detail;
    let suspended = identity.is_suspended();
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
    let id = identity.id.clone();
    let username = identity.username().to_string();
    let edit = format!(
        "/realms/{}/identities/{}/edit",
        encode_component(&realm.get_untracked()),
        encode_component(&id)
    );

    view! {
        <div class="flex flex-wrap items-start justify-between gap-4">
            <div>
                <h1 class="text-2xl font-semibold tracking-tight">{identity.display_name.clone()}</h1>
                <p class="mt-1 flex items-center gap-2 text-sm text-slate-600 dark:text-slate-400">
                    <span>"ID "</span><code id="identity-id">{id.clone()}</code>
                    <CopyId id=id.clone() />
                </p>
            </div>
            <div class="flex gap-2">
                {may(Action::EditIdentity).then(|| view! { <a class=SECONDARY_BUTTON href=edit.clone()>"Edit"</a> })}
                {may(Action::SetStatus).then(|| view! { <StatusButton change=actions.status suspended=suspended /> })}
                {may(Action::DeleteIdentity).then(|| view! { <DeleteIdentityButton deletion=actions.delete /> })}
            </div>
        </div>
        <nav aria-label="Sections of this identity" class="flex flex-wrap gap-4 border-b border-slate-200 pb-2 text-sm dark:border-slate-800">
            <a href="#profile" class="font-medium text-indigo-700 hover:underline dark:text-indigo-300">"Profile"</a>
            <a href="#passkeys" class="font-medium text-indigo-700 hover:underline dark:text-indigo-300">"Passkeys"</a>
            <a href="#groups" class="font-medium text-indigo-700 hover:underline dark:text-indigo-300">"Groups"</a>
            <a href="#activity-log" class="font-medium text-indigo-700 hover:underline dark:text-indigo-300">"Activity"</a>
        </nav>
        {protected_note}
        <ActionError action=actions.status.action />
        <ActionError action=actions.delete.action />
        <Profile identity=identity.clone() />
        <IdentityPasskeys
            owner=PasskeyOwner {
                realm: realm.get_untracked(),
                identity: id.clone(),
                username: username.clone(),
                has_email: !identity.email().is_empty(),
                invite: may(Action::Invite),
                revoke: may(Action::RevokePasskey),
            }
            actions=actions.passkeys
        />
        <IdentityGroups
            realm=realm.get_untracked()
            identity=id.clone()
            username=username.clone()
            groups=groups
            groups_total=groups_total
            join=actions.join
            leave=actions.leave
            manage=perms.can(Action::ManageMembers)
        />
        <Activity realm=realm.get_untracked() id=id.clone() version=changes />
        <StatusDialog change=actions.status realm=realm id=id.clone() who=who.clone() suspended=suspended />
        <DeleteIdentityDialog deletion=actions.delete realm=realm id=id username=username who=who />
    }
}

/// "Copy ID": the identity's id to the clipboard.
#[component]
fn CopyId(id: String) -> impl IntoView {
    view! {
        <button type="button" class="rounded px-1.5 text-xs text-indigo-600 hover:underline disabled:cursor-progress disabled:opacity-60 dark:text-indigo-400" disabled=not_ready()
            on:click=move |_| {
                #[cfg(feature = "hydrate")]
                if let Some(w) = web_sys::window() {
                    let _ = w.navigator().clipboard().write_text(&id);
                }
                #[cfg(not(feature = "hydrate"))]
                let _ = &id;
            }
        >"Copy ID"</button>
    }
}

/// The identity's record: status, every trait BI holds (the known ones first, then the rest in BI's order), and
/// its times.
#[component]
fn Profile(identity: Identity) -> impl IntoView {
    let t = &identity.traits;
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let mut rows: Vec<(String, String)> = vec![
        ("Username".to_string(), identity.username().to_string()),
        ("Email".to_string(), text(&t.primary_email_address)),
        ("External ID".to_string(), text(&t.external_id)),
        ("Given name".to_string(), text(&t.given_name)),
        ("Family name".to_string(), text(&t.family_name)),
        (
            "Enrollment".to_string(),
            crate::model::enrollment_label(
                identity.enrollment_status.as_deref().unwrap_or_default(),
            ),
        ),
    ];
    rows.extend(t.other_traits());
    let created = identity.create_time.clone().unwrap_or_default();
    let updated = identity.update_time.clone().unwrap_or_default();
    view! {
        <section id="profile" aria-label="Profile" class="scroll-mt-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900">
            <dl class="grid grid-cols-1 gap-x-6 gap-y-4 sm:grid-cols-2">
                <div>
                    <dt class="text-xs font-semibold uppercase tracking-wide text-slate-500">"Status"</dt>
                    <dd id="identity-status" class="mt-1">
                        <StatusBadge suspended=identity.is_suspended() />
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
