//! Server functions over the directory index: the Identities page's search (any part of a username, name, email or
//! external id; filters; sort; the enrollment summary) and its Refresh; and keeping the index current with every
//! write the console makes. Until a realm's first index is complete, searches answer from BI as before.

use leptos::prelude::*;

use crate::model::{AppError, IdentityFilter, IdentitySearch, IndexState};
#[cfg(feature = "ssr")]
pub(crate) use ssr::*;
#[cfg(feature = "ssr")]
use {
    super::checks::{allow_in, state},
    super::errors,
    crate::model::Action,
};

/// One page of a realm's identities: from the index when it is ready (any part of a name, username, email or
/// external id; filters; sort; the enrollment summary), else from BI (exact username only) while the first index
/// is made in the background. A stale index is refreshed in the background and answers meanwhile.
#[server(output = crate::api::codec::TextJson)]
pub async fn search_identities(
    realm: String,
    filter: IdentityFilter,
    page: u32,
    size: u32,
) -> Result<IdentitySearch, AppError> {
    let (s, page, size) = begin(&realm, &filter.q, page, size).await?;
    // The index's state and counts in one read: the summary, and the total of a search without text.
    let overview = match &s.index {
        None => crate::index::Overview::default(),
        Some(index) => index.overview(&realm).await.map_err(index_failed)?,
    };
    let mut index_state = overview.state.clone();
    if let Some(index) = s.index.as_ref().filter(|_| index_state.ready) {
        // A cheap look at BI's count (one call, one row) catches records added or removed elsewhere. Views of
        // the realm at the same moment share one such call.
        let at_bi = s.bi_counts.get(&realm, || {
            let (client, realm) = (s.client.clone(), realm.clone());
            async move {
                let one = crate::bi::wire::ListQuery {
                    page_size: Some(1),
                    ..Default::default()
                };
                let page = client.list_identities(&realm, &one).await;
                page.ok().map(|p| p.total_size)
            }
        });
        let (found, at_bi) = tokio::join!(
            index.list_rows(&realm, &filter, (page, size), overview.total(&filter)),
            at_bi
        );
        let summary = overview.summary();
        let indexed: u64 = summary.iter().map(|c| c.count).sum();
        // A big realm takes longer to read again: it is refreshed less often (10 minutes by default, per 100,000).
        let max_age = s.index_max_age * (indexed / 100_000).clamp(1, 100) as u32;
        if !index_state.running && stale(index_state.indexed_at.as_deref(), max_age) {
            refresh_in_background(&s, &realm);
            // The page follows the refresh it started, and reads itself again when it ends.
            index_state.running = true;
        }
        let moved = at_bi.is_some_and(|total| total != indexed);
        if !moved {
            return Ok(IdentitySearch {
                page: found.map_err(index_failed)?,
                summary,
                index: index_state,
            });
        }
        // BI has changed since: refresh, and answer this view from BI meanwhile (the page follows the refresh and
        // reads itself again when it ends).
        refresh_in_background(&s, &realm);
        index_state.running = true;
    }
    start_first_index(&s, &realm, &index_state);
    let page = super::identities::list_identities(realm, page, size, filter.q).await?;
    Ok(IdentitySearch {
        page: page.map(crate::model::IdentityRow::from),
        summary: Vec::new(),
        index: index_state,
    })
}

/// One page of a realm's groups with their member counts: from the index when it is ready (any part of the name
/// or description; sort by `name`, `members` or `created`), else BI's page (no search, counts unknown) while the
/// first index is made in the background.
#[server(output = crate::api::codec::TextJson)]
pub async fn search_groups(
    realm: String,
    q: String,
    sort: String,
    page: u32,
    size: u32,
) -> Result<crate::model::GroupSearch, AppError> {
    use crate::model::{GroupListing, GroupSearch, PageView, Sort};
    let (s, page, size) = begin(&realm, &q, page, size).await?;
    let index_state = index_state(&s, &realm).await?;
    if let Some(index) = s.index.as_ref().filter(|_| index_state.ready) {
        let found = index
            .search_groups(&realm, &q, Sort::parse(&sort), page, size)
            .await
            .map_err(index_failed)?;
        return Ok(GroupSearch {
            page: found,
            index: index_state,
        });
    }
    start_first_index(&s, &realm, &index_state);
    let groups = super::groups::list_groups(realm, page, size).await?;
    Ok(GroupSearch {
        page: PageView {
            items: groups
                .items
                .into_iter()
                .map(|group| GroupListing {
                    group,
                    members: None,
                })
                .collect(),
            total: groups.total,
            page: groups.page,
            size: groups.size,
        },
        index: index_state,
    })
}

