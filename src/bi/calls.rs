//! BI's operations, one method each: realms, identities, groups and membership (the list calls at the end, one line
//! each). Reads take a realm; writes take a
//! [`Permit`] for their kind of write and go to the permit's realm (see `crate::permit`).

use reqwest::Method;
use serde::de::DeserializeOwned;

use super::wire::*;
use super::{seg, BiError, Client};
use crate::model::{AuthenticatorConfig, Credential, CredentialBindingJob, Group, Identity, Realm};
use crate::permit::{act, PatchesIdentity, Permit, Target, Targets};

/// Nothing to send.
const NO_BODY: Option<&()> = None;

impl Client {
    fn realm_path(&self, realm: &str) -> Result<String, BiError> {
        Ok(format!("{}/realms/{}", self.tenant_base, seg(realm)?))
    }

    /// `…/realms/{realm}/{collection}`, e.g. `identities`, `groups`, `identities:batchDelete`.
    fn collection(&self, realm: &str, collection: &str) -> Result<String, BiError> {
        Ok(format!("{}/{collection}", self.realm_path(realm)?))
    }

    /// `…/realms/{realm}/{collection}/{id}{suffix}`, e.g. `groups/{id}:addMembers`.
    fn item(
        &self,
        realm: &str,
        collection: &str,
        id: &str,
        suffix: &str,
    ) -> Result<String, BiError> {
        Ok(format!(
            "{}/{collection}/{}{suffix}",
            self.realm_path(realm)?,
            seg(id)?
        ))
    }

    /// One page of a list: BI's `List…Response` turned into a [`BiPage`].
    async fn list<R, T>(
        &self,
        url: Result<String, BiError>,
        query: &ListQuery,
    ) -> Result<BiPage<T>, BiError>
    where
        R: DeserializeOwned + Into<BiPage<T>>,
    {
        let r: R = self.call(Method::GET, &url?, Some(query), NO_BODY).await?;
        Ok(r.into())
    }

    async fn get<T: DeserializeOwned>(&self, url: Result<String, BiError>) -> Result<T, BiError> {
        self.call(Method::GET, &url?, None, NO_BODY).await
    }

    // --- realms --------------------------------------------------------------------------------------------------

    pub async fn get_realm(&self, realm: &str) -> Result<Realm, BiError> {
        self.get(self.realm_path(realm)).await
    }

    // --- identities ----------------------------------------------------------------------------------------------

    pub async fn get_identity(&self, realm: &str, id: &str) -> Result<Identity, BiError> {
        self.get(self.item(realm, "identities", id, "")).await
    }

    pub async fn create_identity(
        &self,
        permit: &Permit<act::CreateIdentity>,
        identity: &IdentityWrite,
    ) -> Result<Identity, BiError> {
        let url = self.collection(permit.realm(), "identities")?;
        let body = IdentityEnvelope { identity };
        self.call(Method::POST, &url, None, Some(&body)).await
    }

    /// PATCH: only the fields set in `patch` change.
    pub async fn update_identity<A: PatchesIdentity>(
        &self,
        target: &Target<'_, A>,
        patch: &IdentityWrite,
    ) -> Result<Identity, BiError> {
        let url = self.item(target.realm(), "identities", target.id(), "")?;
        let body = IdentityEnvelope { identity: patch };
        self.call(Method::PATCH, &url, None, Some(&body)).await
    }

    pub async fn delete_identity(
        &self,
        target: &Target<'_, act::DeleteIdentity>,
    ) -> Result<(), BiError> {
        let url = self.item(target.realm(), "identities", target.id(), "")?;
        self.call_empty(Method::DELETE, &url, NO_BODY).await
    }

    /// One `:batchDelete` call: 1–1000 ids, all deleted or none.
    pub async fn batch_delete_identities(
        &self,
        targets: &Targets<'_, act::DeleteIdentity>,
    ) -> Result<(), BiError> {
        let url = self.collection(targets.realm(), "identities:batchDelete")?;
        let body = BatchDeleteRequest {
            ids: targets.ids().to_vec(),
        };
        self.call_empty(Method::POST, &url, Some(&body)).await
    }

    // --- groups --------------------------------------------------------------------------------------------------

