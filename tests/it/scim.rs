//! The sandbox's SCIM server over HTTP, as a SCIM client uses it: every Users and Groups operation and its errors
//! (SCIM error bodies), filters and paging as BI allows them, the discovery documents; and an identity provider's
//! provisioning cycle seen from the console (a SCIM user is an identity; its suspension, its group).

#![cfg(feature = "ssr")]

use crate::common;

use bi_console::api::*;
use common::{browser, call, sign_in, start_console, temp_dir, TestConsole};
use leptos::server_fn::ServerFn;
use serde_json::{json, Value};

const TOKEN: &str = "scim-test-token";
const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
const PATCH: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

struct Scim {
    c: reqwest::Client,
    base: String,
}

impl Scim {
    fn of(t: &TestConsole) -> Scim {
        let sb = t.sandbox.as_ref().unwrap();
        Scim {
            c: reqwest::Client::new(),
            base: format!(
                "{}/sandbox/v1/tenants/{}/realms/{}/scim/v2",
                t.base,
                sb.tenant_id(),
                t.info.default_realm
            ),
        }
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value, reqwest::header::HeaderMap) {
        let mut req = self
            .c
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(TOKEN);
        if let Some(b) = body {
            req = req
                .header("content-type", "application/scim+json")
                .body(b.to_string());
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap();
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, value, headers)
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        let (s, v, _) = self.send(reqwest::Method::GET, path, None).await;
        (s, v)
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let (s, v, _) = self.send(reqwest::Method::POST, path, Some(body)).await;
        (s, v)
    }

    async fn patch(&self, path: &str, ops: Value) -> (u16, Value) {
        let body = json!({ "schemas": [PATCH], "Operations": ops });
        let (s, v, _) = self.send(reqwest::Method::PATCH, path, Some(body)).await;
        (s, v)
    }
}

/// A SCIM error body with this status and keyword; answers its detail.
fn error(status: u16, body: &Value, scim_type: Option<&str>) -> String {
    assert_eq!(
        body["schemas"],
        json!(["urn:ietf:params:scim:api:messages:2.0:Error"]),
        "{body}"
    );
    assert_eq!(body["status"], json!(status.to_string()), "{body}");
    assert_eq!(body["scimType"].as_str(), scim_type, "{body}");
    body["detail"].as_str().unwrap().to_string()
}

fn jensen() -> Value {
    json!({
        "schemas": [USER],
        "userName": "bjensen",
        "displayName": "Ms. Barbara Jensen",
        "externalId": "hr-4711",
        "name": { "givenName": "Barbara", "familyName": "Jensen" },
        "emails": [{ "value": "bjensen@example.com", "primary": true }],
        "active": true,
        "title": "ignored"
    })
}

