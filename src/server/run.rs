//! Serving: the console (or only the sandbox API) on its address until a shutdown signal, then a graceful stop.

use std::net::SocketAddr;

use axum::Router;
use leptos::prelude::*;

use super::{build, callable, StartError};
use crate::config::Settings;
use crate::sandbox::{Sandbox, PREFIX};

fn print_sandbox_handover(sb: &Sandbox, api_base: &str, realm: &str, settings: &Settings) {
    let c = sb.credentials();
    println!("Sandbox API:   {api_base}/v1/tenants/{}", sb.tenant_id());
    println!(
        "Sandbox SCIM:  {api_base}/v1/tenants/{}/realms/{realm}/scim/v2",
        sb.tenant_id()
    );
    println!("  TENANT_ID={}  REALM_ID={realm}", sb.tenant_id());
    println!("  API_TOKEN={}", c.api_token.expose());
    println!(
        "  (client credentials and the token are also in {})",
        settings.data_dir.join("sandbox-credentials.json").display()
    );
}

pub async fn run_console() -> Result<(), StartError> {
    let settings = Settings::from_env()?;
    let conf = get_configuration(None).map_err(|e| StartError::Leptos(e.to_string()))?;
    let leptos_options = conf.leptos_options;
    let listener = tokio::net::TcpListener::bind(leptos_options.site_addr)
        .await
        .map_err(|source| StartError::Listen {
            addr: leptos_options.site_addr.to_string(),
            source,
        })?;
    let local = listener.local_addr().map_err(StartError::Serve)?;
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
    if let Some(addr) = settings.metrics_addr {
        let metrics = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| StartError::Listen {
                addr: addr.to_string(),
                source,
            })?;
        let router = super::metrics::router(console.db.clone());
        tracing::info!(%addr, "metrics at /metrics");
        tokio::spawn(async move {
            let _ = axum::serve(metrics, router.into_make_service()).await;
        });
    }
    super::resume_imports(&console.state).await;
    super::start_audit_sink(&console.state).await.map_err(StartError::AuditSink)?;
    tracing::info!(addr = %local, sandbox = console.info.sandbox, "console listening");
    let served = serve_until_signalled(
        axum::serve(
            super::no_delay(listener),
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

/// Serves only the sandbox API (for scripts and curl).
pub async fn run_sandbox(addr: Option<String>) -> Result<(), StartError> {
    let settings = Settings::from_env()?;
    let addr = addr.unwrap_or_else(|| "127.0.0.1:8787".into());
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .map_err(|source| StartError::Listen {
            addr: addr.clone(),
            source,
        })?;
    let local = listener.local_addr().map_err(StartError::Serve)?;
    let sb = super::open_sandbox(&settings).await?;
    sb.set_link_origin(&super::link_origin(&settings, local));
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
        axum::serve(super::no_delay(listener), app.into_make_service()).with_graceful_shutdown(async {
            signalled.await;
            SHUTDOWN.notify_one();
        }),
    )
    .await;
    sb.store().close().await;
    served
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
async fn serve_until_signalled<F>(serve: F) -> Result<(), StartError>
where
    F: std::future::IntoFuture<Output = std::io::Result<()>>,
{
    let serving = serve.into_future();
    tokio::pin!(serving);
    let mut signalled = false;
    loop {
        tokio::select! {
            r = &mut serving => return r.map_err(StartError::Serve),
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
