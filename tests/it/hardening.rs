//! What an outside review and a hostile tour found, each as a test over HTTP against a real console and sandbox (or
//! the real client against the sandbox): redirects after sign-in, operators changed while the console runs, log
//! forging, ids and paths with dot segments, hostile paging, headers and host names, file modes, request bounds,
//! audit entries the browser cannot forge, and writes that must not lie after a lost answer.

#![cfg(feature = "ssr")]

use crate::common;

use bi_console::api::*;
use bi_console::bi::wire::{GroupWrite, IdentityWrite, ListQuery};
use bi_console::bi::BiError;
use bi_console::model::{limits, BulkOp, IdentityInput, Traits};
use bi_console::sandbox::faults::Fault;
use common::{browser, call, page_text, sign_in, start_console, temp_dir};
use leptos::server_fn::ServerFn;

fn vars() -> Vec<(&'static str, String)> {
    vec![("SANDBOX_TOKEN", "hardening-test-token".to_string())]
}

async fn sign_in_next(c: &reqwest::Client, base: &str, next: &str) -> String {
    let res = c
        .post(format!("{base}/sign-in"))
        .form(&[
            ("username", "admin"),
            ("password", common::ADMIN_PASSWORD),
            ("next", next),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    res.headers()["location"].to_str().unwrap().to_string()
}

#[tokio::test]
async fn after_sign_in_the_browser_stays_on_the_console() {
    let dir = temp_dir("hard-next");
    let t = start_console(&dir, &vars()).await;
    for bad in [
        "/\t/evil.example/",
        "/%09/evil.example/",
        "/\n/evil.example/",
        "/\\evil.example",
        "\\/evil.example",
        "//evil.example",
        "/%2F%2Fevil.example",
        "%2F%2Fevil.example",
        "/%5Cevil.example",
        "https://evil.example/",
        "https:evil.example",
    ] {
        assert_eq!(sign_in_next(&browser(), &t.base, bad).await, "/", "{bad:?}");
    }
    assert_eq!(
        sign_in_next(&browser(), &t.base, "/realms/x/groups?page=2").await,
        "/realms/x/groups?page=2"
    );
    t.stop();
}

async fn whoami_status(c: &reqwest::Client, base: &str) -> (u16, String) {
    call(c, base, Whoami::PATH, &Whoami {}).await
}

#[tokio::test]
async fn operators_changed_on_file_apply_to_live_sessions() {
    let dir = temp_dir("hard-operators");
    std::fs::create_dir_all(&dir).unwrap();
    bi_console::auth::add_operator(
        &dir,
        "grace",
        bi_console::model::Role::Viewer,
        "grace password 1",
    )
    .unwrap();
    bi_console::auth::add_operator(
        &dir,
        "alan",
        bi_console::model::Role::Helpdesk,
        "alan password 12",
    )
    .unwrap();
    // Only file operators: no CONSOLE_OPERATORS.
    let t = start_console(&dir, &[("CONSOLE_OPERATORS", String::new())]).await;
    let grace = browser();
    assert_eq!(
        sign_in(&grace, &t.base, "grace", "grace password 1").await,
        "/"
    );
    let alan = browser();
    assert_eq!(
        sign_in(&alan, &t.base, "alan", "alan password 12").await,
        "/"
    );
    let (status, body) = whoami_status(&grace, &t.base).await;
    assert_eq!(status, 200);
    assert!(body.contains("viewer"), "{body}");
    // Promoted on file (the entry's role edited): the next request has the new role, the session goes on.
    let path = dir.join(bi_console::auth::OPERATORS_FILE);
    let edit = |f: &dyn Fn(&mut Vec<serde_json::Value>)| {
        let mut records: Vec<serde_json::Value> =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        f(&mut records);
        bi_console::files::write_private(&path, &serde_json::to_string_pretty(&records).unwrap())
            .unwrap();
    };
    edit(&|r| {
        for o in r.iter_mut().filter(|o| o["username"] == "grace") {
            o["role"] = "helpdesk".into();
        }
    });
    let (status, body) = whoami_status(&grace, &t.base).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("helpdesk"), "{body}");
    // A new password ends the sessions made with the old one.
    bi_console::auth::add_operator(
        &dir,
        "grace",
        bi_console::model::Role::Helpdesk,
        "grace password 2",
    )
    .unwrap();
    assert_eq!(whoami_status(&grace, &t.base).await.0, 401);
    assert_eq!(
        sign_in(&grace, &t.base, "grace", "grace password 2").await,
        "/"
    );
    assert_eq!(whoami_status(&grace, &t.base).await.0, 200);
    // Removed from the file: their session ends.
    assert_eq!(whoami_status(&alan, &t.base).await.0, 200);
    edit(&|r| r.retain(|o| o["username"] != "alan"));
    assert_eq!(whoami_status(&alan, &t.base).await.0, 401);
    t.stop();
}

#[tokio::test]
async fn what_is_typed_as_a_username_cannot_forge_a_log_line_or_reach_the_log() {
    let logs = common::capture_logs("info");
    let dir = temp_dir("hard-logs");
    let t = start_console(&dir, &vars()).await;
    let c = browser();
    let forged = "nobody\nINFO bi_console: signed in operator=admin";
    let location = sign_in(&c, &t.base, forged, "whatever").await;
    assert_eq!(location, "/login?error=failed&next=%2F");
    let password_in_the_wrong_field = "correct-horse-battery-staple-4411";
    sign_in(&c, &t.base, password_in_the_wrong_field, "x").await;
    let logged = String::from_utf8_lossy(&logs.0.lock().unwrap()).to_string();
    assert!(logged.contains("sign-in failed"), "{logged}");
    assert!(
        !logged.contains("\nINFO bi_console: signed in operator=admin"),
        "no forged line"
    );
    assert!(!logged.contains(password_in_the_wrong_field));
    assert!(!logged.contains("nobody"));
    t.stop();
}

#[tokio::test]
async fn dot_segment_ids_never_leave_their_resource_path() {
    let t = common::start().await;
    let c = t.client();
    let before = t.sandbox.calls_total();
    for id in ["..", ".", "", "../..", "%2e%2e", "a/b"] {
        let e = c
            .delete_group(&common::permit(&t.workforce), id)
            .await
            .unwrap_err();
        assert!(matches!(e, BiError::InvalidId(_)), "{id:?}: {e}");
        let e = c
            .delete_identity(&common::target(&common::permit(&t.workforce), id))
            .await
            .unwrap_err();
        assert!(matches!(e, BiError::InvalidId(_)), "{id:?}: {e}");
        let e = c.get_group("..", id).await.unwrap_err();
        assert!(matches!(e, BiError::InvalidId(_)), "{id:?}: {e}");
    }
    let e = c
        .list_identities("..", &ListQuery::default())
        .await
        .unwrap_err();
    assert!(matches!(e, BiError::InvalidId(_)));
    assert_eq!(
        t.sandbox.calls_since(before),
        Vec::<String>::new(),
        "no request was sent"
    );
    // The realm and its groups are all still there.
    assert!(c.get_realm(&t.workforce).await.is_ok());
}

/// A raw HTTP/1.1 GET of `path` exactly as written (clients would normalise the dot segments away).
async fn raw_get(base: &str, path: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = base.trim_start_matches("http://");
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await
    .unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.unwrap();
    let text = String::from_utf8_lossy(&out).to_string();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, text)
}

