//! Signing in with a password: `POST /sign-in` (counted and throttled, a bounded number of checks at once), the
//! cookie that keeps what was typed as the username after a failure, and `POST /sign-out`.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use axum::extract::{ConnectInfo, Form, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

use super::paths::{decode, safe_next};
use super::web::{start_session, Access, SharedAccess, SignedIn, SESSION_KEY};

/// How long a sign-in waits for a free password check before it is refused like a throttled one.
const VERIFY_QUEUE_LIMIT: Duration = Duration::from_secs(10);

/// The client's address: the TCP peer, or what a trusted proxy says (`CONSOLE_TRUSTED_PROXIES`).
pub(super) fn client_address(
    access: &Access,
    connect: Option<axum::Extension<ConnectInfo<SocketAddr>>>,
    headers: &axum::http::HeaderMap,
) -> IpAddr {
    let peer = connect
        .map(|axum::Extension(ConnectInfo(a))| a.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    access.trusted_proxies.client(peer, headers)
}

#[derive(Debug, Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// The cookie that carries what was typed as the username back to the sign-in page after a failure: only to
/// `/login`, for a minute, never readable by scripts, never sent cross-site, never in an address or a log.
pub const TYPED_COOKIE: &str = "bi_console_typed";

/// Back to the sign-in page with a fixed reason. The username typed is never put in the address (it may be a
/// password typed in the wrong field); it rides in [`TYPED_COOKIE`] so the form can keep it.
fn back_to_login(error: &str, next: &str, typed: &str) -> Response {
    let mut res = Redirect::to(&format!(
        "/login?error={error}&next={}",
        crate::model::encode_component(next)
    ))
    .into_response();
    let typed: String = typed.chars().take(256).collect();
    let cookie = format!(
        "{TYPED_COOKIE}={}; Path=/login; Max-Age=60; HttpOnly; SameSite=Strict",
        crate::model::encode_component(&typed)
    );
    if let Ok(v) = axum::http::HeaderValue::from_str(&cookie) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

/// What was typed as the username before a failed sign-in, from [`TYPED_COOKIE`].
pub fn typed_username(headers: &axum::http::HeaderMap) -> String {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == TYPED_COOKIE)
        .map(|(_, v)| decode(v))
        .unwrap_or_default()
}

/// `POST /sign-in`: counts the attempt, waits its turn (see [`Throttle`]), checks the password with a bounded
/// number of checks at once; on success a new session id and a redirect to `next`. Failures say only that sign-in
/// failed (never which part was wrong). Logs name a username only when it is an operator's.
pub async fn sign_in(
    State(access): State<SharedAccess>,
    connect: Option<axum::Extension<ConnectInfo<SocketAddr>>>,
    headers: axum::http::HeaderMap,
    session: Session,
    Form(form): Form<SignInForm>,
) -> Response {
    let address = client_address(&access, connect, &headers);
    let next = safe_next(&form.next);
    if !access.passwords {
        tracing::warn!(%address, "sign-in refused: signing in with a password is turned off");
        crate::metrics::global().sign_in("password", "refused");
        return back_to_login("passwords-off", &next, "");
    }
    let (operator, credential) = match check_password(&access, &form.username, form.password, address).await {
        Ok(checked) => checked,
        Err(code) => {
            crate::metrics::global().sign_in("password", code);
            return back_to_login(code, &next, form.username.trim());
        }
    };
    let unavailable = || (StatusCode::SERVICE_UNAVAILABLE, "The session store is not available.").into_response();
    // An operator with a passkey goes on to it; the session is made once it answers.
    let passkey = match &access.passkeys {
        Some(p) => match p.has(&operator).await {
            Ok(has) => Some((has, p.required)),
            Err(e) => {
                tracing::error!(error = %e, "the operators' passkeys could not be read");
                return unavailable();
            }
        },
        None => None,
    };
    if let Some((true, _)) = passkey {
        let pending = super::passkey_flow::Pending {
            username: operator.clone(),
            credential,
            next: next.clone(),
            address: address.to_string(),
        };
        if session.cycle_id().await.is_err()
            || session.insert(super::passkey_flow::PENDING_KEY, pending).await.is_err()
        {
            return unavailable();
        }
        tracing::info!(operator = %operator, %address, "password accepted; the passkey is next");
        return Redirect::to(&format!(
            "/sign-in/passkey?next={}",
            crate::model::encode_component(&next)
        ))
        .into_response();
    }
    if start_session(&session, &operator, credential, None).await.is_err() {
        return unavailable();
    }
    let must_register = matches!(passkey, Some((false, true)));
    if must_register && !super::web::require_registration(&session).await {
        return unavailable();
    }
    tracing::info!(operator = %operator, %address, method = "password", "signed in");
    crate::metrics::global().sign_in("password", "ok");
    let how = if must_register {
        format!("signed in with a password from {address}; a passkey must be registered before anything else")
    } else {
        format!("signed in with a password from {address}")
    };
    access
        .record_sign_in(
            &operator,
            crate::audit::Event::new(crate::model::AuditAction::OperatorSignIn, "", &operator, &operator, how),
            "ok",
        )
        .await;
    Redirect::to(if must_register { "/account" } else { &next }).into_response()
}

/// Checks `password` for the operator `username` typed, as a sign-in does: counted, made to wait its turn (see
/// [`Throttle`]), checked with a bounded number of checks at once. Answers the operator and their credential's
/// digest, or why not (`failed` or `throttled`). Logs name a username only when it is an operator's.
pub(super) async fn check_password(
    access: &Access,
    typed: &str,
    password: String,
    address: IpAddr,
) -> Result<(String, String), &'static str> {
    let username = typed.trim().to_string();
    let operators = access.operators.current().await;
    // Only an operator's own name goes into the log; anything else typed there might be a password, or a line
    // break forging a log entry.
    let known = operators.find(&username).map(|o| o.username.clone());
    let shown = known.clone().unwrap_or_else(|| "(not an operator)".into());
    if username.len() > super::throttle::MAX_USERNAME_BYTES {
        tracing::warn!(%address, "sign-in refused: username too long");
        return Err("failed");
    }
    let admitted = match access.throttle.admit(&username, address, known.is_some()).await {
        Ok(a) => a,
        Err(why) => {
            tracing::warn!(username = %shown, %address, ?why, "sign-in refused: too many failures");
            return Err("throttled");
        }
    };
    if !admitted.wait.is_zero() {
        tokio::time::sleep(admitted.wait).await;
    }
    let Ok(Ok(permit)) = tokio::time::timeout(VERIFY_QUEUE_LIMIT, access.verifier.acquire()).await
    else {
        tracing::warn!(username = %shown, %address, "sign-in refused: too many password checks waiting");
        return Err("throttled");
    };
    access
        .verifications
        .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let checked = {
        let username = username.clone();
        tokio::task::spawn_blocking(move || {
            operators
                .verify(&username, &password)
                .map(|o| (o.username.clone(), o.credential()))
        })
        .await
        .ok()
        .flatten()
    };
    drop(permit);
    let Some((operator, credential)) = checked else {
        tracing::warn!(username = %shown, %address, "sign-in failed");
        return Err("failed");
    };
    access.throttle.forgive(&operator, address).await;
    Ok((operator, credential))
}

/// `POST /sign-out`: ends the session.
pub async fn sign_out(session: Session) -> Response {
    if let Ok(Some(s)) = session.get::<SignedIn>(SESSION_KEY).await {
        tracing::info!(operator = %s.username, "signed out");
    }
    let _ = session.flush().await;
    Redirect::to("/login?signed_out=1").into_response()
}

