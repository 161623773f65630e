//! Backups of a SQLite console database: an online copy (`VACUUM INTO`: one consistent snapshot, taken while the
//! console keeps serving and writing) and the check a restore makes of a copy before it is put in place.

use std::path::Path;

use super::Pool;
use crate::store::StoreError;

/// Copies the database behind `pool` (SQLite) into the new file `to`, as one consistent snapshot.
pub async fn backup_into(pool: &Pool, to: &Path) -> Result<(), StoreError> {
    let to = to
        .to_str()
        .ok_or_else(|| StoreError::new("the backup's path is not UTF-8", false))?;
    sqlx::query("VACUUM INTO $1").bind(to).execute(pool).await?;
    Ok(())
}

/// What a backup file holds, checked: SQLite's integrity check passes and it is a console database (its applied
/// migrations, which must all be known to this build).
pub async fn check_backup(file: &Path) -> Result<Vec<i64>, StoreError> {
    // Read-only, and without the console's connection settings (they would write the file's journal mode).
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}?mode=ro", file.display());
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await
        .map_err(|e| StoreError::new(format!("cannot open {}: {e}", file.display()), false))?;
    let checked: Result<Vec<i64>, StoreError> = async {
        let integrity: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&pool).await?;
        if integrity != "ok" {
            return Err(StoreError::new(format!("the file is damaged: {integrity}"), false));
        }
        let applied = super::applied(&pool).await?;
        if applied.is_empty() {
            return Err(StoreError::new("the file is not a console database (it has no schema version)", false));
        }
        let known = super::known_versions();
        if let Some(newer) = applied.iter().find(|v| !known.contains(v)) {
            return Err(StoreError::new(
                format!("the file was made by a newer console (schema version {newer}); restore it with that version"),
                false,
            ));
        }
        Ok(applied)
    }
    .await;
    pool.close().await;
    checked
}
