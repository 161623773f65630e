//! The directory index brought in line with a write the console made at BI, from what BI answered.

use crate::model::{Group, Identity};

/// A change the console made at BI, for the index.
#[derive(Clone, Debug)]
pub enum Indexed {
    Put(Box<Identity>),
    Removed(Vec<String>),
    Status(Vec<String>, &'static str),
    Group(Group, Option<u64>),
    GroupRemoved(String),
    /// A group's member count changed by this much.
    Members(String, i64),
}

impl super::Service {
    /// Applies `change` to `realm`'s index at once (see [`apply`]).
    pub async fn index(&self, realm: &str, change: Indexed) {
        apply(&self.state, realm, change, &self.actor.request_id).await;
    }
}

/// Applies `change` to `realm`'s index in `state`, for the work `request_id`. A failure does not undo the write made
/// at BI: it is logged, and the next refresh of the realm repairs the index.
pub async fn apply(state: &crate::state::AppState, realm: &str, change: Indexed, request_id: &str) {
    {
        let Some(index) = &state.index else {
            return;
        };
        let outcome = match &change {
            Indexed::Put(identity) => index.put(realm, identity).await,
            Indexed::Removed(ids) => index.remove(realm, ids).await,
            Indexed::Status(ids, status) => index.set_status(realm, ids, status).await,
            Indexed::Group(group, members) => index.put_group(realm, group, *members).await,
            Indexed::GroupRemoved(id) => index.remove_group(realm, id).await,
            Indexed::Members(id, delta) => index.count_members(realm, id, *delta).await,
        };
        if let Err(e) = outcome {
            tracing::warn!(realm, %request_id, error = %e,
                "directory index update failed; the next refresh repairs it");
        }
    }
}
