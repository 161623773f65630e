//! Operators: who may sign in (`CONSOLE_OPERATORS`, `operators.json` in the data directory and the console's
//! database: the [`OperatorBook`]), argon2 password hashes, the first-run `admin` bootstrap, and sign-in throttling. The web side (sessions, the sign-in page's handlers, the
//! guard every request passes) is in [`web`].

mod book;
pub mod bi;
pub mod client_addr;
pub mod passkeys;
pub mod passkey_flow;
mod paths;
pub mod sessions;
mod sign_in;
mod step_up;
pub mod throttle;
pub mod web;

use std::path::PathBuf;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use serde::{Deserialize, Serialize};

use crate::model::Role;

pub use book::{
    add_operator, add_operator_in, keep_operator, load_file, load_or_bootstrap, new_record, remove_operator, Bootstrap,
    Kept, OperatorBook, OperatorStore, Operators,
};

/// Operators kept in the data directory (installs from before the console's database kept them, and tests).
pub const OPERATORS_FILE: &str = "operators.json";
/// The bootstrap admin's password, readable by the owner only; delete it once read.
pub const BOOTSTRAP_PASSWORD_FILE: &str = "admin-password.txt";

/// An operator who may sign in. The hash is argon2 in PHC form; it is not a secret by itself but is never shown.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct OperatorRecord {
    pub username: String,
    pub role: Role,
    pub password_hash: String,
    /// The realms this operator may use (ids); absent: every realm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub realms: Option<Vec<String>>,
}

impl std::fmt::Debug for OperatorRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OperatorRecord")
            .field("username", &self.username)
            .field("role", &self.role)
            .field("password_hash", &"***")
            .field("realms", &self.realms)
            .finish()
    }
}

/// Realm ids separated by commas: `r1,r2` (empty parts ignored).
pub fn parse_realms(list: &str) -> Vec<String> {
    list.split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_string)
        .collect()
}

/// `username:role:hash` entries, optionally `username:role:hash:realm1,realm2` (the realms the operator may use),
/// separated by whitespace (argon2's PHC strings hold no spaces or colons).
pub fn parse_operators(list: &str) -> Result<Vec<OperatorRecord>, String> {
    let mut out: Vec<OperatorRecord> = Vec::new();
    for entry in list.split_whitespace() {
        let mut parts = entry.splitn(4, ':');
        let (Some(username), Some(role), Some(hash)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(format!(
                "has an entry that is not username:role:hash (near '{}')",
                entry.split(':').next().unwrap_or_default()
            ));
        };
        let realms = parts.next().map(parse_realms);
        let role = Role::parse(role).ok_or_else(|| {
            format!("gives {username} the role '{role}'; expected admin, helpdesk or viewer")
        })?;
        if PasswordHash::new(hash).is_err() {
            return Err(format!(
                "has a password hash for {username} that is not an argon2 PHC string (make one with `bi-console hash-password`)"
            ));
        }
        if out
            .iter()
            .any(|o| o.username.eq_ignore_ascii_case(username))
        {
            return Err(format!("names {username} twice"));
        }
        if username.eq_ignore_ascii_case(crate::model::CLI_OPERATOR) {
            return Err(format!(
                "names an operator {username}: that name is the command line's in the audit log; choose another"
            ));
        }
        out.push(OperatorRecord {
            username: username.to_string(),
            role,
            password_hash: hash.to_string(),
            realms,
        });
    }
    Ok(out)
}

/// What can go wrong with the operators file and passwords.
#[derive(Debug, thiserror::Error)]
pub enum OperatorError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} is not a valid operators file: {source}", path.display())]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot hash the password: {0}")]
    Hash(String),
    #[error("an operator's username must be non-empty, without spaces or ':', and not 'cli' (the command line's name in the audit log)")]
    BadUsername,
    #[error("the password must have at least 12 characters")]
    ShortPassword,
    #[error("{0}")]
    Store(#[from] crate::store::StoreError),
}

/// An argon2id hash of `password` in PHC form.
pub fn hash_password(password: &str) -> Result<String, OperatorError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| OperatorError::Hash(e.to_string()))
}

pub(crate) fn verify_hash(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A random password of `len` characters from an unambiguous alphabet.
pub fn random_password(len: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    (0..len)
        .map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char)
        .collect()
}


#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_unknown_names_fail_the_same_way() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        let ops = Operators::new(parse_operators(&format!("ada:admin:{hash}")).unwrap());
        assert!(ops.verify("ada", "correct horse battery").is_some());
        assert!(ops.verify("ADA", "correct horse battery").is_some());
        assert!(ops.verify("ada", "wrong").is_none());
        assert!(ops.verify("nobody", "correct horse battery").is_none());
        let shown = format!("{:?}", ops.find("ada").unwrap());
        assert!(!shown.contains("argon2"), "{shown}");
    }

    #[test]
    fn operator_lists_are_checked() {
        let hash = hash_password("x").unwrap();
        let scoped =
            parse_operators(&format!("ada:helpdesk:{hash}:r1,r2 grace:viewer:{hash}")).unwrap();
        assert_eq!(
            scoped[0].realms,
            Some(vec!["r1".to_string(), "r2".to_string()])
        );
        assert_eq!(scoped[1].realms, None);
        assert!(parse_operators(&format!("ada:admin:{hash}\n grace:viewer:{hash}")).is_ok());
        assert!(parse_operators("ada:admin")
            .unwrap_err()
            .contains("username:role:hash"));
        assert!(parse_operators(&format!("ada:root:{hash}"))
            .unwrap_err()
            .contains("root"));
        assert!(parse_operators("ada:admin:plaintext")
            .unwrap_err()
            .contains("argon2"));
        assert!(
            parse_operators(&format!("ada:admin:{hash} ADA:viewer:{hash}"))
                .unwrap_err()
                .contains("twice")
        );
    }
}
