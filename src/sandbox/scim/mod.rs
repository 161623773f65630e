//! The sandbox's SCIM 2.0 server, one per realm at `…/v1/tenants/{tenant}/realms/{realm}/scim/v2`, as BI serves it
//! (the SCIM tag of BI's OpenAPI document): Users and Groups on the same data as the REST API, the discovery
//! documents, SCIM error bodies. Never more capable than BI: filters are `eq` / `ne` on `userName` and `externalId`
//! (users) or `displayName` (groups); at most 1,000 resources a page; no sorting, no bulk, no ETags; users PATCH
//! with `add` and `replace` only; groups PATCH their name (`replace`) and members (`add`, and `remove` one at a
//! time); members are never returned with a group.

mod discovery;
mod filter;
mod groups;
pub mod projection;
mod users;

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};

use super::error::ApiError;
use super::Sandbox;

pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
const LIST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
const PATCH_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// The most resources a list answers with.
pub const MAX_COUNT: u64 = 1_000;

/// Where the SCIM server of a realm is, under the sandbox's prefix.
pub const BASE: &str = "/v1/tenants/{tenant}/realms/{realm}/scim/v2";

/// A SCIM error (RFC 7644 §3.12): the status, a `scimType` keyword when one applies, and the detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScimError {
    pub status: StatusCode,
    pub scim_type: Option<&'static str>,
    pub detail: String,
}

impl ScimError {
    pub fn new(status: StatusCode, scim_type: Option<&'static str>, detail: impl Into<String>) -> ScimError {
        ScimError {
            status,
            scim_type,
            detail: detail.into(),
        }
    }

    /// `400 invalidValue`: a required value missing, or one the attribute cannot take.
    pub fn invalid_value(detail: impl Into<String>) -> ScimError {
        ScimError::new(StatusCode::BAD_REQUEST, Some("invalidValue"), detail)
    }

    /// `400 invalidSyntax`: a body that is not the JSON a request needs.
    pub fn invalid_syntax(detail: impl Into<String>) -> ScimError {
        ScimError::new(StatusCode::BAD_REQUEST, Some("invalidSyntax"), detail)
    }

    pub fn invalid_filter(detail: impl Into<String>) -> ScimError {
        ScimError::new(StatusCode::BAD_REQUEST, Some("invalidFilter"), detail)
    }

    pub fn not_found(kind: &str, id: &str) -> ScimError {
        ScimError::new(StatusCode::NOT_FOUND, None, format!("{kind} {id} not found"))
    }

    pub fn uniqueness(detail: impl Into<String>) -> ScimError {
        ScimError::new(StatusCode::CONFLICT, Some("uniqueness"), detail)
    }
}

impl From<ApiError> for ScimError {
    /// A store error in SCIM's words: its status, and for a conflict the `uniqueness` keyword.
    fn from(e: ApiError) -> ScimError {
        let scim_type = match e.status {
            StatusCode::CONFLICT => Some("uniqueness"),
            StatusCode::BAD_REQUEST => Some("invalidValue"),
            _ => None,
        };
        ScimError::new(e.status, scim_type, e.body.message)
    }
}

impl IntoResponse for ScimError {
    fn into_response(self) -> Response {
        let mut body = json!({
            "schemas": [ERROR_SCHEMA],
            "status": self.status.as_u16().to_string(),
            "detail": self.detail,
        });
        if let Some(t) = self.scim_type {
            body["scimType"] = json!(t);
        }
        (self.status, scim_json(body)).into_response()
    }
}

/// A SCIM body with BI's content type.
pub fn scim_json(body: Value) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], body.to_string())
}

pub type ScimResult<T> = Result<T, ScimError>;

/// The realm's SCIM base URL as the client reached it (for `meta.location`), from the request's host.
pub fn base_url(headers: &HeaderMap, tenant: &str, realm: &str) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    format!(
        "http://{host}{}/v1/tenants/{tenant}/realms/{realm}/scim/v2",
        super::PREFIX
    )
}

