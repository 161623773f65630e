//! Server functions for identities: list and search, view, add, edit, suspend/unsuspend, delete (also in bulk).

use leptos::prelude::*;

use crate::model::{AppError, BulkOp, BulkResult, Group, Identity, IdentityInput, PageView};
#[cfg(feature = "ssr")]
use ssr::*;
#[cfg(feature = "ssr")]
use {
    super::checks::{permit, service, service_of, state},
    super::errors,
    crate::audit::Event,
    crate::model::Action,
    crate::model::AuditAction,
    crate::permit::act,
    crate::service::Indexed,
};

/// One numbered page of a realm's identities, or the identity whose username is `q` (BI's only filter).
/// Exactly one BI call.
#[server(output = crate::api::codec::TextJson)]
pub async fn list_identities(
    realm: String,
    page: u32,
    size: u32,
    q: String,
) -> Result<PageView<Identity>, AppError> {
    use crate::bi::forms::username_filter;
    use crate::bi::wire::ListQuery;
    use crate::model::clamp_page_size;
    super::checks::allow_in(Action::Read, &realm).await?;
    let s = state()?;
    let size = clamp_page_size(Some(size));
    let page = page.max(1);
    let q = q.trim();
    let filter = (!q.is_empty()).then(|| username_filter(q));
    let result = errors::bi(
        "list identities",
        s.client
            .list_identities(&realm, &ListQuery::numbered(page, size).with_filter(filter)),
    )
    .await?;
    Ok(result.numbered(page, size))
}

/// An identity with the groups it belongs to (the first 200; `groups_total` says how many in all).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct IdentityDetail {
    pub identity: Identity,
    pub groups: Vec<Group>,
    pub groups_total: u64,
    /// A member of a protected group (`CONSOLE_PROTECTED_GROUPS`): only an admin may change it.
    pub protected: bool,
}

/// An identity and its groups: two BI calls, made concurrently (BI has no call that returns both).
#[server(output = crate::api::codec::TextJson)]
pub async fn get_identity(realm: String, id: String) -> Result<IdentityDetail, AppError> {
    use crate::bi::wire::ListQuery;
    let op = super::checks::allow_in(Action::Read, &realm).await?;
    let s = state()?;
    let groups_query = ListQuery {
        page_size: Some(crate::model::MAX_PAGE_SIZE),
        ..ListQuery::default()
    };
    let (identity, groups) = tokio::join!(
        s.client.get_identity(&realm, &id),
        s.client.list_identity_groups(&realm, &id, &groups_query)
    );
    // The live record keeps the directory index current: gone at BI, it leaves the index too.
    let svc = service(&op)?;
    match &identity {
        Ok(found) => {
            svc.index(&realm, Indexed::Put(Box::new(found.clone())))
                .await
        }
        Err(e) if e.is_not_found() => svc.index(&realm, Indexed::Removed(vec![id.clone()])).await,
        Err(_) => {}
    }
    let identity = identity.map_err(|e| errors::from_bi("get identity", e))?;
    let groups = groups.map_err(|e| errors::from_bi("list the identity's groups", e))?;
    let protected = groups.items.iter().any(|g| s.is_protected_group(g));
    Ok(IdentityDetail {
        identity,
        groups: groups.items,
        groups_total: groups.total_size,
        protected,
    })
}

/// Saves an edit: validates with the form's rules, then PATCHes only the fields that differ from what the form was
/// opened with (`original`). Nothing changed → no BI call. On success the browser goes back to the identity.
#[server(output = crate::api::codec::TextJson)]
pub async fn update_identity(
    realm: String,
    id: String,
    input: IdentityInput,
    original: IdentityInput,
) -> Result<(), AppError> {
    use crate::bi::forms::ToBi;
    let permit = permit::<act::EditIdentity>(&realm).await?;
    let posted = super::forms::Posted {
        form: identity_url(&realm, &id, "/edit"),
        values: input.pairs(),
        problems: input.validate(),
    };
    let write = async |p: &crate::permit::Permit<act::EditIdentity>| {
        let Some(patch) = input.to_patch(&original) else {
            return Ok(());
        };
        let svc = service_of(p)?;
        // The audit's "before" and the target's name are BI's, read here, never what the browser says.
        let before = svc
            .bi("get identity", svc.state.client.get_identity(&realm, &id))
            .await?;
        let before = IdentityInput::from_identity(&before);
        let target = super::checks::on_identity(p, &id).await?;
        let event = |outcome: &Result<Identity, AppError>| {
            let after = match outcome {
                Ok(updated) => IdentityInput::from_identity(updated),
                Err(_) => input.clone(),
            };
            let detail = after.describe_change(&before);
            Event::new(
                AuditAction::IdentityUpdate,
                &realm,
                &id,
                &before.username,
                detail,
            )
        };
        let call = svc.state.client.update_identity_verified(&target, &patch);
        svc.write("update identity", call, event, |updated| {
            Some(Indexed::Put(Box::new(updated.clone())))
        })
        .await?;
        Ok(())
    };
    let done = |_: &()| identity_url(&realm, &id, "?updated=1");
    super::forms::form_write(Ok(permit), posted, write, done).await?;
    Ok(())
}

