//! The BI token, the client secret and the sandbox token never reach a browser or a log line: for each way the
//! console can hold them, sign in, crawl every page, call every server function (successes and BI errors, and a
//! rejected token), fetch the compiled assets, and look for the secrets in every body, every header and every log
//! line written meanwhile.

#![cfg(feature = "ssr")]

#[path = "it/common/mod.rs"]
mod common;

use bi_console::sandbox::PREFIX;
use common::{browser, every_call, post_raw, sign_in, start_console, temp_dir};

/// Every form a secret could take in an answer: as is, URL-encoded, base64 (standard, URL-safe, padded or not),
/// and for the client credentials also `id:secret` in base64 (an HTTP Basic header's value).
fn forms(secrets: &[&str], client_id: &str) -> Vec<String> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    use base64::Engine;
    let mut out = Vec::new();
    for s in secrets {
        out.push(s.to_string());
        out.push(bi_console::model::encode_component(s));
        for e in [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD] {
            out.push(e.encode(s));
            out.push(e.encode(format!("{client_id}:{s}")));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The first form of a secret found in `text`, if any.
fn leak(text: &str, forms: &[String]) -> Option<String> {
    forms.iter().find(|f| text.contains(f.as_str())).cloned()
}

fn assert_clean(what: &str, text: &str, forms: &[String]) {
    if let Some(f) = leak(text, forms) {
        panic!("a secret appears in {what} (as {} characters)", f.len());
    }
}

/// Signs in as admin and visits everything, checking each answer.
async fn crawl(base: &str, realm: &str, identity: &str, group: &str, secrets: &[String]) -> usize {
    let c = browser();
    assert_eq!(
        sign_in(&c, base, "admin", common::ADMIN_PASSWORD).await,
        "/"
    );
    let mut checked = 0;
    // (path, the status it must answer with): a crawl that only saw error pages would prove nothing.
    let pages: Vec<(String, &[u16])> = vec![
        ("/".to_string(), &[303]),
        ("/login".into(), &[200]),
        // The load balancer's probes (the database's and BI's checks say how they went, never where).
        ("/healthz".into(), &[200]),
        ("/readyz".into(), &[200, 503]),
        ("/login?error=failed".into(), &[200]),
        (format!("/realms/{realm}/identities"), &[200]),
        (format!("/realms/{realm}/identities?page=2&size=25"), &[200]),
        (format!("/realms/{realm}/identities?q=ada.lovelace"), &[200]),
        (format!("/realms/{realm}/identities/new"), &[200]),
        (format!("/realms/{realm}/identities/{identity}"), &[200]),
        (
            format!("/realms/{realm}/identities/{identity}/edit"),
            &[200],
        ),
        (
            format!("/realms/{realm}/identities/ffffffffffffffff"),
            &[200, 404],
        ),
        (format!("/realms/{realm}/groups"), &[200]),
        (format!("/realms/{realm}/groups/new"), &[200]),
        (format!("/realms/{realm}/groups/{group}"), &[200]),
        (format!("/realms/{realm}/groups/{group}/edit"), &[200]),
        (format!("/realms/{realm}/audit"), &[200]),
        // The sandbox's outbox (400 when the console is connected to BI, as in this test).
        (format!("/realms/{realm}/outbox"), &[200, 400]),
        (
            format!("/realms/{realm}/invitations/ffffffffffffffff"),
            &[200, 404],
        ),
        // Import and export: the upload form, an unknown import's page and CSVs, and the export itself (502 when
        // the console's token is refused).
        (format!("/realms/{realm}/import"), &[200]),
        (
            format!("/realms/{realm}/imports/ffffffffffffffff"),
            &[200, 404],
        ),
        (
            format!("/realms/{realm}/imports/ffffffffffffffff/result.csv"),
            &[404],
        ),
        (format!("/realms/{realm}/export?format=csv"), &[200, 502]),
        (format!("/realms/{realm}/export?format=json"), &[200, 502]),
        ("/realms/no-such-realm/identities".into(), &[200, 404]),
        ("/no/such/page".into(), &[404]),
        // The sign-in page, and the way to BI's sign-in (a redirect to the issuer where it is set up).
        ("/login".into(), &[200]),
        // The load balancer's probes (the database's and BI's checks say how they went, never where).
        ("/healthz".into(), &[200]),
        ("/readyz".into(), &[200, 503]),
        ("/sign-in/bi".into(), &[303, 404]),
        // The operator's own account (passkeys), the passkey step of a sign-in, and the step-up's confirmation.
        ("/account".into(), &[200]),
        ("/sign-in/passkey".into(), &[200, 303]),
        ("/step-up/confirm".into(), &[200, 303]),
        // The compiled assets exist once `cargo leptos build` has run.
        ("/pkg/bi-console.js".into(), &[200, 404]),
        ("/pkg/bi-console.wasm".into(), &[200, 404]),
        ("/pkg/bi-console.css".into(), &[200, 404]),
    ];
    for (p, want) in &pages {
        let res = c.get(format!("{base}{p}")).send().await.unwrap();
        let status = res.status().as_u16();
        assert!(
            want.contains(&status),
            "{p} answered {status}, expected {want:?}"
        );
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

/// Signs in with Beyond Identity through the sandbox (the console's client secret is used at its token endpoint),
/// checking every answer on the way; answers how many were checked.
async fn bi_round_trip(base: &str, secrets: &[String]) -> usize {
    let c = browser();
    let authorize = common::bi_begin(&c, base, "/").await;
    assert_clean("the way to BI's sign-in", &authorize, secrets);
    let page = common::bi_page(&c, &authorize).await;
    assert_clean("BI's sign-in page", &page, secrets);
    let (status, callback) = common::bi_choose(&c, &authorize, "soren.kierkegaard").await;
    assert_eq!(status, 303, "{callback}");
    let done = c.get(&callback).send().await.unwrap();
    assert_eq!(common::location(&done), "/", "signed in with BI");
    assert_clean(
        "the callback's answer",
        &format!("{:?}", done.headers()),
        secrets,
    );
    4
}

/// Per setup, a seeded identity (username) and group (name) for its crawl to delete: the BI stand-in is shared, so
/// no two setups may have the same. One more setup needs one more pair here.
const TO_DELETE: [(&str, &str); 6] = [
    ("grace.hopper", "Finance"),
    ("alan.turing", "Sales"),
    ("katherine.johnson", "Support"),
    ("edsger.dijkstra", "Contractors"),
    ("barbara.liskov", "Engineering"),
    ("donald.knuth", "Console Viewers"),
];

/// The ids of the `n`th setup's identity and group to delete.
async fn seeded_ids(
    store: &bi_console::sandbox::store::SandboxStore,
    realm: &str,
    n: usize,
) -> (String, String) {
    let (username, group_name) = TO_DELETE[n];
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
    let logs = common::capture_logs("debug,hyper=info,sqlx=info,h2=info,rustls=info,fred=info");
    // A BI stand-in: the sandbox on its own port, reached as a real tenant would be.
    let bi = common::start().await;
    let token = bi.sandbox.credentials().api_token.expose().to_string();
    let client_secret = bi.sandbox.credentials().client_secret.expose().to_string();
    let client_id = bi.sandbox.credentials().client_id.clone();
    let app_id = bi.sandbox.credentials().application_id.clone();
    let origin = bi.api_base.trim_end_matches(PREFIX).to_string();
    let sandbox_token = "sandbox-token-that-must-stay-secret".to_string();
    // The console's database in PostgreSQL, its URL with a password (the test cluster trusts local connections, so
    // any password opens it): where the test command runs this beside a cluster.
    let db_password = "database-password-that-must-stay-secret".to_string();
    let database = match std::env::var("TEST_POSTGRES_URL") {
        Ok(_) => {
            let url =
                common::postgres_database(&format!("secrets_{:016x}", rand::random::<u64>())).await;
            let mut with_password = url::Url::parse(&url).unwrap();
            with_password.set_password(Some(&db_password)).unwrap();
            Some(with_password.to_string())
        }
        Err(_) => None,
    };
    let wrong_token = "rejected-token-that-must-stay-secret".to_string();
    // A SIEM that refuses every delivery: the console sends it its token, and shows the failure on the Audit page.
    let sink_token = "sink-token-that-must-stay-secret".to_string();
    let sink = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sink_url = format!("http://{}/hook", sink.local_addr().unwrap());
    let sink_saw = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    {
        let saw = sink_saw.clone();
        let refuse = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: axum::http::HeaderMap| {
                let saw = saw.clone();
                async move {
                    let auth = headers
                        .get("authorization")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default();
                    saw.lock().unwrap().push(auth.to_string());
                    axum::http::StatusCode::SERVICE_UNAVAILABLE
                }
            }),
        );
        tokio::spawn(async move {
            let _ = axum::serve(sink, refuse).await;
        });
    }
    let secrets = forms(
        &[
            token.as_str(),
            client_secret.as_str(),
            sandbox_token.as_str(),
            wrong_token.as_str(),
            db_password.as_str(),
            sink_token.as_str(),
        ],
        &client_id,
    );

    // The control: the check catches a secret planted in a real answer, in every form. The sandbox's token
    // endpoint hands out a token in its body, and a Basic header carries `id:secret` in base64.
    let token_url = format!("{origin}{}", bi.sandbox.token_path(&bi.workforce));
    let issued: serde_json::Value = reqwest::Client::new()
        .post(&token_url)
        .basic_auth(&client_id, Some(&client_secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let issued = issued["access_token"].as_str().unwrap().to_string();
    let planted = serde_json::json!({ "access_token": issued }).to_string();
    assert!(
        leak(&planted, &forms(&[&issued], &client_id)).is_some(),
        "the control is caught"
    );
    use base64::Engine;
    for encoded in [
        base64::engine::general_purpose::STANDARD.encode(&token),
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&token),
        base64::engine::general_purpose::STANDARD.encode(format!("{client_id}:{client_secret}")),
        bi_console::model::encode_component(&client_secret),
    ] {
        let page = format!("<html><body><p>{encoded}</p></body></html>");
        assert!(leak(&page, &secrets).is_some(), "an encoded form is caught");
    }

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
        (
            "an audit sink with a token",
            bi_common(vec![
                ("BI_API_TOKEN", token.clone()),
                ("CONSOLE_AUDIT_SINK", sink_url.clone()),
                ("CONSOLE_AUDIT_SINK_TOKEN", sink_token.clone()),
            ]),
        ),
    ];
    let mut setups = setups;
    if let Some(url) = &database {
        setups.push((
            "the console's database in PostgreSQL",
            bi_common(vec![
                ("BI_API_TOKEN", token.clone()),
                ("CONSOLE_DATABASE_URL", url.clone()),
            ]),
        ));
    }
    assert!(
        setups.len() <= TO_DELETE.len(),
        "{} setups, {} seeded identities and groups to delete: add one to TO_DELETE",
        setups.len(),
        TO_DELETE.len()
    );
    let mut total = 0;
    let mut secrets = secrets;
    for (n, (name, vars)) in setups.into_iter().enumerate() {
        let dir = temp_dir("secrets");
        let t = start_console(&dir, &vars).await;
        // On the sandbox the console registered itself as its OIDC application: that client secret too.
        if let Ok(text) = std::fs::read_to_string(dir.join("sandbox-oidc.json")) {
            let kept: serde_json::Value = serde_json::from_str(&text).unwrap();
            let oidc_secret = kept["client_secret"].as_str().unwrap().to_string();
            let oidc_client = kept["client_id"].as_str().unwrap().to_string();
            secrets.extend(forms(&[oidc_secret.as_str()], &oidc_client));
        }
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
        if t.sandbox.is_some() {
            total += bi_round_trip(&t.base, &secrets).await;
        }
        t.stop();
    }
    assert!(total > 150, "checked {total} answers");
    assert!(
        sink_saw
            .lock()
            .unwrap()
            .iter()
            .any(|a| *a == format!("Bearer {sink_token}")),
        "the sink was sent its token"
    );
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
    assert!(
        !logged.contains(&issued),
        "the control token was not logged"
    );
}
