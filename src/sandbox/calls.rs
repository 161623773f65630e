//! Call counting: the API calls the sandbox answered (bounded), identity creates per username, and the `_calls`
//! endpoint that benchmarks and tests read (not BI's).

use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;

use super::{store, Sandbox, Shared};

/// The most recent API calls the sandbox answered ("POST …/groups/g1:addMembers"), for tests and benchmarks that
/// count BI calls. Bounded: only the last [`CallLog::KEEP`] are kept, with a running total.
#[derive(Default)]
pub(super) struct CallLog {
    total: u64,
    recent: std::collections::VecDeque<String>,
}

impl CallLog {
    pub(super) const KEEP: usize = 10_000;
}

impl Sandbox {
    /// How many identity creates with this username (ignoring case) reached the store, accepted or not.
    pub fn creates_processed(&self, username: &str) -> u64 {
        self.creates
            .lock()
            .expect("lock")
            .get(&store::username_key(username))
            .copied()
            .unwrap_or(0)
    }

    /// How many authenticated API calls the sandbox has answered since start.
    pub fn calls_total(&self) -> u64 {
        self.calls.lock().expect("lock").total
    }

    /// The authenticated API calls answered since the total was `since` (at most the last 10,000), as
    /// "METHOD path" with the path after the realm, e.g. "POST groups/abc:addMembers".
    pub fn calls_since(&self, since: u64) -> Vec<String> {
        let log = self.calls.lock().expect("lock");
        let n = (log.total.saturating_sub(since) as usize).min(log.recent.len());
        log.recent
            .iter()
            .skip(log.recent.len() - n)
            .cloned()
            .collect()
    }

    pub(super) fn record_call(&self, method: &str, path: &str) {
        let short = short_path(path);
        let mut log = self.calls.lock().expect("lock");
        log.total += 1;
        if log.recent.len() == CallLog::KEEP {
            log.recent.pop_front();
        }
        log.recent.push_back(format!("{method} {short}"));
    }
}

/// The part of an API path after the realm: "identities", "groups/abc:addMembers".
pub(super) fn short_path(path: &str) -> &str {
    path.find("/realms/")
        .map(|i| &path[i + "/realms/".len()..])
        .and_then(|rest| rest.split_once('/').map(|(_, p)| p))
        .unwrap_or(path)
}

#[derive(Deserialize)]
pub(super) struct CallsQuery {
    since: Option<u64>,
}

/// `GET /sandbox/_calls[?since=N]`: the total, and with `since` the calls answered after that total (at most the last
/// 10,000) as "METHOD path", so a benchmark counts calls by kind where they were answered.
pub(super) async fn calls_answered(
    State(sb): Shared,
    Query(q): Query<CallsQuery>,
) -> Json<serde_json::Value> {
    match q.since {
        None => Json(serde_json::json!({ "calls": sb.calls_total() })),
        Some(since) => Json(serde_json::json!({
            "calls": sb.calls_total(),
            "since": sb.calls_since(since),
        })),
    }
}
