//! Add identity with its groups and a passkey invitation, through the console's server functions over HTTP against
//! the sandbox: each part done and reported; bad group names and configurations refused on their field before
//! anything is written; an invitation that cannot be delivered or has no address reported, the rest kept; the
//! configuration used remembered per realm; a plain form post that fails keeps what was typed.

#![cfg(feature = "ssr")]

use crate::common;

use bi_console::api::*;
use bi_console::model::{AfterCreate, IdentityInput};
use common::{browser, call, page_text, sign_in, start_console, temp_dir, TestConsole};
use leptos::server_fn::ServerFn;

fn vars() -> Vec<(&'static str, String)> {
    vec![("SANDBOX_TOKEN", "add-identity-test-token".to_string())]
}

fn person(username: &str, email: &str) -> IdentityInput {
    IdentityInput {
        display_name: format!("Person {username}"),
        username: username.into(),
        email: email.into(),
        ..IdentityInput::default()
    }
}

fn then(groups: &str, invite: bool, config: &str) -> AfterCreate {
    AfterCreate {
        groups: groups.into(),
        invite: if invite { "on".into() } else { String::new() },
        config: config.into(),
    }
}

async fn add(
    c: &reqwest::Client,
    t: &TestConsole,
    input: IdentityInput,
    then: AfterCreate,
) -> (u16, String) {
    let args = CreateIdentity {
        realm: t.info.default_realm.clone(),
        input,
        then,
    };
    call(c, &t.base, CreateIdentity::PATH, &args).await
}

