//! The passkey steps of signing in and of a step-up, and registering one (see `auth::passkeys`), as the server
//! functions of the pages call them. A password sign-in of an operator with a passkey stops before the session is
//! made and keeps a [`Pending`] sign-in; [`answer`] finishes it. A signed-in operator's [`answer`] is a step-up.

use serde::{Deserialize, Serialize};
use tower_sessions::Session;
use webauthn_rs::prelude::{PublicKeyCredential, RegisterPublicKeyCredential};

use super::passkeys::{PasskeyError, Passkeys};
use super::web::{Access, SESSION_KEY};
use crate::model::AuditAction;

/// The session key of a sign-in waiting for its passkey.
pub(super) const PENDING_KEY: &str = "passkey_pending";

/// A password sign-in waiting for the operator's passkey (the session is made once it answers).
#[derive(Serialize, Deserialize)]
pub(super) struct Pending {
    pub username: String,
    pub credential: String,
    pub next: String,
    pub address: String,
}

/// Who the passkey is asked of: the pending sign-in's operator, else the signed-in operator (a step-up).
async fn whose(session: &Session) -> Option<(String, Option<Pending>)> {
    if let Some(p) = session.get::<Pending>(PENDING_KEY).await.ok().flatten() {
        return Some((p.username.clone(), Some(p)));
    }
    let (username, bi) = super::web::session_operator(session).await?;
    bi.is_none().then_some((username, None))
}

fn passkeys(access: &Access) -> Result<&Passkeys, PasskeyError> {
    access.passkeys.as_deref().ok_or(PasskeyError::NoCeremony)
}

fn options<T: Serialize>(o: &T) -> String {
    serde_json::to_string(o).expect("WebAuthn options serialize")
}

/// The options for `navigator.credentials.get` (their `publicKey`, as JSON).
pub async fn challenge(access: &Access, session: &Session, host: &str) -> Result<String, PasskeyError> {
    let (username, _) = whose(session).await.ok_or(PasskeyError::NoCeremony)?;
    let o = passkeys(access)?.start_authentication(host, session, &username).await?;
    Ok(options(&o.public_key))
}

/// The browser's answer (`PublicKeyCredential.toJSON()`, as JSON): a pending sign-in is finished (a new session),
/// a signed-in operator has confirmed it is them. Answers where the browser goes next (for a step-up, nowhere:
/// the page carries on).
pub async fn answer(access: &Access, session: &Session, host: &str, json: &str) -> Result<Option<String>, PasskeyError> {
    let (username, pending) = whose(session).await.ok_or(PasskeyError::NoCeremony)?;
    let credential: PublicKeyCredential =
        serde_json::from_str(json).map_err(|e| PasskeyError::Refused(e.to_string()))?;
    let finished = passkeys(access)?.finish_authentication(host, session, &username, &credential).await;
    let record = |how: String, result: &'static str, action: AuditAction| {
        let username = username.clone();
        async move {
            let event = crate::audit::Event::new(action, "", &username, &username, how);
            access.record_sign_in(&username, event, result).await
        }
    };
    let action = match pending {
        Some(_) => AuditAction::OperatorSignIn,
        None => AuditAction::OperatorStepUp,
    };
    let name = match finished {
        Ok(name) => name,
        Err(e) => {
            tracing::warn!(operator = %username, error = %e, "a passkey was refused");
            if pending.is_some() {
                crate::metrics::global().sign_in("passkey", "failed");
            }
            let refused = match action {
                AuditAction::OperatorSignIn => AuditAction::OperatorSignInRefused,
                other => other,
            };
            record(format!("a passkey was refused: {e}"), "failed", refused).await;
            return Err(e);
        }
    };
    match pending {
        Some(p) => {
            let _ = session.remove::<Pending>(PENDING_KEY).await;
            super::web::start_session(session, &p.username, p.credential, None)
                .await
                .map_err(|_| PasskeyError::NoCeremony)?;
            tracing::info!(operator = %username, method = "password+passkey", "signed in");
            crate::metrics::global().sign_in("passkey", "ok");
            record(
                format!("signed in with a password and the passkey “{name}” from {}", p.address),
                "ok",
                action,
            )
            .await;
            Ok(Some(p.next))
        }
        None => {
            if !super::web::reauthenticated(session).await {
                return Err(PasskeyError::NoCeremony);
            }
            tracing::info!(operator = %username, method = "passkey", "confirmed it is them");
            record(format!("confirmed it is them with the passkey “{name}”"), "ok", action).await;
            Ok(None)
        }
    }
}

/// Starts registering a passkey called `name` for the signed-in local operator: the options for
/// `navigator.credentials.create` (their `publicKey`, as JSON).
pub async fn register_start(access: &Access, session: &Session, host: &str, name: &str) -> Result<String, PasskeyError> {
    let (username, None) = whose_signed_in(session).await? else {
        return Err(PasskeyError::NoCeremony);
    };
    let o = passkeys(access)?.start_registration(host, session, &username, name).await?;
    Ok(options(&o.public_key))
}

async fn whose_signed_in(session: &Session) -> Result<(String, Option<String>), PasskeyError> {
    super::web::session_operator(session).await.ok_or(PasskeyError::NoCeremony)
}

/// The browser's answer to [`register_start`]: the passkey kept, the registration recorded; an operator who had to
/// register one before anything else may now use the console.
pub async fn register_finish(access: &Access, session: &Session, host: &str, json: &str) -> Result<String, PasskeyError> {
    let (username, None) = whose_signed_in(session).await? else {
        return Err(PasskeyError::NoCeremony);
    };
    let credential: RegisterPublicKeyCredential =
        serde_json::from_str(json).map_err(|e| PasskeyError::Refused(e.to_string()))?;
    let kept = passkeys(access)?.finish_registration(host, session, &username, &credential).await?;
    super::web::registered_passkey(session).await;
    tracing::info!(operator = %username, "registered a passkey");
    let event = crate::audit::Event::new(
        AuditAction::OperatorPasskeyAdd,
        "",
        &username,
        &username,
        format!("registered the passkey “{}”", kept.name),
    );
    access.record_sign_in(&username, event, "ok").await;
    Ok(kept.name)
}

/// Whether the session is signed in (for the pages: a pending sign-in is not).
pub async fn signed_in(session: &Session) -> bool {
    session.get::<serde_json::Value>(SESSION_KEY).await.ok().flatten().is_some()
}
