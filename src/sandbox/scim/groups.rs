//! SCIM Groups: a group of the realm, its `displayName` unique ignoring case over SCIM (`409 uniqueness`). Create,
//! get, PATCH (`replace` of `displayName`; `add` of members, several at a time; `remove` of one member), delete
//! (its memberships go with it; the identities stay), and list with a filter on `displayName`. As at BI, members
//! are never returned with a group, and a create's `members` are not taken (add them with PATCH).

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::{base_url, json_body, list_response, meta, patch_operations, realm_of, scim_json};
use super::{ListAsk, ScimError, ScimResult, GROUP_SCHEMA};
use crate::model::{check_name, Group};
use crate::sandbox::store::Compare;
use crate::sandbox::Sandbox;

type Sb = State<Arc<Sandbox>>;

/// A group as a SCIM Group (no members, as BI answers).
pub fn group(g: &Group, base: &str) -> Value {
    json!({
        "schemas": [GROUP_SCHEMA],
        "id": g.id,
        "displayName": g.display_name,
        "meta": meta("Group", g.create_time.as_deref(), g.update_time.as_deref(), format!("{base}/Groups/{}", g.id)),
    })
}

fn group_response(status: StatusCode, g: &Group, base: &str) -> Response {
    let mut res = (status, scim_json(group(g, base))).into_response();
    if status == StatusCode::CREATED {
        if let Ok(v) = header::HeaderValue::from_str(&format!("{base}/Groups/{}", g.id)) {
            res.headers_mut().insert(header::LOCATION, v);
        }
    }
    res
}

fn not_found(id: &str) -> impl Fn(crate::sandbox::error::ApiError) -> ScimError + '_ {
    move |e| {
        if e.status == StatusCode::NOT_FOUND {
            ScimError::not_found("Group", id)
        } else {
            e.into()
        }
    }
}

/// A valid display name no other group of the realm has (ignoring case; `except` is the group being renamed).
async fn free_name(sb: &Sandbox, realm: &str, name: &str, except: Option<&str>) -> ScimResult<()> {
    if let Err(p) = check_name(name) {
        return Err(ScimError::invalid_value(format!("displayName {}.", p.message())));
    }
    let same = Compare {
        key: (),
        equal: true,
        value: name.to_string(),
    };
    let taken = sb.store().scim_groups(realm, Some(&same), 0, 2).await.map_err(ScimError::from)?;
    if taken.items.iter().any(|g| Some(g.id.as_str()) != except) {
        return Err(ScimError::uniqueness(format!("A group named “{name}” already exists.")));
    }
    Ok(())
}

pub async fn create(State(sb): Sb, Path((tenant, realm)): Path<(String, String)>, headers: HeaderMap, bytes: Bytes) -> ScimResult<Response> {
    realm_of(&sb, &tenant, &realm).await?;
    let body = json_body(&bytes)?;
    let body = body.get("group").filter(|g| g.is_object()).unwrap_or(&body);
    let schemas = body["schemas"].as_array().cloned().unwrap_or_default();
    if !schemas.iter().any(|s| s.as_str() == Some(GROUP_SCHEMA)) {
        return Err(ScimError::invalid_value(format!("schemas must contain {GROUP_SCHEMA}.")));
    }
    let name = body["displayName"].as_str().map(str::trim).unwrap_or_default();
    if name.is_empty() {
        return Err(ScimError::invalid_value("displayName is required."));
    }
    free_name(&sb, &realm, name, None).await?;
    let made = sb.store().create_group(&realm, name, None, None).await.map_err(ScimError::from)?;
    Ok(group_response(StatusCode::CREATED, &made, &base_url(&headers, &tenant, &realm)))
}

pub async fn get_one(State(sb): Sb, Path((tenant, realm, id)): Path<(String, String, String)>, headers: HeaderMap) -> ScimResult<Response> {
    realm_of(&sb, &tenant, &realm).await?;
    let g = sb.store().get_group(&realm, &id).await.map_err(not_found(&id))?;
    Ok(group_response(StatusCode::OK, &g, &base_url(&headers, &tenant, &realm)))
}

/// The member ids of a `members` value: `[{"value": id}, …]`.
fn member_ids(value: &Value) -> ScimResult<Vec<String>> {
    let list = value
        .as_array()
        .ok_or_else(|| ScimError::invalid_value("members must be a list of {\"value\": id}."))?;
    if list.len() > crate::model::MAX_BATCH_IDS {
        return Err(ScimError::invalid_value(format!(
            "At most 1,000 members per operation; this one names {}.",
            list.len()
        )));
    }
    list.iter()
        .map(|m| {
            m["value"]
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| ScimError::invalid_value("Each member needs a value: the user's id."))
        })
        .collect()
}

/// One change a PATCH makes to a group.
enum Change {
    Rename(String),
    Add(Vec<String>),
    Remove(String),
}