#[tokio::test]
async fn the_sign_in_guard_cannot_be_walked_around_with_dot_segments() {
    let dir = temp_dir("hard-guard");
    let t = start_console(&dir, &vars()).await;
    let realm = &t.info.default_realm;
    for path in [
        format!("/pkg/../realms/{realm}/identities"),
        "/pkg/..".to_string(),
        "/sandbox/..".to_string(),
        format!("/sandbox/../realms/{realm}/identities"),
        format!("/pkg/%2e%2e/realms/{realm}/identities"),
        "/pkg/%2E%2E/".to_string(),
        format!("//realms/{realm}/identities"),
        format!("/pkg/..%2F..%2Frealms/{realm}/identities"),
    ] {
        let (status, text) = raw_get(&t.base, &path).await;
        assert_eq!(status, 400, "{path}: {text}");
        assert!(!text.contains("Identities"), "{path}");
    }
    // A plain page still redirects to sign-in; a plain asset path is still public.
    let (status, _) = raw_get(&t.base, &format!("/realms/{realm}/identities")).await;
    assert_eq!(status, 303);
    t.stop();
}

#[tokio::test]
async fn hostile_paging_answers_past_the_end_without_overflow() {
    let t = common::start().await;
    let c = t.client();
    let page = c
        .list_identities(
            &t.workforce,
            &ListQuery {
                skip: Some(u64::MAX),
                page_size: Some(5),
                ..ListQuery::default()
            },
        )
        .await
        .unwrap();
    assert!(
        page.items.is_empty(),
        "past the end: an empty page, not page one"
    );
    assert_eq!(page.total_size, 60);
    assert!(page.next_page_token.is_none());
    // A page token at the largest position.
    use base64::Engine;
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(
        serde_json::to_vec(&serde_json::json!({
            "l": format!("identities/{}", t.workforce),
            "p": u64::MAX, "s": 20, "f": null
        }))
        .unwrap(),
    );
    let page = c
        .list_identities(
            &t.workforce,
            &ListQuery {
                page_token: Some(token),
                skip: Some(3),
                ..ListQuery::default()
            },
        )
        .await;
    match page {
        Ok(p) => assert!(p.items.is_empty() && p.next_page_token.is_none()),
        Err(e) => assert_eq!(e.status(), Some(400), "{e}"),
    }
}

