//! Confirming it is you (a step-up, see `auth::step_up`): `/step-up/confirm` asks a local operator for their
//! password (a plain form posted to `/step-up`, so it works before the wasm loads) or sends an operator signed in
//! with Beyond Identity back to BI; `/step-up/done` is where the window the page opened for it ends, and closes.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::form::PRIMARY_BUTTON;

const INPUT: &str = "rounded-md border border-slate-300 bg-white px-3 py-2 text-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:border-slate-700 dark:bg-slate-950";

/// What went wrong on the last try, by the code `auth::step_up` sends back.
fn problem(code: &str) -> Option<&'static str> {
    Some(match code {
        "failed" => "That password is not right. Try again.",
        "throttled" => "Too many failed tries. Wait a few minutes, then try again.",
        "bi-failed" => "Beyond Identity did not confirm it is you. Try again.",
        "bi-unavailable" => "Beyond Identity could not be reached. Try again shortly.",
        "passwords-off" => "Passwords are turned off here.",
        "unavailable" => "The session store is not available. Try again shortly.",
        "use-passkey" => "You have a passkey: confirm with it.",
        _ => return None,
    })
}

#[component]
pub fn ConfirmPage() -> impl IntoView {
    let query = use_query_map();
    let q = move |k: &str| query.read().get(k).unwrap_or_default();
    let method = OnceResource::new(crate::api::step_up_method());
    let next = move || {
        let n = q("next");
        if n.is_empty() {
            "/".to_string()
        } else {
            n
        }
    };
    let error = move || problem(&q("error"));
    let body = move || {
        method.get().map(|m| match m {
            Ok(m) if m.bi => {
                let href = format!("/sign-in/bi?step_up=1&next={}", crate::model::encode_component(&next()));
                view! {
                    <p class="text-sm">{format!("You are signed in as {} with Beyond Identity.", m.username)}</p>
                    <a href=href rel="external" class="inline-flex items-center justify-center rounded-md bg-slate-900 px-4 py-2 text-sm font-medium text-white hover:bg-slate-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:bg-slate-100 dark:text-slate-900 dark:hover:bg-white">
                        "Confirm with Beyond Identity"
                    </a>
                }
                .into_any()
            }
            Ok(m) if m.passkey => {
                let to = next();
                let done = Callback::new(move |_| {
                    #[cfg(feature = "hydrate")]
                    if let Some(w) = web_sys::window() {
                        let _ = w.location().assign(&to);
                    }
                    #[cfg(not(feature = "hydrate"))]
                    let _ = &to;
                });
                view! {
                    <p class="text-sm">{format!("You are signed in as {}. Confirm with your passkey to carry on.", m.username)}</p>
                    <crate::pages::account::PasskeyButton label="Confirm with your passkey" done=done />
                }
                .into_any()
            }
            Ok(m) => view! {
                <form method="post" action="/step-up" class="flex flex-col gap-4">
                    <input type="hidden" name="next" value=next />
                    <p class="text-sm">{format!("You are signed in as {}. Enter your password to carry on.", m.username)}</p>
                    // For password managers: whose password this is.
                    <input type="text" name="username" autocomplete="username" value=m.username.clone() hidden readonly />
                    <div class="flex flex-col gap-1">
                        <label for="step-up-password" class="text-sm font-medium">"Password"</label>
                        <input id="step-up-password" name="password" type="password" autocomplete="current-password" required autofocus
                            aria-invalid=move || error().is_some().to_string()
                            aria-describedby=move || error().map(|_| "step-up-problem")
                            class=INPUT />
                    </div>
                    <button type="submit" class=PRIMARY_BUTTON>"Confirm"</button>
                </form>
            }
            .into_any(),
            Err(e) => view! { <p role="alert" class="text-sm">{e.message}</p> }.into_any(),
        })
    };
    view! {
        <main class="flex min-h-screen items-center justify-center p-4">
            <div class="flex w-full max-w-sm flex-col gap-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900">
                <h1 class="text-xl font-semibold">"Confirm it is you"</h1>
                <p class="text-sm text-slate-600 dark:text-slate-300">"This change needs a recent sign-in. Confirm it is you, and the console carries on with it."</p>
                {move || error().map(|text| view! {
                    <p id="step-up-problem" role="alert" class="rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200">{text}</p>
                })}
                <Suspense fallback=|| ()>{body}</Suspense>
            </div>
        </main>
    }
}

/// The end of a step-up in the window the page opened: it closes (the page then carries on).
#[component]
pub fn DonePage() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if let Some(w) = web_sys::window() {
            if w.opener().is_ok_and(|o| !o.is_null()) {
                let _ = w.close();
            }
        }
    });
    view! {
        <main class="flex min-h-screen items-center justify-center p-4">
            <div class="w-full max-w-sm rounded-lg border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900">
                <h1 class="text-xl font-semibold">"Confirmed"</h1>
                <p role="status" class="mt-2 text-sm">"You have confirmed it is you. Close this window; the console carries on with your change."</p>
            </div>
        </main>
    }
}