/// How fresh `realm`'s index is, and the progress of a refresh that is running.
#[server(output = crate::api::codec::TextJson)]
pub async fn index_status(realm: String) -> Result<IndexState, AppError> {
    allow_in(Action::Read, &realm).await?;
    let s = state()?;
    index_state(&s, &realm).await
}

/// Refreshes a realm's index now (in the background); answers its state.
#[server(output = crate::api::codec::TextJson)]
pub async fn refresh_index(realm: String) -> Result<IndexState, AppError> {
    allow_in(Action::Read, &realm).await?;
    let s = state()?;
    let Some(index) = &s.index else {
        return Err(AppError::new(
            "The directory index is off (CONSOLE_INDEX=off).",
        ));
    };
    refresh_in_background(&s, &realm);
    // Let the refresh mark itself running before the state is read.
    tokio::task::yield_now().await;
    let mut now = index.state(&realm).await.map_err(index_failed)?;
    now.running = true;
    Ok(now)
}

/// What the server functions above do on the server only.
#[cfg(feature = "ssr")]
mod ssr {
    use super::*;

    /// Starts a refresh of `realm`'s index in the background, unless one is running.
    pub(super) fn refresh_in_background(s: &crate::state::AppState, realm: &str) {
        let Some(index) = s.index.clone() else {
            return;
        };
        let (client, realm) = (s.client.clone(), realm.to_string());
        tokio::spawn(async move {
            // Another writer holding the console's database (two realms indexed at once) is waited out: the refresh
            // runs again, up to three times.
            let pause = std::time::Duration::from_millis(250);
            let refreshed = crate::index::retry_on_contention(3, pause, |attempt| {
                if attempt > 1 {
                    tracing::info!(
                        realm,
                        attempt,
                        "directory index refresh met a busy database; running it again"
                    );
                }
                index.refresh(&client, &realm)
            })
            .await;
            match refreshed {
                Ok(_) | Err(crate::index::IndexError::Busy) => {}
                Err(e) => tracing::warn!(realm, error = %e, "directory index refresh failed"),
            }
        });
    }

    /// What a search starts with: the read check, the search text's check, the state, and the page and size made valid.
    pub(super) async fn begin(
        realm: &str,
        q: &str,
        page: u32,
        size: u32,
    ) -> Result<(crate::state::AppState, u32, u32), AppError> {
        allow_in(Action::Read, realm).await?;
        super::super::checks::checked_search(q)?;
        Ok((
            state()?,
            page.max(1),
            crate::model::clamp_page_size(Some(size)),
        ))
    }

    /// How fresh `realm`'s index is (never ready when the index is off).
    pub(super) async fn index_state(
        s: &crate::state::AppState,
        realm: &str,
    ) -> Result<IndexState, AppError> {
        match &s.index {
            None => Ok(IndexState::default()),
            Some(index) => index.state(realm).await.map_err(index_failed),
        }
    }

    /// Starts `realm`'s first index unless the index is off or already being made.
    pub(super) fn start_first_index(s: &crate::state::AppState, realm: &str, state: &IndexState) {
        if s.index.is_some() && !state.running {
            refresh_in_background(s, realm);
        }
    }

    /// Whether an index made at `indexed_at` is older than `max_age`.
    pub(super) fn stale(indexed_at: Option<&str>, max_age: std::time::Duration) -> bool {
        let made = indexed_at.and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok());
        made.is_none_or(|t| {
            chrono::Utc::now()
                .signed_duration_since(t)
                .to_std()
                .unwrap_or_default()
                > max_age
        })
    }

    pub(crate) fn index_failed(e: crate::store::StoreError) -> AppError {
        let request_id = errors::current_request_id();
        tracing::error!(%request_id, error = %e, "directory index read failed");
        AppError {
            request_id: Some(request_id),
            ..AppError::new("The directory index could not be read.")
        }
    }

    /// A change the console made at BI (or a record it read), applied to the index at once (see
    /// [`crate::service::apply_to_index`]).
    pub(crate) async fn index_change(realm: &str, change: crate::service::Indexed) {
        if let Ok(s) = state() {
            crate::service::apply_to_index(&s, realm, change, &errors::current_request_id()).await;
        }
    }
}
