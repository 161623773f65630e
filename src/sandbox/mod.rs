//! The embedded sandbox: a BI-compatible Management API (same paths, bodies, status codes, errors and paging)
//! backed by SQLite, seeded with a demo tenant. It serves under [`PREFIX`], so BI's documented calls work against it
//! with only the host changed (`https://api-us.beyondidentity.com/v1/…` → `http://127.0.0.1:3000/sandbox/v1/…`).
//!
//! It is never more capable than BI: what BI refuses (an unsupported filter, 1001 ids) it refuses the same way.
//! It also serves a client-credentials token endpoint shaped like BI's, so the client's refresh path runs for real.

pub mod auth;
pub mod calls;
pub mod error;
pub mod faults;
pub mod oidc;
pub mod filter;
pub mod paging;
mod routes;
pub mod scim;
pub mod seed;
pub mod store;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::StatusCode;
use axum::middleware;
use axum::routing::{get, post};
use axum::Router;

use crate::secret::Secret;
pub use auth::Credentials;
use calls::CallLog;
use error::ApiError;
use store::SandboxStore;

/// Where the sandbox API lives on the console's own address.
pub const PREFIX: &str = "/sandbox";
const DB_FILE: &str = "sandbox.sqlite";
const CREDENTIALS_FILE: &str = "sandbox-credentials.json";

/// Why the sandbox could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("cannot create the data directory {}: {source}", path.display())]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open the sandbox database {}: {source}", path.display())]
    Database {
        path: PathBuf,
        source: store::OpenStoreError,
    },
    #[error("cannot seed the sandbox: {0}")]
    Seed(String),
    #[error("cannot write {}: {source}", path.display())]
    Credentials {
        path: PathBuf,
        source: std::io::Error,
    },
}

pub struct Sandbox {
    store: SandboxStore,
    credentials: Credentials,
    issued: std::sync::Mutex<HashMap<String, Instant>>,
    token_ttl: std::sync::Mutex<Duration>,
    tokens_issued: std::sync::atomic::AtomicUsize,
    calls: std::sync::Mutex<CallLog>,
    faults: std::sync::Mutex<faults::Faults>,
    faults_injected: std::sync::atomic::AtomicU64,
    /// Faults for the next calls, in order, before any random one (see [`Sandbox::fail_next`]).
    scripted: std::sync::Mutex<std::collections::VecDeque<faults::Fault>>,
    /// The random faults' generator and its seed.
    fault_rng: std::sync::Mutex<(u64, rand::rngs::StdRng)>,
    /// Each injected fault, as "KIND METHOD path" (the last 10,000).
    faulted: std::sync::Mutex<std::collections::VecDeque<String>>,
    /// Identity creates that reached the store, per username (lowercased): a doubled create shows here even when
    /// the unique username index refused it.
    creates: std::sync::Mutex<HashMap<String, u64>>,
    /// Whether a task is working through queued batches of invitations.
    batch_worker: std::sync::atomic::AtomicBool,
    /// Where enrollment links point (scheme and host, no path): set from configuration when the sandbox is served,
    /// never from a request's headers.
    link_origin: std::sync::OnceLock<String>,
}

