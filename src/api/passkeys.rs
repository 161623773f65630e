//! Server functions for an identity's passkeys: what it has (passkeys, invitations, the realm's authenticator
//! configurations), sending an invitation by email or making an enrollment link, and revoking a passkey or an
//! invitation that is still open. Every write is checked by its permit, recorded, and brings the directory index's
//! row of the identity up to date (its enrollment status follows).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::model::{AppError, AuthenticatorConfig, Credential, CredentialBindingJob};
#[cfg(feature = "ssr")]
pub(in crate::api) use ssr::*;
#[cfg(feature = "ssr")]
use {
    super::checks::{allow_in, permit, recorded, state},
    super::errors,
    crate::audit::Event,
    crate::model::AuditAction,
};

/// An identity's passkeys and invitations (newest first), and the realm's authenticator configurations.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeysView {
    pub credentials: Vec<Credential>,
    pub credentials_total: u64,
    pub jobs: Vec<CredentialBindingJob>,
    pub jobs_total: u64,
    pub configs: Vec<AuthenticatorConfig>,
    /// The configuration an invitation starts from (see [`crate::model::default_config`]).
    pub default_config: String,
}

/// A sent invitation: the job, the link when the operator asked for one (never otherwise), and the identity's
/// enrollment status after it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    pub job: CredentialBindingJob,
    pub link: Option<String>,
    pub enrollment: String,
}

/// An identity's passkeys and invitations (the latest 200 of each) and the realm's authenticator configurations:
/// three BI calls at once.
#[server(output = crate::api::codec::TextJson)]
pub async fn identity_passkeys(realm: String, identity: String) -> Result<PasskeysView, AppError> {
    use crate::bi::wire::ListQuery;
    allow_in(crate::model::Action::Read, &realm).await?;
    let s = state()?;
    let q = ListQuery {
        page_size: Some(crate::model::MAX_PAGE_SIZE),
        ..ListQuery::default()
    };
    let (credentials, jobs, configs) = tokio::join!(
        s.client.list_credentials(&realm, &identity, &q),
        s.client.list_credential_binding_jobs(&realm, &identity, &q),
        s.client.list_authenticator_configs(&realm, &q)
    );
    let credentials = credentials.map_err(|e| errors::from_bi("list passkeys", e))?;
    let jobs = jobs.map_err(|e| errors::from_bi("list passkey invitations", e))?;
    let configs = configs.map_err(|e| errors::from_bi("list authenticator configurations", e))?;
    let newest_first = |a: &Option<String>, b: &Option<String>| b.cmp(a);
    let mut credential_items = credentials.items;
    credential_items.sort_by(|a, b| newest_first(&a.create_time, &b.create_time));
    let mut job_items = jobs.items;
    job_items.sort_by(|a, b| newest_first(&a.create_time, &b.create_time));
    let remembered = s
        .preference(&realm, crate::preferences::INVITATION_CONFIG)
        .await;
    Ok(PasskeysView {
        credentials: credential_items,
        credentials_total: credentials.total_size,
        jobs: job_items,
        jobs_total: jobs.total_size,
        default_config: crate::model::default_config(&configs.items, remembered.as_deref()),
        configs: configs.items,
    })
}

/// Sends a passkey invitation: by email (`link = false`), or as an enrollment link answered to the operator, who
/// asked for it to help someone in person (`link = true`). `config` is the authenticator configuration.
#[server(output = crate::api::codec::TextJson)]
pub async fn send_passkey_invitation(
    realm: String,
    identity: String,
    config: String,
    link: bool,
) -> Result<Invitation, AppError> {
    let permit = permit::<crate::permit::act::Invite>(&realm).await?;
    super::checks::checked_ids(vec![identity.clone()], 1, "identity")?;
    if config.trim().is_empty() {
        return Err(super::checks::bad_request(
            "Choose an authenticator configuration.",
        ));
    }
    invite(&permit, &identity, config.trim(), link).await
}

/// Revokes an invitation that is still open (BI refuses one that completed).
#[server(output = crate::api::codec::TextJson)]
pub async fn revoke_passkey_invitation(
    realm: String,
    identity: String,
    job: String,
) -> Result<CredentialBindingJob, AppError> {
    let permit = permit::<crate::permit::act::Invite>(&realm).await?;
    let s = state()?;
    let target = super::checks::on_identity(&permit, &identity).await?;
    let outcome = s.client.revoke_credential_binding_job(&target, &job).await;
    let detail = format!("invitation {job} revoked");
    revoked(
        &permit,
        &identity,
        AuditAction::PasskeyInviteRevoke,
        detail,
        outcome,
        "revoke the invitation",
    )
    .await
}

/// Revokes a passkey (a lost device): it can no longer be used to sign in.
#[server(output = crate::api::codec::TextJson)]
pub async fn revoke_passkey(
    realm: String,
    identity: String,
    credential: String,
) -> Result<Credential, AppError> {
    let permit = permit::<crate::permit::act::RevokePasskey>(&realm).await?;
    let s = state()?;
    let target = super::checks::on_identity(&permit, &identity).await?;
    let outcome = s.client.revoke_credential(&target, &credential).await;
    let detail = format!("passkey {credential} revoked");
    revoked(
        &permit,
        &identity,
        AuditAction::PasskeyRevoke,
        detail,
        outcome,
        "revoke the passkey",
    )
    .await
}

