//! The one application error type: what can go wrong, as a person should read it.
//!
//! Every server function returns `Result<_, AppError>`. Variants carry only
//! text meant for the client; internals (SQL, I/O, panics) are logged with
//! `tracing` where they happen and become the bare [`AppError::Internal`].
//! On the server each variant maps to an HTTP status (see `status`), which the
//! REST-style callers and tests rely on.

use crate::domain::Invalid;
use leptos::server_fn;
use serde::{Deserialize, Serialize};
use server_fn::{codec::JsonEncoding, error::FromServerFnError, ServerFnError};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "error", content = "detail", rename_all = "snake_case")]
pub enum AppError {
    /// A submitted value was refused; `field` names the form field.
    #[error("{message}")]
    Invalid { field: String, message: String },
    /// The caller must sign in first.
    #[error("Please sign in to continue.")]
    Unauthenticated,
    /// Email and password did not match an account. One message for both
    /// cases so the form does not reveal which emails have accounts.
    #[error("That email and password do not match an account.")]
    BadCredentials,
    /// Signed in, but not allowed to do or see this.
    #[error("{0}")]
    Forbidden(String),
    /// The thing asked for does not exist (or the caller may not know it does).
    #[error("{0}")]
    NotFound(String),
    /// The request conflicts with what is stored (duplicate email, already a member).
    #[error("{0}")]
    Conflict(String),
    /// Too many attempts; try again after the given number of seconds.
    #[error("Too many attempts. Try again in {retry_after_secs} seconds.")]
    RateLimited { retry_after_secs: u64 },
    /// The request itself was malformed (missing form fields, wrong encoding).
    #[error("The request could not be understood: {0}")]
    BadRequest(String),
    /// In the browser: the server could not be reached (offline, network
    /// down). Never sent by the server; callers may queue and retry.
    #[error("Rapport could not be reached. Check your connection and try again.")]
    Unreachable,
    /// Something failed on our side; details are in the server log only.
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
}

impl AppError {
    /// The HTTP status this error is sent with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Invalid { .. } => 422,
            AppError::Unauthenticated | AppError::BadCredentials => 401,
            AppError::Forbidden(_) => 403,
            AppError::NotFound(_) => 404,
            AppError::Conflict(_) => 409,
            AppError::RateLimited { .. } => 429,
            AppError::BadRequest(_) => 400,
            AppError::Unreachable => 503,
            AppError::Internal => 500,
        }
    }

    /// The form field this error is about, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }
}

impl From<Invalid> for AppError {
    fn from(value: Invalid) -> Self {
        AppError::Invalid {
            field: value.field,
            message: value.message,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: server_fn::error::ServerFnErrorErr) -> Self {
        use server_fn::error::ServerFnErrorErr as E;
        match value {
            // Arguments that could not be decoded: the client sent a bad request.
            E::Args(msg) | E::Deserialization(msg) | E::MissingArg(msg) => {
                AppError::BadRequest(msg)
            }
            // In the browser, a failed fetch means the network is down.
            E::Request(_) => AppError::Unreachable,
            _ => AppError::Internal,
        }
    }
}

impl From<ServerFnError> for AppError {
    fn from(_: ServerFnError) -> Self {
        AppError::Internal
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_input_is_a_422_naming_the_field() {
        let err: AppError = Invalid::new("email", "Email is required.").into();
        assert_eq!(err.status(), 422);
        assert_eq!(err.field(), Some("email"));
        assert_eq!(err.to_string(), "Email is required.");
    }

    #[test]
    fn errors_serialize_with_a_tag_clients_can_match() {
        let json = serde_json::to_value(AppError::Conflict("taken".into())).unwrap();
        assert_eq!(json["error"], "conflict");
    }

    #[test]
    fn internal_errors_say_nothing_about_internals() {
        assert!(!AppError::Internal
            .to_string()
            .to_lowercase()
            .contains("sql"));
    }
}
