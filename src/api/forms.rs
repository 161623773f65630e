//! The sequence every form write shares: permit, the form's rules, the write (which records itself in the audit
//! log), then the answer — a redirect on success, or for a plain form post that failed (before the wasm has
//! loaded, or without JavaScript) back to the form with what was typed and the error.

use crate::model::{AppError, FieldError, FormFlash, FIX_FIELDS};
use crate::permit::{Act, Permit};

/// What a form posted, as the write sequence needs it.
pub(crate) struct Posted {
    /// The form's own path, where a failed plain post goes back to.
    pub form: String,
    /// The fields as typed, kept for that return.
    pub values: Vec<(String, String)>,
    /// The form's rules applied to them (empty: all well).
    pub problems: Vec<FieldError>,
}

/// Runs a form write: with the permit, and only when the form's rules found nothing, `write` is called. On success
/// the browser goes to `done(&result)`; a failure answers the error (for the hydrated form) or, for a plain form
/// post, goes back to the form (then `None`).
pub(crate) async fn form_write<A: Act, T>(
    permit: Result<Permit<A>, AppError>,
    posted: Posted,
    write: impl AsyncFnOnce(&Permit<A>) -> Result<T, AppError>,
    done: impl FnOnce(&T) -> String,
) -> Result<Option<T>, AppError> {
    let outcome = async {
        let permit = permit?;
        if !posted.problems.is_empty() {
            let mut refused = crate::api::checks::bad_request(FIX_FIELDS);
            refused.fields = posted.problems;
            return Err(refused);
        }
        write(&permit).await
    }
    .await;
    let Some(value) = back_to_form(outcome, posted.form, posted.values).await? else {
        return Ok(None);
    };
    leptos_axum::redirect(&done(&value));
    Ok(Some(value))
}

/// True when the browser posted a plain HTML form (it asks for HTML), not the hydrated app (it asks for JSON).
async fn plain_form_post() -> bool {
    let headers: axum::http::HeaderMap = leptos_axum::extract().await.unwrap_or_default();
    headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// A write's outcome. When it failed and the browser posted a plain form, what was typed and the error are kept in
/// the session as a one-time flash for the form at `form`, and the browser goes back there (a plain path: nothing
/// typed and no message ever travels in the address, so a crafted link cannot make the console show a message of
/// its choosing); answers `None`.
async fn back_to_form<T>(
    outcome: Result<T, AppError>,
    form: String,
    values: Vec<(String, String)>,
) -> Result<Option<T>, AppError> {
    match outcome {
        Ok(v) => Ok(Some(v)),
        Err(e) if plain_form_post().await => {
            let session: Option<tower_sessions::Session> = leptos_axum::extract().await.ok();
            let flash = FormFlash {
                path: form.clone(),
                values,
                error: e.clone(),
            };
            match session {
                Some(s) if s.insert(FormFlash::SESSION_KEY, flash).await.is_ok() => {
                    leptos_axum::redirect(&form);
                    Ok(None)
                }
                _ => Err(e),
            }
        }
        Err(e) => Err(e),
    }
}
