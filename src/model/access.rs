//! Operators, roles and what each role may do; audit entries. Shared so the server enforces and the UI shows the
//! same rule.

use serde::{Deserialize, Serialize};

/// An operator's role (by default the least: a viewer).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything.
    Admin,
    /// Read, add identities, suspend/unsuspend, manage members, send passkey invitations (and links) and revoke
    /// passkeys and invitations. No deletes, no group or identity edits.
    Helpdesk,
    /// Read only.
    #[default]
    Viewer,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        match s.trim().to_ascii_lowercase().as_str() {
            "admin" => Some(Role::Admin),
            "helpdesk" => Some(Role::Helpdesk),
            "viewer" => Some(Role::Viewer),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Helpdesk => "helpdesk",
            Role::Viewer => "viewer",
        }
    }

    /// Whether this role may do `action`.
    pub fn allows(self, action: Action) -> bool {
        match self {
            Role::Admin => true,
            Role::Helpdesk => matches!(
                action,
                Action::Read
                    | Action::CreateIdentity
                    | Action::SetStatus
                    | Action::ManageMembers
                    | Action::Invite
                    | Action::RevokePasskey
            ),
            Role::Viewer => action == Action::Read,
        }
    }
}

/// What a server function does, for the role check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Action {
    Read,
    CreateIdentity,
    EditIdentity,
    SetStatus,
    DeleteIdentity,
    CreateGroup,
    EditGroup,
    DeleteGroup,
    ManageMembers,
    /// Send a passkey invitation (by email, or as a link), or revoke one that is still open.
    Invite,
    /// Revoke a passkey.
    RevokePasskey,
}

/// The signed-in operator as pages see it (no secret in it).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperatorView {
    pub username: String,
    pub role: Role,
    /// The realms this operator may use; `None`: every realm the console's token can see.
    #[serde(default)]
    pub realms: Option<Vec<String>>,
}

impl OperatorView {
    pub fn can(&self, action: Action) -> bool {
        self.role.allows(action)
    }

    /// Whether this operator may work in `realm`.
    pub fn may_use(&self, realm: &str) -> bool {
        self.realms
            .as_ref()
            .is_none_or(|list| list.iter().any(|r| r == realm))
    }
}

/// How the audit log's sending to the SIEM goes (`CONSOLE_AUDIT_SINK`), as the Audit page warns of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditSinkView {
    /// Its scheme and host (never a path or a token).
    pub sink: String,
    /// Events written but not yet taken by the sink.
    pub waiting: u64,
    /// How long the oldest of them has waited, in seconds.
    pub lag_secs: u64,
    /// Why the last delivery failed, when it did.
    pub last_error: Option<String>,
}

impl AuditSinkView {
    /// Lag past which the Audit page warns.
    pub const WARN_SECS: u64 = 60;

    /// Whether the Audit page should warn: deliveries fail, or events have waited a minute or more.
    pub fn behind(&self) -> bool {
        self.waiting > 0 && (self.last_error.is_some() || self.lag_secs >= Self::WARN_SECS)
    }
}

/// One recorded write.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: String,
    /// RFC 3339, UTC.
    pub at: String,
    pub operator: String,
    /// e.g. `identity.create`, `group.members.add`
    pub action: String,
    pub realm: String,
    pub target_id: String,
    pub target_name: String,
    /// What changed, in words or JSON (`{"before": …, "after": …}` for edits).
    pub detail: String,
    /// `ok`, or BI's error code (`conflict`, `not_found`, …) or `error`.
    pub result: String,
    pub request_id: String,
}

/// Filters of the Audit page; empty = any.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    pub operator: String,
    pub action: String,
    /// Matches the target's id or (part of) its name.
    pub target: String,
    /// `YYYY-MM-DD`, inclusive.
    pub from: String,
    /// `YYYY-MM-DD`, inclusive.
    pub to: String,
}

