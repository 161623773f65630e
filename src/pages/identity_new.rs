//! Add identity: Name*, Username*, Email, External ID, and behind "More fields" Given and Family name; then, as in
//! BI's own dialog, the groups it joins (one name per line; once the page is interactive, matching groups are
//! offered as the operator types) and a passkey invitation by email with the realm's authenticator configuration
//! (ticked by default; the configuration last used in the realm is chosen). The server runs the same rules, checks
//! the groups and the configuration before writing anything, and errors land on their field with what was typed
//! kept. The new identity's page then says what happened to each part.

use leptos::prelude::*;

use crate::api::{new_identity_options, search_groups, CreateIdentity, InvitationChoices};
use crate::components::error::ErrorBanner;
use crate::components::form::IdentityFields;
use crate::components::form_page::{form_page, new_form, FormKind, FormValues};
use crate::model::{AppError, NewIdentity, MAX_GROUPS_ON_CREATE};

#[component]
pub fn NewIdentityPage() -> impl IntoView {
    let action = ServerAction::<CreateIdentity>::new();
    form_page(new_form::<_, NewIdentity>(&FormKind::IDENTITY, action))
}

impl FormValues for NewIdentity {
    fn from_values(get: impl Fn(&str) -> Option<String>) -> Self {
        NewIdentity::from_values(get)
    }
    fn pairs(&self) -> Vec<(String, String)> {
        NewIdentity::pairs(self)
    }
    fn fields(self, error: Signal<Option<AppError>>) -> AnyView {
        view! {
            <IdentityFields values=self.input error=error />
            <AfterCreateFields values=self.then error=error />
        }
        .into_any()
    }
}

const INPUT_CLASS: &str = "rounded-md border border-slate-300 bg-white px-3 py-2 text-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 aria-[invalid=true]:border-red-500 dark:border-slate-700 dark:bg-slate-950";

