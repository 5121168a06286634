//! Redirects that carry text from the request: the one place that turns a
//! path or a message into a `Location` header.
//!
//! axum's `Redirect::to` panics when its target is not a valid header value,
//! and a percent-decoded path segment can hold any character (`/e/%01/…`),
//! so every redirect whose target holds request text goes through here:
//! that text is percent-encoded into the query, and a `next` target is
//! first made a same-origin path ([`app::api::context::safe_next`]).

use app::components::layout::urlencode;
use axum::response::{IntoResponse, Redirect, Response};

/// Sends a visitor who is not signed in to log in, coming back to `back_to`
/// afterwards (or to "my events" when `back_to` would leave the site).
/// `reason` says why on the login page (e.g. `scan`).
pub fn to_login(back_to: &str, reason: Option<&str>) -> Response {
    let next = app::api::context::safe_next(Some(back_to), "/events");
    let mut target = format!("/login?next={}", urlencode(&next));
    if let Some(reason) = reason {
        target.push_str("&reason=");
        target.push_str(&urlencode(reason));
    }
    Redirect::to(&target).into_response()
}

/// Back to the page at `path` (built by the caller from validated parts)
/// with `message` in its `key` query parameter, e.g. an upload's error.
pub fn with_message(path: &str, key: &str, message: &str) -> Response {
    Redirect::to(&format!("{path}?{key}={}", urlencode(message))).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_back_to_path_makes_a_valid_login_redirect() {
        for back_to in [
            "/e/\u{1}/dashboard",
            "/e/a\u{7f}b",
            "/\t/evil.example",
            "/e/é/x",
        ] {
            let response = to_login(back_to, Some("scan"));
            let location = response.headers()["location"].to_str().unwrap();
            assert!(
                location.starts_with("/login?next=%2F") || location.starts_with("/login?next=/")
            );
            assert!(!location.contains("evil.example") || location.contains("next=/events"));
        }
    }

    #[test]
    fn messages_are_encoded_into_the_query() {
        let response = with_message("/account", "photo_error", "Too big & \u{0} odd");
        assert_eq!(
            response.headers()["location"],
            "/account?photo_error=Too%20big%20%26%20%00%20odd"
        );
    }
}
