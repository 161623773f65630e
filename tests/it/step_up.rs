//! Step-up before consequential writes (`CONSOLE_STEP_UP_SECS`): once the operator's last authentication is older
//! than the window, deleting, bulk suspending and revoking are refused with the step-up code and nothing is
//! written, while ordinary writes go on; the operator confirms it is them with their password (checked and
//! recorded, a wrong one refused) or, signed in with Beyond Identity, at BI again (`prompt=login`, `max_age=0`; the
//! same identity, authenticated afresh), and the same write then goes through.

use std::time::Duration;

use crate::common::{self, call, location, sign_in, start_console, temp_dir, TestConsole};
use bi_console::model::{AppError, BulkOp};
use leptos::server_fn::ServerFn;

const WINDOW_SECS: u64 = 2;

async fn console(dir: &std::path::Path) -> TestConsole {
    start_console(dir, &[("CONSOLE_STEP_UP_SECS", WINDOW_SECS.to_string())]).await
}

/// Creates an identity (an ordinary write, never asked to step up); answers its id.
async fn created(c: &reqwest::Client, t: &TestConsole, username: &str) -> String {
    let args = bi_console::api::CreateIdentity {
        realm: t.info.default_realm.clone(),
        input: bi_console::model::IdentityInput {
            username: username.into(),
            display_name: username.into(),
            ..Default::default()
        },
        then: Default::default(),
    };
    let (status, body) = call(c, &t.base, bi_console::api::CreateIdentity::PATH, &args).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str::<String>(&body).expect("the new identity's id")
}

async fn delete(c: &reqwest::Client, t: &TestConsole, id: &str) -> (u16, String) {
    let args = bi_console::api::DeleteIdentity {
        realm: t.info.default_realm.clone(),
        id: id.to_string(),
    };
    call(c, &t.base, bi_console::api::DeleteIdentity::PATH, &args).await
}

async fn exists(t: &TestConsole, id: &str) -> bool {
    let sb = t.sandbox.as_ref().unwrap();
    sb.store()
        .get_identity(&t.info.default_realm, id)
        .await
        .is_ok()
}

fn is_step_up(status: u16, body: &str) -> bool {
    status == 403 && serde_json::from_str::<AppError>(body).is_ok_and(|e| e.is_step_up())
}

/// Until the last authentication is older than the window.
async fn let_it_age() {
    tokio::time::sleep(Duration::from_millis(WINDOW_SECS * 1000 + 1100)).await;
}

