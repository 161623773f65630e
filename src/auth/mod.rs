//! Operators: who may sign in (configuration plus `operators.json` in the data directory), argon2 password hashes,
//! the first-run `admin` bootstrap, and sign-in throttling. The web side (sessions, the sign-in page's handlers, the
//! guard every request passes) is in [`web`].

pub mod client_addr;
pub mod sessions;
pub mod throttle;
pub mod web;

use std::path::{Path, PathBuf};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use serde::{Deserialize, Serialize};

use crate::model::Role;
use crate::secret::Secret;

/// Operators added by the CLI or the first-run bootstrap.
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
    #[error("an operator's username must be non-empty, without spaces or ':'")]
    BadUsername,
    #[error("the password must have at least 12 characters")]
    ShortPassword,
}

/// An argon2id hash of `password` in PHC form.
pub fn hash_password(password: &str) -> Result<String, OperatorError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| OperatorError::Hash(e.to_string()))
}

fn verify_hash(hash: &str, password: &str) -> bool {
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

/// Everyone who may sign in: configured operators first, then those in `operators.json`.
#[derive(Debug, Clone)]
pub struct Operators {
    records: Vec<OperatorRecord>,
    /// A hash to verify against when the username is unknown, so both failures take the same time.
    decoy: std::sync::Arc<String>,
}

impl Operators {
    pub fn new(records: Vec<OperatorRecord>) -> Operators {
        Operators {
            records,
            decoy: std::sync::Arc::new(hash_password(&random_password(24)).unwrap_or_default()),
        }
    }

    /// Other records, the same decoy (making one costs a password hash).
    fn with_records(&self, records: Vec<OperatorRecord>) -> Operators {
        Operators {
            records,
            decoy: self.decoy.clone(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The operator named `username` (ignoring case).
    pub fn find(&self, username: &str) -> Option<&OperatorRecord> {
        self.records
            .iter()
            .find(|o| o.username.eq_ignore_ascii_case(username.trim()))
    }

    /// The operator, if the password is theirs. Unknown names cost the same argon2 work as wrong passwords.
    pub fn verify(&self, username: &str, password: &str) -> Option<&OperatorRecord> {
        match self.find(username) {
            Some(o) if verify_hash(&o.password_hash, password) => Some(o),
            Some(_) => None,
            None => {
                let _ = verify_hash(&self.decoy, password);
                None
            }
        }
    }
}

impl OperatorRecord {
    /// A short digest of the operator's credential (their password hash), kept in their sessions: a changed
    /// password makes it differ, which ends those sessions on their next request. (A changed role does not end
    /// them: the role is read afresh on every request.)
    pub fn credential(&self) -> String {
        use blake2::{Blake2s256, Digest};
        Blake2s256::digest(self.password_hash.as_bytes())[..16]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// The operators in force, re-read when `operators.json` changes (its modification time and size are checked on
/// each use, a `stat` call); `CONSOLE_OPERATORS` is fixed for the life of the process and wins over the file.
#[derive(Debug)]
pub struct OperatorBook {
    configured: Vec<OperatorRecord>,
    data_dir: PathBuf,
    current: std::sync::RwLock<(Option<FileStamp>, std::sync::Arc<Operators>)>,
}

/// What identifies a version of the operators file.
type FileStamp = (std::time::SystemTime, u64);

fn stamp(path: &Path) -> Option<FileStamp> {
    let m = std::fs::metadata(path).ok()?;
    Some((m.modified().ok()?, m.len()))
}

fn merged(configured: &[OperatorRecord], on_file: Vec<OperatorRecord>) -> Vec<OperatorRecord> {
    let mut records = configured.to_vec();
    for o in on_file {
        if records
            .iter()
            .all(|c| !c.username.eq_ignore_ascii_case(&o.username))
        {
            records.push(o);
        }
    }
    records
}

impl OperatorBook {
    /// The operators now: the last read, or the file read again when it changed. A file that cannot be read or
    /// parsed keeps the last good list (and says so in the log).
    pub fn current(&self) -> std::sync::Arc<Operators> {
        let path = operators_path(&self.data_dir);
        let now = stamp(&path);
        {
            let cur = self.current.read().expect("lock");
            if cur.0 == now {
                return cur.1.clone();
            }
        }
        let mut cur = self.current.write().expect("lock");
        if cur.0 == now {
            return cur.1.clone();
        }
        match load_file(&self.data_dir) {
            Ok(on_file) => {
                let ops = cur.1.with_records(merged(&self.configured, on_file));
                tracing::info!(
                    operators = ops.records.len(),
                    "operators file changed; operators re-read"
                );
                *cur = (now, std::sync::Arc::new(ops));
            }
            Err(e) => {
                tracing::warn!(error = %e, "operators file changed but cannot be read; keeping the last good list");
                cur.0 = now;
            }
        }
        cur.1.clone()
    }
}

fn operators_path(data_dir: &Path) -> PathBuf {
    data_dir.join(OPERATORS_FILE)
}

/// The operators kept in the data directory.
pub fn load_file(data_dir: &Path) -> Result<Vec<OperatorRecord>, OperatorError> {
    let path = operators_path(data_dir);
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            serde_json::from_str(&text).map_err(|source| OperatorError::Parse { path, source })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(source) => Err(OperatorError::Read { path, source }),
    }
}

fn save_file(data_dir: &Path, records: &[OperatorRecord]) -> Result<(), OperatorError> {
    std::fs::create_dir_all(data_dir).map_err(|source| OperatorError::Write {
        path: data_dir.to_path_buf(),
        source,
    })?;
    let path = operators_path(data_dir);
    let text = serde_json::to_string_pretty(records).expect("serializes");
    crate::files::write_private(&path, &text)
        .map_err(|source| OperatorError::Write { path, source })
}

/// Adds (or replaces the password and role of) an operator in the data directory's operators file.
pub fn add_operator(
    data_dir: &Path,
    username: &str,
    role: Role,
    password: &str,
) -> Result<(), OperatorError> {
    add_operator_in(data_dir, username, role, password, None)
}

/// [`add_operator`], limited to `realms` when given.
pub fn add_operator_in(
    data_dir: &Path,
    username: &str,
    role: Role,
    password: &str,
    realms: Option<Vec<String>>,
) -> Result<(), OperatorError> {
    let username = username.trim();
    if username.is_empty() || username.contains(':') || username.chars().any(char::is_whitespace) {
        return Err(OperatorError::BadUsername);
    }
    if password.chars().count() < 12 {
        return Err(OperatorError::ShortPassword);
    }
    let mut records = load_file(data_dir)?;
    records.retain(|o| !o.username.eq_ignore_ascii_case(username));
    records.push(OperatorRecord {
        username: username.to_string(),
        role,
        password_hash: hash_password(password)?,
        realms,
    });
    save_file(data_dir, &records)
}

/// The bootstrap's outcome: the admin's one-time password, when one was made now.
pub struct Bootstrap {
    pub password: Option<Secret>,
    pub password_file: PathBuf,
}

/// With no operator configured or on file, creates `admin` with a random password, keeps its hash in the operators
/// file and the password in [`BOOTSTRAP_PASSWORD_FILE`] (owner-only). Answers the operators who may sign in.
pub fn load_or_bootstrap(
    data_dir: &Path,
    configured: &[OperatorRecord],
) -> Result<(OperatorBook, Bootstrap), OperatorError> {
    let password_file = data_dir.join(BOOTSTRAP_PASSWORD_FILE);
    let mut password = None;
    if merged(configured, load_file(data_dir)?).is_empty() {
        let made = random_password(20);
        add_operator(data_dir, "admin", Role::Admin, &made)?;
        crate::files::write_private(&password_file, &format!("{made}\n")).map_err(|source| {
            OperatorError::Write {
                path: password_file.clone(),
                source,
            }
        })?;
        password = Some(Secret::new(made));
    }
    let stamp_now = stamp(&operators_path(data_dir));
    let records = merged(configured, load_file(data_dir)?);
    Ok((
        OperatorBook {
            configured: configured.to_vec(),
            data_dir: data_dir.to_path_buf(),
            current: std::sync::RwLock::new((
                stamp_now,
                std::sync::Arc::new(Operators::new(records)),
            )),
        },
        Bootstrap {
            password,
            password_file,
        },
    ))
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

    #[test]
    fn first_run_creates_an_admin_once() {
        let dir = std::env::temp_dir().join(format!("bi-console-auth-{:x}", rand::random::<u64>()));
        let (ops, boot) = load_or_bootstrap(&dir, &[]).unwrap();
        let password = boot.password.expect("made now");
        assert!(ops.current().verify("admin", password.expose()).is_some());
        let on_file = std::fs::read_to_string(&boot.password_file).unwrap();
        assert_eq!(on_file.trim(), password.expose());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&boot.password_file)
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let (again, boot) = load_or_bootstrap(&dir, &[]).unwrap();
        assert!(boot.password.is_none(), "only on the first run");
        assert!(again.current().verify("admin", password.expose()).is_some());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_operators_file_is_read_again_when_it_changes() {
        let dir = std::env::temp_dir().join(format!("bi-console-auth-{:x}", rand::random::<u64>()));
        let (book, boot) = load_or_bootstrap(&dir, &[]).unwrap();
        let admin_password = boot.password.unwrap();
        let before = book.current().find("admin").unwrap().credential();
        add_operator(&dir, "grace", Role::Viewer, "a long password here").unwrap();
        let ops = book.current();
        assert_eq!(ops.find("grace").unwrap().role, Role::Viewer);
        add_operator(&dir, "admin", Role::Admin, "another long password").unwrap();
        let ops = book.current();
        assert!(ops.verify("admin", admin_password.expose()).is_none());
        assert_ne!(
            ops.find("admin").unwrap().credential(),
            before,
            "a new password, a new credential"
        );
        add_operator(&dir, "grace", Role::Helpdesk, "a long password here").unwrap();
        assert_eq!(book.current().find("grace").unwrap().role, Role::Helpdesk);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
