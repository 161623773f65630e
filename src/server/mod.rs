//! Start-up wiring: settings → BI client (sandbox or BI) → axum router with the Leptos app, its server functions
//! and, in sandbox mode, the sandbox API on the same address. Serving and shutdown are in `run`, the command-line
//! tools in `commands`.

mod backup;
mod commands;
mod bi_sign_in;
mod jobs;
pub mod metrics;
pub use jobs::{resume_imports, start_audit_sink, sweep};
pub mod probes;
mod router;
mod run;
mod telemetry;
pub use telemetry::{init_tracing, Telemetry};
mod transfer_commands;
mod transfer_routes;

pub use commands::{
    add_operator_command, hash_password_command, migrate_command, remove_operator_command, reset_sandbox, CommandError,
};
pub use run::{run_console, run_sandbox};
pub use backup::{backup_command, restore_command};
pub use transfer_commands::{export_command, import_command};

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::Query;
use axum::response::Redirect;
use axum::routing::get;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::generate_route_list;

use crate::app::App;
use crate::bi::{Client, ClientAuth, ClientConfig};
use crate::config::{Mode, Settings};
use crate::model::ConsoleInfo;
use crate::sandbox::{self, Sandbox, PREFIX};
use crate::state::AppState;

pub const USAGE: &str = "usage: bi-console [serve | sandbox [ADDR] | reset-sandbox | migrate [--status] | hash-password
                   | add-operator USERNAME ROLE [REALMS] | remove-operator USERNAME | backup FILE | restore FILE
                   | export [--realm R] [--format csv|json] [FILE]
                   | import FILE [--realm R] [--sync-groups] [--suspend-missing] [--apply [--confirm-suspensions N]]]

  serve            run the console (default). With no BI_* settings it runs on the embedded sandbox.
  sandbox [ADDR]   run only the sandbox API on ADDR (default 127.0.0.1:8787), under /sandbox/v1/...
  reset-sandbox    delete the sandbox data in CONSOLE_DATA_DIR (default ./data); the next start reseeds it
  migrate [--status]
                   bring the console's database (CONSOLE_DATABASE_URL) to this version's schema, or only say where
                   it is; a database migrated by a newer console is refused untouched (serve migrates at start too)
  hash-password    read a password on standard input; print its argon2 hash for CONSOLE_OPERATORS
  add-operator USERNAME ROLE [REALMS]
                   add an operator (role admin, helpdesk or viewer), optionally limited to realms (ids separated
                   by commas), to the console's database (every replica's), or to CONSOLE_DATA_DIR/operators.json
                   when that file exists; the password is read on standard input, or made and printed when the
                   input is empty (an operator of that name is replaced)
  remove-operator USERNAME
                   remove an operator from the console's database and operators.json; their sessions end
  backup FILE      copy the console's SQLite database into the new file FILE, consistently, while it runs
  restore FILE     check FILE (a backup) and put it in place as the console's database, in a data directory that
                   has none yet (PostgreSQL: use pg_dump and pg_restore)
  export [--realm R] [--format csv|json] [FILE]
                   write the realm's identities (default realm: the console's) as CSV or JSON to FILE or stdout
  import FILE [--realm R] [--sync-groups] [--suspend-missing] [--apply [--confirm-suspensions N]]
                   plan the import of a CSV or JSON file and print it (exit 1 when rows have errors); with --apply,
                   apply it (exit 1 when anything failed); --sync-groups also removes members the file does not list
                   in the groups it names; --suspend-missing suspends the realm's active identities the file does
                   not list, applied only with --confirm-suspensions and their number. Acts as the admin `cli`;
                   every write is audited";

/// mimalloc's option "purge delay" (its position in `mi_option_t` of mimalloc 3, which `libmimalloc-sys` 0.1.49
/// builds; its Rust constants still follow mimalloc 2's order, where 15 is unused).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// How long memory freed is kept for reuse before it goes back to the system (ms). Under load a page view reuses
/// what the one before freed: no decommit on every free and no page faults on the next allocation (at a delay of 0
/// that churn was about 7% of a page view's CPU).
pub const PURGE_DELAY_MS: i64 = 250;