#[tokio::test]
async fn a_password_operator_confirms_it_is_them_before_a_consequential_write_and_the_write_then_goes_through(
) {
    let dir = temp_dir("step-up");
    let t = console(&dir).await;
    let c = common::browser();
    sign_in(&c, &t.base, "admin", common::ADMIN_PASSWORD).await;
    let realm = t.info.default_realm.clone();

    // Just signed in: a delete goes through.
    let first = created(&c, &t, "step.up.one").await;
    let (status, body) = delete(&c, &t, &first).await;
    assert_eq!(status, 200, "{body}");

    // Later: refused with the step-up code, nothing deleted; ordinary writes go on; bulk suspend, group delete
    // and passkey revocation are refused alike, bulk unsuspend is not.
    let second = created(&c, &t, "step.up.two").await;
    let_it_age().await;
    let (status, body) = delete(&c, &t, &second).await;
    assert!(is_step_up(status, &body), "{status} {body}");
    assert!(exists(&t, &second).await, "nothing was deleted");
    let third = created(&c, &t, "step.up.three").await;
    let bulk = |op| bi_console::api::BulkIdentities {
        realm: realm.clone(),
        op,
        ids: vec![second.clone(), third.clone()],
    };
    let (status, body) = call(
        &c,
        &t.base,
        bi_console::api::BulkIdentities::PATH,
        &bulk(BulkOp::Suspend),
    )
    .await;
    assert!(is_step_up(status, &body), "{status} {body}");
    let (status, body) = call(
        &c,
        &t.base,
        bi_console::api::BulkIdentities::PATH,
        &bulk(BulkOp::Unsuspend),
    )
    .await;
    assert_eq!(status, 200, "unsuspending is not consequential: {body}");
    let (status, body) = call(
        &c,
        &t.base,
        bi_console::api::RevokePasskey::PATH,
        &bi_console::api::RevokePasskey {
            realm: realm.clone(),
            identity: second.clone(),
            credential: "any".into(),
        },
    )
    .await;
    assert!(is_step_up(status, &body), "{status} {body}");

    // The step-up page: a local operator gives their password.
    let res = c
        .get(format!("{}/step-up?next=/step-up/done", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/step-up/confirm?next=%2Fstep-up%2Fdone");
    let page = common::page_text(
        &c,
        format!("{}/step-up/confirm?next=%2Fstep-up%2Fdone", t.base),
    )
    .await;
    assert!(
        page.contains("Confirm it is you") && page.contains("signed in as admin"),
        "{page}"
    );
    let confirm = |password: &str| {
        c.post(format!("{}/step-up", t.base))
            .form(&[("password", password), ("next", "/step-up/done")])
            .send()
    };
    let res = confirm("not-the-password").await.unwrap();
    assert_eq!(
        location(&res),
        "/step-up/confirm?next=%2Fstep-up%2Fdone&error=failed"
    );
    let (status, body) = delete(&c, &t, &second).await;
    assert!(
        is_step_up(status, &body),
        "a wrong password confirms nothing: {body}"
    );
    let res = confirm(common::ADMIN_PASSWORD).await.unwrap();
    assert_eq!(location(&res), "/step-up/done");

    // Confirmed: the same writes go through.
    let (status, body) = delete(&c, &t, &second).await;
    assert_eq!(status, 200, "{body}");
    assert!(!exists(&t, &second).await);
    let (status, body) = call(
        &c,
        &t.base,
        bi_console::api::BulkIdentities::PATH,
        &bulk(BulkOp::Suspend),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    // Each step-up is recorded, the wrong password too.
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT operator, result FROM audit_events WHERE action = 'operator.step_up' ORDER BY seq",
    )
    .fetch_all(&t.db)
    .await
    .unwrap();
    assert_eq!(
        rows,
        vec![
            ("admin".into(), "failed".into()),
            ("admin".into(), "ok".into())
        ]
    );
    t.stop();
}

#[tokio::test]
async fn an_operator_signed_in_with_bi_confirms_at_bi_as_the_same_identity() {
    let dir = temp_dir("step-up-bi");
    let t = console(&dir).await;
    let c = common::browser();
    let authorize = common::bi_begin(&c, &t.base, "/").await;
    let (status, callback) = common::bi_choose(&c, &authorize, "soren.kierkegaard").await;
    assert_eq!(status, 303, "{callback}");
    c.get(&callback).send().await.unwrap();
    let id = created(&c, &t, "step.up.bi").await;
    let_it_age().await;
    let (status, body) = delete(&c, &t, &id).await;
    assert!(is_step_up(status, &body), "{status} {body}");

    // To BI, asking it to authenticate afresh.
    let step_up = |c: &reqwest::Client| {
        let c = c.clone();
        let base = t.base.clone();
        async move {
            let res = c
                .get(format!("{base}/step-up?next=/step-up/done"))
                .send()
                .await
                .unwrap();
            assert_eq!(
                location(&res),
                "/sign-in/bi?step_up=1&next=%2Fstep-up%2Fdone"
            );
            let res = c
                .get(format!("{base}{}", location(&res)))
                .send()
                .await
                .unwrap();
            location(&res)
        }
    };
    let authorize = step_up(&c).await;
    let query: std::collections::HashMap<String, String> = url::Url::parse(&authorize)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();
    assert_eq!(
        query.get("prompt").map(String::as_str),
        Some("login"),
        "{authorize}"
    );
    assert_eq!(
        query.get("max_age").map(String::as_str),
        Some("0"),
        "{authorize}"
    );

    // Another identity (an admin too) cannot confirm for this one.
    let (_, callback) = common::bi_choose(&c, &authorize, "chloe.dubois").await;
    let res = c.get(&callback).send().await.unwrap();
    assert_eq!(
        location(&res),
        "/step-up/confirm?next=%2Fstep-up%2Fdone&error=bi-failed"
    );
    let (status, body) = delete(&c, &t, &id).await;
    assert!(is_step_up(status, &body), "{status} {body}");

    // The same identity: confirmed, and the delete goes through.
    let authorize = step_up(&c).await;
    let (_, callback) = common::bi_choose(&c, &authorize, "soren.kierkegaard").await;
    let res = c.get(&callback).send().await.unwrap();
    assert_eq!(location(&res), "/step-up/done");
    let (status, body) = delete(&c, &t, &id).await;
    assert_eq!(status, 200, "{body}");
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT operator, result, detail FROM audit_events WHERE action = 'operator.step_up' ORDER BY seq",
    )
    .fetch_all(&t.db)
    .await
    .unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!((rows[0].1.as_str(), rows[1].1.as_str()), ("failed", "ok"));
    assert!(rows[0].2.contains("a different identity"), "{rows:?}");
    assert!(rows.iter().all(|r| r.0 == "soren.kierkegaard"));
    t.stop();
}