/// The change of one operation (see the module's notes); a `members[value eq "id"]` removal is read by `patch`.
fn change_of(op: &str, path: Option<&str>, value: &Value) -> ScimResult<Change> {
    let path = path.map(|p| p.trim().to_ascii_lowercase());
    match (op, path.as_deref()) {
        ("replace", Some("displayname")) => value
            .as_str()
            .map(|s| Change::Rename(s.trim().to_string()))
            .ok_or_else(|| ScimError::invalid_value("displayName must be a string.")),
        ("replace", None) => match value.get("displayName").and_then(Value::as_str) {
            Some(name) if value.as_object().is_some_and(|o| o.len() == 1) => Ok(Change::Rename(name.trim().to_string())),
            _ => Err(ScimError::invalid_value(
                "A replace without a path may only change displayName (members change in operations of their own).",
            )),
        },
        ("add", Some("members")) => Ok(Change::Add(member_ids(value)?)),
        ("add", None) => match value.get("members") {
            Some(m) if value.as_object().is_some_and(|o| o.len() == 1) => Ok(Change::Add(member_ids(m)?)),
            _ => Err(ScimError::invalid_value("An add without a path may only add members.")),
        },
        ("remove", Some("members")) => match member_ids(value)?.as_slice() {
            [one] => Ok(Change::Remove(one.clone())),
            [] => Err(ScimError::invalid_value("Name the member to remove.")),
            _ => Err(ScimError::invalid_value("Remove one member per operation: batch remove is not supported.")),
        },
        (op @ ("add" | "replace" | "remove"), Some(p)) => Err(ScimError::invalid_value(format!(
            "“{op}” of “{p}” is not supported for groups: replace displayName, add or remove members."
        ))),
        (op, _) => Err(ScimError::invalid_value(format!("“{op}” is not a PATCH operation."))),
    }
}

pub async fn patch(
    State(sb): Sb,
    Path((tenant, realm, id)): Path<(String, String, String)>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ScimResult<Response> {
    realm_of(&sb, &tenant, &realm).await?;
    let ops = patch_operations(&json_body(&bytes)?)?;
    let store = sb.store();
    store.get_group(&realm, &id).await.map_err(not_found(&id))?;
    let mut changes = Vec::new();
    for (op, path, value) in &ops {
        let change = match (op.as_str(), path.as_deref()) {
            // Ids keep their case: a value path is read before lower-casing.
            ("remove", Some(p)) if p.trim().starts_with("members[") => {
                let p = p.trim();
                match p.strip_prefix("members[value eq \"").and_then(|r| r.strip_suffix("\"]")) {
                    Some(member) => Change::Remove(member.to_string()),
                    None => return Err(ScimError::invalid_value(format!("“{p}” is not a member path: members[value eq \"id\"]."))),
                }
            }
            _ => change_of(op, path.as_deref(), value)?,
        };
        changes.push(change);
    }
    // Every member named must be a user of the realm, and a new name free, before anything changes.
    for change in &changes {
        match change {
            Change::Add(ids) => unknown(&sb, &realm, ids).await?,
            Change::Remove(member) => unknown(&sb, &realm, std::slice::from_ref(member)).await?,
            Change::Rename(name) => free_name(&sb, &realm, name, Some(&id)).await?,
        }
    }
    for change in changes {
        match change {
            Change::Rename(name) => {
                store
                    .update_group(&realm, &id, |g| g.display_name = name)
                    .await
                    .map_err(not_found(&id))?;
            }
            Change::Add(ids) => {
                for chunk in ids.chunks(crate::model::MAX_BATCH_IDS) {
                    store.change_members(&realm, &id, chunk, true).await.map_err(not_found(&id))?;
                }
            }
            Change::Remove(member) => {
                store.change_members(&realm, &id, &[member], false).await.map_err(not_found(&id))?;
            }
        }
    }
    let g = store.get_group(&realm, &id).await.map_err(not_found(&id))?;
    Ok(group_response(StatusCode::OK, &g, &base_url(&headers, &tenant, &realm)))
}

/// `400 invalidValue` naming the ids that are no user of the realm.
async fn unknown(sb: &Sandbox, realm: &str, ids: &[String]) -> ScimResult<()> {
    let missing = sb.store().unknown_identities(realm, ids).await.map_err(ScimError::from)?;
    if missing.is_empty() {
        return Ok(());
    }
    Err(ScimError::invalid_value(format!("No user has the id {}.", missing.join(", "))))
}

pub async fn delete(State(sb): Sb, Path((tenant, realm, id)): Path<(String, String, String)>) -> ScimResult<StatusCode> {
    realm_of(&sb, &tenant, &realm).await?;
    sb.store().delete_group_and_members(&realm, &id).await.map_err(not_found(&id))?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn list(
    State(sb): Sb,
    Path((tenant, realm)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> ScimResult<Response> {
    realm_of(&sb, &tenant, &realm).await?;
    let ListAsk { paging, filter } = ListAsk::of(&q, &["displayName"], GROUP_SCHEMA)?;
    let filter = filter.map(|c| Compare {
        key: (),
        equal: c.equal,
        value: c.value,
    });
    let rows = sb
        .store()
        .scim_groups(&realm, filter.as_ref(), paging.start - 1, paging.count as u32)
        .await
        .map_err(ScimError::from)?;
    let base = base_url(&headers, &tenant, &realm);
    let resources = rows.items.iter().map(|g| group(g, &base)).collect();
    Ok((StatusCode::OK, scim_json(list_response(resources, rows.total, paging))).into_response())
}
