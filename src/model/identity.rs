//! Identities: BI's `Identity` and `Traits_v0`, enrollment states in words, and the identity form (its rules, its
//! round trip through a flash, and how a change reads in the audit log).

use serde::{Deserialize, Serialize};

use super::{
    capitalize, check_name, describe_changes, describe_fields, looks_like_email, FieldError,
    MAX_NAME_CHARS, TRAITS_V0,
};

fn default_traits_type() -> String {
    TRAITS_V0.to_string()
}

/// `Traits_v0`: every documented trait, each optional.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Traits {
    #[serde(rename = "type", default = "default_traits_type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_email_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secondary_email_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formatted_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub honorific_prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub honorific_suffix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nick_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secondary_phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_language: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formatted_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locality: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employee_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_center: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub division: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager_name: Option<String>,
}

impl Default for Traits {
    fn default() -> Self {
        Traits {
            kind: default_traits_type(),
            username: None,
            primary_email_address: None,
            secondary_email_address: None,
            external_id: None,
            family_name: None,
            given_name: None,
            formatted_name: None,
            middle_name: None,
            honorific_prefix: None,
            honorific_suffix: None,
            nick_name: None,
            title: None,
            primary_phone: None,
            secondary_phone: None,
            profile_url: None,
            photo: None,
            preferred_language: None,
            locale: None,
            timezone: None,
            formatted_address: None,
            street_address: None,
            locality: None,
            region: None,
            postal_code: None,
            country: None,
            user_type: None,
            employee_number: None,
            cost_center: None,
            organization: None,
            division: None,
            department: None,
            manager_id: None,
            manager_name: None,
        }
    }
}

impl Traits {
    /// The traits that are set, other than those the console shows on their own (username, emails' primary,
    /// external id, given and family name), as ("Primary phone", value) pairs.
    pub fn other_traits(&self) -> Vec<(String, String)> {
        const OWN: [&str; 6] = [
            "type",
            "username",
            "primary_email_address",
            "external_id",
            "given_name",
            "family_name",
        ];
        let Ok(serde_json::Value::Object(map)) = serde_json::to_value(self) else {
            return Vec::new();
        };
        map.into_iter()
            .filter(|(k, _)| !OWN.contains(&k.as_str()))
            .filter_map(|(k, v)| {
                let value = v.as_str()?.to_string();
                (!value.is_empty()).then(|| (sentence_label(&k), value))
            })
            .collect()
    }
}

/// `primary_phone` → "Primary phone".
fn sentence_label(key: &str) -> String {
    capitalize(&key.replace('_', " "))
}

/// An identity as BI returns it. `status` is `active` or `suspended`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    #[serde(default)]
    pub id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub realm_id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub tenant_id: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default)]
    pub traits: Traits,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enrollment_status: Option<String>,
}

impl Identity {
    pub fn username(&self) -> &str {
        self.traits.username.as_deref().unwrap_or("")
    }

    pub fn email(&self) -> &str {
        self.traits.primary_email_address.as_deref().unwrap_or("")
    }

    pub fn is_suspended(&self) -> bool {
        self.status.as_deref() == Some(STATUS_SUSPENDED)
    }
}

pub const STATUS_ACTIVE: &str = "active";
pub const STATUS_SUSPENDED: &str = "suspended";

/// BI's enrollment status in words: `ENROLLED` → "Enrolled", `PENDING` → "Invitation pending", `INVITE_FAILED` →
/// "Invitation failed", `UNENROLLED` → "Not enrolled"; anything else in sentence case.
pub fn enrollment_label(status: &str) -> String {
    match known_enrollment_label(status) {
        Some(label) => label.to_string(),
        None => capitalize(&status.to_ascii_lowercase().replace('_', " ")),
    }
}

/// The label of an enrollment status the console knows (and of none: ""), without allocating.
pub fn known_enrollment_label(status: &str) -> Option<&'static str> {
    match status {
        "ENROLLED" => Some("Enrolled"),
        "PENDING" => Some("Invitation pending"),
        "INVITE_FAILED" => Some("Invitation failed"),
        "UNENROLLED" => Some("Not enrolled"),
        "" => Some(""),
        _ => None,
    }
}

/// What the Add identity form sends: every field as typed (empty = not given).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityInput {
    pub display_name: String,
    pub username: String,
    pub email: String,
    pub external_id: String,
    pub given_name: String,
    pub family_name: String,
}

