//! The embedded sandbox: a BI-compatible Management API (same paths, bodies, status codes, errors and paging)
//! backed by SQLite, seeded with a demo tenant. It serves under [`PREFIX`], so BI's documented calls work against it
//! with only the host changed (`https://api-us.beyondidentity.com/v1/…` → `http://127.0.0.1:3000/sandbox/v1/…`).
//!
//! It is never more capable than BI: what BI refuses (an unsupported filter, 1001 ids) it refuses the same way.
//! It also serves a client-credentials token endpoint shaped like BI's, so the client's refresh path runs for real.

pub mod error;
pub mod faults;
pub mod filter;
pub mod paging;
pub mod seed;
pub mod store;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path as UrlPath, Query, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::bi::wire::*;
use crate::model::{
    check_description, check_name, Identity, Page, Traits, MAX_BATCH_IDS, STATUS_ACTIVE,
    STATUS_SUSPENDED, TRAITS_V0,
};
use crate::secret::Secret;
use error::{violation, ApiError};
use store::{Rows, Store};

/// Where the sandbox API lives on the console's own address.
pub const PREFIX: &str = "/sandbox";
const DB_FILE: &str = "sandbox.sqlite";
const CREDENTIALS_FILE: &str = "sandbox-credentials.json";

/// What a caller needs to talk to the sandbox. Kept in the data directory (owner-only) across restarts.
#[derive(Clone, Debug)]
pub struct Credentials {
    pub api_token: Secret,
    pub client_id: String,
    pub client_secret: Secret,
    pub application_id: String,
}

#[derive(Serialize, Deserialize)]
struct CredentialsFile {
    api_token: String,
    client_id: String,
    client_secret: String,
    application_id: String,
}

/// Why the sandbox could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("cannot create the data directory {}: {source}", path.display())]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open the sandbox database {}: {source}", path.display())]
    Database { path: PathBuf, source: sqlx::Error },
    #[error("cannot seed the sandbox: {0}")]
    Seed(String),
    #[error("cannot write {}: {source}", path.display())]
    Credentials {
        path: PathBuf,
        source: std::io::Error,
    },
}

pub struct Sandbox {
    store: Store,
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
}

/// The most recent API calls the sandbox answered ("POST …/groups/g1:addMembers"), for tests and benchmarks that
/// count BI calls. Bounded: only the last [`CallLog::KEEP`] are kept, with a running total.
#[derive(Default)]
struct CallLog {
    total: u64,
    recent: std::collections::VecDeque<String>,
}

impl CallLog {
    const KEEP: usize = 10_000;
}

