//! Messages above a page's content: failures (with a request id) and success notices.

use leptos::prelude::*;

use crate::model::AppError;

/// A visible failure message with the request id an operator can quote; a write refused until the operator
/// confirms it is them asks them to (see `step_up`).
#[component]
pub fn ErrorBanner(error: AppError) -> impl IntoView {
    if error.is_step_up() {
        return view! { <super::step_up::StepUpPrompt error=error /> }.into_any();
    }
    view! {
        <div role="alert" class="rounded-md border border-red-300 bg-red-50 px-4 py-3 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200">
            <p class="font-medium">{error.message.clone()}</p>
            {error.request_id.clone().map(|id| view! { <p class="mt-1 text-xs opacity-80">"Request id " <code>{id}</code></p> })}
        </div>
    }
    .into_any()
}

/// A success notice: the first line in bold, the rest as a list (e.g. who could not be added, and why).
#[component]
pub fn Notice(lines: Vec<String>, #[prop(optional)] id: Option<&'static str>) -> impl IntoView {
    let mut lines = lines.into_iter();
    let head = lines.next().unwrap_or_default();
    let rest: Vec<String> = lines.collect();
    view! {
        <div id=id role="status" class="rounded-md border border-emerald-300 bg-emerald-50 px-4 py-3 text-sm text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-200">
            <p class="font-medium">{head}</p>
            {(!rest.is_empty()).then(|| view! {
                <ul class="mt-1 list-disc pl-5">{rest.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul>
            })}
        </div>
    }
}
