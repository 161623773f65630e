//! Work that outlives its process: the console's binary killed with SIGKILL in the middle of an import's apply and
//! started again finishes the import with every row done once — at BI and in the audit log (a row in flight when the
//! process died is done again, and its audit entry, keyed by the step, is not written twice).

#![cfg(all(feature = "ssr", unix))]

use crate::common::{
    self, apply_import, browser, import_view as view, sign_in, signal, upload_import, wait_exit,
};
use std::time::{Duration, Instant};

const ROWS: usize = 400;

#[tokio::test]
async fn an_import_killed_mid_apply_finishes_after_a_restart_with_each_row_done_once() {
    let dir = common::temp_dir("durable-import");
    // Each sandbox call takes a few milliseconds: the apply is still running when the kill comes.
    let vars = [
        ("SANDBOX_TOKEN", "durable-import-token".to_string()),
        ("SANDBOX_FAULTS", "latency_ms=15".to_string()),
        // On PostgreSQL the restarted process waits for the dead one's lease to lapse.
        ("CONSOLE_JOB_LEASE_SECS", "3".to_string()),
    ];
    let (mut child, base, realm, _) = common::spawn_console(&dir, &vars);
    let c = browser();
    sign_in(&c, &base, "admin", common::ADMIN_PASSWORD).await;
    let file: String = std::iter::once("username,name\n".to_string())
        .chain((1..=ROWS).map(|n| format!("durable.{n:04},Durable {n}\n")))
        .collect();
    let id = upload_import(&c, &base, &realm, "durable.csv", file).await;
    apply_import(&c, &base, &realm, &id).await;
    // Killed once a quarter of the rows are done, with more in flight.
    let until = Instant::now() + Duration::from_secs(60);
    loop {
        let v = view(&c, &base, &realm, &id).await;
        assert!(v.done < v.total, "finished before the kill: {v:?}");
        if v.done >= (ROWS / 4) as u64 {
            break;
        }
        assert!(Instant::now() < until, "{v:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    signal(&child, libc::SIGKILL);
    wait_exit(&mut child, Duration::from_secs(10)).expect("killed");

    let (mut child, base, realm, _) = common::spawn_console(&dir, &vars);
    let c = browser();
    sign_in(&c, &base, "admin", common::ADMIN_PASSWORD).await;
    let until = Instant::now() + Duration::from_secs(120);
    let done = loop {
        let v = view(&c, &base, &realm, &id).await;
        if v.state == bi_console::model::IMPORT_DONE {
            break v;
        }
        assert!(
            Instant::now() < until,
            "not finished after the restart: {v:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!((done.done, done.failed), (ROWS as u64, 0), "{done:?}");
    let db = common::open_db(&dir).await;
    let created: Vec<(String, String)> = sqlx::query_as(
        "SELECT target_name, result FROM audit_events WHERE action = 'identity.create' AND request_id = $1",
    )
    .bind(format!("import-{id}"))
    .fetch_all(&db)
    .await
    .unwrap();
    let mut names: Vec<&str> = created.iter().map(|(n, _)| n.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(
        (created.len(), names.len()),
        (ROWS, ROWS),
        "one identity.create entry per row, none twice"
    );
    assert!(created.iter().all(|(_, r)| r == "ok"), "{created:?}");
    let applied: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE action = 'import.apply' AND target_id = $1",
    )
    .bind(&id)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(applied, 1);
    db.close().await;
    signal(&child, libc::SIGTERM);
    wait_exit(&mut child, Duration::from_secs(15)).expect("stopped");
}