/// Deletes the sandbox's database and credentials; the next start seeds a fresh demo tenant.
pub fn reset(data_dir: &Path) -> std::io::Result<()> {
    for name in [
        DB_FILE.to_string(),
        format!("{DB_FILE}-wal"),
        format!("{DB_FILE}-shm"),
        CREDENTIALS_FILE.to_string(),
    ] {
        match std::fs::remove_file(data_dir.join(name)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

pub use crate::files::write_private;

impl Sandbox {
    /// Opens the sandbox in `data_dir`, creating and seeding it on first use. `token` fixes the API token
    /// (`SANDBOX_TOKEN`); otherwise the one kept in the data directory is used, or a new one generated.
    pub async fn open(data_dir: &Path, token: Option<Secret>) -> Result<Arc<Sandbox>, OpenError> {
        std::fs::create_dir_all(data_dir).map_err(|source| OpenError::DataDir {
            path: data_dir.to_path_buf(),
            source,
        })?;
        let (store, fresh) =
            SandboxStore::open(&data_dir.join(DB_FILE))
                .await
                .map_err(|source| OpenError::Database {
                    path: data_dir.join(DB_FILE),
                    source,
                })?;
        if fresh {
            seed::seed(&store)
                .await
                .map_err(|e| OpenError::Seed(e.body.message))?;
            tracing::info!("seeded the sandbox with the demo tenant");
        }
        let credentials = auth::load_credentials(&data_dir.join(CREDENTIALS_FILE), token)?;
        Ok(Arc::new(Sandbox {
            store,
            credentials,
            issued: std::sync::Mutex::new(HashMap::new()),
            token_ttl: std::sync::Mutex::new(Duration::from_secs(3600)),
            tokens_issued: std::sync::atomic::AtomicUsize::new(0),
            calls: std::sync::Mutex::new(CallLog::default()),
            faults: std::sync::Mutex::new(faults::Faults::default()),
            faults_injected: std::sync::atomic::AtomicU64::new(0),
            scripted: std::sync::Mutex::new(std::collections::VecDeque::new()),
            fault_rng: std::sync::Mutex::new({
                use rand::SeedableRng;
                (0, rand::rngs::StdRng::seed_from_u64(0))
            }),
            faulted: std::sync::Mutex::new(std::collections::VecDeque::new()),
            creates: std::sync::Mutex::new(HashMap::new()),
            batch_worker: std::sync::atomic::AtomicBool::new(false),
            link_origin: std::sync::OnceLock::new(),
        }))
    }

    pub fn tenant_id(&self) -> &str {
        self.store.tenant_id()
    }

    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    pub fn store(&self) -> &SandboxStore {
        &self.store
    }

    /// The realm the console opens by default: the first one.
    pub async fn default_realm(&self) -> Option<String> {
        self.store.first_realm().await.ok().flatten()
    }

    async fn realm(&self, tenant: &str, realm: &str) -> Result<(), ApiError> {
        if tenant != self.tenant_id() {
            return Err(ApiError::forbidden());
        }
        self.store.check_realm(realm).await
    }

    /// Sets where the enrollment links it hands out point: the origin people reach it at (`CONSOLE_PUBLIC_URL`,
    /// else the address it listens on). The first setting stays.
    pub fn set_link_origin(&self, origin: &str) {
        let _ = self.link_origin.set(origin.trim_end_matches('/').to_string());
    }

    /// The base of enrollment links: the configured origin (loopback until one is set) and [`PREFIX`].
    pub(crate) fn link_base(&self) -> String {
        let origin = self
            .link_origin
            .get()
            .map(String::as_str)
            .unwrap_or("http://127.0.0.1");
        format!("{origin}{PREFIX}")
    }

    /// Works through queued batches of invitations in the background, 50 identities of each every 100 ms, so that
    /// a batch runs for a while as BI's do. One worker at a time; links point at `link_base`.
    fn work_batches(self: &Arc<Self>, link_base: String) {
        use std::sync::atomic::Ordering::SeqCst;
        if self.batch_worker.swap(true, SeqCst) {
            return;
        }
        let sb = self.clone();
        tokio::spawn(async move {
            loop {
                let running = sb.store.running_batches().await.unwrap_or_default();
                if running.is_empty() {
                    sb.batch_worker.store(false, SeqCst);
                    // A batch queued just now, while this worker was stopping, is still taken.
                    let again = sb.store.running_batches().await.unwrap_or_default();
                    if again.is_empty() || sb.batch_worker.swap(true, SeqCst) {
                        return;
                    }
                    continue;
                }
                for (realm, id) in running {
                    if let Err(e) = sb.store.advance_batch(&realm, &id, 50, &link_base).await {
                        tracing::warn!(batch = %id, error = %e.body.message, "sandbox batch step failed");
                    }
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        });
    }

    /// The sandbox's routes, already under [`PREFIX`].
    pub fn router<S: Clone + Send + Sync + 'static>(self: &Arc<Self>) -> Router<S> {
        use routes::{groups, identities, passkeys};
        let t = "/v1/tenants/{tenant}";
        let r = "/v1/tenants/{tenant}/realms/{realm}";
        let api = Router::new()
            .route(&format!("{t}/realms"), get(routes::realms::list_realms))
            .route(r, get(routes::realms::get_realm))
            .route(
                &format!("{r}/identities"),
                post(identities::create_identity).get(identities::list_identities),
            )
            .route(
                &format!("{r}/identities/{{item}}"),
                get(identities::get_identity_or_groups)
                    .patch(identities::update_identity)
                    .delete(identities::delete_identity),
            )
            .route(
                &format!("{r}/groups"),
                post(groups::create_group).get(groups::list_groups),
            )
            .route(
                &format!("{r}/groups/{{item}}"),
                get(groups::get_group_or_members)
                    .patch(groups::update_group)
                    .delete(groups::delete_group)
                    .post(groups::group_action),
            )
            .route(
                &format!("{r}/authenticator-configs"),
                get(passkeys::list_authenticator_configs),
            )
            .route(
                &format!("{r}/authenticator-configs/{{id}}"),
                get(passkeys::get_authenticator_config),
            )
            .route(
                &format!("{r}/identities/{{item}}/credentials"),
                get(passkeys::list_credentials),
            )
            .route(
                &format!("{r}/identities/{{item}}/credentials/{{credential}}"),
                get(passkeys::credential).post(passkeys::credential),
            )
            .route(
                &format!("{r}/identities/{{item}}/credential-binding-jobs"),
                post(passkeys::create_job).get(passkeys::list_jobs),
            )
            .route(
                &format!("{r}/identities/{{item}}/credential-binding-jobs/{{job}}"),
                get(passkeys::job).post(passkeys::job),
            )
            .route(
                &format!("{r}/batch-credential-binding-jobs"),
                post(passkeys::create_batch),
            )
            .route(
                &format!("{r}/batch-credential-binding-jobs/{{item}}"),
                get(passkeys::batch),
            )
            .route(
                &format!("{r}/{{action}}"),
                post(routes::realms::realm_action),
            )
            // Not BI's: how many API calls the sandbox has answered, for benchmarks (not itself counted).
            .route("/_calls", get(calls::calls_answered))
            .layer(middleware::from_fn_with_state(
                self.clone(),
                auth::require_bearer,
            ))
            .layer(middleware::from_fn_with_state(self.clone(), faults::inject))
            .route(
                "/auth/v1/tenants/{tenant}/realms/{realm}/applications/{app}/token",
                post(auth::issue_token),
            )
            // BI's identity provider: each OIDC application of a realm is an issuer.
            .route(
                "/auth/v1/tenants/{tenant}/realms/{realm}/applications/{app}/.well-known/openid-configuration",
                get(oidc::discovery),
            )
            .route(
                "/auth/v1/tenants/{tenant}/realms/{realm}/applications/{app}/.well-known/jwks.json",
                get(oidc::jwks),
            )
            .route(
                "/auth/v1/tenants/{tenant}/realms/{realm}/applications/{app}/authorize",
                get(oidc::authorize_page).post(oidc::authorize),
            )
            .route(
                "/auth/v1/tenants/{tenant}/realms/{realm}/applications/{app}/userinfo",
                get(oidc::userinfo),
            )
            // BI's SCIM server of each realm, with its own bearer check and SCIM error bodies.
            .merge(scim::router(self))
            .fallback(|| async {
                ApiError::with_status(StatusCode::NOT_FOUND, "not_found", "not found")
            });
        Router::new().nest(PREFIX, api).with_state(self.clone())
    }
}

type Shared = State<Arc<Sandbox>>;
