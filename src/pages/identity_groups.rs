//! An identity's groups on its page: each links to the group and can be left ("Remove from group", confirmed);
//! "Add to groups" opens a clickable, filterable list of the realm's groups to join several at once.

use leptos::prelude::*;

use crate::components::ready::not_ready;

use crate::api::{AddIdentityToGroups, RemoveIdentityFromGroup};
use crate::components::dialog::ConfirmDialog;
use crate::components::error::{ErrorBanner, Notice};
use crate::components::form::SECONDARY_BUTTON;
use crate::components::group_chooser::GroupChooser;
use crate::components::pager::encode_component;
use crate::model::Group;

#[component]
pub fn IdentityGroups(
    realm: String,
    identity: String,
    username: String,
    groups: Vec<Group>,
    groups_total: u64,
    join: ServerAction<AddIdentityToGroups>,
    leave: ServerAction<RemoveIdentityFromGroup>,
    /// Whether the operator may join and leave groups for this identity.
    manage: bool,
) -> impl IntoView {
    let chooser_open = RwSignal::new(false);
    let leaving: RwSignal<Option<(String, String)>> = RwSignal::new(None);
    let confirm_leave = RwSignal::new(false);
    Effect::new(move |_| {
        if leave.value().get().is_some() {
            confirm_leave.set(false);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = join.value().get() {
            chooser_open.set(false);
        }
    });
    let outcome = move || {
        if let Some(r) = join.value().get() {
            return Some(match r {
                Ok(r) => {
                    let mut lines = vec![format!(
                        "Added to {} {}.",
                        r.changed,
                        if r.changed == 1 { "group" } else { "groups" }
                    )];
                    lines.extend(
                        r.failed
                            .iter()
                            .map(|f| format!("Not added to group {}: {}.", f.id, f.reason)),
                    );
                    view! { <Notice lines=lines id="groups-result" /> }.into_any()
                }
                Err(e) => view! { <ErrorBanner error=e /> }.into_any(),
            });
        }
        None
    };
    let leave_error = move || {
        leave
            .value()
            .get()
            .and_then(|r| r.err())
            .map(|e| view! { <ErrorBanner error=e /> })
    };
    let joined: Vec<String> = groups.iter().map(|g| g.id.clone()).collect();
    let run_leave = {
        let (realm, identity) = (realm.clone(), identity.clone());
        Callback::new(move |_| {
            if let Some((group, _)) = leaving.get_untracked() {
                leave.dispatch(RemoveIdentityFromGroup {
                    realm: realm.clone(),
                    identity: identity.clone(),
                    group,
                });
            }
        })
    };
    let list = if groups.is_empty() {
        view! { <p class="mt-2 text-sm text-slate-600 dark:text-slate-400">"Not a member of any group."</p> }.into_any()
    } else {
        let realm = realm.clone();
        view! {
            <ul id="identity-groups" class="mt-3 flex flex-wrap gap-2">
                {groups.into_iter().map(|g| {
                    let href = format!("/realms/{}/groups/{}", encode_component(&realm), encode_component(&g.id));
                    let label = format!("Remove from {}", g.display_name);
                    let target = (g.id.clone(), g.display_name.clone());
                    view! {
                        <li class="inline-flex items-center gap-1 rounded-full bg-slate-100 py-1 pl-3 pr-1 text-sm dark:bg-slate-800">
                            <a href=href class="text-indigo-700 hover:underline dark:text-indigo-300">{g.display_name}</a>
                            {manage.then(|| view! {
                                <button type="button" aria-label=label.clone() title=label.clone() disabled=not_ready()
                                    on:click=move |_| { leaving.set(Some(target.clone())); confirm_leave.set(true); }
                                    class="rounded-full px-1.5 text-slate-500 hover:bg-red-100 hover:text-red-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-red-500 dark:hover:bg-red-950">"×"</button>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        }.into_any()
    };
    view! {
        <section id="groups" aria-labelledby="groups-heading" class="scroll-mt-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900">
            <div class="flex items-center justify-between gap-3">
                <h2 id="groups-heading" class="text-lg font-semibold">{format!("Groups ({groups_total})")}</h2>
                {manage.then(|| view! {
                    <button type="button" class=SECONDARY_BUTTON disabled=not_ready() on:click=move |_| chooser_open.set(true)>"Add to groups"</button>
                })}
            </div>
            <div class="mt-3 flex flex-col gap-2">
                {outcome}
                {leave_error}
            </div>
            {list}
        </section>
        <GroupChooser open=chooser_open realm=realm.clone() identity=identity.clone() username=username.clone() joined=joined join=join />
        <ConfirmDialog
            open=confirm_leave
            title="Remove from group?".to_string()
            body=Signal::derive(move || {
                leaving.get().map(|(_, g)| format!("Remove {username} from {g}.")).unwrap_or_default()
            })
            confirm_label="Remove from group".to_string()
            danger=true
            pending=leave.pending()
            on_confirm=run_leave
        />
    }
}
