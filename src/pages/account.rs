//! A local operator's passkeys: `/account` lists them, registers one (named) and removes one; `/sign-in/passkey`
//! is the passkey step of signing in after the password. Both need the browser's WebAuthn, so their buttons wait
//! for the wasm (visibly: disabled until it has loaded).

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::error::{ErrorBanner, Notice};
use crate::components::form::{DANGER_BUTTON, PRIMARY_BUTTON};
use crate::components::ready::not_ready;
use crate::model::AppError;

const INPUT: &str = "rounded-md border border-slate-300 bg-white px-3 py-2 text-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:border-slate-700 dark:bg-slate-950";
const CARD: &str = "flex w-full flex-col gap-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900";

/// Goes to `to` with a full page load (the session changed: the next page is rendered for it).
fn go(to: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(w) = web_sys::window() {
        let _ = w.location().assign(to);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = to;
}

/// "Use your passkey": asks the server for a challenge, the browser for the passkey, and gives the answer back;
/// then `done` with where to go (a sign-in) or nothing (a step-up).
#[component]
pub fn PasskeyButton(label: &'static str, done: Callback<Option<String>>) -> impl IntoView {
    let problem = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let not_ready = not_ready();
    let click = move |_| {
        busy.set(true);
        problem.set(None);
        leptos::task::spawn_local(async move {
            let outcome: Result<Option<String>, String> = async {
                let options = crate::api::passkey_challenge()
                    .await
                    .map_err(|e| e.message)?;
                #[cfg(feature = "hydrate")]
                let answer = crate::components::webauthn::run(
                    crate::components::webauthn::Ceremony::Get,
                    &options,
                )
                .await?;
                #[cfg(not(feature = "hydrate"))]
                let answer = options;
                crate::api::passkey_answer(answer)
                    .await
                    .map_err(|e| e.message)
            }
            .await;
            busy.set(false);
            match outcome {
                Ok(next) => done.run(next),
                Err(e) => problem.set(Some(e)),
            }
        });
    };
    view! {
        {move || problem.get().map(|p| view! { <p role="alert" class="rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200">{p}</p> })}
        <button type="button" class=PRIMARY_BUTTON on:click=click disabled=move || not_ready() || busy.get()>
            {move || if busy.get() { "Waiting for your passkey…" } else { label }}
        </button>
    }
}

/// `/sign-in/passkey`: the password was right; the passkey finishes signing in.
#[component]
pub fn PasskeySignInPage() -> impl IntoView {
    let query = use_query_map();
    let done = Callback::new(move |next: Option<String>| go(&next.unwrap_or_else(|| "/".into())));
    let _ = query;
    view! {
        <main class="flex min-h-screen items-center justify-center p-4">
            <div class=format!("{CARD} max-w-sm")>
                <h1 class="text-xl font-semibold">"Use your passkey"</h1>
                <p class="text-sm text-slate-600 dark:text-slate-300">"Your password was right. Finish signing in with your passkey."</p>
                <PasskeyButton label="Use your passkey" done=done />
                <a href="/login" class="text-center text-sm text-indigo-700 underline dark:text-indigo-300">"Cancel and sign in again"</a>
            </div>
        </main>
    }
}

/// `/account`: who is signed in, and (for a local operator) their passkeys.
#[component]
pub fn AccountPage() -> impl IntoView {
    let changed = RwSignal::new(0u32);
    let account = Resource::new(move || changed.get(), |_| crate::api::my_account());
    let name = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<AppError>);
    let added = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let not_ready = not_ready();
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        problem.set(None);
        added.set(None);
        leptos::task::spawn_local(async move {
            let outcome: Result<String, AppError> = async {
                let options = crate::api::start_passkey_registration(name.get_untracked()).await?;
                #[cfg(feature = "hydrate")]
                let answer = crate::components::webauthn::run(
                    crate::components::webauthn::Ceremony::Create,
                    &options,
                )
                .await
                .map_err(AppError::new)?;
                #[cfg(not(feature = "hydrate"))]
                let answer = options;
                crate::api::finish_passkey_registration(answer).await
            }
            .await;
            busy.set(false);
            match outcome {
                Ok(kept) => {
                    added.set(Some(kept));
                    name.set(String::new());
                    changed.update(|n| *n += 1);
                }
                Err(e) => problem.set(Some(e)),
            }
        });
    };
    let remove = ServerAction::<crate::api::RemovePasskey>::new();
    Effect::new(move |_| {
        if remove.version().get() > 0 {
            changed.update(|n| *n += 1);
        }
    });
    let rows = move |a: crate::model::Account| {
        a.passkeys
            .into_iter()
            .map(|p| {
                let id = p.id.clone();
                let label = format!("Remove {}", p.name);
                view! {
                    <tr class="border-t border-slate-200 dark:border-slate-800">
                        <td class="py-2 pr-4 font-medium">{p.name.clone()}</td>
                        <td class="py-2 pr-4">{p.created.clone()}</td>
                        <td class="py-2 pr-4">{p.last_used.clone().unwrap_or_else(|| "never".into())}</td>
                        <td class="py-2 text-right">
                            <button type="button" class=DANGER_BUTTON aria-label=label disabled=not_ready
                                on:click=move |_| { remove.dispatch(crate::api::RemovePasskey { id: id.clone() }); }>
                                "Remove"
                            </button>
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };
    let body = move || {
        account.get().map(|a| match a {
            Err(e) => view! { <ErrorBanner error=e /> }.into_any(),
            Ok(a) if a.bi => view! {
                <p class="text-sm">{format!("You are signed in as {} with Beyond Identity: your passkeys are kept there.", a.username)}</p>
            }
            .into_any(),
            Ok(a) => {
                let none = a.passkeys.is_empty();
                let must = a.required && none;
                view! {
                    <p class="text-sm">{format!("You are signed in as {}.", a.username)}</p>
                    {must.then(|| view! {
                        <p role="alert" class="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-950 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
                            "Passkeys are required here: register one to use the console."
                        </p>
                    })}
                    <h2 class="text-lg font-semibold">"Passkeys"</h2>
                    {if none {
                        view! { <p id="no-passkeys" class="text-sm text-slate-600 dark:text-slate-300">"You have no passkey yet. With one, signing in asks for it after your password."</p> }.into_any()
                    } else {
                        view! {
                            <table class="w-full text-left text-sm">
                                <caption class="sr-only">"Your passkeys"</caption>
                                <thead><tr><th scope="col" class="pr-4">"Name"</th><th scope="col" class="pr-4">"Registered"</th><th scope="col" class="pr-4">"Last used"</th><th scope="col"><span class="sr-only">"Actions"</span></th></tr></thead>
                                <tbody>{rows(a.clone())}</tbody>
                            </table>
                        }.into_any()
                    }}
                    <form class="flex flex-wrap items-end gap-3" on:submit=add>
                        <div class="flex flex-col gap-1">
                            <label for="passkey-name" class="text-sm font-medium">"Name of the new passkey"</label>
                            <input id="passkey-name" name="name" type="text" maxlength="60" required class=INPUT
                                prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))
                                aria-invalid=move || problem.get().and_then(|p| p.field("name")).is_some().to_string()
                                aria-describedby=move || problem.get().and_then(|p| p.field("name")).map(|_| "passkey-name-problem") />
                            {move || problem.get().and_then(|p| p.field("name")).map(|m| view! { <p id="passkey-name-problem" class="text-sm text-red-700 dark:text-red-300">{m}</p> })}
                        </div>
                        <button type="submit" class=PRIMARY_BUTTON disabled=move || not_ready() || busy.get()>
                            {move || if busy.get() { "Waiting for your passkey…" } else { "Add a passkey" }}
                        </button>
                    </form>
                    {(a.required && !none).then(|| view! { <a href="/" rel="external" class="text-sm text-indigo-700 underline dark:text-indigo-300">"Go to the console"</a> })}
                }
                .into_any()
            }
        })
    };
    view! {
        <main class="flex min-h-screen justify-center p-4 sm:pt-16">
            <div class=format!("{CARD} max-w-2xl")>
                <div class="flex items-center justify-between gap-4">
                    <h1 class="text-xl font-semibold">"Your account"</h1>
                    <a href="/" rel="external" class="text-sm text-indigo-700 underline dark:text-indigo-300">"Back to the console"</a>
                </div>
                {move || added.get().map(|n| view! { <Notice lines=vec![format!("Registered the passkey “{n}”.")] /> })}
                {move || problem.get().filter(|p| p.fields.is_empty()).map(|e| view! { <ErrorBanner error=e /> })}
                {move || remove.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorBanner error=e /> })}
                <Transition fallback=|| ()>{body}</Transition>
                <form method="post" action="/sign-out"><button type="submit" class="text-sm text-slate-600 underline dark:text-slate-300">"Sign out"</button></form>
            </div>
        </main>
    }
}