fn random_token(bytes: usize) -> String {
    let raw: Vec<u8> = (0..bytes).map(|_| rand::random::<u8>()).collect();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
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
        let (store, fresh) = Store::open(&data_dir.join(DB_FILE))
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
        let path: PathBuf = data_dir.join(CREDENTIALS_FILE);
        let stored: Option<CredentialsFile> = std::fs::read_to_string(&path)
            .ok()
            .and_then(|s| serde_json::from_str(&s).ok());
        let file = match stored {
            Some(f) => f,
            None => {
                let f = CredentialsFile {
                    api_token: random_token(32),
                    client_id: format!("sandbox-{}", store::new_id()),
                    client_secret: random_token(32),
                    application_id: format!("{}-{}", store::new_id(), store::new_id()),
                };
                write_private(
                    &path,
                    &serde_json::to_string_pretty(&f).expect("serializes"),
                )
                .map_err(|source| OpenError::Credentials {
                    path: path.clone(),
                    source,
                })?;
                f
            }
        };
        let credentials = Credentials {
            api_token: token.unwrap_or(Secret::new(file.api_token)),
            client_id: file.client_id,
            client_secret: Secret::new(file.client_secret),
            application_id: file.application_id,
        };
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
        }))
    }

    pub fn tenant_id(&self) -> &str {
        self.store.tenant_id()
    }

    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The realm the console opens by default: the first one.
    pub async fn default_realm(&self) -> Option<String> {
        self.store.first_realm().await.ok().flatten()
    }

    /// Lifetime of tokens from the token endpoint (default one hour).
    pub fn set_token_ttl(&self, ttl: Duration) {
        *self.token_ttl.lock().expect("lock") = ttl;
    }

    /// How many tokens the token endpoint has issued since start.
    pub fn tokens_issued(&self) -> usize {
        self.tokens_issued.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Switches fault injection (see [`faults`]); `Faults::default()` switches it off. The draws start again from
    /// the given seed, or a new random one (see [`Sandbox::fault_seed`]).
    pub fn set_faults(&self, f: faults::Faults) {
        use rand::SeedableRng;
        let seed = f.seed.unwrap_or_else(rand::random);
        *self.fault_rng.lock().expect("lock") = (seed, rand::rngs::StdRng::seed_from_u64(seed));
        if f.rate > 0.0 {
            tracing::info!(
                seed,
                rate = f.rate,
                "sandbox fault injection on (replay with seed={seed})"
            );
        }
        *self.faults.lock().expect("lock") = f;
    }

    /// The seed the current fault draws started from.
    pub fn fault_seed(&self) -> u64 {
        self.fault_rng.lock().expect("lock").0
    }

    fn draw_fault(&self, f: &faults::Faults) -> Option<faults::Fault> {
        f.draw(&mut self.fault_rng.lock().expect("lock").1)
    }

    /// The faults injected so far (the last 10,000), as "Kind METHOD path" with the path after the realm.
    pub fn faulted_calls(&self) -> Vec<String> {
        self.faulted.lock().expect("lock").iter().cloned().collect()
    }

    /// How many identity creates with this username (ignoring case) reached the store, accepted or not.
    pub fn creates_processed(&self, username: &str) -> u64 {
        self.creates
            .lock()
            .expect("lock")
            .get(&store::username_key(username))
            .copied()
            .unwrap_or(0)
    }

    pub fn faults(&self) -> faults::Faults {
        *self.faults.lock().expect("lock")
    }

    /// Answers the next calls with these faults, one each, in order (then as configured): for tests that need a
    /// fault at an exact step.
    pub fn fail_next(&self, faults: &[faults::Fault]) {
        self.scripted
            .lock()
            .expect("lock")
            .extend(faults.iter().copied());
    }

    fn next_scripted(&self) -> Option<faults::Fault> {
        self.scripted.lock().expect("lock").pop_front()
    }

    /// How many faults have been injected since start.
    pub fn faults_injected(&self) -> u64 {
        self.faults_injected
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    fn count_fault(&self, kind: faults::Fault, method: &str, path: &str) {
        self.faults_injected
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let mut log = self.faulted.lock().expect("lock");
        if log.len() == CallLog::KEEP {
            log.pop_front();
        }
        log.push_back(format!("{kind:?} {method} {}", short_path(path)));
    }

    /// How many authenticated API calls the sandbox has answered since start.
    pub fn calls_total(&self) -> u64 {
        self.calls.lock().expect("lock").total
    }

    /// The authenticated API calls answered since the total was `since` (at most the last 10,000), as
    /// "METHOD path" with the path after the realm, e.g. "POST groups/abc:addMembers".
    pub fn calls_since(&self, since: u64) -> Vec<String> {
        let log = self.calls.lock().expect("lock");
        let n = (log.total.saturating_sub(since) as usize).min(log.recent.len());
        log.recent
            .iter()
            .skip(log.recent.len() - n)
            .cloned()
            .collect()
    }

    fn record_call(&self, method: &str, path: &str) {
        let short = short_path(path);
        let mut log = self.calls.lock().expect("lock");
        log.total += 1;
        if log.recent.len() == CallLog::KEEP {
            log.recent.pop_front();
        }
        log.recent.push_back(format!("{method} {short}"));
    }

    /// Makes every token issued so far invalid, as BI does when a token is revoked.
    pub fn revoke_issued_tokens(&self) {
        self.issued.lock().expect("lock").clear();
    }

    /// The token endpoint path for this tenant (under [`PREFIX`]), given the application's realm.
    pub fn token_path(&self, realm: &str) -> String {
        format!(
            "{PREFIX}/auth/v1/tenants/{}/realms/{realm}/applications/{}/token",
            self.tenant_id(),
            self.credentials.application_id
        )
    }

    fn token_valid(&self, presented: &str) -> bool {
        if constant_time_eq(
            presented.as_bytes(),
            self.credentials.api_token.expose().as_bytes(),
        ) {
            return true;
        }
        let mut issued = self.issued.lock().expect("lock");
        let now = Instant::now();
        issued.retain(|_, expiry| *expiry > now);
        issued.contains_key(presented)
    }

    async fn realm(&self, tenant: &str, realm: &str) -> Result<(), ApiError> {
        if tenant != self.tenant_id() {
            return Err(ApiError::forbidden());
        }
        self.store.get_realm(realm).await.map(|_| ())
    }

    /// The sandbox's routes, already under [`PREFIX`].
    pub fn router<S: Clone + Send + Sync + 'static>(self: &Arc<Self>) -> Router<S> {
        let t = "/v1/tenants/{tenant}";
        let r = "/v1/tenants/{tenant}/realms/{realm}";
        let api = Router::new()
            .route(&format!("{t}/realms"), get(list_realms))
            .route(r, get(get_realm))
            .route(
                &format!("{r}/identities"),
                post(create_identity).get(list_identities),
            )
            .route(
                &format!("{r}/identities/{{item}}"),
                get(get_identity_or_groups)
                    .patch(update_identity)
                    .delete(delete_identity),
            )
            .route(&format!("{r}/groups"), post(create_group).get(list_groups))
            .route(
                &format!("{r}/groups/{{item}}"),
                get(get_group_or_members)
                    .patch(update_group)
                    .delete(delete_group)
                    .post(group_action),
            )
            .route(&format!("{r}/{{action}}"), post(realm_action))
            // Not BI's: how many API calls the sandbox has answered, for benchmarks (not itself counted).
            .route("/_calls", get(calls_answered))
            .layer(middleware::from_fn_with_state(self.clone(), require_bearer))
            .layer(middleware::from_fn_with_state(self.clone(), faults::inject))
            .route(
                "/auth/v1/tenants/{tenant}/realms/{realm}/applications/{app}/token",
                post(issue_token),
            )
            .fallback(|| async {
                ApiError::with_status(StatusCode::NOT_FOUND, "not_found", "not found")
            });
        Router::new().nest(PREFIX, api).with_state(self.clone())
    }
}

