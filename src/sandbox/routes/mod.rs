//! The sandbox's API handlers, one file per resource, and what they share: reading a body or a list query the
//! way BI does, paging, and BI's bounds on id lists.

pub mod groups;
pub mod identities;
pub mod passkeys;
pub mod realms;

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::Query;
use serde::de::DeserializeOwned;

use super::error::ApiError;
use super::paging;
use super::store::WindowRows;
use crate::bi::wire::BiPage;
use crate::bi::wire::ListQuery;
use crate::model::MAX_BATCH_IDS;

type Res<T> = Result<T, ApiError>;

pub(super) fn body<T: DeserializeOwned>(bytes: &Bytes) -> Res<T> {
    serde_json::from_slice(bytes).map_err(|_| ApiError::malformed())
}

pub(super) fn list_query(q: Result<Query<ListQuery>, QueryRejection>) -> Res<ListQuery> {
    q.map(|Query(q)| q)
        .map_err(|e| ApiError::invalid_field("query", &e.body_text()))
}

/// Applies paging to a list and builds BI's answer.
pub(super) async fn paged<T, F, Fut>(list: &str, q: &ListQuery, fetch: F) -> Res<BiPage<T>>
where
    F: FnOnce(u64, u32) -> Fut,
    Fut: std::future::Future<Output = Res<WindowRows<T>>>,
{
    let w =
        paging::window(list, q).map_err(|e| ApiError::invalid_field(e.field, &e.description))?;
    let rows = fetch(w.offset, w.limit).await?;
    let next_page_token = paging::next_token(list, q, &w, rows.items.len(), rows.total);
    Ok(BiPage {
        items: rows.items,
        total_size: rows.total,
        next_page_token,
    })
}

pub(super) fn check_id_count(field: &str, ids: &[String]) -> Res<()> {
    if ids.is_empty() {
        return Err(ApiError::invalid_field(
            field,
            "array must contain at least 1 element",
        ));
    }
    if ids.len() > MAX_BATCH_IDS {
        return Err(ApiError::invalid_field(
            field,
            &format!("array exceeds {MAX_BATCH_IDS} elements"),
        ));
    }
    Ok(())
}
