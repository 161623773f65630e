//! The operator book: everyone who may sign in, from three sources, first wins for a username —
//! `CONSOLE_OPERATORS` (fixed for the life of the process), `operators.json` in the data directory (read again when
//! it changes), and the console's database ([`OperatorStore`], shared by every replica, read again when its
//! generation moves). The first start makes `admin` once, whichever replica gets there first.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use super::{hash_password, random_password, verify_hash, OperatorError, OperatorRecord, OPERATORS_FILE};
use crate::model::Role;
use crate::secret::Secret;
use crate::store::Fut;

/// Operators kept in the console's database (implemented in `db`).
pub trait OperatorStore: Send + Sync {
    /// A number every change moves: the list is read again only when it moved.
    fn generation(&self) -> Fut<'_, i64>;
    /// Every operator kept, with the generation they were read at.
    fn operators(&self) -> Fut<'_, (i64, Vec<OperatorRecord>)>;
    /// Adds `record`, or replaces the operator of that name (ignoring case).
    fn put<'a>(&'a self, record: &'a OperatorRecord) -> Fut<'a, ()>;
    /// Adds `record` only while no operator is kept at all; answers whether it was added. Of replicas starting at
    /// once, one adds it.
    fn put_first<'a>(&'a self, record: &'a OperatorRecord) -> Fut<'a, bool>;
    /// Removes the operator of that name; answers whether there was one.
    fn remove<'a>(&'a self, username: &'a str) -> Fut<'a, bool>;
}

/// Everyone who may sign in, as the book says now.
#[derive(Debug, Clone)]
pub struct Operators {
    records: Vec<OperatorRecord>,
    /// A hash to verify against when the username is unknown, so both failures take the same time.
    decoy: Arc<String>,
}

