//! The console's router: its routes (sign-in, the import and export routes, the pages and server functions, the
//! site's files) inside their layers, and the host names it answers to.

use std::net::{IpAddr, SocketAddr};

use axum::response::Redirect;
use axum::routing::get;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::LeptosRoutes;

use super::{cache_assets, compression, import_routes, route_list, switch_realm};
use crate::app::shell;
use crate::config::Settings;
use crate::model::ConsoleInfo;
use crate::state::AppState;

/// The host names the console answers to: the configured ones, and the address it listens on.
pub(super) fn origins(settings: &Settings, local: SocketAddr) -> std::sync::Arc<crate::security::Origins> {
    let mut allowed_hosts = settings.access.allowed_hosts.clone();
    if !local.ip().is_unspecified() {
        allowed_hosts.push(match local.ip() {
            IpAddr::V6(ip) => format!("[{ip}]"),
            ip => ip.to_string(),
        });
    }
    std::sync::Arc::new(crate::security::Origins {
        public_origin: settings.access.public_origin.clone(),
        allowed_hosts,
    })
}

/// What the layers around the routes need.
pub(super) struct Layers {
    pub access: std::sync::Arc<crate::auth::web::Access>,
    pub sessions: tower_sessions::SessionManagerLayer<crate::auth::sessions::Sessions>,
    pub origins: std::sync::Arc<crate::security::Origins>,
    pub deadline: std::time::Duration,
    pub hashed_assets: bool,
}

/// Signing in with Beyond Identity, when it is set up: off to BI, and back.
fn bi_sign_in_routes(access: &crate::auth::web::SharedAccess) -> Router<LeptosOptions> {
    match &access.bi {
        Some(bi) => Router::new()
            .route("/sign-in/bi", get(crate::auth::bi::start).with_state(bi.clone()))
            .route(
                "/sign-in/bi/callback",
                get(crate::auth::bi::callback).with_state((bi.clone(), access.clone())),
            ),
        None => Router::new(),
    }
}

/// The console's routes (sign-in, the import and export routes, the pages and server functions, the site's files)
/// after `app`'s, inside their layers, from the innermost: the sign-in guard, BI calls' deadline, sessions, the host
/// check and cross-site refusal, security headers, the assets' cache policy, compression, the request id.
pub(super) fn routes(
    app: Router<LeptosOptions>,
    state: &AppState,
    info: &ConsoleInfo,
    leptos_options: LeptosOptions,
    layers: Layers,
) -> Router {
    let Layers {
        access,
        sessions,
        origins,
        deadline,
        hashed_assets,
    } = layers;
    let home = format!(
        "/realms/{}/identities",
        crate::model::encode_component(&info.default_realm)
    );
    app.route("/", get(move || async move { Redirect::to(&home) }))
        .route("/switch-realm", get(switch_realm))
        .route(
            "/sign-in",
            axum::routing::post(crate::auth::web::sign_in).with_state(access.clone()),
        )
        .route("/sign-out", axum::routing::post(crate::auth::web::sign_out))
        .route(
            "/step-up",
            get(crate::auth::web::step_up_start)
                .post(crate::auth::web::step_up_with_password)
                .with_state(access.clone()),
        )
        .merge(bi_sign_in_routes(&access))
        .merge(import_routes(state))
        .leptos_routes_with_context(
            &leptos_options,
            route_list(),
            {
                let state = state.clone();
                move || provide_context(state.clone())
            },
            {
                let options = leptos_options.clone();
                move || shell(options.clone())
            },
        )
        // The site's files (`/pkg/…`, the public files), precompressed copies chosen by `Accept-Encoding`; any
        // other path is the console's "not found" page. Files are served here, not by `file_and_error_handler`: it
        // answers a file inside an owner made with `Owner::new()`, a child of the thread's current owner, which can
        // be a page still rendering (Leptos's `Owner::new_root` makes each page's owner current on its thread and
        // does not restore the one before). The file's answer then took that page's response headers (its
        // Content-Security-Policy with its scripts' nonce), and the browser refused the page's scripts.
        .fallback_service(
            tower_http::services::ServeDir::new(&*leptos_options.site_root)
                .precompressed_br()
                .precompressed_gzip()
                .fallback(axum::handler::Handler::with_state(
                    leptos_axum::file_and_error_handler(shell),
                    leptos_options.clone(),
                )),
        )
        .with_state(leptos_options)
        .layer(axum::middleware::from_fn_with_state(
            access,
            crate::auth::web::guard,
        ))
        .layer(axum::middleware::from_fn(
            move |req: axum::extract::Request, next: axum::middleware::Next| {
                crate::bi::retry::with_deadline(deadline, next.run(req))
            },
        ))
        .layer(sessions)
        .layer(axum::middleware::from_fn_with_state(
            origins,
            crate::security::refuse_cross_site,
        ))
        .layer(axum::middleware::from_fn(crate::security::headers))
        .layer(axum::middleware::from_fn(move |req, next| {
            cache_assets(hashed_assets, req, next)
        }))
        .layer(compression())
        .layer(axum::middleware::from_fn(crate::request_id::assign))
        // Outermost: it also names the request's span, which assign makes, by the route matched.
        .layer(axum::middleware::from_fn(super::metrics::track))
}

