//! The console binary stops cleanly on SIGTERM (what `kill` and service managers send) and on Ctrl-C: it stops
//! accepting, lets requests in flight finish, closes its databases and exits 0.

#![cfg(all(feature = "ssr", unix))]

use crate::common;

use std::time::{Duration, Instant};

use common::{signal, wait_exit};

/// Starts the binary with the sandbox's `faults`.
fn start(
    dir: &std::path::Path,
    faults: &str,
) -> (std::process::Child, String, String, common::Output) {
    common::spawn_console(dir, &[("SANDBOX_FAULTS", faults.to_string())])
}

#[tokio::test]
async fn sigterm_finishes_requests_in_flight_then_exits_cleanly() {
    let dir = common::temp_dir("shutdown");
    // Every sandbox call takes up to 1.5 s, so a page view is still in flight when the signal comes.
    let (mut child, base, realm, output) = start(&dir, "latency_ms=1500");
    let c = common::browser();
    assert_eq!(
        common::sign_in(&c, &base, "admin", common::ADMIN_PASSWORD).await,
        "/"
    );
    let page = {
        let c = c.clone();
        let url = format!("{base}/realms/{realm}/groups");
        tokio::spawn(async move {
            let started = Instant::now();
            let res = c.get(url).send().await?;
            let status = res.status().as_u16();
            let body = res.text().await?;
            Ok::<_, reqwest::Error>((status, body, started.elapsed()))
        })
    };
    tokio::time::sleep(Duration::from_millis(150)).await;
    signal(&child, libc::SIGTERM);
    let (status, body, took) = page
        .await
        .unwrap()
        .expect("the request in flight got its answer");
    assert_eq!(status, 200);
    assert!(body.contains("Engineering"), "the whole page arrived");
    println!(
        "the page took {} ms; the signal came after 150 ms",
        took.as_millis()
    );
    let exit = wait_exit(&mut child, Duration::from_secs(15)).expect("exited after SIGTERM");
    assert!(exit.success(), "{exit:?}");
    std::thread::sleep(Duration::from_millis(100));
    let log = output.lock().unwrap().clone();
    assert!(log.contains("shutting down"), "{log}");
    assert!(log.contains("stopped"), "{log}");
    assert!(
        c.get(format!("{base}/login")).send().await.is_err(),
        "no longer accepting"
    );
}

#[tokio::test]
async fn ctrl_c_stops_it_too() {
    let dir = common::temp_dir("shutdown-int");
    let (mut child, _base, _realm, _output) = start(&dir, "");
    signal(&child, libc::SIGINT);
    let exit = wait_exit(&mut child, Duration::from_secs(15)).expect("exited after SIGINT");
    assert!(exit.success(), "{exit:?}");
}
