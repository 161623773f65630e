//! Sessions and the guard. Every request except the sign-in page, static files and the sandbox API passes
//! [`guard`]: without a signed-in operator, pages redirect to `/login?next=…` and server functions answer 401.
//! Server functions then check the operator's role with [`authorize`] (403 when the role does not allow it).

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

pub use super::paths::{plain_path, safe_next};
pub use super::sign_in::{sign_in, sign_out, typed_username, SignInForm, TYPED_COOKIE};
pub use super::step_up::{start as step_up_start, with_password as step_up_with_password};
pub use super::sessions::{session_layer, CookiePolicy, DatabaseSessions, SessionBackend, SessionError, Sessions};
use super::throttle::Throttle;
use super::OperatorBook;
use crate::model::{Action, AppError, OperatorView};
use crate::permit::Confirmed;

pub const COOKIE_NAME: &str = "bi_console_session";
pub(super) const SESSION_KEY: &str = "operator";

/// What a session holds: who signed in, when (Unix seconds, for the absolute timeout), and a digest of their
/// credential at that moment ([`super::OperatorRecord::credential`]): when the password or role changes, or the
/// operator is removed, the session ends on its next request.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(super) struct SignedIn {
    pub(super) username: String,
    since: i64,
    #[serde(default)]
    credential: String,
    /// Signed in with Beyond Identity: the identity and its role (asked again every so often), instead of an
    /// operator of the book.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    bi: Option<super::bi::BiSession>,
    /// When the operator last proved who they are (Unix seconds): at sign-in, and again at each step-up. 0: at
    /// `since`.
    #[serde(default)]
    authenticated: i64,
    /// `CONSOLE_LOCAL_PASSKEY=required` and the operator has no passkey yet: the session opens their account page
    /// (to register one) and nothing else.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    must_register: bool,
}

impl SignedIn {
    fn authenticated(&self) -> i64 {
        if self.authenticated == 0 {
            self.since
        } else {
            self.authenticated
        }
    }
}

/// When the session was last seen (Unix seconds). Rewritten at most once a minute, which saves the session and so
/// pushes its idle expiry forward while the operator is active.
const SEEN_KEY: &str = "seen";

/// The signed-in operator of this request, put in the request's extensions by [`guard`].
#[derive(Clone, Debug)]
pub struct CurrentOperator(pub OperatorView);

/// Who may sign in, the throttle, and the session limits: shared by the guard and the sign-in handlers.
#[derive(Debug)]
pub struct Access {
    pub operators: Arc<OperatorBook>,
    pub throttle: Throttle,
    pub absolute: Duration,
    /// `CONSOLE_TRUSTED_PROXIES`: whose forwarding headers name the client (`auth::client_addr`).
    pub trusted_proxies: super::client_addr::TrustedProxies,
    /// Password checks running at once: each takes argon2's 19 MiB, so they are bounded (the rest queue).
    pub(super) verifier: tokio::sync::Semaphore,
    /// Password checks made since start (for tests and the log).
    pub(super) verifications: std::sync::atomic::AtomicU64,
    /// Signing in with Beyond Identity, when it is set up.
    pub bi: Option<Arc<super::bi::BiSignIn>>,
    /// Where sign-ins are recorded (how each operator signed in, and BI sign-ins refused).
    pub audit: Option<crate::audit::AuditLog>,
    /// Operators may sign in with a password (`CONSOLE_PASSWORD_SIGN_IN`).
    pub passwords: bool,
    /// `CONSOLE_STEP_UP_SECS`: how long an authentication counts for a consequential write.
    pub step_up: Duration,
    /// Local operators' passkeys (`CONSOLE_LOCAL_PASSKEY`); `None` in tests without a database.
    pub passkeys: Option<Arc<super::passkeys::Passkeys>>,
}

/// Password checks that may run at once.
pub const PARALLEL_VERIFICATIONS: usize = 2;

impl Access {
    /// Forwarding headers from these proxies name the client (see `auth::client_addr`).
    pub fn with_trusted_proxies(mut self, proxies: super::client_addr::TrustedProxies) -> Access {
        self.trusted_proxies = proxies;
        self
    }

