//! SCIM Users: a user is an identity of the realm. `userName` is the username (unique ignoring case: `409
//! uniqueness`), `displayName` the display name, `externalId`, the one primary email, `name.givenName` /
//! `name.familyName` the traits of the same names, `active` the status (false: suspended). Other attributes are
//! ignored. Create, get, replace (PUT), PATCH (`add` / `replace`), delete, and list with a filter on `userName` or
//! `externalId`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::{base_url, json_body, list_response, meta, patch_operations, realm_of, scim_json};
use super::{ListAsk, ScimError, ScimResult, USER_SCHEMA};
use crate::model::{check_name, Identity, Traits, STATUS_ACTIVE, STATUS_SUSPENDED, TRAITS_V0};
use crate::sandbox::store::{username_key, Compare, UserKey};
use crate::sandbox::Sandbox;

type Sb = State<Arc<Sandbox>>;

/// An identity as a SCIM User.
pub fn user(i: &Identity, base: &str) -> Value {
    let t = &i.traits;
    let mut v = json!({
        "schemas": [USER_SCHEMA],
        "id": i.id,
        "userName": i.username(),
        "displayName": i.display_name,
        "active": i.status.as_deref() != Some(STATUS_SUSPENDED),
        "meta": meta("User", i.create_time.as_deref(), i.update_time.as_deref(), format!("{base}/Users/{}", i.id)),
    });
    if let Some(x) = &t.external_id {
        v["externalId"] = json!(x);
    }
    if let Some(e) = &t.primary_email_address {
        v["emails"] = json!([{ "value": e, "primary": true }]);
    }
    if t.given_name.is_some() || t.family_name.is_some() {
        let mut name = json!({});
        if let Some(g) = &t.given_name {
            name["givenName"] = json!(g);
        }
        if let Some(f) = &t.family_name {
            name["familyName"] = json!(f);
        }
        v["name"] = name;
    }
    v
}

/// The attributes of a user the sandbox keeps.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct UserValues {
    user_name: String,
    display_name: String,
    external_id: Option<String>,
    email: Option<String>,
    given_name: Option<String>,
    family_name: Option<String>,
    active: bool,
}

impl UserValues {
    fn of(i: &Identity) -> UserValues {
        let t = &i.traits;
        UserValues {
            user_name: i.username().to_string(),
            display_name: i.display_name.clone(),
            external_id: t.external_id.clone(),
            email: t.primary_email_address.clone(),
            given_name: t.given_name.clone(),
            family_name: t.family_name.clone(),
            active: i.status.as_deref() != Some(STATUS_SUSPENDED),
        }
    }

    /// A whole user from a POST or PUT body (the user itself, or BI's request form `{"user": {…}}`).
    fn from_body(body: &Value) -> ScimResult<UserValues> {
        let body = body.get("user").filter(|u| u.is_object()).unwrap_or(body);
        let schemas = body["schemas"].as_array().cloned().unwrap_or_default();
        if !schemas.iter().any(|s| s.as_str() == Some(USER_SCHEMA)) {
            return Err(ScimError::invalid_value(format!("schemas must contain {USER_SCHEMA}.")));
        }
        let mut v = UserValues {
            active: true,
            ..UserValues::default()
        };
        for (key, value) in body.as_object().into_iter().flatten() {
            if key != "schemas" && key != "id" && key != "meta" {
                v.set(key, value)?;
            }
        }
        v.check()?;
        Ok(v)
    }

