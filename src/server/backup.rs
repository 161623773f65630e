//! `backup FILE` and `restore FILE`: the console's SQLite database copied while the console runs (one consistent
//! snapshot; the copy owner-only, as the database is), and a copy checked and put in place in a data directory
//! that has no console database yet. A console on PostgreSQL is backed up with PostgreSQL's own tools (`pg_dump`,
//! `pg_restore`; see the README).

use std::path::PathBuf;

use super::commands::CommandError;
use crate::config::Settings;
use crate::db::Backend;

fn file_argument(args: &[String], command: &str) -> Result<PathBuf, CommandError> {
    match args {
        [file] if !file.starts_with('-') => Ok(PathBuf::from(file)),
        _ => Err(CommandError::Usage(format!("usage: bi-console {command} FILE"))),
    }
}

/// The SQLite file the settings name, or why this command does not apply.
fn sqlite_file(settings: &Settings, command: &str) -> Result<PathBuf, CommandError> {
    let url = settings.database_url.expose();
    match Backend::of_url(url) {
        Some(Backend::Sqlite) => Ok(PathBuf::from(crate::db::place(url))),
        _ => Err(CommandError::Usage(format!(
            "the console's database is PostgreSQL ({}): {command} it with pg_dump / pg_restore (see the README's \
             Operating section)",
            crate::db::place(url)
        ))),
    }
}

/// `backup FILE`: the console's database, copied into the new file FILE while the console may be running.
pub async fn backup_command(args: &[String]) -> Result<(), CommandError> {
    let to = file_argument(args, "backup")?;
    let settings = Settings::from_env()?;
    let from = sqlite_file(&settings, "back up")?;
    if !from.exists() {
        return Err(CommandError::Usage(format!("there is no console database at {}", from.display())));
    }
    if to.exists() {
        return Err(CommandError::Usage(format!("{} exists already: back up into a new file", to.display())));
    }
    let pool = crate::db::connect(settings.database_url.expose()).await?;
    let copied = crate::db::backup_into(&pool, &to).await;
    pool.close().await;
    copied?;
    restrict(&to)?;
    let versions = crate::db::check_backup(&to).await?;
    let bytes = std::fs::metadata(&to).map(|m| m.len()).unwrap_or(0);
    println!(
        "backed up {} into {} ({bytes} bytes, schema version {})",
        from.display(),
        to.display(),
        versions.last().copied().unwrap_or_default()
    );
    Ok(())
}

/// `restore FILE`: FILE checked (SQLite's integrity check; a console database of this version or older) and copied
/// into the data directory, which must have no console database yet. The next start brings an older schema
/// forward; the directory index is read from BI again as it ages.
pub async fn restore_command(args: &[String]) -> Result<(), CommandError> {
    let from = file_argument(args, "restore")?;
    let settings = Settings::from_env()?;
    let to = sqlite_file(&settings, "restore")?;
    if to.exists() {
        return Err(CommandError::Usage(format!(
            "{} exists already: restore into a data directory without a console database (stop the console, move \
             the data directory aside, then restore)",
            to.display()
        )));
    }
    let versions = crate::db::check_backup(&from)
        .await
        .map_err(|e| CommandError::Usage(format!("{} cannot be restored: {e}", from.display())))?;
    if let Some(dir) = to.parent() {
        crate::files::make_private_dir(dir).map_err(|e| CommandError::Usage(format!("{}: {e}", dir.display())))?;
    }
    std::fs::copy(&from, &to).map_err(|e| CommandError::Usage(format!("cannot copy into {}: {e}", to.display())))?;
    restrict(&to)?;
    println!(
        "restored {} into {} (schema version {}; a newer console brings it forward at its next start)",
        from.display(),
        to.display(),
        versions.last().copied().unwrap_or_default()
    );
    Ok(())
}

/// Owner-only, as the database is (it holds sessions and password hashes).
fn restrict(file: &std::path::Path) -> Result<(), CommandError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| CommandError::Usage(format!("{}: {e}", file.display())))?;
    }
    Ok(())
}