    pub fn new(operators: OperatorBook, throttle: Throttle, absolute: Duration) -> Access {
        Access {
            operators: Arc::new(operators),
            throttle,
            absolute,
            trusted_proxies: Default::default(),
            verifier: tokio::sync::Semaphore::new(PARALLEL_VERIFICATIONS),
            verifications: std::sync::atomic::AtomicU64::new(0),
            bi: None,
            audit: None,
            passwords: true,
            step_up: Duration::from_secs(600),
            passkeys: None,
        }
    }

    /// Local operators may register passkeys (and must, when `passkeys.required`).
    pub fn with_passkeys(mut self, passkeys: super::passkeys::Passkeys) -> Access {
        self.passkeys = Some(Arc::new(passkeys));
        self
    }

    /// A consequential write needs an authentication no older than `window`.
    pub fn with_step_up(mut self, window: Duration) -> Access {
        self.step_up = window;
        self
    }

    /// Passwords are checked only when `on` (otherwise only Beyond Identity signs operators in).
    pub fn with_passwords(mut self, on: bool) -> Access {
        self.passwords = on;
        self
    }

    /// Sign-ins are recorded in `audit`.
    pub fn with_audit(mut self, audit: Option<crate::audit::AuditLog>) -> Access {
        self.audit = audit;
        self
    }

    /// Records a sign-in (or a refused one) in the audit log: who, how, from where.
    pub async fn record_sign_in(&self, operator: &str, event: crate::audit::Event, result: &str) {
        if let Some(audit) = &self.audit {
            audit
                .record(operator, event, result, &crate::request_id::current())
                .await;
        }
    }

    /// Operators may also sign in with Beyond Identity.
    pub fn with_bi(mut self, bi: Arc<super::bi::BiSignIn>) -> Access {
        self.bi = Some(bi);
        self
    }

    /// Password checks made since start.
    pub fn verifications(&self) -> u64 {
        self.verifications.load(std::sync::atomic::Ordering::SeqCst)
    }
}

pub type SharedAccess = Arc<Access>;

/// Paths anyone may fetch: the sign-in page and its handlers, the compiled assets, and the sandbox API (which
/// checks its own bearer token). Only ever asked about a path [`plain_path`] accepted.
fn is_public(path: &str) -> bool {
    path == "/login"
        || path == "/sign-in"
        || path == "/sign-in/bi"
        || path == "/sign-in/bi/callback"
        || path == "/sign-in/passkey"
        || path == "/api/passkey/challenge"
        || path == "/api/passkey/answer"
        || path.starts_with("/pkg/")
        || path == "/favicon.ico"
        || path.starts_with(&format!("{}/", crate::sandbox::PREFIX))
}

pub(super) fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// The operator signed in on `session`, if the session is still within its absolute lifetime and the operator
/// still exists (their role is read afresh, so a changed role applies at once); with the proof of a recent
/// authentication when they have one.
async fn signed_in(access: &Access, session: &Session) -> Option<(OperatorView, Option<Confirmed>, bool)> {
    let s: SignedIn = session.get(SESSION_KEY).await.ok().flatten()?;
    if now_secs() - s.since > access.absolute.as_secs() as i64 {
        let _ = session.flush().await;
        return None;
    }
    let view = match &s.bi {
        Some(bi) => still_bi(access, session, &s, bi).await?,
        None => {
            let operators = access.operators.current().await;
            let Some(op) = operators
                .find(&s.username)
                .filter(|op| op.credential() == s.credential)
            else {
                tracing::info!(operator = %s.username, "session ended: the operator was removed or their credential changed");
                let _ = session.flush().await;
                return None;
            };
            OperatorView {
                username: op.username.clone(),
                role: op.role,
                realms: op.realms.clone(),
            }
        }
    };
    let now = now_secs();
    let seen: i64 = session.get(SEEN_KEY).await.ok().flatten().unwrap_or(0);
    if now - seen >= 60 {
        let _ = session.insert(SEEN_KEY, now).await;
    }
    let confirmed = Confirmed::within(&view.username, s.authenticated(), access.step_up, now);
    Some((view, confirmed, s.must_register))
}

