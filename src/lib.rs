//! Identity Console: a self-hosted web console for Beyond Identity identity and group provisioning.
//!
//! Rooms (see docs/ARCHITECTURE.md): `model` (types and rules shared with the browser), `api` (server functions),
//! `pages` and `components` (the interface), and on the server only `bi` (the typed BI client), `sandbox` (the
//! embedded BI-compatible API), `config`, `secret`, `auth` (operators, sessions, roles), `security` (headers, cross-site refusal), `audit`, `state`
//! and `server` (wiring).

pub mod api;
pub mod app;
pub mod components;
mod lazy_routes;
pub mod model;
pub mod pages;

/// Modules of the server only (never in the wasm).
macro_rules! server_only {
    ($($module:ident),* $(,)?) => {
        $(
            #[cfg(feature = "ssr")]
            pub mod $module;
        )*
    };
}

server_only! {
    audit, auth, bi, config, files, index, invitation_runs, permit, preferences, request_id, sandbox, secret, security, server, state, transfer,
}

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // A split build hydrates asynchronously: a page opened on a lazily loaded route waits for its code first.
    #[cfg(feature = "split")]
    leptos::mount::hydrate_lazy(app::App);
    #[cfg(not(feature = "split"))]
    leptos::mount::hydrate_body(app::App);
}
