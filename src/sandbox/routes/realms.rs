//! Realms: list, get, and the realm-level action `identities:batchDelete`.
use crate::bi::wire::*;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::super::error::ApiError;
use super::super::Shared;
use super::{body, check_id_count, list_query, paged};

type Res<T> = Result<T, ApiError>;

pub(in crate::sandbox) async fn list_realms(
    State(sb): Shared,
    UrlPath(tenant): UrlPath<String>,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Res<Json<ListRealmsResponse>> {
    if tenant != sb.tenant_id() {
        return Err(ApiError::forbidden());
    }
    let q = list_query(q)?;
    let page = paged("realms", &q, |o, l| sb.store.list_realms(o, l)).await?;
    Ok(Json(page.into()))
}

pub(in crate::sandbox) async fn get_realm(
    State(sb): Shared,
    UrlPath((tenant, realm)): UrlPath<(String, String)>,
) -> Res<Response> {
    if tenant != sb.tenant_id() {
        return Err(ApiError::forbidden());
    }
    Ok(Json(sb.store.get_realm(&realm).await?).into_response())
}

pub(in crate::sandbox) async fn realm_action(
    State(sb): Shared,
    UrlPath((tenant, realm, action)): UrlPath<(String, String, String)>,
    bytes: Bytes,
) -> Res<Response> {
    if action != "identities:batchDelete" {
        return Err(ApiError::with_status(
            StatusCode::NOT_FOUND,
            "not_found",
            "not found",
        ));
    }
    sb.realm(&tenant, &realm).await?;
    let req: BatchDeleteRequest = body(&bytes)?;
    check_id_count("ids", &req.ids)?;
    let mut seen = std::collections::HashSet::new();
    if !req.ids.iter().all(|id| seen.insert(id)) {
        return Err(ApiError::invalid_field("ids", "contains repeated ids"));
    }
    sb.store.batch_delete_identities(&realm, &req.ids).await?;
    Ok(StatusCode::OK.into_response())
}