/// The session's operator proved who they are again (a step-up): consequential writes are open to them for
/// `CONSOLE_STEP_UP_SECS` from now. False when the session holds no operator.
pub(super) async fn reauthenticated(session: &Session) -> bool {
    let Ok(Some(mut s)) = session.get::<SignedIn>(SESSION_KEY).await else {
        return false;
    };
    s.authenticated = now_secs();
    session.insert(SESSION_KEY, s).await.is_ok()
}

/// The session's operator must register a passkey before anything else (`CONSOLE_LOCAL_PASSKEY=required`).
pub(super) async fn require_registration(session: &Session) -> bool {
    let Ok(Some(mut s)) = session.get::<SignedIn>(SESSION_KEY).await else {
        return false;
    };
    s.must_register = true;
    session.insert(SESSION_KEY, s).await.is_ok()
}

/// The session's operator has registered a passkey: the whole console is theirs again.
pub(super) async fn registered_passkey(session: &Session) {
    if let Ok(Some(mut s)) = session.get::<SignedIn>(SESSION_KEY).await {
        if s.must_register {
            s.must_register = false;
            let _ = session.insert(SESSION_KEY, s).await;
        }
    }
}

/// Whether `path` is open to a session that must register a passkey first: the account page and its calls, and
/// signing out.
fn open_while_registering(path: &str) -> bool {
    path == "/account" || path == "/sign-out" || path.starts_with("/api/account/")
}

/// Who the session's operator is, as signed in: their username and, when they signed in with BI, the identity.
pub async fn session_operator(session: &Session) -> Option<(String, Option<String>)> {
    let s: SignedIn = session.get(SESSION_KEY).await.ok().flatten()?;
    Some((s.username, s.bi.map(|b| b.identity)))
}

/// A session signed in with BI: its role as last asked, asked again once `recheck` has passed. An identity BI now
/// gives no role (suspended, deleted, out of its group) loses the session; one BI cannot be asked about keeps it
/// until BI answers.
async fn still_bi(access: &Access, session: &Session, s: &SignedIn, bi: &super::bi::BiSession) -> Option<OperatorView> {
    let Some(sign_in) = &access.bi else {
        tracing::info!(operator = %s.username, "session ended: signing in with Beyond Identity is no longer set up");
        let _ = session.flush().await;
        return None;
    };
    let mut now_held = bi.clone();
    if now_secs() - bi.checked >= sign_in.recheck.as_secs() as i64 {
        match sign_in.role_of(&bi.identity).await {
            Ok(role) => {
                now_held.role = role;
                now_held.checked = now_secs();
                let mut kept = s.clone();
                kept.bi = Some(now_held.clone());
                let _ = session.insert(SESSION_KEY, kept).await;
            }
            Err(super::bi::NoRole::Unreachable(e)) => {
                tracing::warn!(operator = %s.username, error = %e, "the role of a Beyond Identity operator could not be asked again; the session goes on");
            }
            Err(no) => {
                tracing::info!(operator = %s.username, why = ?no, "session ended: Beyond Identity no longer gives this identity a role");
                let _ = session.flush().await;
                return None;
            }
        }
    }
    Some(OperatorView {
        username: now_held.role.username.clone(),
        role: now_held.role.role,
        realms: now_held.role.realms.clone(),
    })
}

/// A new session id (so an id planted before cannot ride the signed-in session) holding who signed in now.
pub(super) async fn start_session(
    session: &Session,
    username: &str,
    credential: String,
    bi: Option<super::bi::BiSession>,
) -> Result<(), ()> {
    session.cycle_id().await.map_err(|_| ())?;
    session
        .insert(
            SESSION_KEY,
            SignedIn {
                username: username.to_string(),
                since: now_secs(),
                credential,
                bi,
                authenticated: now_secs(),
                must_register: false,
            },
        )
        .await
        .map_err(|_| ())
}

/// Whether a request path is a server function's (their answers are data, not pages).
pub fn server_fn_call(path: &str) -> bool {
    path.starts_with("/api/")
}

