//! The one error type every boundary speaks: HTTP bodies, server functions and socket acks.

use serde::{Deserialize, Serialize};

/// A stable, machine-readable error code; the UI maps it to words, tests match on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// A field failed validation; `field` says which one.
    Validation,
    /// The request or socket packet could not be decoded at all.
    BadRequest,
    /// The socket event name is not part of the contract.
    UnknownEvent,
    /// No valid session.
    Unauthorized,
    /// Unknown user or wrong password (deliberately the same code for both).
    InvalidCredentials,
    /// Signed in, but not allowed to touch this resource.
    Forbidden,
    /// The two users are blocked (either way): they cannot interact.
    Blocked,
    /// The resource does not exist (or is not visible to the caller).
    NotFound,
    /// A unique value is already taken (username, email).
    Conflict,
    /// The request came from another site.
    BadOrigin,
    /// The client waited too long for an answer (client side only).
    Timeout,
    /// The realtime connection is not up (client side only).
    Disconnected,
    /// The server is overloaded for now (no database connection came free in time);
    /// trying again shortly may work, and nothing was written.
    Busy,
    /// Something broke on the server; the cause is in the server log.
    Internal,
}

impl ErrorCode {
    /// The HTTP status that carries this code.
    pub fn status(self) -> u16 {
        match self {
            ErrorCode::Validation => 422,
            ErrorCode::BadRequest | ErrorCode::UnknownEvent => 400,
            ErrorCode::Unauthorized | ErrorCode::InvalidCredentials => 401,
            ErrorCode::Forbidden | ErrorCode::BadOrigin | ErrorCode::Blocked => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::Conflict => 409,
            ErrorCode::Timeout => 504,
            ErrorCode::Disconnected | ErrorCode::Busy => 503,
            ErrorCode::Internal => 500,
        }
    }

    /// May the same request work if it is simply made again (an overloaded or broken
    /// server, a lost connection), where the others (not found, refused, invalid) will
    /// answer the same?
    pub fn may_pass_on_retry(self) -> bool {
        matches!(
            self,
            ErrorCode::Busy | ErrorCode::Internal | ErrorCode::Timeout | ErrorCode::Disconnected
        )
    }

    /// The `Retry-After` (in seconds) an HTTP answer with this code carries, if any:
    /// only `busy` says the same request may work shortly.
    pub fn retry_after(self) -> Option<&'static str> {
        (self == ErrorCode::Busy).then_some("1")
    }
}

/// An error as the client sees it: a code, a human message and, for validation, the field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    /// What went wrong, as a stable code.
    pub code: ErrorCode,
    /// A sentence a person can read.
    pub message: String,
    /// The offending input field, for `validation` and `conflict`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ApiError {
    /// An error with a code and message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            field: None,
        }
    }
    /// A field-level validation error.
    pub fn validation(field: &str, message: impl Into<String>) -> Self {
        Self {
            code: ErrorCode::Validation,
            message: message.into(),
            field: Some(field.to_owned()),
        }
    }
    /// A unique value already taken.
    pub fn conflict(field: &str, message: impl Into<String>) -> Self {
        Self {
            code: ErrorCode::Conflict,
            message: message.into(),
            field: Some(field.to_owned()),
        }
    }
    /// No session.
    pub fn unauthorized() -> Self {
        Self::new(ErrorCode::Unauthorized, "You need to sign in.")
    }
    /// Not yours.
    pub fn forbidden() -> Self {
        Self::new(ErrorCode::Forbidden, "You are not allowed to do that.")
    }
    /// A blocked pair tried to interact.
    pub fn blocked() -> Self {
        Self::new(ErrorCode::Blocked, "You can't interact with this user.")
    }
    /// Missing or invisible.
    pub fn not_found(what: &str) -> Self {
        Self::new(ErrorCode::NotFound, format!("{what} not found."))
    }
    /// A server fault; the cause belongs in the log, never here.
    pub fn internal() -> Self {
        Self::new(
            ErrorCode::Internal,
            "Something went wrong on our side. Please try again.",
        )
    }
    /// Overloaded for now; the client may try again.
    pub fn busy() -> Self {
        Self::new(
            ErrorCode::Busy,
            "The server is busy right now. Please try again in a moment.",
        )
    }
    /// A malformed request or packet.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadRequest, message)
    }
}

impl leptos::server_fn::error::FromServerFnError for ApiError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        use leptos::server_fn::error::ServerFnErrorErr as E;
        match value {
            E::Request(_) => ApiError::new(ErrorCode::Disconnected, "Could not reach the server."),
            E::Args(m) | E::MissingArg(m) | E::Deserialization(m) => ApiError::bad_request(m),
            _ => ApiError::internal(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_passing_troubles_are_worth_a_retry() {
        for code in [
            ErrorCode::Busy,
            ErrorCode::Internal,
            ErrorCode::Timeout,
            ErrorCode::Disconnected,
        ] {
            assert!(code.may_pass_on_retry(), "{code:?}");
        }
        for code in [
            ErrorCode::NotFound,
            ErrorCode::Forbidden,
            ErrorCode::Blocked,
            ErrorCode::Validation,
            ErrorCode::Unauthorized,
        ] {
            assert!(!code.may_pass_on_retry(), "{code:?}");
        }
    }
}
