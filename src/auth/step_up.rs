//! Step-up: the signed-in operator confirms it is them before a consequential write (`crate::permit::Confirmed`:
//! deleting identities or groups, suspending many, an import that suspends or removes members, revoking a passkey)
//! when their last authentication is older than `CONSOLE_STEP_UP_SECS`. `GET /step-up?next=…` sends an operator
//! signed in with Beyond Identity to BI with `prompt=login` and `max_age=0` (BI must authenticate them afresh, and
//! the ID token's `auth_time` and `sub` are checked), and a local operator to the password page `/step-up/confirm`
//! (`POST /step-up`, throttled as sign-ins are). Confirmed, the session's authentication time is now, the step-up is
//! recorded, and the browser goes on to `next`: the page the operator came from, or `/step-up/done` in the window
//! the page opened for it (it closes, and the page sends the same write again).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Form, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

use super::paths::safe_next;
use super::sign_in::{check_password, client_address};
use super::web::{reauthenticated, session_operator, Access, SharedAccess};
use crate::model::{encode_component, AuditAction};

/// How far BI's clock may be behind the console's when it says when it authenticated the operator.
const CLOCK_SKEW_SECS: i64 = 30;

#[derive(Deserialize)]
pub struct StepUpQuery {
    #[serde(default)]
    next: String,
}

/// The password page, saying why the last try failed (`error`), then on to `next`.
fn confirm_page(error: &str, next: &str) -> Response {
    let mut to = format!("/step-up/confirm?next={}", encode_component(next));
    if !error.is_empty() {
        to.push_str(&format!("&error={error}"));
    }
    Redirect::to(&to).into_response()
}

/// `GET /step-up`: to BI for an operator signed in with it, to the password page for a local operator.
pub async fn start(State(access): State<SharedAccess>, session: Session, Query(q): Query<StepUpQuery>) -> Response {
    let next = safe_next(&q.next);
    match session_operator(&session).await {
        None => Redirect::to(&format!("/login?next={}", encode_component(&next))).into_response(),
        Some((_, Some(_))) if access.bi.is_some() => {
            Redirect::to(&format!("/sign-in/bi?step_up=1&next={}", encode_component(&next))).into_response()
        }
        Some((_, Some(_))) => confirm_page("bi-unavailable", &next),
        Some((_, None)) => confirm_page("", &next),
    }
}

#[derive(Deserialize)]
pub struct StepUpForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// Records a step-up (or a refused one) in the audit log.
async fn record(access: &Access, operator: &str, how: String, result: &str) {
    let event = crate::audit::Event::new(AuditAction::OperatorStepUp, "", operator, operator, how);
    access.record_sign_in(operator, event, result).await;
}

/// `POST /step-up`: a local operator's password, checked as a sign-in's is (counted, throttled).
pub async fn with_password(
    State(access): State<SharedAccess>,
    connect: Option<axum::Extension<ConnectInfo<SocketAddr>>>,
    headers: axum::http::HeaderMap,
    session: Session,
    Form(form): Form<StepUpForm>,
) -> Response {
    let address = client_address(&access, connect, &headers);
    let next = safe_next(&form.next);
    let Some((username, None)) = session_operator(&session).await else {
        // Signed in with BI (BI confirms them), or not signed in at all.
        return Redirect::to(&format!("/step-up?next={}", encode_component(&next))).into_response();
    };
    if !access.passwords {
        return confirm_page("passwords-off", &next);
    }
    // An operator with a passkey confirms with it, not with the password alone.
    if let Some(passkeys) = &access.passkeys {
        match passkeys.has(&username).await {
            Ok(false) => {}
            Ok(true) => return confirm_page("use-passkey", &next),
            Err(_) => return confirm_page("unavailable", &next),
        }
    }
    match check_password(&access, &username, form.password, address).await {
        Ok(_) if reauthenticated(&session).await => {
            tracing::info!(operator = %username, %address, method = "password", "confirmed it is them");
            record(&access, &username, format!("confirmed it is them with a password from {address}"), "ok").await;
            Redirect::to(&next).into_response()
        }
        Ok(_) => confirm_page("unavailable", &next),
        Err(code) => {
            record(&access, &username, format!("a wrong password from {address}"), code).await;
            confirm_page(code, &next)
        }
    }
}

/// BI's answer to a step-up (`auth::bi::callback`): the same identity as the session's, authenticated by BI after
/// the step-up began.
pub(super) async fn with_bi(
    access: &Arc<Access>,
    session: &Session,
    next: &str,
    started: i64,
    verified: Result<(String, Option<i64>), super::bi::Refused>,
) -> Response {
    let Some((username, Some(identity))) = session_operator(session).await else {
        tracing::warn!("step-up with Beyond Identity refused: the session holds no operator signed in with it");
        return Redirect::to(&format!("/login?error=bi-failed&next={}", encode_component(next))).into_response();
    };
    let refused = match verified {
        Ok((sub, Some(at))) if sub == identity && at + CLOCK_SKEW_SECS >= started => None,
        Ok((sub, _)) if sub != identity => Some("a different identity signed in"),
        Ok(_) => Some("Beyond Identity did not authenticate the identity afresh"),
        Err(why) => {
            tracing::warn!(?why, "step-up with Beyond Identity refused");
            Some("Beyond Identity's answer was refused")
        }
    };
    match refused {
        None if reauthenticated(session).await => {
            tracing::info!(operator = %username, method = "bi", "confirmed it is them");
            record(access, &username, "confirmed it is them with Beyond Identity".into(), "ok").await;
            Redirect::to(next).into_response()
        }
        None => confirm_page("unavailable", next),
        Some(why) => {
            tracing::warn!(operator = %username, why, "step-up with Beyond Identity refused");
            record(access, &username, format!("step-up refused: {why}"), "failed").await;
            confirm_page("bi-failed", next)
        }
    }
}
