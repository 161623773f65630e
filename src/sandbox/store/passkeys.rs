//! Passkeys in the sandbox's store: authenticator configurations, credential binding jobs (with their links and the
//! outbox of emailed ones), batches of jobs, and credentials. Each identity's `enrollment_status` follows from its
//! credentials and jobs by BI's rule, kept by triggers (migration 0003).

use super::{new_id, now, ListSql, SandboxStore, WindowRows};
use crate::bi::wire::{BatchCommentary, BatchIdentityError, BatchJob, JobTemplate};
use crate::model::{
    AuthenticatorConfig, Credential, CredentialBindingJob, Identity, OutboxMessage,
    CREDENTIAL_ACTIVE, CREDENTIAL_REVOKED, DELIVERY_EMAIL,
};
use crate::sandbox::error::ApiError;

/// How long an invitation's link works.
const LINK_DAYS: i64 = 7;
/// Jobs waiting in a realm's batch queue, at most (BI's limit).
pub const BATCH_QUEUE_LIMIT: usize = 1_000;

/// The states of a job whose link still works.
const OPEN: &str = "('LINK_SENT', 'LINK_OPENED', 'REQUEST_DELIVERED')";

#[derive(sqlx::FromRow)]
pub(super) struct ConfigRow {
    id: String,
    realm_id: String,
    display_name: String,
    config: String,
}

#[derive(sqlx::FromRow)]
pub(super) struct JobRow {
    id: String,
    realm_id: String,
    identity_id: String,
    delivery_method: String,
    state: String,
    post_binding_redirect_uri: Option<String>,
    authenticator_config_id: String,
    credential_id: Option<String>,
    batch_id: Option<String>,
    expire_time: String,
    create_time: String,
    update_time: String,
}

#[derive(sqlx::FromRow)]
pub(super) struct CredentialRow {
    id: String,
    realm_id: String,
    identity_id: String,
    state: String,
    csr_type: String,
    jwk_json: String,
    jwk_thumbprint: String,
    create_time: String,
    update_time: String,
}

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

/// A job found by its link's token, with whom it is for.
pub struct LinkedJob {
    pub job: CredentialBindingJob,
    pub identity: Identity,
}

/// What a new job needs beyond its identity.
pub struct NewJob<'a> {
    pub delivery_method: &'a str,
    pub authenticator_config_id: &'a str,
    pub post_binding_redirect_uri: Option<&'a str>,
    pub batch_id: Option<&'a str>,
    /// The sandbox's address for links, e.g. `http://127.0.0.1:3000/sandbox`.
    pub link_base: &'a str,
}

