//! BI errors in a server function's answer: the mapping of [`crate::service::errors`], with this request's id,
//! and the HTTP status the answer takes.

use crate::bi::BiError;
use crate::model::AppError;

pub use crate::service::errors::{answer_status_for, form_field};

/// The id of the request being served (see [`crate::request_id`]), for the operator's message and the log.
pub fn current_request_id() -> String {
    crate::request_id::current()
}

/// Maps a failed BI call made for `operation` (e.g. "create identity") while serving this request.
pub fn from_bi(operation: &str, e: BiError) -> AppError {
    let request_id = current_request_id();
    tracing::warn!(%request_id, operation, error = %e, "BI call failed");
    answer_status(answer_status_for(&e));
    crate::service::errors::from_bi(&e, &request_id)
}

/// Sets the status of a server function's answer (a page keeps its own: one failed part of a page does not make
/// the page an error, and a background job has no answer).
pub(crate) fn answer_status(code: u16) {
    use leptos::prelude::use_context;
    let call = use_context::<axum::http::request::Parts>()
        .is_some_and(|p| crate::auth::web::server_fn_call(p.uri.path()));
    if let (true, Some(res), Ok(code)) = (
        call,
        use_context::<leptos_axum::ResponseOptions>(),
        axum::http::StatusCode::from_u16(code),
    ) {
        res.set_status(code);
    }
}

/// A BI call's outcome, with its error in the operator's words (`what` names the call: "get group").
pub async fn bi<T>(
    what: &str,
    call: impl std::future::Future<Output = Result<T, crate::bi::BiError>>,
) -> Result<T, crate::model::AppError> {
    call.await.map_err(|e| from_bi(what, e))
}