/// Memory freed goes back to the system soon, also when the console goes idle: mimalloc purges what it freed only
/// when a thread allocates again, so a thread ("memory-purger") asks it to every two purge delays; an idle console
/// does not keep what a password check (argon2's 19 MiB) or the start-up used. Transparent huge pages are off (the
/// `no_thp` build feature) for the same reason. Called more than once, it starts one purger.
pub fn tune_allocator() {
    static PURGER: std::sync::Once = std::sync::Once::new();
    // SAFETY: sets one of mimalloc's options; safe at any time (read on each purge).
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS as _) }
    PURGER.call_once(|| {
        let every = std::time::Duration::from_millis(2 * PURGE_DELAY_MS as u64);
        let started = std::thread::Builder::new()
            .name("memory-purger".into())
            .spawn(move || loop {
                std::thread::sleep(every);
                // SAFETY: a normal (not forced) collection: this thread's own heap, and the purges of freed
                // memory whose delay has passed, in every thread's arenas.
                unsafe { libmimalloc_sys::mi_collect(false) }
            });
        if let Err(e) = started {
            // Before tracing is set up: said on standard error.
            eprintln!("memory purger not started: {e}");
        }
    });
}

/// mimalloc's purge delay in force (ms), for the test that checks [`tune_allocator`] names the right option.
pub fn allocator_purge_delay() -> i64 {
    // SAFETY: reads one of mimalloc's options.
    unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) as i64 }
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