    pub async fn get_group(&self, realm: &str, id: &str) -> Result<Group, BiError> {
        self.get(self.item(realm, "groups", id, "")).await
    }

    pub async fn create_group(
        &self,
        permit: &Permit<act::CreateGroup>,
        group: &GroupWrite,
    ) -> Result<Group, BiError> {
        let url = self.collection(permit.realm(), "groups")?;
        self.call(Method::POST, &url, None, Some(&GroupEnvelope { group }))
            .await
    }

    pub async fn update_group(
        &self,
        permit: &Permit<act::EditGroup>,
        id: &str,
        patch: &GroupWrite,
    ) -> Result<Group, BiError> {
        let url = self.item(permit.realm(), "groups", id, "")?;
        let body = GroupEnvelope { group: patch };
        self.call(Method::PATCH, &url, None, Some(&body)).await
    }

    pub async fn delete_group(
        &self,
        permit: &Permit<act::DeleteGroup>,
        id: &str,
    ) -> Result<(), BiError> {
        let url = self.item(permit.realm(), "groups", id, "")?;
        self.call_empty(Method::DELETE, &url, NO_BODY).await
    }

    /// One `:addMembers` call (1–1000 ids); answers the group.
    pub async fn add_members(
        &self,
        permit: &Permit<act::ManageMembers>,
        group: &str,
        identity_ids: &[String],
    ) -> Result<Group, BiError> {
        self.change_members(permit, group, ":addMembers", identity_ids)
            .await
    }

    /// One `:deleteMembers` call (1–1000 ids); answers the group.
    pub async fn delete_members(
        &self,
        permit: &Permit<act::ManageMembers>,
        group: &str,
        identity_ids: &[String],
    ) -> Result<Group, BiError> {
        self.change_members(permit, group, ":deleteMembers", identity_ids)
            .await
    }

    // --- passkeys ------------------------------------------------------------------------------------------------

    pub async fn get_authenticator_config(
        &self,
        realm: &str,
        id: &str,
    ) -> Result<AuthenticatorConfig, BiError> {
        self.get(self.item(realm, "authenticator-configs", id, ""))
            .await
    }

    /// `…/identities/{identity}/{what}{/id}{suffix}`: an identity's credentials or credential binding jobs.
    fn identity_item(
        &self,
        realm: &str,
        identity: &str,
        what: &str,
        id: Option<&str>,
        suffix: &str,
    ) -> Result<String, BiError> {
        let base = self.item(realm, "identities", identity, "")?;
        Ok(match id {
            None => format!("{base}/{what}"),
            Some(id) => format!("{base}/{what}/{}{suffix}", seg(id)?),
        })
    }

    pub async fn get_credential(
        &self,
        realm: &str,
        identity: &str,
        id: &str,
    ) -> Result<Credential, BiError> {
        self.get(self.identity_item(realm, identity, "credentials", Some(id), ""))
            .await
    }

    /// Revokes a passkey; answers it (state `REVOKED`).
    pub async fn revoke_credential(
        &self,
        target: &Target<'_, act::RevokePasskey>,
        id: &str,
    ) -> Result<Credential, BiError> {
        // BI's RevokeCredential takes no body.
        let (realm, identity) = (target.realm(), target.id());
        let url = self.identity_item(realm, identity, "credentials", Some(id), ":revoke")?;
        self.call(Method::POST, &url, None, NO_BODY).await
    }

    /// Creates a credential binding job (an invitation): by email, or with the link in the answer (`RETURN`).
    pub async fn create_credential_binding_job(
        &self,
        target: &Target<'_, act::Invite>,
        job: &JobWrite,
    ) -> Result<CreatedJob, BiError> {
        let url = self.identity_item(
            target.realm(),
            target.id(),
            "credential-binding-jobs",
            None,
            "",
        )?;
        let body = JobEnvelope { job: job.clone() };
        self.call(Method::POST, &url, None, Some(&body)).await
    }

    pub async fn get_credential_binding_job(
        &self,
        realm: &str,
        identity: &str,
        id: &str,
    ) -> Result<CredentialBindingJob, BiError> {
        let url = self.identity_item(realm, identity, "credential-binding-jobs", Some(id), "");
        self.get(url).await
    }

