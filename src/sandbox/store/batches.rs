//! Batches of credential binding jobs in the sandbox's store: queued within BI's limit of 1,000 jobs per realm,
//! worked through a step at a time (a job by email for each identity, or the reason there is none), and their
//! results with counts.

use super::passkeys::NewJob;
use super::{new_id, now, ListSql, SandboxStore, WindowRows};
use crate::bi::wire::{BatchCommentary, BatchIdentityError, BatchJob, JobTemplate};
use crate::model::{CredentialBindingJob, DELIVERY_EMAIL};
use crate::sandbox::error::ApiError;

/// Jobs waiting in a realm's batch queue, at most (BI's limit).
pub const BATCH_QUEUE_LIMIT: usize = 1_000;

#[derive(sqlx::FromRow)]
struct BatchRow {
    id: String,
    realm_id: String,
    identity_ids: String,
    job_template: String,
    state: String,
    errors: String,
    create_time: String,
    update_time: String,
}

impl SandboxStore {
    fn batch(&self, r: BatchRow) -> BatchJob {
        let errors: std::collections::BTreeMap<String, BatchIdentityError> =
            serde_json::from_str(&r.errors).unwrap_or_default();
        BatchJob {
            id: r.id,
            tenant_id: self.tenant_id.clone(),
            realm_id: r.realm_id,
            identity_ids: serde_json::from_str(&r.identity_ids).unwrap_or_default(),
            state: r.state,
            state_commentary: (!errors.is_empty()).then_some(BatchCommentary { errors }),
            job_template: serde_json::from_str(&r.job_template).unwrap_or_default(),
            create_time: Some(r.create_time),
            update_time: Some(r.update_time),
        }
    }

    /// Queues a batch (state `RUNNING`); 429 when the realm's queue would hold more than 1,000 jobs. Answers the
    /// batch and how many jobs the queue holds with it.
    pub async fn create_batch(
        &self,
        realm: &str,
        identity_ids: &[String],
        template: &JobTemplate,
    ) -> Result<BatchJob, QueueFull> {
        let _w = self.write.lock().await;
        let queued = self.queued(realm).await.map_err(QueueFull::Api)?;
        if queued + identity_ids.len() > BATCH_QUEUE_LIMIT {
            return Err(QueueFull::Full {
                queued,
                asked: identity_ids.len(),
            });
        }
        let (id, t) = (new_id(), now());
        sqlx::query(
            "INSERT INTO batch_jobs (id, realm_id, identity_ids, job_template, state, create_time, update_time) \
             VALUES (?, ?, ?, ?, 'RUNNING', ?, ?)",
        )
        .bind(&id)
        .bind(realm)
        .bind(serde_json::to_string(identity_ids).expect("ids serialize"))
        .bind(serde_json::to_string(template).expect("template serializes"))
        .bind(&t)
        .bind(&t)
        .execute(&self.pool)
        .await
        .map_err(|e| QueueFull::Api(e.into()))?;
        drop(_w);
        self.get_batch(realm, &id).await.map_err(QueueFull::Api)
    }