/// Why the console (or the sandbox API) could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error("leptos configuration: {0}")]
    Leptos(String),
    #[error("cannot make the data directory {} owner-only: {source}", path.display())]
    DataDir {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Sandbox(#[from] sandbox::OpenError),
    #[error("cannot seed the large realm: {0}")]
    Seed(String),
    #[error("cannot set up the BI client: {0}")]
    Client(#[from] crate::bi::BiError),
    #[error(transparent)]
    ConsoleDb(#[from] crate::db::OpenError),
    #[error(transparent)]
    Operators(#[from] crate::auth::OperatorError),
    #[error("signing in with Beyond Identity cannot be set up: {0}")]
    BiSignIn(String),
    #[error(transparent)]
    Sessions(#[from] crate::auth::web::SessionError),
    #[error("the audit sink cannot be used: {0}")]
    AuditSink(String),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: String,
        source: std::io::Error,
    },
    #[error("server error: {0}")]
    Serve(std::io::Error),
}

/// The data directory made owner-only (again, once the databases have made their files).
fn private_data_dir(settings: &Settings) -> Result<(), StartError> {
    crate::files::make_private_dir(&settings.data_dir).map_err(|source| StartError::DataDir {
        path: settings.data_dir.clone(),
        source,
    })
}

/// Where the sandbox's enrollment links point: `CONSOLE_PUBLIC_URL`, else the address it listens on.
fn link_origin(settings: &Settings, local: SocketAddr) -> String {
    settings
        .access
        .public_origin
        .clone()
        .unwrap_or_else(|| format!("http://{}", callable(local)))
}

/// The sandbox in the data directory, with the configured faults and, when asked, the large realm.
async fn open_sandbox(settings: &Settings) -> Result<std::sync::Arc<Sandbox>, StartError> {
    let token = match &settings.mode {
        Mode::Sandbox { token } => token.clone(),
        Mode::Bi(_) => None,
    };
    let sb = Sandbox::open(&settings.data_dir, token).await?;
    sb.set_faults(settings.sandbox_faults);
    if let Some(scale) = settings.sandbox_scale {
        sandbox::seed::seed_large(sb.store(), scale)
            .await
            .map_err(|e| StartError::Seed(e.body.message))?;
    }
    Ok(sb)
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
    pub db: crate::db::Pool,
    /// Operators, the sign-in throttle and its counters.
    pub access: std::sync::Arc<crate::auth::web::Access>,
    /// What every request shares (the BI client, the index, the imports): for the command-line tools and for
    /// continuing unfinished imports once serving.
    pub state: AppState,
}

/// Builds the console for `settings`, to be served on `local` (the sandbox, in sandbox mode, is called there).
/// Layers, outermost first: the request id, security headers, host check and cross-site refusal, sessions, the
/// per-request deadline, the sign-in guard.
pub async fn build(
    settings: &Settings,
    leptos_options: LeptosOptions,
    local: SocketAddr,
) -> Result<Console, StartError> {
    private_data_dir(settings)?;
    let Target {
        client,
        mut info,
        sandbox,
        routes: app,
    } = target(settings, local).await?;
    std::fs::create_dir_all(&settings.data_dir).map_err(|source| crate::db::OpenError::Dir {
        path: settings.data_dir.clone(),
        source,
    })?;
    let db = crate::db::open_url(settings.database_url.expose()).await?;
    let mut state = stores(AppState::new(client, info.clone()), &db, settings).with_sandbox(sandbox.clone());
    let bi = bi_sign_in::bi_sign_in(
        settings,
        sandbox.as_ref(),
        state.client.clone(),
        &info.default_realm,
        &link_origin(settings, local),
    )
    .await
    .map_err(StartError::BiSignIn)?;
    info.bi_sign_in = bi.is_some();
    info.password_sign_in = settings.access.oidc.passwords;
    if !info.bi_sign_in && !info.password_sign_in {
        return Err(StartError::BiSignIn(
            "CONSOLE_PASSWORD_SIGN_IN is off, and signing in with Beyond Identity is not set up (CONSOLE_OIDC_ISSUER): no one could sign in".into(),
        ));
    }
    state.info.bi_sign_in = info.bi_sign_in;
    state.info.password_sign_in = info.password_sign_in;
    let (operators, bootstrap) = crate::auth::load_or_bootstrap(
        &settings.data_dir,
        &settings.access.operators,
        Some(std::sync::Arc::new(crate::db::Db::new(db.clone()))),
    )
    .await?;
    let mut access = crate::auth::web::Access::new(operators, shared_throttle(&db), settings.access.absolute)
        .with_trusted_proxies(settings.access.trusted_proxies.clone())
        .with_audit(state.audit.clone())
        .with_passwords(settings.access.oidc.passwords)
        .with_step_up(settings.access.step_up)
        .with_passkeys(crate::auth::passkeys::Passkeys {
            store: std::sync::Arc::new(crate::db::Db::new(db.clone())),
            required: settings.access.passkey_required,
            public_origin: settings.access.public_origin.clone(),
        });
    if let Some(bi) = bi {
        access = access.with_bi(bi);
    }
    let access = std::sync::Arc::new(access);
    let state = state.with_operators(access.operators.clone());
    let cookie = crate::auth::web::CookiePolicy {
        idle: settings.access.idle,
        secure: settings.access.cookie_secure,
    };
    let database_sessions = match settings.access.store {
        crate::auth::web::SessionBackend::Database => {
            let store = crate::db::session_store(settings.database_url.expose())
                .await
                .map_err(|e| crate::auth::web::SessionError::Database(e.to_string()))?;
            {
                use tower_sessions::ExpiredDeletion;
                tokio::spawn(store.clone().continuously_delete_expired(std::time::Duration::from_secs(600)));
            }
            Some(crate::auth::web::DatabaseSessions {
                shared: store.shared(),
                store: std::sync::Arc::new(store),
            })
        }
        crate::auth::web::SessionBackend::Redis(_) => None,
    };
    let sessions = crate::auth::web::session_layer(&settings.access.store, cookie, database_sessions).await?;
    // The databases are open now, with their journal files: those too are the owner's only.
    private_data_dir(settings)?;
    let layers = router::Layers {
        access: access.clone(),
        sessions,
        origins: router::origins(settings, local),
        deadline: settings.action_deadline,
        hashed_assets: leptos_options.hash_files,
    };
    let probes = probes::Probes::new(db.clone(), state.client.clone(), info.default_realm.clone());
    // The load balancer's probes, outside the guard, the sessions and the host check.
    let router = router::routes(app, &state, &info, leptos_options, layers).merge(probes::router(std::sync::Arc::new(probes)));
    Ok(Console {
        router,
        info,
        sandbox,
        bootstrap,
        access,
        db,
        state,
    })
}

/// What the console talks to: the embedded sandbox (its routes merged into the console's), or BI.
struct Target {
    client: Client,
    info: ConsoleInfo,
    sandbox: Option<std::sync::Arc<Sandbox>>,
    /// The sandbox's routes, in sandbox mode.
    routes: Router<LeptosOptions>,
}

/// The BI client and what the top bar says of it: for the sandbox, opened (and seeded the first time) and called
/// over loopback HTTP at `http://<console address>/sandbox`, exactly as BI is called; for BI, as configured.
async fn target(settings: &Settings, local: SocketAddr) -> Result<Target, StartError> {
    match &settings.mode {
        Mode::Sandbox { .. } => {
            let sb = open_sandbox(settings).await?;
            sb.set_link_origin(&link_origin(settings, local));
            let client = Client::new(ClientConfig {
                api_base: format!("http://{}{PREFIX}", callable(local)),
                tenant_id: sb.tenant_id().to_string(),
                auth: ClientAuth::Token(sb.credentials().api_token.clone()),
                timeout: settings.timeout,
            })?;
            let info = ConsoleInfo {
                sandbox: true,
                target_label: "Sandbox".into(),
                tenant_id: sb.tenant_id().to_string(),
                default_realm: sb.default_realm().await.unwrap_or_default(),
                bi_sign_in: false,
                password_sign_in: true,
            };
            Ok(Target {
                client,
                info,
                routes: Router::new().merge(sb.router()),
                sandbox: Some(sb),
            })
        }
        Mode::Bi(bi) => Ok(Target {
            client: Client::new(bi.client_config(settings.timeout))?,
            info: ConsoleInfo {
                sandbox: false,
                target_label: bi.label.clone(),
                tenant_id: bi.tenant_id.clone(),
                default_realm: bi.realm_id.clone(),
                bi_sign_in: false,
                password_sign_in: true,
            },
            sandbox: None,
            routes: Router::new(),
        }),
    }
}

/// The sign-in throttle: on a database replicas share, its counts kept there.
fn shared_throttle(db: &crate::db::Pool) -> crate::auth::throttle::Throttle {
    let throttle = crate::auth::throttle::Throttle::standard();
    match crate::db::Backend::of(db) {
        crate::db::Backend::Postgres => throttle.with_shared(std::sync::Arc::new(crate::db::Db::new(db.clone()))),
        crate::db::Backend::Sqlite => throttle,
    }
}

/// `state` with the console's stores in `db`: the audit log, preferences, imports and (unless it is off) the
/// directory index.
fn stores(state: AppState, db: &crate::db::Pool, settings: &Settings) -> AppState {
    let state = state
        .with_audit(
            crate::audit::AuditLog::new(crate::db::Db::new(db.clone()))
                .with_retention(settings.audit_retention)
                .with_sink(
                    settings.audit_sink.clone().map(|s| crate::audit::sink::Sink::new(crate::db::Db::new(db.clone()), s)),
                ),
        )
        .with_protected_groups(settings.access.protected_groups.clone())
        .with_preferences(crate::preferences::Preferences::new(crate::db::Db::new(db.clone())))
        .with_imports(crate::transfer::store::Imports::new(crate::db::Db::new(db.clone())), settings.import)
        .with_jobs(crate::jobs::Queue::new(crate::db::Db::new(db.clone()), settings.job_lease))
        .with_invitation_runs(crate::invitation_runs::Runs::new(crate::db::Db::new(db.clone())));
    match settings.index {
        Some(max_age) => state.with_index(crate::index::DirectoryIndex::new(crate::db::Db::new(db.clone())), max_age),
        None => state,
    }
}

/// Accepted connections send each write at once (`TCP_NODELAY`): without it a response written in two parts (its
/// headers, then a file's body) waits for the client's delayed ACK, about 40 ms per request on a kept-alive
/// connection.
pub fn no_delay(
    listener: tokio::net::TcpListener,
) -> axum::serve::TapIo<tokio::net::TcpListener, fn(&mut tokio::net::TcpStream)> {
    fn set(tcp: &mut tokio::net::TcpStream) {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "TCP_NODELAY not set on a connection");
        }
    }
    axum::serve::ListenerExt::tap_io(listener, set as fn(&mut tokio::net::TcpStream))
}

/// Pages, server functions' answers, exports and the sandbox's answers, compressed when the browser takes it and
/// the body is large enough to gain (at a level cheap enough for every request). `/pkg/` files are not: a release
/// build precompresses them (brotli and gzip), served as they are.
fn compression() -> tower_http::compression::CompressionLayer<impl tower_http::compression::Predicate> {
    use tower_http::compression::predicate::{Predicate, SizeAbove};
    use tower_http::compression::{CompressionLayer, CompressionLevel};
    let dynamic = |_: axum::http::StatusCode,
                   _: axum::http::Version,
                   headers: &axum::http::HeaderMap,
                   _: &axum::http::Extensions| {
        let kind = headers
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        ["text/html", "application/json", "text/csv", "text/plain"]
            .iter()
            .any(|k| kind.starts_with(k))
    };
    CompressionLayer::new()
        .quality(CompressionLevel::Precise(4))
        .compress_when(SizeAbove::new(1024).and(dynamic))
}

/// `/pkg/` files: named by their content (`hash-files`), a browser keeps them for a year without asking again;
/// otherwise (a build without content names) it asks each time whether they changed.
async fn cache_assets(
    hashed: bool,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::{header, HeaderValue};
    let asset = req.uri().path().starts_with("/pkg/");
    let mut res = next.run(req).await;
    if asset && (res.status().is_success() || res.status() == axum::http::StatusCode::NOT_MODIFIED) {
        let policy = if hashed {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    res
}

/// Upload, export, and an import's CSVs (`transfer::routes`), behind the same guard as the pages.
fn import_routes(state: &AppState) -> axum::Router<leptos::config::LeptosOptions> {
    use transfer_routes as routes;
    let upload_limit = state.import_limits.max_bytes + 64 * 1024;
    axum::Router::new()
        .route(
            "/realms/{realm}/imports",
            axum::routing::post(routes::upload)
                .layer(axum::extract::DefaultBodyLimit::max(upload_limit)),
        )
        .route("/realms/{realm}/export", get(routes::export))
        .route("/realms/{realm}/imports/{id}/{file}", get(routes::rows_csv))
        .with_state(state.clone())
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
