//! The public API's errors: always JSON `{"error": code, "detail": text}`
//! with a stable, documented `code`, whatever failed (authentication, a bad
//! query string, a refused import, or the application's own [`AppError`]).

use app::error::AppError;
use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde::Serialize;
use utoipa::ToSchema;

/// The body of every error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable machine-readable code: `unauthenticated`, `invalid_token`,
    /// `forbidden`, `not_found`, `invalid`, `bad_request`, `too_large`,
    /// `conflict`, `rate_limited`, `internal`.
    #[schema(example = "invalid_token")]
    pub error: &'static str,
    /// What went wrong, for a person to read.
    pub detail: String,
}

/// An error answer of the API.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorBody,
    /// Seconds to wait, sent as `Retry-After` with 429.
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, error: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status,
            body: ErrorBody {
                error,
                detail: detail.into(),
            },
            retry_after: None,
        }
    }

    /// No `Authorization: Bearer` header.
    pub fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "Send an API token as `Authorization: Bearer <token>`.",
        )
    }

    /// A token that is malformed, unknown or revoked (one answer for all
    /// three, so the API does not tell which tokens exist).
    pub fn invalid_token() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "This API token is not valid (unknown or revoked).",
        )
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", detail)
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", detail)
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let code = match &e {
            AppError::Invalid { .. } => "invalid",
            AppError::Unauthenticated | AppError::BadCredentials => "unauthenticated",
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound(_) => "not_found",
            AppError::Conflict(_) => "conflict",
            AppError::RateLimited { .. } => "rate_limited",
            AppError::BadRequest(_) => "bad_request",
            AppError::Unreachable | AppError::Internal => "internal",
        };
        let mut err = ApiError::new(status, code, e.to_string());
        if let AppError::RateLimited { retry_after_secs } = e {
            err.retry_after = Some(retry_after_secs);
        }
        err
    }
}

impl From<app::ports::StoreError> for ApiError {
    fn from(e: app::ports::StoreError) -> Self {
        AppError::from(e).into()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut res = (self.status, Json(self.body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"rapport\""),
            );
        }
        if let Some(secs) = self.retry_after {
            res.headers_mut().insert(header::RETRY_AFTER, secs.into());
        }
        res
    }
}
