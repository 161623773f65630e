//! Wire and domain types shared by the server and the browser, and the validation rules that a form and the
//! server both apply (one rule, two callers).
//!
//! The types follow BI's Management API v1 (`Identity`, `Traits_v0`, `Group`, `Realm`). Every field BI may omit is
//! optional and unknown fields are ignored, so a newer BI answer still decodes.

use serde::{Deserialize, Serialize};

mod access;
mod group;
pub use access::*;
pub use group::*;

/// The only traits schema BI defines.
pub const TRAITS_V0: &str = "traits_v0";
/// BI's page-size ceiling for every list call.
pub const MAX_PAGE_SIZE: u32 = 200;

/// Bounds on what one request from the browser may ask for (stated in the README). A request over a bound is
/// refused whole (400) before anything is sent to BI.
pub mod limits {
    /// Identities selected for one bulk action or one membership change.
    pub const MAX_SELECTED_IDS: usize = 10_000;
    /// Groups an identity joins in one request.
    pub const MAX_GROUPS_AT_ONCE: usize = 200;
    /// Usernames in one pasted list (each is one lookup at BI).
    pub const MAX_PASTED_USERNAMES: usize = 1_000;
}
/// BI's page size when none is asked for.
pub const DEFAULT_PAGE_SIZE: u32 = 20;
/// BI's ceiling for ids in one `:addMembers`, `:deleteMembers` or `:batchDelete` call.
pub const MAX_BATCH_IDS: usize = 1000;
/// Longest display name or username BI accepts, in characters.
pub const MAX_NAME_CHARS: usize = 64;
/// Longest group description BI accepts, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 300;
/// Characters BI's pattern `^[^{}[\]<>;:?\\/|*^%$#=~`!]*$` forbids in names, usernames and descriptions.
pub const FORBIDDEN_CHARS: &str = "{}[]<>;:?\\/|*^%$#=~`!";

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

/// The text with its first letter in upper case: "deleted" → "Deleted".
pub fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
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

/// One page of a BI list answer, whatever the item type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total_size: u64,
    pub next_page_token: Option<String>,
}

/// A page of a list as the console shows it: numbered pages over BI's `skip` + `page_size`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageView<T> {
    pub items: Vec<T>,
    pub total: u64,
    /// 1-based page number.
    pub page: u32,
    pub size: u32,
}

impl<T> PageView<T> {
    /// "1–25 of 63"; "0 of 0" for an empty list.
    pub fn range_label(&self) -> String {
        range_label(self.page, self.size, self.items.len(), self.total)
    }

    pub fn last_page(&self) -> u32 {
        last_page(self.total, self.size)
    }
}

pub fn range_label(page: u32, size: u32, shown: usize, total: u64) -> String {
    if shown == 0 {
        return format!("0 of {total}");
    }
    let first = u64::from(page.saturating_sub(1)) * u64::from(size) + 1;
    let last = first + shown as u64 - 1;
    format!("{first}\u{2013}{last} of {total}")
}

pub fn last_page(total: u64, size: u32) -> u32 {
    let size = u64::from(size.max(1));
    (total.div_ceil(size)).max(1).min(u64::from(u32::MAX)) as u32
}

/// Rows-per-page choices the console offers.
pub const PAGE_SIZES: [u32; 4] = [25, 50, 100, 200];
pub const DEFAULT_CONSOLE_PAGE_SIZE: u32 = 25;

/// Clamps a page size from a URL to one BI accepts.
pub fn clamp_page_size(size: Option<u32>) -> u32 {
    match size {
        None | Some(0) => DEFAULT_CONSOLE_PAGE_SIZE,
        Some(n) => n.min(MAX_PAGE_SIZE),
    }
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
}

// ---------------------------------------------------------------------------------------------------------------
// Validation: one rule for the form and the server.
// ---------------------------------------------------------------------------------------------------------------

/// Why a name-like value (display name, username, group name) is not accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NameProblem {
    Empty,
    TooLong { max: usize, chars: usize },
    Forbidden(Vec<char>),
}

