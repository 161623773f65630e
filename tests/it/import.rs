//! Import and export through the console over HTTP against the sandbox: a crafted file planned row by row (create,
//! update, unchanged, errors, duplicates, groups to create, memberships) with nothing written; applied as a job;
//! planned again: nothing to do; the errors and the result as CSV; an export imported again plans nothing; an apply
//! interrupted by a restart continues without redoing rows; cancel; the bounds; a helpdesk operator's limits.

#![cfg(feature = "ssr")]

use crate::common;

use std::time::{Duration, Instant};

use bi_console::api::*;
use bi_console::model::{ImportView, IMPORT_DONE};
use common::{browser, call, sign_in, start_console, temp_dir, TestConsole};
use leptos::server_fn::ServerFn;

fn vars() -> Vec<(&'static str, String)> {
    vec![
        ("SANDBOX_TOKEN", "import-test-token".to_string()),
        (
            "CONSOLE_PROTECTED_GROUPS",
            "Realm Administrators".to_string(),
        ),
    ]
}

/// Uploads `text` as `name`; answers the import's id (or the page it went back to).
async fn upload(
    c: &reqwest::Client,
    t: &TestConsole,
    name: &str,
    text: &str,
) -> Result<String, String> {
    let realm = &t.info.default_realm;
    let part =
        reqwest::multipart::Part::bytes(text.as_bytes().to_vec()).file_name(name.to_string());
    let form = reqwest::multipart::Form::new().part("file", part);
    let res = c
        .post(format!("{}/realms/{realm}/imports", t.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    let to = res.headers()["location"].to_str().unwrap().to_string();
    match to.rsplit_once("/imports/") {
        Some((_, id)) => Ok(id.to_string()),
        None => Err(to),
    }
}

async fn view(c: &reqwest::Client, t: &TestConsole, id: &str, show: &str) -> ImportView {
    let args = GetImport {
        realm: t.info.default_realm.clone(),
        id: id.into(),
        show: show.into(),
        page: 1,
    };
    let (status, body) = call(c, &t.base, GetImport::PATH, &args).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

async fn apply(c: &reqwest::Client, t: &TestConsole, id: &str) {
    apply_inviting(c, t, id, false).await
}

async fn apply_inviting(c: &reqwest::Client, t: &TestConsole, id: &str, invite: bool) {
    let args = ApplyImport {
        realm: t.info.default_realm.clone(),
        id: id.into(),
        invite: if invite { "on".into() } else { String::new() },
        confirm: String::new(),
    };
    let (status, body) = call(c, &t.base, ApplyImport::PATH, &args).await;
    assert_eq!(status, 200, "{body}");
}

/// The import's view once its apply job has ended (awaited through the console's job runner; a minute at most).
async fn finished(c: &reqwest::Client, t: &TestConsole, id: &str) -> ImportView {
    let settled = t.state.import_jobs.settled(id);
    if tokio::time::timeout(Duration::from_secs(60), settled)
        .await
        .is_err()
    {
        panic!("still applying: {:?}", view(c, t, id, "").await);
    }
    view(c, t, id, "").await
}

async fn wait_indexed(c: &reqwest::Client, t: &TestConsole) {
    let search = SearchIdentities {
        realm: t.info.default_realm.clone(),
        filter: Default::default(),
        page: 1,
        size: 10,
    };
    for _ in 0..300 {
        let (status, body) = call(c, &t.base, SearchIdentities::PATH, &search).await;
        assert_eq!(status, 200, "{body}");
        let answer: bi_console::model::IdentitySearch = serde_json::from_str(&body).unwrap();
        if answer.index.ready {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the first index did not complete");
}

async fn get(c: &reqwest::Client, t: &TestConsole, path: &str) -> (u16, String) {
    let res = c.get(format!("{}{path}", t.base)).send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

const FILE: &str = "\u{feff}username,name,email,groups,status,shoe size\r\n\
new.one,\"One, New\",one@acme.example,Engineering;Import Crew,,42\r\n\
new.two,Zoë \"Two\" Ångström,two@acme.example,Import Crew,,\r\n\
new.three,Three,\"three@acme.example\",,suspended,\r\n\
ada.lovelace,Ada Lovelace,ada.new@acme.example,,,\r\n\
alan.turing,,,,,\r\n\
bad;user,Bad,bad@acme.example,,,\r\n\
NEW.ONE,Again,,,,\r\n\
formula,+Plus One,,,,\r\n";

#[tokio::test]
async fn a_file_is_planned_row_by_row_applied_as_a_job_and_then_plans_nothing() {
    let dir = temp_dir("import");
    let t = start_console(&dir, &vars()).await;
    let c = browser();
    sign_in(&c, &t.base, "admin", common::ADMIN_PASSWORD).await;
    let realm = t.info.default_realm.clone();
    let sb = t.sandbox.as_ref().unwrap();
    let writes_before = sb.calls_total();

    let id = upload(&c, &t, "people.csv", FILE).await.unwrap();
    let plan = view(&c, &t, &id, "").await;
    assert_eq!(plan.state, "planned");
    assert_eq!(plan.file_name, "people.csv");
    assert_eq!(plan.sha256.len(), 64);
    assert_eq!(plan.unknown_columns, ["shoe size"]);
    let counts = &plan.counts;
    assert_eq!(
        (counts.create, counts.update, counts.unchanged, counts.error),
        (4, 1, 1, 2),
        "{plan:?}"
    );
    assert_eq!(plan.groups_to_create, ["Import Crew"]);
    assert_eq!(
        counts.memberships, 3,
        "one joins Engineering and Import Crew, two joins Import Crew"
    );
    let rows = &plan.rows.items;
    let row = |u: &str| rows.iter().find(|r| r.username == u).unwrap();
    assert_eq!(row("new.two").line, 3);
    let ada = row("ada.lovelace");
    assert_eq!(ada.action, "update");
    assert_eq!(ada.changes.len(), 1);
    assert_eq!(
        (ada.changes[0].field.as_str(), ada.changes[0].after.as_str()),
        ("email", "ada.new@acme.example")
    );
    assert_eq!(row("alan.turing").action, "unchanged");
    let bad = row("bad;user");
    assert_eq!(bad.problem.as_ref().unwrap().column, "username");
    let again = row("NEW.ONE");
    assert_eq!(again.action, "error");
    assert!(
        again
            .problem
            .as_ref()
            .unwrap()
            .message
            .contains("also on line 2"),
        "{again:?}"
    );
    assert_eq!(row("formula").action, "create");
    // Nothing was written by the plan: only reads reached BI.
    let calls = sb.calls_since(writes_before);
    assert!(calls.iter().all(|c| c.starts_with("GET ")), "{calls:?}");
    // Filtered rows, and the errors as a CSV to fix and upload again.
    let errors = view(&c, &t, &id, "error").await;
    assert_eq!(errors.rows.total, 2);
    let (status, csv) = get(&c, &t, &format!("/realms/{realm}/imports/{id}/errors.csv")).await;
    assert_eq!(status, 200);
    assert!(
        csv.starts_with(
            "username,name,email,external_id,given_name,family_name,status,groups,line,problem"
        ),
        "{csv}"
    );
    // A cell with a `;` is quoted: a spreadsheet that splits at `;` keeps it one cell.
    assert!(csv.contains("\"bad;user\",Bad,bad@acme.example"), "{csv}");

    apply(&c, &t, &id).await;
    let done = finished(&c, &t, &id).await;
    assert_eq!(done.state, IMPORT_DONE);
    assert_eq!(done.failed, 0, "{done:?}");
    assert_eq!(done.done, done.total);
    let store = sb.store();
    let one = store
        .list_identities(&realm, Some("new.one"), 0, 1)
        .await
        .unwrap()
        .items[0]
        .clone();
    assert_eq!(one.display_name, "One, New");
    let three = store
        .list_identities(&realm, Some("new.three"), 0, 1)
        .await
        .unwrap()
        .items[0]
        .clone();
    assert_eq!(three.status.as_deref(), Some("suspended"));
    let formula = store
        .list_identities(&realm, Some("formula"), 0, 1)
        .await
        .unwrap()
        .items[0]
        .clone();
    assert_eq!(formula.display_name, "+Plus One");
    let groups = store.list_groups(&realm, 0, 50).await.unwrap().items;
    let crew = groups
        .iter()
        .find(|g| g.display_name == "Import Crew")
        .expect("created");
    assert_eq!(
        store
            .list_members(&realm, &crew.id, 0, 10)
            .await
            .unwrap()
            .total,
        2
    );
    let ada_now = store
        .list_identities(&realm, Some("ada.lovelace"), 0, 1)
        .await
        .unwrap()
        .items[0]
        .clone();
    assert_eq!(
        ada_now.traits.primary_email_address.as_deref(),
        Some("ada.new@acme.example")
    );
    // The result, and the import in the audit log.
    let (_, result) = get(&c, &t, &format!("/realms/{realm}/imports/{id}/result.csv")).await;
    assert!(
        result.starts_with("line,username,action,outcome,message,identity_id"),
        "{result}"
    );
    assert!(
        result.contains(&format!("2,new.one,create,ok,,{}", one.id)),
        "{result}"
    );
    assert!(result.contains("error,skipped"), "{result}");
    let (_, audit) = call(
        &c,
        &t.base,
        ListAudit::PATH,
        &ListAudit {
            filter: bi_console::model::AuditFilter {
                action: "import.apply".into(),
                ..Default::default()
            },
            page: 1,
            size: 5,
        },
    )
    .await;
    assert!(audit.contains("people.csv"), "{audit}");

    // The same file again: nothing to do but its errors.
    let id2 = upload(&c, &t, "people.csv", FILE).await.unwrap();
    let replan = view(&c, &t, &id2, "").await;
    assert!(replan.counts.nothing_to_do(), "{:?}", replan.counts);
    assert_eq!(replan.counts.error, 2);

    // An export of the realm imported again plans nothing.
    let (status, exported) = get(&c, &t, &format!("/realms/{realm}/export?format=csv")).await;
    assert_eq!(status, 200);
    assert!(exported.starts_with("username,name,email,external_id,given_name,family_name,status,enrollment_status,groups,id,created,updated"));
    assert!(
        exported.contains("'+Plus One"),
        "what a spreadsheet would run is neutralised on export"
    );
    assert!(
        exported.contains("Engineering;Import Crew")
            || exported.contains("Import Crew;Engineering")
    );
    let id3 = upload(&c, &t, "export.csv", &exported).await.unwrap();
    let round = view(&c, &t, &id3, "").await;
    assert!(
        round.counts.nothing_to_do(),
        "{:?} {:?}",
        round.counts,
        view(&c, &t, &id3, "error").await.rows.items
    );
    assert_eq!(round.counts.error, 0);
    // The search applies to an export; JSON too.
    let (_, found) = get(
        &c,
        &t,
        &format!("/realms/{realm}/export?format=json&q=new.t"),
    )
    .await;
    let items: Vec<serde_json::Value> = serde_json::from_str(&found).unwrap();
    let mut names: Vec<&str> = items
        .iter()
        .map(|i| i["username"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["new.three", "new.two"]);

    // Once the directory index is ready, exports read it (a keyset walk): the same rows, the search applied.
    wait_indexed(&c, &t).await;
    let (_, indexed) = get(&c, &t, &format!("/realms/{realm}/export?format=csv")).await;
    let lines = |text: &str| {
        let mut l: Vec<String> = text.lines().map(str::to_string).collect();
        l.sort();
        l
    };
    assert_eq!(lines(&indexed), lines(&exported));
    let (_, found) = get(
        &c,
        &t,
        &format!("/realms/{realm}/export?format=json&q=new.t&status=suspended"),
    )
    .await;
    let items: Vec<serde_json::Value> = serde_json::from_str(&found).unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["username"], "new.three");
    t.stop();
}

#[tokio::test]
async fn bad_files_are_refused_with_the_reason_and_helpdesk_imports_only_new_identities() {
    let dir = temp_dir("import-bounds");
    let mut v = vars();
    v.push(("CONSOLE_IMPORT_MAX_ROWS", "5".into()));
    let t = start_console(&dir, &v).await;
    let c = browser();
    sign_in(&c, &t.base, "admin", common::ADMIN_PASSWORD).await;
    let realm = t.info.default_realm.clone();
    let form = format!("/realms/{realm}/import");
    for (file, says) in [
        ("name,email\nAda,a@x\n", "must be `username`"),
        ("username\na\nb\nc\nd\ne\nf\n", "more than 5 rows"),
        ("", "The file is empty."),
    ] {
        let back = upload(&c, &t, "bad.csv", file).await.unwrap_err();
        assert_eq!(back, form);
        let (_, page) = get(&c, &t, &form).await;
        assert!(page.contains(says), "{says}: {page}");
    }
    let helpdesk = browser();
    sign_in(&helpdesk, &t.base, "helpdesk", common::HELPDESK_PASSWORD).await;
    let file = "username,name,email,groups\nhelp.new,Help New,help@acme.example,Support\nada.lovelace,Ada L,,\nhelp.two,Two,,Realm Administrators\nhelp.three,Three,,Brand New Group\n";
    let id = upload(&helpdesk, &t, "help.csv", file).await.unwrap();
    let plan = view(&helpdesk, &t, &id, "").await;
    let rows = &plan.rows.items;
    assert_eq!(rows[0].action, "create");
    assert_eq!(
        rows[1].action, "error",
        "no edits of existing identities: {:?}",
        rows[1]
    );
    assert!(rows[2]
        .problem
        .as_ref()
        .unwrap()
        .message
        .contains("protected"));
    assert!(rows[3]
        .problem
        .as_ref()
        .unwrap()
        .message
        .contains("only an admin may create groups"));
    // A viewer may export but not import.
    let viewer = browser();
    sign_in(&viewer, &t.base, "viewer", common::VIEWER_PASSWORD).await;
    let (status, _) = get(&viewer, &t, &format!("/realms/{realm}/export")).await;
    assert_eq!(status, 200);
    let part = reqwest::multipart::Part::bytes(b"username\nx\n".to_vec()).file_name("x.csv");
    let res = viewer
        .post(format!("{}/realms/{realm}/imports", t.base))
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // A file with many unknown keys: the plan names the first 50 and counts the rest.
    let keys: Vec<String> = (0..60).map(|n| format!("\"extra{n}\":\"x\"")).collect();
    let json = format!("[{{\"username\":\"many.keys\",{}}}]", keys.join(","));
    let id = upload(&c, &t, "keys.json", &json).await.unwrap();
    let plan = view(&c, &t, &id, "").await;
    assert_eq!((plan.unknown_columns.len(), plan.unknown_more), (50, 10));
    let (_, page) = get(&c, &t, &format!("/realms/{realm}/imports/{id}")).await;
    assert!(
        page.contains(" and 10 more."),
        "the page says how many more: {page}"
    );
    t.stop();
}

#[tokio::test]
async fn an_apply_interrupted_by_a_restart_continues_without_redoing_rows_and_cancel_stops_one() {
    let dir = temp_dir("import-restart");
    let t = start_console(&dir, &vars()).await;
    let c = browser();
    sign_in(&c, &t.base, "admin", common::ADMIN_PASSWORD).await;
    let realm = t.info.default_realm.clone();
    let file: String = std::iter::once("username,name,groups\n".to_string())
        .chain((1..=30).map(|n| format!("restart.{n:02},Restart {n},Support\n")))
        .collect();
    let id = upload(&c, &t, "restart.csv", &file).await.unwrap();
    // As if the console had stopped mid-apply: the first 10 rows done (their outcome kept), the job gone.
    let db = common::open_db(&dir).await;
    let imports = bi_console::transfer::store::Imports::new(bi_console::db::Db::new(db.clone()));
    for line in 2..12 {
        imports
            .row_done(&id, line, "ok", None, Some("0000000000000000"))
            .await
            .unwrap();
    }
    imports.set_state(&id, "applying").await.unwrap();
    // And two plans left half made by a console that stopped while making them: one two hours ago (abandoned: the
    // restart forgets it), one just now (perhaps a command still making it: kept).
    let operator = bi_console::model::OperatorView {
        username: "admin".into(),
        role: bi_console::model::Role::Admin,
        realms: None,
    };
    let old = imports
        .begin(&realm, &operator, "old.csv", "0")
        .await
        .unwrap();
    sqlx::query("UPDATE imports SET created = '2026-01-01T00:00:00.000Z' WHERE id = $1")
        .bind(old.id())
        .execute(&db)
        .await
        .unwrap();
    let fresh = imports
        .begin(&realm, &operator, "fresh.csv", "0")
        .await
        .unwrap();
    db.close().await;
    t.stop();
    let t = start_console(&dir, &vars()).await;
    let c = browser();
    sign_in(&c, &t.base, "admin", common::ADMIN_PASSWORD).await;
    let done = finished(&c, &t, &id).await;
    assert_eq!(done.state, IMPORT_DONE, "{done:?}");
    let db = common::open_db(&dir).await;
    let imports = bi_console::transfer::store::Imports::new(bi_console::db::Db::new(db.clone()));
    assert!(
        imports.header(old.id()).await.unwrap().is_none(),
        "the abandoned plan is forgotten"
    );
    assert!(
        imports.header(fresh.id()).await.unwrap().is_some(),
        "a plan begun just now is kept"
    );
    db.close().await;
    let store = t.sandbox.as_ref().unwrap().store();
    let made = store
        .list_identities(&realm, None, 0, 1_000)
        .await
        .unwrap()
        .items;
    let restarted: Vec<_> = made
        .iter()
        .filter(|i| i.username().starts_with("restart."))
        .collect();
    assert_eq!(
        restarted.len(),
        20,
        "the 10 rows done before the restart were not written again"
    );

    // Cancel: a plan of 200 rows stopped early keeps what it did and says so.
    let file: String = std::iter::once("username,name\n".to_string())
        .chain((1..=200).map(|n| format!("cancel.{n:03},Cancel {n}\n")))
        .collect();
    let id = upload(&c, &t, "cancel.csv", &file).await.unwrap();
    apply(&c, &t, &id).await;
    let args = CancelImport {
        realm: realm.clone(),
        id: id.clone(),
    };
    let (status, body) = call(&c, &t.base, CancelImport::PATH, &args).await;
    assert_eq!(status, 200, "{body}");
    let stopped = finished(&c, &t, &id).await;
    assert!(
        stopped.state == "cancelled" || stopped.state == IMPORT_DONE,
        "{}",
        stopped.state
    );
    if stopped.state == "cancelled" {
        assert!(stopped.done < stopped.total);
    }
    t.stop();
}

/// The command line, with the same engine: export, then import of that file plans nothing; a file with an error
/// exits 1; `--apply` applies and exits 0.
#[test]
fn the_command_line_exports_plans_and_applies_with_exit_codes() {
    let dir = temp_dir("import-cli");
    std::fs::create_dir_all(&dir).unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_bi-console"))
            .args(args)
            .current_dir(&dir)
            .env("CONSOLE_DATA_DIR", dir.join("data"))
            .env("CONSOLE_DOTENV", "0")
            .env("RUST_LOG", "warn")
            .env_remove("BI_TENANT_ID")
            .output()
            .unwrap()
    };
    let out = run(&["export", "people.csv"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let exported = std::fs::read_to_string(dir.join("people.csv")).unwrap();
    assert!(exported.contains("ada.lovelace,Ada Lovelace"));
    let out = run(&["import", "people.csv"]);
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(
        said.contains("0 to create, 0 to update, 60 unchanged, 0 with errors"),
        "{said}"
    );

    std::fs::write(
        dir.join("bad.csv"),
        "username,name\ncli.new,Cli New\nbad;user,Bad\n",
    )
    .unwrap();
    let out = run(&["import", "bad.csv"]);
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains("line 3: username: Username must not contain ;."),
        "{said}"
    );

    std::fs::write(
        dir.join("good.csv"),
        "username,name,groups\ncli.new,Cli New,Support\n",
    )
    .unwrap();
    let out = run(&["import", "good.csv", "--apply"]);
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(
        said.contains("import done: 2 of 2 steps done, 0 failed"),
        "{said}"
    );
    let out = run(&["import", "good.csv"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("0 to create, 0 to update, 1 unchanged"));

    // Suspending the identities the file does not list: planned and counted, applied only with their number.
    let out = run(&["import", "good.csv", "--suspend-missing", "--apply"]);
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(!out.status.success(), "{said}");
    let active = exported.lines().filter(|l| l.contains(",active,")).count();
    assert!(
        said.contains(&format!("{active} identities to suspend")),
        "{said}"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(&format!("--confirm-suspensions {active}")),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let n = active.to_string();
    let out = run(&[
        "import",
        "good.csv",
        "--suspend-missing",
        "--apply",
        "--confirm-suspensions",
        &n,
    ]);
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(0), "{said}");
    let out = run(&["export", "after.csv"]);
    assert!(out.status.success());
    let after = std::fs::read_to_string(dir.join("after.csv")).unwrap();
    let still: Vec<&str> = after.lines().filter(|l| l.contains(",active,")).collect();
    assert_eq!(still.len(), 1, "{still:?}");
    assert!(still[0].starts_with("cli.new,"), "{still:?}");
}

#[tokio::test]
async fn an_import_can_send_passkey_invitations_to_the_identities_it_creates() {
    let dir = temp_dir("import-invite");
    let t = start_console(&dir, &vars()).await;
    let c = browser();
    sign_in(&c, &t.base, "admin", common::ADMIN_PASSWORD).await;
    let realm = t.info.default_realm.clone();
    let file = "username,name,email\ninv.one,Inv One,inv.one@acme.example\ninv.two,Inv Two,inv.two@acme.example\nada.lovelace,Ada Lovelace,\n";
    let id = upload(&c, &t, "invite.csv", file).await.unwrap();
    apply_inviting(&c, &t, &id, true).await;
    let done = finished(&c, &t, &id).await;
    assert_eq!(done.invitations_error, None);
    let batch = done.invitations.expect("invitations sent");
    let args = InvitationBatch {
        realm: realm.clone(),
        batch: batch.clone(),
    };
    let until = Instant::now() + Duration::from_secs(30);
    loop {
        let (status, body) = call(&c, &t.base, InvitationBatch::PATH, &args).await;
        assert_eq!(status, 200, "{body}");
        let v: bi_console::model::BatchView = serde_json::from_str(&body).unwrap();
        if !v.running() {
            assert_eq!(
                (v.total, v.sent),
                (2, 2),
                "only the identities it created: {v:?}"
            );
            break;
        }
        assert!(Instant::now() < until);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let store = t.sandbox.as_ref().unwrap().store();
    let one = store
        .list_identities(&realm, Some("inv.one"), 0, 1)
        .await
        .unwrap()
        .items[0]
        .clone();
    assert_eq!(one.enrollment_status.as_deref(), Some("PENDING"));
    t.stop();
}

/// An identity made at BI since the index was last refreshed is planned as a create; BI refuses it as taken, and
/// the identity there, holding every value of the row, is the row's result.
#[tokio::test]
async fn a_create_refused_as_taken_by_the_same_values_is_the_rows_result() {
    let dir = temp_dir("import-taken");
    let t = start_console(&dir, &vars()).await;
    let c = browser();
    sign_in(&c, &t.base, "admin", common::ADMIN_PASSWORD).await;
    wait_indexed(&c, &t).await;
    let realm = t.info.default_realm.clone();
    let store = t.sandbox.as_ref().unwrap().store();
    let made_elsewhere = store
        .create_identity(
            &realm,
            "Made Elsewhere",
            "active",
            "UNENROLLED",
            &bi_console::model::Traits {
                username: Some("made.elsewhere".into()),
                primary_email_address: Some("elsewhere@acme.example".into()),
                ..Default::default()
            },
            None,
        )
        .await
        .unwrap();
    let file = "username,name,email\nmade.elsewhere,Made Elsewhere,elsewhere@acme.example\nmade.other,Made Other,\n";
    let id = upload(&c, &t, "taken.csv", file).await.unwrap();
    assert_eq!(
        view(&c, &t, &id, "").await.counts.create,
        2,
        "the index does not know it yet"
    );
    apply(&c, &t, &id).await;
    let done = finished(&c, &t, &id).await;
    assert_eq!(
        done.failed,
        0,
        "{:?}",
        view(&c, &t, &id, "failed").await.rows.items
    );
    let rows = view(&c, &t, &id, "").await.rows.items;
    assert_eq!(
        rows[0].identity_id.as_deref(),
        Some(made_elsewhere.id.as_str())
    );
    t.stop();
}

/// "Make the groups' membership match the file": members the file does not list in a group it names are removed;
/// without the option, nothing is.
#[tokio::test]
async fn the_groups_membership_can_be_made_to_match_the_file() {
    let dir = temp_dir("import-sync");
    let t = start_console(&dir, &vars()).await;
    let c = browser();
    sign_in(&c, &t.base, "admin", common::ADMIN_PASSWORD).await;
    let realm = t.info.default_realm.clone();
    let store = t.sandbox.as_ref().unwrap().store();
    let finance = store
        .list_groups(&realm, 0, 50)
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|g| g.display_name == "Finance")
        .unwrap();
    let members = async || {
        store
            .list_members(&realm, &finance.id, 0, 50)
            .await
            .unwrap()
            .items
    };
    let before = members().await;
    assert!(before.len() >= 3, "{before:?}");
    let kept = before[0].username().to_string();
    let file = format!("username,name,groups\n{kept},,Finance\nnew.finance,New Finance,Finance\n");
    // Without the option: the new one joins, nobody leaves.
    let id = upload(&c, &t, "finance.csv", &file).await.unwrap();
    assert_eq!(view(&c, &t, &id, "").await.counts.removals, 0);
    // With it: the plan says how many leave, and the apply removes them.
    let part = reqwest::multipart::Part::bytes(file.clone().into_bytes()).file_name("finance.csv");
    let form = reqwest::multipart::Form::new()
        .text("sync_groups", "on")
        .part("file", part);
    let res = c
        .post(format!("{}/realms/{realm}/imports", t.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let to = res.headers()["location"].to_str().unwrap().to_string();
    let id = to.rsplit_once("/imports/").unwrap().1.to_string();
    let plan = view(&c, &t, &id, "").await;
    assert_eq!(plan.counts.removals, before.len() as u64 - 1, "{plan:?}");
    assert_eq!(
        plan.removals,
        [("Finance".to_string(), before.len() as u64 - 1)]
    );
    apply(&c, &t, &id).await;
    let done = finished(&c, &t, &id).await;
    assert_eq!((done.failed, done.done), (0, done.total));
    let mut after: Vec<String> = members()
        .await
        .iter()
        .map(|i| i.username().to_string())
        .collect();
    after.sort();
    let mut expected = vec![kept, "new.finance".to_string()];
    expected.sort();
    assert_eq!(after, expected);
    t.stop();
}

/// Uploads `text` as an admin with "suspend the identities not in the file".
async fn upload_suspending(c: &reqwest::Client, t: &TestConsole, text: &str) -> reqwest::Response {
    let realm = &t.info.default_realm;
    let part = reqwest::multipart::Part::bytes(text.as_bytes().to_vec()).file_name("keep.csv");
    let form = reqwest::multipart::Form::new()
        .text("suspend_missing", "on")
        .part("file", part);
    c.post(format!("{}/realms/{realm}/imports", t.base))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn identities_not_in_the_file_are_suspended_only_by_an_admin_and_after_typing_their_number() {
    let dir = temp_dir("import-suspend");
    let t = start_console(&dir, &vars()).await;
    let c = browser();
    sign_in(&c, &t.base, "admin", common::ADMIN_PASSWORD).await;
    wait_indexed(&c, &t).await;
    let realm = t.info.default_realm.clone();
    let store = t.sandbox.as_ref().unwrap().store();
    let everyone = store
        .list_identities(&realm, None, 0, 1000)
        .await
        .unwrap()
        .items;
    let active = |all: &[bi_console::model::Identity]| -> Vec<String> {
        all.iter()
            .filter(|i| i.status.as_deref() != Some("suspended"))
            .map(|i| i.username().to_string())
            .collect()
    };
    let before = active(&everyone);
    let suspended_before = everyone.len() - before.len();
    assert!(suspended_before > 0 && before.len() > 10);
    // Listed in the file (one in another case), so kept; one new; a suspended one not listed stays as it is.
    let file = format!(
        "username,name\n{},,\n{},,\nnew.keeper,New Keeper\n",
        before[0],
        before[1].to_uppercase()
    );
    let expected = before.len() as u64 - 2;

    // A helpdesk operator may not ask for it: back to the form with the reason.
    let helpdesk = browser();
    sign_in(&helpdesk, &t.base, "helpdesk", common::HELPDESK_PASSWORD).await;
    let res = upload_suspending(&helpdesk, &t, &file).await;
    assert_eq!(res.headers()["location"], format!("/realms/{realm}/import"));
    let (_, page) = get(&helpdesk, &t, &format!("/realms/{realm}/import")).await;
    assert!(
        page.contains("Only an admin may suspend identities by import"),
        "{page}"
    );

    let res = upload_suspending(&c, &t, &file).await;
    let to = res.headers()["location"].to_str().unwrap().to_string();
    let id = to.rsplit_once("/imports/").unwrap().1.to_string();
    let plan = view(&c, &t, &id, "").await;
    assert_eq!(plan.counts.suspensions, expected, "{plan:?}");
    assert_eq!((plan.counts.create, plan.counts.unchanged), (1, 2));
    let listed = view(&c, &t, &id, "suspend").await;
    assert_eq!(listed.rows.total, expected);
    assert!(listed
        .rows
        .items
        .iter()
        .all(|r| r.action == "suspend" && r.line == 0));
    assert!(!listed.rows.items.iter().any(|r| r.username == before[0]));

    // Apply without the number, or with another: refused on the field, nothing written.
    let writes = t.sandbox.as_ref().unwrap().calls_total();
    for typed in ["", "3", "12a"] {
        let args = ApplyImport {
            realm: realm.clone(),
            id: id.clone(),
            invite: String::new(),
            confirm: typed.into(),
        };
        let (status, body) = call(&c, &t.base, ApplyImport::PATH, &args).await;
        assert_eq!(status, 400, "{body}");
        let error: bi_console::model::AppError = serde_json::from_str(&body).unwrap();
        let message = error.field("confirm").unwrap();
        let wanted = format!("ype {expected} to confirm suspending {expected} identities.");
        assert!(message.contains(&wanted), "{message}");
    }
    // The plain form (before the wasm): back to the plan's page, which says why and keeps what was typed.
    let res = c
        .post(format!("{}{}", t.base, ApplyImport::PATH))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "text/html")
        .body(format!("realm={realm}&id={id}&confirm=7"))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    assert_eq!(
        res.headers()["location"],
        format!("/realms/{realm}/imports/{id}")
    );
    let (_, page) = get(&c, &t, &format!("/realms/{realm}/imports/{id}")).await;
    assert!(page.contains("“7” is not"), "{page}");
    assert!(page.contains("value=\"7\""), "{page}");
    assert_eq!(view(&c, &t, &id, "").await.state, "planned");
    assert_eq!(
        t.sandbox.as_ref().unwrap().calls_total(),
        writes,
        "nothing sent to BI"
    );

    // With the number: applied; only the listed identities (and the new one) stay active.
    let args = ApplyImport {
        realm: realm.clone(),
        id: id.clone(),
        invite: String::new(),
        confirm: format!(" {expected} "),
    };
    let (status, body) = call(&c, &t.base, ApplyImport::PATH, &args).await;
    assert_eq!(status, 200, "{body}");
    let done = finished(&c, &t, &id).await;
    assert_eq!(
        (done.failed, done.done, done.total),
        (0, done.total, expected + 1),
        "{done:?}"
    );
    let everyone = store
        .list_identities(&realm, None, 0, 1000)
        .await
        .unwrap()
        .items;
    let mut left = active(&everyone);
    left.sort();
    let mut kept = vec![
        before[0].clone(),
        before[1].clone(),
        "new.keeper".to_string(),
    ];
    kept.sort();
    assert_eq!(left, kept);
    let (status, csv) = get(&c, &t, &format!("/realms/{realm}/imports/{id}/result.csv")).await;
    assert_eq!(status, 200);
    assert_eq!(
        csv.lines().filter(|l| l.contains(",suspend,ok,")).count() as u64,
        expected,
        "{csv}"
    );
    // Each suspension is audited, and the import says how many it suspended.
    let audit = ListAudit {
        filter: bi_console::model::AuditFilter {
            action: "identity.suspend".into(),
            ..Default::default()
        },
        page: 1,
        size: 10,
    };
    let (status, body) = call(&c, &t.base, ListAudit::PATH, &audit).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("not in the file of an import"), "{body}");
    t.stop();
}

#[tokio::test]
async fn the_applier_is_recorded_only_admins_apply_anothers_plan_it_starts_once_and_a_removed_applier_stops_it(
) {
    let dir = temp_dir("import-applier");
    let hash = |p: &str| bi_console::auth::hash_password(p).unwrap();
    let with_h2 = format!(
        "{} h2:helpdesk:{} admin2:admin:{}",
        common::operators(),
        hash("h2 password"),
        hash("admin2 password")
    );
    let mut v = vars();
    v.push(("CONSOLE_OPERATORS", with_h2.clone()));
    let t = start_console(&dir, &v).await;
    let realm = t.info.default_realm.clone();
    let (helpdesk, h2, admin, admin2) = (browser(), browser(), browser(), browser());
    sign_in(&helpdesk, &t.base, "helpdesk", common::HELPDESK_PASSWORD).await;
    sign_in(&h2, &t.base, "h2", "h2 password").await;
    sign_in(&admin, &t.base, "admin", common::ADMIN_PASSWORD).await;
    sign_in(&admin2, &t.base, "admin2", "admin2 password").await;

    // Another helpdesk operator may neither apply nor cancel helpdesk's plan.
    let id = upload(&helpdesk, &t, "h.csv", "username,name\napplier.h1,H One\n")
        .await
        .unwrap();
    let apply_args = |id: &str| ApplyImport {
        realm: realm.clone(),
        id: id.into(),
        invite: String::new(),
        confirm: String::new(),
    };
    let (status, body) = call(&h2, &t.base, ApplyImport::PATH, &apply_args(&id)).await;
    assert_eq!(status, 403, "{body}");
    assert!(
        body.contains("Only an admin may apply a plan another operator made"),
        "{body}"
    );
    let cancel = CancelImport {
        realm: realm.clone(),
        id: id.clone(),
    };
    let (status, _) = call(&h2, &t.base, CancelImport::PATH, &cancel).await;
    assert_eq!(status, 403);
    assert_eq!(
        view(&helpdesk, &t, &id, "").await.state,
        "planned",
        "nothing started"
    );

    // An admin applies another admin's plan: the writes and the import are recorded as the admin who applied it.
    let file: String = std::iter::once("username,name\n".to_string())
        .chain((1..=6).map(|n| format!("applier.a{n},Applier {n}\n")))
        .collect();
    let id = upload(&admin2, &t, "a.csv", &file).await.unwrap();
    // Two clicks at once start one job.
    let args = apply_args(&id);
    let (a, b) = tokio::join!(
        call(&admin, &t.base, ApplyImport::PATH, &args),
        call(&admin, &t.base, ApplyImport::PATH, &args)
    );
    assert_eq!((a.0, b.0), (200, 200), "{a:?} {b:?}");
    let done = finished(&admin, &t, &id).await;
    assert_eq!(done.state, IMPORT_DONE, "{done:?}");
    assert_eq!(done.applied_by.as_deref(), Some("admin"));
    let sb = t.sandbox.as_ref().unwrap();
    for n in 1..=6 {
        assert_eq!(
            sb.creates_processed(&format!("applier.a{n}")),
            1,
            "applier.a{n} created once"
        );
    }
    let creates = common::audited(&admin, &t.base, "admin", "identity.create").await;
    assert_eq!(
        creates
            .iter()
            .filter(|e| e.target_name.starts_with("applier.a"))
            .count(),
        6
    );
    assert!(
        common::audited(&admin, &t.base, "admin2", "identity.create")
            .await
            .is_empty()
    );
    assert_eq!(
        common::audited(&admin, &t.base, "admin", "import.apply")
            .await
            .len(),
        1
    );

    // A cancel is the applier's or an admin's, and is recorded.
    let id = upload(&admin, &t, "c.csv", "username,name\napplier.c1,C One\n")
        .await
        .unwrap();
    let db = common::open_db(&dir).await;
    let imports = bi_console::transfer::store::Imports::new(bi_console::db::Db::new(db.clone()));
    let as_admin = bi_console::model::OperatorView {
        username: "admin".into(),
        role: bi_console::model::Role::Admin,
        realms: None,
    };
    // Applying, as if its job ran in another process.
    assert!(imports.start(&id, &as_admin, false).await.unwrap());
    assert!(
        !imports.start(&id, &as_admin, false).await.unwrap(),
        "started once"
    );
    let cancel = CancelImport {
        realm: realm.clone(),
        id: id.clone(),
    };
    let (status, _) = call(&helpdesk, &t.base, CancelImport::PATH, &cancel).await;
    assert_eq!(status, 403);
    let (status, body) = call(&admin2, &t.base, CancelImport::PATH, &cancel).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        common::audited(&admin, &t.base, "admin2", "import.cancel")
            .await
            .len(),
        1
    );

    // An apply whose operator is removed before the console starts again stops, and says why.
    let id = upload(&h2, &t, "gone.csv", "username,name\napplier.gone,Gone\n")
        .await
        .unwrap();
    let as_h2 = bi_console::model::OperatorView {
        username: "h2".into(),
        role: bi_console::model::Role::Helpdesk,
        realms: None,
    };
    assert!(imports.start(&id, &as_h2, false).await.unwrap());
    db.close().await;
    t.stop();
    let t = start_console(&dir, &vars()).await;
    let admin = browser();
    sign_in(&admin, &t.base, "admin", common::ADMIN_PASSWORD).await;
    let stopped = finished(&admin, &t, &id).await;
    assert_eq!(stopped.state, "cancelled", "{stopped:?}");
    assert!(
        stopped
            .halted
            .as_deref()
            .unwrap_or_default()
            .contains("h2 is no longer an operator"),
        "{stopped:?}"
    );
    assert_eq!(
        t.sandbox
            .as_ref()
            .unwrap()
            .creates_processed("applier.gone"),
        0,
        "nothing written"
    );
    t.stop();
}
