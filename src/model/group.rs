//! Groups and membership: the group form's rules, pasted username lists, and what a membership change did.

use serde::{Deserialize, Serialize};

use super::{
    check_description, check_name, describe_changes, describe_fields, names_list, FieldError,
};

/// A group as BI returns it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    #[serde(default)]
    pub id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub realm_id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub tenant_id: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_time: Option<String>,
}

/// What the group form sends: every field as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupInput {
    pub display_name: String,
    pub description: String,
}

impl GroupInput {
    /// BI's rules, checked before anything is sent: a name of 1–64 characters and a description of at most 300,
    /// neither with BI's forbidden characters.
    pub fn validate(&self) -> Vec<FieldError> {
        let mut out = Vec::new();
        if let Err(p) = check_name(self.display_name.trim()) {
            out.push(FieldError {
                field: "display_name".into(),
                message: format!("Name {}.", p.message()),
            });
        }
        if let Err(p) = check_description(self.description.trim()) {
            out.push(FieldError {
                field: "description".into(),
                message: format!("Description {}.", p.message()),
            });
        }
        out
    }

    pub fn from_group(group: &Group) -> GroupInput {
        GroupInput {
            display_name: group.display_name.clone(),
            description: group.description.clone().unwrap_or_default(),
        }
    }

    /// The fields as (name, value), for a [`super::FormFlash`].
    pub fn pairs(&self) -> Vec<(String, String)> {
        vec![
            ("display_name".to_string(), self.display_name.clone()),
            ("description".to_string(), self.description.clone()),
        ]
    }

    /// The values a [`super::FormFlash`] kept ([`GroupInput::pairs`]); missing keys are empty.
    pub fn from_values(get: impl Fn(&str) -> Option<String>) -> GroupInput {
        GroupInput {
            display_name: get("display_name").unwrap_or_default(),
            description: get("description").unwrap_or_default(),
        }
    }
}

impl GroupInput {
    pub fn describe(&self) -> String {
        describe_fields(&[
            ("Name", &self.display_name),
            ("Description", &self.description),
        ])
    }

    pub fn describe_change(&self, original: &GroupInput) -> String {
        describe_changes(&[
            ("Name", &original.display_name, &self.display_name),
            ("Description", &original.description, &self.description),
        ])
    }
}

/// The most usernames one paste may hold: each is one BI lookup.
pub const MAX_PASTED_USERNAMES: usize = super::limits::MAX_PASTED_USERNAMES;

/// The usernames in a pasted list: split on newlines and commas, trimmed, empty entries dropped, each once
/// (ignoring case, as BI does), in the order given.
pub fn parse_usernames(text: &str) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    text.split(['\n', '\r', ',', ';'])
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .filter(|u| seen.insert(u.to_lowercase()))
        .map(str::to_string)
        .collect()
}

/// The usernames of a paste, or why it cannot be sent (the message for the usernames field). One rule for the
/// dialog and the server.
pub fn check_pasted_usernames(text: &str) -> Result<Vec<String>, String> {
    let names = parse_usernames(text);
    if names.is_empty() {
        return Err("Paste at least one username, one per line or separated by commas.".into());
    }
    if names.len() > MAX_PASTED_USERNAMES {
        return Err(format!(
            "At most {MAX_PASTED_USERNAMES} usernames at a time (this list has {}).",
            names.len()
        ));
    }
    Ok(names)
}

/// What adding or removing members did: who changed, who was already in the wanted state, which usernames BI does
/// not know, and which ids failed and why.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MembershipResult {
    /// How many identities were added (or removed).
    pub changed: usize,
    /// Usernames that were already members (adding) — nothing was sent for them.
    pub already: Vec<String>,
    /// Pasted usernames with no identity in the realm.
    pub unknown: Vec<String>,
    pub failed: Vec<super::BulkFailure>,
    /// BI calls made to change membership (`:addMembers` / `:deleteMembers`).
    pub calls: usize,
    /// The group's name, as BI answered a change.
    #[serde(default)]
    pub group_name: String,
    /// The ids added or removed (server side only: for the audit log).
    #[serde(skip)]
    pub changed_ids: Vec<String>,
}

impl MembershipResult {
    /// One sentence per outcome, e.g. "Added 2 identities." / "Not found: bob, eve."
    pub fn lines(&self, adding: bool) -> Vec<String> {
        let mut out = Vec::new();
        let noun = |n: usize| if n == 1 { "identity" } else { "identities" };
        let verb = if adding { "Added" } else { "Removed" };
        out.push(format!("{verb} {} {}.", self.changed, noun(self.changed)));
        if !self.already.is_empty() {
            out.push(format!(
                "Already members, left as they were: {}.",
                names_list(&self.already)
            ));
        }
        if !self.unknown.is_empty() {
            out.push(format!(
                "No identity with these usernames, not added: {}.",
                names_list(&self.unknown)
            ));
        }
        for f in &self.failed {
            out.push(format!("Failed for {}: {}.", f.id, f.reason));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasted_lists_split_on_newlines_and_commas_once_each() {
        let got = parse_usernames("ada.lovelace, grace.hopper\n\n  alan.turing \r\nADA.LOVELACE,,");
        assert_eq!(got, vec!["ada.lovelace", "grace.hopper", "alan.turing"]);
        assert!(parse_usernames(" \n, ").is_empty());
    }

    #[test]
    fn group_rules() {
        let ok = GroupInput {
            display_name: "Engineering".into(),
            description: "Builds things".into(),
        };
        assert!(ok.validate().is_empty());
        let bad = GroupInput {
            display_name: " ".into(),
            description: "x".repeat(301),
        };
        let errors = bad.validate();
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].field, "display_name");
        assert!(errors[0].message.contains("required"));
        assert_eq!(errors[1].field, "description");
        assert!(errors[1].message.contains("300"), "{}", errors[1].message);
        let forbidden = GroupInput {
            display_name: "Ops; Team".into(),
            description: String::new(),
        };
        assert!(forbidden.validate()[0].message.contains(';'));
    }

    #[test]
    fn results_read_as_sentences() {
        let r = MembershipResult {
            changed: 2,
            unknown: vec!["nobody".into()],
            ..MembershipResult::default()
        };
        assert_eq!(
            r.lines(true),
            vec![
                "Added 2 identities.".to_string(),
                "No identity with these usernames, not added: nobody.".to_string()
            ]
        );
        let many: Vec<String> = (0..12).map(|n| format!("u{n}")).collect();
        assert!(names_list(&many).ends_with("u9 and 2 more"));
    }
}
