//! Signing in with Beyond Identity, over HTTP against the sandbox as BI's identity provider: the whole round trip
//! (the console registers itself at first start; the role comes from the identity's groups), the refusals BI makes
//! (suspended, no passkey) and the console makes (no role, a wrong state, a code used twice), the role asked again
//! while the session lasts, and each check of the ID token refused on a forged token from an issuer of the test's
//! own making.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::common::{self, call, location, start_console, temp_dir, TestConsole};
use bi_console::api::Whoami;
use leptos::server_fn::ServerFn;

fn client() -> reqwest::Client {
    common::browser()
}

/// The query pairs of `url`.
fn query(url: &str) -> HashMap<String, String> {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

/// Starts signing in with BI on `t` (going to `next`); answers the issuer's authorize URL it sent the browser to.
async fn begin(c: &reqwest::Client, t: &TestConsole, next: &str) -> String {
    common::bi_begin(c, &t.base, next).await
}

/// At the sandbox's sign-in page (which lists who holds a passkey): `username` signs in with their passkey.
/// Answers the status and where BI sent the browser (the console's callback), or its page.
async fn at_bi(c: &reqwest::Client, authorize: &str, username: &str) -> (u16, String) {
    let text = common::bi_page(c, authorize).await;
    assert!(text.contains("Sign in with passkey"), "{text}");
    assert!(
        text.contains("Sign in as Søren Kierkegaard (soren.kierkegaard)"),
        "{text}"
    );
    common::bi_choose(c, authorize, username).await
}

/// The whole round trip for `username`: answers where the console sent the browser at the end.
async fn sign_in_with_bi(
    c: &reqwest::Client,
    t: &TestConsole,
    username: &str,
    next: &str,
) -> String {
    let authorize = begin(c, t, next).await;
    let (status, callback) = at_bi(c, &authorize, username).await;
    assert_eq!(status, 303, "{callback}");
    let res = c.get(&callback).send().await.unwrap();
    assert_eq!(res.status(), 303);
    location(&res)
}

async fn whoami(c: &reqwest::Client, t: &TestConsole) -> (u16, String) {
    call(c, &t.base, Whoami::PATH, &Whoami {}).await
}

/// The id of the identity `username` of the console's realm at the sandbox.
async fn identity_id(t: &TestConsole, username: &str) -> String {
    let sb = t.sandbox.as_ref().unwrap();
    sb.store()
        .identity_by_username(&t.info.default_realm, username)
        .await
        .unwrap()
        .expect("seeded")
        .id
}

async fn group_id(t: &TestConsole, name: &str) -> String {
    let sb = t.sandbox.as_ref().unwrap();
    let groups = sb
        .store()
        .list_groups(&t.info.default_realm, 0, 100)
        .await
        .unwrap();
    groups
        .items
        .into_iter()
        .find(|g| g.display_name == name)
        .expect("seeded")
        .id
}

#[tokio::test]
async fn operators_sign_in_with_bi_and_their_role_comes_from_their_groups() {
    let dir = temp_dir("bi-sign-in");
    let t = start_console(&dir, &[("CONSOLE_OIDC_RECHECK_SECS", "1".to_string())]).await;
    let login = common::page_text(&client(), format!("{}/login", t.base)).await;
    assert!(login.contains("Sign in with Beyond Identity"), "{login}");

    // An admin by "Console Admins", back where they were going.
    let admin = client();
    let authorize = begin(&admin, &t, "/realms/x/groups").await;
    assert!(
        authorize.starts_with(&format!("{}/sandbox/auth/v1/tenants/", t.base)),
        "{authorize}"
    );
    let asked = query(&authorize);
    assert_eq!(asked["response_type"], "code");
    assert_eq!(asked["code_challenge_method"], "S256");
    assert!(asked["scope"].split(' ').any(|s| s == "openid"));
    assert!(!asked.contains_key("client_secret"));
    let (status, callback) = at_bi(&admin, &authorize, "soren.kierkegaard").await;
    assert_eq!(status, 303, "{callback}");
    assert!(
        callback.starts_with(&format!("{}/sign-in/bi/callback?", t.base)),
        "{callback}"
    );
    // Back at the console: signed in, and on to where they were going.
    let back = admin.get(&callback).send().await.unwrap();
    assert_eq!(location(&back), "/realms/x/groups");
    let (status, body) = whoami(&admin, &t).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("soren.kierkegaard") && body.contains("admin"),
        "{body}"
    );
    // The same callback again (its code used, its sign-in no longer under way): refused.
    let again = client().get(&callback).send().await.unwrap();
    assert!(
        location(&again).contains("error=bi-failed"),
        "a used callback: {}",
        location(&again)
    );

    // A helpdesk operator by "Service Desk": an admin's action is refused.
    let helpdesk = client();
    assert_eq!(
        sign_in_with_bi(&helpdesk, &t, "radia.perlman", "/").await,
        "/"
    );
    let (_, body) = whoami(&helpdesk, &t).await;
    assert!(body.contains("helpdesk"), "{body}");
    let victim = identity_id(&t, "ada.lovelace").await;
    let (status, body) = call(
        &helpdesk,
        &t.base,
        bi_console::api::DeleteIdentity::PATH,
        &bi_console::api::DeleteIdentity {
            realm: t.info.default_realm.clone(),
            id: victim,
        },
    )
    .await;
    assert_eq!(status, 403, "{body}");

    // An enrolled identity in none of the mapped groups: refused by the console, saying why.
    let stranger = client();
    let went = sign_in_with_bi(&stranger, &t, "ada.lovelace", "/").await;
    assert!(went.contains("error=bi-no-role"), "{went}");
    assert_eq!(whoami(&stranger, &t).await.0, 401);
    let page = common::page_text(&stranger, format!("{}{went}", t.base)).await;
    assert!(page.contains("no role in the console"), "{page}");

    // BI refuses a suspended identity, and one without a passkey.
    let authorize = begin(&stranger, &t, "/").await;
    let (status, page) = at_bi(&stranger, &authorize, "bjorn.lindqvist").await;
    assert_eq!(status, 403);
    assert!(page.contains("suspended"), "{page}");
    // Trying again keeps what was typed.
    assert!(
        page.contains("name=\"username\" value=\"bjorn.lindqvist\""),
        "{page}"
    );
    let again = common::bi_page(&stranger, &format!("{authorize}&username=bjorn.lindqvist")).await;
    assert!(again.contains("value=\"bjorn.lindqvist\""), "{again}");
    let (status, page) = at_bi(&stranger, &authorize, "edsger.dijkstra").await;
    assert_eq!(status, 403);
    assert!(page.contains("no active passkey"), "{page}");

    // A callback whose state is not the one sent: refused.
    let forger = client();
    let authorize = begin(&forger, &t, "/").await;
    let (_, callback) = at_bi(&forger, &authorize, "soren.kierkegaard").await;
    let tampered = callback.replace("state=", "state=x");
    let res = forger.get(&tampered).send().await.unwrap();
    assert!(location(&res).contains("error=bi-failed"));
    assert_eq!(whoami(&forger, &t).await.0, 401);

    // Taken out of "Service Desk" at BI: the helpdesk session ends once the role is asked again (1 s here).
    let sb = t.sandbox.as_ref().unwrap();
    let desk = group_id(&t, "Service Desk").await;
    let radia = identity_id(&t, "radia.perlman").await;
    sb.store()
        .change_members(&t.info.default_realm, &desk, &[radia], false)
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    assert_eq!(whoami(&helpdesk, &t).await.0, 401, "removed from the group");
    // Suspended at BI: the admin's session ends too.
    let soren = identity_id(&t, "soren.kierkegaard").await;
    sb.store()
        .update_identity(&t.info.default_realm, &soren, |i| {
            i.status = Some(bi_console::model::STATUS_SUSPENDED.to_string())
        })
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    assert_eq!(whoami(&admin, &t).await.0, 401, "suspended");

    // The audit log says how each operator signed in, and whom BI's groups gave no role.
    let sign_ins: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT operator, action, detail, result FROM audit_events WHERE action LIKE 'operator.sign_in%' ORDER BY seq",
    )
    .fetch_all(&t.db)
    .await
    .unwrap();
    let said = |who: &str, action: &str, detail: &str, result: &str| {
        sign_ins
            .iter()
            .any(|(o, a, d, r)| o == who && a == action && d.contains(detail) && r == result)
    };
    assert!(
        said(
            "soren.kierkegaard",
            "operator.sign_in",
            "signed in with Beyond Identity as admin",
            "ok"
        ),
        "{sign_ins:?}"
    );
    assert!(
        said("radia.perlman", "operator.sign_in", "as helpdesk", "ok"),
        "{sign_ins:?}"
    );
    let ada = identity_id(&t, "ada.lovelace").await;
    assert!(
        said(
            &format!("bi:{ada}"),
            "operator.sign_in.refused",
            "no role in the console",
            "no-role"
        ),
        "{sign_ins:?}"
    );
    common::sign_in(&client(), &t.base, "admin", common::ADMIN_PASSWORD).await;
    let by_password: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE action = 'operator.sign_in' AND operator = 'admin' AND detail LIKE 'signed in with a password%'",
    )
    .fetch_one(&t.db)
    .await
    .unwrap();
    assert_eq!(by_password, 1);
    t.stop();
}

