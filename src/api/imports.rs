//! Imports: the plan's page, applying it as a background job, cancelling it. The file is uploaded and planned by a
//! plain form post (`transfer::routes`); the job (`import_job`) runs in the server.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::checks::{allow_in, state};
use crate::model::{AppError, ImportView};
#[cfg(feature = "ssr")]
use ssr::*;

/// The import `id` of `realm`: its counts, progress and one page of rows (`show`: all, `create`, `update`,
/// `unchanged`, `error` or `failed`).
#[server(output = crate::api::codec::TextJson)]
pub async fn get_import(
    realm: String,
    id: String,
    show: String,
    page: u32,
) -> Result<ImportView, AppError> {
    allow_in(crate::model::Action::Read, &realm).await?;
    let imports = imports()?;
    let mut view = imports
        .view(&id, &show, page, 50)
        .await
        .map_err(db_failed)?
        .filter(|v| v.realm == realm)
        .ok_or_else(not_found)?;
    if view.applying() {
        let now = chrono::Utc::now().timestamp();
        view.pace = view
            .rate(now)
            .map(|(rate, left)| crate::model::pace_words(rate, left));
    }
    Ok(view)
}

/// Applies a plan: starts its job (once), and answers at once; the page follows the job. A plan that suspends
/// identities needs their number typed in `confirm`; otherwise the error is on that field (and a plain form post
/// goes back to the page with it).
#[server(output = crate::api::codec::TextJson)]
pub async fn apply_import(
    realm: String,
    id: String,
    #[server(default)] invite: String,
    #[server(default)] confirm: String,
) -> Result<(), AppError> {
    use crate::model::{thousands, FieldError, IMPORT_PLANNED};
    let op = allow_in(crate::model::Action::CreateIdentity, &realm).await?;
    let s = state()?;
    let imports = imports()?;
    let header = imports
        .header(&id)
        .await
        .map_err(db_failed)?
        .filter(|h| h.realm == realm)
        .ok_or_else(not_found)?;
    // Only an admin applies a plan someone else made (it writes as the one who applies it).
    if !header.operator.username.eq_ignore_ascii_case(&op.username)
        && op.role != crate::model::Role::Admin
    {
        return Err(super::checks::forbidden(
            "Only an admin may apply a plan another operator made; upload the file again to plan it as yourself.",
        ));
    }
    if header.operator.role != op.role {
        return Err(super::checks::bad_request(format!(
            "This plan was made for a {} operator; upload the file again to plan it for your role.",
            header.operator.role.as_str()
        )));
    }
    if header.state != IMPORT_PLANNED {
        return Ok(());
    }
    let suspensions = header.summary.counts.suspensions;
    let typed: String = confirm
        .chars()
        .filter(|c| !matches!(c, ',' | '.' | ' ' | '\u{a0}' | '\u{202f}'))
        .collect();
    let mut problems = Vec::new();
    if suspensions > 0 && typed != suspensions.to_string() {
        let n = thousands(suspensions);
        let message = if confirm.trim().is_empty() {
            format!("Type {n} to confirm suspending {n} identities.")
        } else {
            format!(
                "“{}” is not {n}: type {n} to confirm suspending {n} identities.",
                confirm.trim()
            )
        };
        problems.push(FieldError::new("confirm", message));
    }
    let page = format!(
        "/realms/{}/imports/{id}",
        crate::model::encode_component(&realm)
    );
    let posted = super::forms::Posted {
        form: page.clone(),
        values: vec![("confirm".into(), confirm.clone())],
        problems,
    };
    let permit = super::checks::permit_for::<crate::permit::act::CreateIdentity>(&op, &realm);
    let consequential = suspensions > 0 || header.summary.counts.removals > 0;
    let write = async |_: &crate::permit::Permit<crate::permit::act::CreateIdentity>| {
        // Suspending identities or taking members out of groups: the operator confirms it is them first.
        if consequential {
            super::checks::permit_for::<crate::permit::act::ApplyRemovals>(&op, &realm)?;
        }
        let invite = !invite.is_empty();
        if invite {
            super::checks::permit_for::<crate::permit::act::Invite>(&op, &realm)?;
        }
        // Started once: a second click (or another replica) finds it applying already.
        if imports.start(&id, &op, invite).await.map_err(db_failed)? {
            super::import_runs::run_import(s, id.clone());
        }
        Ok(())
    };
    super::forms::form_write(permit, posted, write, |_| page.clone()).await?;
    Ok(())
}

/// Asks a running apply to stop after the writes in flight; what was done stays done. The one who applied it may,
/// and an admin; the cancel is recorded.
#[server(output = crate::api::codec::TextJson)]
pub async fn cancel_import(realm: String, id: String) -> Result<(), AppError> {
    use crate::model::{IMPORT_APPLYING, IMPORT_CANCELLING};
    let op = allow_in(crate::model::Action::CreateIdentity, &realm).await?;
    let imports = imports()?;
    let header = imports
        .header(&id)
        .await
        .map_err(db_failed)?
        .filter(|h| h.realm == realm)
        .ok_or_else(not_found)?;
    let applier = header.applier.as_ref().unwrap_or(&header.operator);
    if !applier.username.eq_ignore_ascii_case(&op.username) && op.role != crate::model::Role::Admin
    {
        return Err(super::checks::forbidden(
            "Only the operator who applied this import, or an admin, may cancel it.",
        ));
    }
    if header.state == IMPORT_APPLYING {
        imports
            .set_state(&id, IMPORT_CANCELLING)
            .await
            .map_err(db_failed)?;
        let summary = header.summary.counts;
        let detail = format!(
            "cancelled the apply of a plan by {} ({} to create, {} to update)",
            header.operator.username, summary.create, summary.update
        );
        let event = crate::audit::Event::new(
            crate::model::AuditAction::ImportCancel,
            &realm,
            &id,
            "",
            detail,
        );
        super::checks::record(&op, event, &Ok::<(), AppError>(())).await;
    }
    Ok(())
}

/// What the server functions above do on the server only.
#[cfg(feature = "ssr")]
mod ssr {
    use super::*;

    pub(super) fn imports() -> Result<crate::transfer::store::Imports, AppError> {
        state()?
            .imports
            .clone()
            .ok_or_else(|| AppError::new("Imports are not available in this console."))
    }

    pub(super) fn db_failed(e: crate::store::StoreError) -> AppError {
        tracing::error!(error = %e, "import store failed");
        AppError::new("The console could not read or keep the import; see the server log.")
    }

    pub(super) fn not_found() -> AppError {
        super::super::checks::not_found("There is no such import in this realm.")
    }
}
