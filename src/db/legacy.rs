//! Databases made before the console's schema came under migrations: each store made its tables as it opened and
//! added later columns when missing. Such a database first gains those columns here, once; the first migration
//! then adopts its tables as they are (every statement of `0001_console.sql` is "IF NOT EXISTS"), rows and all.

use super::{MigrateError, Pool, StoreError};

/// Whether the database records its migrations (it was made, or adopted, by a console with migrations).
pub(super) async fn has_migrations(pool: &Pool) -> Result<bool, StoreError> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
    )
    .fetch_one(pool)
    .await?;
    Ok(n > 0)
}

/// The columns added to tables after they were first made, as the stores added them: (table, column, type).
/// The directory index's are not here: migration 0002 makes its tables anew.
const ADDED: [(&str, &str, &str); 2] = [("imports", "applier", "TEXT"), ("imports", "halted", "TEXT")];

/// Adds to an unmigrated database's tables the columns they lack (a new, empty database has no tables: nothing).
pub(super) async fn upgrade(pool: &Pool) -> Result<(), MigrateError> {
    for (table, column, kind) in ADDED {
        let columns: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info($1)")
            .bind(table)
            .fetch_all(pool)
            .await?;
        if !columns.is_empty() && !columns.iter().any(|c| c == column) {
            tracing::info!(table, column, "adding a column to a database made before migrations");
            sqlx::query(&format!("ALTER TABLE {table} ADD COLUMN {column} {kind}"))
                .execute(pool)
                .await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use sqlx::Row;

    /// The tables of a console from before migrations, as its stores made them (imports without the applier and
    /// the halt reason; the index with SQLite's row id and no refresh stamps), with rows in them.
    const OLD: [&str; 9] = [
        "CREATE TABLE audit_events (id TEXT PRIMARY KEY, at TEXT NOT NULL, operator TEXT NOT NULL, \
         action TEXT NOT NULL, realm TEXT NOT NULL, target_id TEXT NOT NULL, target_name TEXT NOT NULL, \
         detail TEXT NOT NULL, result TEXT NOT NULL, request_id TEXT NOT NULL)",
        "CREATE TABLE audit_subjects (subject_id TEXT NOT NULL, event_id TEXT NOT NULL REFERENCES audit_events (id), \
         PRIMARY KEY (subject_id, event_id))",
        "INSERT INTO audit_events VALUES ('e1', '2026-01-02T03:04:05.000000Z', 'ada', 'identity.create', 'r1', \
         'i1', 'grace', 'created', 'ok', 'req1')",
        "INSERT INTO audit_subjects VALUES ('i9', 'e1')",
        "CREATE TABLE imports (id TEXT PRIMARY KEY, realm TEXT NOT NULL, operator TEXT NOT NULL, \
         file_name TEXT NOT NULL, sha256 TEXT NOT NULL, created TEXT NOT NULL, state TEXT NOT NULL, \
         summary TEXT NOT NULL, started TEXT, ended TEXT, invite INTEGER NOT NULL DEFAULT 0, invitations TEXT, \
         invitations_error TEXT)",
        "INSERT INTO imports (id, realm, operator, file_name, sha256, created, state, summary) \
         VALUES ('imp1', 'r1', '{}', 'people.csv', 'abc', '2026-01-02', 'done', '{}')",
        "CREATE TABLE realm_preferences (realm_id TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL, \
         PRIMARY KEY (realm_id, name))",
        "CREATE TABLE ix_identities (rowid INTEGER PRIMARY KEY, realm_id TEXT NOT NULL, id TEXT NOT NULL, \
         username TEXT NOT NULL, display_name TEXT NOT NULL, email TEXT NOT NULL, external_id TEXT NOT NULL, \
         status TEXT NOT NULL, enrollment TEXT NOT NULL, create_time TEXT NOT NULL, update_time TEXT NOT NULL, \
         folded TEXT NOT NULL, UNIQUE (realm_id, id))",
        "INSERT INTO ix_identities (realm_id, id, username, display_name, email, external_id, status, enrollment, \
         create_time, update_time, folded) VALUES ('r1', 'i1', 'grace', 'Grace', '', '', 'ACTIVE', 'ENROLLED', \
         '', '', 'grace')",
    ];

    #[tokio::test]
    async fn a_database_from_before_migrations_keeps_its_rows_and_gains_the_new_columns() {
        let dir = std::env::temp_dir().join(format!("bi-console-legacy-{:016x}", rand::random::<u64>()));
        std::fs::create_dir_all(&dir).unwrap();
        {
            let url = format!("sqlite://{}?mode=rwc", dir.join("console.db").display());
            let old = sqlx::SqlitePool::connect(&url).await.unwrap();
            for statement in OLD {
                sqlx::query(statement).execute(&old).await.unwrap();
            }
            old.close().await;
        }
        let pool = super::super::open(&dir).await.unwrap();
        let audit: Vec<String> = sqlx::query_scalar("SELECT target_name FROM audit_events")
            .fetch_all(&pool)
            .await
            .unwrap();
        assert_eq!(audit, ["grace"], "the audit log is kept");
        let subjects: Vec<String> = sqlx::query_scalar("SELECT event_id FROM audit_subjects WHERE subject_id = 'i9'")
            .fetch_all(&pool)
            .await
            .unwrap();
        assert_eq!(subjects, ["e1"], "with its subjects");
        let import = sqlx::query("SELECT file_name, applier, halted FROM imports WHERE id = 'imp1'")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(import.get::<String, _>("file_name"), "people.csv", "the import is kept");
        assert_eq!(import.get::<Option<String>, _>("applier"), None, "and has the applier's column");
        // The index is a copy of BI's records: remade empty, with its order column, read again from BI.
        let indexed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ix_identities")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(indexed, 0);
        let columns: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info('ix_identities')")
            .fetch_all(&pool)
            .await
            .unwrap();
        assert!(columns.iter().any(|c| c == "seq") && columns.iter().any(|c| c == "stamp"), "{columns:?}");
        let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&pool)
            .await
            .unwrap();
        assert_eq!(applied, super::super::known_versions());
        pool.close().await;
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