async fn report(c: &reqwest::Client, t: &TestConsole, id: &str) -> String {
    let args = AddedIdentityReport {
        realm: t.info.default_realm.clone(),
        identity: id.into(),
    };
    let (status, body) = call(c, &t.base, AddedIdentityReport::PATH, &args).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// The identity's id, if `username` exists in the default realm.
async fn find(t: &TestConsole, username: &str) -> Option<String> {
    let store = t.sandbox.as_ref().unwrap().store();
    let found = store
        .list_identities(&t.info.default_realm, Some(username), 0, 1)
        .await
        .unwrap();
    found.items.first().map(|i| i.id.clone())
}

async fn hosted_web(t: &TestConsole) -> String {
    let store = t.sandbox.as_ref().unwrap().store();
    store
        .list_authenticator_configs(&t.info.default_realm, 0, 10)
        .await
        .unwrap()
        .items[0]
        .id
        .clone()
}

#[tokio::test]
async fn the_identity_joins_its_groups_and_is_sent_an_invitation_each_part_reported() {
    let dir = temp_dir("add-identity");
    let t = start_console(&dir, &vars()).await;
    let c = browser();
    sign_in(&c, &t.base, "admin", common::ADMIN_PASSWORD).await;
    let config = hosted_web(&t).await;
    let realm = t.info.default_realm.clone();

    let (status, body) = add(
        &c,
        &t,
        person("grace.new", "grace.new@acme.example"),
        then("Engineering\nsales\n", true, &config),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let id: String = serde_json::from_str(&body).unwrap();
    let said = report(&c, &t, &id).await;
    assert!(said.contains("Created grace.new."), "{said}");
    assert!(
        said.contains("Joined 2 groups: Engineering, Sales."),
        "{said}"
    );
    assert!(
        said.contains("Passkey invitation sent to grace.new@acme.example"),
        "{said}"
    );
    assert!(!said.contains("\"ok\":false"), "{said}");

    // As BI has it: in both groups, one pending invitation, PENDING; the outbox holds the email.
    let (status, body) = call(
        &c,
        &t.base,
        GetIdentity::PATH,
        &GetIdentity {
            realm: realm.clone(),
            id: id.clone(),
        },
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let detail: IdentityDetail = serde_json::from_str(&body).unwrap();
    let mut joined: Vec<_> = detail
        .groups
        .iter()
        .map(|g| g.display_name.clone())
        .collect();
    joined.sort();
    assert_eq!(joined, ["Engineering", "Sales"]);
    assert_eq!(
        detail.identity.enrollment_status.as_deref(),
        Some("PENDING")
    );
    let outbox = t
        .sandbox
        .as_ref()
        .unwrap()
        .store()
        .outbox(Some(&realm), 10)
        .await
        .unwrap();
    assert!(outbox
        .iter()
        .any(|m| m.recipient == "grace.new@acme.example"));

    // Another operator's session has no report of it.
    let other = browser();
    sign_in(&other, &t.base, "helpdesk", common::HELPDESK_PASSWORD).await;
    assert_eq!(report(&other, &t, &id).await, "null");

    // No email: created, and the report says why no invitation went.
    let (status, body) = add(&c, &t, person("no.mail", ""), then("", true, &config)).await;
    assert_eq!(status, 200, "{body}");
    let id: String = serde_json::from_str(&body).unwrap();
    let said = report(&c, &t, &id).await;
    assert!(
        said.contains("No passkey invitation: the identity has no email address."),
        "{said}"
    );

    // An address that cannot receive mail: created, the failed invitation reported (INVITE_FAILED at BI).
    let (status, body) = add(
        &c,
        &t,
        person("bounce.new", "bounce@nowhere.invalid"),
        then("", true, ""),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let id: String = serde_json::from_str(&body).unwrap();
    let said = report(&c, &t, &id).await;
    assert!(said.contains("\"ok\":false"), "{said}");
    assert!(
        said.contains("BI could not send the passkey invitation to bounce@nowhere.invalid"),
        "{said}"
    );
    let store = t.sandbox.as_ref().unwrap().store();
    let bounced = store.get_identity(&realm, &id).await.unwrap();
    assert_eq!(bounced.enrollment_status.as_deref(), Some("INVITE_FAILED"));

    // Unticked: nothing sent.
    let (status, body) = add(
        &c,
        &t,
        person("quiet.new", "quiet@acme.example"),
        then("", false, &config),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let id: String = serde_json::from_str(&body).unwrap();
    assert!(!report(&c, &t, &id).await.contains("invitation"));
    let quiet = store.get_identity(&realm, &id).await.unwrap();
    assert_eq!(quiet.enrollment_status.as_deref(), Some("UNENROLLED"));
    t.stop();
}

#[tokio::test]
async fn unknown_groups_protected_groups_and_foreign_configurations_write_nothing() {
    let dir = temp_dir("add-identity-refused");
    let mut v = vars();
    v.push(("CONSOLE_PROTECTED_GROUPS", "Realm Administrators".into()));
    let t = start_console(&dir, &v).await;
    let c = browser();
    sign_in(&c, &t.base, "helpdesk", common::HELPDESK_PASSWORD).await;
    let sb = t.sandbox.as_ref().unwrap();

    let cases = [
        (
            then("Engineering\nNo Such Team", true, ""),
            "groups",
            "No group is named “No Such Team” in this realm.",
        ),
        (
            then("Realm Administrators", false, ""),
            "groups",
            "“Realm Administrators” is protected",
        ),
        (
            then("Bad <name>", false, ""),
            "groups",
            "is not a group name",
        ),
        (
            then("", true, "not-a-config"),
            "config",
            "Choose one of this realm's authenticator configurations",
        ),
    ];
    for (after, field, message) in cases {
        let (status, body) =
            add(&c, &t, person("refused.new", "refused@acme.example"), after).await;
        assert_eq!(status, 400, "{body}");
        assert!(body.contains(&format!("\"field\":\"{field}\"")), "{body}");
        assert!(body.contains(message), "{body}");
        assert_eq!(
            find(&t, "refused.new").await,
            None,
            "nothing written: {body}"
        );
    }
    // A taken username stays on the username field, and no group was joined.
    let eng_before = common::seeded(&t).await.1;
    let realm = t.info.default_realm.clone();
    let members = async || {
        sb.store()
            .list_members(&realm, &eng_before, 0, 1)
            .await
            .unwrap()
            .total
    };
    let before = members().await;
    let (status, body) = add(
        &c,
        &t,
        person("ada.lovelace", ""),
        then("Engineering", false, ""),
    )
    .await;
    assert_eq!(status, 409, "BI's conflict is the answer's status: {body}");
    assert!(
        body.contains("\"status\":409"),
        "BI's conflict keeps its meaning: {body}"
    );
    assert!(body.contains("\"field\":\"username\""), "{body}");
    assert_eq!(members().await, before);
    t.stop();
}

#[tokio::test]
async fn the_configuration_used_last_is_the_realms_default() {
    let dir = temp_dir("add-identity-default");
    let t = start_console(&dir, &vars()).await;
    let c = browser();
    sign_in(&c, &t.base, "admin", common::ADMIN_PASSWORD).await;
    let realm = t.info.default_realm.clone();
    let store = t.sandbox.as_ref().unwrap().store();
    let hosted = hosted_web(&t).await;
    let kiosk = store
        .create_authenticator_config(
            &realm,
            "Kiosk",
            &serde_json::json!({ "type": "hosted_web" }),
        )
        .await
        .unwrap();
    let options = |c: reqwest::Client| {
        let (base, realm) = (t.base.clone(), realm.clone());
        async move {
            let (status, body) = call(
                &c,
                &base,
                NewIdentityOptions::PATH,
                &NewIdentityOptions { realm },
            )
            .await;
            assert_eq!(status, 200, "{body}");
            serde_json::from_str::<InvitationChoices>(&body).unwrap()
        }
    };
    let first = options(c.clone()).await;
    assert_eq!(first.configs.len(), 2);
    assert_eq!(
        first.default_config, hosted,
        "never used: the first Hosted Web"
    );

    let (status, body) = add(
        &c,
        &t,
        person("kiosk.new", "kiosk@acme.example"),
        then("", true, &kiosk.id),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        options(c.clone()).await.default_config,
        kiosk.id,
        "remembered"
    );
    // For every operator of the realm.
    let other = browser();
    sign_in(&other, &t.base, "helpdesk", common::HELPDESK_PASSWORD).await;
    assert_eq!(options(other).await.default_config, kiosk.id);
    t.stop();
}

/// Posts the Add form as a browser without JavaScript would: Plain Person, with `then` (groups, invitation).
async fn plain_add(
    c: &reqwest::Client,
    t: &TestConsole,
    then: &[(&str, &str)],
) -> reqwest::Response {
    let realm = t.info.default_realm.as_str();
    let mut fields = vec![
        ("realm", realm),
        ("input[display_name]", "Plain Person"),
        ("input[username]", "plain.person"),
        ("input[email]", "plain@acme.example"),
        ("input[external_id]", ""),
        ("input[given_name]", ""),
        ("input[family_name]", ""),
    ];
    fields.extend_from_slice(then);
    c.post(format!("{}{}", t.base, CreateIdentity::PATH))
        .header("accept", "text/html")
        .form(&fields)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_plain_form_post_with_an_unknown_group_comes_back_with_what_was_typed() {
    let dir = temp_dir("add-identity-plain");
    let t = start_console(&dir, &vars()).await;
    let c = browser();
    sign_in(&c, &t.base, "admin", common::ADMIN_PASSWORD).await;
    let realm = t.info.default_realm.clone();
    let form = format!("/realms/{realm}/identities/new");
    let res = plain_add(
        &c,
        &t,
        &[("then[groups]", "Sales\nGhosts"), ("then[config]", "")],
    )
    .await;
    assert!(res.status().is_redirection(), "{}", res.status());
    assert_eq!(res.headers()["location"], form.as_str());
    let page = page_text(&c, format!("{}{form}", t.base)).await;
    assert!(
        page.contains("No group is named “Ghosts” in this realm."),
        "the error is on the form"
    );
    assert!(
        page.contains("Sales\nGhosts</textarea>"),
        "the groups typed stay"
    );
    assert!(page.contains("value=\"Plain Person\""));
    assert!(
        !page.contains("name=\"then[invite]\" value=\"on\" checked"),
        "the unticked invitation stays unticked"
    );
    assert_eq!(find(&t, "plain.person").await, None);

    // The same form with the group fixed: created, in Sales, and the page of the new identity reports it.
    let res = plain_add(&c, &t, &[("then[groups]", "Sales"), ("then[invite]", "on")]).await;
    assert!(res.status().is_redirection(), "{}", res.status());
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert!(location.ends_with("?created=1"), "{location}");
    let page = page_text(&c, format!("{}{location}", t.base)).await;
    assert!(
        page.contains("Joined 1 group: Sales."),
        "reported on the identity's page"
    );
    assert!(page.contains("Passkey invitation sent to plain@acme.example"));
    t.stop();
}
