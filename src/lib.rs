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
    audit, auth, bi, config, db, files, index, invitation_runs, jobs, metrics, permit, preferences, request_id, sandbox, secret, security, server, service, site_files, state, store, transfer,
}

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // A split build hydrates asynchronously: a page opened on a lazily loaded route waits for its code first.
    #[cfg(feature = "split")]
    {
        wasm_bindgen_futures::spawn_local(async {
            let body = leptos::prelude::document()
                .body()
                .expect("the page has a body");
            let mounted = leptos::mount::hydrate_from_async(body, app::App).await;
            components::ready::hydration_ended();
            mounted.forget();
        });
    }
    #[cfg(not(feature = "split"))]
    {
        leptos::mount::hydrate_body(app::App);
        components::ready::hydration_ended();
    }
}

/// Room for the wasm splitter in a split build. It lays each chunk's constants out again in the constants' segment,
/// each aligned; when that comes out longer than the segment (by a few hundred bytes of alignment padding), it gives
/// up and keeps every chunk's constants in the first page's wasm (about 80 KB more to download). These bytes lengthen
/// the segment; no code reads them, so no chunk carries them.
#[cfg(all(feature = "hydrate", feature = "split"))]
#[used]
static SPLITTER_ROOM: [u8; 4096] = [0x5a; 4096];
