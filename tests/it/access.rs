//! Sign-in, roles and hardening, against the whole console over HTTP: every server function refuses a caller
//! without a session (401) and a role that may not write (403, by a forged call); cross-site posts are refused;
//! failed sign-ins are throttled; sessions rotate at sign-in, end at sign-out, survive a restart with the SQLite
//! store and are shared by two replicas through a real Redis.

#![cfg(feature = "ssr")]

use crate::common;

use bi_console::api::*;
use common::{browser, call, every_call, page_text, post_raw, sign_in, start_console, temp_dir};
use leptos::server_fn::ServerFn;

fn vars() -> Vec<(&'static str, String)> {
    vec![("SANDBOX_TOKEN", "access-test-token".to_string())]
}

#[tokio::test]
async fn without_a_session_pages_redirect_and_every_server_function_answers_401() {
    let dir = temp_dir("access-401");
    let t = start_console(&dir, &vars()).await;
    let (ada, eng) = common::seeded(&t).await;
    let c = browser();
    let page = format!("/realms/{}/identities?page=2", t.info.default_realm);
    let res = c.get(format!("{}{page}", t.base)).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(
        res.headers()["location"],
        format!("/login?next={}", bi_console::model::encode_component(&page)).as_str()
    );
    let calls = every_call(&t.info.default_realm, &ada, &eng);
    assert!(calls.len() >= 23);
    for (path, body, _) in &calls {
        let (status, text) = post_raw(&c, &t.base, path, body).await;
        assert_eq!(status, 401, "{path}: {text}");
        assert!(text.contains("Sign in"), "{path}: {text}");
    }
    // Nothing changed: ada is still there and active.
    let still = t
        .sandbox
        .as_ref()
        .unwrap()
        .store()
        .get_identity(&t.info.default_realm, &ada)
        .await
        .unwrap();
    assert_eq!(still.status.as_deref(), Some("active"));
    // The sign-in page and the sandbox API need no session.
    assert_eq!(
        c.get(format!("{}/login", t.base))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    t.stop();
}

#[tokio::test]
async fn a_viewer_cannot_write_even_with_a_forged_call_and_helpdesk_only_what_it_may() {
    let dir = temp_dir("access-403");
    let t = start_console(&dir, &vars()).await;
    let (ada, eng) = common::seeded(&t).await;
    let store = t.sandbox.as_ref().unwrap().store();
    let realm = t.info.default_realm.clone();
    let count = || async {
        (
            store
                .list_identities(&realm, None, 0, 1)
                .await
                .unwrap()
                .total,
            store.list_groups(&realm, 0, 1).await.unwrap().total,
            store.list_members(&realm, &eng, 0, 1).await.unwrap().total,
        )
    };
    let before = count().await;

    let viewer = browser();
    assert_eq!(
        sign_in(&viewer, &t.base, "viewer", common::VIEWER_PASSWORD).await,
        "/"
    );
    for (path, body, writes) in every_call(&realm, &ada, &eng) {
        let (status, text) = post_raw(&viewer, &t.base, path, &body).await;
        if writes {
            assert_eq!(status, 403, "{path}: {text}");
            assert!(text.contains("viewer"), "{path}: {text}");
        } else {
            assert_eq!(status, 200, "{path}: {text}");
        }
    }
    assert_eq!(count().await, before, "nothing was written");
    let ada_now = store.get_identity(&realm, &ada).await.unwrap();
    assert_eq!(ada_now.status.as_deref(), Some("active"));

    // Helpdesk: may add identities, suspend and manage members; may not delete or edit groups.
    let helpdesk = browser();
    sign_in(&helpdesk, &t.base, "helpdesk", common::HELPDESK_PASSWORD).await;
    let (status, text) = call(
        &helpdesk,
        &t.base,
        DeleteIdentity::PATH,
        &DeleteIdentity {
            realm: realm.clone(),
            id: ada.clone(),
        },
    )
    .await;
    assert_eq!(status, 403, "{text}");
    let (status, text) = call(
        &helpdesk,
        &t.base,
        SetIdentityStatus::PATH,
        &SetIdentityStatus {
            realm: realm.clone(),
            id: ada.clone(),
            suspend: true,
        },
    )
    .await;
    assert_eq!(status, 200, "{text}");
    let (status, text) = call(
        &helpdesk,
        &t.base,
        CreateGroup::PATH,
        &CreateGroup {
            realm: realm.clone(),
            input: bi_console::model::GroupInput {
                display_name: "Helpdesk group".into(),
                description: String::new(),
            },
        },
    )
    .await;
    assert_eq!(status, 403, "{text}");
    assert_eq!(
        store
            .get_identity(&realm, &ada)
            .await
            .unwrap()
            .status
            .as_deref(),
        Some("suspended")
    );
    t.stop();
}

#[tokio::test]
async fn cross_site_posts_are_refused() {
    let dir = temp_dir("access-csrf");
    let t = start_console(&dir, &vars()).await;
    let c = browser();
    sign_in(&c, &t.base, "admin", common::ADMIN_PASSWORD).await;
    let create = |username: &str| CreateIdentity {
        realm: t.info.default_realm.clone(),
        input: bi_console::model::IdentityInput {
            display_name: "Cross Site".into(),
            username: username.into(),
            ..Default::default()
        },
        then: Default::default(),
    };
    let send = |headers: Vec<(&'static str, String)>, username: &'static str| {
        let mut req = c
            .post(format!("{}{}", t.base, CreateIdentity::PATH))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .body(serde_qs::to_string(&create(username)).unwrap());
        for (k, v) in headers {
            req = req.header(k, v);
        }
        req.send()
    };
    let res = send(vec![("origin", "https://evil.example".into())], "cross.one")
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("Cross-site"));
    let res = send(vec![("sec-fetch-site", "cross-site".into())], "cross.two")
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // The sign-out form is protected too.
    let res = c
        .post(format!("{}/sign-out", t.base))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // From the console's own pages, the same call works.
    let res = send(
        vec![
            ("origin", t.base.clone()),
            ("sec-fetch-site", "same-origin".into()),
        ],
        "same.site",
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let store = t.sandbox.as_ref().unwrap().store();
    let realm = &t.info.default_realm;
    for (u, exists) in [
        ("cross.one", false),
        ("cross.two", false),
        ("same.site", true),
    ] {
        let found = store
            .list_identities(realm, Some(u), 0, 1)
            .await
            .unwrap()
            .total;
        assert_eq!(found == 1, exists, "{u}");
    }
    // Every response carries the security headers; pages carry a nonce policy.
    let page = c
        .get(format!("{}/realms/{}/groups", t.base, realm))
        .send()
        .await
        .unwrap();
    let h = page.headers();
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "same-origin");
    let csp = h["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|s| s.split('\'').next())
        .expect("a nonce")
        .to_string();
    let html = page.text().await.unwrap();
    let scripts = html.matches("<script").count();
    assert!(scripts > 0);
    assert_eq!(
        html.matches(&format!("nonce=\"{nonce}\"")).count(),
        scripts,
        "every inline script carries the nonce"
    );
    t.stop();
}

#[tokio::test]
async fn failed_sign_ins_are_throttled_with_a_generic_message() {
    let dir = temp_dir("access-throttle");
    let t = start_console(&dir, &vars()).await;
    let c = browser();
    assert_eq!(
        sign_in(&c, &t.base, "admin", "wrong").await,
        "/login?error=failed&next=%2F",
        "what was typed as the username never goes into the address"
    );
    assert_eq!(
        sign_in(&c, &t.base, "nobody", "wrong").await,
        "/login?error=failed&next=%2F",
        "an unknown username reads the same as a wrong password"
    );
    for _ in 0..4 {
        sign_in(&c, &t.base, "admin", "wrong").await;
    }
    // Five failures for admin from this address: from here, even the right password is refused for now...
    assert!(sign_in(&c, &t.base, "admin", common::ADMIN_PASSWORD)
        .await
        .starts_with("/login?error=throttled"));
    // ...but a stranger's failures do not lock admin out: from another address the right password works.
    let elsewhere = common::browser_from("127.0.0.2");
    assert_eq!(
        sign_in(&elsewhere, &t.base, "admin", common::ADMIN_PASSWORD).await,
        "/"
    );
    // Other operators are not locked out by admin's failures...
    assert_eq!(
        sign_in(&c, &t.base, "viewer", common::VIEWER_PASSWORD).await,
        "/"
    );
    // An address that tried too many names that are no operator's may not try more of them...
    for n in 0..20 {
        sign_in(&c, &t.base, &format!("guess{n}"), "wrong").await;
    }
    assert!(sign_in(&c, &t.base, "guess99", "wrong")
        .await
        .starts_with("/login?error=throttled"));
    // ...but that wall never stands before an operator's name (behind a proxy, everyone shares an address).
    assert_eq!(
        sign_in(&c, &t.base, "helpdesk", common::HELPDESK_PASSWORD).await,
        "/"
    );
    let login = page_text(&c, format!("{}/login?error=throttled", t.base)).await;
    assert!(login.contains("Too many failed sign-ins"));
    t.stop();
}

fn session_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("bi_console_session="))
        .map(str::to_string)
}

