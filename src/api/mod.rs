//! Server functions: thin. Each one checks its input, makes the BI call(s) and maps a BI error to an [`AppError`].
//! No business logic lives here beyond that mapping.

mod audit;
#[cfg(feature = "ssr")]
pub mod bulk;
#[cfg(feature = "ssr")]
pub mod errors;
mod groups;
#[cfg(feature = "ssr")]
pub mod members;

pub use audit::*;
pub use groups::*;

use leptos::prelude::*;

use crate::model::{AppError, ConsoleInfo, Identity, PageView, Realm};

#[cfg(feature = "ssr")]
pub(crate) fn state() -> Result<crate::state::AppState, AppError> {
    use_context::<crate::state::AppState>()
        .ok_or_else(|| AppError::new("the console is not configured"))
}

/// The operator making this call, if signed in and their role allows `action` (else 401 / 403).
#[cfg(feature = "ssr")]
pub(crate) fn allow(action: crate::model::Action) -> Result<crate::model::OperatorView, AppError> {
    crate::auth::web::authorize(action)
}

/// The operator, if their role allows `action` and they may use `realm` (else 401 / 403; a refused realm is
/// recorded in the audit log).
#[cfg(feature = "ssr")]
pub(crate) async fn allow_in(
    action: crate::model::Action,
    realm: &str,
) -> Result<crate::model::OperatorView, AppError> {
    let op = allow(action)?;
    if op.may_use(realm) {
        return Ok(op);
    }
    let refused = forbidden("Your operator account may not use this realm.");
    let event = crate::audit::Event {
        action: "refused.realm",
        realm: realm.to_string(),
        target_id: String::new(),
        target_name: String::new(),
        detail: format!("{action:?} in a realm outside the operator's realms"),
        subjects: Vec::new(),
    };
    record(&op, event, &Err::<(), _>(refused.clone())).await;
    Err(refused)
}

/// A refusal (403) the operator reads.
#[cfg(feature = "ssr")]
fn forbidden(message: &str) -> AppError {
    if let Some(r) = use_context::<leptos_axum::ResponseOptions>() {
        r.set_status(axum::http::StatusCode::FORBIDDEN);
    }
    AppError {
        status: Some(403),
        code: Some("forbidden".into()),
        ..AppError::new(message)
    }
}

/// Whether `group` is protected (`CONSOLE_PROTECTED_GROUPS`, by id or name). Its name is read from BI only when a
/// protected name could match.
#[cfg(feature = "ssr")]
pub(crate) async fn is_protected(realm: &str, group: &str) -> Result<bool, AppError> {
    let s = state()?;
    let p = &s.protected_groups;
    if p.is_empty() {
        return Ok(false);
    }
    if p.iter().any(|x| x == group) {
        return Ok(true);
    }
    let g = s
        .client
        .get_group(realm, group)
        .await
        .map_err(|e| errors::from_bi("get group", e))?;
    Ok(p.iter().any(|x| x.eq_ignore_ascii_case(&g.display_name)))
}

/// Refuses (403, recorded) a change to a protected group's membership or settings by anyone but an admin.
#[cfg(feature = "ssr")]
pub(crate) async fn check_group_not_protected(
    op: &crate::model::OperatorView,
    realm: &str,
    group: &str,
) -> Result<(), AppError> {
    if op.role == crate::model::Role::Admin || !is_protected(realm, group).await? {
        return Ok(());
    }
    let refused =
        forbidden("This group is protected: only an admin may change its members or settings.");
    let event = crate::audit::Event {
        action: "refused.protected_group",
        realm: realm.to_string(),
        target_id: group.to_string(),
        target_name: String::new(),
        detail: "a change to a protected group".into(),
        subjects: Vec::new(),
    };
    record(op, event, &Err::<(), _>(refused.clone())).await;
    Err(refused)
}

/// A refused request (400): the message is shown to the operator, nothing was sent to BI.
#[cfg(feature = "ssr")]
pub(crate) fn bad_request(message: impl Into<String>) -> AppError {
    if let Some(r) = use_context::<leptos_axum::ResponseOptions>() {
        r.set_status(axum::http::StatusCode::BAD_REQUEST);
    }
    AppError {
        status: Some(400),
        ..AppError::new(message)
    }
}

