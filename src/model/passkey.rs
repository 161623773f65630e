//! Passkeys, as BI names them: authenticator configurations (how a person enrolls), credential binding jobs (an
//! invitation to enroll, by email or as a link), batch credential binding jobs (invitations for up to 1,000
//! identities at once) and credentials (the passkeys themselves). Shared by the client, the sandbox and the pages.

use serde::{Deserialize, Serialize};

/// An authenticator configuration of a realm. `config` is BI's object as given (its `type` says which kind).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthenticatorConfig {
    #[serde(default)]
    pub id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub realm_id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub tenant_id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub display_name: String,
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub config: serde_json::Value,
}

impl AuthenticatorConfig {
    /// `hosted_web`, `embedded`, `console`, … (empty when BI gave none).
    pub fn kind(&self) -> &str {
        self.config
            .get("type")
            .and_then(|t| t.as_str())
            .unwrap_or("")
    }

    /// What an operator reads: its name, or its kind and id.
    pub fn label(&self) -> String {
        if self.display_name.is_empty() {
            format!("{} ({})", kind_label(self.kind()), self.id)
        } else {
            self.display_name.clone()
        }
    }
}

/// The configuration an invitation starts from: the one last used in the realm while it still exists, else the
/// first Hosted Web one (BI's own enrollment pages), else the first; empty when the realm has none.
pub fn default_config(configs: &[AuthenticatorConfig], remembered: Option<&str>) -> String {
    remembered
        .and_then(|r| configs.iter().find(|c| c.id == r))
        .or_else(|| configs.iter().find(|c| c.kind() == "hosted_web"))
        .or_else(|| configs.first())
        .map(|c| c.id.clone())
        .unwrap_or_default()
}

fn kind_label(kind: &str) -> &str {
    match kind {
        "hosted_web" => "Hosted Web",
        "embedded" => "Embedded SDK",
        "console" => "Console",
        "platform" => "Platform",
        _ => "Authenticator",
    }
}

/// `EMAIL`: BI emails the enrollment link to the identity; `RETURN`: BI answers the link to the caller.
pub const DELIVERY_EMAIL: &str = "EMAIL";
pub const DELIVERY_RETURN: &str = "RETURN";

/// A credential binding job: one invitation to enroll a passkey.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialBindingJob {
    #[serde(default)]
    pub id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub realm_id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub tenant_id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub identity_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_id: Option<String>,
    #[serde(default)]
    pub delivery_method: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub state: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_binding_redirect_uri: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub authenticator_config_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expire_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_time: Option<String>,
}

/// The states of a job in which the person may still enroll with its link.
pub const PENDING_JOB_STATES: [&str; 3] = ["LINK_SENT", "LINK_OPENED", "REQUEST_DELIVERED"];

impl CredentialBindingJob {
    /// Still waiting for the person (its link works until it expires).
    pub fn is_pending(&self) -> bool {
        PENDING_JOB_STATES.contains(&self.state.as_str())
    }
}

/// A job's state in words.
pub fn job_state_label(state: &str) -> &'static str {
    match state {
        "LINK_SENT" => "Link sent",
        "LINK_OPENED" => "Link opened",
        "REQUEST_DELIVERED" => "Request delivered",
        "COMPLETE" => "Complete",
        "EXPIRED" => "Expired",
        "FAILED_TO_SEND" => "Failed to send",
        "REVOKED" => "Revoked",
        _ => "Unknown",
    }
}

/// A credential (a passkey). `state` is `ACTIVE` or `REVOKED`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credential {
    #[serde(default)]
    pub id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub identity_id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub realm_id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub tenant_id: String,
    #[serde(default)]
    pub state: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub csr_type: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub jwk_json: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub jwk_thumbprint: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_time: Option<String>,
}

pub const CREDENTIAL_ACTIVE: &str = "ACTIVE";
pub const CREDENTIAL_REVOKED: &str = "REVOKED";

/// BI's rule for an identity's `enrollment_status`, from its passkeys and invitations: ENROLLED with an active
/// passkey; else PENDING with an invitation still open; else INVITE_FAILED if an invitation failed; else
/// UNENROLLED.
pub fn enrollment_status(
    active_credentials: u64,
    pending_jobs: u64,
    failed_jobs: u64,
) -> &'static str {
    if active_credentials > 0 {
        "ENROLLED"
    } else if pending_jobs > 0 {
        "PENDING"
    } else if failed_jobs > 0 {
        "INVITE_FAILED"
    } else {
        "UNENROLLED"
    }
}

/// An email the sandbox "sent" (an invitation by email): recipient, subject and the enrollment link in it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMessage {
    pub realm_id: String,
    pub identity_id: String,
    pub job_id: String,
    pub recipient: String,
    pub subject: String,
    pub link: String,
    pub create_time: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enrollment_follows_bis_rule() {
        assert_eq!(enrollment_status(1, 3, 2), "ENROLLED");
        assert_eq!(enrollment_status(0, 1, 2), "PENDING");
        assert_eq!(enrollment_status(0, 0, 2), "INVITE_FAILED");
        assert_eq!(enrollment_status(0, 0, 0), "UNENROLLED");
    }

    #[test]
    fn configs_have_a_readable_label() {
        let named = AuthenticatorConfig {
            id: "a1".into(),
            display_name: "Passkeys for staff".into(),
            ..Default::default()
        };
        assert_eq!(named.label(), "Passkeys for staff");
        let unnamed = AuthenticatorConfig {
            id: "a2".into(),
            config: serde_json::json!({"type": "hosted_web"}),
            ..Default::default()
        };
        assert_eq!(unnamed.label(), "Hosted Web (a2)");
    }

    #[test]
    fn the_default_configuration_is_the_last_used_then_hosted_web_then_the_first() {
        let config = |id: &str, kind: &str| AuthenticatorConfig {
            id: id.into(),
            config: serde_json::json!({ "type": kind }),
            ..AuthenticatorConfig::default()
        };
        let all = [
            config("e1", "embedded"),
            config("h1", "hosted_web"),
            config("h2", "hosted_web"),
        ];
        assert_eq!(default_config(&all, Some("h2")), "h2");
        assert_eq!(default_config(&all, Some("gone")), "h1");
        assert_eq!(default_config(&all, None), "h1");
        assert_eq!(default_config(&all[..1], None), "e1");
        assert_eq!(default_config(&[], Some("h1")), "");
    }
}
