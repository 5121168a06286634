//! Who is calling the API: the `Authorization: Bearer <token>` header, and
//! nothing else (a session cookie never authenticates `/api/v1`, so the API
//! needs no CSRF protection). The token is looked up by its SHA-256, must not
//! be revoked, and reaches exactly one event; each call counts against the
//! token's rate limit.

use super::error::ApiError;
use app::{
    ports::{ApiToken, Event},
    service::tokens,
    state::AppState,
};
use axum::{extract::FromRequestParts, http::request::Parts};

/// An authenticated API call: the token and the one event it reaches.
#[derive(Debug)]
pub struct ApiCaller {
    pub token: ApiToken,
    pub event: Event,
}

/// `last_used_at` is written at most this often per token, so a busy
/// integration does not turn every read into a write.
const TOUCH_EVERY: chrono::TimeDelta = chrono::TimeDelta::seconds(60);

/// The token in an `Authorization` header value, if it has the right shape.
fn bearer(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    let well_formed = scheme.eq_ignore_ascii_case("bearer")
        && token.starts_with(tokens::API_TOKEN_PREFIX)
        && token.len() <= 100
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    well_formed.then_some(token)
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .ok_or_else(ApiError::unauthenticated)?;
        let token = header
            .to_str()
            .ok()
            .and_then(bearer)
            .ok_or_else(ApiError::invalid_token)?;
        let found = state
            .store
            .api_token_by_hash(&tokens::api_token_hash(token))
            .await?
            .filter(|t| t.revoked_at.is_none())
            .ok_or_else(ApiError::invalid_token)?;
        state.limits.api(found.id)?;
        let event = state
            .store
            .event_by_id(found.event)
            .await?
            .ok_or_else(ApiError::invalid_token)?;
        let now = app::domain::now_utc();
        if found.last_used_at.is_none_or(|at| now - at >= TOUCH_EVERY) {
            if let Err(e) = state.store.touch_api_token(found.id, now).await {
                tracing::warn!(error = %e, "could not record an API token's use");
            }
        }
        Ok(ApiCaller {
            token: found,
            event,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::bearer;

    #[test]
    fn only_bearer_headers_with_a_rapport_token_are_read() {
        assert_eq!(bearer("Bearer rpt_abc-_9"), Some("rpt_abc-_9"));
        assert_eq!(bearer("bearer  rpt_x "), Some("rpt_x"));
        for bad in [
            "rpt_abc",
            "Basic rpt_abc",
            "Bearer abc",
            "Bearer rpt_a b",
            "Bearer rpt_ä",
        ] {
            assert_eq!(bearer(bad), None, "{bad}");
        }
    }
}