/// Checks a list of ids from the browser: at least one, at most `max` (see [`crate::model::limits`]), each a
/// well-formed id. Answers them without repeats, in their order. A list outside the bounds is refused whole.
#[cfg(feature = "ssr")]
pub(crate) fn checked_ids(
    ids: Vec<String>,
    max: usize,
    what: &str,
) -> Result<Vec<String>, AppError> {
    if ids.is_empty() {
        return Err(bad_request(format!("Select at least one {what}.")));
    }
    if ids.len() > max {
        return Err(bad_request(format!(
            "At most {max} {what}s at a time (this request has {}).",
            ids.len()
        )));
    }
    if let Some(bad) = ids.iter().find(|id| crate::bi::seg(id).is_err()) {
        let shown: String = bad.chars().take(40).flat_map(char::escape_debug).collect();
        return Err(bad_request(format!("'{shown}' is not a valid id.")));
    }
    let mut seen = std::collections::HashSet::with_capacity(ids.len());
    Ok(ids
        .into_iter()
        .filter(|id| seen.insert(id.clone()))
        .collect())
}

/// Records a write that reached BI in the audit log: `ok` with a fresh request id, or BI's error code with the
/// error's request id.
#[cfg(feature = "ssr")]
pub(crate) async fn record<T>(
    operator: &crate::model::OperatorView,
    event: crate::audit::Event,
    outcome: &Result<T, AppError>,
) {
    let (result, request_id) = match outcome {
        Ok(_) => ("ok".to_string(), errors::current_request_id()),
        Err(e) => (
            e.code.clone().unwrap_or_else(|| "error".into()),
            e.request_id.clone().unwrap_or_default(),
        ),
    };
    tracing::info!(operator = %operator.username, action = event.action, realm = %event.realm,
        target = %event.target_id, %result, %request_id, "change");
    if let Ok(s) = state() {
        if let Some(audit) = &s.audit {
            audit
                .record(&operator.username, event, &result, &request_id)
                .await;
        }
    }
}

/// The signed-in operator, for the top bar and for showing only what their role allows.
#[server]
pub async fn whoami() -> Result<crate::model::OperatorView, AppError> {
    allow(crate::model::Action::Read)
}

/// Where the console points (sandbox or BI region, tenant, default realm). Holds no secret.
#[server]
pub async fn get_console_info() -> Result<ConsoleInfo, AppError> {
    allow(crate::model::Action::Read)?;
    Ok(state()?.info)
}

/// True when the browser posted a plain HTML form (it asks for HTML), not the hydrated app (it asks for JSON).
#[cfg(feature = "ssr")]
pub(crate) async fn plain_form_post() -> bool {
    let headers: axum::http::HeaderMap = leptos_axum::extract().await.unwrap_or_default();
    headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// The session key of a [`crate::model::FormFlash`].
#[cfg(feature = "ssr")]
pub const FLASH_KEY: &str = "form_flash";

/// A write's outcome. When it failed and the browser posted a plain form (before the wasm has loaded, or without
/// JavaScript), what was typed and the error are kept in the session as a one-time flash for the form at `form`,
/// and the browser goes back there (a plain path: nothing typed and no message ever travels in the address, so a
/// crafted link cannot make the console show a message of its choosing); answers `None`.
#[cfg(feature = "ssr")]
pub(crate) async fn back_to_form<T>(
    outcome: Result<T, AppError>,
    form: String,
    values: Vec<(String, String)>,
) -> Result<Option<T>, AppError> {
    match outcome {
        Ok(v) => Ok(Some(v)),
        Err(e) if plain_form_post().await => {
            let session: Option<tower_sessions::Session> = leptos_axum::extract().await.ok();
            let flash = crate::model::FormFlash {
                path: form.clone(),
                values,
                error: e.clone(),
            };
            match session {
                Some(s) if s.insert(FLASH_KEY, flash).await.is_ok() => {
                    leptos_axum::redirect(&form);
                    Ok(None)
                }
                _ => Err(e),
            }
        }
        Err(e) => Err(e),
    }
}

/// The tenant's realms for the realm picker: at most 200 (BI's page ceiling), reused for a minute so the sidebar
/// does not add a BI call to every page view.
#[server]
pub async fn list_realms() -> Result<Vec<Realm>, AppError> {
    let op = allow(crate::model::Action::Read)?;
    let realms = state()?
        .realms()
        .await
        .map_err(|e| errors::from_bi("list realms", e))?;
    // Only the realms this operator may use.
    Ok(realms.into_iter().filter(|r| op.may_use(&r.id)).collect())
}

/// One numbered page of a realm's identities, or the identity whose username is `q` (BI's only filter).
/// Exactly one BI call.
#[server]
pub async fn list_identities(
    realm: String,
    page: u32,
    size: u32,
    q: String,
) -> Result<PageView<Identity>, AppError> {
    use crate::bi::forms::username_filter;
    use crate::bi::wire::ListQuery;
    use crate::model::clamp_page_size;
    allow_in(crate::model::Action::Read, &realm).await?;
    let s = state()?;
    let size = clamp_page_size(Some(size));
    let page = page.max(1);
    let q = q.trim();
    let filter = (!q.is_empty()).then(|| username_filter(q));
    let result = s
        .client
        .list_identities(&realm, &ListQuery::numbered(page, size).with_filter(filter))
        .await
        .map_err(|e| errors::from_bi("list identities", e))?;
    Ok(PageView {
        items: result.items,
        total: result.total_size,
        page,
        size,
    })
}

/// An identity with the groups it belongs to (the first 200; `groups_total` says how many in all).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct IdentityDetail {
    pub identity: Identity,
    pub groups: Vec<crate::model::Group>,
    pub groups_total: u64,
}