/// Suspends (`suspend = true`) or reactivates an identity: one PATCH of `status` only.
#[server(output = crate::api::codec::TextJson)]
pub async fn set_identity_status(
    realm: String,
    id: String,
    suspend: bool,
) -> Result<Identity, AppError> {
    use crate::bi::wire::IdentityWrite;
    let permit = permit::<act::SetStatus>(&realm).await?;
    let patch = IdentityWrite::status_change(suspend);
    let (verb, action) = if suspend {
        ("suspend identity", AuditAction::IdentitySuspend)
    } else {
        ("unsuspend identity", AuditAction::IdentityUnsuspend)
    };
    let target = super::checks::on_identity(&permit, &id).await?;
    let svc = service_of(&permit)?;
    let detail = format!("status → {}", patch.status.clone().unwrap_or_default());
    let event = |outcome: &Result<Identity, AppError>| {
        let name = outcome
            .as_ref()
            .map(|i| i.username().to_string())
            .unwrap_or_default();
        Event::new(action, &realm, &id, &name, detail)
    };
    let call = svc.state.client.update_identity_verified(&target, &patch);
    svc.write(verb, call, event, |changed| {
        Some(Indexed::Put(Box::new(changed.clone())))
    })
    .await
}

/// Deletes one identity.
#[server(output = crate::api::codec::TextJson)]
pub async fn delete_identity(realm: String, id: String) -> Result<(), AppError> {
    let permit = permit::<act::DeleteIdentity>(&realm).await?;
    let svc = service_of(&permit)?;
    // Read it first, so the audit log names what was deleted.
    let before = svc
        .bi(
            "delete identity",
            svc.state.client.get_identity(&realm, &id),
        )
        .await?;
    let target = super::checks::on_identity(&permit, &id).await?;
    let detail = format!("{} ({})", before.display_name, before.username());
    let event = |_: &Result<(), AppError>| {
        Event::new(
            AuditAction::IdentityDelete,
            &realm,
            &id,
            before.username(),
            detail,
        )
    };
    let call = svc.state.client.delete_identity(&target);
    svc.write("delete identity", call, event, |_| {
        Some(Indexed::Removed(vec![id.clone()]))
    })
    .await
}

/// Suspends, unsuspends or deletes the given identities; answers how many succeeded and which failed, and why.
#[server(output = crate::api::codec::TextJson)]
pub async fn bulk_identities(
    realm: String,
    op: BulkOp,
    ids: Vec<String>,
) -> Result<BulkResult, AppError> {
    use super::bulk::BulkWrite;
    let write = match op {
        BulkOp::Delete => BulkWrite::Delete(permit(&realm).await?),
        BulkOp::Suspend => BulkWrite::Suspend(permit(&realm).await?),
        BulkOp::Unsuspend => BulkWrite::Unsuspend(permit(&realm).await?),
    };
    let ids = super::checks::checked_ids(ids, crate::model::limits::MAX_SELECTED_IDS, "identity")?;
    let s = state()?;
    let (protection, svc) = match &write {
        BulkWrite::Delete(p) => {
            let svc = service_of(p)?;
            (svc.protection(p, &ids).await?, svc)
        }
        BulkWrite::Suspend(p) => {
            let svc = service_of(p)?;
            (svc.protection(p, &ids).await?, svc)
        }
        BulkWrite::Unsuspend(p) => {
            let svc = service_of(p)?;
            (svc.protection(p, &ids).await?, svc)
        }
    };
    let result = super::bulk::run(&s.client, &write, &ids, &protection).await;
    let failed: std::collections::HashSet<&str> =
        result.failed.iter().map(|f| f.id.as_str()).collect();
    let done: Vec<String> = ids
        .iter()
        .filter(|id| !failed.contains(id.as_str()))
        .cloned()
        .collect();
    let name = format!("{} identities", ids.len());
    let event = Event::new(
        AuditAction::IdentitiesBulk,
        &realm,
        "",
        &name,
        result.describe(op),
    )
    .with_subjects(ids);
    svc.record(event, &super::checks::partial(result.failed.len()))
        .await;
    let change = match op {
        BulkOp::Delete => Indexed::Removed(done),
        BulkOp::Suspend => Indexed::Status(done, crate::model::STATUS_SUSPENDED),
        BulkOp::Unsuspend => Indexed::Status(done, crate::model::STATUS_ACTIVE),
    };
    svc.index(&realm, change).await;
    Ok(result)
}

/// What the server functions above do on the server only.
#[cfg(feature = "ssr")]
mod ssr {

    /// `/realms/{realm}/identities/{id}{rest}`, each part percent-encoded.
    pub(super) fn identity_url(realm: &str, id: &str, rest: &str) -> String {
        use crate::model::encode_component as enc;
        format!("/realms/{}/identities/{}{rest}", enc(realm), enc(id))
    }
}