    /// Sets the attribute at `path` (a PATCH path, or a key of a body) to `value`; other attributes are ignored.
    fn set(&mut self, path: &str, value: &Value) -> ScimResult<()> {
        let path = path.strip_prefix(USER_SCHEMA).and_then(|p| p.strip_prefix(':')).unwrap_or(path);
        let text = |what: &str| -> ScimResult<Option<String>> {
            match value {
                Value::Null => Ok(None),
                Value::String(s) if s.trim().is_empty() => Ok(None),
                Value::String(s) if s.chars().count() > crate::model::MAX_TRAIT_CHARS => Err(ScimError::invalid_value(
                    format!("{what} is at most {} characters.", crate::model::MAX_TRAIT_CHARS),
                )),
                Value::String(s) => Ok(Some(s.trim().to_string())),
                _ => Err(ScimError::invalid_value(format!("{what} must be a string."))),
            }
        };
        match path.to_ascii_lowercase().as_str() {
            "username" => self.user_name = text("userName")?.unwrap_or_default(),
            "displayname" => self.display_name = text("displayName")?.unwrap_or_default(),
            "externalid" => self.external_id = text("externalId")?,
            "active" => {
                self.active = match value {
                    Value::Bool(b) => *b,
                    Value::String(s) if s.eq_ignore_ascii_case("true") => true,
                    Value::String(s) if s.eq_ignore_ascii_case("false") => false,
                    _ => return Err(ScimError::invalid_value("active must be true or false.")),
                }
            }
            "emails" => self.email = primary_email(value)?,
            "name" => match value {
                Value::Object(name) => {
                    for (k, v) in name {
                        self.set(&format!("name.{k}"), v)?;
                    }
                }
                Value::Null => (self.given_name, self.family_name) = (None, None),
                _ => return Err(ScimError::invalid_value("name must be an object.")),
            },
            "name.givenname" => self.given_name = text("name.givenName")?,
            "name.familyname" => self.family_name = text("name.familyName")?,
            p if p.starts_with("emails[") && p.ends_with("].value") => self.email = text("emails.value")?,
            _ => {}
        }
        Ok(())
    }

    /// BI's rules for a user: a userName and a displayName, each a valid name.
    fn check(&self) -> ScimResult<()> {
        if self.user_name.is_empty() {
            return Err(ScimError::invalid_value("userName is required."));
        }
        if self.display_name.is_empty() {
            return Err(ScimError::invalid_value("displayName is required."));
        }
        if let Err(p) = check_name(&self.user_name) {
            return Err(ScimError::invalid_value(format!("userName {}.", p.message())));
        }
        if let Err(p) = check_name(&self.display_name) {
            return Err(ScimError::invalid_value(format!("displayName {}.", p.message())));
        }
        Ok(())
    }

    /// Writes these values over `i` (the traits SCIM does not name are kept).
    fn apply(&self, i: &mut Identity) {
        i.display_name = self.display_name.clone();
        i.status = Some(if self.active { STATUS_ACTIVE } else { STATUS_SUSPENDED }.to_string());
        let t = &mut i.traits;
        t.username = Some(self.user_name.clone());
        t.external_id = self.external_id.clone();
        t.primary_email_address = self.email.clone();
        t.given_name = self.given_name.clone();
        t.family_name = self.family_name.clone();
    }
}

/// The one email of `emails`: BI keeps only a primary one, so a second email or one not marked primary is refused.
fn primary_email(value: &Value) -> ScimResult<Option<String>> {
    let list = match value {
        Value::Null => return Ok(None),
        Value::Array(list) => list,
        _ => return Err(ScimError::invalid_value("emails must be a list.")),
    };
    match list.as_slice() {
        [] => Ok(None),
        [one] => {
            if one["primary"] != json!(true) && one["primary"] != json!("true") {
                return Err(ScimError::invalid_value("The email must be marked primary: true."));
            }
            match one["value"].as_str().map(str::trim) {
                Some(v) if v.chars().count() > crate::model::MAX_EMAIL_CHARS => Err(ScimError::invalid_value(
                    format!("An email address is at most {} characters.", crate::model::MAX_EMAIL_CHARS),
                )),
                Some(v) if !v.is_empty() => Ok(Some(v.to_string())),
                _ => Err(ScimError::invalid_value("The email needs a value.")),
            }
        }
        _ => Err(ScimError::invalid_value("Only one email is supported: the primary one.")),
    }
}

fn user_response(status: StatusCode, i: &Identity, base: &str) -> Response {
    let location = format!("{base}/Users/{}", i.id);
    let mut res = (status, scim_json(user(i, base))).into_response();
    if status == StatusCode::CREATED {
        if let Ok(v) = header::HeaderValue::from_str(&location) {
            res.headers_mut().insert(header::LOCATION, v);
        }
    }
    res
}

fn not_found(id: &str) -> impl Fn(crate::sandbox::error::ApiError) -> ScimError + '_ {
    move |e| {
        if e.status == StatusCode::NOT_FOUND {
            ScimError::not_found("User", id)
        } else if e.status == StatusCode::CONFLICT {
            ScimError::uniqueness("A user with this userName already exists (userName is unique, ignoring case).")
        } else {
            e.into()
        }
    }
}

