//! The sandbox's errors, shaped exactly like BI's: status code plus `{"code","message","details"}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::bi::wire::{BatchOperationError, ErrorBody, ErrorDetail, FieldViolation};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorBody,
}

impl ApiError {
    fn new(status: StatusCode, code: &str, message: &str) -> ApiError {
        ApiError {
            status,
            body: ErrorBody::new(code, message),
        }
    }

    pub fn unauthorized() -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "unauthorized")
    }

    pub fn forbidden() -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", "forbidden")
    }

    /// A body that is not JSON or not the expected shape.
    pub fn malformed() -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", "invalid request")
    }

    /// `400 invalid parameters` with one `FieldViolations` detail.
    pub fn invalid(violations: Vec<FieldViolation>) -> ApiError {
        let mut e = ApiError::new(StatusCode::BAD_REQUEST, "bad_request", "invalid parameters");
        e.body.details.push(ErrorDetail {
            kind: "FieldViolations".into(),
            field_violations: violations,
            ..ErrorDetail::default()
        });
        e
    }

    pub fn invalid_field(field: &str, description: &str) -> ApiError {
        ApiError::invalid(vec![violation(field, description)])
    }

    /// `404 <type> not found` with a `ResourceInfo` detail, e.g. ("Identity", id).
    pub fn not_found(resource_type: &str, id: &str) -> ApiError {
        let message = format!("{} not found", resource_type.to_ascii_lowercase());
        let mut e = ApiError::new(StatusCode::NOT_FOUND, "not_found", &message);
        e.body.details.push(ErrorDetail {
            kind: "ResourceInfo".into(),
            resource_type: Some(resource_type.to_string()),
            id: Some(id.to_string()),
            description: Some(message),
            ..ErrorDetail::default()
        });
        e
    }

    /// `404 identities not found` with a `BatchOperationErrors` detail naming the ids.
    pub fn identities_not_found(ids: Vec<String>) -> ApiError {
        let mut e = ApiError::new(StatusCode::NOT_FOUND, "not_found", "identities not found");
        e.body.details.push(ErrorDetail {
            kind: "BatchOperationErrors".into(),
            description: Some("errors encountered performing batch operation".into()),
            errors: vec![BatchOperationError {
                description: "identities not found".into(),
                ids,
                resource_type: "Identity".into(),
            }],
            ..ErrorDetail::default()
        });
        e
    }

    pub fn conflict(message: &str) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, "conflict", message)
    }

    pub fn internal() -> ApiError {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_server_error",
            "internal server error",
        )
    }

    pub fn with_status(status: StatusCode, code: &str, message: &str) -> ApiError {
        ApiError::new(status, code, message)
    }
}

pub fn violation(field: &str, description: &str) -> FieldViolation {
    FieldViolation {
        field: field.to_string(),
        description: description.to_string(),
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> ApiError {
        tracing::error!(error = %e, "sandbox store error");
        ApiError::internal()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}
