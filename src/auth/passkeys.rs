//! Local operators' passkeys (WebAuthn, `webauthn-rs`): the break-glass accounts kept for when BI cannot be reached
//! sign in with a password and then their passkey. An operator registers passkeys on their account page; once they
//! have one, every password sign-in of theirs goes on to it, and a step-up asks for it instead of the password.
//! `CONSOLE_LOCAL_PASSKEY=required` makes it the rule: an operator with none is sent, right after their password,
//! to register one, and can do nothing else until they have.
//!
//! The relying party is the console's origin (`CONSOLE_PUBLIC_URL`, or the request's own host, which the host
//! check has accepted); its id is that host's name. Challenges live in the session until answered.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tower_sessions::Session;
use webauthn_rs::prelude::{
    CreationChallengeResponse, Passkey, PasskeyAuthentication, PasskeyRegistration, PublicKeyCredential,
    RegisterPublicKeyCredential, RequestChallengeResponse, Url, Uuid, Webauthn, WebauthnBuilder,
};

use crate::store::{Fut, StoreError};

/// One of an operator's passkeys.
#[derive(Clone, Debug)]
pub struct OperatorPasskey {
    /// The credential's id (base64url).
    pub id: String,
    /// What the operator called it ("YubiKey", "laptop").
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub passkey: Passkey,
}

/// Where operators' passkeys are kept (the console's database, `db::passkeys`).
pub trait PasskeyStore: Send + Sync {
    /// `username`'s passkeys, oldest first.
    fn of<'a>(&'a self, username: &'a str) -> Fut<'a, Vec<OperatorPasskey>>;
    fn add<'a>(&'a self, username: &'a str, passkey: &'a OperatorPasskey) -> Fut<'a, ()>;
    /// Removes `username`'s passkey `id`: false when they hold none by that id.
    fn remove<'a>(&'a self, username: &'a str, id: &'a str) -> Fut<'a, bool>;
    /// `id` was used at `at`; its counter is now `passkey`'s.
    fn used<'a>(&'a self, id: &'a str, passkey: &'a Passkey, at: i64) -> Fut<'a, ()>;
}

/// Why a passkey ceremony failed.
#[derive(Debug, thiserror::Error)]
pub enum PasskeyError {
    #[error("the console's origin is not a place passkeys can be used: {0}")]
    Origin(String),
    #[error("no passkey ceremony is under way")]
    NoCeremony,
    #[error("the passkey's answer was refused: {0}")]
    Refused(String),
    #[error("{0}")]
    Store(#[from] StoreError),
}

/// The session key of a ceremony under way.
const CEREMONY_KEY: &str = "passkey_ceremony";

/// A ceremony under way, kept in the session until answered.
#[derive(Serialize, Deserialize)]
enum Ceremony {
    Register { username: String, name: String, state: PasskeyRegistration },
    Authenticate { username: String, state: PasskeyAuthentication },
}

/// Keeps `ceremony` in the session until the browser answers it.
async fn keep(session: &Session, ceremony: Ceremony) -> Result<(), PasskeyError> {
    session
        .insert(CEREMONY_KEY, ceremony)
        .await
        .map_err(|e| PasskeyError::Store(StoreError::new(e.to_string(), false)))
}

/// Operators' passkeys: the store and the rule (`CONSOLE_LOCAL_PASSKEY`).
pub struct Passkeys {
    pub store: Arc<dyn PasskeyStore>,
    /// `CONSOLE_LOCAL_PASSKEY=required`: every local operator signs in with a passkey after their password.
    pub required: bool,
    /// `CONSOLE_PUBLIC_URL`: the origin passkeys are bound to (else each request's own).
    pub public_origin: Option<String>,
}

impl std::fmt::Debug for Passkeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Passkeys").field("required", &self.required).finish_non_exhaustive()
    }
}

/// A credential's id as the store keys it (base64url, no padding).
fn credential_id(id: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(id)
}