/// What the forged issuer puts in its ID token.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Forgery {
    None,
    Issuer,
    Audience,
    Nonce,
    Signature,
    Expired,
}

/// An issuer of the test's own: discovery, JWKS, an authorize that sends the browser straight back, and a token
/// endpoint answering an ID token for `subject` forged as `forgery` says.
async fn forged_issuer(realm: &str, subject: String, forgery: Arc<Mutex<Forgery>>) -> String {
    use axum::routing::{get, post};
    use openidconnect::core::{
        CoreIdToken, CoreIdTokenClaims, CoreJsonWebKeySet, CoreJwsSigningAlgorithm,
        CoreRsaPrivateSigningKey,
    };
    use openidconnect::{
        Audience, EmptyAdditionalClaims, IssuerUrl, JsonWebKeyId, Nonce, PrivateSigningKey,
        StandardClaims, SubjectIdentifier,
    };
    use rsa::pkcs1::EncodeRsaPrivateKey;
    let pem = |bits| {
        let key =
            rsa::RsaPrivateKey::new(&mut argon2::password_hash::rand_core::OsRng, bits).unwrap();
        key.to_pkcs1_pem(rsa::pkcs1::LineEnding::LF)
            .unwrap()
            .to_string()
    };
    let (good, other) = (pem(2048), pem(2048));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = format!(
        "http://{}/v1/tenants/t/realms/{realm}/applications/forged",
        listener.local_addr().unwrap()
    );
    let nonces: Arc<Mutex<HashMap<String, String>>> = Default::default();
    let key = |pem: &str| {
        CoreRsaPrivateSigningKey::from_pem(pem, Some(JsonWebKeyId::new("k1".into()))).unwrap()
    };
    let jwks = CoreJsonWebKeySet::new(vec![key(&good).as_verification_key()]);
    let app = axum::Router::new()
        .route(
            &format!("{}/.well-known/openid-configuration", url::Url::parse(&issuer).unwrap().path()),
            get({
                let issuer = issuer.clone();
                move || async move {
                    axum::Json(serde_json::json!({
                        "issuer": issuer,
                        "authorization_endpoint": format!("{issuer}/authorize"),
                        "token_endpoint": format!("{issuer}/token"),
                        "jwks_uri": format!("{issuer}/jwks"),
                        "response_types_supported": ["code"],
                        "subject_types_supported": ["public"],
                        "id_token_signing_alg_values_supported": ["RS256"],
                    }))
                }
            }),
        )
        .route(
            &format!("{}/jwks", url::Url::parse(&issuer).unwrap().path()),
            get(move || async move { axum::Json(jwks.clone()) }),
        )
        .route(
            &format!("{}/authorize", url::Url::parse(&issuer).unwrap().path()),
            get({
                let nonces = nonces.clone();
                move |axum::extract::Query(q): axum::extract::Query<HashMap<String, String>>| async move {
                    nonces.lock().unwrap().insert("last".into(), q["nonce"].clone());
                    axum::response::Redirect::to(&format!("{}?code=c1&state={}", q["redirect_uri"], q["state"]))
                }
            }),
        )
        .route(
            &format!("{}/token", url::Url::parse(&issuer).unwrap().path()),
            post({
                let issuer = issuer.clone();
                move || async move {
                    let f = *forgery.lock().unwrap();
                    let now = chrono::Utc::now();
                    let nonce = nonces.lock().unwrap()["last"].clone();
                    let claims = CoreIdTokenClaims::new(
                        IssuerUrl::new(if f == Forgery::Issuer { format!("{issuer}x") } else { issuer.clone() }).unwrap(),
                        vec![Audience::new(if f == Forgery::Audience { "someone-else".into() } else { "forged-client".into() })],
                        if f == Forgery::Expired { now - chrono::Duration::minutes(10) } else { now + chrono::Duration::minutes(10) },
                        now - chrono::Duration::minutes(if f == Forgery::Expired { 20 } else { 0 }),
                        StandardClaims::new(SubjectIdentifier::new(subject.clone())),
                        EmptyAdditionalClaims {},
                    )
                    .set_nonce(Some(Nonce::new(if f == Forgery::Nonce { "not-yours".into() } else { nonce })));
                    let signer = key(if f == Forgery::Signature { &other } else { &good });
                    let token = CoreIdToken::new(claims, &signer, CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256, None, None).unwrap();
                    axum::Json(serde_json::json!({
                        "access_token": "a1", "token_type": "Bearer", "expires_in": 600, "id_token": token.to_string(),
                    }))
                }
            }),
        );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    issuer
}