    /// Jobs waiting in the realm's batch queue: identities of running batches not yet handled.
    async fn queued(&self, realm: &str) -> Result<usize, ApiError> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COALESCE(SUM(json_array_length(identity_ids) - done), 0) FROM batch_jobs \
             WHERE realm_id = ? AND state = 'RUNNING'",
        )
        .bind(realm)
        .fetch_one(&self.pool)
        .await?;
        Ok(n.max(0) as usize)
    }

    pub async fn get_batch(&self, realm: &str, id: &str) -> Result<BatchJob, ApiError> {
        let row: Option<BatchRow> =
            sqlx::query_as("SELECT * FROM batch_jobs WHERE realm_id = ? AND id = ?")
                .bind(realm)
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|r| self.batch(r))
            .ok_or_else(|| ApiError::not_found("BatchCredentialBindingJob", id))
    }

    /// The running batches of every realm, oldest first: (realm, id).
    pub async fn running_batches(&self) -> Result<Vec<(String, String)>, ApiError> {
        Ok(sqlx::query_as(
            "SELECT realm_id, id FROM batch_jobs WHERE state = 'RUNNING' ORDER BY seq",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// Works through up to `step` more identities of a running batch: a job by email for each (or the reason there
    /// is none, in the batch's errors). The last step sets the batch's final state. Answers whether it is done.
    pub async fn advance_batch(
        &self,
        realm: &str,
        id: &str,
        step: usize,
        link_base: &str,
    ) -> Result<bool, ApiError> {
        let batch = self.get_batch(realm, id).await?;
        if batch.state != "RUNNING" {
            return Ok(true);
        }
        let done: i64 = sqlx::query_scalar("SELECT done FROM batch_jobs WHERE id = ?")
            .bind(id)
            .fetch_one(&self.pool)
            .await?;
        let mut errors = batch
            .state_commentary
            .map(|c| c.errors)
            .unwrap_or_default();
        let start = done as usize;
        let end = (start + step).min(batch.identity_ids.len());
        for identity in &batch.identity_ids[start..end] {
            let made = self
                .create_job(
                    realm,
                    identity,
                    NewJob {
                        delivery_method: DELIVERY_EMAIL,
                        authenticator_config_id: &batch.job_template.authenticator_config_id,
                        post_binding_redirect_uri: batch.job_template.post_binding_redirect_uri.as_deref(),
                        batch_id: Some(id),
                        link_base,
                    },
                )
                .await;
            if let Err(e) = made {
                errors.insert(
                    identity.clone(),
                    BatchIdentityError {
                        last_error: e.body.message.clone(),
                        failed_permanently: true,
                    },
                );
            }
        }
        let finished = end >= batch.identity_ids.len();
        let state = if !finished {
            "RUNNING"
        } else if errors.is_empty() {
            "SUCCESS"
        } else if errors.len() >= batch.identity_ids.len() {
            "FAILED"
        } else {
            "PARTIAL_SUCCESS"
        };
        let _w = self.write.lock().await;
        sqlx::query("UPDATE batch_jobs SET done = ?, errors = ?, state = ?, update_time = ? WHERE id = ?")
            .bind(end as i64)
            .bind(serde_json::to_string(&errors).expect("errors serialize"))
            .bind(state)
            .bind(now())
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(finished)
    }

    /// A page of a batch's jobs, with how many identities succeeded (a job sent), failed (no job, or one that
    /// failed to send) and are still pending.
    pub async fn batch_results(
        &self,
        realm: &str,
        id: &str,
        offset: u64,
        limit: u32,
    ) -> Result<(WindowRows<CredentialBindingJob>, BatchCounts), ApiError> {
        let batch = self.get_batch(realm, id).await?;
        let done: i64 = sqlx::query_scalar("SELECT done FROM batch_jobs WHERE id = ?")
            .bind(id)
            .fetch_one(&self.pool)
            .await?;
        let failed_to_send: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM credential_binding_jobs WHERE batch_id = ? AND state = 'FAILED_TO_SEND'",
        )
        .bind(id)
        .fetch_one(&self.pool)
        .await?;
        let errors = batch.state_commentary.map(|c| c.errors.len()).unwrap_or(0) as u64;
        let failure = errors + failed_to_send as u64;
        let counts = BatchCounts {
            success: (done as u64).saturating_sub(failure),
            failure,
            pending: (batch.identity_ids.len() as u64).saturating_sub(done as u64),
        };
        let sql = ListSql {
            total: "SELECT COUNT(*) FROM credential_binding_jobs WHERE batch_id = ?",
            rows: "SELECT * FROM credential_binding_jobs WHERE batch_id = ? ORDER BY seq LIMIT ? OFFSET ?",
        };
        let rows = self.window(sql, id, (offset, limit), Self::job).await?;
        Ok((rows, counts))
    }
}

/// A batch's outcome so far.
pub struct BatchCounts {
    pub success: u64,
    pub failure: u64,
    pub pending: u64,
}

/// Why a batch was not queued.
pub enum QueueFull {
    /// The realm's queue holds `queued` jobs; `asked` more would pass the limit.
    Full { queued: usize, asked: usize },
    Api(ApiError),
}
