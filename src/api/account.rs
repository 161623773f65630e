//! The signed-in operator's own account: how they confirm it is them (the step-up page), their passkeys (listed,
//! registered, removed), and the passkey step of signing in. The WebAuthn ceremonies themselves are in
//! `auth::passkey_flow`; these are their adapters.

use leptos::prelude::*;

use crate::model::AppError;

#[cfg(feature = "ssr")]
mod ssr {
    use crate::model::AppError;

    /// What a passkey call needs from its request: the sign-in settings, the session and the host it was made to.
    pub(super) async fn request() -> Result<
        (
            std::sync::Arc<crate::auth::web::Access>,
            tower_sessions::Session,
            String,
        ),
        AppError,
    > {
        let parts = leptos::prelude::use_context::<axum::http::request::Parts>()
            .ok_or_else(|| AppError::new("the console is not configured"))?;
        let access = parts
            .extensions
            .get::<std::sync::Arc<crate::auth::web::Access>>()
            .cloned()
            .ok_or_else(|| AppError::new("the console is not configured"))?;
        let session = parts
            .extensions
            .get::<tower_sessions::Session>()
            .cloned()
            .ok_or_else(|| AppError::new("The session store is not available."))?;
        let host = parts
            .headers
            .get(axum::http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or_default()
            .to_string();
        Ok((access, session, host))
    }

    /// A passkey ceremony's failure, as the operator reads it (the details are in the log).
    pub(super) fn failed(e: crate::auth::passkeys::PasskeyError) -> AppError {
        use crate::auth::passkeys::PasskeyError;
        let message = match e {
            PasskeyError::NoCeremony => "Start again: no passkey request is waiting for an answer.",
            PasskeyError::Origin(_) => "Passkeys cannot be used at this address: open the console by its host name (CONSOLE_PUBLIC_URL).",
            PasskeyError::Refused(_) => "The passkey was not accepted. Try again.",
            PasskeyError::Store(_) => "The console's database is not available. Try again shortly.",
        };
        super::super::checks::answering(400, message)
    }

    pub(super) fn signed_in() -> Result<crate::model::OperatorView, AppError> {
        crate::auth::web::authorize(crate::model::Action::Read)
    }

    /// RFC 3339 of a Unix time.
    pub(super) fn when(at: i64) -> String {
        chrono::DateTime::from_timestamp(at, 0)
            .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_default()
    }
}

/// How the signed-in operator confirms it is them before a consequential write (the step-up page).
#[server(output = crate::api::codec::TextJson)]
pub async fn step_up_method() -> Result<crate::model::StepUpMethod, AppError> {
    ssr::signed_in()?;
    let (access, session, _) = ssr::request().await?;
    let (username, identity) = crate::auth::web::session_operator(&session)
        .await
        .ok_or_else(|| AppError::new("Sign in to use the console."))?;
    let passkey = match (&identity, &access.passkeys) {
        (None, Some(p)) => p.has(&username).await.unwrap_or(false),
        _ => false,
    };
    Ok(crate::model::StepUpMethod {
        username,
        bi: identity.is_some(),
        passkey,
    })
}

/// The options of `navigator.credentials.get` for the operator signing in (after their password) or confirming it
/// is them: WebAuthn's `publicKey` options as JSON.
#[server(endpoint = "passkey/challenge", output = crate::api::codec::TextJson)]
pub async fn passkey_challenge() -> Result<String, AppError> {
    let (access, session, host) = ssr::request().await?;
    crate::auth::passkey_flow::challenge(&access, &session, &host)
        .await
        .map_err(ssr::failed)
}

/// The passkey's answer (`PublicKeyCredential.toJSON()` as JSON): answers where to go once signed in, or nothing
/// for a step-up (the page carries on).
#[server(endpoint = "passkey/answer", output = crate::api::codec::TextJson)]
pub async fn passkey_answer(answer: String) -> Result<Option<String>, AppError> {
    let (access, session, host) = ssr::request().await?;
    crate::auth::passkey_flow::answer(&access, &session, &host, &answer)
        .await
        .map_err(ssr::failed)
}

/// The signed-in operator's account: their passkeys.
#[server(endpoint = "account/passkeys", output = crate::api::codec::TextJson)]
pub async fn my_account() -> Result<crate::model::Account, AppError> {
    ssr::signed_in()?;
    let (access, session, _) = ssr::request().await?;
    let (username, identity) = crate::auth::web::session_operator(&session)
        .await
        .ok_or_else(|| AppError::new("Sign in to use the console."))?;
    let Some(passkeys) = access.passkeys.as_ref().filter(|_| identity.is_none()) else {
        return Ok(crate::model::Account {
            username,
            bi: identity.is_some(),
            required: false,
            passkeys: vec![],
        });
    };
    let held = passkeys
        .store
        .of(&username)
        .await
        .map_err(|e| ssr::failed(e.into()))?;
    Ok(crate::model::Account {
        username,
        bi: false,
        required: passkeys.required,
        passkeys: held
            .into_iter()
            .map(|p| crate::model::PasskeyView {
                id: p.id,
                name: p.name,
                created: ssr::when(p.created_at),
                last_used: p.last_used_at.map(ssr::when),
            })
            .collect(),
    })
}

/// Starts registering a passkey called `name`: WebAuthn's `publicKey` options for `navigator.credentials.create`.
#[server(endpoint = "account/passkeys/start", output = crate::api::codec::TextJson)]
pub async fn start_passkey_registration(name: String) -> Result<String, AppError> {
    ssr::signed_in()?;
    let name = name.trim().to_string();
    if name.is_empty() || name.chars().count() > 60 {
        let mut refused = super::checks::bad_request("Name the passkey.");
        refused.fields = vec![crate::model::FieldError::new(
            "name",
            "Give the passkey a name of 1 to 60 characters, e.g. “YubiKey” or “laptop”.",
        )];
        return Err(refused);
    }
    let (access, session, host) = ssr::request().await?;
    crate::auth::passkey_flow::register_start(&access, &session, &host, &name)
        .await
        .map_err(ssr::failed)
}

/// The browser's new credential (`PublicKeyCredential.toJSON()` as JSON): kept as the operator's passkey.
#[server(endpoint = "account/passkeys/finish", output = crate::api::codec::TextJson)]
pub async fn finish_passkey_registration(answer: String) -> Result<String, AppError> {
    ssr::signed_in()?;
    let (access, session, host) = ssr::request().await?;
    crate::auth::passkey_flow::register_finish(&access, &session, &host, &answer)
        .await
        .map_err(ssr::failed)
}

/// Removes one of the signed-in operator's passkeys. With `CONSOLE_LOCAL_PASSKEY=required`, the last one stays.
#[server(endpoint = "account/passkeys/remove", output = crate::api::codec::TextJson)]
pub async fn remove_passkey(id: String) -> Result<(), AppError> {
    ssr::signed_in()?;
    let (access, session, _) = ssr::request().await?;
    let Some((username, None)) = crate::auth::web::session_operator(&session).await else {
        return Err(super::checks::bad_request(
            "Only a local operator has passkeys here.",
        ));
    };
    let passkeys = access
        .passkeys
        .as_ref()
        .ok_or_else(|| AppError::new("the console is not configured"))?;
    let held = passkeys
        .store
        .of(&username)
        .await
        .map_err(|e| ssr::failed(e.into()))?;
    if passkeys.required && held.len() <= 1 {
        return Err(super::checks::bad_request(
            "Passkeys are required here: register another before removing your last one.",
        ));
    }
    let Some(gone) = held.into_iter().find(|p| p.id == id) else {
        return Err(super::checks::not_found("You have no passkey by that id."));
    };
    passkeys
        .store
        .remove(&username, &id)
        .await
        .map_err(|e| ssr::failed(e.into()))?;
    let event = crate::audit::Event::new(
        crate::model::AuditAction::OperatorPasskeyRemove,
        "",
        &username,
        &username,
        format!("removed the passkey “{}”", gone.name),
    );
    access.record_sign_in(&username, event, "ok").await;
    Ok(())
}
