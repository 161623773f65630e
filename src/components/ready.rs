//! Whether the page is interactive: the wasm has hydrated it. Controls that only work with the wasm (dialogs,
//! selections, copying) render disabled until then — visibly not ready, so a click before it is never silently
//! lost — and everything else on a page works before it as plain links and forms.
//!
//! "Hydrated" means the whole page: in a split build a screen's code arrives after the app has started, and its part
//! of the page is hydrated only then. The signal turns `true` when hydration has ended (`hydration_ended`, called by
//! the wasm's entry point), never earlier: a value that changed while part of the page was still waiting would be
//! taken as the server's and never shown (the server rendered those controls disabled).

use leptos::prelude::*;

/// Provided by the app: `true` once hydrated (never on the server).
#[derive(Clone, Copy)]
pub struct Ready(pub Signal<bool>);

#[cfg(feature = "hydrate")]
thread_local! {
    static PAGE_READY: std::cell::Cell<Option<RwSignal<bool>>> = const { std::cell::Cell::new(None) };
}

/// The app's readiness: `false` until [`hydration_ended`]; provided to every screen as [`Ready`].
pub fn provide_ready() -> Signal<bool> {
    let ready = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    PAGE_READY.with(|cell| cell.set(Some(ready)));
    provide_context(Ready(ready.into()));
    ready.into()
}

/// Called once the wasm has hydrated the whole page: its controls become ready.
#[cfg(feature = "hydrate")]
pub fn hydration_ended() {
    if let Some(ready) = PAGE_READY.with(|cell| cell.get()) {
        ready.set(true);
    }
}

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
