//! Realms, and what the console tells a page about where it points.

use serde::{Deserialize, Serialize};

/// A realm as BI returns it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Realm {
    #[serde(default)]
    pub id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub tenant_id: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classification: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_time: Option<String>,
}
/// What the console knows of where it points, safe to show in a page (no secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsoleInfo {
    /// `true` on the embedded sandbox.
    pub sandbox: bool,
    /// "Sandbox", or the BI region label ("us", "eu", "us1-gov", or the API host).
    pub target_label: String,
    pub tenant_id: String,
    pub default_realm: String,
    /// Operators may sign in with Beyond Identity.
    #[serde(default)]
    pub bi_sign_in: bool,
    /// Operators may sign in with a password (`CONSOLE_PASSWORD_SIGN_IN`, on unless turned off).
    #[serde(default)]
    pub password_sign_in: bool,
}

/// How operators may sign in, for the sign-in page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInMethods {
    pub bi: bool,
    pub password: bool,
}

/// How the signed-in operator confirms it is them (a step-up): who they are, and whether Beyond Identity signed
/// them in (then BI confirms them; otherwise their password does).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepUpMethod {
    pub username: String,
    pub bi: bool,
    /// A local operator with a passkey: it confirms them, not their password.
    pub passkey: bool,
}

/// One of the signed-in operator's passkeys, for their account page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyView {
    pub id: String,
    pub name: String,
    /// RFC 3339, UTC.
    pub created: String,
    pub last_used: Option<String>,
}

/// The signed-in operator's account page: who they are and their passkeys.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub username: String,
    /// Signed in with Beyond Identity: their passkeys are BI's, not the console's.
    pub bi: bool,
    /// `CONSOLE_LOCAL_PASSKEY=required`.
    pub required: bool,
    pub passkeys: Vec<PasskeyView>,
}

/// What the frame around every realm screen shows, read in one call: who is signed in, where the console points,
/// and the realms the operator may open (or why they could not be listed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Frame {
    pub operator: super::OperatorView,
    pub info: ConsoleInfo,
    pub realms: Result<Vec<Realm>, super::AppError>,
}
