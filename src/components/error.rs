use leptos::prelude::*;

use crate::model::AppError;

/// A visible failure message with the request id an operator can quote.
#[component]
pub fn ErrorBanner(error: AppError) -> impl IntoView {
    view! {
        <div role="alert" class="rounded-md border border-red-300 bg-red-50 px-4 py-3 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200">
            <p class="font-medium">{error.message.clone()}</p>
            {error.request_id.clone().map(|id| view! { <p class="mt-1 text-xs opacity-80">"Request id " <code>{id}</code></p> })}
        </div>
    }
}