/// The WebAuthn user handle of `username`: the same on every replica and after a restart.
fn user_handle(username: &str) -> Uuid {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(username.to_lowercase().as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    Uuid::from_bytes(bytes)
}

impl Passkeys {
    /// The relying party for a request whose `Host` is `host` (already accepted by the host check).
    fn relying_party(&self, host: &str) -> Result<Webauthn, PasskeyError> {
        let origin = match &self.public_origin {
            Some(o) => o.clone(),
            None => format!("http://{host}"),
        };
        let url = Url::parse(&origin).map_err(|e| PasskeyError::Origin(e.to_string()))?;
        let id = url
            .host_str()
            .ok_or_else(|| PasskeyError::Origin(origin.clone()))?
            .to_string();
        WebauthnBuilder::new(&id, &url)
            .and_then(|b| b.rp_name("Identity Console").build())
            .map_err(|e| PasskeyError::Origin(format!("{origin}: {e}")))
    }

    /// Whether `username` has a passkey.
    pub async fn has(&self, username: &str) -> Result<bool, StoreError> {
        Ok(!self.store.of(username).await?.is_empty())
    }

    /// Starts registering a passkey called `name` for `username`: the options for the browser's
    /// `navigator.credentials.create`, the ceremony kept in `session`.
    pub async fn start_registration(
        &self,
        host: &str,
        session: &Session,
        username: &str,
        name: &str,
    ) -> Result<CreationChallengeResponse, PasskeyError> {
        let rp = self.relying_party(host)?;
        let held: Vec<_> = self.store.of(username).await?.into_iter().map(|p| p.passkey.cred_id().clone()).collect();
        let (options, state) = rp
            .start_passkey_registration(user_handle(username), username, username, Some(held))
            .map_err(|e| PasskeyError::Refused(e.to_string()))?;
        keep(
            session,
            Ceremony::Register {
                username: username.to_string(),
                name: name.to_string(),
                state,
            },
        )
        .await?;
        Ok(options)
    }

    /// The browser's answer to [`start_registration`](Self::start_registration): the passkey, kept.
    pub async fn finish_registration(
        &self,
        host: &str,
        session: &Session,
        username: &str,
        answer: &RegisterPublicKeyCredential,
    ) -> Result<OperatorPasskey, PasskeyError> {
        let Some(Ceremony::Register { username: who, name, state }) = session.remove(CEREMONY_KEY).await.ok().flatten()
        else {
            return Err(PasskeyError::NoCeremony);
        };
        if who != username {
            return Err(PasskeyError::NoCeremony);
        }
        let passkey = self
            .relying_party(host)?
            .finish_passkey_registration(answer, &state)
            .map_err(|e| PasskeyError::Refused(e.to_string()))?;
        let kept = OperatorPasskey {
            id: credential_id(passkey.cred_id()),
            name,
            created_at: super::web::now_secs(),
            last_used_at: None,
            passkey,
        };
        self.store.add(username, &kept).await?;
        Ok(kept)
    }

    /// Starts `username` signing in (or confirming it is them) with one of their passkeys.
    pub async fn start_authentication(
        &self,
        host: &str,
        session: &Session,
        username: &str,
    ) -> Result<RequestChallengeResponse, PasskeyError> {
        let held: Vec<Passkey> = self.store.of(username).await?.into_iter().map(|p| p.passkey).collect();
        if held.is_empty() {
            return Err(PasskeyError::Refused("the operator has no passkey".into()));
        }
        let (options, state) = self
            .relying_party(host)?
            .start_passkey_authentication(&held)
            .map_err(|e| PasskeyError::Refused(e.to_string()))?;
        keep(
            session,
            Ceremony::Authenticate {
                username: username.to_string(),
                state,
            },
        )
        .await?;
        Ok(options)
    }

    /// The browser's answer to [`start_authentication`](Self::start_authentication): which of `username`'s
    /// passkeys it was (its counter kept).
    pub async fn finish_authentication(
        &self,
        host: &str,
        session: &Session,
        username: &str,
        answer: &PublicKeyCredential,
    ) -> Result<String, PasskeyError> {
        let Some(Ceremony::Authenticate { username: who, state }) = session.remove(CEREMONY_KEY).await.ok().flatten()
        else {
            return Err(PasskeyError::NoCeremony);
        };
        if who != username {
            return Err(PasskeyError::NoCeremony);
        }
        let result = self
            .relying_party(host)?
            .finish_passkey_authentication(answer, &state)
            .map_err(|e| PasskeyError::Refused(e.to_string()))?;
        let id = credential_id(result.cred_id());
        for mut held in self.store.of(username).await? {
            if held.passkey.cred_id() == result.cred_id() {
                held.passkey.update_credential(&result);
                self.store.used(&held.id, &held.passkey, super::web::now_secs()).await?;
                return Ok(held.name);
            }
        }
        Err(PasskeyError::Refused(format!("passkey {id} is not this operator's")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_users_handle_is_stable_and_its_own() {
        assert_eq!(user_handle("admin"), user_handle("Admin"));
        assert_ne!(user_handle("admin"), user_handle("helpdesk"));
    }
}