/// Compares secrets in time that does not depend on where they differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.ct_eq(b).into()
}

/// The part of an API path after the realm: "identities", "groups/abc:addMembers".
fn short_path(path: &str) -> &str {
    path.find("/realms/")
        .map(|i| &path[i + "/realms/".len()..])
        .and_then(|rest| rest.split_once('/').map(|(_, p)| p))
        .unwrap_or(path)
}

type Shared = State<Arc<Sandbox>>;
type Res<T> = Result<T, ApiError>;

async fn require_bearer(State(sb): Shared, req: Request, next: Next) -> Response {
    let presented = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim);
    match presented {
        Some(t) if sb.token_valid(t) => {
            if !req.uri().path().ends_with("/_calls") {
                sb.record_call(req.method().as_str(), req.uri().path());
            }
            next.run(req).await
        }
        _ => ApiError::unauthorized().into_response(),
    }
}

#[derive(Deserialize)]
struct CallsQuery {
    since: Option<u64>,
}

/// `GET /sandbox/_calls[?since=N]`: the total, and with `since` the calls answered after that total (at most the last
/// 10,000) as "METHOD path", so a benchmark counts calls by kind where they were answered.
async fn calls_answered(State(sb): Shared, Query(q): Query<CallsQuery>) -> Json<serde_json::Value> {
    match q.since {
        None => Json(serde_json::json!({ "calls": sb.calls_total() })),
        Some(since) => Json(serde_json::json!({
            "calls": sb.calls_total(),
            "since": sb.calls_since(since),
        })),
    }
}

