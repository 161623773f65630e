//! The command-line tools: hashing a password, adding an operator, resetting the sandbox, migrating the database.

use crate::config::Settings;
use crate::sandbox;

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error(transparent)]
    Operators(#[from] crate::auth::OperatorError),
    #[error("cannot read the password from standard input: {0}")]
    Stdin(std::io::Error),
    #[error("cannot reset the sandbox: {0}")]
    Reset(std::io::Error),
    #[error(transparent)]
    Database(#[from] crate::db::OpenError),
    #[error(transparent)]
    Migrate(#[from] crate::db::MigrateError),
    #[error("cannot read the database: {0}")]
    Store(#[from] crate::store::StoreError),
}

/// `migrate [--status]`: brings the console's database (`CONSOLE_DATABASE_URL`) to this version's schema and says
/// what it did; with `--status`, only says where it is. A database migrated by a newer console is refused,
/// untouched. Replicas run the same at start (one at a time, under the migrator's lock); this runs it explicitly,
/// e.g. before a rolling upgrade.
pub async fn migrate_command(args: &[String]) -> Result<(), CommandError> {
    let settings = Settings::from_env()?;
    let url = settings.database_url.expose();
    if crate::db::Backend::of_url(url) == Some(crate::db::Backend::Sqlite) {
        std::fs::create_dir_all(&settings.data_dir).map_err(|source| crate::db::OpenError::Dir {
            path: settings.data_dir.clone(),
            source,
        })?;
    }
    let pool = crate::db::connect(url).await?;
    let before = crate::db::applied(&pool).await?;
    let known = crate::db::known_versions();
    let pending: Vec<i64> = known.iter().filter(|v| !before.contains(v)).copied().collect();
    println!("database: {}", crate::db::place(url));
    println!("applied:  {}", versions(&before));
    if args.iter().any(|a| a == "--status") {
        println!("pending:  {}", versions(&pending));
        pool.close().await;
        return Ok(());
    }
    crate::db::migrate(&pool).await?;
    pool.close().await;
    if pending.is_empty() {
        println!("nothing to do: the schema is at this version ({})", versions(&known));
    } else {
        println!("applied now: {}", versions(&pending));
    }
    Ok(())
}

fn versions(v: &[i64]) -> String {
    if v.is_empty() {
        return "none".into();
    }
    v.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
}

/// `hash-password`: reads a password from standard input, prints its argon2 hash for `CONSOLE_OPERATORS`.
pub fn hash_password_command() -> Result<(), CommandError> {
    let password = read_password()?;
    println!("{}", crate::auth::hash_password(&password)?);
    Ok(())
}

/// The console's database of `settings`, opened and brought to this version's schema (as a starting console does).
async fn console_database(settings: &Settings) -> Result<crate::db::Pool, CommandError> {
    std::fs::create_dir_all(&settings.data_dir).map_err(|source| crate::db::OpenError::Dir {
        path: settings.data_dir.clone(),
        source,
    })?;
    Ok(crate::db::open_url(settings.database_url.expose()).await?)
}

fn kept_where(kept: crate::auth::Kept, settings: &Settings) -> String {
    match kept {
        crate::auth::Kept::File => format!(
            "in {}",
            settings.data_dir.join(crate::auth::OPERATORS_FILE).display()
        ),
        crate::auth::Kept::Database => format!(
            "in the console's database ({})",
            crate::db::place(settings.database_url.expose())
        ),
    }
}

/// `add-operator USERNAME ROLE [REALMS]`: reads a password from standard input (or makes one when it is empty) and
/// keeps the operator where this install keeps them: the data directory's operators file when it has one, else
/// the console's database (every replica's).
pub async fn add_operator_command(
    username: Option<String>,
    role: Option<String>,
    realms: Option<String>,
) -> Result<(), CommandError> {
    let (Some(username), Some(role)) = (username, role) else {
        return Err(CommandError::Usage(format!(
            "add-operator needs a username and a role\n\n{}",
            super::USAGE
        )));
    };
    let role = crate::model::Role::parse(&role).ok_or_else(|| {
        CommandError::Usage(format!(
            "unknown role '{role}'; expected admin, helpdesk or viewer"
        ))
    })?;
    let settings = Settings::from_env()?;
    let mut password = read_password()?;
    let made = password.is_empty();
    if made {
        password = crate::auth::random_password(20);
    }
    let realms = realms.map(|r| crate::auth::parse_realms(&r));
    let record = crate::auth::new_record(&username, role, &password, realms)?;
    let pool = console_database(&settings).await?;
    let kept = crate::auth::keep_operator(&settings.data_dir, &crate::db::Db::new(pool.clone()), record).await;
    pool.close().await;
    let place = kept_where(kept?, &settings);
    if made {
        println!(
            "Operator {username} ({}) added {place} with password {password}",
            role.as_str()
        );
    } else {
        println!("Operator {username} ({}) added {place}.", role.as_str());
    }
    if settings
        .access
        .operators
        .iter()
        .any(|o| o.username.eq_ignore_ascii_case(username.trim()))
    {
        println!("Note: CONSOLE_OPERATORS names {username} too, and wins while it does.");
    }
    Ok(())
}

/// `remove-operator USERNAME`: removes the operator from the operators file and the console's database; their
/// sessions end on their next request, on every replica.
pub async fn remove_operator_command(username: Option<String>) -> Result<(), CommandError> {
    let Some(username) = username else {
        return Err(CommandError::Usage(format!(
            "remove-operator needs a username\n\n{}",
            super::USAGE
        )));
    };
    let settings = Settings::from_env()?;
    let pool = console_database(&settings).await?;
    let removed =
        crate::auth::remove_operator(&settings.data_dir, &crate::db::Db::new(pool.clone()), &username).await;
    pool.close().await;
    let removed = removed?;
    if removed.is_empty() {
        println!("No operator {username} in the operators file or the console's database.");
    }
    for kept in removed {
        println!("Operator {username} removed {}.", kept_where(kept, &settings));
    }
    if settings
        .access
        .operators
        .iter()
        .any(|o| o.username.eq_ignore_ascii_case(username.trim()))
    {
        println!("Note: CONSOLE_OPERATORS still names {username}; remove them there too.");
    }
    Ok(())
}

fn read_password() -> Result<String, CommandError> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(CommandError::Stdin)?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

pub fn reset_sandbox() -> Result<(), CommandError> {
    let settings = Settings::from_env()?;
    sandbox::reset(&settings.data_dir).map_err(CommandError::Reset)?;
    println!(
        "Sandbox data removed from {}; the next start seeds a fresh demo tenant.",
        settings.data_dir.display()
    );
    Ok(())
}
