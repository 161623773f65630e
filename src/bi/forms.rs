//! The console's form input as BI's request bodies: an identity or group to create, and PATCHes holding only what
//! the operator changed. Here, not in `model`, so the shared model depends on nothing server-side.

use super::wire::{GroupWrite, IdentityWrite};
use crate::model::{optional, GroupInput, IdentityInput, Traits};

/// BI's bodies for a form's input.
pub trait ToBi {
    type Body;
    /// The body of BI's create call.
    fn to_create(&self) -> Self::Body;
    /// BI's PATCH body holding only what differs from `original`; `None` when nothing changed.
    fn to_patch(&self, original: &Self) -> Option<Self::Body>;
}

/// BI's filter for a username lookup: `traits.username eq "…"`, the value escaped as a JSON string (SCIM's string
/// grammar). The only identity filter BI documents.
pub fn username_filter(username: &str) -> String {
    let quoted = serde_json::to_string(username).unwrap_or_else(|_| "\"\"".to_string());
    format!("traits.username eq {quoted}")
}

impl ToBi for IdentityInput {
    type Body = IdentityWrite;
    /// The body of BI's CreateIdentity call.
    fn to_create(&self) -> IdentityWrite {
        IdentityWrite {
            display_name: Some(self.display_name.trim().to_string()),
            status: None,
            traits: Some(Traits {
                username: Some(self.username.trim().to_string()),
                primary_email_address: optional(&self.email),
                external_id: optional(&self.external_id),
                given_name: optional(&self.given_name),
                family_name: optional(&self.family_name),
                ..Traits::default()
            }),
        }
    }

    /// BI's PATCH body holding only what differs from `original`; `None` when nothing changed. A cleared field is
    /// sent as an empty string, which clears it.
    fn to_patch(&self, original: &IdentityInput) -> Option<IdentityWrite> {
        let changed =
            |now: &str, before: &str| (now.trim() != before.trim()).then(|| now.trim().to_string());
        let traits = Traits {
            username: changed(&self.username, &original.username),
            primary_email_address: changed(&self.email, &original.email),
            external_id: changed(&self.external_id, &original.external_id),
            given_name: changed(&self.given_name, &original.given_name),
            family_name: changed(&self.family_name, &original.family_name),
            ..Traits::default()
        };
        let display_name = changed(&self.display_name, &original.display_name);
        let traits_changed = traits != Traits::default();
        if display_name.is_none() && !traits_changed {
            return None;
        }
        Some(IdentityWrite {
            display_name,
            status: None,
            traits: traits_changed.then_some(traits),
        })
    }
}

impl ToBi for GroupInput {
    type Body = GroupWrite;

    /// The body of BI's CreateGroup call.
    fn to_create(&self) -> GroupWrite {
        let description = self.description.trim();
        GroupWrite {
            display_name: Some(self.display_name.trim().to_string()),
            description: (!description.is_empty()).then(|| description.to_string()),
        }
    }

    /// BI's PATCH body with only what differs from `original`; `None` when nothing changed. A cleared description is
    /// sent as an empty string, which clears it.
    fn to_patch(&self, original: &GroupInput) -> Option<GroupWrite> {
        let changed =
            |now: &str, before: &str| (now.trim() != before.trim()).then(|| now.trim().to_string());
        let patch = GroupWrite {
            display_name: changed(&self.display_name, &original.display_name),
            description: changed(&self.description, &original.description),
        };
        (patch != GroupWrite::default()).then_some(patch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_changed_fields_are_sent() {
        let before = IdentityInput {
            display_name: "Ada".into(),
            username: "ada".into(),
            email: "ada@old.example".into(),
            given_name: "Ada".into(),
            ..IdentityInput::default()
        };
        assert_eq!(before.to_patch(&before), None);
        let mut after = before.clone();
        after.email = "ada@new.example".into();
        after.given_name = String::new();
        let patch = after.to_patch(&before).unwrap();
        assert_eq!(patch.display_name, None);
        let traits = patch.traits.unwrap();
        assert_eq!(
            traits.primary_email_address.as_deref(),
            Some("ada@new.example")
        );
        assert_eq!(traits.given_name.as_deref(), Some(""), "cleared");
        assert_eq!(traits.username, None);
        let json = serde_json::to_value(crate::bi::wire::IdentityEnvelope {
            identity: &IdentityInput {
                display_name: "Ada L".into(),
                ..before.clone()
            }
            .to_patch(&before)
            .unwrap(),
        })
        .unwrap();
        assert_eq!(
            json,
            serde_json::json!({"identity": {"display_name": "Ada L"}})
        );
    }

    #[test]
    fn only_changed_group_fields_are_sent() {
        let before = GroupInput {
            display_name: "Ops".into(),
            description: "Operations".into(),
        };
        assert_eq!(before.to_patch(&before), None);
        let after = GroupInput {
            description: String::new(),
            ..before.clone()
        };
        let patch = after.to_patch(&before).unwrap();
        assert_eq!(patch.display_name, None);
        assert_eq!(patch.description.as_deref(), Some(""));
    }

    #[test]
    fn the_username_filter_quotes_its_value() {
        assert_eq!(username_filter("ada"), "traits.username eq \"ada\"");
        assert_eq!(username_filter("a\"b"), "traits.username eq \"a\\\"b\"");
    }
}
