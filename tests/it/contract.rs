//! Contract tests against BI's published OpenAPI document (`tests/spec/bi-openapi.yaml`, as BI publishes it), not
//! against the console's own types: the client and the sandbox share `bi::wire`, so a field misspelt there would
//! pass every other test.
//!
//! - The sandbox, over HTTP, for every operation the console uses: each answer (successes and errors) must match the
//!   spec's schema for that operation and status, with no property the spec does not name.
//! - The client, against a recorder that answers every call with the spec's own example: each request body must
//!   match the spec's request schema (again with no unnamed property), and each example must decode.

#![cfg(feature = "ssr")]

use crate::common;
use crate::spec_support;

use spec_support::*;

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{Method, StatusCode, Uri};
use axum::response::IntoResponse;
use bi_console::bi::wire::{GroupWrite, IdentityWrite, ListQuery};
use bi_console::model::Traits;
use serde_json::{json, Value};

/// The operations the console uses: method and the spec's path.
const OPERATIONS: [(&str, &str); 17] = [
    ("get", "/v1/tenants/{tenant_id}/realms"),
    ("get", "/v1/tenants/{tenant_id}/realms/{realm_id}"),
    (
        "post",
        "/v1/tenants/{tenant_id}/realms/{realm_id}/identities",
    ),
    (
        "get",
        "/v1/tenants/{tenant_id}/realms/{realm_id}/identities",
    ),
    (
        "get",
        "/v1/tenants/{tenant_id}/realms/{realm_id}/identities/{identity_id}",
    ),
    (
        "patch",
        "/v1/tenants/{tenant_id}/realms/{realm_id}/identities/{identity_id}",
    ),
    (
        "delete",
        "/v1/tenants/{tenant_id}/realms/{realm_id}/identities/{identity_id}",
    ),
    (
        "post",
        "/v1/tenants/{tenant_id}/realms/{realm_id}/identities:batchDelete",
    ),
    (
        "get",
        "/v1/tenants/{tenant_id}/realms/{realm_id}/identities/{identity_id}:listGroups",
    ),
    ("post", "/v1/tenants/{tenant_id}/realms/{realm_id}/groups"),
    ("get", "/v1/tenants/{tenant_id}/realms/{realm_id}/groups"),
    (
        "get",
        "/v1/tenants/{tenant_id}/realms/{realm_id}/groups/{group_id}",
    ),
    (
        "patch",
        "/v1/tenants/{tenant_id}/realms/{realm_id}/groups/{group_id}",
    ),
    (
        "delete",
        "/v1/tenants/{tenant_id}/realms/{realm_id}/groups/{group_id}",
    ),
    (
        "post",
        "/v1/tenants/{tenant_id}/realms/{realm_id}/groups/{group_id}:addMembers",
    ),
    (
        "post",
        "/v1/tenants/{tenant_id}/realms/{realm_id}/groups/{group_id}:deleteMembers",
    ),
    (
        "get",
        "/v1/tenants/{tenant_id}/realms/{realm_id}/groups/{group_id}:listMembers",
    ),
];

/// The schemas whose objects must not carry a property the spec does not name. (Not `ErrorDetail`: its kinds
/// extend it through `allOf`.)
const STRICT: [&str; 12] = [
    "Realm",
    "Identity",
    "Traits_v0",
    "Group",
    "Error",
    "ListRealmsResponse",
    "ListIdentitiesResponse",
    "ListGroupsResponse",
    "ListGroupMembersResponse",
    "Credential",
    "CredentialBindingJob",
    "AuthenticatorConfig",
];

/// The spec's path template of `path` among every operation the console uses, passkeys included.
fn any_template(method: &str, path: &str) -> &'static str {
    let all: Vec<(&str, &'static str)> = OPERATIONS
        .iter()
        .chain(&PASSKEY_OPERATIONS)
        .copied()
        .collect();
    template_in(&all, method, path)
}

