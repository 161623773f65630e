//! The BI token, the client secret and the sandbox token never reach a browser or a log line: for each way the
//! console can hold them, sign in, crawl every page, call every server function (successes and BI errors, and a
//! rejected token), fetch the compiled assets, and look for the secrets in every body, every header and every log
//! line written meanwhile.

#![cfg(feature = "ssr")]

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use bi_console::sandbox::PREFIX;
use common::{browser, every_call, post_raw, sign_in, start_console, temp_dir};

/// Every log line of this test binary.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn capture_logs() -> Captured {
    static LOGS: std::sync::OnceLock<Captured> = std::sync::OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Captured::default();
        let writer = logs.clone();
        tracing_subscriber::fmt()
            .with_env_filter("debug,hyper=info,sqlx=info,h2=info,rustls=info,fred=info")
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .init();
        logs
    })
    .clone()
}

fn assert_clean(what: &str, text: &str, secrets: &[&str]) {
    for s in secrets {
        assert!(!text.contains(s), "a secret appears in {what}");
    }
}

/// Signs in as admin and visits everything, checking each answer.
async fn crawl(base: &str, realm: &str, identity: &str, group: &str, secrets: &[&str]) -> usize {
    let c = browser();
    assert_eq!(
        sign_in(&c, base, "admin", common::ADMIN_PASSWORD).await,
        "/"
    );
    let mut checked = 0;
    let pages = [
        "/".to_string(),
        "/login".into(),
        "/login?error=failed".into(),
        format!("/realms/{realm}/identities"),
        format!("/realms/{realm}/identities?page=2&size=25"),
        format!("/realms/{realm}/identities?q=ada.lovelace"),
        format!("/realms/{realm}/identities/new"),
        format!("/realms/{realm}/identities/{identity}"),
        format!("/realms/{realm}/identities/{identity}/edit"),
        format!("/realms/{realm}/identities/ffffffffffffffff"),
        format!("/realms/{realm}/groups"),
        format!("/realms/{realm}/groups/new"),
        format!("/realms/{realm}/groups/{group}"),
        format!("/realms/{realm}/groups/{group}/edit"),
        format!("/realms/{realm}/audit"),
        "/realms/no-such-realm/identities".into(),
        "/no/such/page".into(),
        "/pkg/bi-console.js".into(),
        "/pkg/bi-console.wasm".into(),
        "/pkg/bi-console.css".into(),
    ];
    for p in &pages {
        let res = c.get(format!("{base}{p}")).send().await.unwrap();
        if p.ends_with("/audit") {
            assert_eq!(res.status(), 200, "signed in, the pages render");
        }
        let headers = format!("{:?}", res.headers());
        let body = res.bytes().await.unwrap();
        assert_clean(&format!("the headers of {p}"), &headers, secrets);
        assert_clean(
            &format!("the page {p}"),
            &String::from_utf8_lossy(&body),
            secrets,
        );
        checked += 1;
    }
    // Every server function, twice: as seeded (reads, writes), then again (now many fail: deleted, conflicts).
    for _ in 0..2 {
        for (path, body, _) in every_call(realm, identity, group) {
            let (_, text) = post_raw(&c, base, path, &body).await;
            assert_clean(&format!("the answer of {path}"), &text, secrets);
            checked += 1;
        }
    }
    checked
}

/// A seeded identity and group for the `n`th setup (the crawl deletes them, and the BI stand-in is shared).
async fn seeded_ids(
    store: &bi_console::sandbox::store::Store,
    realm: &str,
    n: usize,
) -> (String, String) {
    let username = [
        "grace.hopper",
        "alan.turing",
        "katherine.johnson",
        "edsger.dijkstra",
    ][n];
    let group_name = ["Finance", "Sales", "Support", "Contractors"][n];
    let ada = store
        .list_identities(realm, Some(username), 0, 1)
        .await
        .unwrap()
        .items[0]
        .id
        .clone();
    let groups = store.list_groups(realm, 0, 50).await.unwrap();
    let group = groups
        .items
        .iter()
        .find(|g| g.display_name == group_name)
        .unwrap()
        .id
        .clone();
    (ada, group)
}

#[tokio::test]
async fn no_secret_in_any_page_response_or_log_line() {
    let logs = capture_logs();
    // A BI stand-in: the sandbox on its own port, reached as a real tenant would be.
    let bi = common::start().await;
    let token = bi.sandbox.credentials().api_token.expose().to_string();
    let client_secret = bi.sandbox.credentials().client_secret.expose().to_string();
    let client_id = bi.sandbox.credentials().client_id.clone();
    let app_id = bi.sandbox.credentials().application_id.clone();
    let origin = bi.api_base.trim_end_matches(PREFIX).to_string();
    let sandbox_token = "sandbox-token-that-must-stay-secret".to_string();
    let wrong_token = "rejected-token-that-must-stay-secret".to_string();
    let secrets = [
        token.as_str(),
        client_secret.as_str(),
        sandbox_token.as_str(),
        wrong_token.as_str(),
    ];

    let bi_common = |extra: Vec<(&'static str, String)>| {
        let mut v = vec![
            ("BI_API_BASE_URL", bi.api_base.clone()),
            ("BI_TENANT_ID", bi.sandbox.tenant_id().to_string()),
            ("BI_REALM_ID", bi.workforce.clone()),
        ];
        v.extend(extra);
        v
    };
    let setups: Vec<(&str, Vec<(&'static str, String)>)> = vec![
        (
            "static token",
            bi_common(vec![("BI_API_TOKEN", token.clone())]),
        ),
        (
            "client credentials",
            bi_common(vec![
                ("BI_CLIENT_ID", client_id.clone()),
                ("BI_CLIENT_SECRET", client_secret.clone()),
                ("BI_APPLICATION_ID", app_id.clone()),
                ("BI_AUTH_BASE_URL", format!("{origin}{PREFIX}/auth")),
            ]),
        ),
        (
            "a token BI rejects",
            bi_common(vec![("BI_API_TOKEN", wrong_token.clone())]),
        ),
        (
            "the embedded sandbox",
            vec![("SANDBOX_TOKEN", sandbox_token.clone())],
        ),
    ];
    let mut total = 0;
    for (n, (name, vars)) in setups.into_iter().enumerate() {
        let dir = temp_dir("secrets");
        let t = start_console(&dir, &vars).await;
        let (store, realm) = match &t.sandbox {
            Some(sb) => (sb.store(), t.info.default_realm.clone()),
            None => (bi.sandbox.store(), bi.workforce.clone()),
        };
        let (identity, group) = seeded_ids(store, &realm, n).await;
        if name == "client credentials" {
            // A revoked token makes the console fetch a new one mid-crawl.
            bi.sandbox.revoke_issued_tokens();
        }
        total += crawl(&t.base, &realm, &identity, &group, &secrets).await;
        t.stop();
        let _ = std::fs::remove_dir_all(&dir);
    }
    assert!(total > 150, "checked {total} answers");
    assert!(
        bi.sandbox.tokens_issued() >= 1,
        "the client-credentials path ran"
    );
    let logged = String::from_utf8_lossy(&logs.0.lock().unwrap()).to_string();
    assert!(
        logged.contains("BI call failed"),
        "the rejected token's failures were logged"
    );
    assert!(logged.contains("signed in"), "sign-ins were logged");
    assert_clean("the log", &logged, &secrets);
}