impl Traits {
    /// The traits longer than their bound ([`MAX_EMAIL_CHARS`] for email addresses, [`MAX_TRAIT_CHARS`] for the
    /// rest): (BI's name of the trait, its bound).
    pub fn too_long(&self) -> Vec<(String, usize)> {
        let Ok(serde_json::Value::Object(fields)) = serde_json::to_value(self) else {
            return Vec::new();
        };
        fields
            .into_iter()
            .filter_map(|(name, value)| {
                let max = if name.ends_with("email_address") {
                    super::forms::MAX_EMAIL_CHARS
                } else {
                    super::forms::MAX_TRAIT_CHARS
                };
                let text = value.as_str()?;
                (text.chars().count() > max).then_some((name, max))
            })
            .collect()
    }
}

impl IdentityInput {
    /// The rules BI applies, checked before anything is sent: required fields, 1–64 characters, BI's forbidden
    /// characters, an email shape. One message per field, in words for the operator.
    pub fn validate(&self) -> Vec<FieldError> {
        let mut out = Vec::new();
        let mut push = |field: &str, message: String| {
            out.push(FieldError {
                field: field.to_string(),
                message,
            })
        };
        if let Err(p) = check_name(self.display_name.trim()) {
            push("display_name", format!("Name {}.", p.message()));
        }
        if let Err(p) = check_name(self.username.trim()) {
            push("username", format!("Username {}.", p.message()));
        }
        let email = self.email.trim();
        if email.chars().count() > super::forms::MAX_EMAIL_CHARS {
            push(
                "email",
                format!(
                    "An email address is at most {} characters.",
                    super::forms::MAX_EMAIL_CHARS
                ),
            );
        } else if !email.is_empty() && !looks_like_email(email) {
            push(
                "email",
                "Enter an email address like name@example.com.".to_string(),
            );
        }
        if self.external_id.trim().chars().count() > super::forms::MAX_TRAIT_CHARS {
            push(
                "external_id",
                format!(
                    "External ID must be at most {} characters.",
                    super::forms::MAX_TRAIT_CHARS
                ),
            );
        }
        for (field, label, value) in [
            ("given_name", "Given name", &self.given_name),
            ("family_name", "Family name", &self.family_name),
        ] {
            if value.trim().chars().count() > MAX_NAME_CHARS {
                push(
                    field,
                    format!("{label} must be at most {MAX_NAME_CHARS} characters."),
                );
            }
        }
        out
    }
}

impl IdentityInput {
    /// The form's starting values for an existing identity.
    pub fn from_identity(identity: &Identity) -> IdentityInput {
        let t = &identity.traits;
        let s = |v: &Option<String>| v.clone().unwrap_or_default();
        IdentityInput {
            display_name: identity.display_name.clone(),
            username: s(&t.username),
            email: s(&t.primary_email_address),
            external_id: s(&t.external_id),
            given_name: s(&t.given_name),
            family_name: s(&t.family_name),
        }
    }
}