#[tokio::test]
async fn an_id_token_that_fails_a_check_signs_no_one_in() {
    // The sandbox's console, whose settings name an issuer of the test's making for its realm.
    let dir = temp_dir("bi-forged");
    let probe = start_console(&dir, &[]).await;
    let (realm, subject) = (
        probe.info.default_realm.clone(),
        identity_id(&probe, "soren.kierkegaard").await,
    );
    probe.stop();
    let forgery = Arc::new(Mutex::new(Forgery::None));
    let issuer = forged_issuer(&realm, subject, forgery.clone()).await;
    let t = start_console(
        &dir,
        &[
            ("CONSOLE_OIDC_ISSUER", issuer),
            ("CONSOLE_OIDC_CLIENT_ID", "forged-client".into()),
            ("CONSOLE_OIDC_CLIENT_SECRET", "forged-secret".into()),
        ],
    )
    .await;
    let attempt = |f: Forgery| {
        let (t, forgery) = (&t, forgery.clone());
        async move {
            *forgery.lock().unwrap() = f;
            let c = client();
            let authorize = begin(&c, t, "/").await;
            let back = c.get(&authorize).send().await.unwrap();
            let done = c.get(location(&back)).send().await.unwrap();
            (location(&done), whoami(&c, t).await.0)
        }
    };
    assert_eq!(
        attempt(Forgery::None).await,
        ("/".to_string(), 200),
        "a good token signs in"
    );
    for f in [
        Forgery::Issuer,
        Forgery::Audience,
        Forgery::Nonce,
        Forgery::Signature,
        Forgery::Expired,
    ] {
        let (went, status) = attempt(f).await;
        assert!(went.contains("error=bi-failed"), "{f:?}: {went}");
        assert_eq!(status, 401, "{f:?}");
    }
    t.stop();
}

#[tokio::test]
async fn with_passwords_turned_off_only_beyond_identity_signs_operators_in() {
    let dir = temp_dir("bi-only");
    let t = start_console(&dir, &[("CONSOLE_PASSWORD_SIGN_IN", "off".to_string())]).await;
    let login = common::page_text(&client(), format!("{}/login", t.base)).await;
    assert!(login.contains("Sign in with Beyond Identity"), "{login}");
    assert!(
        !login.contains("type=\"password\""),
        "no password field: {login}"
    );
    // The right password is not even checked.
    let c = client();
    let went = common::sign_in(&c, &t.base, "admin", common::ADMIN_PASSWORD).await;
    assert!(went.contains("error=passwords-off"), "{went}");
    assert_eq!(whoami(&c, &t).await.0, 401);
    assert_eq!(t.access.verifications(), 0, "no password was checked");
    let page = common::page_text(&c, format!("{}{went}", t.base)).await;
    assert!(
        page.contains("Signing in with a password is turned off here"),
        "{page}"
    );
    assert_eq!(sign_in_with_bi(&c, &t, "jean.bartik", "/").await, "/");
    let (_, body) = whoami(&c, &t).await;
    assert!(body.contains("viewer"), "{body}");
    t.stop();
}