/// What the audit log records: one value per kind of entry, with its stored name. Every entry is made with one of
/// these, and the Audit page's filter lists [`AuditAction::ALL`], so the filter cannot miss a kind of entry.
macro_rules! audit_actions {
    ($($variant:ident = $name:literal,)*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum AuditAction {
            $(#[serde(rename = $name)] $variant,)*
        }

        impl AuditAction {
            /// Every action, in the Audit filter's order.
            pub const ALL: &'static [AuditAction] = &[$(AuditAction::$variant,)*];

            /// The name stored in the audit log (`identity.create`, …).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(AuditAction::$variant => $name,)*
                }
            }

            pub fn parse(name: &str) -> Option<AuditAction> {
                AuditAction::ALL.iter().copied().find(|a| a.as_str() == name)
            }
        }
    };
}

audit_actions! {
    IdentityCreate = "identity.create",
    IdentityUpdate = "identity.update",
    IdentitySuspend = "identity.suspend",
    IdentityUnsuspend = "identity.unsuspend",
    IdentityDelete = "identity.delete",
    IdentitiesBulk = "identities.bulk",
    IdentitiesExport = "identities.export",
    GroupCreate = "group.create",
    GroupUpdate = "group.update",
    GroupDelete = "group.delete",
    GroupMembersAdd = "group.members.add",
    GroupMembersRemove = "group.members.remove",
    PasskeyInvite = "passkey.invite",
    PasskeyLink = "passkey.link",
    PasskeyInviteRevoke = "passkey.invite.revoke",
    PasskeyInviteBatch = "passkey.invite.batch",
    PasskeyRevoke = "passkey.revoke",
    ImportApply = "import.apply",
    ImportCancel = "import.cancel",
    RefusedRealm = "refused.realm",
    RefusedProtectedGroup = "refused.protected_group",
    RefusedProtectedIdentity = "refused.protected_identity",
    OperatorSignIn = "operator.sign_in",
    OperatorSignInRefused = "operator.sign_in.refused",
    OperatorStepUp = "operator.step_up",
    OperatorPasskeyAdd = "operator.passkey.add",
    OperatorPasskeyRemove = "operator.passkey.remove",
}

impl std::fmt::Display for AuditAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The name the command line's imports and exports are recorded under (no operator may take it).
pub const CLI_OPERATOR: &str = "cli";

/// Why an identity's changes are an admin's alone (the protected-identity rule, `crate::permit`).
pub const PROTECTED_IDENTITY: &str = "This identity is a member of a protected group: only an admin may edit, suspend or delete it, send it invitations or revoke its passkeys.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_audit_action_has_one_name_that_reads_back() {
        let names: std::collections::HashSet<&str> =
            AuditAction::ALL.iter().map(|a| a.as_str()).collect();
        assert_eq!(names.len(), AuditAction::ALL.len(), "names are unique");
        for a in AuditAction::ALL {
            assert_eq!(AuditAction::parse(a.as_str()), Some(*a));
            assert_eq!(
                serde_json::to_string(a).unwrap(),
                format!("\"{}\"", a.as_str())
            );
        }
        assert_eq!(AuditAction::parse("identity.nothing"), None);
    }

    #[test]
    fn roles_allow_what_the_readme_says() {
        use Action::*;
        #[rustfmt::skip]
        let all = [Read, CreateIdentity, EditIdentity, SetStatus, DeleteIdentity, CreateGroup, EditGroup, DeleteGroup, ManageMembers, Invite, RevokePasskey];
        assert!(all.iter().all(|a| Role::Admin.allows(*a)));
        let helpdesk: Vec<Action> = all
            .iter()
            .copied()
            .filter(|a| Role::Helpdesk.allows(*a))
            .collect();
        assert_eq!(
            helpdesk,
            vec![
                Read,
                CreateIdentity,
                SetStatus,
                ManageMembers,
                Invite,
                RevokePasskey
            ]
        );
        let viewer: Vec<Action> = all
            .iter()
            .copied()
            .filter(|a| Role::Viewer.allows(*a))
            .collect();
        assert_eq!(viewer, vec![Read]);
        assert_eq!(Role::parse(" HelpDesk "), Some(Role::Helpdesk));
        assert_eq!(Role::parse("root"), None);
    }
}