/// The tenant and realm in the path exist (else a SCIM 404 / 403).
async fn realm_of(sb: &Sandbox, tenant: &str, realm: &str) -> ScimResult<()> {
    if tenant != sb.tenant_id() {
        return Err(ScimError::new(StatusCode::FORBIDDEN, Some("forbidden"), "token is unauthorized."));
    }
    sb.store()
        .get_realm(realm)
        .await
        .map(|_| ())
        .map_err(|_| ScimError::not_found("Realm", realm))
}

/// A list's paging as SCIM asks for it (RFC 7644 §3.4.2.4): `startIndex` (1-based; less than 1 is 1) and `count`
/// (negative is 0; BI answers no resources when it is 0 or missing, and at most 1,000).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub start: u64,
    pub count: u64,
}

impl Paging {
    pub fn of(start_index: Option<&str>, count: Option<&str>) -> ScimResult<Paging> {
        let number = |name: &str, v: Option<&str>, default: i64| -> ScimResult<i64> {
            match v.map(str::trim) {
                None | Some("") => Ok(default),
                Some(s) => s
                    .parse::<i64>()
                    .map_err(|_| ScimError::invalid_value(format!("{name} must be an integer, not “{s}”."))),
            }
        };
        let start = number("startIndex", start_index, 1)?.max(1) as u64;
        let count = (number("count", count, 0)?.max(0) as u64).min(MAX_COUNT);
        Ok(Paging { start, count })
    }
}

/// What a list asks for (RFC 7644 §3.4.2): its paging, and its filter — one comparison on one of the attributes
/// the list allows. Sorting is refused: BI's server does not sort.
pub struct ListAsk {
    pub paging: Paging,
    pub filter: Option<filter::Comparison>,
}

impl ListAsk {
    pub fn of(q: &HashMap<String, String>, allowed: &[&'static str], schema: &str) -> ScimResult<ListAsk> {
        if q.contains_key("sortBy") || q.contains_key("sortOrder") {
            return Err(ScimError::invalid_value("Sorting is not supported (sortBy, sortOrder)."));
        }
        let paging = Paging::of(q.get("startIndex").map(String::as_str), q.get("count").map(String::as_str))?;
        let filter = match q.get("filter").filter(|f| !f.trim().is_empty()) {
            None => None,
            Some(f) => Some(filter::parse(f, allowed, schema)?),
        };
        Ok(ListAsk { paging, filter })
    }
}

/// A ListResponse (RFC 7644 §3.4.2): `totalResults` matching, `startIndex` as asked, `itemsPerPage` returned.
pub fn list_response(resources: Vec<Value>, total: u64, paging: Paging) -> Value {
    json!({
        "schemas": [LIST_SCHEMA],
        "totalResults": total,
        "startIndex": paging.start,
        "itemsPerPage": resources.len(),
        "Resources": resources,
    })
}

/// The `meta` of a resource (RFC 7643 §3.1). BI's ETags are not supported; its version is always `W/0`.
pub fn meta(kind: &str, created: Option<&str>, modified: Option<&str>, location: String) -> Value {
    json!({
        "resourceType": kind,
        "created": created.map(rfc3339_seconds),
        "lastModified": modified.map(rfc3339_seconds),
        "location": location,
        "version": "W/0",
    })
}

/// `2026-11-29T10:00:00.123Z` → `2026-11-29T10:00:00Z`, as BI's SCIM examples write times.
fn rfc3339_seconds(t: &str) -> String {
    match (t.find('.'), t.ends_with('Z')) {
        (Some(dot), true) => format!("{}Z", &t[..dot]),
        _ => t.to_string(),
    }
}

/// A request's JSON body, or `400 invalidSyntax`.
pub fn json_body(bytes: &[u8]) -> ScimResult<Value> {
    serde_json::from_slice::<Value>(bytes)
        .ok()
        .filter(Value::is_object)
        .ok_or_else(|| ScimError::invalid_syntax("The request body is not a JSON object."))
}

/// The PATCH operations of a PatchOp body (RFC 7644 §3.5.2): (op in lower case, path, value).
pub fn patch_operations(body: &Value) -> ScimResult<Vec<(String, Option<String>, Value)>> {
    let schemas = body["schemas"].as_array().cloned().unwrap_or_default();
    if !schemas.iter().any(|s| s.as_str() == Some(PATCH_SCHEMA)) {
        return Err(ScimError::invalid_value(format!("schemas must contain {PATCH_SCHEMA}.")));
    }
    let ops = body
        .get("Operations")
        .or_else(|| body.get("operations"))
        .and_then(Value::as_array)
        .filter(|ops| !ops.is_empty())
        .ok_or_else(|| ScimError::invalid_value("Operations must list at least one operation."))?;
    if ops.len() as u64 > MAX_COUNT {
        return Err(ScimError::invalid_value(format!(
            "At most 1,000 operations per PATCH; this one has {}.",
            ops.len()
        )));
    }
    ops.iter()
        .map(|op| {
            let name = op["op"]
                .as_str()
                .map(str::to_ascii_lowercase)
                .ok_or_else(|| ScimError::invalid_value("Each operation needs an op."))?;
            let path = op["path"].as_str().map(str::to_string).filter(|p| !p.trim().is_empty());
            Ok((name, path, op.get("value").cloned().unwrap_or(Value::Null)))
        })
        .collect()
}

/// The bearer check in front of the SCIM server: the sandbox's API token or a token it issued; else a SCIM 401.
async fn require_bearer(State(sb): State<Arc<Sandbox>>, req: Request, next: Next) -> Response {
    let presented = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim);
    match presented {
        Some(t) if sb.token_valid(t) => {
            sb.record_call(req.method().as_str(), req.uri().path());
            next.run(req).await
        }
        _ => ScimError::new(
            StatusCode::UNAUTHORIZED,
            Some("unauthorized"),
            "The authorization header is invalid or missing.",
        )
        .into_response(),
    }
}

