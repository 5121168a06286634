//! "The signed-in person" for the plain axum routes (badge links, exports,
//! downloads, photos, imports, calendar entries): one extractor instead of
//! a session lookup in every handler.
//!
//! It reads the session the session layer loaded and checks that the
//! account still exists, so a session whose account was deleted counts as
//! signed out everywhere — as it does for the server functions
//! (`app::api::context::current_user`). Handlers take `Option<SignedIn>` and
//! decide themselves what a visitor who is not signed in gets (a login page
//! that brings them back, a 401), since that differs by route.

use app::{api::context::SESSION_USER_KEY, domain::UserId, ports::User, state::AppState};
use axum::{
    extract::{FromRequestParts, OptionalFromRequestParts},
    http::{request::Parts, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use tower_sessions::Session;

/// The account behind the request's session (its id: what most routes need).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignedIn(pub UserId);

/// The whole account behind the request's session, for routes that need
/// more than the id (the socket greets people by name).
#[derive(Clone, Debug)]
pub struct SignedInUser(pub User);

impl OptionalFromRequestParts<AppState> for SignedIn {
    /// Only the store failing; a missing or stale session is `None`.
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(account(parts, state).await?.map(|u| SignedIn(u.id)))
    }
}

impl OptionalFromRequestParts<AppState> for SignedInUser {
    /// Only the store failing; a missing or stale session is `None`.
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(account(parts, state).await?.map(SignedInUser))
    }
}

/// The one session lookup both extractors share.
async fn account(parts: &mut Parts, state: &AppState) -> Result<Option<User>, Response> {
    let Ok(session) = Session::from_request_parts(parts, state).await else {
        return Ok(None);
    };
    let Some(id) = session.get::<UserId>(SESSION_USER_KEY).await.ok().flatten() else {
        return Ok(None);
    };
    state.store.user_by_id(id).await.map_err(|e| {
        tracing::error!(error = %e, "looking up the signed-in account failed");
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(serde_json::json!({
                "error": "internal",
                "detail": "Something went wrong on our side. Please try again."
            })),
        )
            .into_response()
    })
}
