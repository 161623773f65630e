//! `/metrics` on its own listener: Prometheus's text format, accepted by Prometheus's own `promtool check metrics`,
//! whose counts move as the console works (requests by route pattern, BI calls by operation, sign-ins by method and
//! outcome, audit events) and whose labels never carry an id or a username.

use std::collections::HashMap;

use crate::common::{self, call, sign_in, start_console, temp_dir};
use leptos::server_fn::ServerFn;

/// Serves the console's metrics router on a port of its own; answers its base URL.
async fn metrics_listener(db: bi_console::db::Pool) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            bi_console::server::metrics::router(db).into_make_service(),
        )
        .await;
    });
    format!("http://{addr}")
}

/// The samples of a scrape, by their name and labels as written.
fn samples(text: &str) -> HashMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|l| l.rsplit_once(' '))
        .map(|(k, v)| (k.to_string(), v.parse().unwrap()))
        .collect()
}

fn value(s: &HashMap<String, f64>, key: &str) -> f64 {
    s.get(key).copied().unwrap_or(0.0)
}

/// The sum of the samples whose name and labels start with `prefix`.
fn sum(s: &HashMap<String, f64>, prefix: &str) -> f64 {
    s.iter()
        .filter(|(k, _)| k.starts_with(prefix))
        .map(|(_, v)| v)
        .sum()
}

/// Prometheus's own check of the text format and its naming conventions.
fn promtool(text: &str) {
    use std::io::Write;
    let Ok(mut child) = std::process::Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
    else {
        assert!(
            std::env::var("CI").is_err(),
            "promtool (Debian's prometheus) is needed here"
        );
        eprintln!("promtool is not installed: the format check is skipped");
        return;
    };
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && said.trim().is_empty(),
        "promtool: {said}\n{text}"
    );
}

#[tokio::test]
async fn metrics_are_prometheus_text_and_move_as_the_console_works() {
    let dir = temp_dir("metrics");
    let t = start_console(&dir, &[]).await;
    let metrics = metrics_listener(t.db.clone()).await;
    let scrape = || async {
        let res = reqwest::get(format!("{metrics}/metrics")).await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(
            res.headers()["content-type"],
            "text/plain; version=0.0.4; charset=utf-8"
        );
        res.text().await.unwrap()
    };
    let before = samples(&scrape().await);

    let c = common::browser();
    let wrong = c
        .post(format!("{}/sign-in", t.base))
        .form(&[
            ("username", "viewer"),
            ("password", "not-it"),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 303);
    sign_in(&c, &t.base, "admin", common::ADMIN_PASSWORD).await;
    let realm = t.info.default_realm.clone();
    let page = c
        .get(format!("{}/realms/{realm}/identities", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let args = bi_console::api::CreateIdentity {
        realm: realm.clone(),
        input: bi_console::model::IdentityInput {
            username: "made.for.metrics".into(),
            display_name: "Made For Metrics".into(),
            ..Default::default()
        },
        then: Default::default(),
    };
    let (status, body) = call(&c, &t.base, bi_console::api::CreateIdentity::PATH, &args).await;
    assert_eq!(status, 200, "{body}");

    // Once the realm's index is complete, the scrape reads its size from the database too.
    for _ in 0..300 {
        let done: Option<String> =
            sqlx::query_scalar("SELECT indexed_at FROM ix_realms WHERE realm_id = $1")
                .bind(&realm)
                .fetch_optional(&t.db)
                .await
                .unwrap()
                .flatten();
        if done.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let text = scrape().await;
    promtool(&text);
    let after = samples(&text);
    let moved = |key: &str| value(&after, key) - value(&before, key);
    assert!(
        moved(
            r#"console_http_requests_total{route="/realms/{realm}/identities",method="GET",status="200"}"#
        ) >= 1.0,
        "{text}"
    );
    let create = format!(
        r#"console_http_requests_total{{route="{}",method="POST",status="200"}}"#,
        bi_console::api::CreateIdentity::PATH
    );
    assert!(moved(&create) >= 1.0, "{create}\n{text}");
    assert!(
        moved(r#"console_sign_ins_total{method="password",outcome="ok"}"#) >= 1.0,
        "{text}"
    );
    assert!(
        moved(r#"console_sign_ins_total{method="password",outcome="failed"}"#) >= 1.0,
        "{text}"
    );
    assert!(
        moved(r#"console_audit_events_total{result="ok"}"#) >= 1.0,
        "{text}"
    );
    let bi_creates = |s: &HashMap<String, f64>| {
        sum(
            s,
            r#"console_bi_calls_total{operation="POST /realms/{realm}/identities",status="2"#,
        )
    };
    assert!(bi_creates(&after) - bi_creates(&before) >= 1.0, "{text}");
    assert!(
        value(
            &after,
            r#"console_bi_call_duration_seconds_count{operation="POST /realms/{realm}/identities"}"#
        ) >= 1.0,
        "{text}"
    );
    assert_eq!(value(&after, "console_database_up"), 1.0, "{text}");
    let size = format!(r#"console_index_identities{{realm="{realm}"}}"#);
    assert!(value(&after, &size) > 50.0, "{size}\n{text}");
    assert!(
        text.contains(&format!(r#"console_index_age_seconds{{realm="{realm}"}}"#)),
        "{text}"
    );
    assert!(
        text.contains("# TYPE console_jobs gauge")
            && text.contains("# TYPE console_index_identities gauge"),
        "{text}"
    );
    // Bounded labels: no username, no identity's id, no raw path.
    assert!(
        !text.contains("made.for.metrics") && !text.contains("admin\""),
        "{text}"
    );
    assert!(
        !text.contains(&format!("/realms/{realm}/identities\"")),
        "{text}"
    );
    t.stop();
}
