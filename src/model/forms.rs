//! BI's rules for names and descriptions, the email shape check, and the one-time flash that hands a failed plain
//! form post back to its form.

use serde::{Deserialize, Serialize};

use super::AppError;

/// Longest display name or username BI accepts, in characters.
pub const MAX_NAME_CHARS: usize = 64;
/// Longest group description BI accepts, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 300;
/// The longest email address (RFC 5321's path limit).
pub const MAX_EMAIL_CHARS: usize = 254;
/// The longest value of any other trait: BI documents no bound for them, and the console and its sandbox keep one
/// so no write carries megabytes in a field.
pub const MAX_TRAIT_CHARS: usize = 1_024;
/// Characters BI's pattern `^[^{}[\]<>;:?\\/|*^%$#=~`!]*$` forbids in names, usernames and descriptions.
pub const FORBIDDEN_CHARS: &str = "{}[]<>;:?\\/|*^%$#=~`!";

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

#[cfg(feature = "ssr")]
pub fn optional(value: &str) -> Option<String> {
    let v = value.trim();
    (!v.is_empty()).then(|| v.to_string())
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
    /// Where the flash waits in the operator's session.
    pub const SESSION_KEY: &'static str = "form_flash";

    /// The value typed into `name`.
    pub fn get(&self, name: &str) -> Option<String> {
        self.values
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
