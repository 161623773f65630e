//! What every server function checks and records: who is calling and what they may do (`allow`, `allow_in`, and
//! `permit` for writes), what the browser may send (`checked_ids`), the refusals (`forbidden`, `bad_request`), and
//! the audit entry of a write (`record`, `recorded`).

use leptos::prelude::*;

use crate::model::AppError;

pub(crate) fn state() -> Result<crate::state::AppState, AppError> {
    use_context::<crate::state::AppState>()
        .ok_or_else(|| AppError::new("the console is not configured"))
}

/// The operator making this call, if signed in and their role allows `action` (else 401 / 403).
pub(crate) fn allow(action: crate::model::Action) -> Result<crate::model::OperatorView, AppError> {
    crate::auth::web::authorize(action)
}

/// The operator, if their role allows `action` and they may use `realm` (else 401 / 403; a refused realm is
/// recorded in the audit log).
pub(crate) async fn allow_in(
    action: crate::model::Action,
    realm: &str,
) -> Result<crate::model::OperatorView, AppError> {
    let op = allow(action)?;
    // A realm is one of BI's ids: anything else (a long or strange string) is refused before it reaches the audit
    // log, the index or a URL.
    if crate::bi::seg(realm).is_err() {
        return Err(bad_request("That is not a realm's id."));
    }
    if op.may_use(realm) {
        return Ok(op);
    }
    let refused = forbidden("Your operator account may not use this realm.");
    let event = crate::audit::Event::new(
        crate::model::AuditAction::RefusedRealm,
        realm,
        "",
        "",
        format!("{action:?} in a realm outside the operator's realms"),
    );
    record(&op, event, &Err::<(), _>(refused.clone())).await;
    Err(refused)
}

/// The permit for a write of kind `A` in `realm` by the signed-in operator: the only way a server function gets
/// to BI's write calls (401 / 403 otherwise, as [`allow_in`]).
pub(crate) async fn permit<A: crate::permit::Act>(
    realm: &str,
) -> Result<crate::permit::Permit<A>, AppError> {
    let op = allow_in(A::ACTION, realm).await?;
    permit_for(&op, realm)
}

/// The permit for a write of kind `A` in `realm` by `op`, who is making this request (a consequential write needs
/// their recent authentication, from the session).
pub(crate) fn permit_for<A: crate::permit::Act>(
    op: &crate::model::OperatorView,
    realm: &str,
) -> Result<crate::permit::Permit<A>, AppError> {
    crate::permit::Permit::check_confirmed(op, realm, crate::auth::web::confirmed().as_ref())
        .map_err(refused)
}

/// A refused permit as the operator reads it: a step-up asks them to confirm it is them; the rest are 403s.
fn refused(refusal: crate::permit::Refusal) -> AppError {
    match refusal {
        crate::permit::Refusal::StepUp => AppError {
            code: Some(crate::model::STEP_UP_CODE.into()),
            ..answering(
                403,
                "This change needs you to confirm it is you: your last sign-in was a while ago. Nothing was changed.",
            )
        },
        other => forbidden(&format!("Refused: {other}.")),
    }
}

/// A refusal (403) the operator reads.
pub(crate) fn forbidden(message: &str) -> AppError {
    AppError {
        code: Some("forbidden".into()),
        ..answering(403, message)
    }
}

/// Something that is not there for this operator (404), as the HTTP status and in the answer.
pub(crate) fn not_found(message: &str) -> AppError {
    AppError {
        code: Some("not_found".into()),
        ..answering(404, message)
    }
}

/// An error whose HTTP status is `status` (a server function's answer; a page keeps its own).
pub(crate) fn answering(status: u16, message: &str) -> AppError {
    if let (Some(r), Ok(code)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        axum::http::StatusCode::from_u16(status),
    ) {
        r.set_status(code);
    }
    AppError {
        status: Some(status),
        ..AppError::new(message)
    }
}

/// A refused request (400): the message is shown to the operator, nothing was sent to BI.
pub(crate) fn bad_request(message: impl Into<String>) -> AppError {
    answering(400, &message.into())
}

/// Checks a list of ids from the browser: at least one, at most `max` (see [`crate::model::limits`]), each a
/// well-formed id. Answers them without repeats, in their order. A list outside the bounds is refused whole.
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

/// The console's work for `operator` in this request (see [`crate::service`]): under the request's id, a failed
/// BI call setting the status of the answer.
pub(crate) fn service(
    operator: &crate::model::OperatorView,
) -> Result<crate::service::Service, AppError> {
    let actor = crate::service::Actor::request(operator, super::errors::current_request_id());
    Ok(crate::service::Service::new(state()?, actor).answering(super::errors::answer_status))
}

/// The console's work for the holder of `permit` in this request.
pub(crate) fn service_of<A: crate::permit::Act>(
    permit: &crate::permit::Permit<A>,
) -> Result<crate::service::Service, AppError> {
    service(permit.operator())
}

/// Records `event` with `outcome` in the audit log for `operator` (see [`crate::service::Service::record`]).
pub(crate) async fn record<T>(
    operator: &crate::model::OperatorView,
    event: crate::audit::Event,
    outcome: &Result<T, AppError>,
) {
    if let Ok(svc) = service(operator) {
        svc.record(event, outcome).await;
    }
}

/// A write's outcome, recorded in the audit log under the permit's operator, then handed back.
pub(crate) async fn recorded<A: crate::permit::Act, T>(
    permit: &crate::permit::Permit<A>,
    event: crate::audit::Event,
    outcome: Result<T, AppError>,
) -> Result<T, AppError> {
    record(permit.operator(), event, &outcome).await;
    outcome
}

/// An outcome for the audit log that says some items of a many-item change failed.
pub(crate) fn partial(failures: usize) -> Result<(), AppError> {
    if failures == 0 {
        Ok(())
    } else {
        Err(AppError {
            code: Some("partial".into()),
            ..AppError::new("")
        })
    }
}

/// Refuses search text the index would not be asked for (see [`crate::model::search_text_problem`]), on the `q`
/// field.
pub(crate) fn checked_search(q: &str) -> Result<(), AppError> {
    match crate::model::search_text_problem(q) {
        None => Ok(()),
        Some(message) => Err(AppError {
            fields: vec![crate::model::FieldError {
                field: "q".into(),
                message: message.clone(),
            }],
            ..bad_request(message)
        }),
    }
}

/// `permit` on the identity `id`: refused (403, recorded) when it is a member of a protected group and the
/// operator is not an admin.
pub(crate) async fn on_identity<'p, A: crate::permit::OnIdentity>(
    permit: &'p crate::permit::Permit<A>,
    id: &str,
) -> Result<crate::permit::Target<'p, A>, AppError> {
    checked_ids(vec![id.to_string()], 1, "identity")?;
    service_of(permit)?.on_identity(permit, id).await
}