fn body<T: DeserializeOwned>(bytes: &Bytes) -> Res<T> {
    serde_json::from_slice(bytes).map_err(|_| ApiError::malformed())
}

fn list_query(q: Result<Query<ListQuery>, QueryRejection>) -> Res<ListQuery> {
    q.map(|Query(q)| q)
        .map_err(|e| ApiError::invalid_field("query", &e.body_text()))
}

/// Applies paging to a list and builds BI's answer.
async fn paged<T, F, Fut>(list: &str, q: &ListQuery, fetch: F) -> Res<Page<T>>
where
    F: FnOnce(u64, u32) -> Fut,
    Fut: std::future::Future<Output = Res<Rows<T>>>,
{
    let w =
        paging::window(list, q).map_err(|e| ApiError::invalid_field(e.field, &e.description))?;
    let rows = fetch(w.offset, w.limit).await?;
    let next_page_token = paging::next_token(list, q, &w, rows.items.len(), rows.total);
    Ok(Page {
        items: rows.items,
        total_size: rows.total,
        next_page_token,
    })
}

// --- token endpoint ----------------------------------------------------------------------------------------------

#[derive(Deserialize)]
struct TokenForm {
    grant_type: Option<String>,
}

async fn issue_token(
    State(sb): Shared,
    UrlPath((tenant, _realm, app)): UrlPath<(String, String, String)>,
    headers: axum::http::HeaderMap,
    form: Result<axum::Form<TokenForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let oauth_error = |status: StatusCode, error: &str| {
        (status, Json(serde_json::json!({ "error": error }))).into_response()
    };
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| STANDARD.decode(b.trim()).ok())
        .and_then(|b| String::from_utf8(b).ok());
    let Some((id, secret)) = basic.as_deref().and_then(|b| b.split_once(':')) else {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client");
    };
    let c = &sb.credentials;
    if tenant != sb.tenant_id()
        || app != c.application_id
        || id != c.client_id
        || !constant_time_eq(secret.as_bytes(), c.client_secret.expose().as_bytes())
    {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client");
    }
    if form.ok().and_then(|f| f.0.grant_type).as_deref() != Some("client_credentials") {
        return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type");
    }
    let ttl = *sb.token_ttl.lock().expect("lock");
    let token = random_token(32);
    sb.tokens_issued
        .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    sb.issued
        .lock()
        .expect("lock")
        .insert(token.clone(), Instant::now() + ttl);
    Json(TokenResponse {
        access_token: token,
        token_type: "Bearer".into(),
        expires_in: ttl.as_secs().max(1),
        scope: None,
    })
    .into_response()
}

// --- realms ------------------------------------------------------------------------------------------------------

