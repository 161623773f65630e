//! Groups: create, list, get, its members, PATCH, delete, and `:addMembers` / `:deleteMembers`.
use crate::bi::wire::*;
use crate::model::{check_description, check_name};
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::super::error::{violation, ApiError};
use super::super::Shared;
use super::{body, check_id_count, list_query, paged};

type Res<T> = Result<T, ApiError>;

fn check_group_fields(w: &GroupWrite, creating: bool) -> Res<()> {
    let mut out = Vec::new();
    match (&w.display_name, creating) {
        (Some(name), _) => {
            if let Err(p) = check_name(name) {
                out.push(violation("group.display_name", &p.bi_description()));
            }
        }
        (None, true) => out.push(violation("group.display_name", "empty string")),
        (None, false) => {}
    }
    if let Some(d) = &w.description {
        if let Err(p) = check_description(d) {
            out.push(violation("group.description", &p.bi_description()));
        }
    }
    if out.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(out))
    }
}

pub(in crate::sandbox) async fn create_group(
    State(sb): Shared,
    UrlPath((tenant, realm)): UrlPath<(String, String)>,
    bytes: Bytes,
) -> Res<Response> {
    sb.realm(&tenant, &realm).await?;
    let req: GroupEnvelope<GroupWrite> = body(&bytes)?;
    check_group_fields(&req.group, true)?;
    let description = req.group.description.as_deref().filter(|d| !d.is_empty());
    let group = sb
        .store
        .create_group(
            &realm,
            req.group.display_name.as_deref().unwrap_or_default(),
            description,
            None,
        )
        .await?;
    Ok(Json(group).into_response())
}

pub(in crate::sandbox) async fn list_groups(
    State(sb): Shared,
    UrlPath((tenant, realm)): UrlPath<(String, String)>,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Res<Json<ListGroupsResponse>> {
    sb.realm(&tenant, &realm).await?;
    let q = list_query(q)?;
    let list = format!("groups/{realm}");
    let page = paged(&list, &q, |o, l| sb.store.list_groups(&realm, o, l)).await?;
    Ok(Json(page.into()))
}

pub(in crate::sandbox) async fn get_group_or_members(
    State(sb): Shared,
    UrlPath((tenant, realm, item)): UrlPath<(String, String, String)>,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Res<Response> {
    sb.realm(&tenant, &realm).await?;
    if let Some(id) = item.strip_suffix(":listMembers") {
        let q = list_query(q)?;
        let list = format!("members/{id}");
        let page = paged(&list, &q, |o, l| sb.store.list_members(&realm, id, o, l)).await?;
        return Ok(Json(ListIdentitiesResponse::from(page)).into_response());
    }
    if item.contains(':') {
        return Err(ApiError::with_status(
            StatusCode::NOT_FOUND,
            "not_found",
            "not found",
        ));
    }
    Ok(Json(sb.store.get_group(&realm, &item).await?).into_response())
}

pub(in crate::sandbox) async fn update_group(
    State(sb): Shared,
    UrlPath((tenant, realm, id)): UrlPath<(String, String, String)>,
    bytes: Bytes,
) -> Res<Response> {
    sb.realm(&tenant, &realm).await?;
    let req: GroupEnvelope<GroupWrite> = body(&bytes)?;
    check_group_fields(&req.group, false)?;
    let w = req.group;
    let updated = sb
        .store
        .update_group(&realm, &id, |group| {
            if let Some(name) = w.display_name {
                group.display_name = name;
            }
            if let Some(d) = w.description {
                group.description = (!d.is_empty()).then_some(d);
            }
        })
        .await?;
    Ok(Json(updated).into_response())
}

pub(in crate::sandbox) async fn delete_group(
    State(sb): Shared,
    UrlPath((tenant, realm, id)): UrlPath<(String, String, String)>,
) -> Res<StatusCode> {
    sb.realm(&tenant, &realm).await?;
    sb.store.delete_group(&realm, &id).await?;
    Ok(StatusCode::OK)
}

pub(in crate::sandbox) async fn group_action(
    State(sb): Shared,
    UrlPath((tenant, realm, item)): UrlPath<(String, String, String)>,
    bytes: Bytes,
) -> Res<Response> {
    let (id, add) = if let Some(id) = item.strip_suffix(":addMembers") {
        (id, true)
    } else if let Some(id) = item.strip_suffix(":deleteMembers") {
        (id, false)
    } else {
        return Err(ApiError::with_status(
            StatusCode::NOT_FOUND,
            "not_found",
            "not found",
        ));
    };
    sb.realm(&tenant, &realm).await?;
    let req: MembersRequest = body(&bytes)?;
    check_id_count("identity_ids", &req.identity_ids)?;
    let group = sb
        .store
        .change_members(&realm, id, &req.identity_ids, add)
        .await?;
    Ok(Json(group).into_response())
}
