//! BI errors → what the operator reads. BI's meaning is kept: field violations land on their form field, 409
//! `username already exists` on the username; every error carries the request id of the work that met it, which
//! is also on its log line.

use crate::bi::BiError;
use crate::model::{AppError, FieldError};

/// BI's field path → the console's form field name: `identity.traits.username` → `username`,
/// `identity.display_name` / `group.display_name` → `display_name`, `group.description` → `description`.
pub fn form_field(bi_field: &str) -> String {
    let f = bi_field
        .strip_prefix("identity.")
        .or_else(|| bi_field.strip_prefix("group."))
        .unwrap_or(bi_field);
    f.strip_prefix("traits.").unwrap_or(f).to_string()
}

use crate::model::capitalize as sentence;

/// Maps a failed BI call met by the work `request_id`.
pub fn from_bi(e: &BiError, request_id: &str) -> AppError {
    let mut out = match e {
        BiError::Api { status, body, .. } => {
            let mut fields: Vec<FieldError> = body
                .field_violations()
                .map(|v| FieldError {
                    field: form_field(&v.field),
                    message: sentence(&v.description),
                })
                .collect();
            let message = match *status {
                400 if !fields.is_empty() => "BI did not accept some values; see the fields marked below.".to_string(),
                400 => format!("BI refused the request: {}.", body.message),
                401 | 403 => format!(
                    "BI refused the console's credentials ({}). Check the API token or client credentials.",
                    body.message
                ),
                404 => format!("{}.", sentence(&body.message)),
                409 if body.message.contains("username") => {
                    fields.push(FieldError {
                        field: "username".into(),
                        message: "This username is already taken in this realm.".into(),
                    });
                    "An identity with this username already exists.".to_string()
                }
                409 => format!("{}.", sentence(&body.message)),
                429 => "BI is rate-limiting the console; wait a moment and try again.".to_string(),
                s if s >= 500 => format!("BI had a problem ({s} {}); try again.", body.message),
                s => format!("BI answered {s}: {}.", body.message),
            };
            AppError {
                message,
                fields,
                code: Some(body.code.clone()),
                status: Some(*status),
                request_id: None,
            }
        }
        BiError::Timeout(_) => AppError::new(format!(
            "{}. Nothing is known to have changed; check, then try again.",
            sentence(&e.to_string())
        )),
        BiError::InvalidId(_) => AppError {
            status: Some(400),
            ..AppError::new(format!(
                "{}; nothing was sent to BI.",
                sentence(&e.to_string())
            ))
        },
        BiError::Unreachable(_) | BiError::Decode(_) | BiError::Token(_) | BiError::TooLong(_) => {
            AppError::new(format!("{}.", sentence(&e.to_string())))
        }
    };
    out.request_id = Some(request_id.to_string());
    out
}

/// The HTTP status a server function answers when its BI call failed: BI's own for what the operator asked
/// (400 bad values, 404 not there, 409 a conflict), 502 when BI failed or refused the console's credentials, 503
/// when BI is rate-limiting the console, 504 when it did not answer in time.
pub fn answer_status_for(e: &BiError) -> u16 {
    match e {
        BiError::Api { status, .. } => match *status {
            401 | 403 => 502,
            429 => 503,
            s @ 400..=499 => s,
            _ => 502,
        },
        BiError::Timeout(_) => 504,
        BiError::InvalidId(_) => 400,
        BiError::Unreachable(_) | BiError::Decode(_) | BiError::Token(_) => 502,
        BiError::TooLong(_) => 500,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bi::wire::{ErrorBody, ErrorDetail, FieldViolation};

    #[test]
    fn a_failed_call_answers_with_a_status_that_keeps_its_meaning() {
        let api = |status| BiError::Api {
            status,
            body: ErrorBody::new("x", "y"),
            retry_after: None,
        };
        let got: Vec<u16> = [400, 401, 403, 404, 409, 429, 500, 503]
            .into_iter()
            .map(|s| answer_status_for(&api(s)))
            .collect();
        assert_eq!(got, [400, 502, 502, 404, 409, 503, 502, 502]);
        assert_eq!(
            answer_status_for(&BiError::Timeout(std::time::Duration::from_secs(1))),
            504
        );
    }

    #[test]
    fn field_paths_map_to_form_fields() {
        assert_eq!(form_field("identity.traits.username"), "username");
        assert_eq!(form_field("identity.display_name"), "display_name");
        assert_eq!(form_field("group.description"), "description");
        assert_eq!(form_field("filter"), "filter");
    }

    #[test]
    fn username_conflict_lands_on_the_username_field() {
        let e = from_bi(
            &BiError::Api {
                status: 409,
                body: ErrorBody::new("conflict", "username already exists"),
                retry_after: None,
            },
            "req1",
        );
        assert!(e.field("username").unwrap().contains("already taken"));
        assert_eq!(e.code.as_deref(), Some("conflict"));
        assert_eq!(e.request_id.as_deref(), Some("req1"));
    }

    #[test]
    fn violations_keep_their_field() {
        let mut body = ErrorBody::new("bad_request", "invalid parameters");
        body.details.push(ErrorDetail {
            kind: "FieldViolations".into(),
            field_violations: vec![FieldViolation {
                field: "identity.display_name".into(),
                description: "empty string".into(),
            }],
            ..ErrorDetail::default()
        });
        let e = from_bi(
            &BiError::Api {
                status: 400,
                body,
                retry_after: None,
            },
            "req1",
        );
        assert_eq!(e.field("display_name").as_deref(), Some("Empty string"));
    }
}
