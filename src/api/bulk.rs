//! Bulk changes to identities. Deletes go through `:batchDelete` in chunks of at most 1000 ids; a chunk BI refuses
//! because some ids are unknown is retried without them (BI deletes all of a chunk or none). Suspend and unsuspend
//! have no batch call in BI, so they are one PATCH per identity, eight at a time.

use futures::stream::{self, StreamExt};

use crate::bi::wire::IdentityWrite;
use crate::bi::{BiError, Client};
use crate::model::{BulkFailure, BulkResult, MAX_BATCH_IDS};
use crate::permit::{act, Permit, Protection, Targets};

const PARALLEL_PATCHES: usize = 8;

/// A bulk change with the permit it needs: deletes need `DeleteIdentity` and suspensions `SuspendMany` (both
/// consequential), unsuspending `SetStatus`.
pub enum BulkWrite {
    Delete(Permit<act::DeleteIdentity>),
    Suspend(Permit<act::SuspendMany>),
    Unsuspend(Permit<act::SetStatus>),
}

/// Does `write` to those of `ids` the protected-identity rule allows (see `crate::permit`); the others are
/// failures that say why.
pub async fn run(
    client: &Client,
    write: &BulkWrite,
    ids: &[String],
    protection: &Protection,
) -> BulkResult {
    let mut result = match write {
        BulkWrite::Delete(permit) => match permit.split(ids, protection) {
            Ok((targets, refused)) => delete(client, &targets).await.with_refused(refused),
            Err(_) => BulkResult::unchecked(ids),
        },
        BulkWrite::Suspend(permit) => match permit.split(ids, protection) {
            Ok((targets, refused)) => set_status(client, &targets, true)
                .await
                .with_refused(refused),
            Err(_) => BulkResult::unchecked(ids),
        },
        BulkWrite::Unsuspend(permit) => match permit.split(ids, protection) {
            Ok((targets, refused)) => set_status(client, &targets, false)
                .await
                .with_refused(refused),
            Err(_) => BulkResult::unchecked(ids),
        },
    };
    // In the order they were selected.
    let order: std::collections::HashMap<&str, usize> = ids
        .iter()
        .enumerate()
        .map(|(n, id)| (id.as_str(), n))
        .collect();
    result
        .failed
        .sort_by_key(|f| order.get(f.id.as_str()).copied().unwrap_or(usize::MAX));
    result
}

trait Refused {
    fn with_refused(self, refused: Vec<String>) -> Self;
    fn unchecked(ids: &[String]) -> Self;
}

impl Refused for BulkResult {
    fn with_refused(mut self, refused: Vec<String>) -> BulkResult {
        self.failed
            .extend(refused.into_iter().map(|id| BulkFailure {
                id,
                reason: "a member of a protected group: only an admin may change it".into(),
            }));
        self
    }

    fn unchecked(ids: &[String]) -> BulkResult {
        BulkResult {
            succeeded: 0,
            failed: ids
                .iter()
                .map(|id| BulkFailure {
                    id: id.clone(),
                    reason: "its groups could not be checked".into(),
                })
                .collect(),
        }
    }
}

async fn delete(client: &Client, targets: &Targets<'_, act::DeleteIdentity>) -> BulkResult {
    let done = chunked(
        targets.ids(),
        "identity not found (already deleted?)",
        |chunk| {
            let chunk = targets.only(&chunk);
            async move { client.batch_delete_identities(&chunk).await }
        },
    )
    .await;
    BulkResult {
        succeeded: done.succeeded,
        failed: done.failed,
    }
}

/// What [`chunked`] did: ids that succeeded, ids that failed and why, and BI calls made.
#[derive(Debug, Default)]
pub struct Chunked {
    pub succeeded: usize,
    pub failed: Vec<BulkFailure>,
    pub calls: usize,
}

/// Sends `ids` through `call` in chunks of at most 1000 (BI's limit for batch calls). BI applies a chunk to all of
/// its ids or none; a chunk refused with 404 naming unknown ids is sent once more without them, and those are
/// reported with `unknown_reason`.
pub async fn chunked<F, Fut>(ids: &[String], unknown_reason: &str, mut call: F) -> Chunked
where
    F: FnMut(Vec<String>) -> Fut,
    Fut: std::future::Future<Output = Result<(), BiError>>,
{
    let mut done = Chunked::default();
    for chunk in ids.chunks(MAX_BATCH_IDS) {
        let mut pending: Vec<String> = chunk.to_vec();
        // At most two rounds: the chunk, then the chunk without the ids BI named as unknown.
        for _ in 0..2 {
            if pending.is_empty() {
                break;
            }
            done.calls += 1;
            match call(pending.clone()).await {
                Ok(()) => {
                    done.succeeded += pending.len();
                    pending.clear();
                }
                Err(e) => {
                    let unknown: std::collections::HashSet<String> = e
                        .body()
                        .map(|b| b.failed_ids())
                        .unwrap_or_default()
                        .into_iter()
                        .collect();
                    if e.is_not_found() && pending.iter().any(|id| unknown.contains(id)) {
                        pending.retain(|id| !unknown.contains(id));
                        done.failed
                            .extend(unknown.into_iter().map(|id| BulkFailure {
                                id,
                                reason: unknown_reason.to_string(),
                            }));
                    } else {
                        let why = e.reason();
                        done.failed.extend(pending.drain(..).map(|id| BulkFailure {
                            id,
                            reason: why.clone(),
                        }));
                    }
                }
            }
        }
    }
    done
}

async fn set_status<A: crate::permit::PatchesIdentity>(
    client: &Client,
    targets: &Targets<'_, A>,
    suspend: bool,
) -> BulkResult {
    let patch = IdentityWrite::status_change(suspend);
    let outcomes: Vec<(String, Result<(), BiError>)> = stream::iter(targets.ids().to_vec())
        .map(|id| {
            let patch = &patch;
            async move {
                let r = match targets.get(&id) {
                    Some(target) => client.update_identity_verified(&target, patch).await,
                    None => Err(BiError::InvalidId(id.clone())),
                };
                (id, r.map(|_| ()))
            }
        })
        .buffer_unordered(PARALLEL_PATCHES)
        .collect()
        .await;
    let mut result = BulkResult::default();
    for (id, outcome) in outcomes {
        match outcome {
            Ok(()) => result.succeeded += 1,
            Err(e) => result.failed.push(BulkFailure {
                id,
                reason: e.reason(),
            }),
        }
    }
    result
}
