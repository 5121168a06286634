//! `/b/<token>`: the URL inside every badge's QR code, which any phone
//! camera opens. A signed-in visitor is connected at once (or sees why
//! not) and lands on the scan's result page; a visitor who is not signed in
//! is sent to log in or sign up and comes back here afterwards.
//!
//! A link to a badge URL on another site must not connect anyone behind
//! their back, so a cross-site navigation (`Sec-Fetch-Site: cross-site`)
//! gets a confirmation page instead. A camera app opening the URL is a
//! direct navigation (`none`), and Rapport's own pages are `same-origin`.
//!
//! Also `/my/badge` and `/my/scan`, the installed app's shortcuts: the
//! badge or scanner of the person's current event.

use crate::signed_in::SignedIn;
use app::{error::AppError, state::AppState};
use axum::{
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
    routing::get,
    Router,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/b/{token}", get(open_badge))
        .route("/my/badge", get(|s, me| my_page(s, me, "badge")))
        .route("/my/scan", get(|s, me| my_page(s, me, "scan")))
}

/// `/my/<page>`: that page of the person's current event
/// ([`app::service::events::current_event`]); with no event, the events
/// page, where they can join one.
#[tracing::instrument(skip(state, me))]
async fn my_page(
    State(state): State<AppState>,
    me: Option<SignedIn>,
    page: &'static str,
) -> Response {
    let Some(SignedIn(me)) = me else {
        return crate::redirect::to_login(&format!("/my/{page}"), None);
    };
    let events = match state.store.events_of_user(me).await {
        Ok(events) => events,
        Err(e) => {
            tracing::error!(error = %e, "reading the person's events failed");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side. Please try again.",
            )
                .into_response();
        }
    };
    let today = app::domain::now_utc().date_naive();
    match app::service::events::current_event(&events, today) {
        Some(event) => Redirect::to(&format!("/e/{}/{page}", event.slug.as_str())).into_response(),
        None => Redirect::to("/events").into_response(),
    }
}

/// Percent-encodes everything but unreserved characters, so whatever was in
/// the path goes back into a URL safely.
fn encode(raw: &str) -> String {
    raw.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tracing::instrument(skip_all)]
async fn open_badge(
    State(state): State<AppState>,
    me: Option<SignedIn>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Response {
    let token = encode(&token);
    let Some(SignedIn(me)) = me else {
        return crate::redirect::to_login(&format!("/b/{token}"), Some("scan"));
    };
    let cross_site = headers
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes() == b"cross-site");
    if cross_site {
        return Redirect::to(&format!("/connect/{token}")).into_response();
    }
    match app::service::badges::scan_from_link(&state, me, &token).await {
        Ok(id) => Redirect::to(&format!("/scans/{id}")).into_response(),
        // Too many scans: the confirmation page says so and offers to retry.
        Err(AppError::RateLimited { .. }) => {
            Redirect::to(&format!("/connect/{token}?limited=1")).into_response()
        }
        Err(e) => {
            tracing::warn!(error = %e, "badge link failed");
            Redirect::to(&format!("/connect/{token}?failed=1")).into_response()
        }
    }
}
