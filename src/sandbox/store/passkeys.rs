//! Passkeys in the sandbox's store: authenticator configurations, credential binding jobs (with their links and the
//! outbox of emailed ones); the enrollment link's steps (passkeys themselves: `credentials.rs`; batches of jobs:
//! `batches.rs`). Each identity's `enrollment_status` follows from its
//! credentials and jobs by BI's rule, kept by triggers (migration 0003).

use super::credentials::new_passkey;
use super::{new_id, now, ListSql, SandboxStore, WindowRows};
use crate::model::{
    AuthenticatorConfig, CredentialBindingJob, Identity, OutboxMessage, DELIVERY_EMAIL,
};
use crate::sandbox::error::ApiError;

/// How long an invitation's link works.
const LINK_DAYS: i64 = 7;

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

pub(super) fn expiry() -> String {
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

    pub(super) fn job(&self, r: JobRow) -> CredentialBindingJob {
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
        // An identity BI does not know (in this realm) has no jobs: the spec names no 404 for this list.
        if !self.identity_in(realm, identity).await? {
            return Ok(WindowRows {
                items: Vec::new(),
                total: 0,
            });
        }
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
        // Only a job still open moves, checked by the update itself: of links followed at once, one moves it.
        let pending = crate::model::PENDING_JOB_STATES
            .iter()
            .map(|s| format!("'{s}'"))
            .collect::<Vec<_>>()
            .join(", ");
        let moved = |to: &str| {
            format!("UPDATE credential_binding_jobs SET state = '{to}', update_time = ? WHERE id = ? AND state IN ({pending})")
        };
        let to = match step {
            LinkStep::Open => "LINK_OPENED",
            LinkStep::Decline => "EXPIRED",
            LinkStep::Complete => "COMPLETE",
        };
        let changed = sqlx::query(&moved(to))
            .bind(&t)
            .bind(&job.id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if changed == 1 && matches!(step, LinkStep::Complete) {
            let credential = new_passkey(&mut tx, &job.realm_id, &job.identity_id, &t).await?;
            sqlx::query("UPDATE credential_binding_jobs SET credential_id = ? WHERE id = ?")
                .bind(&credential)
                .bind(&job.id)
                .execute(&mut *tx)
                .await?;
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
        use sqlx::Row;
        let rows = sqlx::query(
            "SELECT realm_id, identity_id, job_id, recipient, subject, link, create_time FROM outbox \
             WHERE ?1 IS NULL OR realm_id = ?1 ORDER BY seq DESC LIMIT ?2",
        )
        .bind(realm)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        // The model (shared with the browser) knows no database: the row is read here.
        Ok(rows
            .iter()
            .map(|r| OutboxMessage {
                realm_id: r.get("realm_id"),
                identity_id: r.get("identity_id"),
                job_id: r.get("job_id"),
                recipient: r.get("recipient"),
                subject: r.get("subject"),
                link: r.get("link"),
                create_time: r.get("create_time"),
            })
            .collect())
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
                let mut tx = self.pool.begin().await?;
                new_passkey(&mut tx, realm, identity, &t).await?;
                tx.commit().await?;
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

}

/// What the person did with an enrollment link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkStep {
    Open,
    Complete,
    Decline,
}