/// The sandbox's outbox for a realm: the invitations it "emailed" (newest 100), with their enrollment links. Only
/// in sandbox mode, to operators who may send invitations in the realm: a link completes an enrollment, so it is
/// as good as sending one.
#[server(output = crate::api::codec::TextJson)]
pub async fn sandbox_outbox(realm: String) -> Result<Vec<crate::model::OutboxMessage>, AppError> {
    allow_in(crate::model::Action::Invite, &realm).await?;
    let s = state()?;
    let Some(sandbox) = &s.sandbox else {
        return Err(super::checks::bad_request(
            "There is no outbox: the console is connected to BI, which sends its own emails.",
        ));
    };
    sandbox
        .store()
        .outbox(Some(&realm), 100)
        .await
        .map_err(|e| AppError::new(e.body.message))
}

/// What the server functions above do on the server only.
#[cfg(feature = "ssr")]
mod ssr {
    use super::*;

    /// The identity as BI has it now, kept in the directory index (its enrollment status changed); its username for
    /// the audit log.
    pub(super) async fn after_change(realm: &str, identity: &str) -> (String, String) {
        let Ok(s) = state() else {
            return (String::new(), String::new());
        };
        match s.client.get_identity(realm, identity).await {
            Ok(now) => {
                super::super::search::index_change(
                    realm,
                    crate::service::Indexed::Put(Box::new(now.clone())),
                )
                .await;
                (
                    now.username().to_string(),
                    now.enrollment_status.unwrap_or_default(),
                )
            }
            Err(_) => (String::new(), String::new()),
        }
    }

    /// Sends one invitation with `permit` (see [`send_passkey_invitation`]), records it, and remembers `config` as the
    /// realm's default for the next one.
    pub(in crate::api) async fn invite(
        permit: &crate::permit::Permit<crate::permit::act::Invite>,
        identity: &str,
        config: &str,
        link: bool,
    ) -> Result<Invitation, AppError> {
        use crate::bi::wire::JobWrite;
        use crate::model::{DELIVERY_EMAIL, DELIVERY_RETURN};
        let realm = permit.realm();
        let job = JobWrite {
            delivery_method: if link {
                DELIVERY_RETURN
            } else {
                DELIVERY_EMAIL
            }
            .to_string(),
            authenticator_config_id: config.to_string(),
            post_binding_redirect_uri: None,
        };
        let s = state()?;
        let target = super::super::checks::on_identity(permit, identity).await?;
        let made = s
            .client
            .create_credential_binding_job(&target, &job)
            .await
            .map_err(|e| {
                if e.status() == Some(422) {
                    AppError {
                        status: Some(422),
                        code: Some("unprocessable_entity".into()),
                        ..AppError::new(
                            "This identity has no email address, so BI cannot email an invitation. Get an enrollment link instead, or add an email address first.",
                        )
                    }
                } else {
                    errors::from_bi("send a passkey invitation", e)
                }
            });
        let (username, enrollment) = after_change(realm, identity).await;
        let (action, detail) = match (&made, link) {
            (Ok(m), false) if m.credential_binding_job.state == "FAILED_TO_SEND" => (
                AuditAction::PasskeyInvite,
                "invitation by email: BI could not send it".to_string(),
            ),
            (_, false) => (
                AuditAction::PasskeyInvite,
                "invitation sent by email".to_string(),
            ),
            (_, true) => (
                AuditAction::PasskeyLink,
                "enrollment link made for the operator".to_string(),
            ),
        };
        let event = Event::new(action, realm, identity, &username, detail);
        let made = recorded(permit, event, made).await?;
        if let Some(prefs) = &s.preferences {
            prefs
                .set(realm, crate::preferences::INVITATION_CONFIG, config)
                .await;
        }
        Ok(Invitation {
            job: made.credential_binding_job,
            link: if link {
                made.credential_binding_link
            } else {
                None
            },
            enrollment,
        })
    }

    /// A revocation: the write, then the identity read again (its enrollment status follows) and the write recorded.
    pub(super) async fn revoked<A: crate::permit::Act, T>(
        permit: &crate::permit::Permit<A>,
        identity: &str,
        action: crate::model::AuditAction,
        detail: String,
        outcome: Result<T, crate::bi::BiError>,
        doing: &str,
    ) -> Result<T, AppError> {
        let realm = permit.realm();
        let outcome = outcome.map_err(|e| errors::from_bi(doing, e));
        let (username, _) = after_change(realm, identity).await;
        let event = Event::new(action, realm, identity, &username, detail);
        recorded(permit, event, outcome).await
    }

    /// The realm's authenticator configurations (BI's first page of 200): one BI call.
    pub(in crate::api) async fn realm_configs(
        realm: &str,
    ) -> Result<Vec<AuthenticatorConfig>, AppError> {
        realm_configs_of(&state()?, realm).await
    }

    /// [`realm_configs`] with the state given (for work outside a request).
    pub(super) async fn realm_configs_of(
        s: &crate::state::AppState,
        realm: &str,
    ) -> Result<Vec<AuthenticatorConfig>, AppError> {
        let query = crate::bi::wire::ListQuery {
            page_size: Some(crate::model::MAX_PAGE_SIZE),
            ..Default::default()
        };
        errors::bi(
            "list authenticator configurations",
            s.client.list_authenticator_configs(realm, &query),
        )
        .await
        .map(|page| page.items)
    }

    /// The configuration an invitation from `realm` starts from (see [`crate::model::default_config`]), if the realm has
    /// one.
    pub(in crate::api) async fn realm_default_config(
        s: &crate::state::AppState,
        realm: &str,
    ) -> Result<Option<AuthenticatorConfig>, AppError> {
        let configs = realm_configs_of(s, realm).await?;
        let remembered = s
            .preference(realm, crate::preferences::INVITATION_CONFIG)
            .await;
        let id = crate::model::default_config(&configs, remembered.as_deref());
        Ok(configs.into_iter().find(|c| c.id == id))
    }
}