impl Operators {
    pub fn new(records: Vec<OperatorRecord>) -> Operators {
        Operators {
            records,
            decoy: Arc::new(hash_password(&random_password(24)).unwrap_or_default()),
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

/// What identifies a version of the operators file.
type FileStamp = (std::time::SystemTime, u64);

fn stamp(path: &Path) -> Option<FileStamp> {
    let m = std::fs::metadata(path).ok()?;
    Some((m.modified().ok()?, m.len()))
}

/// The sources in order, first wins for a username.
fn merged(sources: [&[OperatorRecord]; 3]) -> Vec<OperatorRecord> {
    let mut records: Vec<OperatorRecord> = Vec::new();
    for o in sources.into_iter().flatten() {
        if records
            .iter()
            .all(|c| !c.username.eq_ignore_ascii_case(&o.username))
        {
            records.push(o.clone());
        }
    }
    records
}

/// What the book last read from each source that changes.
#[derive(Clone)]
struct Held {
    file_stamp: Option<FileStamp>,
    on_file: Vec<OperatorRecord>,
    generation: Option<i64>,
    in_db: Vec<OperatorRecord>,
    operators: Arc<Operators>,
}

/// The operators in force: on each use, the file's modification time and size (a `stat` call) and the database's
/// generation (one small query) say whether to read either again. `CONSOLE_OPERATORS` wins over both.
pub struct OperatorBook {
    configured: Vec<OperatorRecord>,
    data_dir: PathBuf,
    store: Option<Arc<dyn OperatorStore>>,
    held: RwLock<Held>,
}

impl std::fmt::Debug for OperatorBook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OperatorBook")
            .field("configured", &self.configured.len())
            .field("data_dir", &self.data_dir)
            .field("store", &self.store.is_some())
            .finish()
    }
}

impl OperatorBook {
    /// The operators now. A source that cannot be read keeps what it last gave (and says so in the log).
    pub async fn current(&self) -> Arc<Operators> {
        let held = self.held.read().expect("lock").clone();
        let file_stamp = stamp(&self.data_dir.join(OPERATORS_FILE));
        let generation = match &self.store {
            Some(store) => match store.generation().await {
                Ok(g) => Some(g),
                Err(e) => {
                    tracing::warn!(error = %e, "the operators in the database cannot be read; keeping the last list");
                    held.generation
                }
            },
            None => None,
        };
        if held.file_stamp == file_stamp && held.generation == generation {
            return held.operators;
        }
        let mut next = held.clone();
        if held.file_stamp != file_stamp {
            next.file_stamp = file_stamp;
            match load_file(&self.data_dir) {
                Ok(on_file) => next.on_file = on_file,
                Err(e) => tracing::warn!(error = %e, "operators file changed but cannot be read; keeping the last good list"),
            }
        }
        if held.generation != generation {
            if let Some(store) = &self.store {
                match store.operators().await {
                    Ok((g, in_db)) => {
                        next.generation = Some(g);
                        next.in_db = in_db;
                    }
                    Err(e) => tracing::warn!(error = %e, "the operators in the database cannot be read; keeping the last list"),
                }
            }
        }
        let records = merged([&self.configured, &next.on_file, &next.in_db]);
        tracing::info!(operators = records.len(), "operators changed; operators read again");
        next.operators = Arc::new(held.operators.with_records(records));
        *self.held.write().expect("lock") = next.clone();
        next.operators
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

/// A new operator's record: the username checked, the password (at least 12 characters) hashed.
pub fn new_record(
    username: &str,
    role: Role,
    password: &str,
    realms: Option<Vec<String>>,
) -> Result<OperatorRecord, OperatorError> {
    let username = username.trim();
    if username.is_empty()
        || username.contains(':')
        || username.chars().any(char::is_whitespace)
        || username.eq_ignore_ascii_case(crate::model::CLI_OPERATOR)
    {
        return Err(OperatorError::BadUsername);
    }
    if password.chars().count() < 12 {
        return Err(OperatorError::ShortPassword);
    }
    Ok(OperatorRecord {
        username: username.to_string(),
        role,
        password_hash: hash_password(password)?,
        realms,
    })
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
    let record = new_record(username, role, password, realms)?;
    put_on_file(data_dir, record)
}

fn put_on_file(data_dir: &Path, record: OperatorRecord) -> Result<(), OperatorError> {
    let mut records = load_file(data_dir)?;
    records.retain(|o| !o.username.eq_ignore_ascii_case(&record.username));
    records.push(record);
    save_file(data_dir, &records)
}

/// Where [`keep_operator`] kept an operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kept {
    /// In `operators.json`: the data directory has one, so that install keeps its operators there.
    File,
    /// In the console's database, for every replica.
    Database,
}

/// Keeps `record` where this install keeps its operators: in `operators.json` when the data directory has one
/// (the file is the source its operators chose), else in the console's database.
pub async fn keep_operator(
    data_dir: &Path,
    store: &dyn OperatorStore,
    record: OperatorRecord,
) -> Result<Kept, OperatorError> {
    if operators_path(data_dir).exists() {
        put_on_file(data_dir, record)?;
        return Ok(Kept::File);
    }
    store.put(&record).await?;
    Ok(Kept::Database)
}

/// Removes an operator from wherever this install keeps them (the file when there is one, and the database);
/// answers where one was removed. One named in `CONSOLE_OPERATORS` stays while the setting names them.
pub async fn remove_operator(
    data_dir: &Path,
    store: &dyn OperatorStore,
    username: &str,
) -> Result<Vec<Kept>, OperatorError> {
    let mut removed = Vec::new();
    let mut on_file = load_file(data_dir)?;
    let before = on_file.len();
    on_file.retain(|o| !o.username.eq_ignore_ascii_case(username.trim()));
    if on_file.len() != before {
        save_file(data_dir, &on_file)?;
        removed.push(Kept::File);
    }
    if store.remove(username.trim()).await? {
        removed.push(Kept::Database);
    }
    Ok(removed)
}

/// The bootstrap's outcome: the admin's one-time password, when this process made it.
pub struct Bootstrap {
    pub password: Option<Secret>,
    pub password_file: PathBuf,
}

/// With no operator configured, on file or in the database, creates `admin` with a random password — in the
/// database (once, whichever replica starting at the same time gets there first), or in the operators file when
/// there is no database (tests) — and keeps the password in [`super::BOOTSTRAP_PASSWORD_FILE`] (owner-only).
/// Answers the operators who may sign in.
pub async fn load_or_bootstrap(
    data_dir: &Path,
    configured: &[OperatorRecord],
    store: Option<Arc<dyn OperatorStore>>,
) -> Result<(OperatorBook, Bootstrap), OperatorError> {
    let password_file = data_dir.join(super::BOOTSTRAP_PASSWORD_FILE);
    let on_file = load_file(data_dir)?;
    let in_db = match &store {
        Some(s) => s.operators().await?.1,
        None => Vec::new(),
    };
    let mut password = None;
    if merged([configured, &on_file, &in_db]).is_empty() {
        let made = random_password(20);
        let record = new_record("admin", Role::Admin, &made, None)?;
        let first = match &store {
            Some(s) => s.put_first(&record).await?,
            None => {
                put_on_file(data_dir, record)?;
                true
            }
        };
        if first {
            crate::files::write_private(&password_file, &format!("{made}\n")).map_err(|source| {
                OperatorError::Write {
                    path: password_file.clone(),
                    source,
                }
            })?;
            password = Some(Secret::new(made));
        }
    }
    let book = OperatorBook {
        configured: configured.to_vec(),
        data_dir: data_dir.to_path_buf(),
        store,
        held: RwLock::new(Held {
            file_stamp: None,
            on_file: Vec::new(),
            generation: None,
            in_db: Vec::new(),
            operators: Arc::new(Operators::new(configured.to_vec())),
        }),
    };
    // The first read (a file or a database holds something the empty start differs from); from here on, each use
    // reads again what changed.
    book.current().await;
    Ok((
        book,
        Bootstrap {
            password,
            password_file,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn first_run_creates_an_admin_once() {
        let dir = std::env::temp_dir().join(format!("bi-console-auth-{:x}", rand::random::<u64>()));
        let (ops, boot) = load_or_bootstrap(&dir, &[], None).await.unwrap();
        let password = boot.password.expect("made now");
        assert!(ops.current().await.verify("admin", password.expose()).is_some());
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
        let (again, boot) = load_or_bootstrap(&dir, &[], None).await.unwrap();
        assert!(boot.password.is_none(), "only on the first run");
        assert!(again.current().await.verify("admin", password.expose()).is_some());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test]
    async fn the_operators_file_is_read_again_when_it_changes() {
        let dir = std::env::temp_dir().join(format!("bi-console-auth-{:x}", rand::random::<u64>()));
        let (book, boot) = load_or_bootstrap(&dir, &[], None).await.unwrap();
        let admin_password = boot.password.unwrap();
        let before = book.current().await.find("admin").unwrap().credential();
        add_operator(&dir, "grace", Role::Viewer, "a long password here").unwrap();
        let ops = book.current().await;
        assert_eq!(ops.find("grace").unwrap().role, Role::Viewer);
        add_operator(&dir, "admin", Role::Admin, "another long password").unwrap();
        let ops = book.current().await;
        assert!(ops.verify("admin", admin_password.expose()).is_none());
        assert_ne!(
            ops.find("admin").unwrap().credential(),
            before,
            "a new password, a new credential"
        );
        add_operator(&dir, "grace", Role::Helpdesk, "a long password here").unwrap();
        assert_eq!(book.current().await.find("grace").unwrap().role, Role::Helpdesk);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