    /// Revokes an invitation that is still open (BI refuses one that completed: 409).
    pub async fn revoke_credential_binding_job(
        &self,
        target: &Target<'_, act::Invite>,
        id: &str,
    ) -> Result<CredentialBindingJob, BiError> {
        let url = self.identity_item(
            target.realm(),
            target.id(),
            "credential-binding-jobs",
            Some(id),
            ":revoke",
        )?;
        self.call(Method::POST, &url, None, Some(&serde_json::json!({})))
            .await
    }

    /// One batch of invitations by email (1–1000 identities); answers the batch (state `RUNNING` at first).
    pub async fn create_batch_credential_binding_job(
        &self,
        targets: &Targets<'_, act::Invite>,
        template: &JobTemplate,
    ) -> Result<BatchJob, BiError> {
        let url = self.collection(targets.realm(), "batch-credential-binding-jobs")?;
        let body = BatchJobEnvelope {
            batch_credential_binding_job: BatchJob {
                identity_ids: targets.ids().to_vec(),
                job_template: template.clone(),
                ..BatchJob::default()
            },
        };
        self.call(Method::POST, &url, None, Some(&body)).await
    }

    pub async fn get_batch_credential_binding_job(
        &self,
        realm: &str,
        id: &str,
    ) -> Result<BatchJob, BiError> {
        self.get(self.item(realm, "batch-credential-binding-jobs", id, ""))
            .await
    }

    /// One page of a batch's results: its jobs, and how many succeeded, failed and are pending.
    pub async fn list_batch_results(
        &self,
        realm: &str,
        batch: &str,
        query: &ListQuery,
    ) -> Result<BatchResults, BiError> {
        let url = self.item(realm, "batch-credential-binding-jobs", batch, ":listResults")?;
        self.call(Method::GET, &url, Some(query), NO_BODY).await
    }

    async fn change_members(
        &self,
        permit: &Permit<act::ManageMembers>,
        group: &str,
        verb: &str,
        identity_ids: &[String],
    ) -> Result<Group, BiError> {
        let url = self.item(permit.realm(), "groups", group, verb)?;
        let body = MembersRequest {
            identity_ids: identity_ids.to_vec(),
        };
        self.call(Method::POST, &url, None, Some(&body)).await
    }
}

/// BI's list calls, one line each: the method, its path arguments, what it lists, BI's answer type and the path.
/// Each answers one page of its list as a [`BiPage`].
macro_rules! list_calls {
    ($($name:ident($($arg:ident),*) -> $item:ty, $answer:ty, $url:expr;)*) => {
        impl Client {
            $(
                #[doc = concat!("One page of `", stringify!($name), "` (BI's `", stringify!($answer), "`).")]
                pub async fn $name(&self, $($arg: &str,)* query: &ListQuery) -> Result<BiPage<$item>, BiError> {
                    let url: Result<String, BiError> = $url(self, $($arg),*);
                    self.list::<$answer, _>(url, query).await
                }
            )*
        }
    };
}

list_calls! {
    list_realms() -> Realm, ListRealmsResponse, |c: &Client| Ok(format!("{}/realms", c.tenant_base));
    list_identities(realm) -> Identity, ListIdentitiesResponse, |c: &Client, r| c.collection(r, "identities");
    list_identity_groups(realm, id) -> Group, ListGroupsResponse,
        |c: &Client, r, i| c.item(r, "identities", i, ":listGroups");
    list_groups(realm) -> Group, ListGroupsResponse, |c: &Client, r| c.collection(r, "groups");
    list_members(realm, group) -> Identity, ListIdentitiesResponse,
        |c: &Client, r, g| c.item(r, "groups", g, ":listMembers");
    list_authenticator_configs(realm) -> AuthenticatorConfig, ListAuthenticatorConfigsResponse,
        |c: &Client, r| c.collection(r, "authenticator-configs");
    list_credentials(realm, identity) -> Credential, ListCredentialsResponse,
        |c: &Client, r, i| c.identity_item(r, i, "credentials", None, "");
    list_credential_binding_jobs(realm, identity) -> CredentialBindingJob, ListCredentialBindingJobsResponse,
        |c: &Client, r, i| c.identity_item(r, i, "credential-binding-jobs", None, "");
}
