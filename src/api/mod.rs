//! Server functions: thin. Each one checks its input, makes the BI call(s) and maps a BI error to an [`AppError`].
//! No business logic lives here beyond that mapping.

#[cfg(feature = "ssr")]
pub mod errors;

use leptos::prelude::*;

use crate::model::{AppError, ConsoleInfo, Identity, PageView, Realm};

#[cfg(feature = "ssr")]
fn state() -> Result<crate::state::AppState, AppError> {
    use_context::<crate::state::AppState>()
        .ok_or_else(|| AppError::new("the console is not configured"))
}

/// Where the console points (sandbox or BI region, tenant, default realm). Holds no secret.
#[server]
pub async fn get_console_info() -> Result<ConsoleInfo, AppError> {
    Ok(state()?.info)
}

/// The tenant's realms for the realm picker: one BI call, at most 200 (BI's page ceiling).
#[server]
pub async fn list_realms() -> Result<Vec<Realm>, AppError> {
    use crate::bi::wire::ListQuery;
    let s = state()?;
    let page = s
        .client
        .list_realms(&ListQuery {
            page_size: Some(crate::model::MAX_PAGE_SIZE),
            ..ListQuery::default()
        })
        .await
        .map_err(|e| errors::from_bi("list realms", e))?;
    Ok(page.items)
}

/// One numbered page of a realm's identities, or the identity whose username is `q` (BI's only filter).
/// Exactly one BI call.
#[server]
pub async fn list_identities(
    realm: String,
    page: u32,
    size: u32,
    q: String,
) -> Result<PageView<Identity>, AppError> {
    use crate::bi::wire::ListQuery;
    use crate::model::{clamp_page_size, username_filter};
    let s = state()?;
    let size = clamp_page_size(Some(size));
    let page = page.max(1);
    let q = q.trim();
    let filter = (!q.is_empty()).then(|| username_filter(q));
    let result = s
        .client
        .list_identities(&realm, &ListQuery::numbered(page, size).with_filter(filter))
        .await
        .map_err(|e| errors::from_bi("list identities", e))?;
    Ok(PageView {
        items: result.items,
        total: result.total_size,
        page,
        size,
    })
}

/// One numbered page of a realm's groups. Exactly one BI call.
#[server]
pub async fn list_groups(
    realm: String,
    page: u32,
    size: u32,
) -> Result<PageView<crate::model::Group>, AppError> {
    use crate::bi::wire::ListQuery;
    use crate::model::clamp_page_size;
    let s = state()?;
    let size = clamp_page_size(Some(size));
    let page = page.max(1);
    let result = s
        .client
        .list_groups(&realm, &ListQuery::numbered(page, size))
        .await
        .map_err(|e| errors::from_bi("list groups", e))?;
    Ok(PageView {
        items: result.items,
        total: result.total_size,
        page,
        size,
    })
}