impl IdentityInput {
    /// `?display_name=…&…&error=<json>`: the typed values and the error, for a form re-rendered from its URL.
    /// The fields as (name, value), for a [`FormFlash`].
    pub fn pairs(&self) -> Vec<(String, String)> {
        [
            ("display_name", &self.display_name),
            ("username", &self.username),
            ("email", &self.email),
            ("external_id", &self.external_id),
            ("given_name", &self.given_name),
            ("family_name", &self.family_name),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
    }

    /// The values a [`FormFlash`] kept ([`IdentityInput::pairs`]); missing keys are empty.
    pub fn from_values(get: impl Fn(&str) -> Option<String>) -> IdentityInput {
        let v = |k: &str| get(k).unwrap_or_default();
        IdentityInput {
            display_name: v("display_name"),
            username: v("username"),
            email: v("email"),
            external_id: v("external_id"),
            given_name: v("given_name"),
            family_name: v("family_name"),
        }
    }
}

impl IdentityInput {
    fn labelled(&self) -> [(&'static str, &str); 6] {
        [
            ("Name", &self.display_name),
            ("Username", &self.username),
            ("Email", &self.email),
            ("External ID", &self.external_id),
            ("Given name", &self.given_name),
            ("Family name", &self.family_name),
        ]
    }

    /// What was submitted, for the audit log.
    pub fn describe(&self) -> String {
        describe_fields(&self.labelled())
    }

    /// Before → after of each changed field, for the audit log.
    pub fn describe_change(&self, original: &IdentityInput) -> String {
        let now = self.labelled();
        let before = original.labelled();
        let rows: Vec<(&str, &str, &str)> = now
            .iter()
            .zip(before.iter())
            .map(|((k, a), (_, b))| (*k, *b, *a))
            .collect();
        describe_changes(&rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AppError, FormFlash, GroupInput};

    #[test]
    fn enrollment_states_read_as_words() {
        assert_eq!(enrollment_label("ENROLLED"), "Enrolled");
        assert_eq!(enrollment_label("INVITE_FAILED"), "Invitation failed");
        assert_eq!(enrollment_label("UNENROLLED"), "Not enrolled");
        assert_eq!(enrollment_label("SOME_NEW_STATE"), "Some new state");
        assert_eq!(enrollment_label(""), "");
    }
    #[test]
    fn other_traits_are_labelled() {
        let t = Traits {
            username: Some("ada".into()),
            primary_phone: Some("+44 20 0000".into()),
            title: Some("Analyst".into()),
            locale: Some(String::new()),
            ..Traits::default()
        };
        let other = t.other_traits();
        assert!(other.contains(&("Primary phone".to_string(), "+44 20 0000".to_string())));
        assert!(other.contains(&("Title".to_string(), "Analyst".to_string())));
        assert_eq!(other.len(), 2);
    }

    #[test]
    fn identity_tolerates_unknown_and_missing_fields() {
        let json = r#"{"id":"x","display_name":"X","traits":{"type":"traits_v0","username":"x","future":1},"extra":true}"#;
        let identity: Identity = serde_json::from_str(json).unwrap();
        assert_eq!(identity.username(), "x");
        assert_eq!(identity.status, None);
        let traits: Traits = serde_json::from_str("{}").unwrap();
        assert_eq!(traits.kind, TRAITS_V0);
    }

    fn input(name: &str, username: &str, email: &str) -> IdentityInput {
        IdentityInput {
            display_name: name.into(),
            username: username.into(),
            email: email.into(),
            ..IdentityInput::default()
        }
    }

    #[test]
    fn a_complete_identity_passes() {
        assert!(input("Ada Lovelace", "ada", "ada@example.com")
            .validate()
            .is_empty());
        assert!(
            input("Zoë", "zoë", "").validate().is_empty(),
            "email is optional"
        );
    }

    #[test]
    fn each_problem_lands_on_its_field() {
        let errors = input("", "ada;", "not-an-email").validate();
        let by_field: Vec<(&str, &str)> = errors
            .iter()
            .map(|e| (e.field.as_str(), e.message.as_str()))
            .collect();
        assert_eq!(
            by_field,
            vec![
                ("display_name", "Name is required."),
                ("username", "Username must not contain ;."),
                ("email", "Enter an email address like name@example.com."),
            ]
        );
        let long = input("Ada", &"u".repeat(65), "").validate();
        assert_eq!(long[0].field, "username");
        assert!(long[0].message.contains("64"));
    }
    #[test]
    fn typed_values_survive_a_round_trip_through_a_flash() {
        let input = IdentityInput {
            display_name: "Zoë & Co".into(),
            username: "zoë;".into(),
            ..IdentityInput::default()
        };
        let flash = FormFlash {
            path: "/realms/r/identities/new".into(),
            values: input.pairs(),
            error: AppError::with_fields("fix it", input.validate()),
        };
        let back: FormFlash =
            serde_json::from_str(&serde_json::to_string(&flash).unwrap()).unwrap();
        assert_eq!(IdentityInput::from_values(|k| back.get(k)), input);
        assert_eq!(back.error, flash.error);
        let group = GroupInput {
            display_name: "Ops".into(),
            description: "on call".into(),
        };
        let pairs = group.pairs();
        let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        assert_eq!(GroupInput::from_values(get), group);
    }
    #[test]
    fn audit_details_name_the_changes() {
        let before = IdentityInput {
            display_name: "Ada".into(),
            username: "ada".into(),
            email: "ada@old.example".into(),
            ..IdentityInput::default()
        };
        let after = IdentityInput {
            email: "ada@new.example".into(),
            ..before.clone()
        };
        assert_eq!(
            before.describe(),
            "Name: Ada; Username: ada; Email: ada@old.example"
        );
        assert_eq!(
            after.describe_change(&before),
            "Email: \u{201c}ada@old.example\u{201d} → \u{201c}ada@new.example\u{201d}"
        );
    }
}
