//! Local operators' passkeys over HTTP (the ceremonies themselves run in Chromium's virtual authenticator, in the
//! browser tests): with `CONSOLE_LOCAL_PASSKEY=required` an operator without one is sent, right after their
//! password, to register one and can reach nothing else; registration is offered for the console's host name (a
//! bare address cannot hold passkeys) with a named passkey; answers with no ceremony under way are refused.

use crate::common::{self, call, location, start_console, temp_dir};
use bi_console::api::{
    FinishPasskeyRegistration, MyAccount, PasskeyAnswer, PasskeyChallenge,
    StartPasskeyRegistration, Whoami,
};
use leptos::server_fn::ServerFn;

#[tokio::test]
async fn with_passkeys_required_an_operator_without_one_registers_one_before_anything_else() {
    let dir = temp_dir("passkeys-required");
    let t = start_console(&dir, &[("CONSOLE_LOCAL_PASSKEY", "required".to_string())]).await;
    // By the host name: an address like 127.0.0.1 cannot hold passkeys.
    let base = t.base.replace("127.0.0.1", "localhost");
    let c = common::browser();
    assert_eq!(
        common::sign_in(&c, &base, "admin", common::ADMIN_PASSWORD).await,
        "/account"
    );

    // Nothing but the account page and its calls.
    let res = c
        .get(format!("{base}/realms/{}/identities", t.info.default_realm))
        .send()
        .await
        .unwrap();
    assert_eq!(
        (res.status().as_u16(), location(&res)),
        (303, "/account".to_string())
    );
    let (status, body) = call(&c, &base, Whoami::PATH, &Whoami {}).await;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("Register a passkey"), "{body}");
    let page = common::page_text(&c, format!("{base}/account")).await;
    assert!(page.contains("Passkeys are required here"), "{page}");
    let (status, body) = call(&c, &base, MyAccount::PATH, &MyAccount {}).await;
    assert_eq!(status, 200, "{body}");
    let account: bi_console::model::Account = serde_json::from_str(&body).unwrap();
    assert!(account.required && account.passkeys.is_empty() && account.username == "admin");

    // A passkey needs a name; then the browser gets WebAuthn's options for this host.
    let (status, body) = call(
        &c,
        &base,
        StartPasskeyRegistration::PATH,
        &StartPasskeyRegistration { name: " ".into() },
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let refused: bi_console::model::AppError = serde_json::from_str(&body).unwrap();
    assert!(refused.field("name").is_some(), "{body}");
    let (status, body) = call(
        &c,
        &base,
        StartPasskeyRegistration::PATH,
        &StartPasskeyRegistration {
            name: "laptop".into(),
        },
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let options: serde_json::Value =
        serde_json::from_str(&serde_json::from_str::<String>(&body).unwrap()).unwrap();
    assert_eq!(options["rp"]["id"], "localhost", "{options}");
    assert_eq!(options["user"]["name"], "admin", "{options}");
    assert!(
        options["challenge"].as_str().is_some_and(|c| c.len() >= 32),
        "{options}"
    );
    // A made-up answer is refused, and nothing is kept.
    let (status, body) = call(
        &c,
        &base,
        FinishPasskeyRegistration::PATH,
        &FinishPasskeyRegistration {
            answer: "{}".into(),
        },
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let (_, body) = call(&c, &base, MyAccount::PATH, &MyAccount {}).await;
    assert!(serde_json::from_str::<bi_console::model::Account>(&body)
        .unwrap()
        .passkeys
        .is_empty());

    // By a bare address, passkeys cannot be offered, and the operator is told why.
    let by_address = common::browser();
    common::sign_in(&by_address, &t.base, "admin", common::ADMIN_PASSWORD).await;
    let (status, body) = call(
        &by_address,
        &t.base,
        StartPasskeyRegistration::PATH,
        &StartPasskeyRegistration {
            name: "laptop".into(),
        },
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("host name"), "{body}");

    // The passkey step answers nothing when no sign-in is waiting for it.
    let stranger = common::browser();
    let (status, body) = call(
        &stranger,
        &base,
        PasskeyChallenge::PATH,
        &PasskeyChallenge {},
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let (status, _) = call(
        &stranger,
        &base,
        PasskeyAnswer::PATH,
        &PasskeyAnswer {
            answer: "{}".into(),
        },
    )
    .await;
    assert_eq!(status, 400);

    let detail: String = sqlx::query_scalar(
        "SELECT detail FROM audit_events WHERE action = 'operator.sign_in' ORDER BY seq LIMIT 1",
    )
    .fetch_one(&t.db)
    .await
    .unwrap();
    assert!(detail.contains("a passkey must be registered"), "{detail}");
    t.stop();
}
