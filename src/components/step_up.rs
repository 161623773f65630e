//! Asking the operator to confirm it is them before a consequential write, then carrying on with it. The server
//! refuses such a write when the operator's last authentication is too old (`crate::permit::Confirmed`; the error's
//! code is [`crate::model::STEP_UP_CODE`]); [`ErrorBanner`](super::error::ErrorBanner) then shows
//! [`StepUpPrompt`]. Its "Confirm it is you" opens `/step-up` in a small window (Beyond Identity, or the operator's
//! password); when that window closes, the page sends the same write again, with everything the operator typed or
//! chose. Before the wasm loads (or when the browser blocks the window) the link opens `/step-up` in the page
//! itself and comes back here.

use leptos::prelude::*;

use crate::components::form::PRIMARY_BUTTON;
use crate::model::AppError;

/// The last consequential write sent on this page, to send again once the operator has confirmed it is them.
#[derive(Clone, Copy)]
pub struct StepUp {
    /// A plain closure, not a reactive callback: the effect that remembers it re-runs (and so disposes what it
    /// made) when the write answers, long before the operator has confirmed.
    again: StoredValue<Option<SendAgain>>,
}

type SendAgain = std::sync::Arc<dyn Fn() + Send + Sync>;

/// Makes the step-up context for the pages below.
pub fn provide_step_up() {
    provide_context(StepUp {
        again: StoredValue::new(None),
    });
}

/// Remembers each write `action` sends, so a step-up can send it again: for the consequential writes' actions
/// (however they are dispatched: by a button or by an `ActionForm`).
pub fn send_again_after_step_up<S>(action: ServerAction<S>)
where
    S: leptos::server_fn::ServerFn + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
{
    let Some(step_up) = use_context::<StepUp>() else {
        return;
    };
    Effect::new(move |_| {
        if let Some(input) = action.input().get() {
            let again: SendAgain = std::sync::Arc::new(move || {
                action.dispatch(input.clone());
            });
            step_up.again.set_value(Some(again));
        }
    });
}

/// A server action for a consequential write: sent again once the operator has confirmed it is them.
pub fn consequential<S>() -> ServerAction<S>
where
    S: leptos::server_fn::ServerFn + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
{
    let action = ServerAction::new();
    send_again_after_step_up(action);
    action
}

/// The refusal of a write until the operator confirms it is them, with the way to do it.
#[component]
pub fn StepUpPrompt(error: AppError) -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    let here = move || {
        let search = location.search.get();
        let path = location.pathname.get();
        if search.is_empty() {
            path
        } else {
            format!("{path}?{}", search.trim_start_matches('?'))
        }
    };
    let href = move || format!("/step-up?next={}", crate::model::encode_component(&here()));
    let waiting = RwSignal::new(false);
    let step_up = use_context::<StepUp>();
    let open = move |ev: leptos::ev::MouseEvent| {
        #[cfg(feature = "hydrate")]
        {
            let Some(window) = web_sys::window() else {
                return;
            };
            let Ok(Some(popup)) = window.open_with_url_and_target_and_features(
                "/step-up?next=/step-up/done",
                "bi-console-step-up",
                "popup,width=520,height=720",
            ) else {
                // Blocked: the link opens the step-up in this page instead.
                return;
            };
            ev.prevent_default();
            waiting.set(true);
            let again = step_up.and_then(|s| s.again.get_value());
            let handle = StoredValue::new(None::<leptos::leptos_dom::helpers::IntervalHandle>);
            let tick = move || {
                if popup.closed().unwrap_or(true) {
                    if let Some(h) = handle.get_value() {
                        h.clear();
                    }
                    waiting.set(false);
                    if let Some(again) = &again {
                        again();
                    }
                }
            };
            handle.set_value(
                leptos::leptos_dom::helpers::set_interval_with_handle(
                    tick,
                    std::time::Duration::from_millis(300),
                )
                .ok(),
            );
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, waiting, step_up);
    };
    view! {
        <div role="alert" class="flex flex-col gap-3 rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-950 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
            <p class="font-medium">{error.message.clone()}</p>
            <div class="flex flex-wrap items-center gap-3">
                <a href=href rel="external" on:click=open class=PRIMARY_BUTTON>"Confirm it is you"</a>
                <Show when=move || waiting.get()>
                    <span role="status">"Waiting for you to confirm in the window that opened…"</span>
                </Show>
            </div>
        </div>
    }
}