#[tokio::test]
async fn users_are_created_read_listed_patched_replaced_and_deleted_with_scim_errors() {
    let dir = temp_dir("scim-users");
    let t = start_console(&dir, &[("SANDBOX_TOKEN", TOKEN.to_string())]).await;
    let scim = Scim::of(&t);

    // A value of megabytes is refused as SCIM's invalidValue: nothing is kept.
    let mut huge = jensen();
    huge["externalId"] = json!("x".repeat(1_900_000));
    let (status, body) = scim.post("/Users", huge).await;
    assert_eq!(status, 400);
    assert!(error(400, &body, Some("invalidValue")).contains("at most 1024 characters"));
    let mut long_mail = jensen();
    long_mail["emails"] =
        json!([{ "value": format!("{}@example.com", "m".repeat(300)), "primary": true }]);
    let (status, body) = scim.post("/Users", long_mail).await;
    assert_eq!(status, 400);
    error(400, &body, Some("invalidValue"));

    // No token: a SCIM 401.
    let res = reqwest::get(format!("{}/Users", scim.base)).await.unwrap();
    assert_eq!(res.status(), 401);
    error(401, &res.json().await.unwrap(), Some("unauthorized"));

    // Create: 201, the user as kept, its location in the header and in meta.
    let (status, made, headers) = scim
        .send(reqwest::Method::POST, "/Users", Some(jensen()))
        .await;
    assert_eq!(status, 201, "{made}");
    let id = made["id"].as_str().unwrap().to_string();
    assert_eq!(made["schemas"], json!([USER]));
    assert_eq!(made["userName"], "bjensen");
    assert_eq!(made["displayName"], "Ms. Barbara Jensen");
    assert_eq!(made["externalId"], "hr-4711");
    assert_eq!(made["active"], true);
    assert_eq!(
        made["name"],
        json!({ "givenName": "Barbara", "familyName": "Jensen" })
    );
    assert_eq!(
        made["emails"],
        json!([{ "value": "bjensen@example.com", "primary": true }])
    );
    assert!(made.get("title").is_none());
    let meta = &made["meta"];
    assert_eq!(meta["resourceType"], "User");
    assert_eq!(meta["version"], "W/0");
    assert_eq!(meta["location"], format!("{}/Users/{id}", scim.base));
    assert_eq!(
        headers["location"].to_str().unwrap(),
        meta["location"].as_str().unwrap()
    );
    for at in ["created", "lastModified"] {
        let when = meta[at].as_str().unwrap();
        assert!(chrono::DateTime::parse_from_rfc3339(when).is_ok(), "{when}");
    }
    assert_eq!(scim.get(&format!("/Users/{id}")).await, (200, made.clone()));

    // The same identity over BI's REST API.
    let rest = format!(
        "{}/sandbox/v1/tenants/{}/realms/{}/identities/{id}",
        t.base,
        t.sandbox.as_ref().unwrap().tenant_id(),
        t.info.default_realm
    );
    let identity: Value = reqwest::Client::new()
        .get(&rest)
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(identity["traits"]["username"], "bjensen");
    assert_eq!(identity["traits"]["external_id"], "hr-4711");
    assert_eq!(
        identity["traits"]["primary_email_address"],
        "bjensen@example.com"
    );
    assert_eq!(identity["status"], "active");

    // What a create refuses, and how.
    let without = |key: &str| {
        let mut u = jensen();
        u["userName"] = json!("someone.else");
        u.as_object_mut().unwrap().remove(key);
        u
    };
    let cases = [
        (
            without("userName"),
            400,
            Some("invalidValue"),
            "userName is required",
        ),
        (
            without("displayName"),
            400,
            Some("invalidValue"),
            "displayName is required",
        ),
        (
            without("schemas"),
            400,
            Some("invalidValue"),
            "schemas must contain",
        ),
        (
            json!({ "schemas": [USER], "userName": "BJensen", "displayName": "Twin" }),
            409,
            Some("uniqueness"),
            "already exists",
        ),
        (
            json!({ "schemas": [USER], "userName": "two.mails", "displayName": "Two", "emails": [
            { "value": "a@example.com", "primary": true }, { "value": "b@example.com", "primary": false }] }),
            400,
            Some("invalidValue"),
            "Only one email",
        ),
        (
            json!({ "schemas": [USER], "userName": "not.primary", "displayName": "Np", "emails": [
            { "value": "a@example.com", "primary": false }] }),
            400,
            Some("invalidValue"),
            "primary: true",
        ),
        (
            json!({ "schemas": [USER], "userName": "bad;name", "displayName": "Bad" }),
            400,
            Some("invalidValue"),
            "userName must not contain",
        ),
        (
            json!({ "schemas": [USER], "userName": "x", "displayName": "X", "active": "maybe" }),
            400,
            Some("invalidValue"),
            "active must be",
        ),
    ];
    for (body, status, kind, words) in cases {
        let (s, answer) = scim.post("/Users", body.clone()).await;
        assert_eq!(s, status, "{body} → {answer}");
        let detail = error(status, &answer, kind);
        assert!(detail.contains(words), "{detail}");
    }
    let res = scim
        .c
        .post(format!("{}/Users", scim.base))
        .bearer_auth(TOKEN)
        .body("not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    error(400, &res.json().await.unwrap(), Some("invalidSyntax"));

    // Lists: filters (eq / ne on userName, ignoring case; on externalId), paging as BI pages.
    let (_, all) = scim.get("/Users?count=1000").await;
    let total = all["totalResults"].as_u64().unwrap();
    assert!(total > 50);
    assert_eq!(
        all["schemas"],
        json!(["urn:ietf:params:scim:api:messages:2.0:ListResponse"])
    );
    assert_eq!(
        (all["startIndex"].as_u64(), all["itemsPerPage"].as_u64()),
        (Some(1), Some(total))
    );
    let (_, found) = scim
        .get("/Users?filter=userName%20eq%20%22BJENSEN%22&count=10")
        .await;
    assert_eq!(found["totalResults"], 1);
    assert_eq!(found["Resources"][0]["id"], json!(id));
    let (_, found) = scim
        .get("/Users?filter=externalId%20eq%20%22hr-4711%22&count=10")
        .await;
    assert_eq!(found["Resources"][0]["userName"], "bjensen");
    let (_, others) = scim
        .get("/Users?filter=userName%20ne%20%22bjensen%22&count=1000")
        .await;
    assert_eq!(others["totalResults"].as_u64(), Some(total - 1));
    let (_, none) = scim.get("/Users").await;
    assert_eq!(
        (none["totalResults"].as_u64(), none["itemsPerPage"].as_u64()),
        (Some(total), Some(0))
    );
    assert_eq!(none["Resources"], json!([]));
    let (_, window) = scim.get("/Users?startIndex=2&count=2").await;
    assert_eq!(
        (
            window["startIndex"].as_u64(),
            window["itemsPerPage"].as_u64()
        ),
        (Some(2), Some(2))
    );
    assert_eq!(window["Resources"][0]["id"], all["Resources"][1]["id"]);
    assert_eq!(window["Resources"][1]["id"], all["Resources"][2]["id"]);
    let (_, zero) = scim.get("/Users?startIndex=0&count=1").await;
    assert_eq!(
        (
            zero["startIndex"].as_u64(),
            zero["Resources"][0]["id"].clone()
        ),
        (Some(1), all["Resources"][0]["id"].clone())
    );
    let (_, capped) = scim.get("/Users?count=5000").await;
    assert!(capped["itemsPerPage"].as_u64().unwrap() <= 1000);
    for (query, status, kind) in [
        ("filter=userName%20co%20%22jen%22", 400, "invalidFilter"),
        ("filter=title%20eq%20%22x%22", 400, "invalidFilter"),
        (
            "filter=userName%20eq%20%22a%22%20and%20externalId%20eq%20%22b%22",
            400,
            "invalidFilter",
        ),
        ("startIndex=abc&count=5", 400, "invalidValue"),
        ("count=lots", 400, "invalidValue"),
        ("sortBy=userName&count=5", 400, "invalidValue"),
    ] {
        let (s, answer) = scim.get(&format!("/Users?{query}")).await;
        assert_eq!(s, status, "{query}: {answer}");
        error(status, &answer, Some(kind));
    }

    // PATCH: add and replace, with a path or an object; remove is refused.
    let user = format!("/Users/{id}");
    let (s, patched) = scim
        .patch(
            &user,
            json!([{ "op": "replace", "path": "displayName", "value": "Barbara J Jensen III" }]),
        )
        .await;
    assert_eq!(s, 200, "{patched}");
    assert_eq!(patched["displayName"], "Barbara J Jensen III");
    let (s, patched) = scim.patch(&user, json!([{ "op": "Replace", "value": { "active": false, "name.familyName": "Jensen-Smith" } }])).await;
    assert_eq!(s, 200, "{patched}");
    assert_eq!(
        (
            patched["active"].clone(),
            patched["name"]["familyName"].clone()
        ),
        (json!(false), json!("Jensen-Smith"))
    );
    let identity: Value = reqwest::Client::new()
        .get(&rest)
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(identity["status"], "suspended");
    let (s, patched) = scim.patch(&user, json!([
        { "op": "add", "path": "active", "value": "True" },
        { "op": "replace", "path": "emails[type eq \"work\"].value", "value": "barbara@example.com" }
    ])).await;
    assert_eq!(s, 200, "{patched}");
    assert_eq!(patched["active"], true);
    assert_eq!(patched["emails"][0]["value"], "barbara@example.com");
    let (s, answer) = scim
        .patch(&user, json!([{ "op": "remove", "path": "externalId" }]))
        .await;
    assert_eq!(s, 400);
    assert!(error(400, &answer, Some("invalidValue")).contains("only add and replace"));
    let (s, answer) = scim
        .patch(
            &user,
            json!([{ "op": "replace", "path": "userName", "value": "ADA.LOVELACE" }]),
        )
        .await;
    assert_eq!(s, 409, "{answer}");
    error(409, &answer, Some("uniqueness"));
    let (s, answer, _) = scim
        .send(
            reqwest::Method::PATCH,
            &user,
            Some(json!({ "Operations": [{ "op": "add", "path": "active", "value": true }] })),
        )
        .await;
    assert_eq!(s, 400);
    assert!(error(400, &answer, Some("invalidValue")).contains("PatchOp"));

    // PUT replaces: what it leaves out is cleared.
    let (s, replaced, _) = scim.send(reqwest::Method::PUT, &user, Some(json!({
        "schemas": [USER], "userName": "bjensen", "displayName": "B. Jensen", "externalId": "hr-4712"
    }))).await;
    assert_eq!(s, 200, "{replaced}");
    assert_eq!(replaced["externalId"], "hr-4712");
    assert!(
        replaced.get("name").is_none() && replaced.get("emails").is_none(),
        "{replaced}"
    );

    // Delete: 204, then 404 for it.
    let (s, _, _) = scim.send(reqwest::Method::DELETE, &user, None).await;
    assert_eq!(s, 204);
    let (s, answer) = scim.get(&user).await;
    assert_eq!(s, 404);
    assert!(error(404, &answer, None).contains(&id));
    let (s, _, _) = scim.send(reqwest::Method::DELETE, &user, None).await;
    assert_eq!(s, 404);
    t.stop();
}

#[tokio::test]
async fn groups_are_created_renamed_filled_emptied_and_deleted_without_returning_members() {
    let dir = temp_dir("scim-groups");
    let t = start_console(&dir, &[("SANDBOX_TOKEN", TOKEN.to_string())]).await;
    let scim = Scim::of(&t);
    let store = t.sandbox.as_ref().unwrap().store();
    let realm = t.info.default_realm.clone();
    let (_, users) = scim.get("/Users?count=3").await;
    let ids: Vec<String> = (0..3)
        .map(|k| users["Resources"][k]["id"].as_str().unwrap().to_string())
        .collect();

    let (s, made) = scim.post("/Groups", json!({ "schemas": [GROUP], "displayName": "Okta Pushed", "members": [{ "value": ids[0] }] })).await;
    assert_eq!(s, 201, "{made}");
    let id = made["id"].as_str().unwrap().to_string();
    assert_eq!(made["schemas"], json!([GROUP]));
    assert_eq!(made["meta"]["resourceType"], "Group");
    assert_eq!(
        made["meta"]["location"],
        format!("{}/Groups/{id}", scim.base)
    );
    assert!(made.get("members").is_none());
    let members = || async {
        store
            .list_members(&realm, &id, 0, 50)
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|i| i.id)
            .collect::<Vec<_>>()
    };
    assert!(
        members().await.is_empty(),
        "a create's members are not taken"
    );
    // BI's path form (`/Groups/`) answers the same.
    let (s, _) = scim.get("/Groups/?count=1").await;
    assert_eq!(s, 200);

    for (body, status, kind, words) in [
        (
            json!({ "schemas": [GROUP], "displayName": "okta pushed" }),
            409,
            Some("uniqueness"),
            "already exists",
        ),
        (
            json!({ "schemas": [GROUP] }),
            400,
            Some("invalidValue"),
            "displayName is required",
        ),
        (
            json!({ "displayName": "No Schemas" }),
            400,
            Some("invalidValue"),
            "schemas must contain",
        ),
    ] {
        let (s, answer) = scim.post("/Groups", body).await;
        assert_eq!(s, status, "{answer}");
        assert!(error(status, &answer, kind).contains(words));
    }
    let (_, found) = scim
        .get("/Groups?filter=displayName%20eq%20%22OKTA%20PUSHED%22&count=10")
        .await;
    assert_eq!(
        (
            found["totalResults"].as_u64(),
            found["Resources"][0]["id"].clone()
        ),
        (Some(1), json!(id))
    );
    let (_, all) = scim.get("/Groups?count=100").await;
    let (_, others) = scim
        .get("/Groups?filter=displayName%20ne%20%22Okta%20Pushed%22&count=100")
        .await;
    assert_eq!(
        others["totalResults"].as_u64(),
        Some(all["totalResults"].as_u64().unwrap() - 1)
    );
    let (s, answer) = scim
        .get("/Groups?filter=displayName%20sw%20%22Okta%22")
        .await;
    assert_eq!(s, 400);
    error(400, &answer, Some("invalidFilter"));

    // Members: add several, remove one (by value, or by a value path); never in the answer.
    let group = format!("/Groups/{id}");
    let (s, answer) = scim.patch(&group, json!([{ "op": "add", "path": "members", "value": [{ "value": ids[0] }, { "value": ids[1] }, { "value": ids[2] }] }])).await;
    assert_eq!(s, 200, "{answer}");
    assert!(answer.get("members").is_none());
    let mut now = members().await;
    now.sort();
    let mut want = ids.clone();
    want.sort();
    assert_eq!(now, want);
    let (s, _) = scim
        .patch(
            &group,
            json!([{ "op": "remove", "path": "members", "value": [{ "value": ids[0] }] }]),
        )
        .await;
    assert_eq!(s, 200);
    let (s, _) = scim
        .patch(
            &group,
            json!([{ "op": "remove", "path": format!("members[value eq \"{}\"]", ids[1]) }]),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(members().await, [ids[2].clone()]);
    let (s, answer) = scim.patch(&group, json!([{ "op": "remove", "path": "members", "value": [{ "value": ids[2] }, { "value": ids[0] }] }])).await;
    assert_eq!(s, 400);
    assert!(error(400, &answer, Some("invalidValue")).contains("batch remove is not supported"));
    for op in ["add", "remove"] {
        let (s, answer) = scim.patch(&group, json!([{ "op": op, "path": "members", "value": [{ "value": "0000000000000000" }] }])).await;
        assert_eq!(s, 400, "{op}: {answer}");
        assert!(error(400, &answer, Some("invalidValue")).contains("0000000000000000"));
    }
    // A list of members is bounded as BI's batch calls are (1,000), and so is a PATCH's list of operations.
    let many: Vec<Value> = (0..1001)
        .map(|k| json!({ "value": format!("{k:016x}") }))
        .collect();
    let (s, answer) = scim
        .patch(
            &group,
            json!([{ "op": "add", "path": "members", "value": many }]),
        )
        .await;
    assert_eq!(s, 400);
    assert!(error(400, &answer, Some("invalidValue")).contains("At most 1,000 members"));
    let ops: Vec<Value> = (0..1001)
        .map(|_| json!({ "op": "replace", "path": "displayName", "value": "x" }))
        .collect();
    let (s, answer) = scim.patch(&group, json!(ops)).await;
    assert_eq!(s, 400);
    assert!(error(400, &answer, Some("invalidValue")).contains("At most 1,000 operations"));
    let (s, _) = scim
        .patch(
            &group,
            json!([
                { "op": "add", "path": "members", "value": [{ "value": ids[0] }] },
                { "op": "add", "path": "members", "value": [{ "value": "ffffffffffffffff" }] }
            ]),
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(
        members().await,
        [ids[2].clone()],
        "nothing changed when one member is unknown"
    );

    // Rename: to a free name; a taken one is a conflict.
    let (s, renamed) = scim
        .patch(
            &group,
            json!([{ "op": "replace", "path": "displayName", "value": "Okta Renamed" }]),
        )
        .await;
    assert_eq!(
        (s, renamed["displayName"].clone()),
        (200, json!("Okta Renamed"))
    );
    let (s, answer) = scim
        .patch(
            &group,
            json!([{ "op": "replace", "value": { "displayName": "Engineering" } }]),
        )
        .await;
    assert_eq!(s, 409);
    error(409, &answer, Some("uniqueness"));

    // Delete with a member: the group and its memberships go, the identity stays.
    let (s, _, _) = scim.send(reqwest::Method::DELETE, &group, None).await;
    assert_eq!(s, 204);
    let (s, answer) = scim.get(&group).await;
    assert_eq!(s, 404);
    error(404, &answer, None);
    assert_eq!(scim.get(&format!("/Users/{}", ids[2])).await.0, 200);
    t.stop();
}

#[tokio::test]
async fn the_discovery_documents_say_what_the_server_supports() {
    let dir = temp_dir("scim-discovery");
    let t = start_console(&dir, &[("SANDBOX_TOKEN", TOKEN.to_string())]).await;
    let scim = Scim::of(&t);
    let (s, config) = scim.get("/ServiceProviderConfig").await;
    assert_eq!(s, 200);
    assert_eq!(
        config["schemas"],
        json!(["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"])
    );
    assert_eq!(config["patch"]["supported"], true);
    assert_eq!(
        config["filter"],
        json!({ "supported": true, "maxResults": 1000 })
    );
    for off in ["bulk", "sort", "etag", "changePassword"] {
        assert_eq!(config[off]["supported"], false, "{off}");
    }
    assert_eq!(
        config["authenticationSchemes"][0]["type"],
        "oauthbearertoken"
    );

    let (_, types) = scim.get("/ResourceTypes").await;
    assert_eq!(types["totalResults"], 2);
    assert_eq!(types["Resources"][0]["endpoint"], "/Users");
    assert_eq!(types["Resources"][0]["schema"], USER);
    assert_eq!(types["Resources"][1]["endpoint"], "/Groups");

    let (_, schemas) = scim.get("/Schemas").await;
    let names = |k: usize| -> Vec<String> {
        schemas["Resources"][k]["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(schemas["Resources"][0]["id"], USER);
    assert_eq!(
        names(0),
        [
            "externalId",
            "userName",
            "displayName",
            "active",
            "name",
            "emails"
        ]
    );
    assert_eq!(schemas["Resources"][1]["id"], GROUP);
    assert_eq!(names(1), ["displayName", "members"]);
    for a in schemas["Resources"][0]["attributes"].as_array().unwrap() {
        for key in [
            "name",
            "type",
            "multiValued",
            "description",
            "required",
            "mutability",
            "returned",
        ] {
            assert!(a.get(key).is_some(), "{a} lacks {key}");
        }
    }

    let (s, answer) = scim.post("/Bulk", json!({ "schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], "Operations": [] })).await;
    assert_eq!(s, 404);
    error(404, &answer, None);
    t.stop();
}

#[tokio::test]
async fn a_generic_client_walks_discovery_and_asks_for_the_attributes_it_wants() {
    let dir = temp_dir("scim-walk");
    let t = start_console(&dir, &[("SANDBOX_TOKEN", TOKEN.to_string())]).await;
    let scim = Scim::of(&t);
    // Discovery as a client walks it: each resource type, alone; its schema and every extension it names, alone.
    let (s, types) = scim.get("/ResourceTypes").await;
    assert_eq!(s, 200);
    for rt in types["Resources"].as_array().unwrap() {
        let id = rt["id"].as_str().unwrap();
        let (s, one) = scim.get(&format!("/ResourceTypes/{id}")).await;
        assert_eq!(s, 200, "{one}");
        assert_eq!(&one, rt);
        let mut named = vec![rt["schema"].as_str().unwrap().to_string()];
        for ext in rt["schemaExtensions"].as_array().unwrap() {
            named.push(ext["schema"].as_str().unwrap().to_string());
        }
        for schema in named {
            let (s, body) = scim.get(&format!("/Schemas/{schema}")).await;
            assert_eq!(s, 200, "{schema}: {body}");
            assert_eq!(body["id"], json!(schema));
            assert_eq!(
                body["schemas"],
                json!(["urn:ietf:params:scim:schemas:core:2.0:Schema"])
            );
            assert!(body["attributes"].is_array());
        }
    }
    let (_, schemas) = scim.get("/Schemas").await;
    assert_eq!(
        schemas["totalResults"], 3,
        "User, Group and the Group extension"
    );
    for unknown in ["/Schemas/urn:example:nothing", "/ResourceTypes/Printer"] {
        let (s, body) = scim.get(unknown).await;
        assert_eq!(s, 404);
        error(404, &body, None);
    }
    // attributes / excludedAttributes, as Entra ID sends them.
    let (s, users) = scim.get("/Users?attributes=userName&count=3").await;
    assert_eq!(s, 200);
    for u in users["Resources"].as_array().unwrap() {
        let mut keys: Vec<&str> = u.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(keys, ["id", "schemas", "userName"], "{u}");
    }
    let (_, groups) = scim
        .get("/Groups?excludedAttributes=members,meta&count=2")
        .await;
    let first = &groups["Resources"][0];
    assert!(
        first.get("meta").is_none() && first.get("displayName").is_some(),
        "{first}"
    );
    let id = first["id"].as_str().unwrap().to_string();
    let (_, one) = scim
        .get(&format!("/Groups/{id}?attributes=displayName"))
        .await;
    assert_eq!(one.as_object().unwrap().len(), 3, "{one}");
    // A method an endpoint does not serve: SCIM's 405, with a SCIM error.
    let (s, body, _) = scim
        .send(
            reqwest::Method::PUT,
            &format!("/Groups/{id}"),
            Some(json!({"schemas": [GROUP], "displayName": "x"})),
        )
        .await;
    assert_eq!(s, 405);
    error(405, &body, None);
    t.stop();
}

#[tokio::test]
async fn an_identity_providers_cycle_shows_in_the_console() {
    let dir = temp_dir("scim-cycle");
    let t = start_console(&dir, &[("SANDBOX_TOKEN", TOKEN.to_string())]).await;
    let scim = Scim::of(&t);
    let c = browser();
    sign_in(&c, &t.base, "admin", common::ADMIN_PASSWORD).await;
    let realm = t.info.default_realm.clone();
    let console = |id: String| GetIdentity {
        realm: realm.clone(),
        id,
    };

    // Create, then find by userName as an IdP does before each push.
    let (s, made) = scim.post("/Users", json!({
        "schemas": [USER], "userName": "idp.person", "displayName": "Idp Person", "externalId": "00u1abcd",
        "emails": [{ "value": "idp.person@example.com", "primary": true }], "active": true
    })).await;
    assert_eq!(s, 201, "{made}");
    let id = made["id"].as_str().unwrap().to_string();
    let (_, found) = scim
        .get("/Users?filter=userName%20eq%20%22idp.person%22&startIndex=1&count=100")
        .await;
    assert_eq!(found["Resources"][0]["id"], json!(id));
    let (status, body) = call(&c, &t.base, GetIdentity::PATH, &console(id.clone())).await;
    assert_eq!(status, 200, "{body}");
    let detail: IdentityDetail = serde_json::from_str(&body).unwrap();
    assert_eq!(
        detail.identity.traits.external_id.as_deref(),
        Some("00u1abcd")
    );

    // Deactivate: the console shows it suspended; reactivate.
    let (s, _) = scim
        .patch(
            &format!("/Users/{id}"),
            json!([{ "op": "replace", "value": { "active": false } }]),
        )
        .await;
    assert_eq!(s, 200);
    let (_, body) = call(&c, &t.base, GetIdentity::PATH, &console(id.clone())).await;
    let detail: IdentityDetail = serde_json::from_str(&body).unwrap();
    assert_eq!(detail.identity.status.as_deref(), Some("suspended"));
    let (s, _) = scim
        .patch(
            &format!("/Users/{id}"),
            json!([{ "op": "replace", "path": "active", "value": true }]),
        )
        .await;
    assert_eq!(s, 200);
    let (_, body) = call(&c, &t.base, GetIdentity::PATH, &console(id.clone())).await;
    let detail: IdentityDetail = serde_json::from_str(&body).unwrap();
    assert_eq!(detail.identity.status.as_deref(), Some("active"));

    // A pushed group with the person in it: the console's group page lists them.
    let (s, group) = scim
        .post(
            "/Groups",
            json!({ "schemas": [GROUP], "displayName": "IdP Pushed" }),
        )
        .await;
    assert_eq!(s, 201);
    let gid = group["id"].as_str().unwrap().to_string();
    let (s, _) = scim
        .patch(
            &format!("/Groups/{gid}"),
            json!([{ "op": "add", "path": "members", "value": [{ "value": id }] }]),
        )
        .await;
    assert_eq!(s, 200);
    let args = GetGroup {
        realm: realm.clone(),
        id: gid.clone(),
        page: 1,
        size: 50,
    };
    let (status, body) = call(&c, &t.base, GetGroup::PATH, &args).await;
    assert_eq!(status, 200, "{body}");
    let page: GroupDetail = serde_json::from_str(&body).unwrap();
    assert_eq!(page.group.display_name, "IdP Pushed");
    assert_eq!(
        page.members
            .items
            .iter()
            .map(|i| i.username())
            .collect::<Vec<_>>(),
        ["idp.person"]
    );

    // Deprovision: the console no longer finds the identity.
    let (s, _, _) = scim
        .send(reqwest::Method::DELETE, &format!("/Users/{id}"), None)
        .await;
    assert_eq!(s, 204);
    let (status, _) = call(&c, &t.base, GetIdentity::PATH, &console(id.clone())).await;
    assert_ne!(status, 200);
    t.stop();
}
