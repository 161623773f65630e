//! The error every server function returns, with its errors per form field.

use serde::{Deserialize, Serialize};

/// An error on one form field, in words for the operator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.to_string(),
            message: message.into(),
        }
    }
}

/// The error every server function returns: a message for the operator, errors per form field, the BI error code
/// when BI gave one, and a request id that is also in the server log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub message: String,
    #[serde(default)]
    pub fields: Vec<FieldError>,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub status: Option<u16>,
    #[serde(default)]
    pub request_id: Option<String>,
}

/// [`AppError::code`] of a write refused until the operator confirms it is them.
pub const STEP_UP_CODE: &str = "step_up";

impl AppError {
    pub fn new(message: impl Into<String>) -> Self {
        AppError {
            message: message.into(),
            fields: Vec::new(),
            code: None,
            status: None,
            request_id: None,
        }
    }

    pub fn with_fields(message: impl Into<String>, fields: Vec<FieldError>) -> Self {
        AppError {
            fields,
            ..AppError::new(message)
        }
    }

    /// The message for one form field, if any.
    pub fn field(&self, name: &str) -> Option<String> {
        self.fields
            .iter()
            .find(|f| f.field == name)
            .map(|f| f.message.clone())
    }

    /// The console refused a consequential write until the operator confirms it is them (a step-up): the page asks
    /// them to, then sends the same write again.
    pub fn is_step_up(&self) -> bool {
        self.code.as_deref() == Some(STEP_UP_CODE)
    }

    /// The message with the request id, for a toast or banner.
    pub fn full_message(&self) -> String {
        match &self.request_id {
            Some(id) => format!("{} (request id {id})", self.message),
            None => self.message.clone(),
        }
    }
}

impl leptos::server_fn::error::FromServerFnError for AppError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        AppError::new(format!(
            "The console could not complete the request: {value}"
        ))
    }
}

/// The message above a form whose fields have errors.
pub const FIX_FIELDS: &str = "Some values need attention; see the fields marked below.";
