//! What Add identity does besides creating the identity, as BI's own dialog does: the groups it joins right after
//! (named one per line) and a passkey invitation by email with the authenticator configuration chosen. And the
//! report of what happened to each part, shown on the new identity's page.

use serde::{Deserialize, Serialize};

use super::{check_name, FieldError, IdentityInput};

/// Groups one new identity may join from the form.
pub const MAX_GROUPS_ON_CREATE: usize = 50;

/// The parts of Add identity after the identity itself (form fields `then[…]`).
/// Absent from a request, nothing follows the creation; the form opens with the invitation ticked
/// ([`NewIdentity::default`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AfterCreate {
    /// Group names, one per line (blank lines ignored; the same name twice counts once).
    #[serde(default)]
    pub groups: String,
    /// `"on"` when the invitation is asked for (a checkbox: absent when unticked).
    #[serde(default)]
    pub invite: String,
    /// The authenticator configuration of the invitation.
    #[serde(default)]
    pub config: String,
}

impl AfterCreate {
    /// The group names asked for, trimmed, in the order typed, each once (ignoring case).
    pub fn group_names(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for line in self.groups.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if !names.iter().any(|n| n.eq_ignore_ascii_case(line)) {
                names.push(line.to_string());
            }
        }
        names
    }

    /// Whether an invitation is asked for (it is sent only to an identity with an email address).
    pub fn wants_invitation(&self) -> bool {
        !self.invite.is_empty() && self.invite != "off"
    }

    /// The rules checked before anything is written (the server then checks that the groups exist).
    pub fn validate(&self) -> Vec<FieldError> {
        let names = self.group_names();
        let mut out = Vec::new();
        if names.len() > MAX_GROUPS_ON_CREATE {
            out.push(FieldError::new(
                "groups",
                format!(
                    "At most {MAX_GROUPS_ON_CREATE} groups at once ({} given); add the rest from the identity's page.",
                    names.len()
                ),
            ));
        } else if let Some((name, p)) = names
            .iter()
            .find_map(|n| check_name(n).err().map(|p| (n, p)))
        {
            out.push(FieldError::new(
                "groups",
                format!("“{name}” is not a group name: a name {}.", p.message()),
            ));
        }
        out
    }
}

/// The whole Add identity form: the identity, then what follows its creation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewIdentity {
    pub input: IdentityInput,
    pub then: AfterCreate,
}

impl Default for NewIdentity {
    /// As the form opens: empty, no groups, the invitation ticked.
    fn default() -> Self {
        NewIdentity {
            input: IdentityInput::default(),
            then: AfterCreate {
                invite: "on".into(),
                ..AfterCreate::default()
            },
        }
    }
}

impl NewIdentity {
    /// Every rule of the form, for the browser's check and the server's.
    pub fn validate(&self) -> Vec<FieldError> {
        let mut out = self.input.validate();
        out.extend(self.then.validate());
        out
    }

    /// The fields as (name, value), kept when a plain post fails.
    pub fn pairs(&self) -> Vec<(String, String)> {
        let mut out = self.input.pairs();
        out.extend([
            ("groups".to_string(), self.then.groups.clone()),
            ("invite".to_string(), self.then.invite.clone()),
            ("config".to_string(), self.then.config.clone()),
        ]);
        out
    }

    /// The values kept by [`NewIdentity::pairs`]; missing keys are empty.
    pub fn from_values(get: impl Fn(&str) -> Option<String>) -> NewIdentity {
        let v = |k: &str| get(k).unwrap_or_default();
        NewIdentity {
            input: IdentityInput::from_values(&get),
            then: AfterCreate {
                groups: v("groups"),
                invite: v("invite"),
                config: v("config"),
            },
        }
    }
}

/// One part of an Add identity and how it went.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportLine {
    pub ok: bool,
    pub text: String,
}

/// What Add identity did, part by part, for the new identity's page. Kept in the operator's session (never in the
/// address) until the next identity is added.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreationReport {
    pub realm: String,
    pub identity: String,
    pub lines: Vec<ReportLine>,
}

impl CreationReport {
    pub const SESSION_KEY: &'static str = "creation_report";

    /// Whether every part went well.
    pub fn all_ok(&self) -> bool {
        self.lines.iter().all(|l| l.ok)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_names_are_one_per_line_each_once() {
        let then = AfterCreate {
            groups: "Engineering\n\n  sales \nengineering\r\nSales\nBoard, Advisory".into(),
            ..AfterCreate::default()
        };
        assert_eq!(
            then.group_names(),
            vec!["Engineering", "sales", "Board, Advisory"]
        );
        assert!(then.validate().is_empty());
    }

    #[test]
    fn a_bad_group_name_or_too_many_lands_on_groups() {
        let bad = AfterCreate {
            groups: "Sales\nR&D <core>".into(),
            ..AfterCreate::default()
        };
        let e = bad.validate();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].field, "groups");
        assert!(e[0].message.contains("R&D <core>"), "{}", e[0].message);
        let many = AfterCreate {
            groups: (0..=MAX_GROUPS_ON_CREATE)
                .map(|i| format!("g{i}\n"))
                .collect(),
            ..AfterCreate::default()
        };
        assert_eq!(many.validate()[0].field, "groups");
    }

    #[test]
    fn the_invitation_is_ticked_when_the_form_opens_and_untick_survives_a_flash() {
        assert!(NewIdentity::default().then.wants_invitation());
        assert!(
            !AfterCreate::default().wants_invitation(),
            "a request without the part asks for nothing"
        );
        let typed = NewIdentity {
            input: IdentityInput {
                username: "ada".into(),
                ..IdentityInput::default()
            },
            then: AfterCreate {
                groups: "Sales\nOps".into(),
                invite: String::new(),
                config: "c1".into(),
            },
        };
        let pairs = typed.pairs();
        let back = NewIdentity::from_values(|k| {
            pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
        });
        assert_eq!(back, typed);
        assert!(!back.then.wants_invitation());
    }
}