#[tokio::test]
async fn signed_in_pages_are_not_cached_and_unknown_hosts_are_refused() {
    let dir = temp_dir("hard-headers");
    let t = start_console(&dir, &vars()).await;
    let c = browser();
    sign_in(&c, &t.base, "admin", common::ADMIN_PASSWORD).await;
    let realm = &t.info.default_realm;
    let res = c
        .get(format!("{}/realms/{realm}/identities", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert!(
        res.headers().get("strict-transport-security").is_none(),
        "plain http"
    );
    let (_, _) = whoami_status(&c, &t.base).await;
    // DNS rebinding: a page on evil.example pointed at 127.0.0.1 sends its own host name.
    let port = t.base.rsplit(':').next().unwrap();
    let res = c
        .get(format!("{}/login", t.base))
        .header("host", format!("evil.example:{port}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 421);
    let res = c
        .get(format!("{}/login", t.base))
        .header("host", format!("localhost:{port}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    t.stop();

    // Served as https behind a proxy: Strict-Transport-Security, and the public host is accepted.
    let dir = temp_dir("hard-hsts");
    let mut v = vars();
    v.push(("CONSOLE_PUBLIC_URL", "https://console.example.com".into()));
    let t = start_console(&dir, &v).await;
    let res = browser()
        .get(format!("{}/login", t.base))
        .header("host", "console.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["strict-transport-security"]
        .to_str()
        .unwrap()
        .starts_with("max-age="));
    t.stop();
}

#[cfg(unix)]
#[tokio::test]
async fn the_data_directory_is_the_owners_only_even_when_it_was_not() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir("hard-modes");
    // A first start creates everything; then someone widens the modes.
    let t = start_console(&dir, &vars()).await;
    t.stop();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_file() {
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
    }
    let t = start_console(&dir, &vars()).await;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    let database = if common::on_postgres() {
        "sandbox.sqlite"
    } else {
        "console.db"
    };
    assert!(files.iter().any(|p| p.ends_with(database)), "{files:?}");
    for f in &files {
        assert_eq!(mode(f), 0o600, "{}", f.display());
    }
    t.stop();
}

#[tokio::test]
async fn every_list_argument_is_bounded_and_a_request_over_a_bound_writes_nothing() {
    let dir = temp_dir("hard-bounds");
    let t = start_console(&dir, &vars()).await;
    let c = browser();
    sign_in(&c, &t.base, "admin", common::ADMIN_PASSWORD).await;
    let realm = t.info.default_realm.clone();
    let (ada, eng) = common::seeded(&t).await;
    let sb = t.sandbox.as_ref().unwrap();
    let over = |n: usize| -> Vec<String> { (0..n).map(|k| format!("{k:016x}")).collect() };

    let before = sb.calls_total();
    let (status, body) = call(
        &c,
        &t.base,
        BulkIdentities::PATH,
        &BulkIdentities {
            realm: realm.clone(),
            op: BulkOp::Delete,
            ids: over(limits::MAX_SELECTED_IDS + 1),
        },
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("At most 10000"), "{body}");
    let (status, body) = call(
        &c,
        &t.base,
        RemoveGroupMembers::PATH,
        &RemoveGroupMembers {
            realm: realm.clone(),
            group: eng.clone(),
            ids: over(limits::MAX_SELECTED_IDS + 1),
        },
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = call(
        &c,
        &t.base,
        AddIdentityToGroups::PATH,
        &AddIdentityToGroups {
            realm: realm.clone(),
            identity: ada.clone(),
            groups: over(limits::MAX_GROUPS_AT_ONCE + 1),
        },
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let names: Vec<String> = (0..=limits::MAX_PASTED_USERNAMES)
        .map(|k| format!("user{k}"))
        .collect();
    let (status, body) = call(
        &c,
        &t.base,
        AddGroupMembersByUsernames::PATH,
        &AddGroupMembersByUsernames {
            realm: realm.clone(),
            group: eng.clone(),
            usernames: names.join("\n"),
        },
    )
    .await;
    assert_eq!(status, 400, "{body}");
    // Ids that cannot be BI's are refused before anything is sent.
    let (status, body) = call(
        &c,
        &t.base,
        AddGroupMembers::PATH,
        &AddGroupMembers {
            realm: realm.clone(),
            group: eng.clone(),
            ids: vec!["..".into()],
        },
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        sb.calls_since(before),
        Vec::<String>::new(),
        "nothing reached BI"
    );
    let audit =
        bi_console::audit::AuditLog::new(bi_console::db::Db::new(common::open_db(&dir).await));
    let entries = audit.list(&Default::default(), None, 1, 10).await.unwrap();
    let writes: Vec<_> = entries
        .items
        .iter()
        .filter(|e| e.action != "operator.sign_in")
        .collect();
    assert!(
        writes.is_empty(),
        "nothing was recorded but the sign-in: {writes:?}"
    );

    // Just at the bound, the request is taken (and repeats are sent once).
    let (status, body) = call(
        &c,
        &t.base,
        AddIdentityToGroups::PATH,
        &AddIdentityToGroups {
            realm: realm.clone(),
            identity: ada.clone(),
            groups: vec![eng.clone(), eng.clone()],
        },
    )
    .await;
    assert_eq!(status, 200, "{body}");
    t.stop();
}

#[tokio::test]
async fn an_edits_audit_entry_says_what_bi_held_not_what_the_browser_claimed() {
    let dir = temp_dir("hard-audit");
    let t = start_console(&dir, &vars()).await;
    let c = browser();
    sign_in(&c, &t.base, "admin", common::ADMIN_PASSWORD).await;
    let realm = t.info.default_realm.clone();
    let (ada, _) = common::seeded(&t).await;
    let sb = t.sandbox.as_ref().unwrap();
    let real = sb.store().get_identity(&realm, &ada).await.unwrap();
    let input = IdentityInput {
        display_name: "Ada King".into(),
        ..IdentityInput::from_identity(&real)
    };
    // The browser lies about what was there before.
    let forged_original = IdentityInput {
        display_name: "Somebody Else".into(),
        username: "somebody.else".into(),
        ..IdentityInput::from_identity(&real)
    };
    let (status, body) = call(
        &c,
        &t.base,
        UpdateIdentity::PATH,
        &UpdateIdentity {
            realm: realm.clone(),
            id: ada.clone(),
            input,
            original: forged_original,
        },
    )
    .await;
    assert!(
        status == 200 || status == 302 || status == 303,
        "{status} {body}"
    );
    let (_, body) = call(&c, &t.base, Activity::PATH, &Activity { id: ada.clone() }).await;
    let entries: Vec<bi_console::model::AuditEntry> = serde_json::from_str(&body).unwrap();
    let e = entries
        .iter()
        .find(|e| e.action == "identity.update")
        .expect("recorded");
    assert_eq!(e.target_name, real.username(), "the name is BI's");
    assert!(e.detail.contains(&real.display_name), "{}", e.detail);
    assert!(e.detail.contains("Ada King"), "{}", e.detail);
    assert!(!e.detail.contains("Somebody Else"), "{}", e.detail);
    t.stop();
}

fn quick_retries(c: bi_console::bi::Client) -> bi_console::bi::Client {
    c.with_retry(bi_console::bi::retry::RetryPolicy {
        attempts: 4,
        base: std::time::Duration::from_millis(1),
        cap: std::time::Duration::from_millis(5),
    })
}

#[tokio::test]
async fn a_lost_answer_never_turns_someone_elses_username_into_a_success() {
    let t = common::start().await;
    let c = quick_retries(t.client());
    let taken = c
        .find_by_username(&t.workforce, "ada.lovelace")
        .await
        .unwrap()
        .expect("seeded");
    let w = IdentityWrite {
        display_name: Some("An Impostor".into()),
        status: None,
        traits: Some(Traits {
            username: Some("ada.lovelace".into()),
            primary_email_address: Some("impostor@example.com".into()),
            ..Traits::default()
        }),
    };
    // The first create's answer is lost: the console cannot know BI said 409.
    t.sandbox.fail_next(&[Fault::DropBefore]);
    let before = t.sandbox.calls_total();
    let e = c
        .create_identity_verified(&common::permit(&t.workforce), &w)
        .await
        .unwrap_err();
    assert!(e.is_conflict(), "reported as the conflict it is: {e}");
    let calls = t.sandbox.calls_since(before);
    assert!(
        calls.iter().any(|c| c.starts_with("GET identities")),
        "looked the username up: {calls:?}"
    );
    let still = c.get_identity(&t.workforce, &taken.id).await.unwrap();
    assert_eq!(still.display_name, taken.display_name, "untouched");

    // And the path where nothing was found: the create is sent again, once, and succeeds.
    let w = IdentityWrite {
        display_name: Some("Fresh Person".into()),
        status: None,
        traits: Some(Traits {
            username: Some("fresh.person".into()),
            ..Traits::default()
        }),
    };
    t.sandbox.fail_next(&[Fault::DropBefore]);
    let before = t.sandbox.calls_total();
    let made = c
        .create_identity_verified(&common::permit(&t.workforce), &w)
        .await
        .unwrap();
    assert_eq!(made.username(), "fresh.person");
    let calls = t.sandbox.calls_since(before);
    assert_eq!(
        calls
            .iter()
            .filter(|c| c.starts_with("POST identities"))
            .count(),
        1,
        "processed once: {calls:?}"
    );
    assert!(
        calls.iter().any(|c| c.starts_with("GET identities")),
        "{calls:?}"
    );
}

#[tokio::test]
async fn a_batch_delete_repeated_after_a_lost_answer_counts_what_it_deleted() {
    let t = common::start().await;
    let ids = common::make_identities(&t, "batch.lost", 3).await;
    let c = quick_retries(t.client());
    // Deleted, but the answer is lost: the repeat finds none of them.
    t.sandbox.fail_next(&[Fault::DropAfter]);
    let permit = common::permit(&t.workforce);
    let protection = common::protection(&permit, &ids);
    let result = bi_console::api::bulk::run(
        &c,
        &bi_console::api::bulk::BulkWrite::Delete(permit),
        &ids,
        &protection,
    )
    .await;
    assert_eq!(result.succeeded, 3, "{result:?}");
    assert!(result.failed.is_empty(), "{result:?}");
    for id in &ids {
        assert!(c
            .get_identity(&t.workforce, id)
            .await
            .unwrap_err()
            .is_not_found());
    }
}

#[tokio::test]
async fn every_write_is_tried_again_after_429_and_503_and_only_then() {
    let t = common::start().await;
    let c = quick_retries(t.client());
    let w = GroupWrite {
        display_name: Some("Retried Group".into()),
        description: None,
    };
    t.sandbox
        .fail_next(&[Fault::RateLimited, Fault::Unavailable]);
    let before = t.sandbox.calls_total();
    let g = c
        .create_group(&common::permit(&t.workforce), &w)
        .await
        .unwrap();
    assert_eq!(g.display_name, "Retried Group");
    let calls = t.sandbox.calls_since(before);
    assert_eq!(
        calls
            .iter()
            .filter(|c| c.starts_with("POST groups"))
            .count(),
        1,
        "{calls:?}"
    );
    // Membership and edits too.
    let ids = common::make_identities(&t, "retried.member", 1).await;
    t.sandbox.fail_next(&[Fault::Unavailable]);
    c.add_members(&common::permit(&t.workforce), &g.id, &ids)
        .await
        .unwrap();
    t.sandbox.fail_next(&[Fault::RateLimited]);
    c.update_group(
        &common::permit(&t.workforce),
        &g.id,
        &GroupWrite {
            display_name: None,
            description: Some("after a 429".into()),
        },
    )
    .await
    .unwrap();
    // A 500 may hide a success: a create with no way to check is not sent again.
    t.sandbox.fail_next(&[Fault::ErrorBefore]);
    let injected = t.sandbox.faults_injected();
    let e = c
        .create_group(
            &common::permit(&t.workforce),
            &GroupWrite {
                display_name: Some("Not Repeated".into()),
                description: None,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(500));
    assert_eq!(t.sandbox.faults_injected(), injected + 1, "one attempt");
}

#[tokio::test]
async fn concurrent_patches_of_different_fields_both_land() {
    let t = common::start().await;
    let ids = common::make_identities(&t, "patched", 10).await;
    let c = t.client();
    let mut work = Vec::new();
    for (k, id) in ids.iter().enumerate() {
        let name = IdentityWrite {
            display_name: Some(format!("Renamed {k}")),
            ..IdentityWrite::default()
        };
        let email = IdentityWrite {
            traits: Some(Traits {
                primary_email_address: Some(format!("p{k}@example.com")),
                ..Traits::default()
            }),
            ..IdentityWrite::default()
        };
        let (c1, c2, r) = (&c, &c, &t.workforce);
        work.push(async move {
            let edit = common::permit::<bi_console::permit::act::EditIdentity>(r);
            let (t1, t2) = (common::target(&edit, id), common::target(&edit, id));
            let (a, b) = tokio::join!(
                c1.update_identity(&t1, &name),
                c2.update_identity(&t2, &email)
            );
            a.unwrap();
            b.unwrap();
        });
    }
    futures::future::join_all(work).await;
    for (k, id) in ids.iter().enumerate() {
        let i = c.get_identity(&t.workforce, id).await.unwrap();
        assert_eq!(i.display_name, format!("Renamed {k}"));
        assert_eq!(
            i.traits.primary_email_address.as_deref(),
            Some(format!("p{k}@example.com").as_str())
        );
    }
}

#[tokio::test]
async fn asking_which_of_no_ids_are_members_costs_no_call() {
    let t = common::start().await;
    let c = t.client();
    let group = c
        .create_group(
            &common::permit(&t.workforce),
            &GroupWrite {
                display_name: Some("Big Enough".into()),
                description: None,
            },
        )
        .await
        .unwrap();
    let ids = common::make_identities(&t, "big.member", 450).await;
    c.add_members(&common::permit(&t.workforce), &group.id, &ids)
        .await
        .unwrap();
    let first = bi_console::api::members::first_members_page(&c, &t.workforce, &group.id)
        .await
        .unwrap();
    let before = t.sandbox.calls_total();
    let found = bi_console::api::members::members_among(&c, &t.workforce, &group.id, first, &[])
        .await
        .unwrap();
    assert!(found.is_empty());
    assert_eq!(t.sandbox.calls_since(before), Vec::<String>::new());
}

#[tokio::test]
async fn an_operator_limited_to_realms_and_protected_groups_are_refused_and_recorded() {
    let dir = temp_dir("hard-scope");
    std::fs::create_dir_all(&dir).unwrap();
    // Start once to learn the realms, then limit a helpdesk operator to the customers realm.
    let t = start_console(&dir, &vars()).await;
    let sb = t.sandbox.clone().unwrap();
    let realms = sb.store().list_realms(0, 10).await.unwrap().items;
    let workforce = t.info.default_realm.clone();
    let customers = realms
        .iter()
        .find(|r| r.id != workforce)
        .unwrap()
        .id
        .clone();
    let (ada, eng) = common::seeded(&t).await;
    t.stop();
    let hash = bi_console::auth::hash_password("scoped password 1").unwrap();
    let mut v = vars();
    v.push((
        "CONSOLE_OPERATORS",
        format!("{} scoped:helpdesk:{hash}:{customers}", common::operators()),
    ));
    v.push(("CONSOLE_PROTECTED_GROUPS", "Engineering".into()));
    let t = start_console(&dir, &v).await;

    let scoped = browser();
    assert_eq!(
        sign_in(&scoped, &t.base, "scoped", "scoped password 1").await,
        "/"
    );
    // The realm picker lists only the operator's realms.
    let (status, body) = call(&scoped, &t.base, ListRealms::PATH, &ListRealms {}).await;
    assert_eq!(status, 200);
    assert!(
        body.contains(&customers) && !body.contains(&workforce),
        "{body}"
    );
    // Reads and writes elsewhere are refused.
    let (status, _) = call(
        &scoped,
        &t.base,
        ListIdentities::PATH,
        &ListIdentities {
            realm: workforce.clone(),
            page: 1,
            size: 25,
            q: String::new(),
        },
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = call(
        &scoped,
        &t.base,
        SetIdentityStatus::PATH,
        &SetIdentityStatus {
            realm: workforce.clone(),
            id: ada.clone(),
            suspend: true,
        },
    )
    .await;
    assert_eq!(status, 403);
    let still = sb.store().get_identity(&workforce, &ada).await.unwrap();
    assert_eq!(still.status.as_deref(), Some("active"));

    // A helpdesk operator of every realm may not change a protected group's members; an admin may.
    let helpdesk = browser();
    sign_in(&helpdesk, &t.base, "helpdesk", common::HELPDESK_PASSWORD).await;
    let before = sb
        .store()
        .list_members(&workforce, &eng, 0, 200)
        .await
        .unwrap()
        .total;
    let (status, body) = call(
        &helpdesk,
        &t.base,
        RemoveGroupMembers::PATH,
        &RemoveGroupMembers {
            realm: workforce.clone(),
            group: eng.clone(),
            ids: vec![ada.clone()],
        },
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("protected"), "{body}");
    let (status, _) = call(
        &helpdesk,
        &t.base,
        AddIdentityToGroups::PATH,
        &AddIdentityToGroups {
            realm: workforce.clone(),
            identity: ada.clone(),
            groups: vec![eng.clone()],
        },
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(
        sb.store()
            .list_members(&workforce, &eng, 0, 200)
            .await
            .unwrap()
            .total,
        before,
        "nothing changed"
    );
    // The group page tells the helpdesk operator why there is no member control.
    let page = page_text(
        &helpdesk,
        format!("{}/realms/{workforce}/groups/{eng}", t.base),
    )
    .await;
    assert!(page.contains("Protected group"), "shown as protected");
    assert!(!page.contains(">Add members<"), "no add control");
    let admin = browser();
    sign_in(&admin, &t.base, "admin", common::ADMIN_PASSWORD).await;
    let (status, body) = call(
        &admin,
        &t.base,
        RemoveGroupMembers::PATH,
        &RemoveGroupMembers {
            realm: workforce.clone(),
            group: eng.clone(),
            ids: vec![ada.clone()],
        },
    )
    .await;
    assert_eq!(status, 200, "{body}");
    // Both refusals are in the audit log.
    let (_, body) = call(
        &admin,
        &t.base,
        ListAudit::PATH,
        &ListAudit {
            filter: Default::default(),
            page: 1,
            size: 50,
        },
    )
    .await;
    assert!(body.contains("refused.realm"), "{body}");
    assert!(body.contains("refused.protected_group"), "{body}");

    // The operator limited to the customers realm reads that realm's entries only: not Workforce's edits.
    let seen = common::audited(&scoped, &t.base, "", "").await;
    assert!(seen.iter().all(|e| e.realm == customers), "{seen:?}");
    assert!(
        !seen.iter().any(|e| e.action == "group.members.remove"),
        "{seen:?}"
    );
    let (status, body) = call(
        &scoped,
        &t.base,
        Activity::PATH,
        &Activity { id: eng.clone() },
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body.trim(), "[]", "no activity of another realm's group");
    // An export of a realm is an event; one refused is recorded as a refusal.
    let res = scoped
        .get(format!("{}/realms/{workforce}/export?format=csv", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let res = admin
        .get(format!(
            "{}/realms/{workforce}/export?format=json&status=active",
            t.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let _ = res.text().await.unwrap();
    let exports = common::audited(&admin, &t.base, "", "identities.export").await;
    assert!(
        exports
            .iter()
            .any(|e| e.detail == "JSON export of the identities found by status “active”"),
        "{exports:?}"
    );
    let refused = common::audited(&admin, &t.base, "scoped", "refused.realm").await;
    assert!(
        refused
            .iter()
            .any(|e| e.detail.starts_with("an export in a realm outside")),
        "{refused:?}"
    );
    t.stop();
}

#[tokio::test]
async fn the_sign_in_form_keeps_what_was_typed_without_putting_it_in_the_address() {
    let dir = temp_dir("hard-typed");
    let t = start_console(&dir, &vars()).await;
    let res = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{}/sign-in", t.base))
        .form(&[
            ("username", "ada <b>&"),
            ("password", "wrong"),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert!(!location.contains("ada"), "{location}");
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("bi_console_typed="))
        .expect("the typed name rides in a cookie")
        .to_string();
    for part in ["Path=/login", "HttpOnly", "SameSite=Strict", "Max-Age=60"] {
        assert!(cookie.contains(part), "{cookie}");
    }
    let page = reqwest::Client::new()
        .get(format!("{}{location}", t.base))
        .header("cookie", cookie.split(';').next().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("value=\"ada &lt;b&gt;&amp;\""),
        "prefilled, escaped"
    );
    t.stop();
}

#[tokio::test]
async fn a_crafted_link_cannot_make_a_form_show_a_message_and_a_failed_post_comes_back_once() {
    let dir = temp_dir("hard-flash");
    let t = start_console(&dir, &vars()).await;
    let c = browser();
    sign_in(&c, &t.base, "admin", common::ADMIN_PASSWORD).await;
    let realm = t.info.default_realm.clone();
    let form = format!("/realms/{realm}/identities/new");
    let crafted = r#"{"message":"Your session expired: re-enter your password at https://evil.example","fields":[]}"#;
    let page = c
        .get(format!(
            "{}{form}?error={}&display_name=Phished",
            t.base,
            bi_console::model::encode_component(crafted)
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Add identity"));
    assert!(
        !page.contains("session expired"),
        "the address holds no message the page shows"
    );
    assert!(!page.contains("Phished"));

    // A plain form post (no JavaScript) with a taken username: back to the form, with nothing in the address.
    let res = c
        .post(format!("{}{}", t.base, CreateIdentity::PATH))
        .header("accept", "text/html")
        .form(&[
            ("realm", realm.as_str()),
            ("input[display_name]", "Ada Again"),
            ("input[username]", "ada.lovelace"),
            ("input[email]", "ada.again@example.com"),
            ("input[external_id]", ""),
            ("input[given_name]", ""),
            ("input[family_name]", ""),
        ])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    assert_eq!(res.headers()["location"], form.as_str());
    let page = page_text(&c, format!("{}{form}", t.base)).await;
    assert!(page.contains("already taken"), "the error is on the form");
    assert!(page.contains("value=\"Ada Again\""), "what was typed stays");
    assert!(page.contains("ada.again@example.com"));
    let again = page_text(&c, format!("{}{form}", t.base)).await;
    assert!(!again.contains("already taken"), "shown once");

    // The same for an edit.
    let (ada, _) = common::seeded(&t).await;
    let edit = format!("/realms/{realm}/identities/{ada}/edit");
    let res = c
        .post(format!("{}{}", t.base, UpdateIdentity::PATH))
        .header("accept", "text/html")
        .form(&[
            ("realm", realm.as_str()),
            ("id", ada.as_str()),
            ("input[display_name]", "Ada <Bad>"),
            ("input[username]", "ada.lovelace"),
            ("input[email]", ""),
            ("input[external_id]", ""),
            ("input[given_name]", ""),
            ("input[family_name]", ""),
            ("original[display_name]", "Ada Lovelace"),
            ("original[username]", "ada.lovelace"),
            ("original[email]", ""),
            ("original[external_id]", ""),
            ("original[given_name]", ""),
            ("original[family_name]", ""),
        ])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    assert_eq!(res.headers()["location"], edit.as_str());
    let get = |url: String| {
        let c = c.clone();
        async move { c.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let first = get(format!("{}{edit}", t.base)).await;
    assert!(
        first.contains("Name must not contain &lt; &gt;."),
        "the error is on the field"
    );
    assert!(first.contains("Ada &lt;Bad&gt;"), "what was typed stays");
    let second = get(format!("{}{edit}", t.base)).await;
    assert!(!second.contains("Ada &lt;Bad&gt;"), "shown once");
    assert!(!second.contains("must not contain"), "shown once");
    t.stop();
}

#[tokio::test]
async fn the_sandbox_reports_the_calls_it_answered_by_kind() {
    let t = common::start().await;
    let c = t.client();
    let before = t.sandbox.calls_total();
    c.find_by_username(&t.workforce, "ada.lovelace")
        .await
        .unwrap();
    c.list_groups(&t.workforce, &ListQuery::default())
        .await
        .unwrap();
    let token = t.sandbox.credentials().api_token.expose().to_string();
    let answer: serde_json::Value = reqwest::Client::new()
        .get(format!("{}/_calls?since={before}", t.api_base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer["calls"], before + 2);
    assert_eq!(
        answer["since"],
        serde_json::json!(["GET identities", "GET groups"])
    );
}

#[tokio::test]
async fn one_request_id_is_in_the_answer_the_error_the_log_and_the_audit_entry() {
    let logs = common::capture_logs("info");
    let dir = temp_dir("hard-rid");
    let t = start_console(&dir, &vars()).await;
    let c = browser();
    sign_in(&c, &t.base, "admin", common::ADMIN_PASSWORD).await;
    let realm = t.info.default_realm.clone();
    let res = c
        .post(format!("{}{}", t.base, CreateIdentity::PATH))
        .header("accept", "application/json")
        .form(&[
            ("realm", realm.as_str()),
            ("input[display_name]", "Ada Twice"),
            ("input[username]", "ada.lovelace"),
            ("input[email]", ""),
            ("input[external_id]", ""),
            ("input[given_name]", ""),
            ("input[family_name]", ""),
        ])
        .send()
        .await
        .unwrap();
    let header = res.headers()[bi_console::request_id::HEADER]
        .to_str()
        .unwrap()
        .to_string();
    let body = res.text().await.unwrap();
    let error: bi_console::model::AppError =
        serde_json::from_str(body.trim_start_matches(|c| c != '{'))
            .unwrap_or_else(|_| panic!("{body}"));
    assert_eq!(
        error.request_id.as_deref(),
        Some(header.as_str()),
        "the message names the request"
    );
    let (_, entries) = call(
        &c,
        &t.base,
        ListAudit::PATH,
        &ListAudit {
            filter: Default::default(),
            page: 1,
            size: 10,
        },
    )
    .await;
    let page: bi_console::model::PageView<bi_console::model::AuditEntry> =
        serde_json::from_str(&entries).unwrap();
    let entry = page
        .items
        .iter()
        .find(|e| e.action == "identity.create")
        .expect("recorded");
    assert_eq!(
        entry.request_id, header,
        "the audit entry names the same request"
    );
    let logged = String::from_utf8_lossy(&logs.0.lock().unwrap()).to_string();
    let line = logged
        .lines()
        .find(|l| l.contains("BI call failed") && l.contains(&header))
        .unwrap_or_else(|| panic!("a log line with the id {header}"));
    assert!(
        line.contains(&format!("id={header}")),
        "inside the request's span: {line}"
    );
    t.stop();
}

/// A server function whose BI call failed answers with a status that keeps BI's meaning: 404 for an identity that
/// is not there, 502 when BI keeps failing; the operator's message is in the body either way.
#[tokio::test]
async fn a_failed_bi_call_answers_with_a_status_that_keeps_its_meaning() {
    let dir = temp_dir("hard-status");
    let t = start_console(&dir, &vars()).await;
    let c = browser();
    sign_in(&c, &t.base, "admin", common::ADMIN_PASSWORD).await;
    let realm = t.info.default_realm.clone();
    let (ada, _) = common::seeded(&t).await;
    let get = |id: &str| GetIdentity {
        realm: realm.clone(),
        id: id.to_string(),
    };
    let (status, body) = call(&c, &t.base, GetIdentity::PATH, &get("00000000deadbeef")).await;
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("\"status\":404"), "{body}");
    // BI answers 500 to every attempt (a read is repeated, and the page makes two): a bad gateway, not the
    // console's fault.
    t.sandbox
        .as_ref()
        .unwrap()
        .fail_next(&[Fault::ErrorBefore; 30]);
    let (status, body) = call(&c, &t.base, GetIdentity::PATH, &get(&ada)).await;
    assert_eq!(status, 502, "{body}");
    assert!(body.contains("BI had a problem"), "{body}");
    t.stop();
}

/// The ids of the usernames given, in the default realm of the sandbox.
async fn ids_of(t: &common::TestConsole, usernames: &[&str]) -> Vec<String> {
    let sb = t.sandbox.as_ref().unwrap();
    let mut ids = Vec::new();
    for u in usernames {
        let page = sb
            .store()
            .list_identities(&t.info.default_realm, Some(u), 0, 1)
            .await
            .unwrap();
        ids.push(page.items[0].id.clone());
    }
    ids
}

#[tokio::test]
async fn a_member_of_a_protected_group_is_changed_by_an_admin_only() {
    let dir = temp_dir("hard-protected-identity");
    let mut v = vars();
    v.push(("CONSOLE_PROTECTED_GROUPS", "Realm Administrators".into()));
    let t = start_console(&dir, &v).await;
    let sb = t.sandbox.clone().unwrap();
    let realm = t.info.default_realm.clone();
    // ada and grace administer the realm; alan does not.
    let ids = ids_of(&t, &["ada.lovelace", "grace.hopper", "alan.turing"]).await;
    let (ada, grace, alan) = (ids[0].clone(), ids[1].clone(), ids[2].clone());
    let admin = browser();
    sign_in(&admin, &t.base, "admin", common::ADMIN_PASSWORD).await;
    let (status, body) = call(
        &admin,
        &t.base,
        IdentityPasskeys::PATH,
        &IdentityPasskeys {
            realm: realm.clone(),
            identity: ada.clone(),
        },
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let view: PasskeysView = serde_json::from_str(&body).unwrap();
    let passkey = view
        .credentials
        .iter()
        .find(|c| c.state == "ACTIVE")
        .expect("ada has a passkey")
        .id
        .clone();
    let config = view.default_config.clone();

    let helpdesk = browser();
    sign_in(&helpdesk, &t.base, "helpdesk", common::HELPDESK_PASSWORD).await;
    let calls_before = sb.calls_total();
    let refused: Vec<(&str, String)> = vec![
        (
            RevokePasskey::PATH,
            serde_qs::to_string(&RevokePasskey {
                realm: realm.clone(),
                identity: ada.clone(),
                credential: passkey.clone(),
            })
            .unwrap(),
        ),
        (
            SendPasskeyInvitation::PATH,
            serde_qs::to_string(&SendPasskeyInvitation {
                realm: realm.clone(),
                identity: ada.clone(),
                config: config.clone(),
                link: true,
            })
            .unwrap(),
        ),
        (
            SetIdentityStatus::PATH,
            serde_qs::to_string(&SetIdentityStatus {
                realm: realm.clone(),
                id: grace.clone(),
                suspend: true,
            })
            .unwrap(),
        ),
        (
            StartPasskeyInvitations::PATH,
            serde_qs::to_string(&StartPasskeyInvitations {
                realm: realm.clone(),
                ids: vec![alan.clone(), ada.clone()],
            })
            .unwrap(),
        ),
    ];
    for (path, body) in &refused {
        let (status, answer) = common::post_raw(&helpdesk, &t.base, path, body).await;
        assert_eq!(status, 403, "{path}: {answer}");
        assert!(answer.contains("protected group"), "{path}: {answer}");
    }
    // Nothing was written at BI: only reads reached the sandbox.
    let writes: Vec<String> = sb
        .calls_since(calls_before)
        .into_iter()
        .filter(|c| !c.starts_with("GET "))
        .collect();
    assert_eq!(writes, Vec::<String>::new());
    let ada_now = sb.store().get_identity(&realm, &ada).await.unwrap();
    assert_eq!(ada_now.display_name, "Ada Lovelace");
    assert_eq!(
        sb.store()
            .get_identity(&realm, &grace)
            .await
            .unwrap()
            .status
            .as_deref(),
        Some("active")
    );

    // In bulk, the protected ones fail and say why; the others are done.
    let (status, body) = call(
        &helpdesk,
        &t.base,
        BulkIdentities::PATH,
        &BulkIdentities {
            realm: realm.clone(),
            op: BulkOp::Suspend,
            ids: vec![ada.clone(), alan.clone()],
        },
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let result: bi_console::model::BulkResult = serde_json::from_str(&body).unwrap();
    assert_eq!(result.succeeded, 1, "{body}");
    assert_eq!(result.failed.len(), 1, "{body}");
    assert_eq!(result.failed[0].id, ada);
    assert!(
        result.failed[0].reason.contains("protected group"),
        "{body}"
    );
    assert_eq!(
        sb.store()
            .get_identity(&realm, &alan)
            .await
            .unwrap()
            .status
            .as_deref(),
        Some("suspended")
    );

    // The identity's page says why its controls are absent.
    let page = page_text(
        &helpdesk,
        format!("{}/realms/{realm}/identities/{ada}", t.base),
    )
    .await;
    assert!(page.contains("protected-note"), "the note is shown");
    assert!(
        !page.contains(">Suspend<") && !page.contains(">Delete<"),
        "no controls"
    );
    let page = page_text(
        &admin,
        format!("{}/realms/{realm}/identities/{ada}", t.base),
    )
    .await;
    assert!(!page.contains("protected-note") && page.contains(">Suspend<"));

    // An admin may; and the refusals are in the audit log.
    let (status, body) = call(
        &admin,
        &t.base,
        SetIdentityStatus::PATH,
        &SetIdentityStatus {
            realm: realm.clone(),
            id: grace.clone(),
            suspend: true,
        },
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let refused = common::audited(&admin, &t.base, "helpdesk", "refused.protected_identity").await;
    assert_eq!(refused.len(), 4, "each refusal recorded: {refused:?}");
    t.stop();
}

#[tokio::test]
async fn strange_realms_and_searches_are_refused_as_bad_input_and_refusals_keep_their_status() {
    let dir = temp_dir("hard-strange-input");
    let t = start_console(&dir, &vars()).await;
    let realm = t.info.default_realm.clone();
    let admin = browser();
    sign_in(&admin, &t.base, "admin", common::ADMIN_PASSWORD).await;
    // A realm that cannot be an id: 400, and nothing kept.
    let long = "r".repeat(100_000);
    let (status, body) = call(
        &admin,
        &t.base,
        RefreshIndex::PATH,
        &RefreshIndex {
            realm: long.clone(),
        },
    )
    .await;
    assert_eq!(status, 400, "{}", &body[..body.len().min(200)]);
    // A realm of the right shape that BI does not have: no index row is left for it.
    let unknown = "0000000000000000".to_string();
    let (status, _) = call(
        &admin,
        &t.base,
        RefreshIndex::PATH,
        &RefreshIndex {
            realm: unknown.clone(),
        },
    )
    .await;
    assert!(status == 200 || status == 404, "{status}");
    let db = common::open_db(&dir).await;
    let mut left = 1;
    for _ in 0..50 {
        left = sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM ix_realms WHERE realm_id = $1 OR length(realm_id) > 128",
        )
        .bind(&unknown)
        .fetch_one(&db)
        .await
        .unwrap();
        if left == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(left, 0, "no index row for a realm BI does not have");
    db.close().await;
    // A NUL in a search: bad input on the search field.
    let (status, body) = call(
        &admin,
        &t.base,
        SearchIdentities::PATH,
        &SearchIdentities {
            realm: realm.clone(),
            filter: bi_console::model::IdentityFilter {
                q: "ada\0".into(),
                ..Default::default()
            },
            page: 1,
            size: 25,
        },
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("\"field\":\"q\""), "{body}");
    // Refusals answer with their own status: another realm's import, an invitation run the console does not know.
    let (status, body) = call(
        &admin,
        &t.base,
        GetImport::PATH,
        &GetImport {
            realm: realm.clone(),
            id: "0000000000000000".into(),
            show: String::new(),
            page: 1,
        },
    )
    .await;
    assert_eq!(status, 404, "{body}");
    let (status, body) = call(
        &admin,
        &t.base,
        InvitationBatch::PATH,
        &InvitationBatch {
            realm: realm.clone(),
            batch: "run-0000000000000000".into(),
        },
    )
    .await;
    assert_eq!(status, 404, "{body}");
    t.stop();
}