pub async fn guard(State(access): State<SharedAccess>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if !plain_path(&path) {
        return (StatusCode::BAD_REQUEST, "This address is not a plain path.").into_response();
    }
    // The server functions of sign-in and account pages reach what signing in needs.
    req.extensions_mut().insert(access.clone());
    if is_public(&path) {
        return next.run(req).await;
    }
    let session = req.extensions().get::<Session>().cloned();
    let operator = match &session {
        Some(s) => signed_in(&access, s).await,
        None => None,
    };
    match operator {
        Some((_, _, true)) if !open_while_registering(&path) => {
            if server_fn_call(&path) {
                let body = serde_json::to_string(&AppError {
                    status: Some(403),
                    ..AppError::new("Register a passkey on your account page first.")
                })
                .unwrap_or_default();
                return (StatusCode::FORBIDDEN, [(header::CONTENT_TYPE, "application/json")], body).into_response();
            }
            Redirect::to("/account").into_response()
        }
        Some((op, confirmed, _)) => {
            req.extensions_mut().insert(CurrentOperator(op));
            if let Some(c) = confirmed {
                req.extensions_mut().insert(c);
            }
            if req.method() == axum::http::Method::GET {
                if let Some(flash) = take_flash(session.as_ref(), &path).await {
                    req.extensions_mut().insert(flash);
                }
            }
            next.run(req).await
        }
        None if server_fn_call(&path) => {
            let body = serde_json::to_string(&AppError {
                status: Some(401),
                ..AppError::new("Sign in to use the console.")
            })
            .unwrap_or_default();
            (
                StatusCode::UNAUTHORIZED,
                [(header::CONTENT_TYPE, "application/json")],
                body,
            )
                .into_response()
        }
        None => {
            let wanted = req
                .uri()
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .unwrap_or_else(|| "/".into());
            Redirect::to(&format!(
                "/login?next={}",
                crate::model::encode_component(&safe_next(&wanted))
            ))
            .into_response()
        }
    }
}

/// The one-time flash a failed plain form post left for the form at `path` (see `api::back_to_form`), taken out of
/// the session so it shows once.
async fn take_flash(session: Option<&Session>, path: &str) -> Option<crate::model::FormFlash> {
    let session = session?;
    let flash: crate::model::FormFlash = session.get(crate::model::FormFlash::SESSION_KEY).await.ok().flatten()?;
    if flash.path != path {
        return None;
    }
    let _ = session.remove_value(crate::model::FormFlash::SESSION_KEY).await;
    Some(flash)
}

/// The operator calling a server function, if their role allows `action`: 401 without a session, 403 (also set as
/// the HTTP status) when the role does not allow it.
pub fn authorize(action: Action) -> Result<OperatorView, AppError> {
    let parts = leptos::prelude::use_context::<axum::http::request::Parts>();
    let op = parts
        .as_ref()
        .and_then(|p| p.extensions.get::<CurrentOperator>())
        .map(|c| c.0.clone());
    let set_status = |code: StatusCode| {
        if let Some(r) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            r.set_status(code);
        }
    };
    match op {
        None => {
            set_status(StatusCode::UNAUTHORIZED);
            Err(AppError {
                status: Some(401),
                ..AppError::new("Sign in to use the console.")
            })
        }
        Some(op) if !op.can(action) => {
            set_status(StatusCode::FORBIDDEN);
            tracing::warn!(operator = %op.username, role = op.role.as_str(), ?action, "refused: role does not allow it");
            Err(AppError {
                status: Some(403),
                ..AppError::new(format!(
                    "Your role ({}) does not allow this.",
                    op.role.as_str()
                ))
            })
        }
        Some(op) => Ok(op),
    }
}


/// The proof that the operator calling a server function authenticated recently, if they did (see
/// `crate::permit::Confirmed`): what a consequential write's permit needs.
pub fn confirmed() -> Option<Confirmed> {
    leptos::prelude::use_context::<axum::http::request::Parts>()
        .and_then(|p| p.extensions.get::<Confirmed>().cloned())
}
