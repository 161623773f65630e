//! Whether the page is interactive: the wasm has hydrated it. Controls that only work with the wasm (dialogs,
//! selections, copying) render disabled until then — visibly not ready, so a click before it is never silently
//! lost — and everything else on a page works before it as plain links and forms.

use leptos::prelude::*;

/// Provided by the app: `true` once hydrated (never on the server).
#[derive(Clone, Copy)]
pub struct Ready(pub Signal<bool>);

/// `true` once the page is interactive.
pub fn use_ready() -> Signal<bool> {
    use_context::<Ready>()
        .map(|r| r.0)
        .unwrap_or_else(|| Signal::derive(|| true))
}

/// `disabled` for a control that needs the wasm.
pub fn not_ready() -> impl Fn() -> bool + Copy + Send + Sync + 'static {
    let ready = use_ready();
    move || !ready.get()
}
