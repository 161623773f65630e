//! `bi-console backup` while the console writes, and `restore` into an empty data directory: the copy is one
//! consistent snapshot (every audit entry in it is the console's, in order), the restored database has the same
//! rows as the copy and a console starts on it; a damaged file, a data directory that has a database, and a
//! PostgreSQL database are refused with a reason.

use crate::common::{self, call, sign_in, start_console, temp_dir};
use leptos::server_fn::ServerFn;

/// `bi-console ARGS` on the data directory `dir` and the database `database`.
fn command(args: &[&str], dir: &std::path::Path, database: &str) -> (bool, String) {
    crate::operators::command(dir, database, args, "")
}

type Entry = (String, String, String, String);

/// A plain connection (the console's own would set the file's journal mode).
async fn open(url: &str) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    sqlx::AnyPool::connect(url).await.unwrap()
}

async fn audit_rows(url: &str) -> Vec<Entry> {
    let pool = open(url).await;
    let rows =
        sqlx::query_as("SELECT id, action, target_name, result FROM audit_events ORDER BY seq")
            .fetch_all(&pool)
            .await
            .unwrap();
    pool.close().await;
    rows
}

async fn count(url: &str, table: &str) -> i64 {
    let pool = open(url).await;
    let n = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    n
}

#[tokio::test]
async fn a_backup_taken_while_the_console_writes_restores_to_the_same_rows() {
    let dir = temp_dir("backup");
    std::fs::create_dir_all(&dir).unwrap();
    let url = bi_console::db::default_url(&dir);
    let t = start_console(&dir, &[("CONSOLE_DATABASE_URL", url.clone())]).await;
    let c = common::browser();
    sign_in(&c, &t.base, "admin", common::ADMIN_PASSWORD).await;

    // Identities made one after another (each an audit entry and index rows) before, during and after the backup.
    let made = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let stop_at = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(usize::MAX));
    let writer = {
        let (c, base, realm) = (c.clone(), t.base.clone(), t.info.default_realm.clone());
        let (made, stop_at) = (made.clone(), stop_at.clone());
        tokio::spawn(async move {
            use std::sync::atomic::Ordering::SeqCst;
            for n in 0.. {
                if n >= stop_at.load(SeqCst) {
                    break;
                }
                let args = bi_console::api::CreateIdentity {
                    realm: realm.clone(),
                    input: bi_console::model::IdentityInput {
                        username: format!("backup.{n}"),
                        display_name: format!("Backup {n}"),
                        ..Default::default()
                    },
                    then: Default::default(),
                };
                let (status, body) =
                    call(&c, &base, bi_console::api::CreateIdentity::PATH, &args).await;
                assert_eq!(status, 200, "{body}");
                made.store(n + 1, SeqCst);
            }
        })
    };
    let backups = temp_dir("backups");
    std::fs::create_dir_all(&backups).unwrap();
    let file = backups.join("console-backup.db");
    while made.load(std::sync::atomic::Ordering::SeqCst) < 10 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let (ok, said) = tokio::task::spawn_blocking({
        let (file, dir, url) = (file.clone(), dir.to_path_buf(), url.clone());
        move || command(&["backup", file.to_str().unwrap()], &dir, &url)
    })
    .await
    .unwrap();
    assert!(ok, "{said}");
    assert!(said.contains("backed up"), "{said}");
    // Five more after the backup ended, then the writer stops.
    let after = made.load(std::sync::atomic::Ordering::SeqCst) + 5;
    stop_at.store(after, std::sync::atomic::Ordering::SeqCst);
    writer.await.unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    // One consistent snapshot: its audit entries are the console's first ones, in order.
    let file_url = format!("sqlite://{}?mode=ro", file.display());
    let copied = audit_rows(&file_url).await;
    let live = audit_rows(&url).await;
    let creates = |rows: &[Entry]| rows.iter().filter(|e| e.1 == "identity.create").count();
    assert!(
        creates(&copied) >= 10 && creates(&copied) + 5 <= creates(&live),
        "{} of {}",
        creates(&copied),
        creates(&live)
    );
    assert_eq!(
        copied[..],
        live[..copied.len()],
        "a prefix of the console's log"
    );
    let (ok, said) = command(&["backup", file.to_str().unwrap()], &dir, &url);
    assert!(!ok && said.contains("exists already"), "{said}");

    // Restored into an empty data directory: the same rows.
    let restored = temp_dir("restored");
    let restored_url = bi_console::db::default_url(&restored);
    let (ok, said) = command(
        &["restore", file.to_str().unwrap()],
        &restored,
        &restored_url,
    );
    assert!(ok, "{said}");
    assert_eq!(audit_rows(&restored_url).await, copied);
    for table in ["operators", "realm_preferences", "ix_identities", "jobs"] {
        assert_eq!(
            count(&restored_url, table).await,
            count(&file_url, table).await,
            "{table}"
        );
    }
    let (ok, said) = command(
        &["restore", file.to_str().unwrap()],
        &restored,
        &restored_url,
    );
    assert!(!ok && said.contains("exists already"), "{said}");

    // A console starts on it, with its history.
    t.stop();
    let again = start_console(&restored, &[("CONSOLE_DATABASE_URL", restored_url.clone())]).await;
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'identity.create'")
            .fetch_one(&again.db)
            .await
            .unwrap();
    assert_eq!(n as usize, creates(&copied));
    again.stop();

    // Refused with a reason: a damaged file, and a database on PostgreSQL.
    let junk = backups.join("junk.db");
    std::fs::write(
        &junk,
        b"not a database at all, just some bytes that are long enough to look like a header",
    )
    .unwrap();
    let empty = temp_dir("restore-junk");
    let (ok, said) = command(
        &["restore", junk.to_str().unwrap()],
        &empty,
        &bi_console::db::default_url(&empty),
    );
    assert!(!ok && said.contains("junk.db"), "{said}");
    assert!(
        !empty.join("console.db").exists(),
        "nothing put in place: {said}"
    );
    let (ok, said) = command(
        &["backup", "x.db"],
        &empty,
        "postgres://u:p@127.0.0.1:1/none",
    );
    assert!(!ok && said.contains("pg_dump"), "{said}");
    assert!(!said.contains(":p@"), "no password in what it says: {said}");
}
