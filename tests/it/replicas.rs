//! Several consoles on one PostgreSQL database, as replicas behind a load balancer: the sandbox as a service of
//! its own (called like BI), the schema migrated once whichever starts first, a session made on one replica valid
//! on the other and ended on both by a sign-out on either, and a write made through one seen on the other's
//! pages; an import whose replica is killed mid-apply finished by the other, each row once. And `bi-console
//! migrate` on that database. These need the private cluster of `scripts/with-postgres.sh`
//! (the test command starts one for every run of these tests).

use crate::common::{self, browser, call, page_text, sign_in, temp_dir, TestConsole};
use leptos::server_fn::ServerFn;

/// A fresh database of its own in the test cluster.
async fn fresh_database(tag: &str) -> String {
    common::postgres_database(&format!("{tag}_{:016x}", rand::random::<u64>())).await
}

/// Settings of a replica: BI is the sandbox service; the console's database is `database`.
fn replica(sandbox: &common::TestSandbox, database: &str) -> Vec<(&'static str, String)> {
    vec![
        ("BI_API_BASE_URL", sandbox.api_base.clone()),
        ("BI_TENANT_ID", sandbox.sandbox.tenant_id().to_string()),
        ("BI_REALM_ID", sandbox.workforce.clone()),
        (
            "BI_API_TOKEN",
            sandbox.sandbox.credentials().api_token.expose().to_string(),
        ),
        ("CONSOLE_DATABASE_URL", database.to_string()),
    ]
}

