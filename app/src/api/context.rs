//! Server-side plumbing shared by the server functions: reaching the state,
//! the session and the signed-in user, and turning errors into responses.

use crate::{
    domain::UserId,
    error::AppError,
    ports::{StoreError, User},
    state::AppState,
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
/// client, so anything that does not stay on this site is replaced by
/// `fallback` (no open redirects); see [`safe_next`].
pub fn redirect_local(next: Option<&str>, fallback: &str) {
    leptos_axum::redirect(&safe_next(next, fallback));
}

/// The same-origin path a browser would go to if sent to `next`, or
/// `fallback` when it would leave this site.
///
/// Checking the raw string is not enough: browsers drop tabs and line
/// breaks anywhere in a URL and trim control characters and spaces at its
/// ends, treat `\` as `/`, and resolve `.` and `..`, so `/\t/evil.example`
/// is `//evil.example`, another host. So `next` is resolved as the WHATWG
/// URL standard (what browsers implement) says against a placeholder origin,
/// and only a result on that origin is kept, as its path, query and
/// fragment. That result is percent-encoded ASCII, so it is always a valid
/// `Location` header value (a control character in `next` can no longer make
/// building the header panic).
pub fn safe_next(next: Option<&str>, fallback: &str) -> String {
    const HERE: &str = "http://rapport.invalid/";
    let Some(next) = next else {
        return fallback.to_owned();
    };
    // Only an absolute path is meant: "evil" or "?x" would resolve to this
    // site too, but nothing Rapport links to looks like that.
    let trimmed = next.trim_start_matches(|c: char| c <= ' ');
    let stripped: String = trimmed
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    if !(stripped.starts_with('/') || stripped.starts_with('\\')) {
        return fallback.to_owned();
    }
    let base = url::Url::parse(HERE).expect("the placeholder origin is a valid URL");
    match base.join(next) {
        Ok(url) if url.origin() == base.origin() => {
            let mut local = url.path().to_owned();
            if let Some(query) = url.query() {
                local.push('?');
                local.push_str(query);
            }
            if let Some(fragment) = url.fragment() {
                local.push('#');
                local.push_str(fragment);
            }
            // A path may still begin with "//" (e.g. "/.//evil.example"),
            // which a browser reads as another host in a `Location`.
            if local.starts_with("//") {
                fallback.to_owned()
            } else {
                local
            }
        }
        _ => fallback.to_owned(),
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
    use proptest::prelude::*;

    #[test]
    fn only_local_paths_are_followed_after_login() {
        assert_eq!(
            safe_next(Some("/e/rustconf-ab12?tab=people#top"), "/events"),
            "/e/rustconf-ab12?tab=people#top"
        );
        assert_eq!(safe_next(Some("/b/K7PM-Q2XR"), "/events"), "/b/K7PM-Q2XR");
        for evil in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "\t//evil.example",
            " //evil.example",
            "/.//evil.example",
            "/x/..//evil.example",
            "javascript:alert(1)",
            "evil.example",
            "",
        ] {
            assert_eq!(safe_next(Some(evil), "/events"), "/events", "{evil:?}");
        }
        assert_eq!(safe_next(None, "/events"), "/events");
    }

    #[test]
    fn control_characters_are_encoded_not_passed_to_the_header() {
        for raw in [
            "/a\u{0}b",
            "/a\u{1}b",
            "/a\u{b}b",
            "/a\u{1b}b",
            "/a\u{7f}b",
            "/caf\u{e9}",
        ] {
            let next = safe_next(Some(raw), "/events");
            assert!(
                next.starts_with("/a") || next.starts_with("/caf"),
                "{raw:?} -> {next}"
            );
            assert!(
                http::HeaderValue::from_str(&next).is_ok(),
                "{raw:?} -> {next:?}"
            );
        }
    }

    proptest! {
        /// Whatever `next` holds, the redirect is a valid header value that a
        /// browser on this site resolves to this site.
        #[test]
        fn the_location_is_always_this_origin(next in any::<String>()) {
            location_stays_here(&next)?;
        }

        /// The same over strings built from the characters that have fooled
        /// redirect checks before, so the odd cases come up often.
        #[test]
        fn tricky_targets_stay_on_this_origin(
            next in proptest::collection::vec(
                prop::sample::select(vec![
                    "/", "\\", "\t", "\n", "\r", " ", "\u{0}", "\u{b}", "\u{1b}", "\u{7f}", ".", "..",
                    "%2f", "%5c", "%09", "evil.example", "@", ":", "http:", "javascript:", "?", "#",
                    "\u{3002}", "\u{ff0f}",
                ]),
                0..12,
            ).prop_map(|parts| parts.concat())
        ) {
            location_stays_here(&next)?;
        }
    }

    fn location_stays_here(next: &str) -> Result<(), TestCaseError> {
        let location = safe_next(Some(next), "/events");
        prop_assert!(
            http::HeaderValue::from_str(&location).is_ok(),
            "{:?}",
            location
        );
        let here = url::Url::parse("https://rapport.example/login").unwrap();
        let resolved = here.join(&location).unwrap();
        prop_assert_eq!(
            resolved.origin(),
            here.origin(),
            "{:?} -> {:?}",
            next,
            location
        );
        prop_assert!(location.starts_with('/') && !location.starts_with("//"));
        Ok(())
    }
}
