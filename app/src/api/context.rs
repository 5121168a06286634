//! Server-side plumbing shared by the server functions: reaching the state,
//! the session and the signed-in user, and turning errors into responses.

use crate::{
    domain::UserId,
    error::AppError,
    ports::{AppState, StoreError, User},
};
use leptos::prelude::*;
use tower_sessions::Session;

/// Session key holding the signed-in account's [`UserId`].
pub const SESSION_USER_KEY: &str = "user_id";

/// The application state provided to every server function.
pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the server function context");
        AppError::Internal
    })
}

/// The caller's session (the cookie is set or refreshed by the session layer).
pub async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(|e| {
        tracing::error!(error = %e, "session layer missing");
        AppError::Internal
    })
}

/// The signed-in account, if any. A session whose account was deleted counts
/// as signed out.
pub async fn current_user() -> Result<Option<User>, AppError> {
    let session = session().await?;
    let Some(id) = session
        .get::<UserId>(SESSION_USER_KEY)
        .await
        .map_err(session_error)?
    else {
        return Ok(None);
    };
    Ok(state()?.store.user_by_id(id).await?)
}

/// The signed-in account, or [`AppError::Unauthenticated`].
pub async fn require_user() -> Result<User, AppError> {
    current_user().await?.ok_or(AppError::Unauthenticated)
}

/// Starts a signed-in session for `user`, with a fresh session id so a
/// session id planted before login is worthless (session fixation).
pub async fn sign_in(user: UserId) -> Result<(), AppError> {
    let session = session().await?;
    session.cycle_id().await.map_err(session_error)?;
    session
        .insert(SESSION_USER_KEY, user)
        .await
        .map_err(session_error)?;
    Ok(())
}

/// Ends the session and deletes it from the store; sockets opened with it
/// are closed.
pub async fn sign_out() -> Result<(), AppError> {
    let session = session().await?;
    let user = session
        .get::<UserId>(SESSION_USER_KEY)
        .await
        .map_err(session_error)?;
    let id = session.id().map(|id| id.to_string());
    session.flush().await.map_err(session_error)?;
    if let (Some(user), Some(id)) = (user, id) {
        state()?.live.session_ended(user, Some(id));
    }
    Ok(())
}

fn session_error(e: tower_sessions::session::Error) -> AppError {
    tracing::error!(error = %e, "session store failed");
    AppError::Internal
}

/// Whether this call is a plain HTML form post (no JavaScript): such a
/// browser wants a page back, so a server function may redirect to one.
/// Leptos's own client asks for a serialized result instead.
pub fn is_plain_form_post() -> bool {
    use_context::<http::request::Parts>().is_some_and(|parts| {
        parts
            .headers
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"))
    })
}

/// Redirects after success to a path on this site. `next` comes from the
/// client, so anything that is not a local path ("//evil.example",
/// "https://…") is replaced by `fallback` (no open redirects).
pub fn redirect_local(next: Option<&str>, fallback: &str) {
    leptos_axum::redirect(safe_next(next, fallback));
}

pub fn safe_next<'a>(next: Option<&'a str>, fallback: &'a str) -> &'a str {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.contains(['\r', '\n']) =>
        {
            n
        }
        _ => fallback,
    }
}

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Conflict(what) => {
                AppError::Conflict(format!("That {what} is already in use."))
            }
            StoreError::NotFound => AppError::NotFound("That no longer exists.".into()),
            StoreError::Backend(e) => {
                tracing::error!(error = %e, "store failed");
                AppError::Internal
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed_after_login() {
        assert_eq!(
            safe_next(Some("/e/rustconf-ab12"), "/events"),
            "/e/rustconf-ab12"
        );
        for evil in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "javascript:alert(1)",
            "",
        ] {
            assert_eq!(safe_next(Some(evil), "/events"), "/events", "{evil}");
        }
        assert_eq!(safe_next(None, "/events"), "/events");
    }
}