async fn signed_in_status(base: &str, cookie: &str, realm: &str) -> u16 {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{base}/realms/{realm}/groups"))
        .header("cookie", cookie.split(';').next().unwrap())
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn raw_sign_in(base: &str, cookie: Option<&str>, user: &str, password: &str) -> String {
    let mut req = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{base}/sign-in"))
        .form(&[("username", user), ("password", password), ("next", "/")]);
    if let Some(c) = cookie {
        req = req.header("cookie", c.split(';').next().unwrap());
    }
    let res = req.send().await.unwrap();
    session_cookie(&res).expect("a session cookie")
}

#[tokio::test]
async fn sessions_rotate_at_sign_in_end_at_sign_out_and_survive_a_restart() {
    let dir = temp_dir("access-sessions");
    let t = start_console(&dir, &vars()).await;
    let realm = t.info.default_realm.clone();
    let first = raw_sign_in(&t.base, None, "admin", common::ADMIN_PASSWORD).await;
    assert!(first.contains("HttpOnly"), "{first}");
    assert!(first.contains("SameSite=Lax"), "{first}");
    assert!(!first.contains("Secure"), "plain http by default: {first}");
    assert_eq!(signed_in_status(&t.base, &first, &realm).await, 200);
    // Signing in again with that session: a new id, and the old one no longer works.
    let second = raw_sign_in(&t.base, Some(&first), "viewer", common::VIEWER_PASSWORD).await;
    assert_ne!(first.split(';').next(), second.split(';').next());
    assert_eq!(signed_in_status(&t.base, &first, &realm).await, 303);
    assert_eq!(signed_in_status(&t.base, &second, &realm).await, 200);

    // A restart on the same data directory keeps the session (SQLite store).
    t.stop();
    let again = start_console(&dir, &vars()).await;
    assert_eq!(signed_in_status(&again.base, &second, &realm).await, 200);

    // Sign-out ends it.
    let res = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{}/sign-out", again.base))
        .header("cookie", second.split(';').next().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/login?signed_out=1");
    assert_eq!(signed_in_status(&again.base, &second, &realm).await, 303);
    again.stop();
}

#[tokio::test]
async fn secure_cookies_when_served_over_https() {
    let dir = temp_dir("access-secure");
    let mut v = vars();
    v.push(("CONSOLE_PUBLIC_URL", "https://console.example.com".into()));
    let t = start_console(&dir, &v).await;
    let cookie = raw_sign_in(&t.base, None, "admin", common::ADMIN_PASSWORD).await;
    assert!(cookie.contains("Secure"), "{cookie}");
    t.stop();
}

/// A real redis-server on a random port, stopped when dropped.
struct Redis {
    child: std::process::Child,
    url: String,
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_redis() -> Redis {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = std::process::Command::new("redis-server")
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("redis-server is installed (scripts/setup.sh --browser installs it)");
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    Redis {
        child,
        url: format!("redis://127.0.0.1:{port}"),
    }
}

#[tokio::test]
async fn two_replicas_share_sessions_through_redis() {
    let redis = start_redis();
    let mut v = vars();
    v.push(("CONSOLE_SESSION_STORE", "redis".into()));
    v.push(("CONSOLE_REDIS_URL", redis.url.clone()));
    let (dir_a, dir_b) = (temp_dir("replica-a"), temp_dir("replica-b"));
    let a = start_console(&dir_a, &v).await;
    let b = start_console(&dir_b, &v).await;
    let cookie = raw_sign_in(&a.base, None, "admin", common::ADMIN_PASSWORD).await;
    assert_eq!(
        signed_in_status(&b.base, &cookie, &b.info.default_realm).await,
        200,
        "signed in on A, recognised by B"
    );
    let res = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{}/sign-out", b.base))
        .header("cookie", cookie.split(';').next().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(
        signed_in_status(&a.base, &cookie, &a.info.default_realm).await,
        303,
        "signed out on B, gone on A"
    );
    a.stop();
    b.stop();
}

/// A forwarding proxy of the test's own, as a TLS proxy in front of the console would be: it connects to the console
/// from `from` and appends the address of whoever connected to it to `X-Forwarded-For`. Answers its address.
async fn forwarding_proxy(console: String, from: &str) -> String {
    use axum::extract::ConnectInfo;
    let out = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .local_address(from.parse::<std::net::IpAddr>().unwrap())
        .build()
        .unwrap();
    let forward = move |ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
                        req: axum::extract::Request| {
        let (out, console) = (out.clone(), console.clone());
        async move {
            let (parts, body) = req.into_parts();
            let body = axum::body::to_bytes(body, 1 << 20).await.unwrap();
            let mut headers = parts.headers.clone();
            let chain = match headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()) {
                Some(before) => format!("{before}, {}", peer.ip()),
                None => peer.ip().to_string(),
            };
            headers.insert("x-forwarded-for", chain.parse().unwrap());
            headers.remove("host");
            let res = out
                .request(parts.method, format!("{console}{}", parts.uri))
                .headers(headers)
                .body(body)
                .send()
                .await
                .unwrap();
            let mut answer = axum::http::Response::builder().status(res.status().as_u16());
            for (k, v) in res.headers() {
                answer = answer.header(k, v);
            }
            answer
                .body(axum::body::Body::from(res.bytes().await.unwrap()))
                .unwrap()
        }
    };
    let app = axum::Router::new().fallback(forward);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap()
    });
    format!("http://{addr}")
}

/// Signs in with an `X-Forwarded-For` of the client's own making; answers where the console sent the browser.
async fn sign_in_claiming(
    c: &reqwest::Client,
    base: &str,
    user: &str,
    password: &str,
    claim: &str,
) -> String {
    let res = c
        .post(format!("{base}/sign-in"))
        .header("x-forwarded-for", claim)
        .form(&[("username", user), ("password", password), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    res.headers()["location"].to_str().unwrap().to_string()
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_is_throttled_by_its_own_address() {
    let dir = temp_dir("access-proxy");
    let mut v = vars();
    v.push(("CONSOLE_TRUSTED_PROXIES", "127.0.0.3".into()));
    let t = start_console(&dir, &v).await;
    let proxy = forwarding_proxy(t.base.clone(), "127.0.0.3").await;
    // A stranger sprays names through the proxy until its address is walled for names that are no operator's...
    let stranger = common::browser_from("127.0.0.5");
    for n in 0..20 {
        let to = sign_in(&stranger, &proxy, &format!("stranger{n}"), "wrong").await;
        assert!(to.starts_with("/login?error=failed"), "{to}");
    }
    assert!(sign_in(&stranger, &proxy, "stranger99", "wrong")
        .await
        .starts_with("/login?error=throttled"));
    // ...and naming another address in the header does not help: the proxy appends the real one.
    assert!(
        sign_in_claiming(&stranger, &proxy, "stranger98", "wrong", "127.0.0.77")
            .await
            .starts_with("/login?error=throttled")
    );
    // Operators elsewhere behind the same proxy sign in; so does one at the stranger's own address.
    let operator = common::browser_from("127.0.0.6");
    assert_eq!(
        sign_in(&operator, &proxy, "admin", common::ADMIN_PASSWORD).await,
        "/"
    );
    let neighbour = common::browser_from("127.0.0.5");
    assert_eq!(
        sign_in(&neighbour, &proxy, "helpdesk", common::HELPDESK_PASSWORD).await,
        "/"
    );
    // Straight to the console, the header is not believed: the peer is the client.
    let direct = common::browser_from("127.0.0.8");
    let to = sign_in_claiming(&direct, &t.base, "stranger97", "wrong", "127.0.0.5").await;
    assert!(
        to.starts_with("/login?error=failed"),
        "not walled as 127.0.0.5: {to}"
    );
    let walled = common::browser_from("127.0.0.5");
    let to = sign_in_claiming(&walled, &t.base, "stranger96", "wrong", "127.0.0.9").await;
    assert!(
        to.starts_with("/login?error=throttled"),
        "walled as itself: {to}"
    );
    t.stop();
}

#[tokio::test]
async fn an_operator_who_signed_in_from_an_address_is_never_walled_there() {
    let dir = temp_dir("access-known-pair");
    let t = start_console(&dir, &vars()).await;
    let c = browser();
    assert_eq!(
        sign_in(&c, &t.base, "viewer", common::VIEWER_PASSWORD).await,
        "/"
    );
    // Someone at the same address guesses viewer's password past the pair's limit...
    let guesser = browser();
    for _ in 0..6 {
        let to = sign_in(&guesser, &t.base, "viewer", "wrong").await;
        assert!(to.starts_with("/login?error="), "{to}");
    }
    // ...and viewer, who signed in from here before, is slowed at most, never walled.
    assert_eq!(
        sign_in(&c, &t.base, "viewer", common::VIEWER_PASSWORD).await,
        "/"
    );
    t.stop();
}