/// Until `t`'s index of `realm` is complete (its searches then come from the index, and are kept).
async fn wait_indexed(c: &reqwest::Client, t: &TestConsole, realm: &str) {
    use bi_console::api::SearchIdentities;
    let search = SearchIdentities {
        realm: realm.to_string(),
        filter: Default::default(),
        page: 1,
        size: 10,
    };
    for _ in 0..300 {
        let (status, body) = call(c, &t.base, SearchIdentities::PATH, &search).await;
        assert_eq!(status, 200, "{body}");
        let answer: bi_console::model::IdentitySearch = serde_json::from_str(&body).unwrap();
        if answer.index.ready && !answer.index.running {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the index did not complete");
}

/// Three replicas with `vars`, started at once, each on a data directory of its own (kept while the answer lives).
async fn three(vars: &[(&str, String)]) -> ([common::TestDir; 3], [TestConsole; 3]) {
    let dirs = [
        temp_dir("replica-a"),
        temp_dir("replica-b"),
        temp_dir("replica-c"),
    ];
    let (a, b, c) = tokio::join!(
        common::start_console(&dirs[0], vars),
        common::start_console(&dirs[1], vars),
        common::start_console(&dirs[2], vars)
    );
    (dirs, [a, b, c])
}

async fn status_of(c: &reqwest::Client, url: String) -> u16 {
    c.get(url).send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn two_replicas_on_one_postgres_share_the_schema_sessions_and_audit_log() {
    let sandbox = common::start().await;
    let database = fresh_database("replicas").await;
    let vars = replica(&sandbox, &database);
    let (dir_a, dir_b) = (temp_dir("replica-a"), temp_dir("replica-b"));
    // Both start at once: each migrates under the migrator's lock, so the schema is made once.
    let (a, b): (TestConsole, TestConsole) = tokio::join!(
        common::start_console(&dir_a, &vars),
        common::start_console(&dir_b, &vars)
    );
    let applied: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&a.db)
            .await
            .unwrap();
    assert_eq!(
        applied,
        bi_console::db::known_versions(),
        "each migration once"
    );
    let realm = sandbox.workforce.clone();

    // Signed in on A; the same cookie is a session on B (cookies do not depend on the port).
    let c = browser();
    sign_in(&c, &a.base, "admin", common::ADMIN_PASSWORD).await;
    let groups = |t: &TestConsole| format!("{}/realms/{realm}/groups", t.base);
    assert_eq!(status_of(&c, groups(&a)).await, 200);
    assert_eq!(
        status_of(&c, groups(&b)).await,
        200,
        "the session is B's too"
    );

    // B shows the realm's identities (and keeps what it read); then a write through A: B's next view has it, and
    // so has the audit log B shows.
    let list = |t: &TestConsole| format!("{}/realms/{realm}/identities?q=made.on", t.base);
    wait_indexed(&c, &b, &realm).await;
    let before = page_text(&c, list(&b)).await;
    assert!(
        !before.contains("made.on.a") && before.contains("No identity matches"),
        "{before}"
    );
    let args = bi_console::api::CreateIdentity {
        realm: realm.clone(),
        input: bi_console::model::IdentityInput {
            username: "made.on.a".into(),
            display_name: "Made On A".into(),
            ..Default::default()
        },
        then: Default::default(),
    };
    let (status, body) = call(&c, &a.base, bi_console::api::CreateIdentity::PATH, &args).await;
    assert_eq!(status, 200, "{body}");
    let after = page_text(&c, list(&b)).await;
    assert!(
        after.contains("made.on.a"),
        "B's list shows A's write: {after}"
    );
    let audit = page_text(&c, format!("{}/realms/{realm}/audit", b.base)).await;
    assert!(
        audit.contains("made.on.a"),
        "B's audit page shows A's write"
    );

    // Signed out on B: the session ends on A as well (no replica keeps a copy of it).
    let res = c.post(format!("{}/sign-out", b.base)).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(status_of(&c, groups(&a)).await, 303, "ended on A too");
    a.stop();
    b.stop();
}

fn migrate(database: &str, args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_bi-console"))
        .arg("migrate")
        .args(args)
        .env("CONSOLE_DATABASE_URL", database)
        .env("CONSOLE_DOTENV", "0")
        .env(
            "CONSOLE_DATA_DIR",
            std::env::temp_dir().join("bi-console-migrate-unused"),
        )
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[tokio::test]
async fn migrate_brings_a_database_to_this_version_once_and_refuses_a_newer_one() {
    let database = fresh_database("migrate").await;
    let all = bi_console::db::known_versions()
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let (ok, out) = migrate(&database, &["--status"]);
    assert!(ok, "{out}");
    assert!(
        out.contains("applied:  none") && out.contains(&format!("pending:  {all}")),
        "{out}"
    );
    assert!(out.contains("PostgreSQL database migrate_"), "{out}");
    assert!(
        !out.contains("console@"),
        "no user or password shown: {out}"
    );
    let (ok, out) = migrate(&database, &[]);
    assert!(ok, "{out}");
    assert!(out.contains(&format!("applied now: {all}")), "{out}");
    let (ok, out) = migrate(&database, &[]);
    assert!(ok && out.contains("nothing to do"), "{out}");

    // A newer console has migrated it since: refused, by the command and by a replica starting on it.
    let pool = bi_console::db::connect(&database).await.unwrap();
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (99990101000000, 'from a newer console', TRUE, $1, 0)",
    )
    .bind(vec![0u8])
    .execute(&pool)
    .await
    .unwrap();
    let (ok, out) = migrate(&database, &[]);
    assert!(!ok, "{out}");
    assert!(
        out.contains("99990101000000") && out.contains("newer console"),
        "{out}"
    );
    let refused = bi_console::db::open_url(&database).await.unwrap_err();
    assert!(refused.to_string().contains("newer console"), "{refused}");
    pool.close().await;
}

#[tokio::test]
async fn an_import_whose_replica_is_killed_is_finished_by_another_each_row_once() {
    use std::time::{Duration, Instant};
    const ROWS: usize = 300;
    let sandbox = common::start().await;
    let database = fresh_database("takeover").await;
    let mut vars = replica(&sandbox, &database);
    vars.push(("CONSOLE_JOB_LEASE_SECS", "3".into()));
    let realm = sandbox.workforce.clone();
    let before = sandbox
        .sandbox
        .store()
        .list_identities(&realm, None, 0, 1)
        .await
        .unwrap()
        .total;
    // A is a process of its own (to be killed); B runs here. The sandbox answers each call after a few ms.
    sandbox
        .sandbox
        .set_faults(bi_console::sandbox::faults::Faults::parse("latency_ms=15").unwrap());
    let dir_a = temp_dir("takeover-a");
    let (mut a, a_base, _, _) = common::spawn_console(&dir_a, &vars);
    let dir_b = temp_dir("takeover-b");
    let b = common::start_console(&dir_b, &vars).await;
    let c = browser();
    sign_in(&c, &a_base, "admin", common::ADMIN_PASSWORD).await;
    let file: String = std::iter::once("username,name\n".to_string())
        .chain((1..=ROWS).map(|n| format!("takeover.{n:04},Takeover {n}\n")))
        .collect();
    let id = common::upload_import(&c, &a_base, &realm, "takeover.csv", file).await;
    common::apply_import(&c, &a_base, &realm, &id).await;
    let until = Instant::now() + Duration::from_secs(60);
    let at_kill = loop {
        let v = common::import_view(&c, &a_base, &realm, &id).await;
        assert!(v.done < v.total, "finished before the kill: {v:?}");
        if v.done >= (ROWS / 4) as u64 {
            break v.done;
        }
        assert!(Instant::now() < until, "{v:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    common::signal(&a, libc::SIGKILL);
    common::wait_exit(&mut a, Duration::from_secs(10)).expect("killed");
    let killed = Instant::now();

    // B takes the job over once A's lease lapses, and finishes it; its progress is the same row A wrote.
    let until = Instant::now() + Duration::from_secs(120);
    let mut taken_over = None;
    let done = loop {
        let v = common::import_view(&c, &b.base, &realm, &id).await;
        if taken_over.is_none() && v.done > at_kill + 8 {
            taken_over = Some(killed.elapsed());
        }
        if v.state == bi_console::model::IMPORT_DONE {
            break v;
        }
        assert!(Instant::now() < until, "not finished by B: {v:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    println!(
        "taken over {:?} after the kill (lease 3 s)",
        taken_over.unwrap_or_default()
    );
    assert_eq!((done.done, done.failed), (ROWS as u64, 0), "{done:?}");
    let after = sandbox
        .sandbox
        .store()
        .list_identities(&realm, None, 0, 1)
        .await
        .unwrap()
        .total;
    assert_eq!(
        after - before,
        ROWS as u64,
        "each row's identity made once at BI"
    );
    let created: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE action = 'identity.create' AND request_id = $1",
    )
    .bind(format!("import-{id}"))
    .fetch_one(&b.db)
    .await
    .unwrap();
    assert_eq!(created, ROWS as i64, "one audit entry per row");
    b.stop();
}

#[tokio::test]
async fn five_wrong_guesses_spread_over_three_replicas_wall_the_pair_on_all() {
    let sandbox = common::start().await;
    let database = fresh_database("throttle").await;
    let vars = replica(&sandbox, &database);
    let (_dirs, [a, b, c]) = three(&vars).await;
    let replicas = [&a, &b, &c];
    // Two guesses on A, two on B, one on C: no replica saw five.
    for n in 0..5 {
        let went = sign_in(
            &browser(),
            &replicas[n % 3].base,
            "admin",
            "not the password",
        )
        .await;
        assert!(went.contains("error=failed"), "guess {n}: {went}");
    }
    // The pair is walled on every replica, the right password included (it is not even checked).
    for t in replicas {
        let went = sign_in(&browser(), &t.base, "admin", common::ADMIN_PASSWORD).await;
        assert!(went.contains("error=throttled"), "{went}");
    }
    // Another operator from the same address is not.
    assert_eq!(
        sign_in(&browser(), &c.base, "helpdesk", common::HELPDESK_PASSWORD).await,
        "/"
    );
    for t in replicas {
        t.stop();
    }
}

/// A sign-in form sent as if from `address` (the replicas trust the loopback proxy); answers where it went and how
/// long the answer took.
async fn guess_from(
    base: &str,
    address: &str,
    user: &str,
    password: &str,
) -> (String, std::time::Duration) {
    let began = std::time::Instant::now();
    let res = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{base}/sign-in"))
        .header("x-forwarded-for", address)
        .form(&[("username", user), ("password", password), ("next", "/")])
        .send()
        .await
        .unwrap();
    (common::location(&res), began.elapsed())
}

#[tokio::test]
async fn a_usernames_queue_and_an_addresss_wall_are_the_same_on_every_replica() {
    let sandbox = common::start().await;
    let database = fresh_database("throttle_queue").await;
    let mut vars = replica(&sandbox, &database);
    vars.push(("CONSOLE_TRUSTED_PROXIES", "127.0.0.1".into()));
    let (_dirs, [a, b, c]) = three(&vars).await;
    let replicas = [&a, &b, &c];
    // Five guesses at admin from five addresses over three replicas: the username's five free failures are used up
    // on all of them together, so the sixth has the first turn and the seventh waits a second for its own.
    for n in 0..6 {
        let (went, _) = guess_from(
            &replicas[n % 3].base,
            &format!("10.1.0.{n}"),
            "admin",
            "wrong",
        )
        .await;
        assert!(went.contains("error=failed"), "guess {n}: {went}");
    }
    let (went, took) = guess_from(&c.base, "10.1.0.9", "admin", "wrong").await;
    assert!(went.contains("error=failed"), "{went}");
    assert!(
        took >= std::time::Duration::from_millis(900),
        "queued behind the others: {took:?}"
    );
    // The operator's own address is not walled by strangers' guesses (only queued), and their password works.
    let (went, _) = guess_from(&a.base, "10.1.0.100", "admin", common::ADMIN_PASSWORD).await;
    assert_eq!(went, "/");

    // Twenty names that are no operator's from one address, over three replicas: the address is walled for such
    // names on all of them; an operator's name from it is not.
    for n in 0..20 {
        let (went, _) = guess_from(
            &replicas[n % 3].base,
            "10.2.0.1",
            &format!("stranger{n}"),
            "x",
        )
        .await;
        assert!(went.contains("error=failed"), "name {n}: {went}");
    }
    for t in replicas {
        let (went, _) = guess_from(&t.base, "10.2.0.1", "another-stranger", "x").await;
        assert!(went.contains("error=throttled"), "{went}");
    }
    let (went, _) = guess_from(&b.base, "10.2.0.1", "viewer", common::VIEWER_PASSWORD).await;
    assert_eq!(went, "/");
    for t in replicas {
        t.stop();
    }
}

#[tokio::test]
async fn the_first_admin_is_made_once_by_three_replicas_starting_together_and_operators_are_shared()
{
    let sandbox = common::start().await;
    let database = fresh_database("operators").await;
    let mut vars = replica(&sandbox, &database);
    vars.push(("CONSOLE_OPERATORS", String::new()));
    let (dirs, [a, b, c]) = three(&vars).await;
    let made: Vec<String> = dirs
        .iter()
        .filter_map(|d| {
            std::fs::read_to_string(d.join(bi_console::auth::BOOTSTRAP_PASSWORD_FILE)).ok()
        })
        .collect();
    assert_eq!(made.len(), 1, "one replica made the admin: {made:?}");
    let password = made[0].trim();
    for t in [&a, &b, &c] {
        assert_eq!(sign_in(&browser(), &t.base, "admin", password).await, "/");
    }
    // Added through the command on the shared database (from any machine): signs in on B, known on C.
    let elsewhere = temp_dir("operators-command");
    let (ok, out) = crate::operators::command(
        &elsewhere,
        &database,
        &["add-operator", "grace", "helpdesk"],
        "grace's long password",
    );
    assert!(ok, "{out}");
    let grace = browser();
    assert_eq!(
        sign_in(&grace, &b.base, "grace", "grace's long password").await,
        "/"
    );
    let whoami = |t: &TestConsole| {
        let (grace, base) = (grace.clone(), t.base.clone());
        async move {
            call(
                &grace,
                &base,
                bi_console::api::Whoami::PATH,
                &bi_console::api::Whoami {},
            )
            .await
            .0
        }
    };
    assert_eq!(whoami(&c).await, 200);
    // Removed: her session ends on every replica at its next request.
    let (ok, out) =
        crate::operators::command(&elsewhere, &database, &["remove-operator", "grace"], "");
    assert!(ok, "{out}");
    for t in [&a, &b, &c] {
        assert_eq!(whoami(t).await, 401);
    }
    for t in [&a, &b, &c] {
        t.stop();
    }
}

#[tokio::test]
async fn a_realm_is_refreshed_once_while_three_replicas_are_asked_to() {
    let sandbox = common::start().await;
    let database = fresh_database("refresh").await;
    let vars = replica(&sandbox, &database);
    let (_dirs, [a, b, c]) = three(&vars).await;
    let realm = sandbox.customers.clone();
    // Each BI call takes a while, so the three refreshes asked at once overlap.
    sandbox
        .sandbox
        .set_faults(bi_console::sandbox::faults::Faults::parse("latency_ms=150").unwrap());
    let before = sandbox.sandbox.calls_total();
    let refresh = |t: &TestConsole| {
        let (index, client, realm) = (
            t.state.index.clone().unwrap(),
            t.state.client.clone(),
            realm.clone(),
        );
        async move { index.refresh(&client, &realm).await }
    };
    let (ra, rb, rc) = tokio::join!(refresh(&a), refresh(&b), refresh(&c));
    let outcomes = [ra, rb, rc];
    let done = outcomes.iter().filter(|o| o.is_ok()).count();
    let busy = outcomes
        .iter()
        .filter(|o| matches!(o, Err(bi_console::index::IndexError::Busy)))
        .count();
    assert_eq!((done, busy), (1, 2), "{outcomes:?}");
    let calls = sandbox.sandbox.calls_since(before);
    let report = outcomes.iter().find_map(|o| o.as_ref().ok()).unwrap();
    assert_eq!(
        calls.len() as u64,
        report.calls,
        "one refresh's calls at BI: {calls:?}"
    );
    // Once it has ended, the realm may be refreshed again (the claim was let go).
    sandbox.sandbox.set_faults(Default::default());
    assert!(refresh(&b).await.is_ok());
    for t in [&a, &b, &c] {
        t.stop();
    }
}

#[tokio::test]
async fn an_invitation_run_is_carried_on_and_followed_from_another_replica_after_its_own_is_killed()
{
    use bi_console::api::{InvitationBatch, StartPasskeyInvitations};
    use std::time::{Duration, Instant};
    let sandbox = common::start().await;
    let database = fresh_database("runs").await;
    let mut vars = replica(&sandbox, &database);
    vars.push(("CONSOLE_JOB_LEASE_SECS", "3".into()));
    let realm = sandbox.workforce.clone();
    let store = sandbox.sandbox.store();
    store
        .bulk_seed(&realm, "durable", 2_500, 0, 0, 0)
        .await
        .unwrap();
    let ids: Vec<String> = store
        .list_identities(&realm, None, 0, 10_000)
        .await
        .unwrap()
        .items
        .iter()
        .filter(|i| i.username().starts_with("durable."))
        .map(|i| i.id.clone())
        .collect();
    assert_eq!(ids.len(), 2_500);
    let dir_a = temp_dir("runs-a");
    let (mut a, a_base, _, _) = common::spawn_console(&dir_a, &vars);
    let dir_b = temp_dir("runs-b");
    let b = common::start_console(&dir_b, &vars).await;
    let c = browser();
    sign_in(&c, &a_base, "admin", common::ADMIN_PASSWORD).await;
    // 2,500 through A: a batch of 1,000 at BI, the rest waiting in the run while BI's queue is full.
    let args = StartPasskeyInvitations {
        realm: realm.clone(),
        ids,
    };
    let (status, body) = call(&c, &a_base, StartPasskeyInvitations::PATH, &args).await;
    assert_eq!(status, 200, "{body}");
    let run: String = serde_json::from_str(&body).unwrap();
    assert!(run.starts_with("run-"), "{run}");
    common::signal(&a, libc::SIGKILL);
    common::wait_exit(&mut a, Duration::from_secs(10)).expect("killed");

    // Followed from B (the same session: it is in the database), which takes the run over and hands the rest to BI.
    let view = InvitationBatch {
        realm: realm.clone(),
        batch: run.clone(),
    };
    let until = Instant::now() + Duration::from_secs(120);
    let done = loop {
        let (status, body) = call(&c, &b.base, InvitationBatch::PATH, &view).await;
        assert_eq!(status, 200, "{body}");
        let v: bi_console::model::BatchView = serde_json::from_str(&body).unwrap();
        if !v.running() {
            break v;
        }
        assert!(Instant::now() < until, "still running: {v:?}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    assert_eq!(done.state, "SUCCESS", "{done:?}");
    assert_eq!(
        (done.total, done.sent, done.failed, done.batches),
        (2_500, 2_500, 0, 3)
    );
    let recorded: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE action = 'passkey.invite.batch' AND request_id = $1",
    )
    .bind(&run)
    .fetch_one(&b.db)
    .await
    .unwrap();
    assert_eq!(
        recorded, 2,
        "the two batches handed over by the run, each once"
    );
    b.stop();
}

#[tokio::test]
async fn a_session_left_idle_ends_on_every_replica_and_use_on_any_one_keeps_it() {
    let sandbox = common::start().await;
    let database = fresh_database("idle").await;
    let mut vars = replica(&sandbox, &database);
    vars.push(("CONSOLE_SESSION_IDLE_MINUTES", "15".into()));
    let (dir_a, dir_b) = (temp_dir("replica-a"), temp_dir("replica-b"));
    let (a, b): (TestConsole, TestConsole) = tokio::join!(
        common::start_console(&dir_a, &vars),
        common::start_console(&dir_b, &vars)
    );
    let realm = sandbox.workforce.clone();
    let groups = |t: &TestConsole| format!("{}/realms/{realm}/groups", t.base);
    let c = browser();
    sign_in(&c, &a.base, "admin", common::ADMIN_PASSWORD).await;
    let expiry = || async {
        sqlx::query_scalar::<_, f64>(
            "SELECT EXTRACT(EPOCH FROM expiry_date - now())::float8 FROM sessions",
        )
        .fetch_one(&a.db)
        .await
        .unwrap()
    };
    // Made on A with 15 minutes to live; set as if 14 of them had passed with no request.
    assert!(expiry().await > 14.0 * 60.0);
    sqlx::query("UPDATE sessions SET expiry_date = now() + interval '60 seconds'")
        .execute(&a.db)
        .await
        .unwrap();
    // Used on B: its idle limit starts again, for A as well.
    assert_eq!(status_of(&c, groups(&b)).await, 200);
    let left = expiry().await;
    assert!(
        left > 14.0 * 60.0,
        "B's use pushed the expiry forward: {left} s left"
    );
    assert_eq!(status_of(&c, groups(&a)).await, 200, "and A sees it");

    // Then 15 minutes with no request: both replicas refuse the session, pages and server functions alike.
    sqlx::query("UPDATE sessions SET expiry_date = now() - interval '1 second'")
        .execute(&a.db)
        .await
        .unwrap();
    assert_eq!(status_of(&c, groups(&a)).await, 303, "ended on A");
    assert_eq!(status_of(&c, groups(&b)).await, 303, "ended on B");
    let (status, _) = call(
        &c,
        &b.base,
        bi_console::api::ListGroups::PATH,
        &bi_console::api::ListGroups {
            realm: realm.clone(),
            page: 1,
            size: 10,
        },
    )
    .await;
    assert_eq!(status, 401);
    a.stop();
    b.stop();
}