// --- the sandbox ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn the_sandbox_answers_as_the_spec_says() {
    let spec = Spec::load(&STRICT);
    let t = common::start().await;
    let caller = Caller {
        http: reqwest::Client::new(),
        base: t.api_base.clone(),
        token: t.sandbox.credentials().api_token.expose().to_string(),
    };
    let tenant = format!("/v1/tenants/{}", t.sandbox.tenant_id());
    let realm = format!("{tenant}/realms/{}", t.workforce);
    let op = |i: usize| OPERATIONS[i];
    let mut seen = std::collections::HashSet::new();
    let mut check = async |i: usize, path: String, body: Option<Value>| {
        let (method, template) = op(i);
        seen.insert(i);
        caller.check(&spec, method, template, &path, body).await
    };

    check(0, format!("{tenant}/realms"), None).await;
    check(1, realm.clone(), None).await;
    // The spec's own request example creates an identity.
    let example = spec.operation("post", op(2).1)["requestBody"]["content"]["application/json"]
        ["examples"]["Create Identity"]["value"]
        .clone();
    let (status, created) = check(2, format!("{realm}/identities"), Some(example.clone())).await;
    assert_eq!(status, 200, "{created}");
    let id = created["id"].as_str().unwrap().to_string();
    let (status, _) = check(2, format!("{realm}/identities"), Some(example)).await;
    assert_eq!(status, 409, "the same username again");
    let (status, _) = check(
        2,
        format!("{realm}/identities"),
        Some(json!({"identity": {"display_name": "No;"}})),
    )
    .await;
    assert_eq!(status, 400);
    check(3, format!("{realm}/identities?page_size=2"), None).await;
    check(
        3,
        format!("{realm}/identities?filter=traits.username%20eq%20%22test%22"),
        None,
    )
    .await;
    check(4, format!("{realm}/identities/{id}"), None).await;
    let (status, _) = check(4, format!("{realm}/identities/0000000000000000"), None).await;
    assert_eq!(status, 404);
    let patch = json!({"identity": {"display_name": "Renamed", "status": "suspended",
        "traits": {"type": "traits_v0", "given_name": "Ada"}}});
    let (status, _) = check(5, format!("{realm}/identities/{id}"), Some(patch)).await;
    assert_eq!(status, 200);
    check(8, format!("{realm}/identities/{id}:listGroups"), None).await;

    let group_example = spec.operation("post", op(9).1)["requestBody"]["content"]
        ["application/json"]["examples"]
        .as_object()
        .and_then(|e| e.values().next())
        .map(|e| e["value"].clone())
        .expect("a create-group example");
    let (status, group) = check(9, format!("{realm}/groups"), Some(group_example)).await;
    assert_eq!(status, 200, "{group}");
    let gid = group["id"].as_str().unwrap().to_string();
    check(10, format!("{realm}/groups?page_size=2"), None).await;
    check(11, format!("{realm}/groups/{gid}"), None).await;
    let (status, _) = check(11, format!("{realm}/groups/0000000000000000"), None).await;
    assert_eq!(status, 404);
    check(
        12,
        format!("{realm}/groups/{gid}"),
        Some(json!({"group": {"description": "Changed"}})),
    )
    .await;
    let members = Some(json!({"identity_ids": [id]}));
    let (status, _) = check(
        14,
        format!("{realm}/groups/{gid}:addMembers"),
        members.clone(),
    )
    .await;
    assert_eq!(status, 200);
    check(16, format!("{realm}/groups/{gid}:listMembers"), None).await;
    let (status, _) = check(13, format!("{realm}/groups/{gid}"), None).await;
    assert_eq!(status, 409, "a group with members");
    check(15, format!("{realm}/groups/{gid}:deleteMembers"), members).await;
    let (status, _) = check(13, format!("{realm}/groups/{gid}"), None).await;
    assert_eq!(status, 200);
    let again = Some(json!({"identity_ids": [id]}));
    let (status, _) = check(14, format!("{realm}/groups/{gid}:addMembers"), again).await;
    assert_eq!(status, 404, "the group is gone");
    let (status, _) = check(
        14,
        format!("{realm}/groups/{gid}:addMembers"),
        Some(json!({"identity_ids": []})),
    )
    .await;
    assert_eq!(status, 400, "no ids");

    let (status, _) = check(
        7,
        format!("{realm}/identities:batchDelete"),
        Some(json!({"ids": ["0000000000000000"]})),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = check(6, format!("{realm}/identities/{id}"), None).await;
    assert_eq!(status, 200);
    let more = common::make_identities(&t, "contract", 2).await;
    let (status, _) = check(
        7,
        format!("{realm}/identities:batchDelete"),
        Some(json!({ "ids": more })),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        seen.len(),
        OPERATIONS.len(),
        "every operation the console uses was checked"
    );

    // Without a valid token: 401, in BI's error shape.
    let stranger = Caller {
        token: "not-a-token".into(),
        ..caller
    };
    let (status, _) = stranger
        .check(&spec, "get", op(0).1, &format!("{tenant}/realms"), None)
        .await;
    assert_eq!(status, 401);
}