pub async fn create(State(sb): Sb, Path((tenant, realm)): Path<(String, String)>, headers: HeaderMap, bytes: Bytes) -> ScimResult<Response> {
    realm_of(&sb, &tenant, &realm).await?;
    let v = UserValues::from_body(&json_body(&bytes)?)?;
    let traits = Traits {
        kind: TRAITS_V0.to_string(),
        username: Some(v.user_name.clone()),
        primary_email_address: v.email.clone(),
        external_id: v.external_id.clone(),
        given_name: v.given_name.clone(),
        family_name: v.family_name.clone(),
        ..Traits::default()
    };
    *sb.creates
        .lock()
        .expect("lock")
        .entry(username_key(&v.user_name))
        .or_default() += 1;
    let status = if v.active { STATUS_ACTIVE } else { STATUS_SUSPENDED };
    let made = sb
        .store()
        .create_identity(&realm, &v.display_name, status, "UNENROLLED", &traits, None)
        .await
        .map_err(not_found(""))?;
    Ok(user_response(StatusCode::CREATED, &made, &base_url(&headers, &tenant, &realm)))
}

pub async fn get_one(State(sb): Sb, Path((tenant, realm, id)): Path<(String, String, String)>, headers: HeaderMap) -> ScimResult<Response> {
    realm_of(&sb, &tenant, &realm).await?;
    let i = sb.store().get_identity(&realm, &id).await.map_err(not_found(&id))?;
    Ok(user_response(StatusCode::OK, &i, &base_url(&headers, &tenant, &realm)))
}

pub async fn replace(
    State(sb): Sb,
    Path((tenant, realm, id)): Path<(String, String, String)>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ScimResult<Response> {
    realm_of(&sb, &tenant, &realm).await?;
    let v = UserValues::from_body(&json_body(&bytes)?)?;
    let saved = sb
        .store()
        .update_identity(&realm, &id, |i| v.apply(i))
        .await
        .map_err(not_found(&id))?;
    Ok(user_response(StatusCode::OK, &saved, &base_url(&headers, &tenant, &realm)))
}

pub async fn patch(
    State(sb): Sb,
    Path((tenant, realm, id)): Path<(String, String, String)>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ScimResult<Response> {
    realm_of(&sb, &tenant, &realm).await?;
    let ops = patch_operations(&json_body(&bytes)?)?;
    let now = sb.store().get_identity(&realm, &id).await.map_err(not_found(&id))?;
    let mut v = UserValues::of(&now);
    for (op, path, value) in &ops {
        if op != "add" && op != "replace" {
            return Err(ScimError::invalid_value(format!(
                "The “{op}” operation is not supported for users: only add and replace."
            )));
        }
        match (path, value) {
            (Some(p), value) => v.set(p, value)?,
            (None, Value::Object(fields)) => {
                for (k, value) in fields {
                    v.set(k, value)?;
                }
            }
            (None, _) => return Err(ScimError::invalid_value("An operation without a path needs an object value.")),
        }
    }
    v.check()?;
    let saved = sb
        .store()
        .update_identity(&realm, &id, |i| v.apply(i))
        .await
        .map_err(not_found(&id))?;
    Ok(user_response(StatusCode::OK, &saved, &base_url(&headers, &tenant, &realm)))
}

pub async fn delete(State(sb): Sb, Path((tenant, realm, id)): Path<(String, String, String)>) -> ScimResult<StatusCode> {
    realm_of(&sb, &tenant, &realm).await?;
    sb.store().delete_identity(&realm, &id).await.map_err(not_found(&id))?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn list(
    State(sb): Sb,
    Path((tenant, realm)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> ScimResult<Response> {
    realm_of(&sb, &tenant, &realm).await?;
    let ListAsk { paging, filter } = ListAsk::of(&q, &["userName", "externalId"], USER_SCHEMA)?;
    let filter = filter.map(|c| Compare {
        key: if c.attribute == "userName" { UserKey::UserName } else { UserKey::ExternalId },
        equal: c.equal,
        value: c.value,
    });
    let rows = sb
        .store()
        .scim_users(&realm, filter.as_ref(), paging.start - 1, paging.count as u32)
        .await
        .map_err(ScimError::from)?;
    let base = base_url(&headers, &tenant, &realm);
    let resources = rows.items.iter().map(|i| user(i, &base)).collect();
    Ok((StatusCode::OK, scim_json(list_response(resources, rows.total, paging))).into_response())
}
