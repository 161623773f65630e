//! `attributes` and `excludedAttributes` (RFC 7644 §3.9): which attributes a response returns. Applied once, to
//! every successful SCIM answer of the realm's SCIM server (a resource, or each resource of a list), so no handler
//! can forget it. `id` and `schemas` are always returned; names are matched ignoring case, with or without their
//! schema's URN, and `name.givenName` names a sub-attribute.

use axum::body::Body;
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use serde_json::Value;

/// Largest answer rewritten (a list holds at most 1,000 resources).
const MAX_BODY: usize = 16 * 1024 * 1024;

/// What a request asked to be returned.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Projection {
    /// Only these (and the attributes always returned).
    pub attributes: Option<Vec<String>>,
    /// All but these.
    pub excluded: Vec<String>,
}

impl Projection {
    /// From a request's query string.
    pub fn of(query: &str) -> Projection {
        let mut p = Projection::default();
        for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
            let names = || v.split(',').map(|n| short(n.trim())).filter(|n| !n.is_empty());
            if k.eq_ignore_ascii_case("attributes") {
                p.attributes = Some(names().collect());
            } else if k.eq_ignore_ascii_case("excludedAttributes") {
                p.excluded.extend(names());
            }
        }
        p
    }

    fn is_none(&self) -> bool {
        self.attributes.is_none() && self.excluded.is_empty()
    }

    /// Applies this to one resource.
    pub fn apply(&self, resource: &mut Value) {
        let Value::Object(fields) = resource else {
            return;
        };
        let always = |k: &str| k == "id" || k == "schemas";
        if let Some(wanted) = &self.attributes {
            fields.retain(|k, v| {
                let key = k.to_lowercase();
                if always(k) || wanted.contains(&key) {
                    return true;
                }
                // Only some sub-attributes of a complex attribute.
                let subs: Vec<&str> = wanted
                    .iter()
                    .filter_map(|w| w.strip_prefix(&format!("{key}.")))
                    .collect();
                match v {
                    Value::Object(inner) if !subs.is_empty() => {
                        inner.retain(|s, _| subs.contains(&s.to_lowercase().as_str()));
                        true
                    }
                    Value::Array(items) if !subs.is_empty() => {
                        for item in items.iter_mut() {
                            if let Value::Object(inner) = item {
                                inner.retain(|s, _| subs.contains(&s.to_lowercase().as_str()));
                            }
                        }
                        true
                    }
                    _ => false,
                }
            });
        }
        for gone in &self.excluded {
            match gone.split_once('.') {
                None => fields.retain(|k, _| always(k) || k.to_lowercase() != *gone),
                Some((outer, sub)) => {
                    for (k, v) in fields.iter_mut() {
                        if k.to_lowercase() == outer {
                            if let Value::Object(inner) = v {
                                inner.retain(|s, _| s.to_lowercase() != sub);
                            }
                        }
                    }
                }
            }
        }
    }

    /// Applies this to an answer: each resource of a list, or the resource itself.
    pub fn apply_to_answer(&self, body: &mut Value) {
        match body.get_mut("Resources") {
            Some(Value::Array(resources)) => resources.iter_mut().for_each(|r| self.apply(r)),
            _ => self.apply(body),
        }
    }
}

/// An attribute's name without its schema's URN (`urn:…:2.0:User:name.givenName` → `name.givenname`), in lower
/// case: attribute names hold no `:`, so it is what follows the last one.
fn short(name: &str) -> String {
    name.to_lowercase()
        .rsplit(':')
        .next()
        .unwrap_or_default()
        .to_string()
}

/// The layer: rewrites a successful JSON answer when the request asked for certain attributes.
pub async fn layer(req: Request, next: Next) -> Response {
    let projection = Projection::of(req.uri().query().unwrap_or_default());
    let res = next.run(req).await;
    if projection.is_none() || !res.status().is_success() {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let Ok(mut value) = serde_json::from_slice::<Value>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    projection.apply_to_answer(&mut value);
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(value.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn attributes_and_excluded_attributes_shape_the_answer() {
        let user = json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "i1", "userName": "bjensen",
            "name": {"givenName": "Barbara", "familyName": "Jensen"}, "active": true,
            "emails": [{"value": "b@example.com", "primary": true}]
        });
        let only = Projection::of("attributes=userName,name.givenName,urn:ietf:params:scim:schemas:core:2.0:User:active");
        let mut v = user.clone();
        only.apply(&mut v);
        assert_eq!(
            v,
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "i1", "userName": "bjensen",
                   "name": {"givenName": "Barbara"}, "active": true})
        );
        let mut v = user.clone();
        Projection::of("excludedAttributes=emails,id,name.familyName").apply(&mut v);
        assert_eq!(v["id"], "i1", "id is always returned");
        assert!(v.get("emails").is_none());
        assert_eq!(v["name"], json!({"givenName": "Barbara"}));
        let mut list = json!({"Resources": [user.clone(), user]});
        Projection::of("excludedAttributes=members,userName").apply_to_answer(&mut list);
        assert!(list["Resources"][1].get("userName").is_none());
        assert!(Projection::of("count=5").is_none());
    }
}