fn expiry() -> String {
    (chrono::Utc::now() + chrono::Duration::days(LINK_DAYS))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// An address that cannot receive mail: the `.invalid` top-level domain (RFC 2606) and `example.invalid` alike.
fn undeliverable(email: &str) -> bool {
    email
        .rsplit_once('@')
        .is_some_and(|(_, domain)| domain.eq_ignore_ascii_case("invalid") || domain.to_ascii_lowercase().ends_with(".invalid"))
}

impl SandboxStore {
    fn config(&self, r: ConfigRow) -> AuthenticatorConfig {
        AuthenticatorConfig {
            id: r.id,
            realm_id: r.realm_id,
            tenant_id: self.tenant_id.clone(),
            display_name: r.display_name,
            config: serde_json::from_str(&r.config).unwrap_or_default(),
        }
    }

    fn job(&self, r: JobRow) -> CredentialBindingJob {
        CredentialBindingJob {
            id: r.id,
            realm_id: r.realm_id,
            tenant_id: self.tenant_id.clone(),
            identity_id: r.identity_id,
            credential_id: r.credential_id,
            batch_id: r.batch_id,
            delivery_method: r.delivery_method,
            state: r.state,
            post_binding_redirect_uri: r.post_binding_redirect_uri,
            authenticator_config_id: r.authenticator_config_id,
            expire_time: Some(r.expire_time),
            create_time: Some(r.create_time),
            update_time: Some(r.update_time),
        }
    }

    fn credential(&self, r: CredentialRow) -> Credential {
        Credential {
            id: r.id,
            identity_id: r.identity_id,
            realm_id: r.realm_id,
            tenant_id: self.tenant_id.clone(),
            state: r.state,
            csr_type: r.csr_type,
            jwk_json: r.jwk_json,
            jwk_thumbprint: r.jwk_thumbprint,
            create_time: Some(r.create_time),
            update_time: Some(r.update_time),
        }
    }

    /// Adds an authenticator configuration to a realm (every realm gets a Hosted Web one when it is made).
    pub async fn create_authenticator_config(
        &self,
        realm: &str,
        display_name: &str,
        config: &serde_json::Value,
    ) -> Result<AuthenticatorConfig, ApiError> {
        let id = new_id();
        let t = now();
        sqlx::query(
            "INSERT INTO authenticator_configs (id, realm_id, display_name, config, create_time, update_time) \
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(realm)
        .bind(display_name)
        .bind(config.to_string())
        .bind(&t)
        .bind(&t)
        .execute(&self.pool)
        .await?;
        self.get_authenticator_config(realm, &id).await
    }

    pub async fn list_authenticator_configs(
        &self,
        realm: &str,
        offset: u64,
        limit: u32,
    ) -> Result<WindowRows<AuthenticatorConfig>, ApiError> {
        let sql = ListSql {
            total: "SELECT COUNT(*) FROM authenticator_configs WHERE realm_id = ?",
            rows: "SELECT * FROM authenticator_configs WHERE realm_id = ? ORDER BY seq LIMIT ? OFFSET ?",
        };
        self.window(sql, realm, (offset, limit), Self::config).await
    }

    pub async fn get_authenticator_config(
        &self,
        realm: &str,
        id: &str,
    ) -> Result<AuthenticatorConfig, ApiError> {
        let row: Option<ConfigRow> =
            sqlx::query_as("SELECT * FROM authenticator_configs WHERE realm_id = ? AND id = ?")
                .bind(realm)
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|r| self.config(r))
            .ok_or_else(|| ApiError::not_found("AuthenticatorConfig", id))
    }

    /// Marks the open jobs whose links have passed their expiry as `EXPIRED` (the identities' status follows).
    pub async fn expire_jobs(&self) -> Result<(), ApiError> {
        let _w = self.write.lock().await;
        sqlx::query(&format!(
            "UPDATE credential_binding_jobs SET state = 'EXPIRED', update_time = ?1 \
             WHERE state IN {OPEN} AND expire_time < ?1"
        ))
        .bind(now())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Creates an invitation for `identity`. By email: 422 without an address; an undeliverable address makes the
    /// job `FAILED_TO_SEND`; otherwise the email (with its link) goes to the outbox. Answers the job and its link.
    pub async fn create_job(
        &self,
        realm: &str,
        identity: &str,
        new: NewJob<'_>,
    ) -> Result<(CredentialBindingJob, String), ApiError> {
        let person = self.get_identity(realm, identity).await?;
        self.get_authenticator_config(realm, new.authenticator_config_id)
            .await
            .map_err(|_| {
                ApiError::invalid_field("job.authenticator_config_id", "authenticator config not found")
            })?;
        let email = person.email().to_string();
        if new.delivery_method == DELIVERY_EMAIL && email.is_empty() {
            let mut e = ApiError::not_found("Identity", identity);
            e.status = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            e.body.code = "unprocessable_entity".into();
            e.body.message = "Identity missing email address".into();
            e.body.details[0].description = Some("Identity missing email address".into());
            return Err(e);
        }
        let state = if new.delivery_method == DELIVERY_EMAIL && undeliverable(&email) {
            "FAILED_TO_SEND"
        } else {
            "LINK_SENT"
        };
        let (id, token, t) = (new_id(), format!("{}{}", new_id(), new_id()), now());
        let link = format!(
            "{}/v1/tenants/{}/realms/{realm}/identities/{identity}/credential-binding-jobs/{id}:invokeAuthenticator?token={token}",
            new.link_base, self.tenant_id
        );
        let _w = self.write.lock().await;
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO credential_binding_jobs (id, realm_id, identity_id, delivery_method, state, \
             post_binding_redirect_uri, authenticator_config_id, batch_id, link_token, expire_time, create_time, \
             update_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(realm)
        .bind(identity)
        .bind(new.delivery_method)
        .bind(state)
        .bind(new.post_binding_redirect_uri)
        .bind(new.authenticator_config_id)
        .bind(new.batch_id)
        .bind(&token)
        .bind(expiry())
        .bind(&t)
        .bind(&t)
        .execute(&mut *tx)
        .await?;
        if new.delivery_method == DELIVERY_EMAIL && state == "LINK_SENT" {
            sqlx::query(
                "INSERT INTO outbox (realm_id, identity_id, job_id, recipient, subject, link, create_time) \
                 VALUES (?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(realm)
            .bind(identity)
            .bind(&id)
            .bind(&email)
            .bind(format!("Set up your passkey, {}", person.display_name))
            .bind(&link)
            .bind(&t)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        drop(_w);
        Ok((self.get_job(realm, identity, &id).await?, link))
    }

    pub async fn get_job(
        &self,
        realm: &str,
        identity: &str,
        id: &str,
    ) -> Result<CredentialBindingJob, ApiError> {
        let row: Option<JobRow> = sqlx::query_as(
            "SELECT * FROM credential_binding_jobs WHERE realm_id = ? AND identity_id = ? AND id = ?",
        )
        .bind(realm)
        .bind(identity)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| self.job(r))
            .ok_or_else(|| ApiError::not_found("CredentialBindingJob", id))
    }

    /// An identity's jobs (`-`: every job of the realm), oldest first.
    pub async fn list_jobs(
        &self,
        realm: &str,
        identity: &str,
        offset: u64,
        limit: u32,
    ) -> Result<WindowRows<CredentialBindingJob>, ApiError> {
        if identity == "-" {
            let sql = ListSql {
                total: "SELECT COUNT(*) FROM credential_binding_jobs WHERE realm_id = ?",
                rows: "SELECT * FROM credential_binding_jobs WHERE realm_id = ? ORDER BY seq LIMIT ? OFFSET ?",
            };
            return self.window(sql, realm, (offset, limit), Self::job).await;
        }
        // An identity BI does not know has no jobs: the spec names no 404 for this list.
        let sql = ListSql {
            total: "SELECT COUNT(*) FROM credential_binding_jobs WHERE identity_id = ?",
            rows: "SELECT * FROM credential_binding_jobs WHERE identity_id = ? ORDER BY seq LIMIT ? OFFSET ?",
        };
        self.window(sql, identity, (offset, limit), Self::job).await
    }

    /// Revokes an open job; 409 for one that is no longer open (completed, expired, failed or revoked).
    pub async fn revoke_job(
        &self,
        realm: &str,
        identity: &str,
        id: &str,
    ) -> Result<CredentialBindingJob, ApiError> {
        let _w = self.write.lock().await;
        let job = self.get_job(realm, identity, id).await?;
        if !job.is_pending() {
            return Err(ApiError::conflict(&format!(
                "credential binding job is {}",
                job.state.to_ascii_lowercase()
            )));
        }
        sqlx::query("UPDATE credential_binding_jobs SET state = 'REVOKED', update_time = ? WHERE id = ?")
            .bind(now())
            .bind(id)
            .execute(&self.pool)
            .await?;
        drop(_w);
        self.get_job(realm, identity, id).await
    }

    /// The job whose link carries `token`, and its identity.
    pub async fn job_by_link(&self, token: &str) -> Result<LinkedJob, ApiError> {
        let row: Option<JobRow> =
            sqlx::query_as("SELECT * FROM credential_binding_jobs WHERE link_token = ?")
                .bind(token)
                .fetch_optional(&self.pool)
                .await?;
        let job = row
            .map(|r| self.job(r))
            .ok_or_else(|| ApiError::not_found("CredentialBindingJob", "link"))?;
        let identity = self.get_identity(&job.realm_id, &job.identity_id).await?;
        Ok(LinkedJob { job, identity })
    }

    /// What the person did with the link: opened it (`LINK_OPENED`), completed enrollment (a new active credential,
    /// the job `COMPLETE`), or declined (the job `EXPIRED`). Only an open job moves; answers the job as it is.
    pub async fn follow_link(
        &self,
        token: &str,
        step: LinkStep,
    ) -> Result<CredentialBindingJob, ApiError> {
        let linked = self.job_by_link(token).await?;
        let job = linked.job;
        if !job.is_pending() {
            return Ok(job);
        }
        let _w = self.write.lock().await;
        let t = now();
        let mut tx = self.pool.begin().await?;
        match step {
            LinkStep::Open => {
                sqlx::query("UPDATE credential_binding_jobs SET state = 'LINK_OPENED', update_time = ? WHERE id = ?")
                    .bind(&t)
                    .bind(&job.id)
                    .execute(&mut *tx)
                    .await?;
            }
            LinkStep::Decline => {
                sqlx::query("UPDATE credential_binding_jobs SET state = 'EXPIRED', update_time = ? WHERE id = ?")
                    .bind(&t)
                    .bind(&job.id)
                    .execute(&mut *tx)
                    .await?;
            }
            LinkStep::Complete => {
                let credential = new_id();
                sqlx::query(
                    "INSERT INTO credentials (id, realm_id, identity_id, state, csr_type, jwk_json, jwk_thumbprint, \
                     create_time, update_time) VALUES (?, ?, ?, 'ACTIVE', 'WEBAUTHN', ?, ?, ?, ?)",
                )
                .bind(&credential)
                .bind(&job.realm_id)
                .bind(&job.identity_id)
                .bind(r#"{"kty":"EC","crv":"P-256"}"#)
                .bind(format!("{}{}", new_id(), new_id()))
                .bind(&t)
                .bind(&t)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "UPDATE credential_binding_jobs SET state = 'COMPLETE', credential_id = ?, update_time = ? \
                     WHERE id = ?",
                )
                .bind(&credential)
                .bind(&t)
                .bind(&job.id)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        drop(_w);
        self.get_job(&job.realm_id, &job.identity_id, &job.id).await
    }

    /// The emails the sandbox "sent", newest first (at most `limit`; of one realm, or of all).
    pub async fn outbox(
        &self,
        realm: Option<&str>,
        limit: u32,
    ) -> Result<Vec<OutboxMessage>, ApiError> {
        Ok(sqlx::query_as(
            "SELECT realm_id, identity_id, job_id, recipient, subject, link, create_time FROM outbox \
             WHERE ?1 IS NULL OR realm_id = ?1 ORDER BY seq DESC LIMIT ?2",
        )
        .bind(realm)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?)
    }

    /// An identity's credentials (`-`: every credential of the realm), oldest first.
    pub async fn list_credentials(
        &self,
        realm: &str,
        identity: &str,
        offset: u64,
        limit: u32,
    ) -> Result<WindowRows<Credential>, ApiError> {
        if identity == "-" {
            let sql = ListSql {
                total: "SELECT COUNT(*) FROM credentials WHERE realm_id = ?",
                rows: "SELECT * FROM credentials WHERE realm_id = ? ORDER BY seq LIMIT ? OFFSET ?",
            };
            return self.window(sql, realm, (offset, limit), Self::credential).await;
        }
        let sql = ListSql {
            total: "SELECT COUNT(*) FROM credentials WHERE identity_id = ?",
            rows: "SELECT * FROM credentials WHERE identity_id = ? ORDER BY seq LIMIT ? OFFSET ?",
        };
        self.window(sql, identity, (offset, limit), Self::credential).await
    }

    pub async fn get_credential(
        &self,
        realm: &str,
        identity: &str,
        id: &str,
    ) -> Result<Credential, ApiError> {
        let row: Option<CredentialRow> = sqlx::query_as(
            "SELECT * FROM credentials WHERE realm_id = ? AND identity_id = ? AND id = ?",
        )
        .bind(realm)
        .bind(identity)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| self.credential(r))
            .ok_or_else(|| ApiError::not_found("Credential", id))
    }

    /// Revokes a credential (a revoked one stays revoked); answers it.
    pub async fn revoke_credential(
        &self,
        realm: &str,
        identity: &str,
        id: &str,
    ) -> Result<Credential, ApiError> {
        let _w = self.write.lock().await;
        let found = self.get_credential(realm, identity, id).await?;
        if found.state == CREDENTIAL_ACTIVE {
            sqlx::query("UPDATE credentials SET state = ?, update_time = ? WHERE id = ?")
                .bind(CREDENTIAL_REVOKED)
                .bind(now())
                .bind(id)
                .execute(&self.pool)
                .await?;
        }
        drop(_w);
        self.get_credential(realm, identity, id).await
    }

    /// Puts an identity in `enrollment` the way BI would have got there (the demo seed): an active passkey for
    /// ENROLLED, an open emailed invitation for PENDING, one that failed to send for INVITE_FAILED.
    pub async fn seed_enrollment(
        &self,
        realm: &str,
        identity: &str,
        enrollment: &str,
    ) -> Result<(), ApiError> {
        let _w = self.write.lock().await;
        let t = now();
        match enrollment {
            "ENROLLED" => {
                sqlx::query(
                    "INSERT INTO credentials (id, realm_id, identity_id, state, csr_type, jwk_json, jwk_thumbprint, \
                     create_time, update_time) VALUES (?, ?, ?, 'ACTIVE', 'WEBAUTHN', ?, ?, ?, ?)",
                )
                .bind(new_id())
                .bind(realm)
                .bind(identity)
                .bind(r#"{"kty":"EC","crv":"P-256"}"#)
                .bind(format!("{}{}", new_id(), new_id()))
                .bind(&t)
                .bind(&t)
                .execute(&self.pool)
                .await?;
            }
            "PENDING" | "INVITE_FAILED" => {
                let state = if enrollment == "PENDING" { "LINK_SENT" } else { "FAILED_TO_SEND" };
                sqlx::query(
                    "INSERT INTO credential_binding_jobs (id, realm_id, identity_id, delivery_method, state, \
                     authenticator_config_id, link_token, expire_time, create_time, update_time) \
                     SELECT ?, ?, ?, 'EMAIL', ?, a.id, ?, ?, ?, ? FROM authenticator_configs a \
                     WHERE a.realm_id = ? ORDER BY a.seq LIMIT 1",
                )
                .bind(new_id())
                .bind(realm)
                .bind(identity)
                .bind(state)
                .bind(format!("{}{}", new_id(), new_id()))
                .bind(expiry())
                .bind(&t)
                .bind(&t)
                .bind(realm)
                .execute(&self.pool)
                .await?;
            }
            _ => {}
        }
        Ok(())
    }

    // --- batches -------------------------------------------------------------------------------------------------

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

/// What the person did with an enrollment link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkStep {
    Open,
    Complete,
    Decline,
}
