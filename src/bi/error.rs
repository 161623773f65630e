//! What a failed BI call says: BI's own status, code, message and details, or what went wrong on the way.

use std::time::Duration;

use super::wire::ErrorBody;

/// A failed BI call, keeping BI's own status, code, message and details.
#[derive(Clone, Debug, thiserror::Error)]
pub enum BiError {
    #[error("BI answered {status}: {}", body.message)]
    Api {
        status: u16,
        body: ErrorBody,
        /// The wait BI asked for (`Retry-After` / `RateLimit-Reset`), if any.
        retry_after: Option<Duration>,
    },
    #[error("BI did not answer within {} seconds", .0.as_secs())]
    Timeout(Duration),
    #[error("BI could not be reached: {0}")]
    Unreachable(String),
    #[error("BI's answer could not be read: {0}")]
    Decode(String),
    #[error("no BI access token: {0}")]
    Token(String),
    /// An id that cannot be one of BI's (empty, `.`/`..`, or characters BI never uses): refused before any URL is
    /// built, so no request can leave the resource's own path.
    #[error("'{0}' is not a valid id")]
    InvalidId(String),
    /// A list read whole for a decision (the protected-identity rule) had more items than the console reads.
    #[error("BI's list has more than {0} items, more than the console reads for one decision")]
    TooLong(usize),
}

impl BiError {
    pub fn too_long(max: usize) -> BiError {
        BiError::TooLong(max)
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            BiError::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    pub fn body(&self) -> Option<&ErrorBody> {
        match self {
            BiError::Api { body, .. } => Some(body),
            _ => None,
        }
    }

    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    pub fn is_conflict(&self) -> bool {
        self.status() == Some(409)
    }

    /// Worth trying again: rate-limited, BI unavailable or failing, or no answer at all.
    pub fn is_transient(&self) -> bool {
        match self {
            BiError::Api { status, .. } => matches!(status, 429 | 500 | 502 | 503 | 504),
            BiError::Timeout(_) | BiError::Unreachable(_) => true,
            BiError::Decode(_) | BiError::Token(_) | BiError::InvalidId(_) | BiError::TooLong(_) => false,
        }
    }

    /// A failure after which a write may or may not have been applied (no answer, or a server error); 429 and 503
    /// say the request was not processed.
    pub fn is_ambiguous(&self) -> bool {
        match self {
            BiError::Api { status, .. } => matches!(status, 500 | 502 | 504),
            BiError::Timeout(_) | BiError::Unreachable(_) => true,
            BiError::Decode(_) | BiError::Token(_) | BiError::InvalidId(_) | BiError::TooLong(_) => false,
        }
    }

    /// An answer that says the request was not processed (429 rate-limited, 503 unavailable): any call, a create
    /// included, may be sent again.
    pub fn is_unprocessed(&self) -> bool {
        matches!(self.status(), Some(429 | 503))
    }

    /// The wait BI asked for with this error.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            BiError::Api { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// BI's own message for an API error, else what went wrong on the way: a reason to show next to one item.
    pub fn reason(&self) -> String {
        match self {
            BiError::Api { body, .. } => body.message.clone(),
            other => other.to_string(),
        }
    }

    pub(super) fn from_reqwest(e: reqwest::Error, timeout: Duration) -> BiError {
        if e.is_timeout() {
            BiError::Timeout(timeout)
        } else if e.is_decode() {
            BiError::Decode(e.to_string())
        } else {
            // Never include the URL's query or headers; reqwest's Display holds the URL only.
            BiError::Unreachable(without_url(&e))
        }
    }
}

pub(super) fn without_url(e: &reqwest::Error) -> String {
    let mut source: &dyn std::error::Error = e;
    while let Some(next) = source.source() {
        source = next;
    }
    source.to_string()
}