impl NameProblem {
    /// Words for an operator, e.g. "must not contain ; or !".
    pub fn message(&self) -> String {
        match self {
            NameProblem::Empty => "is required".to_string(),
            NameProblem::TooLong { max, chars } => {
                format!("must be at most {max} characters (this one has {chars})")
            }
            NameProblem::Forbidden(chars) => {
                let list: Vec<String> = chars.iter().map(|c| c.to_string()).collect();
                format!("must not contain {}", list.join(" "))
            }
        }
    }

    /// BI's own wording, as the sandbox answers it.
    pub fn bi_description(&self) -> String {
        match self {
            NameProblem::Empty => "empty string".to_string(),
            NameProblem::TooLong { max, .. } => format!("exceeds maximum length of {max}"),
            NameProblem::Forbidden(_) => "contains invalid characters".to_string(),
        }
    }
}

/// The forbidden characters in `value`, each once, in order of first appearance.
pub fn forbidden_chars(value: &str) -> Vec<char> {
    let mut found = Vec::new();
    for c in value.chars() {
        if FORBIDDEN_CHARS.contains(c) && !found.contains(&c) {
            found.push(c);
        }
    }
    found
}

/// BI's rule for display names and usernames: 1–64 characters, none of [`FORBIDDEN_CHARS`].
pub fn check_name(value: &str) -> Result<(), NameProblem> {
    check_text(value, true, MAX_NAME_CHARS)
}

/// BI's rule for a group description: up to 300 characters, none of [`FORBIDDEN_CHARS`]; may be empty.
pub fn check_description(value: &str) -> Result<(), NameProblem> {
    check_text(value, false, MAX_DESCRIPTION_CHARS)
}

fn check_text(value: &str, required: bool, max: usize) -> Result<(), NameProblem> {
    if required && value.is_empty() {
        return Err(NameProblem::Empty);
    }
    let chars = value.chars().count();
    if chars > max {
        return Err(NameProblem::TooLong { max, chars });
    }
    let bad = forbidden_chars(value);
    if !bad.is_empty() {
        return Err(NameProblem::Forbidden(bad));
    }
    Ok(())
}

/// A plain shape check for an email address: one `@`, something before it, a dot in the domain, no spaces.
pub fn looks_like_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && !value.chars().any(char::is_whitespace)
        && domain
            .split_once('.')
            .is_some_and(|(a, b)| !a.is_empty() && !b.is_empty() && !b.ends_with('.'))
}

/// An error on one form field, in words for the operator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// The error every server function returns: a message for the operator, errors per form field, the BI error code
/// when BI gave one, and a request id that is also in the server log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub message: String,
    #[serde(default)]
    pub fields: Vec<FieldError>,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub status: Option<u16>,
    #[serde(default)]
    pub request_id: Option<String>,
}

impl AppError {
    pub fn new(message: impl Into<String>) -> Self {
        AppError {
            message: message.into(),
            fields: Vec::new(),
            code: None,
            status: None,
            request_id: None,
        }
    }

    pub fn with_fields(message: impl Into<String>, fields: Vec<FieldError>) -> Self {
        AppError {
            fields,
            ..AppError::new(message)
        }
    }

    /// The message for one form field, if any.
    pub fn field(&self, name: &str) -> Option<String> {
        self.fields
            .iter()
            .find(|f| f.field == name)
            .map(|f| f.message.clone())
    }

    /// The message with the request id, for a toast or banner.
    pub fn full_message(&self) -> String {
        match &self.request_id {
            Some(id) => format!("{} (request id {id})", self.message),
            None => self.message.clone(),
        }
    }
}

impl leptos::server_fn::error::FromServerFnError for AppError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        AppError::new(format!(
            "The console could not complete the request: {value}"
        ))
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// What a plain form post that failed hands back to its form, once: the values typed and the error. Kept in the
/// operator's session (never in the address), taken by the next view of the form at `path`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormFlash {
    /// The form's path, e.g. `/realms/r/identities/new`.
    pub path: String,
    /// The form's fields as (name, value).
    pub values: Vec<(String, String)>,
    pub error: AppError,
}

impl FormFlash {
    /// The value typed into `name`.
    pub fn get(&self, name: &str) -> Option<String> {
        self.values
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }
}

