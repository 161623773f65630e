//! Operators kept in the console's database: the first start makes `admin` there (once), `bi-console add-operator`
//! and `remove-operator` change them for the running console, and an install with an operators file keeps using it.
//! On both engines (the PostgreSQL run makes the first admin with three replicas starting at once, in
//! `replicas.rs`).

use crate::common::{self, browser, call, sign_in, start_console, temp_dir};
use bi_console::api::Whoami;
use leptos::server_fn::ServerFn;

async fn whoami(c: &reqwest::Client, base: &str) -> (u16, String) {
    call(c, base, Whoami::PATH, &Whoami {}).await
}

/// Runs `bi-console ARGS` on the console's database `database` and data directory `dir`, `input` on its standard
/// input; answers whether it succeeded and what it printed.
pub fn command(
    dir: &std::path::Path,
    database: &str,
    args: &[&str],
    input: &str,
) -> (bool, String) {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_bi-console"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("CONSOLE_DATA_DIR", dir)
        .env("CONSOLE_DATABASE_URL", database)
        .env("CONSOLE_DOTENV", "0")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{input}\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn no_operators() -> Vec<(&'static str, String)> {
    vec![("CONSOLE_OPERATORS", String::new())]
}

#[tokio::test]
async fn the_first_start_makes_admin_in_the_database_once_and_the_commands_change_operators_live() {
    let dir = temp_dir("operators-db");
    let t = start_console(&dir, &no_operators()).await;
    let database = common::database_url(&dir).await;
    let file = dir.join(bi_console::auth::BOOTSTRAP_PASSWORD_FILE);
    let password = std::fs::read_to_string(&file).unwrap().trim().to_string();
    assert!(
        !dir.join(bi_console::auth::OPERATORS_FILE).exists(),
        "kept in the database, not in a file"
    );
    let admin = browser();
    assert_eq!(sign_in(&admin, &t.base, "admin", &password).await, "/");

    // Added by the command while the console runs: she signs in at once, with her role and realms.
    let (ok, out) = command(
        &dir,
        &database,
        &["add-operator", "grace", "helpdesk", "realm-one,realm-two"],
        "grace's long password",
    );
    assert!(ok, "{out}");
    assert!(out.contains("added in the console's database"), "{out}");
    assert!(!out.contains("grace's long password"), "{out}");
    let grace = browser();
    assert_eq!(
        sign_in(&grace, &t.base, "grace", "grace's long password").await,
        "/"
    );
    let (status, body) = whoami(&grace, &t.base).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("helpdesk") && body.contains("realm-two"),
        "{body}"
    );
    // Added again (another role, no realms): a new password hash, so her session ends; signed in again, she has
    // them.
    let (ok, out) = command(
        &dir,
        &database,
        &["add-operator", "Grace", "viewer"],
        "grace's long password",
    );
    assert!(ok, "{out}");
    assert_eq!(whoami(&grace, &t.base).await.0, 401);
    assert_eq!(
        sign_in(&grace, &t.base, "Grace", "grace's long password").await,
        "/"
    );
    let (status, body) = whoami(&grace, &t.base).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("viewer") && !body.contains("realm-two"),
        "{body}"
    );
    // An empty line: a password is made and printed once.
    let (ok, out) = command(&dir, &database, &["add-operator", "alan", "admin"], "");
    assert!(ok, "{out}");
    let made = out
        .split("with password ")
        .nth(1)
        .map(|p| p.split_whitespace().next().unwrap_or_default().to_string())
        .unwrap_or_default();
    assert_eq!(made.len(), 20, "{out}");
    assert_eq!(sign_in(&browser(), &t.base, "alan", &made).await, "/");
    // Bad input writes nothing.
    let (ok, out) = command(&dir, &database, &["add-operator", "ada", "admin"], "short");
    assert!(!ok && out.contains("at least 12 characters"), "{out}");
    let (ok, out) = command(
        &dir,
        &database,
        &["add-operator", "cli", "admin"],
        "a long enough password",
    );
    assert!(!ok && out.contains("username"), "{out}");

    // Removed: her session ends on its next request.
    let (ok, out) = command(&dir, &database, &["remove-operator", "grace"], "");
    assert!(ok, "{out}");
    assert!(out.contains("removed in the console's database"), "{out}");
    assert_eq!(whoami(&grace, &t.base).await.0, 401);
    let (ok, out) = command(&dir, &database, &["remove-operator", "grace"], "");
    assert!(ok && out.contains("No operator grace"), "{out}");

    // A restart makes no other admin: the first one's password still works.
    t.stop();
    std::fs::remove_file(&file).unwrap();
    let t = start_console(&dir, &no_operators()).await;
    assert!(!file.exists(), "no second admin");
    assert_eq!(sign_in(&browser(), &t.base, "admin", &password).await, "/");
    t.stop();
}

#[tokio::test]
async fn an_install_with_an_operators_file_keeps_it_as_its_source() {
    let dir = temp_dir("operators-file");
    std::fs::create_dir_all(&dir).unwrap();
    bi_console::auth::add_operator(
        &dir,
        "ada",
        bi_console::model::Role::Admin,
        "ada's long password",
    )
    .unwrap();
    let t = start_console(&dir, &no_operators()).await;
    assert!(
        !dir.join(bi_console::auth::BOOTSTRAP_PASSWORD_FILE).exists(),
        "an operator on file: no admin made"
    );
    assert_eq!(
        sign_in(&browser(), &t.base, "ada", "ada's long password").await,
        "/"
    );
    let database = common::database_url(&dir).await;
    let (ok, out) = command(
        &dir,
        &database,
        &["add-operator", "grace", "viewer"],
        "grace's long password",
    );
    assert!(ok, "{out}");
    assert!(out.contains("operators.json"), "{out}");
    let on_file = bi_console::auth::load_file(&dir).unwrap();
    assert!(on_file.iter().any(|o| o.username == "grace"), "{on_file:?}");
    assert_eq!(
        sign_in(&browser(), &t.base, "grace", "grace's long password").await,
        "/"
    );
    t.stop();
}
