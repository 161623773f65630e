//! The binary as an operator runs it: `CONSOLE_LOG_FORMAT=json` writes one JSON object per line, the request's id
//! on each line a request causes; `CONSOLE_METRICS_ADDR` serves `/metrics` there, and only there.

#![cfg(all(feature = "ssr", unix))]

use std::time::Duration;

use crate::common;

#[tokio::test]
async fn json_logs_carry_the_request_id_and_metrics_are_on_their_own_address_only() {
    let dir = common::temp_dir("operating");
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let (mut child, base, _, output) = common::spawn_console(
        &dir,
        &[
            ("CONSOLE_LOG_FORMAT", "json".to_string()),
            ("CONSOLE_METRICS_ADDR", format!("127.0.0.1:{port}")),
        ],
    );
    let c = common::browser();
    assert_eq!(
        common::sign_in(&c, &base, "admin", common::ADMIN_PASSWORD).await,
        "/"
    );
    let res = c
        .post(format!("{base}/sign-in"))
        .form(&[("username", "admin"), ("password", "wrong"), ("next", "/")])
        .send()
        .await
        .unwrap();
    let id = res.headers()["x-request-id"].to_str().unwrap().to_string();

    let mut scraped = String::new();
    for _ in 0..50 {
        if let Ok(r) = reqwest::get(format!("http://127.0.0.1:{port}/metrics")).await {
            scraped = r.text().await.unwrap();
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        scraped.contains("# TYPE console_http_requests_total counter"),
        "{scraped}"
    );
    assert!(
        scraped.contains(r#"console_sign_ins_total{method="password",outcome="failed"} 1"#),
        "{scraped}"
    );
    // Not on the console's own port.
    let public = c.get(format!("{base}/metrics")).send().await.unwrap();
    assert_ne!(public.status(), 200);
    assert!(!public.text().await.unwrap().contains("# TYPE"));

    tokio::time::sleep(Duration::from_millis(300)).await;
    common::signal(&child, libc::SIGTERM);
    common::wait_exit(&mut child, Duration::from_secs(15)).expect("exited");
    let log = output.lock().unwrap().clone();
    let lines: Vec<serde_json::Value> = log
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert!(lines.len() >= 3, "{log}");
    let of_request: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|l| {
            l["spans"].as_array().is_some_and(|s| {
                s.iter()
                    .any(|s| s["name"] == "request" && s["id"] == id.as_str())
            })
        })
        .collect();
    assert!(
        of_request
            .iter()
            .any(|l| l["fields"]["message"] == "sign-in failed"),
        "the failed sign-in's line carries its request id {id}: {log}"
    );
    assert!(
        lines
            .iter()
            .all(|l| l["level"].is_string() && l["timestamp"].is_string()),
        "{log}"
    );
    assert!(!log.contains("\"wrong\""), "no password in the log");
}
