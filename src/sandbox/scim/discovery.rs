//! The SCIM discovery documents (RFC 7643 §5–7), as BI's OpenAPI document gives them: what the server supports
//! (PATCH and filters, at most 1,000 results; no bulk, sorting, ETags or passwords; bearer tokens), its two
//! resource types, and the schemas of the attributes it keeps.

use axum::response::IntoResponse;
use serde_json::{json, Value};

use super::{scim_json, Paging, GROUP_SCHEMA, MAX_COUNT, USER_SCHEMA};

pub async fn service_provider_config() -> impl IntoResponse {
    scim_json(json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "documentationUri": "https://developer.beyondidentity.com/docs/scim-server",
        "patch": { "supported": true },
        "bulk": { "supported": false, "maxOperations": 1000, "maxPayloadSize": 1_048_576 },
        "filter": { "supported": true, "maxResults": MAX_COUNT },
        "changePassword": { "supported": false },
        "sort": { "supported": false },
        "etag": { "supported": false },
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "OAuth Bearer Token",
            "description": "The sandbox's API token, or a token from its client-credentials endpoint.",
            "specUri": "https://www.rfc-editor.org/info/rfc6750",
            "documentationUri": "https://developer.beyondidentity.com/docs/scim-server"
        }]
    }))
}

fn listed(resources: Vec<Value>) -> impl IntoResponse {
    let n = resources.len() as u64;
    scim_json(super::list_response(resources, n, Paging { start: 1, count: n }))
}

pub async fn resource_types() -> impl IntoResponse {
    let kind = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
    listed(vec![
        json!({
            "schemas": [kind], "id": "User", "name": "User", "description": "User Account",
            "endpoint": "/Users", "schema": USER_SCHEMA, "schemaExtensions": []
        }),
        json!({
            "schemas": [kind], "id": "Group", "name": "Group", "description": "User Groups",
            "endpoint": "/Groups", "schema": GROUP_SCHEMA,
            "schemaExtensions": [{ "required": false, "schema": "urn:scim:schemas:extension:byndid:1.0:Group" }]
        }),
    ])
}

/// One attribute's definition.
fn attribute(name: &str, kind: &str, description: &str, required: bool, unique: bool, case_exact: bool) -> Value {
    json!({
        "name": name, "type": kind, "description": description, "multiValued": false, "required": required,
        "caseExact": case_exact, "mutability": "readWrite", "returned": "default",
        "uniqueness": if unique { "server" } else { "none" }
    })
}

pub async fn schemas() -> impl IntoResponse {
    let string = |name: &str, description: &str, required: bool, unique: bool| {
        attribute(name, "string", description, required, unique, false)
    };
    let mut name = attribute("name", "complex", "The components of the user's real name.", false, false, false);
    name["subAttributes"] = json!([
        string("givenName", "The given name of the User, or first name in most Western languages.", false, false),
        string("familyName", "The family name of the User, or last name in most Western languages.", false, false),
    ]);
    let mut emails = attribute("emails", "complex", "Email addresses for the User: one, the primary.", false, false, false);
    emails["multiValued"] = json!(true);
    emails["subAttributes"] = json!([
        string("value", "The email address.", false, false),
        attribute("primary", "boolean", "Must be true: only the primary email is kept.", false, false, false),
    ]);
    let mut external = string("externalId", "An identifier for the resource as defined by the provisioning client.", false, false);
    external["caseExact"] = json!(true);
    let user = json!({
        "id": USER_SCHEMA, "name": "User", "description": "User resource",
        "attributes": [
            external,
            string("userName", "The username, unique in the realm ignoring case.", true, true),
            string("displayName", "The name of the User, suitable for display to end-users.", true, false),
            attribute("active", "boolean", "The User's administrative status (false: suspended).", false, false, false),
            name,
            emails,
        ],
    });
    let mut members = attribute("members", "complex", "A list of members of the group (never returned).", false, false, false);
    members["multiValued"] = json!(true);
    members["returned"] = json!("never");
    members["subAttributes"] = json!([string("value", "Identifier of the member of this Group.", false, false)]);
    let group = json!({
        "id": GROUP_SCHEMA, "name": "Group", "description": "Group resource",
        "attributes": [
            string("displayName", "A human-readable name for the Group, unique in the realm.", true, true),
            members,
        ],
    });
    listed(vec![user, group])
}