/// An identity and its groups: two BI calls, made concurrently (BI has no call that returns both).
#[server]
pub async fn get_identity(realm: String, id: String) -> Result<IdentityDetail, AppError> {
    use crate::bi::wire::ListQuery;
    allow_in(crate::model::Action::Read, &realm).await?;
    let s = state()?;
    let groups_query = ListQuery {
        page_size: Some(crate::model::MAX_PAGE_SIZE),
        ..ListQuery::default()
    };
    let (identity, groups) = tokio::join!(
        s.client.get_identity(&realm, &id),
        s.client.list_identity_groups(&realm, &id, &groups_query)
    );
    let identity = identity.map_err(|e| errors::from_bi("get identity", e))?;
    let groups = groups.map_err(|e| errors::from_bi("list the identity's groups", e))?;
    Ok(IdentityDetail {
        identity,
        groups: groups.items,
        groups_total: groups.total_size,
    })
}

/// Adds an identity. The same rules as the form run first; BI's own errors land on their fields. On success the
/// browser goes to the new identity's page.
#[server]
pub async fn create_identity(
    realm: String,
    display_name: String,
    username: String,
    email: String,
    external_id: String,
    given_name: String,
    family_name: String,
) -> Result<String, AppError> {
    use crate::model::IdentityInput;
    let input = IdentityInput {
        display_name,
        username,
        email,
        external_id,
        given_name,
        family_name,
    };
    let outcome = async {
        let operator = allow_in(crate::model::Action::CreateIdentity, &realm).await?;
        let fields = input.validate();
        if !fields.is_empty() {
            return Err(AppError::with_fields(crate::model::FIX_FIELDS, fields));
        }
        let s = state()?;
        let created = s
            .client
            .create_identity_verified(&realm, &crate::bi::forms::ToBi::to_create(&input))
            .await
            .map_err(|e| errors::from_bi("create identity", e));
        let event = crate::audit::Event {
            action: "identity.create",
            realm: realm.clone(),
            target_id: created.as_ref().map(|i| i.id.clone()).unwrap_or_default(),
            target_name: input.username.trim().to_string(),
            detail: input.describe(),
            subjects: Vec::new(),
        };
        record(&operator, event, &created).await;
        created
    }
    .await;
    let form = format!(
        "/realms/{}/identities/new",
        crate::model::encode_component(&realm)
    );
    let Some(created) = back_to_form(outcome, form, input.pairs()).await? else {
        return Ok(String::new());
    };
    leptos_axum::redirect(&format!(
        "/realms/{}/identities/{}?created=1",
        crate::model::encode_component(&realm),
        crate::model::encode_component(&created.id)
    ));
    Ok(created.id)
}

/// Suspends (`suspend = true`) or reactivates an identity: one PATCH of `status` only.
#[server]
pub async fn set_identity_status(
    realm: String,
    id: String,
    suspend: bool,
) -> Result<Identity, AppError> {
    use crate::bi::wire::IdentityWrite;
    let operator = allow_in(crate::model::Action::SetStatus, &realm).await?;
    let s = state()?;
    let patch = IdentityWrite::status_change(suspend);
    let (verb, action) = if suspend {
        ("suspend identity", "identity.suspend")
    } else {
        ("unsuspend identity", "identity.unsuspend")
    };
    let outcome = s
        .client
        .update_identity_verified(&realm, &id, &patch)
        .await
        .map_err(|e| errors::from_bi(verb, e));
    let event = crate::audit::Event {
        action,
        realm,
        target_id: id,
        target_name: outcome
            .as_ref()
            .map(|i| i.username().to_string())
            .unwrap_or_default(),
        detail: format!("status → {}", patch.status.clone().unwrap_or_default()),
        subjects: Vec::new(),
    };
    record(&operator, event, &outcome).await;
    outcome
}