/// Groups and the passkey invitation (named `then[…]`).
#[component]
fn AfterCreateFields(
    values: crate::model::AfterCreate,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    let realm = Memo::new(move |_| params.read().get("realm").unwrap_or_default());
    let options = Resource::new(move || realm.get(), new_identity_options);
    let field =
        move |name: &'static str| Signal::derive(move || error.get().and_then(|e| e.field(name)));
    let (groups_error, config_error) = (field("groups"), field("config"));
    let invite_checked = !values.invite.is_empty();
    let chosen_config = values.config.clone();
    view! {
        <GroupsField typed=values.groups realm=realm error=groups_error />
        <fieldset class="flex flex-col gap-3 rounded-md border border-slate-200 p-4 dark:border-slate-800">
            <legend class="px-1 text-sm font-medium">"Passkey"</legend>
            <label class="flex items-start gap-2 text-sm">
                <input type="checkbox" name="then[invite]" value="on" checked=invite_checked
                    aria-describedby="field-invite-help" class="mt-0.5 h-4 w-4 rounded border-slate-300" />
                <span>"Send passkey invitation by email"</span>
            </label>
            <p id="field-invite-help" class="text-xs text-slate-500 dark:text-slate-400">
                "BI emails an enrollment link to the address above; without an address no invitation is sent."
            </p>
            <Suspense fallback=|| view! { <p class="text-sm text-slate-500">"Loading authenticator configurations…"</p> }>
                {move || {
                    let chosen_config = chosen_config.clone();
                    Suspend::new(async move {
                        match options.await {
                            Err(e) => view! { <ErrorBanner error=e /> }.into_any(),
                            Ok(o) => view! { <ConfigField options=o chosen=chosen_config error=config_error /> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </fieldset>
    }
}

/// The authenticator configuration of the invitation: a choice when the realm has several, else named.
#[component]
fn ConfigField(
    options: InvitationChoices,
    /// As typed before a plain post failed; else the realm's default.
    chosen: String,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let InvitationChoices {
        configs,
        default_config,
    } = options;
    let chosen = if configs.iter().any(|c| c.id == chosen) {
        chosen
    } else {
        default_config
    };
    let error_line = move || {
        error.get().map(|e| view! { <p id="field-config-error" class="text-sm text-red-700 dark:text-red-400">{e}</p> })
    };
    let control = match configs.as_slice() {
        [] => view! {
            <p class="text-sm text-amber-800 dark:text-amber-300">"This realm has no authenticator configuration, so BI cannot send invitations. Untick the invitation, or add a configuration in BI first."</p>
        }.into_any(),
        [only] => view! {
            <input type="hidden" name="then[config]" value=only.id.clone() />
            <p class="text-sm text-slate-600 dark:text-slate-400">{format!("Authenticator: {}", only.label())}</p>
        }.into_any(),
        many => {
            let options = many
                .iter()
                .map(|c| view! { <option value=c.id.clone() selected=c.id == chosen>{c.label()}</option> })
                .collect_view();
            view! {
                <label for="field-config" class="text-sm font-medium">"Authenticator configuration"</label>
                <select id="field-config" name="then[config]" class=INPUT_CLASS
                    aria-invalid=move || error.get().is_some().then_some("true")
                    aria-describedby=move || error.get().is_some().then_some("field-config-error")>
                    {options}
                </select>
            }.into_any()
        }
    };
    view! {
        <div class="flex flex-col gap-1">{control}{error_line}</div>
    }
}

/// "Groups": one name per line, typed as is before the wasm loads; once it has, the line being typed is searched
/// among the realm's groups and a match is picked with a click.
#[component]
fn GroupsField(typed: String, realm: Memo<String>, error: Signal<Option<String>>) -> impl IntoView {
    let text = RwSignal::new(typed.clone());
    let query = RwSignal::new(String::new());
    let mut later = leptos::leptos_dom::helpers::debounce(
        std::time::Duration::from_millis(250),
        move |q: String| query.set(q),
    );
    let matches = Resource::new(
        move || (realm.get(), query.get()),
        |(realm, q)| async move {
            if q.is_empty() {
                return Ok(Vec::new());
            }
            search_groups(realm, q, "name".into(), 1, 8)
                .await
                .map(|found| {
                    found
                        .page
                        .items
                        .into_iter()
                        .map(|l| l.group.display_name)
                        .collect::<Vec<_>>()
                })
        },
    );
    // The line being typed (the last one): what is searched, and what a pick replaces.
    let current_line = move |t: &str| t.rsplit('\n').next().unwrap_or("").trim().to_string();
    let pick = move |name: String| {
        let now = text.get_untracked();
        let kept = now
            .rsplit_once('\n')
            .map(|(before, _)| format!("{before}\n"))
            .unwrap_or_default();
        text.set(format!("{kept}{name}\n"));
        query.set(String::new());
    };
    let described = move || {
        if error.get().is_some() {
            "field-groups-help field-groups-error"
        } else {
            "field-groups-help"
        }
    };
    view! {
        <div class="flex flex-col gap-1">
            <label for="field-groups" class="text-sm font-medium">"Groups"</label>
            <textarea id="field-groups" name="then[groups]" rows=3 class=INPUT_CLASS
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=described
                prop:value=move || text.get()
                on:input=move |ev| { let t = event_target_value(&ev); later(current_line(&t)); text.set(t); }
            >{typed}</textarea>
            <p id="field-groups-help" class="text-xs text-slate-500 dark:text-slate-400">
                {format!("One group name per line (at most {MAX_GROUPS_ON_CREATE}); the identity joins them right after it is created.")}
            </p>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let names = matches.await.unwrap_or_default();
                    (!names.is_empty()).then(|| {
                        let buttons = names.into_iter().map(|name| {
                            let label = format!("Add group {name}");
                            let chosen = name.clone();
                            view! {
                                <li>
                                    <button type="button" aria-label=label on:click=move |_| pick(chosen.clone())
                                        class="rounded-full border border-indigo-200 bg-indigo-50 px-3 py-1 text-sm text-indigo-800 hover:bg-indigo-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:border-indigo-800 dark:bg-indigo-950 dark:text-indigo-200">
                                        {name}
                                    </button>
                                </li>
                            }
                        }).collect_view();
                        view! { <ul aria-label="Matching groups" class="flex flex-wrap gap-2">{buttons}</ul> }
                    })
                })}
            </Transition>
            <p id="field-groups-error" class="text-sm text-red-700 dark:text-red-400">{move || error.get()}</p>
        </div>
    }
}
