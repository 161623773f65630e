use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
            resp.set_status(axum::http::StatusCode::NOT_FOUND);
        }
    }
    view! {
        <main class="mx-auto max-w-xl p-10">
            <h1 class="text-2xl font-semibold">"Page not found"</h1>
            <p class="mt-2 text-slate-600 dark:text-slate-400">
                "There is nothing at this address. "
                <a class="text-indigo-600 underline dark:text-indigo-400" href="/" rel="external">"Go to the console"</a>
            </p>
        </main>
    }
}
