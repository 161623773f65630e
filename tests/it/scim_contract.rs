//! The sandbox's SCIM server against BI's published OpenAPI document (its SCIM tag): every operation's answers,
//! successes and errors, must match the spec's schema for that operation and status, with no property the spec does
//! not name.

#![cfg(feature = "ssr")]

use crate::common;
use crate::spec_support;

use serde_json::{json, Value};
use spec_support::*;

const SCIM: &str = "/v1/tenants/{tenant_id}/realms/{realm_id}/scim/v2";

const STRICT: [&str; 6] = [
    "SCIMUser",
    "SCIMGroup",
    "SCIMError",
    "SCIMResourceType",
    "SCIMSchema",
    "SCIMServiceProviderConfig",
];

/// Every SCIM operation of the spec: method and path template (relative to the realm's SCIM base).
const OPERATIONS: [(&str, &str); 14] = [
    ("post", "/Users"),
    ("get", "/Users"),
    ("get", "/Users/{user_id}"),
    ("put", "/Users/{user_id}"),
    ("patch", "/Users/{user_id}"),
    ("delete", "/Users/{user_id}"),
    ("post", "/Groups/"),
    ("get", "/Groups/"),
    ("get", "/Groups/{group_id}"),
    ("patch", "/Groups/{group_id}"),
    ("delete", "/Groups/{group_id}"),
    ("get", "/ResourceTypes"),
    ("get", "/Schemas"),
    ("get", "/ServiceProviderConfig"),
];

#[tokio::test]
async fn the_scim_server_answers_as_the_spec_says() {
    let spec = Spec::load(&STRICT);
    let t = common::start().await;
    let caller = Caller {
        http: reqwest::Client::new(),
        base: t.api_base.clone(),
        token: t.sandbox.credentials().api_token.expose().to_string(),
    };
    let base = format!(
        "/v1/tenants/{}/realms/{}/scim/v2",
        t.sandbox.tenant_id(),
        t.workforce
    );
    let templates: Vec<(&str, &'static str)> = OPERATIONS
        .iter()
        .map(|(m, p)| (*m, &*Box::leak(format!("{SCIM}{p}").into_boxed_str())))
        .collect();
    let mut seen = std::collections::HashSet::new();
    let mut expect = async |want: u16, method: &'static str, path: String, body: Option<Value>| {
        let template = template_in(&templates, method, &path);
        seen.insert((method, template));
        let (status, value) = caller.check(&spec, method, template, &path, body).await;
        assert_eq!(status, want, "{method} {path}: {value}");
        value
    };
    let user = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "contract.user",
        "displayName": "Contract User", "externalId": "c-1", "name": { "givenName": "Con", "familyName": "Tract" },
        "emails": [{ "value": "contract@example.com", "primary": true }], "active": true
    });
    let patch = |ops: Value| json!({ "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops });

    let made = expect(201, "post", format!("{base}/Users"), Some(user.clone())).await;
    let id = made["id"].as_str().unwrap().to_string();
    expect(
        400,
        "post",
        format!("{base}/Users"),
        Some(json!({ "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"] })),
    )
    .await;
    expect(200, "get", format!("{base}/Users?count=5"), None).await;
    expect(
        200,
        "get",
        format!("{base}/Users?filter=userName%20eq%20%22contract.user%22&count=5"),
        None,
    )
    .await;
    expect(
        400,
        "get",
        format!("{base}/Users?filter=userName%20co%20%22x%22"),
        None,
    )
    .await;
    expect(200, "get", format!("{base}/Users/{id}"), None).await;
    expect(404, "get", format!("{base}/Users/0000000000000000"), None).await;
    let mut replaced = user.clone();
    replaced["displayName"] = json!("Contract Replaced");
    expect(200, "put", format!("{base}/Users/{id}"), Some(replaced)).await;
    expect(
        400,
        "put",
        format!("{base}/Users/{id}"),
        Some(json!({ "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"] })),
    )
    .await;
    let ops = patch(json!([{ "op": "replace", "path": "active", "value": false }]));
    expect(200, "patch", format!("{base}/Users/{id}"), Some(ops)).await;
    let ops = patch(json!([{ "op": "remove", "path": "externalId" }]));
    expect(
        400,
        "patch",
        format!("{base}/Users/{id}"),
        Some(ops.clone()),
    )
    .await;
    expect(
        404,
        "patch",
        format!("{base}/Users/0000000000000000"),
        Some(ops),
    )
    .await;

    let group = expect(201, "post", format!("{base}/Groups/"), Some(json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Contract Group"
    }))).await;
    let gid = group["id"].as_str().unwrap().to_string();
    expect(
        400,
        "post",
        format!("{base}/Groups/"),
        Some(json!({ "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"] })),
    )
    .await;
    expect(200, "get", format!("{base}/Groups/?count=5"), None).await;
    expect(200, "get", format!("{base}/Groups/{gid}"), None).await;
    expect(404, "get", format!("{base}/Groups/0000000000000000"), None).await;
    let ops = patch(json!([{ "op": "add", "path": "members", "value": [{ "value": id }] }]));
    expect(200, "patch", format!("{base}/Groups/{gid}"), Some(ops)).await;
    let ops = patch(
        json!([{ "op": "add", "path": "members", "value": [{ "value": "0000000000000000" }] }]),
    );
    expect(400, "patch", format!("{base}/Groups/{gid}"), Some(ops)).await;
    expect(204, "delete", format!("{base}/Groups/{gid}"), None).await;
    expect(404, "delete", format!("{base}/Groups/{gid}"), None).await;
    expect(204, "delete", format!("{base}/Users/{id}"), None).await;
    expect(404, "delete", format!("{base}/Users/{id}"), None).await;

    expect(200, "get", format!("{base}/ResourceTypes"), None).await;
    expect(200, "get", format!("{base}/Schemas"), None).await;
    expect(200, "get", format!("{base}/ServiceProviderConfig"), None).await;

    // Without a token: the spec's 401 body.
    let unauthorized = Caller {
        http: reqwest::Client::new(),
        base: t.api_base.clone(),
        token: "not-the-token".into(),
    };
    let (status, _) = unauthorized
        .check(&spec, "get", templates[1].1, &format!("{base}/Users"), None)
        .await;
    assert_eq!(status, 401);
    assert_eq!(
        seen.len(),
        OPERATIONS.len(),
        "every SCIM operation was called"
    );
}
