//! The SCIM discovery documents (RFC 7643 §5–7), as BI's OpenAPI document gives them: what the server supports
//! (PATCH and filters, at most 1,000 results; no bulk, sorting, ETags or passwords; bearer tokens), its two
//! resource types, and the schemas of the attributes it keeps (the Group resource's Beyond Identity extension
//! included, so a client walking discovery finds every schema a resource type names). Each resource type and
//! schema is also served alone at `/ResourceTypes/{id}` and `/Schemas/{id}` (RFC 7644 §4).

use axum::extract::Path;
use axum::response::IntoResponse;
use serde_json::{json, Value};

use super::{scim_json, Paging, ScimError, ScimResult, GROUP_SCHEMA, MAX_COUNT, USER_SCHEMA};

/// The Group resource's extension, as BI names it.
pub const GROUP_EXTENSION: &str = "urn:scim:schemas:extension:byndid:1.0:Group";
const RESOURCE_TYPE: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
const SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";

/// A discovery document's path: the tenant, the realm and the document's id.
type One = Path<(String, String, String)>;

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

/// The resource types (as BI's document gives them: no `meta`).
fn resource_type_list() -> Vec<Value> {
    vec![
        json!({
            "schemas": [RESOURCE_TYPE], "id": "User", "name": "User", "description": "User Account",
            "endpoint": "/Users", "schema": USER_SCHEMA, "schemaExtensions": []
        }),
        json!({
            "schemas": [RESOURCE_TYPE], "id": "Group", "name": "Group", "description": "User Groups",
            "endpoint": "/Groups", "schema": GROUP_SCHEMA,
            "schemaExtensions": [{ "required": false, "schema": GROUP_EXTENSION }]
        }),
    ]
}

pub async fn resource_types() -> impl IntoResponse {
    listed(resource_type_list())
}

pub async fn resource_type(Path((_, _, id)): One) -> ScimResult<impl IntoResponse> {
    one_of(resource_type_list(), "ResourceType", &id)
}

/// The item of `list` whose id is `id`, or a SCIM 404.
fn one_of(list: Vec<Value>, kind: &str, id: &str) -> ScimResult<impl IntoResponse> {
    list.into_iter()
        .find(|v| v["id"] == json!(id))
        .map(scim_json)
        .ok_or_else(|| ScimError::not_found(kind, id))
}

/// One attribute's definition.
fn attribute(name: &str, kind: &str, description: &str, required: bool, unique: bool, case_exact: bool) -> Value {
    json!({
        "name": name, "type": kind, "description": description, "multiValued": false, "required": required,
        "caseExact": case_exact, "mutability": "readWrite", "returned": "default",
        "uniqueness": if unique { "server" } else { "none" }
    })
}

/// The schemas, each a schema representation (RFC 7643 §7) with its `schemas` attribute.
fn schema_list() -> Vec<Value> {
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
    let extension = json!({
        "id": GROUP_EXTENSION, "name": "BeyondIdentityGroup",
        "description": "Beyond Identity's extension of the Group resource: the sandbox keeps none of its attributes.",
        "attributes": [],
    });
    [user, group, extension]
        .into_iter()
        .map(|mut v| {
            v["schemas"] = json!([SCHEMA]);
            v
        })
        .collect()
}

pub async fn schemas() -> impl IntoResponse {
    listed(schema_list())
}

pub async fn schema(Path((_, _, id)): One) -> ScimResult<impl IntoResponse> {
    one_of(schema_list(), "Schema", &id)
}