/// BI's enrollment status in words: `ENROLLED` → "Enrolled", `PENDING` → "Invitation pending", `INVITE_FAILED` →
/// "Invitation failed", `UNENROLLED` → "Not enrolled"; anything else in sentence case.
pub fn enrollment_label(status: &str) -> String {
    match status {
        "ENROLLED" => "Enrolled".into(),
        "PENDING" => "Invitation pending".into(),
        "INVITE_FAILED" => "Invitation failed".into(),
        "UNENROLLED" => "Not enrolled".into(),
        "" => String::new(),
        other => capitalize(&other.to_lowercase().replace('_', " ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enrollment_states_read_as_words() {
        assert_eq!(enrollment_label("ENROLLED"), "Enrolled");
        assert_eq!(enrollment_label("INVITE_FAILED"), "Invitation failed");
        assert_eq!(enrollment_label("UNENROLLED"), "Not enrolled");
        assert_eq!(enrollment_label("SOME_NEW_STATE"), "Some new state");
        assert_eq!(enrollment_label(""), "");
    }

    #[test]
    fn names_follow_bi_rules() {
        assert_eq!(check_name("Ada Lovelace"), Ok(()));
        assert_eq!(check_name("Zoë Ångström"), Ok(()));
        assert_eq!(check_name(""), Err(NameProblem::Empty));
        assert_eq!(check_name(&"a".repeat(64)), Ok(()));
        assert_eq!(
            check_name(&"é".repeat(65)),
            Err(NameProblem::TooLong { max: 64, chars: 65 })
        );
        assert_eq!(
            check_name("ada!; ada!"),
            Err(NameProblem::Forbidden(vec!['!', ';']))
        );
        for c in FORBIDDEN_CHARS.chars() {
            assert!(
                check_name(&format!("a{c}b")).is_err(),
                "{c} must be refused"
            );
        }
        assert_eq!(
            check_name("ada;").unwrap_err().message(),
            "must not contain ;"
        );
    }

    #[test]
    fn descriptions_may_be_empty_but_not_long() {
        assert_eq!(check_description(""), Ok(()));
        assert_eq!(check_description(&"x".repeat(300)), Ok(()));
        assert!(matches!(
            check_description(&"x".repeat(301)),
            Err(NameProblem::TooLong { max: 300, .. })
        ));
    }

    #[test]
    fn email_shape() {
        assert!(looks_like_email("ada@example.com"));
        assert!(looks_like_email("a.b+c@mail.example.org"));
        assert!(!looks_like_email("ada"));
        assert!(!looks_like_email("ada@"));
        assert!(!looks_like_email("@example.com"));
        assert!(!looks_like_email("ada@example"));
        assert!(!looks_like_email("ada @example.com"));
        assert!(!looks_like_email("a@b@c.com"));
    }

    #[test]
    fn range_labels() {
        assert_eq!(range_label(1, 25, 25, 63), "1\u{2013}25 of 63");
        assert_eq!(range_label(3, 25, 13, 63), "51\u{2013}63 of 63");
        assert_eq!(range_label(1, 25, 0, 0), "0 of 0");
        assert_eq!(last_page(63, 25), 3);
        assert_eq!(last_page(0, 25), 1);
        assert_eq!(last_page(50, 25), 2);
    }

    #[test]
    fn page_sizes_are_clamped() {
        assert_eq!(clamp_page_size(None), 25);
        assert_eq!(clamp_page_size(Some(0)), 25);
        assert_eq!(clamp_page_size(Some(50)), 50);
        assert_eq!(clamp_page_size(Some(5000)), 200);
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
}

/// "2026-11-28T14:03:00.000Z" → "28 Nov 2026"; anything unparseable is returned as it is.
pub fn human_date(rfc3339: &str) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let parts: Vec<&str> = rfc3339.get(..10).unwrap_or("").split('-').collect();
    match parts.as_slice() {
        [y, m, d] if y.len() == 4 => match (m.parse::<usize>(), d.parse::<u32>()) {
            (Ok(m @ 1..=12), Ok(d)) => format!("{d} {} {y}", MONTHS[m - 1]),
            _ => rfc3339.to_string(),
        },
        _ => rfc3339.to_string(),
    }
}

#[cfg(test)]
mod date_tests {
    #[test]
    fn human_dates() {
        assert_eq!(super::human_date("2026-11-28T14:03:00.000Z"), "28 Nov 2026");
        assert_eq!(super::human_date("2022-01-05T00:00:00Z"), "5 Jan 2022");
        assert_eq!(super::human_date("soon"), "soon");
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

#[cfg(feature = "ssr")]
pub fn optional(value: &str) -> Option<String> {
    let v = value.trim();
    (!v.is_empty()).then(|| v.to_string())
}

/// The message above a form whose fields have errors.
pub const FIX_FIELDS: &str = "Some values need attention; see the fields marked below.";

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
        if !email.is_empty() && !looks_like_email(email) {
            push(
                "email",
                "Enter an email address like name@example.com.".to_string(),
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

#[cfg(test)]
mod input_tests {
    use super::*;

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

/// A change applied to several identities at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BulkOp {
    Suspend,
    Unsuspend,
    Delete,
}

impl BulkOp {
    /// "Delete", "Suspend", "Unsuspend".
    pub fn verb(self) -> &'static str {
        match self {
            BulkOp::Suspend => "Suspend",
            BulkOp::Unsuspend => "Unsuspend",
            BulkOp::Delete => "Delete",
        }
    }

    /// "deleted", "suspended", "unsuspended".
    pub fn past(self) -> &'static str {
        match self {
            BulkOp::Suspend => "suspended",
            BulkOp::Unsuspend => "unsuspended",
            BulkOp::Delete => "deleted",
        }
    }
}

/// One identity a bulk change could not be applied to, and why (BI's message).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkFailure {
    pub id: String,
    pub reason: String,
}

/// What a bulk change did: how many succeeded, which failed and why.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkResult {
    pub succeeded: usize,
    pub failed: Vec<BulkFailure>,
}

/// "Delete 3 identities: ada, grace, alan" (at most ten names, then "and N more").
pub fn bulk_summary(op: BulkOp, names: &[String]) -> String {
    let count = names.len();
    let noun = if count == 1 { "identity" } else { "identities" };
    format!("{} {count} {noun}: {}", op.verb(), names_list(names))
}

#[cfg(test)]
mod bulk_tests {
    use super::*;

    #[test]
    fn summaries_name_who_is_affected() {
        let names: Vec<String> = ["ada", "grace", "alan"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            bulk_summary(BulkOp::Delete, &names),
            "Delete 3 identities: ada, grace, alan"
        );
        assert_eq!(
            bulk_summary(BulkOp::Suspend, &names[..1]),
            "Suspend 1 identity: ada"
        );
        let many: Vec<String> = (0..12).map(|n| format!("u{n}")).collect();
        assert!(bulk_summary(BulkOp::Unsuspend, &many).ends_with("u9 and 2 more"));
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

#[cfg(test)]
mod flash_tests {
    use super::*;

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
}

/// "Label: value; …" of the non-empty fields, for the audit log.
fn describe_fields(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}: {}", v.trim()))
        .collect::<Vec<_>>()
        .join("; ")
}

/// "Label: before → after; …" of the fields that differ, for the audit log.
fn describe_changes(fields: &[(&str, &str, &str)]) -> String {
    fields
        .iter()
        .filter(|(_, before, after)| before.trim() != after.trim())
        .map(|(k, before, after)| {
            format!(
                "{k}: \u{201c}{}\u{201d} → \u{201c}{}\u{201d}",
                before.trim(),
                after.trim()
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
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

impl BulkResult {
    /// "suspend: 3 succeeded, 1 failed (abc: not found)", for the audit log.
    pub fn describe(&self, op: BulkOp) -> String {
        let mut out = format!(
            "{}: {} succeeded, {} failed",
            op.verb().to_lowercase(),
            self.succeeded,
            self.failed.len()
        );
        if !self.failed.is_empty() {
            let shown: Vec<String> = self
                .failed
                .iter()
                .take(20)
                .map(|f| format!("{}: {}", f.id, f.reason))
                .collect();
            out.push_str(&format!(" ({})", shown.join(", ")));
        }
        out
    }
}

#[cfg(test)]
mod describe_tests {
    use super::*;

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