async fn list_realms(
    State(sb): Shared,
    UrlPath(tenant): UrlPath<String>,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Res<Json<ListRealmsResponse>> {
    if tenant != sb.tenant_id() {
        return Err(ApiError::forbidden());
    }
    let q = list_query(q)?;
    let page = paged("realms", &q, |o, l| sb.store.list_realms(o, l)).await?;
    Ok(Json(page.into()))
}

async fn get_realm(
    State(sb): Shared,
    UrlPath((tenant, realm)): UrlPath<(String, String)>,
) -> Res<Response> {
    if tenant != sb.tenant_id() {
        return Err(ApiError::forbidden());
    }
    Ok(Json(sb.store.get_realm(&realm).await?).into_response())
}

async fn realm_action(
    State(sb): Shared,
    UrlPath((tenant, realm, action)): UrlPath<(String, String, String)>,
    bytes: Bytes,
) -> Res<Response> {
    if action != "identities:batchDelete" {
        return Err(ApiError::with_status(
            StatusCode::NOT_FOUND,
            "not_found",
            "not found",
        ));
    }
    sb.realm(&tenant, &realm).await?;
    let req: BatchDeleteRequest = body(&bytes)?;
    check_id_count("ids", &req.ids)?;
    let mut seen = std::collections::HashSet::new();
    if !req.ids.iter().all(|id| seen.insert(id)) {
        return Err(ApiError::invalid_field("ids", "contains repeated ids"));
    }
    sb.store.batch_delete_identities(&realm, &req.ids).await?;
    Ok(StatusCode::OK.into_response())
}

fn check_id_count(field: &str, ids: &[String]) -> Res<()> {
    if ids.is_empty() {
        return Err(ApiError::invalid_field(
            field,
            "array must contain at least 1 element",
        ));
    }
    if ids.len() > MAX_BATCH_IDS {
        return Err(ApiError::invalid_field(
            field,
            &format!("array exceeds {MAX_BATCH_IDS} elements"),
        ));
    }
    Ok(())
}

// --- identities --------------------------------------------------------------------------------------------------

/// Removes empty optional traits (an empty string clears a trait).
fn tidy(traits: Traits) -> Traits {
    let mut v = serde_json::to_value(&traits).expect("traits serialize");
    if let Some(map) = v.as_object_mut() {
        map.retain(|k, val| k == "type" || k == "username" || val.as_str() != Some(""));
    }
    serde_json::from_value(v).expect("traits deserialize")
}

/// `patch` over `base`: every trait the patch names replaces the old value.
fn merge_traits(base: &Traits, patch: &Traits) -> Traits {
    let mut b = serde_json::to_value(base).expect("traits serialize");
    let p = serde_json::to_value(patch).expect("traits serialize");
    if let (Some(bm), Some(pm)) = (b.as_object_mut(), p.as_object()) {
        for (k, v) in pm {
            bm.insert(k.clone(), v.clone());
        }
    }
    tidy(serde_json::from_value(b).expect("traits deserialize"))
}

fn check_identity_fields(w: &IdentityWrite, creating: bool, out: &mut Vec<FieldViolation>) {
    match (&w.display_name, creating) {
        (Some(name), _) => {
            if let Err(p) = check_name(name) {
                out.push(violation("identity.display_name", &p.bi_description()));
            }
        }
        (None, true) => out.push(violation("identity.display_name", "empty string")),
        (None, false) => {}
    }
    if let Some(status) = &w.status {
        if status != STATUS_ACTIVE && status != STATUS_SUSPENDED {
            out.push(violation("identity.status", "invalid status"));
        }
    }
    match &w.traits {
        None if creating => out.push(violation("identity.traits", "missing traits")),
        None => {}
        Some(t) => {
            if t.kind != TRAITS_V0 {
                out.push(violation("identity.traits.type", "unsupported traits type"));
            }
            match (&t.username, creating) {
                (Some(u), _) => {
                    if let Err(p) = check_name(u) {
                        out.push(violation("identity.traits.username", &p.bi_description()));
                    }
                }
                (None, true) => out.push(violation("identity.traits.username", "empty string")),
                (None, false) => {}
            }
        }
    }
}

async fn create_identity(
    State(sb): Shared,
    UrlPath((tenant, realm)): UrlPath<(String, String)>,
    bytes: Bytes,
) -> Res<Json<Identity>> {
    sb.realm(&tenant, &realm).await?;
    let req: IdentityEnvelope<IdentityWrite> = body(&bytes)?;
    let w = req.identity;
    let mut violations = Vec::new();
    check_identity_fields(&w, true, &mut violations);
    if !violations.is_empty() {
        return Err(ApiError::invalid(violations));
    }
    if let Some(u) = w.traits.as_ref().and_then(|t| t.username.as_deref()) {
        *sb.creates
            .lock()
            .expect("lock")
            .entry(store::username_key(u))
            .or_default() += 1;
    }
    let identity = sb
        .store
        .create_identity(
            &realm,
            w.display_name.as_deref().unwrap_or_default(),
            w.status.as_deref().unwrap_or(STATUS_ACTIVE),
            "UNENROLLED",
            &tidy(w.traits.unwrap_or_default()),
            None,
        )
        .await?;
    Ok(Json(identity))
}

async fn list_identities(
    State(sb): Shared,
    UrlPath((tenant, realm)): UrlPath<(String, String)>,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Res<Json<ListIdentitiesResponse>> {
    sb.realm(&tenant, &realm).await?;
    let q = list_query(q)?;
    let username = match paging::effective_filter(&q) {
        None => None,
        Some(f) => match filter::parse(&f).map_err(|d| ApiError::invalid_field("filter", &d))? {
            filter::Filter::UsernameEq(u) => Some(u),
        },
    };
    let list = format!("identities/{realm}");
    let page = paged(&list, &q, |o, l| {
        sb.store.list_identities(&realm, username.as_deref(), o, l)
    })
    .await?;
    Ok(Json(page.into()))
}

async fn get_identity_or_groups(
    State(sb): Shared,
    UrlPath((tenant, realm, item)): UrlPath<(String, String, String)>,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Res<Response> {
    sb.realm(&tenant, &realm).await?;
    if let Some(id) = item.strip_suffix(":listGroups") {
        let q = list_query(q)?;
        let list = format!("identity-groups/{id}");
        let page = paged(&list, &q, |o, l| sb.store.identity_groups(&realm, id, o, l)).await?;
        return Ok(Json(ListGroupsResponse::from(page)).into_response());
    }
    if item.contains(':') {
        return Err(ApiError::with_status(
            StatusCode::NOT_FOUND,
            "not_found",
            "not found",
        ));
    }
    Ok(Json(sb.store.get_identity(&realm, &item).await?).into_response())
}

async fn update_identity(
    State(sb): Shared,
    UrlPath((tenant, realm, id)): UrlPath<(String, String, String)>,
    bytes: Bytes,
) -> Res<Json<Identity>> {
    sb.realm(&tenant, &realm).await?;
    let req: IdentityEnvelope<IdentityWrite> = body(&bytes)?;
    let w = req.identity;
    let mut violations = Vec::new();
    check_identity_fields(&w, false, &mut violations);
    if !violations.is_empty() {
        return Err(ApiError::invalid(violations));
    }
    let updated = sb
        .store
        .update_identity(&realm, &id, |identity| {
            if let Some(name) = w.display_name {
                identity.display_name = name;
            }
            if let Some(status) = w.status {
                identity.status = Some(status);
            }
            if let Some(t) = &w.traits {
                identity.traits = merge_traits(&identity.traits, t);
            }
        })
        .await?;
    Ok(Json(updated))
}

async fn delete_identity(
    State(sb): Shared,
    UrlPath((tenant, realm, id)): UrlPath<(String, String, String)>,
) -> Res<StatusCode> {
    sb.realm(&tenant, &realm).await?;
    sb.store.delete_identity(&realm, &id).await?;
    Ok(StatusCode::OK)
}

// --- groups ------------------------------------------------------------------------------------------------------

fn check_group_fields(w: &GroupWrite, creating: bool) -> Res<()> {
    let mut out = Vec::new();
    match (&w.display_name, creating) {
        (Some(name), _) => {
            if let Err(p) = check_name(name) {
                out.push(violation("group.display_name", &p.bi_description()));
            }
        }
        (None, true) => out.push(violation("group.display_name", "empty string")),
        (None, false) => {}
    }
    if let Some(d) = &w.description {
        if let Err(p) = check_description(d) {
            out.push(violation("group.description", &p.bi_description()));
        }
    }
    if out.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(out))
    }
}

async fn create_group(
    State(sb): Shared,
    UrlPath((tenant, realm)): UrlPath<(String, String)>,
    bytes: Bytes,
) -> Res<Response> {
    sb.realm(&tenant, &realm).await?;
    let req: GroupEnvelope<GroupWrite> = body(&bytes)?;
    check_group_fields(&req.group, true)?;
    let description = req.group.description.as_deref().filter(|d| !d.is_empty());
    let group = sb
        .store
        .create_group(
            &realm,
            req.group.display_name.as_deref().unwrap_or_default(),
            description,
            None,
        )
        .await?;
    Ok(Json(group).into_response())
}

async fn list_groups(
    State(sb): Shared,
    UrlPath((tenant, realm)): UrlPath<(String, String)>,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Res<Json<ListGroupsResponse>> {
    sb.realm(&tenant, &realm).await?;
    let q = list_query(q)?;
    let list = format!("groups/{realm}");
    let page = paged(&list, &q, |o, l| sb.store.list_groups(&realm, o, l)).await?;
    Ok(Json(page.into()))
}

async fn get_group_or_members(
    State(sb): Shared,
    UrlPath((tenant, realm, item)): UrlPath<(String, String, String)>,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Res<Response> {
    sb.realm(&tenant, &realm).await?;
    if let Some(id) = item.strip_suffix(":listMembers") {
        let q = list_query(q)?;
        let list = format!("members/{id}");
        let page = paged(&list, &q, |o, l| sb.store.list_members(&realm, id, o, l)).await?;
        return Ok(Json(ListIdentitiesResponse::from(page)).into_response());
    }
    if item.contains(':') {
        return Err(ApiError::with_status(
            StatusCode::NOT_FOUND,
            "not_found",
            "not found",
        ));
    }
    Ok(Json(sb.store.get_group(&realm, &item).await?).into_response())
}

async fn update_group(
    State(sb): Shared,
    UrlPath((tenant, realm, id)): UrlPath<(String, String, String)>,
    bytes: Bytes,
) -> Res<Response> {
    sb.realm(&tenant, &realm).await?;
    let req: GroupEnvelope<GroupWrite> = body(&bytes)?;
    check_group_fields(&req.group, false)?;
    let w = req.group;
    let updated = sb
        .store
        .update_group(&realm, &id, |group| {
            if let Some(name) = w.display_name {
                group.display_name = name;
            }
            if let Some(d) = w.description {
                group.description = (!d.is_empty()).then_some(d);
            }
        })
        .await?;
    Ok(Json(updated).into_response())
}

async fn delete_group(
    State(sb): Shared,
    UrlPath((tenant, realm, id)): UrlPath<(String, String, String)>,
) -> Res<StatusCode> {
    sb.realm(&tenant, &realm).await?;
    sb.store.delete_group(&realm, &id).await?;
    Ok(StatusCode::OK)
}

async fn group_action(
    State(sb): Shared,
    UrlPath((tenant, realm, item)): UrlPath<(String, String, String)>,
    bytes: Bytes,
) -> Res<Response> {
    let (id, add) = if let Some(id) = item.strip_suffix(":addMembers") {
        (id, true)
    } else if let Some(id) = item.strip_suffix(":deleteMembers") {
        (id, false)
    } else {
        return Err(ApiError::with_status(
            StatusCode::NOT_FOUND,
            "not_found",
            "not found",
        ));
    };
    sb.realm(&tenant, &realm).await?;
    let req: MembersRequest = body(&bytes)?;
    check_id_count("identity_ids", &req.identity_ids)?;
    let group = sb
        .store
        .change_members(&realm, id, &req.identity_ids, add)
        .await?;
    Ok(Json(group).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merging_traits_replaces_named_fields_and_clears_empty_ones() {
        let base = Traits {
            username: Some("ada".into()),
            primary_email_address: Some("ada@old.example".into()),
            given_name: Some("Ada".into()),
            ..Traits::default()
        };
        let patch = Traits {
            primary_email_address: Some("ada@new.example".into()),
            given_name: Some(String::new()),
            ..Traits::default()
        };
        let merged = merge_traits(&base, &patch);
        assert_eq!(merged.username.as_deref(), Some("ada"));
        assert_eq!(
            merged.primary_email_address.as_deref(),
            Some("ada@new.example")
        );
        assert_eq!(merged.given_name, None);
    }
}