/// Deletes one identity.
#[server]
pub async fn delete_identity(realm: String, id: String) -> Result<(), AppError> {
    let operator = allow_in(crate::model::Action::DeleteIdentity, &realm).await?;
    let s = state()?;
    // Read it first, so the audit log names what was deleted.
    let before = s
        .client
        .get_identity(&realm, &id)
        .await
        .map_err(|e| errors::from_bi("delete identity", e))?;
    let outcome = s
        .client
        .delete_identity(&realm, &id)
        .await
        .map_err(|e| errors::from_bi("delete identity", e));
    let event = crate::audit::Event {
        action: "identity.delete",
        realm,
        target_id: id,
        target_name: before.username().to_string(),
        detail: format!("{} ({})", before.display_name, before.username()),
        subjects: Vec::new(),
    };
    record(&operator, event, &outcome).await;
    outcome
}

/// Saves an edit: validates with the form's rules, then PATCHes only the fields that differ from what the form was
/// opened with (`original`). Nothing changed → no BI call. On success the browser goes back to the identity.
#[server]
pub async fn update_identity(
    realm: String,
    id: String,
    input: crate::model::IdentityInput,
    original: crate::model::IdentityInput,
) -> Result<(), AppError> {
    let operator = allow_in(crate::model::Action::EditIdentity, &realm).await?;
    let outcome = async {
        let fields = input.validate();
        if !fields.is_empty() {
            return Err(AppError::with_fields(crate::model::FIX_FIELDS, fields));
        }
        if let Some(patch) = crate::bi::forms::ToBi::to_patch(&input, &original) {
            let s = state()?;
            // The audit's "before" and the target's name are BI's, read here, never what the browser says.
            let before = s
                .client
                .get_identity(&realm, &id)
                .await
                .map_err(|e| errors::from_bi("get identity", e))?;
            let before = crate::model::IdentityInput::from_identity(&before);
            let outcome = s
                .client
                .update_identity_verified(&realm, &id, &patch)
                .await
                .map_err(|e| errors::from_bi("update identity", e));
            let after = match &outcome {
                Ok(updated) => crate::model::IdentityInput::from_identity(updated),
                Err(_) => input.clone(),
            };
            let event = crate::audit::Event {
                action: "identity.update",
                realm: realm.clone(),
                target_id: id.clone(),
                target_name: before.username.clone(),
                detail: after.describe_change(&before),
                subjects: Vec::new(),
            };
            record(&operator, event, &outcome).await;
            outcome?;
        }
        Ok(())
    }
    .await;
    let form = format!(
        "/realms/{}/identities/{}/edit",
        crate::model::encode_component(&realm),
        crate::model::encode_component(&id)
    );
    if back_to_form(outcome, form, input.pairs()).await?.is_none() {
        return Ok(());
    }
    leptos_axum::redirect(&format!(
        "/realms/{}/identities/{}?updated=1",
        crate::model::encode_component(&realm),
        crate::model::encode_component(&id)
    ));
    Ok(())
}

/// Suspends, unsuspends or deletes the given identities; answers how many succeeded and which failed, and why.
#[server]
pub async fn bulk_identities(
    realm: String,
    op: crate::model::BulkOp,
    ids: Vec<String>,
) -> Result<crate::model::BulkResult, AppError> {
    let operator = allow_in(
        match op {
            crate::model::BulkOp::Delete => crate::model::Action::DeleteIdentity,
            _ => crate::model::Action::SetStatus,
        },
        &realm,
    )
    .await?;
    let ids = checked_ids(ids, crate::model::limits::MAX_SELECTED_IDS, "identity")?;
    let s = state()?;
    let result = bulk::run(&s.client, &realm, op, &ids).await;
    let event = crate::audit::Event {
        action: "identities.bulk",
        realm,
        target_id: String::new(),
        target_name: format!("{} identities", ids.len()),
        detail: result.describe(op),
        subjects: ids,
    };
    let outcome: Result<(), AppError> = if result.failed.is_empty() {
        Ok(())
    } else {
        Err(AppError {
            code: Some("partial".into()),
            ..AppError::new("")
        })
    };
    record(&operator, event, &outcome).await;
    Ok(result)
}