// --- the client ----------------------------------------------------------------------------------------------------

/// One request the client sent: method, path and body.
type Recorded = Arc<Mutex<Vec<(String, String, Option<Value>)>>>;

/// A stand-in for BI that answers every call with the spec's example for it and records what was sent.
async fn recorder(spec: Arc<Spec>) -> (String, Recorded) {
    let recorded: Recorded = Arc::default();
    let log = recorded.clone();
    let app = axum::Router::new().fallback(move |method: Method, uri: Uri, body: Bytes| {
        let (spec, log) = (spec.clone(), log.clone());
        async move {
            let m = method.as_str().to_lowercase();
            let template = any_template(&m, uri.path());
            let body: Option<Value> =
                (!body.is_empty()).then(|| serde_json::from_slice(&body).unwrap());
            log.lock()
                .unwrap()
                .push((m.clone(), uri.path().to_string(), body));
            // An answer the spec gives no example for is an empty object.
            let example = spec.example(&m, template).unwrap_or_else(|| json!({}));
            (StatusCode::OK, axum::Json(example)).into_response()
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), recorded)
}

#[tokio::test]
async fn the_client_sends_what_the_spec_asks_and_reads_its_examples() {
    let spec = Arc::new(Spec::load(&STRICT));
    let (base, recorded) = recorder(spec.clone()).await;
    let c = bi_console::bi::Client::new(bi_console::bi::ClientConfig {
        api_base: base,
        tenant_id: "0001f1f460b1ace6".into(),
        auth: bi_console::bi::ClientAuth::Token(bi_console::secret::Secret::new("t")),
        timeout: std::time::Duration::from_secs(5),
    })
    .unwrap();
    let realm = "8f5bec58229e6f29";
    let q = ListQuery::numbered(2, 20).with_filter(Some("traits.username eq \"test\"".into()));
    let write = IdentityWrite {
        display_name: Some("Test Identity".into()),
        status: Some("active".into()),
        traits: Some(Traits {
            username: Some("test".into()),
            primary_email_address: Some("test@example.com".into()),
            given_name: Some(String::new()),
            ..Traits::default()
        }),
    };
    let group = GroupWrite {
        display_name: Some("Realm Administrators".into()),
        description: Some("A group of realm administrators.".into()),
    };
    let ids = vec!["e372db224c06e850".to_string()];

    // Each call decodes the spec's example answer.
    let realms = c.list_realms(&q).await.unwrap();
    assert!(!realms.items.is_empty());
    assert_eq!(c.get_realm(realm).await.unwrap().id, realms.items[0].id);
    let made = c
        .create_identity(&common::permit(realm), &write)
        .await
        .unwrap();
    assert_eq!(made.username(), "test");
    assert!(!c.list_identities(realm, &q).await.unwrap().items.is_empty());
    c.get_identity(realm, &made.id).await.unwrap();
    c.update_identity(
        &common::target(
            &common::permit::<bi_console::permit::act::EditIdentity>(realm),
            &made.id,
        ),
        &write,
    )
    .await
    .unwrap();
    c.delete_identity(&common::target(&common::permit(realm), &made.id))
        .await
        .unwrap();
    c.batch_delete_identities(&common::targets(&common::permit(realm), &ids))
        .await
        .unwrap();
    c.list_identity_groups(realm, &made.id, &q).await.unwrap();
    let g = c
        .create_group(&common::permit(realm), &group)
        .await
        .unwrap();
    assert!(!g.display_name.is_empty());
    c.list_groups(realm, &q).await.unwrap();
    c.get_group(realm, &g.id).await.unwrap();
    c.update_group(&common::permit(realm), &g.id, &group)
        .await
        .unwrap();
    c.delete_group(&common::permit(realm), &g.id).await.unwrap();
    c.add_members(&common::permit(realm), &g.id, &ids)
        .await
        .unwrap();
    c.delete_members(&common::permit(realm), &g.id, &ids)
        .await
        .unwrap();
    c.list_members(realm, &g.id, &q).await.unwrap();

    // Passkeys.
    let configs = c.list_authenticator_configs(realm, &q).await.unwrap();
    let config = c
        .get_authenticator_config(realm, &configs.items[0].id)
        .await
        .unwrap();
    let job = bi_console::bi::wire::JobWrite {
        delivery_method: "RETURN".into(),
        authenticator_config_id: config.id.clone(),
        post_binding_redirect_uri: Some("http://example.com/callback".into()),
    };
    let created_job = c
        .create_credential_binding_job(&common::target(&common::permit(realm), &made.id), &job)
        .await
        .unwrap();
    c.list_credential_binding_jobs(realm, &made.id, &q)
        .await
        .unwrap();
    let job_id = &created_job.credential_binding_job.id;
    c.get_credential_binding_job(realm, &made.id, job_id)
        .await
        .unwrap();
    c.revoke_credential_binding_job(&common::target(&common::permit(realm), &made.id), job_id)
        .await
        .unwrap();
    let credentials = c.list_credentials(realm, &made.id, &q).await.unwrap();
    let credential = c
        .get_credential(realm, &made.id, &credentials.items[0].id)
        .await
        .unwrap();
    c.revoke_credential(
        &common::target(&common::permit(realm), &made.id),
        &credential.id,
    )
    .await
    .unwrap();
    let template = bi_console::bi::wire::JobTemplate {
        authenticator_config_id: config.id.clone(),
        post_binding_redirect_uri: None,
    };
    let batch = c
        .create_batch_credential_binding_job(
            &common::targets(&common::permit(realm), &ids),
            &template,
        )
        .await
        .unwrap();
    c.get_batch_credential_binding_job(realm, &batch.id)
        .await
        .unwrap();
    let results = c.list_batch_results(realm, &batch.id, &q).await.unwrap();
    assert!(!results.job_results.is_empty());
    for (decoded, i) in [
        (serde_json::to_value(&config).unwrap(), 1),
        (serde_json::to_value(&created_job).unwrap(), 2),
        (serde_json::to_value(&credential).unwrap(), 7),
        (serde_json::to_value(&batch).unwrap(), 9),
    ] {
        let (method, path) = PASSKEY_OPERATIONS[i];
        let example = spec.example(method, path).unwrap();
        assert_holds(&decoded, &example, &format!("{method} {path}"));
    }

    // What the client decoded holds every value of the spec's example: a field it named differently would be lost.
    let realm_read = c.get_realm(realm).await.unwrap();
    for (decoded, i) in [
        (serde_json::to_value(&realm_read).unwrap(), 1),
        (serde_json::to_value(&made).unwrap(), 2),
        (serde_json::to_value(&g).unwrap(), 9),
    ] {
        let (method, path) = OPERATIONS[i];
        let example = spec.example(method, path).unwrap();
        assert_holds(&decoded, &example, &format!("{method} {path}"));
    }

    // Each body the client sent is one the spec accepts, with nothing it does not name.
    let sent = recorded.lock().unwrap().clone();
    let mut templates = std::collections::HashSet::new();
    for (method, path, body) in &sent {
        let template = any_template(method, path);
        templates.insert((method.clone(), template));
        match (spec.request_schema(method, template), body) {
            (Some(schema), Some(body)) => {
                assert_matches(&schema, body, &format!("the client's {method} {path}"))
            }
            (Some(_), None) => {
                panic!("{method} {path}: the spec asks for a body, the client sent none")
            }
            (None, Some(body)) => {
                panic!("{method} {path}: the spec takes no body, the client sent {body}")
            }
            (None, None) => {}
        }
    }
    assert_eq!(
        templates.len(),
        OPERATIONS.len() + PASSKEY_OPERATIONS.len(),
        "every operation the console uses was called: {templates:?}"
    );
}

/// Every value in `example` is in `decoded` at the same place.
fn assert_holds(decoded: &Value, example: &Value, what: &str) {
    match example {
        Value::Object(map) => {
            for (k, v) in map {
                assert_holds(&decoded[k], v, &format!("{what}.{k}"));
            }
        }
        other => assert_eq!(
            decoded, other,
            "{what}: the client lost or changed BI's value"
        ),
    }
}

#[test]
fn a_misspelt_field_is_caught() {
    // The check itself: a property the spec does not name, or a wrong type, fails.
    let spec = Spec::load(&STRICT);
    let path = OPERATIONS[4].1;
    let schema = spec.response_schema("get", path, 200).unwrap();
    let good = json!({"id": "a", "display_name": "Ada", "traits": {"type": "traits_v0", "username": "ada"}});
    assert!(violations(&schema, &good).is_empty());
    let misspelt = json!({"id": "a", "dispaly_name": "Ada"});
    assert!(!violations(&schema, &misspelt).is_empty());
    let wrong_type = json!({"id": "a", "traits": {"type": "traits_v0", "username": 7}});
    assert!(!violations(&schema, &wrong_type).is_empty());
    let body = spec.request_schema("post", OPERATIONS[14].1).unwrap();
    assert!(
        !violations(&body, &json!({"identity_ids": []})).is_empty(),
        "minItems 1"
    );
    assert!(!violations(&body, &json!({"ids": ["x"]})).is_empty());
}

/// The passkey operations the console uses (checked by `the_sandbox_answers_passkey_calls_as_the_spec_says`).
const PASSKEY_OPERATIONS: [(&str, &str); 12] = [
    ("get", "/v1/tenants/{tenant_id}/realms/{realm_id}/authenticator-configs"),
    ("get", "/v1/tenants/{tenant_id}/realms/{realm_id}/authenticator-configs/{authenticator_config_id}"),
    ("post", "/v1/tenants/{tenant_id}/realms/{realm_id}/identities/{identity_id}/credential-binding-jobs"),
    ("get", "/v1/tenants/{tenant_id}/realms/{realm_id}/identities/{identity_id}/credential-binding-jobs"),
    ("get", "/v1/tenants/{tenant_id}/realms/{realm_id}/identities/{identity_id}/credential-binding-jobs/{credential_binding_job_id}"),
    ("post", "/v1/tenants/{tenant_id}/realms/{realm_id}/identities/{identity_id}/credential-binding-jobs/{credential_binding_job_id}:revoke"),
    ("get", "/v1/tenants/{tenant_id}/realms/{realm_id}/identities/{identity_id}/credentials"),
    ("get", "/v1/tenants/{tenant_id}/realms/{realm_id}/identities/{identity_id}/credentials/{credential_id}"),
    ("post", "/v1/tenants/{tenant_id}/realms/{realm_id}/identities/{identity_id}/credentials/{credential_id}:revoke"),
    ("post", "/v1/tenants/{tenant_id}/realms/{realm_id}/batch-credential-binding-jobs"),
    ("get", "/v1/tenants/{tenant_id}/realms/{realm_id}/batch-credential-binding-jobs/{batch_credential_binding_job_id}"),
    ("get", "/v1/tenants/{tenant_id}/realms/{realm_id}/batch-credential-binding-jobs/{batch_credential_binding_job_id}:listResults"),
];

/// Passkey calls: authenticator configurations, credential binding jobs (by email and as a link), their revocation,
/// credentials and their revocation, and batches, each answer (successes and errors) checked against the spec.
#[tokio::test]
async fn the_sandbox_answers_passkey_calls_as_the_spec_says() {
    let spec = Spec::load(&STRICT);
    let t = common::start().await;
    let caller = Caller {
        http: reqwest::Client::new(),
        base: t.api_base.clone(),
        token: t.sandbox.credentials().api_token.expose().to_string(),
    };
    let realm = format!(
        "/v1/tenants/{}/realms/{}",
        t.sandbox.tenant_id(),
        t.workforce
    );
    let mut seen = std::collections::HashSet::new();
    // Calls `method path`, checks the answer against the spec, and expects the status `want`.
    let mut expect = async |want: u16, method: &'static str, path: String, body: Option<Value>| {
        let template = template_in(&PASSKEY_OPERATIONS, method, &path);
        seen.insert((method, template));
        let (status, value) = caller.check(&spec, method, template, &path, body).await;
        assert_eq!(status, want, "{method} {path}: {value}");
        value
    };

    let configs = expect(200, "get", format!("{realm}/authenticator-configs"), None).await;
    let config = configs["authenticator_configs"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    expect(
        200,
        "get",
        format!("{realm}/authenticator-configs/{config}"),
        None,
    )
    .await;
    expect(
        404,
        "get",
        format!("{realm}/authenticator-configs/0000000000000000"),
        None,
    )
    .await;

    // An identity with an email, one without (made straight in the store: identity calls are checked elsewhere).
    let store = t.sandbox.store();
    let person = |username: &str, email: Option<&str>| Traits {
        username: Some(username.into()),
        primary_email_address: email.map(str::to_string),
        ..Traits::default()
    };
    let id = store
        .create_identity(
            &t.workforce,
            "Spec Mail",
            "active",
            "UNENROLLED",
            &person("spec.mail", Some("spec@mail.example")),
            None,
        )
        .await
        .unwrap()
        .id;
    let silent = store
        .create_identity(
            &t.workforce,
            "Spec Silent",
            "active",
            "UNENROLLED",
            &person("spec.silent", None),
            None,
        )
        .await
        .unwrap()
        .id;

    let jobs = |who: &str| format!("{realm}/identities/{who}/credential-binding-jobs");
    let job = |delivery: &str, config: &str| {
        Some(json!({"job": {"delivery_method": delivery, "authenticator_config_id": config}}))
    };
    let sent = expect(200, "post", jobs(&id), job("EMAIL", &config)).await;
    let link = expect(200, "post", jobs(&id), job("RETURN", &config)).await;
    assert!(link["credential_binding_link"].is_string());
    expect(422, "post", jobs(&silent), job("EMAIL", &config)).await;
    expect(400, "post", jobs(&id), job("EMAIL", "")).await;
    // An unknown identity: 404. The spec's schema for this answer is a bare `ResourceInfo`, but its own example
    // (and every other 404 of BI's) is an `Error` body with a `ResourceInfo` detail: the sandbox answers as the
    // example does, checked against the `Error` schema here.
    let res = caller
        .http
        .post(format!("{}{}", caller.base, jobs("0000000000000000")))
        .bearer_auth(&caller.token)
        .json(&job("EMAIL", &config))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let body: Value = res.json().await.unwrap();
    let example = &spec.operation("post", PASSKEY_OPERATIONS[2].1)["responses"]["404"]["content"]
        ["application/json"]["examples"]["Identity Not Found"]["value"];
    assert_eq!(body["code"], example["code"]);
    assert_eq!(body["message"], example["message"]);
    assert_eq!(
        body["details"][0]["resource_type"],
        example["details"][0]["resource_type"]
    );
    let error = spec.rooted(&json!({"$ref": "#/components/schemas/Error"}));
    assert_matches(&error, &body, "404 of CreateCredentialBindingJob");
    expect(200, "get", format!("{}?page_size=1", jobs(&id)), None).await;
    let job_id = sent["credential_binding_job"]["id"].as_str().unwrap();
    expect(200, "get", format!("{}/{job_id}", jobs(&id)), None).await;
    expect(404, "get", format!("{}/0000000000000000", jobs(&id)), None).await;
    expect(
        200,
        "post",
        format!("{}/{job_id}:revoke", jobs(&id)),
        Some(json!({})),
    )
    .await;
    expect(
        409,
        "post",
        format!("{}/{job_id}:revoke", jobs(&id)),
        Some(json!({})),
    )
    .await;

    // Enrollment through the link makes a credential; it is read and revoked.
    let url = link["credential_binding_link"].as_str().unwrap();
    let res = caller
        .http
        .post(url)
        .form(&[("step", "complete")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let credentials = format!("{realm}/identities/{id}/credentials");
    let listed = expect(200, "get", credentials.clone(), None).await;
    let credential = listed["credentials"][0]["id"].as_str().unwrap().to_string();
    expect(200, "get", format!("{credentials}/{credential}"), None).await;
    expect(404, "get", format!("{credentials}/0000000000000000"), None).await;
    let revoked = expect(
        200,
        "post",
        format!("{credentials}/{credential}:revoke"),
        Some(json!({})),
    )
    .await;
    assert_eq!(revoked["state"], "REVOKED");
    expect(
        404,
        "post",
        format!("{credentials}/0000000000000000:revoke"),
        Some(json!({})),
    )
    .await;

    // A batch: queued, read, its results listed.
    let batches = format!("{realm}/batch-credential-binding-jobs");
    let body = json!({"batch_credential_binding_job": {"identity_ids": [id, silent],
        "job_template": {"authenticator_config_id": config}}});
    let batch = expect(200, "post", batches.clone(), Some(body)).await;
    let bid = batch["id"].as_str().unwrap();
    expect(200, "get", format!("{batches}/{bid}"), None).await;
    expect(404, "get", format!("{batches}/0000000000000000"), None).await;
    expect(200, "get", format!("{batches}/{bid}:listResults"), None).await;
    assert_eq!(
        seen.len(),
        PASSKEY_OPERATIONS.len(),
        "every passkey operation was called"
    );
}
