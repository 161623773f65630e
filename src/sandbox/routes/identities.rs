//! Identities: create, list (with BI's username filter), get, its groups, PATCH, delete; BI's field rules.
use super::super::error::violation;
use crate::bi::wire::*;
use crate::model::{check_name, Identity, Traits, STATUS_ACTIVE, STATUS_SUSPENDED, TRAITS_V0};
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::super::error::ApiError;
use super::super::{filter, paging, store, Shared};
use super::{body, list_query, paged};

type Res<T> = Result<T, ApiError>;

/// Removes empty optional traits (an empty string clears a trait).
fn tidy(traits: Traits) -> Traits {
    let mut v = serde_json::to_value(&traits).expect("traits serialize");
    if let Some(map) = v.as_object_mut() {
        map.retain(|k, val| k == "type" || k == "username" || val.as_str() != Some(""));
    }
    serde_json::from_value(v).expect("traits deserialize")
}

/// `patch` over `base`: every trait the patch names replaces the old value.
fn merge_traits(base: &Traits, patch: &Traits) -> Traits {
    let mut b = serde_json::to_value(base).expect("traits serialize");
    let p = serde_json::to_value(patch).expect("traits serialize");
    if let (Some(bm), Some(pm)) = (b.as_object_mut(), p.as_object()) {
        for (k, v) in pm {
            bm.insert(k.clone(), v.clone());
        }
    }
    tidy(serde_json::from_value(b).expect("traits deserialize"))
}

fn check_identity_fields(w: &IdentityWrite, creating: bool, out: &mut Vec<FieldViolation>) {
    match (&w.display_name, creating) {
        (Some(name), _) => {
            if let Err(p) = check_name(name) {
                out.push(violation("identity.display_name", &p.bi_description()));
            }
        }
        (None, true) => out.push(violation("identity.display_name", "empty string")),
        (None, false) => {}
    }
    if let Some(status) = &w.status {
        if status != STATUS_ACTIVE && status != STATUS_SUSPENDED {
            out.push(violation("identity.status", "invalid status"));
        }
    }
    match &w.traits {
        None if creating => out.push(violation("identity.traits", "missing traits")),
        None => {}
        Some(t) => {
            if t.kind != TRAITS_V0 {
                out.push(violation("identity.traits.type", "unsupported traits type"));
            }
            match (&t.username, creating) {
                (Some(u), _) => {
                    if let Err(p) = check_name(u) {
                        out.push(violation("identity.traits.username", &p.bi_description()));
                    }
                }
                (None, true) => out.push(violation("identity.traits.username", "empty string")),
                (None, false) => {}
            }
            for (name, max) in t.too_long() {
                let problem = format!("value length must be at most {max} characters");
                out.push(violation(&format!("identity.traits.{name}"), &problem));
            }
        }
    }
}

pub(in crate::sandbox) async fn create_identity(
    State(sb): Shared,
    UrlPath((tenant, realm)): UrlPath<(String, String)>,
    bytes: Bytes,
) -> Res<Json<Identity>> {
    sb.realm(&tenant, &realm).await?;
    let req: IdentityEnvelope<IdentityWrite> = body(&bytes)?;
    let w = req.identity;
    let mut violations = Vec::new();
    check_identity_fields(&w, true, &mut violations);
    if !violations.is_empty() {
        return Err(ApiError::invalid(violations));
    }
    if let Some(u) = w.traits.as_ref().and_then(|t| t.username.as_deref()) {
        *sb.creates
            .lock()
            .expect("lock")
            .entry(store::username_key(u))
            .or_default() += 1;
    }
    let identity = sb
        .store
        .create_identity(
            &realm,
            w.display_name.as_deref().unwrap_or_default(),
            w.status.as_deref().unwrap_or(STATUS_ACTIVE),
            "UNENROLLED",
            &tidy(w.traits.unwrap_or_default()),
            None,
        )
        .await?;
    Ok(Json(identity))
}

pub(in crate::sandbox) async fn list_identities(
    State(sb): Shared,
    UrlPath((tenant, realm)): UrlPath<(String, String)>,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Res<Json<ListIdentitiesResponse>> {
    sb.realm(&tenant, &realm).await?;
    let q = list_query(q)?;
    let username = match paging::effective_filter(&q) {
        None => None,
        Some(f) => match filter::parse(&f).map_err(|d| ApiError::invalid_field("filter", &d))? {
            filter::Filter::UsernameEq(u) => Some(u),
        },
    };
    let list = format!("identities/{realm}");
    let page = paged(&list, &q, |o, l| {
        sb.store.list_identities(&realm, username.as_deref(), o, l)
    })
    .await?;
    Ok(Json(page.into()))
}

pub(in crate::sandbox) async fn get_identity_or_groups(
    State(sb): Shared,
    UrlPath((tenant, realm, item)): UrlPath<(String, String, String)>,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Res<Response> {
    sb.realm(&tenant, &realm).await?;
    if let Some(id) = item.strip_suffix(":listGroups") {
        let q = list_query(q)?;
        let list = format!("identity-groups/{id}");
        let page = paged(&list, &q, |o, l| sb.store.identity_groups(&realm, id, o, l)).await?;
        return Ok(Json(ListGroupsResponse::from(page)).into_response());
    }
    if item.contains(':') {
        return Err(ApiError::with_status(
            StatusCode::NOT_FOUND,
            "not_found",
            "not found",
        ));
    }
    Ok(Json(sb.store.get_identity(&realm, &item).await?).into_response())
}

pub(in crate::sandbox) async fn update_identity(
    State(sb): Shared,
    UrlPath((tenant, realm, id)): UrlPath<(String, String, String)>,
    bytes: Bytes,
) -> Res<Json<Identity>> {
    sb.realm(&tenant, &realm).await?;
    let req: IdentityEnvelope<IdentityWrite> = body(&bytes)?;
    let w = req.identity;
    let mut violations = Vec::new();
    check_identity_fields(&w, false, &mut violations);
    if !violations.is_empty() {
        return Err(ApiError::invalid(violations));
    }
    let updated = sb
        .store
        .update_identity(&realm, &id, |identity| {
            if let Some(name) = w.display_name {
                identity.display_name = name;
            }
            if let Some(status) = w.status {
                identity.status = Some(status);
            }
            if let Some(t) = &w.traits {
                identity.traits = merge_traits(&identity.traits, t);
            }
        })
        .await?;
    Ok(Json(updated))
}

pub(in crate::sandbox) async fn delete_identity(
    State(sb): Shared,
    UrlPath((tenant, realm, id)): UrlPath<(String, String, String)>,
) -> Res<StatusCode> {
    sb.realm(&tenant, &realm).await?;
    sb.store.delete_identity(&realm, &id).await?;
    Ok(StatusCode::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merging_traits_replaces_named_fields_and_clears_empty_ones() {
        let base = Traits {
            username: Some("ada".into()),
            primary_email_address: Some("ada@old.example".into()),
            given_name: Some("Ada".into()),
            ..Traits::default()
        };
        let patch = Traits {
            primary_email_address: Some("ada@new.example".into()),
            given_name: Some(String::new()),
            ..Traits::default()
        };
        let merged = merge_traits(&base, &patch);
        assert_eq!(merged.username.as_deref(), Some("ada"));
        assert_eq!(
            merged.primary_email_address.as_deref(),
            Some("ada@new.example")
        );
        assert_eq!(merged.given_name, None);
    }
}
