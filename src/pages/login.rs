//! Sign in: a plain form posted to `/sign-in` (works before the wasm loads). A failure says only that sign-in
//! failed, never which part was wrong; after repeated failures, that sign-in is paused for a while.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::form::PRIMARY_BUTTON;

const INPUT: &str = "rounded-md border border-slate-300 bg-white px-3 py-2 text-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:border-slate-700 dark:bg-slate-950";

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let q = move |k: &str| query.read().get(k).unwrap_or_default();
    let message = move || {
        match q("error").as_str() {
        "failed" => Some((
            "alert",
            "Sign-in failed. Check the username and password, then try again.",
        )),
        "throttled" => Some((
            "alert",
            "Too many failed sign-ins. Wait a few minutes, then try again.",
        )),
        "bi-failed" => Some((
            "alert",
            "Signing in with Beyond Identity failed. Try again.",
        )),
        "bi-no-role" => Some((
            "alert",
            "This identity has no role in the console: it is in none of the groups the console maps to a role. Ask an administrator to add you to one.",
        )),
        "passwords-off" => Some((
            "alert",
            "Signing in with a password is turned off here. Sign in with Beyond Identity.",
        )),
        "bi-unavailable" => Some((
            "alert",
            "Beyond Identity could not be reached. Try again shortly, or sign in with a password.",
        )),
        _ if !q("signed_out").is_empty() => Some(("status", "You are signed out.")),
        _ => None,
    }
    };
    // What was typed before a failed sign-in: read on the server from a short-lived cookie meant for this page only
    // (never from the address). The hydrated page keeps the value the server rendered.
    let typed = {
        #[cfg(feature = "ssr")]
        {
            use_context::<axum::http::request::Parts>()
                .map(|p| crate::auth::web::typed_username(&p.headers))
                .unwrap_or_default()
        }
        #[cfg(not(feature = "ssr"))]
        {
            String::new()
        }
    };
    // How operators may sign in (BI, passwords): decided on the server, kept through hydration.
    let methods = OnceResource::new(crate::api::sign_in_options());
    let offered = move || methods.get().and_then(Result::ok);
    let bi_link = move |or_password: bool| {
        let next = q("next");
        let href = if next.is_empty() {
            "/sign-in/bi".to_string()
        } else {
            format!("/sign-in/bi?next={}", crate::model::encode_component(&next))
        };
        view! {
            <a href=href rel="external" class="inline-flex items-center justify-center gap-2 rounded-md bg-slate-900 px-4 py-2 text-sm font-medium text-white hover:bg-slate-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:bg-slate-100 dark:text-slate-900 dark:hover:bg-white">
                "Sign in with Beyond Identity"
            </a>
            {or_password.then(|| view! {
                <p class="text-center text-xs text-slate-600 dark:text-slate-300">"or with a password"</p>
            })}
        }
    };
    let password_fields = move |typed: String| {
        let input = INPUT;
        view! {
            <input type="hidden" name="next" value=move || q("next") />
            <div class="flex flex-col gap-1">
                <label for="login-username" class="text-sm font-medium">"Username"</label>
                <input id="login-username" name="username" type="text" autocomplete="username" required autofocus
                    value=typed class=input />
            </div>
            <div class="flex flex-col gap-1">
                <label for="login-password" class="text-sm font-medium">"Password"</label>
                <input id="login-password" name="password" type="password" autocomplete="current-password" required class=input />
            </div>
            <button type="submit" class=PRIMARY_BUTTON>"Sign in"</button>
        }
    };
    view! {
        <main class="flex min-h-screen items-center justify-center p-4">
            <div class="w-full max-w-sm">
                <div class="mb-6 flex items-center gap-2 text-lg font-semibold tracking-tight">
                    <span class="inline-block h-6 w-6 rounded-md bg-indigo-600"></span>
                    "Identity Console"
                </div>
                <form method="post" action="/sign-in" class="flex flex-col gap-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900">
                    <h1 class="text-xl font-semibold">"Sign in"</h1>
                    {move || message().map(|(role, text)| {
                        let class = if role == "alert" {
                            "rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200"
                        } else {
                            "rounded-md border border-emerald-300 bg-emerald-50 px-3 py-2 text-sm text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-200"
                        };
                        view! { <p role=role class=class>{text}</p> }
                    })}
                    <Suspense fallback=|| ()>
                        {move || offered().filter(|m| m.bi).map(|m| bi_link(m.password))}
                        {move || offered().is_none_or(|m| m.password).then(|| password_fields(typed.clone()))}
                    </Suspense>
                </form>
            </div>
        </main>
    }
}
