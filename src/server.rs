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

pub const USAGE: &str = "usage: bi-console [serve | sandbox [ADDR] | reset-sandbox | hash-password | add-operator USERNAME ROLE [REALMS]]

  serve            run the console (default). With no BI_* settings it runs on the embedded sandbox.
  sandbox [ADDR]   run only the sandbox API on ADDR (default 127.0.0.1:8787), under /sandbox/v1/...
  reset-sandbox    delete the sandbox data in CONSOLE_DATA_DIR (default ./data); the next start reseeds it
  hash-password    read a password on standard input; print its argon2 hash for CONSOLE_OPERATORS
  add-operator USERNAME ROLE [REALMS]
                   add an operator (role admin, helpdesk or viewer) to CONSOLE_DATA_DIR/operators.json, optionally
                   limited to realms (ids separated by commas); the password is read on standard input, or made
                   and printed when the input is empty";

/// Keeps large allocations (each password check takes argon2's 19 MiB) in their own mappings, so they go back to
/// the system when freed instead of staying in the heap: glibc otherwise raises that threshold after the first one,
/// and an idle console would keep ~20 MiB it no longer uses.
pub fn return_large_allocations() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; it is called once, before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 256 * 1024);
    }
}

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

/// The app's routes, generated once per process. Generating them runs the whole app with resource loading
/// suppressed by a process-wide flag in Leptos, and a page whose resource first polls while that flag is up waits
/// for ever (leptos-rs/leptos#4773). A served console builds once, before it serves; a process that builds several
/// consoles (the integration tests) would otherwise hang a page of one while building the next.
fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The assembled console: its router and what start-up reports.
pub struct Console {
    pub router: Router,
    pub info: ConsoleInfo,
    /// The sandbox, in sandbox mode.
    pub sandbox: Option<std::sync::Arc<Sandbox>>,
    pub bootstrap: crate::auth::Bootstrap,
    /// The console's own database (sessions, audit), closed cleanly at shutdown.
    pub db: sqlx::SqlitePool,
    /// Operators, the sign-in throttle and its counters.
    pub access: std::sync::Arc<crate::auth::web::Access>,
}

