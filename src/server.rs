//! Start-up wiring: settings → BI client (sandbox or BI) → axum router with the Leptos app, its server functions
//! and, in sandbox mode, the sandbox API on the same address.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::Query;
use axum::response::Redirect;
use axum::routing::get;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};

use crate::app::{shell, App};
use crate::bi::{Client, ClientAuth, ClientConfig};
use crate::config::{Mode, Settings};
use crate::model::ConsoleInfo;
use crate::sandbox::{self, Sandbox, PREFIX};
use crate::state::AppState;

pub const USAGE: &str = "usage: bi-console [serve | sandbox [ADDR] | reset-sandbox]

  serve            run the console (default). With no BI_* settings it runs on the embedded sandbox.
  sandbox [ADDR]   run only the sandbox API on ADDR (default 127.0.0.1:8787), under /sandbox/v1/...
  reset-sandbox    delete the sandbox data in CONSOLE_DATA_DIR (default ./data); the next start reseeds it";

pub fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
}

/// An address the console itself can call: the listener's, with an unspecified IP replaced by loopback.
fn callable(addr: SocketAddr) -> SocketAddr {
    if addr.ip().is_unspecified() {
        let ip = match addr.ip() {
            IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(_) => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
        };
        SocketAddr::new(ip, addr.port())
    } else {
        addr
    }
}

fn print_sandbox_handover(sb: &Sandbox, api_base: &str, realm: &str, settings: &Settings) {
    let c = sb.credentials();
    println!("Sandbox API:   {api_base}/v1/tenants/{}", sb.tenant_id());
    println!("  TENANT_ID={}  REALM_ID={realm}", sb.tenant_id());
    println!("  API_TOKEN={}", c.api_token.expose());
    println!(
        "  (client credentials and the token are also in {})",
        settings.data_dir.join("sandbox-credentials.json").display()
    );
}

pub async fn run_console() -> Result<(), String> {
    let settings = Settings::from_env().map_err(|e| e.to_string())?;
    let conf = get_configuration(None).map_err(|e| format!("leptos configuration: {e}"))?;
    let leptos_options = conf.leptos_options;
    let listener = tokio::net::TcpListener::bind(leptos_options.site_addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", leptos_options.site_addr))?;
    let local = listener
        .local_addr()
        .map_err(|e| format!("cannot read the listening address: {e}"))?;

    let mut app: Router<LeptosOptions> = Router::new();
    let (client, info) = match &settings.mode {
        Mode::Sandbox { token } => {
            let sb = Sandbox::open(&settings.data_dir, token.clone()).await?;
            let api_base = format!("http://{}{PREFIX}", callable(local));
            let client = Client::new(ClientConfig {
                api_base: api_base.clone(),
                tenant_id: sb.tenant_id().to_string(),
                auth: ClientAuth::Token(sb.credentials().api_token.clone()),
                timeout: settings.timeout,
            })
            .map_err(|e| e.to_string())?;
            let realm = sb.default_realm().await.unwrap_or_default();
            print_sandbox_handover(&sb, &api_base, &realm, &settings);
            app = app.merge(sb.router());
            let info = ConsoleInfo {
                sandbox: true,
                target_label: "Sandbox".into(),
                tenant_id: sb.tenant_id().to_string(),
                default_realm: realm,
            };
            (client, info)
        }
        Mode::Bi(bi) => {
            let client =
                Client::new(bi.client_config(settings.timeout)).map_err(|e| e.to_string())?;
            let info = ConsoleInfo {
                sandbox: false,
                target_label: bi.label.clone(),
                tenant_id: bi.tenant_id.clone(),
                default_realm: bi.realm_id.clone(),
            };
            (client, info)
        }
    };
    let state = AppState::new(client, info.clone());

    let home = format!(
        "/realms/{}/identities",
        crate::components::pager::encode_component(&info.default_realm)
    );
    let routes = generate_route_list(App);
    let app = app
        .route("/", get(move || async move { Redirect::to(&home) }))
        .route("/switch-realm", get(switch_realm))
        .leptos_routes_with_context(
            &leptos_options,
            routes,
            {
                let state = state.clone();
                move || provide_context(state.clone())
            },
            {
                let options = leptos_options.clone();
                move || shell(options.clone())
            },
        )
        .fallback(leptos_axum::file_and_error_handler(shell))
        .with_state(leptos_options);

    println!("Console:       http://{}", callable(local));
    tracing::info!(addr = %local, sandbox = info.sandbox, "console listening");
    axum::serve(listener, app.into_make_service())
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| format!("server error: {e}"))
}

async fn switch_realm(Query(q): Query<std::collections::HashMap<String, String>>) -> Redirect {
    match q.get("realm").filter(|r| !r.is_empty()) {
        Some(r) => Redirect::to(&format!(
            "/realms/{}/identities",
            crate::components::pager::encode_component(r)
        )),
        None => Redirect::to("/"),
    }
}

/// Serves only the sandbox API (for scripts and curl).
pub async fn run_sandbox(addr: Option<String>) -> Result<(), String> {
    let settings = Settings::from_env().map_err(|e| e.to_string())?;
    let token = match &settings.mode {
        Mode::Sandbox { token } => token.clone(),
        Mode::Bi(_) => None,
    };
    let addr = addr.unwrap_or_else(|| "127.0.0.1:8787".into());
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    let sb = Sandbox::open(&settings.data_dir, token).await?;
    let realm = sb.default_realm().await.unwrap_or_default();
    print_sandbox_handover(
        &sb,
        &format!("http://{}{PREFIX}", callable(local)),
        &realm,
        &settings,
    );
    let app: Router = sb.router();
    axum::serve(listener, app.into_make_service())
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| format!("server error: {e}"))
}

pub fn reset_sandbox() -> Result<(), String> {
    let settings = Settings::from_env().map_err(|e| e.to_string())?;
    sandbox::reset(&settings.data_dir).map_err(|e| format!("cannot reset the sandbox: {e}"))?;
    println!(
        "Sandbox data removed from {}; the next start seeds a fresh demo tenant.",
        settings.data_dir.display()
    );
    Ok(())
}

async fn shutdown_signal() {
    let _ = tokio::signal::ctrl_c().await;
}
