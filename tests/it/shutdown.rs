//! The console binary stops cleanly on SIGTERM (what `kill` and service managers send) and on Ctrl-C: it stops
//! accepting, lets requests in flight finish, closes its databases and exits 0.

#![cfg(all(feature = "ssr", unix))]

use crate::common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Everything the binary printed (its log goes to standard output too).
type Output = std::sync::Arc<std::sync::Mutex<String>>;

/// Starts the binary; answers it, its address, the realm it opens, and what it prints.
fn start(dir: &std::path::Path, faults: &str) -> (std::process::Child, String, String, Output) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_bi-console"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("CONSOLE_DATA_DIR", dir)
        .env("CONSOLE_DOTENV", "0")
        .env("CONSOLE_OPERATORS", common::operators())
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .env("LEPTOS_OUTPUT_NAME", "bi-console")
        .env("SANDBOX_FAULTS", faults)
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the console binary starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut base = None;
    let mut realm = String::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some((_, r)) = line.split_once("REALM_ID=") {
            realm = r.split_whitespace().next().unwrap_or_default().to_string();
        }
        if let Some(url) = line.strip_prefix("Console:") {
            base = Some(url.trim().to_string());
            break;
        }
    }
    let output = Output::default();
    {
        let output = output.clone();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                let mut o = output.lock().unwrap();
                o.push_str(&line);
                o.push('\n');
            }
        });
    }
    (
        child,
        base.expect("the console printed its address"),
        realm,
        output,
    )
}

fn signal(child: &std::process::Child, sig: libc::c_int) {
    // SAFETY: kill(2) with the pid of a child this test started and still owns.
    let r = unsafe { libc::kill(child.id() as libc::pid_t, sig) };
    assert_eq!(r, 0, "the signal was delivered");
}

fn wait_exit(child: &mut std::process::Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
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