/// Builds the console for `settings`, to be served on `local` (the sandbox, in sandbox mode, is called there).
/// Layers, outermost first: the request id, security headers, host check and cross-site refusal, sessions, the
/// per-request deadline, the sign-in guard.
pub async fn build(
    settings: &Settings,
    leptos_options: LeptosOptions,
    local: SocketAddr,
) -> Result<Console, String> {
    let mut app: Router<LeptosOptions> = Router::new();
    let mut sandbox = None;
    crate::files::make_private_dir(&settings.data_dir).map_err(|e| {
        format!(
            "cannot make the data directory {} owner-only: {e}",
            settings.data_dir.display()
        )
    })?;
    let (client, info) = match &settings.mode {
        Mode::Sandbox { token } => {
            let sb = Sandbox::open(&settings.data_dir, token.clone())
                .await
                .map_err(|e| e.to_string())?;
            sb.set_faults(settings.sandbox_faults);
            if settings.sandbox_large {
                sandbox::seed::seed_large(sb.store())
                    .await
                    .map_err(|e| format!("cannot seed the large realm: {}", e.body.message))?;
            }
            let api_base = format!("http://{}{PREFIX}", callable(local));
            let client = Client::new(ClientConfig {
                api_base: api_base.clone(),
                tenant_id: sb.tenant_id().to_string(),
                auth: ClientAuth::Token(sb.credentials().api_token.clone()),
                timeout: settings.timeout,
            })
            .map_err(|e| e.to_string())?;
            let realm = sb.default_realm().await.unwrap_or_default();
            app = app.merge(sb.router());
            let info = ConsoleInfo {
                sandbox: true,
                target_label: "Sandbox".into(),
                tenant_id: sb.tenant_id().to_string(),
                default_realm: realm,
            };
            sandbox = Some(sb);
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
    let db = crate::audit::open_console_db(&settings.data_dir).await?;
    let audit = crate::audit::AuditLog::open(db.clone())
        .await
        .map_err(|e| format!("cannot prepare the audit log: {e}"))?;
    let state = AppState::new(client, info.clone())
        .with_audit(audit)
        .with_protected_groups(settings.access.protected_groups.clone());

    let (operators, bootstrap) =
        crate::auth::load_or_bootstrap(&settings.data_dir, &settings.access.operators)
            .map_err(|e| e.to_string())?;
    let access = std::sync::Arc::new(crate::auth::web::Access::new(
        operators,
        crate::auth::throttle::Throttle::standard(),
        settings.access.absolute,
    ));
    let db_handle = db.clone();
    let sessions = crate::auth::web::session_layer(&settings.access, db).await?;
    // The databases are open now, with their journal files: those too are the owner's only.
    crate::files::make_private_dir(&settings.data_dir).map_err(|e| {
        format!(
            "cannot make {} owner-only: {e}",
            settings.data_dir.display()
        )
    })?;
    let mut allowed_hosts = settings.access.allowed_hosts.clone();
    if !local.ip().is_unspecified() {
        allowed_hosts.push(match local.ip() {
            IpAddr::V6(ip) => format!("[{ip}]"),
            ip => ip.to_string(),
        });
    }
    let origins = std::sync::Arc::new(crate::security::Origins {
        public_origin: settings.access.public_origin.clone(),
        allowed_hosts,
    });

    let deadline = settings.action_deadline;
    let home = format!(
        "/realms/{}/identities",
        crate::model::encode_component(&info.default_realm)
    );
    let routes = route_list();
    let router = app
        .route("/", get(move || async move { Redirect::to(&home) }))
        .route("/switch-realm", get(switch_realm))
        .route(
            "/sign-in",
            axum::routing::post(crate::auth::web::sign_in).with_state(access.clone()),
        )
        .route("/sign-out", axum::routing::post(crate::auth::web::sign_out))
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
        .with_state(leptos_options)
        .layer(axum::middleware::from_fn_with_state(
            access.clone(),
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
        .layer(axum::middleware::from_fn(crate::request_id::assign));
    Ok(Console {
        router,
        info,
        sandbox,
        bootstrap,
        access,
        db: db_handle,
    })
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
    let console = build(&settings, leptos_options, local).await?;
    let signalled = shutdown_signal();
    if let Some(sb) = &console.sandbox {
        print_sandbox_handover(
            sb,
            &format!("http://{}{PREFIX}", callable(local)),
            &console.info.default_realm,
            &settings,
        );
    }
    if let Some(password) = &console.bootstrap.password {
        // The one deliberate hand-over of the first admin's password: this line, and the owner-only file.
        println!(
            "First run: created operator 'admin' with password {}",
            password.expose()
        );
        println!(
            "  (also in {}; delete that file once you have it, and add operators with `bi-console add-operator`)",
            console.bootstrap.password_file.display()
        );
    }
    println!("Console:       http://{}", callable(local));
    tracing::info!(addr = %local, sandbox = console.info.sandbox, "console listening");
    let served = serve_until_signalled(
        axum::serve(
            listener,
            console
                .router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async {
            signalled.await;
            SHUTDOWN.notify_one();
        }),
    )
    .await;
    // The audit log and sessions are in SQLite (WAL): a clean close checkpoints them.
    console.db.close().await;
    tracing::info!("stopped");
    served
}

/// `hash-password`: reads a password from standard input, prints its argon2 hash for `CONSOLE_OPERATORS`.
pub fn hash_password_command() -> Result<(), String> {
    let password = read_password()?;
    println!(
        "{}",
        crate::auth::hash_password(&password).map_err(|e| e.to_string())?
    );
    Ok(())
}

/// `add-operator USERNAME ROLE`: reads a password from standard input (or makes one when it is empty) and keeps the
/// operator in the data directory's operators file.
pub fn add_operator_command(
    username: Option<String>,
    role: Option<String>,
    realms: Option<String>,
) -> Result<(), String> {
    let (Some(username), Some(role)) = (username, role) else {
        return Err(format!(
            "add-operator needs a username and a role\n\n{USAGE}"
        ));
    };
    let role = crate::model::Role::parse(&role)
        .ok_or_else(|| format!("unknown role '{role}'; expected admin, helpdesk or viewer"))?;
    let settings = Settings::from_env().map_err(|e| e.to_string())?;
    let mut password = read_password()?;
    let made = password.is_empty();
    if made {
        password = crate::auth::random_password(20);
    }
    let realms = realms.map(|r| crate::auth::parse_realms(&r));
    crate::auth::add_operator_in(&settings.data_dir, &username, role, &password, realms)
        .map_err(|e| e.to_string())?;
    if made {
        println!(
            "Operator {username} ({}) added with password {password}",
            role.as_str()
        );
    } else {
        println!("Operator {username} ({}) added.", role.as_str());
    }
    Ok(())
}

fn read_password() -> Result<String, String> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

async fn switch_realm(Query(q): Query<std::collections::HashMap<String, String>>) -> Redirect {
    match q.get("realm").filter(|r| !r.is_empty()) {
        Some(r) => Redirect::to(&format!(
            "/realms/{}/identities",
            crate::model::encode_component(r)
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
    let sb = Sandbox::open(&settings.data_dir, token)
        .await
        .map_err(|e| e.to_string())?;
    sb.set_faults(settings.sandbox_faults);
    if settings.sandbox_large {
        sandbox::seed::seed_large(sb.store())
            .await
            .map_err(|e| format!("cannot seed the large realm: {}", e.body.message))?;
    }
    let realm = sb.default_realm().await.unwrap_or_default();
    let signalled = shutdown_signal();
    print_sandbox_handover(
        &sb,
        &format!("http://{}{PREFIX}", callable(local)),
        &realm,
        &settings,
    );
    let app: Router = sb.router();
    let served = serve_until_signalled(
        axum::serve(listener, app.into_make_service()).with_graceful_shutdown(async {
            signalled.await;
            SHUTDOWN.notify_one();
        }),
    )
    .await;
    sb.store().close().await;
    served
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

/// How long in-flight requests may take to finish after a shutdown signal.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(10);

/// Resolves on Ctrl-C (SIGINT) or SIGTERM (what service managers and `kill` send). The handlers are installed when
/// this is called, not when the future is first polled, so a signal that arrives right after start-up is caught.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let streams = {
        use tokio::signal::unix::{signal, SignalKind};
        (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        )
    };
    async move {
        #[cfg(unix)]
        {
            async fn next(s: std::io::Result<tokio::signal::unix::Signal>) {
                match s {
                    Ok(mut s) => {
                        s.recv().await;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot listen for a shutdown signal");
                        std::future::pending::<()>().await
                    }
                }
            }
            tokio::select! {
                _ = next(streams.0) => {},
                _ = next(streams.1) => {},
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
        tracing::info!(
            grace_secs = SHUTDOWN_GRACE.as_secs(),
            "shutting down: finishing requests in flight"
        );
    }
}

/// Serves until a shutdown signal, then lets requests in flight finish for up to [`SHUTDOWN_GRACE`].
async fn serve_until_signalled<F>(serve: F) -> Result<(), String>
where
    F: std::future::IntoFuture<Output = std::io::Result<()>>,
{
    let serving = serve.into_future();
    tokio::pin!(serving);
    let mut signalled = false;
    loop {
        tokio::select! {
            r = &mut serving => return r.map_err(|e| format!("server error: {e}")),
            _ = tokio::time::sleep(SHUTDOWN_GRACE), if signalled => {
                tracing::warn!("requests still in flight after the grace period; stopping anyway");
                return Ok(());
            }
            _ = SHUTDOWN.notified(), if !signalled => signalled = true,
        }
    }
}

/// Raised by the shutdown signal, so the grace timer starts then.
static SHUTDOWN: tokio::sync::Notify = tokio::sync::Notify::const_new();
