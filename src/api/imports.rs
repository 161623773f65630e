//! Imports: the plan's page, applying it as a background job, cancelling it. The file is uploaded and planned by a
//! plain form post (`transfer::routes`); the job (`import_job`) runs in the server.

use leptos::prelude::*;

use crate::model::{AppError, ImportView};

#[cfg(feature = "ssr")]
use super::checks::{allow_in, state};

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
    use crate::model::{thousands, FieldError, IMPORT_APPLYING, IMPORT_PLANNED};
    let op = allow_in(crate::model::Action::CreateIdentity, &realm).await?;
    let s = state()?;
    let imports = imports()?;
    let header = imports
        .header(&id)
        .await
        .map_err(db_failed)?
        .filter(|h| h.realm == realm)
        .ok_or_else(not_found)?;
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
    let permit = crate::permit::Permit::<crate::permit::act::CreateIdentity>::check(&op, &realm)
        .map_err(|e| super::checks::forbidden(&format!("Refused: {e}.")));
    let write = async |_: &crate::permit::Permit<crate::permit::act::CreateIdentity>| {
        let invite = !invite.is_empty();
        if invite {
            crate::permit::Permit::<crate::permit::act::Invite>::check(&op, &realm)
                .map_err(|e| super::checks::forbidden(&format!("Refused: {e}.")))?;
        }
        imports.set_invite(&id, invite).await.map_err(db_failed)?;
        imports
            .set_state(&id, IMPORT_APPLYING)
            .await
            .map_err(db_failed)?;
        tokio::spawn(super::import_job::run_import(s, id.clone()));
        Ok(())
    };
    super::forms::form_write(permit, posted, write, |_| page.clone()).await?;
    Ok(())
}

/// Asks a running apply to stop after the writes in flight; what was done stays done.
#[server(output = crate::api::codec::TextJson)]
pub async fn cancel_import(realm: String, id: String) -> Result<(), AppError> {
    use crate::model::{IMPORT_APPLYING, IMPORT_CANCELLING};
    allow_in(crate::model::Action::CreateIdentity, &realm).await?;
    let imports = imports()?;
    let header = imports
        .header(&id)
        .await
        .map_err(db_failed)?
        .filter(|h| h.realm == realm)
        .ok_or_else(not_found)?;
    if header.state == IMPORT_APPLYING {
        imports
            .set_state(&id, IMPORT_CANCELLING)
            .await
            .map_err(db_failed)?;
    }
    Ok(())
}

#[cfg(feature = "ssr")]
fn imports() -> Result<crate::transfer::store::Imports, AppError> {
    state()?
        .imports
        .clone()
        .ok_or_else(|| AppError::new("Imports are not available in this console."))
}

#[cfg(feature = "ssr")]
fn db_failed(e: sqlx::Error) -> AppError {
    tracing::error!(error = %e, "import store failed");
    AppError::new("The console could not read or keep the import; see the server log.")
}

#[cfg(feature = "ssr")]
fn not_found() -> AppError {
    AppError {
        status: Some(404),
        ..AppError::new("There is no such import in this realm.")
    }
}
