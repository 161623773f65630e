//! The HTML shell and the route table.

use leptos::prelude::*;
#[cfg(feature = "ssr")]
use leptos_meta::MetaTags;
use leptos_meta::{provide_meta_context, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{path, SsrMode};

use crate::components::layout::RealmLayout;
use crate::lazy_routes::screen;
use crate::pages::identities::IdentitiesPage;
use crate::pages::not_found::NotFound;
#[cfg(feature = "ssr")]
use crate::site_files::{HydrationScripts, Stylesheet};

#[cfg(feature = "ssr")]
pub fn shell(options: LeptosOptions) -> impl IntoView {
    // The page's Content-Security-Policy carries the nonce Leptos puts on its hydration scripts.
    if let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) {
        if let Ok(value) = axum::http::HeaderValue::from_str(&crate::security::page_csp(&nonce)) {
            response.insert_header(axum::http::header::CONTENT_SECURITY_POLICY, value);
        }
    }
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                // The icon in the page itself: no request for it, and no /favicon.ico that is not there.
                <link rel="icon" href="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Crect width='16' height='16' rx='3' fill='%234f46e5'/%3E%3C/svg%3E" />
                <AutoReload options=options.clone() />
                <Stylesheet options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body class="h-full bg-slate-50 text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100">
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // `true` once the wasm has hydrated the whole page (never on the server): a marker for tests and styles.
    let hydrated = crate::components::ready::provide_ready();
    crate::components::step_up::provide_step_up();

    // Routes render in `Async` mode: the server waits for the page's BI data and sends complete HTML, so every page
    // reads (and every form works) before the wasm has loaded, or without JavaScript at all.
    view! {
        <Title text="Beyond Identity console" />
        <div id="app" class="min-h-screen" data-hydrated=move || hydrated.get().to_string()>
            <Router>
                <Routes fallback=NotFound>
                    <Route path=path!("/login") view=screen!(LoginRoute, crate::pages::login::LoginPage) ssr=SsrMode::Async />
                    <Route path=path!("/sign-in/passkey") view=crate::pages::account::PasskeySignInPage />
                    <Route path=path!("/account") view=crate::pages::account::AccountPage ssr=SsrMode::Async />
                    <Route path=path!("/step-up/confirm") view=crate::pages::step_up::ConfirmPage ssr=SsrMode::Async />
                    <Route path=path!("/step-up/done") view=crate::pages::step_up::DonePage />
                    <ParentRoute path=path!("/realms/:realm") view=RealmLayout ssr=SsrMode::Async>
                        <Route path=path!("/identities") view=IdentitiesPage ssr=SsrMode::Async />
                        <Route path=path!("/identities/new") view=screen!(NewIdentityRoute, crate::pages::identity_new::NewIdentityPage) ssr=SsrMode::Async />
                        <Route path=path!("/identities/:id") view=screen!(IdentityDetailRoute, crate::pages::identity_detail::IdentityDetailPage) ssr=SsrMode::Async />
                        <Route path=path!("/identities/:id/edit") view=screen!(EditIdentityRoute, crate::pages::identity_edit::EditIdentityPage) ssr=SsrMode::Async />
                        <Route path=path!("/groups") view=screen!(GroupsRoute, crate::pages::groups::GroupsPage) ssr=SsrMode::Async />
                        <Route path=path!("/groups/new") view=screen!(NewGroupRoute, crate::pages::group_new::NewGroupPage) ssr=SsrMode::Async />
                        <Route path=path!("/groups/:id") view=screen!(GroupDetailRoute, crate::pages::group_detail::GroupDetailPage) ssr=SsrMode::Async />
                        <Route path=path!("/groups/:id/edit") view=screen!(EditGroupRoute, crate::pages::group_edit::EditGroupPage) ssr=SsrMode::Async />
                        <Route path=path!("/audit") view=screen!(AuditRoute, crate::pages::audit::AuditPage) ssr=SsrMode::Async />
                        <Route path=path!("/outbox") view=screen!(OutboxRoute, crate::pages::outbox::OutboxPage) ssr=SsrMode::Async />
                        <Route path=path!("/import") view=screen!(ImportUploadRoute, crate::pages::import::ImportUploadPage) ssr=SsrMode::Async />
                        <Route path=path!("/imports/:id") view=screen!(ImportRoute, crate::pages::import::ImportPage) ssr=SsrMode::Async />
                        <Route path=path!("/invitations/:batch") view=screen!(InvitationsRoute, crate::pages::invitations::InvitationsPage) ssr=SsrMode::Async />
                        <Route path=path!("") view=IdentitiesPage ssr=SsrMode::Async />
                    </ParentRoute>
                </Routes>
            </Router>
        </div>
    }
}