/// The SCIM routes, relative to the sandbox's prefix. A method a route does not serve is a SCIM 405; every
/// successful answer passes through `attributes` / `excludedAttributes` ([`projection`]).
pub fn router(sb: &Arc<Sandbox>) -> Router<Arc<Sandbox>> {
    let users = format!("{BASE}/Users");
    let groups = format!("{BASE}/Groups");
    Router::new()
        .route(&users, get(users::list).post(users::create).fallback(method_not_allowed))
        .route(
            &format!("{users}/{{id}}"),
            get(users::get_one)
                .put(users::replace)
                .patch(users::patch)
                .delete(users::delete)
                .fallback(method_not_allowed),
        )
        .route(&groups, get(groups::list).post(groups::create).fallback(method_not_allowed))
        .route(&format!("{groups}/"), get(groups::list).post(groups::create).fallback(method_not_allowed))
        .route(
            &format!("{groups}/{{id}}"),
            get(groups::get_one)
                .patch(groups::patch)
                .delete(groups::delete)
                .fallback(method_not_allowed),
        )
        .route(
            &format!("{BASE}/ServiceProviderConfig"),
            get(discovery::service_provider_config).fallback(method_not_allowed),
        )
        .route(&format!("{BASE}/ResourceTypes"), get(discovery::resource_types).fallback(method_not_allowed))
        .route(
            &format!("{BASE}/ResourceTypes/{{id}}"),
            get(discovery::resource_type).fallback(method_not_allowed),
        )
        .route(&format!("{BASE}/Schemas"), get(discovery::schemas).fallback(method_not_allowed))
        .route(&format!("{BASE}/Schemas/{{id}}"), get(discovery::schema).fallback(method_not_allowed))
        .route(&format!("{BASE}/{{*rest}}"), axum::routing::any(not_supported))
        .layer(middleware::from_fn(projection::layer))
        .layer(middleware::from_fn_with_state(sb.clone(), require_bearer))
}

/// A method the endpoint does not serve (e.g. PUT on a group: BI replaces groups only by PATCH).
async fn method_not_allowed() -> ScimError {
    ScimError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        None,
        "This endpoint does not serve that method.",
    )
}

/// Any other path of the SCIM server (`/Bulk`, `/Me`, `/.search`, …): BI serves none of them.
async fn not_supported() -> ScimError {
    ScimError::new(
        StatusCode::NOT_FOUND,
        None,
        "This SCIM server does not serve that endpoint (no bulk, /Me or /.search).",
    )
}
