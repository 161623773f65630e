//! Identity Console: a self-hosted web console for Beyond Identity identity and group provisioning.
//!
//! Rooms (see docs/ARCHITECTURE.md): `model` (types and rules shared with the browser), `api` (server functions),
//! `pages` and `components` (the interface), and on the server only `bi` (the typed BI client), `sandbox` (the
//! embedded BI-compatible API), `config`, `secret`, `auth` (operators, sessions, roles), `security` (headers, cross-site refusal), `audit`, `state`
//! and `server` (wiring).

pub mod api;
pub mod app;
pub mod components;
pub mod model;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod audit;
#[cfg(feature = "ssr")]
pub mod auth;
#[cfg(feature = "ssr")]
pub mod bi;
#[cfg(feature = "ssr")]
pub mod config;
#[cfg(feature = "ssr")]
pub mod files;
#[cfg(feature = "ssr")]
pub mod permit;
#[cfg(feature = "ssr")]
pub mod request_id;
#[cfg(feature = "ssr")]
pub mod sandbox;
#[cfg(feature = "ssr")]
pub mod secret;
#[cfg(feature = "ssr")]
pub mod security;
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod state;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
