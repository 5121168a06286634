//! `/b/<token>`: the URL inside every badge's QR code, which any phone
//! camera opens. A signed-in visitor is connected at once (or sees why
//! not) and lands on the scan's result page; a visitor who is not signed in
//! is sent to log in or sign up and comes back here afterwards.
//!
//! A link to a badge URL on another site must not connect anyone behind
//! their back, so a cross-site navigation (`Sec-Fetch-Site: cross-site`)
//! gets a confirmation page instead. A camera app opening the URL is a
//! direct navigation (`none`), and Rapport's own pages are `same-origin`.

use app::{api::context::SESSION_USER_KEY, domain::UserId, error::AppError, ports::AppState};
use axum::{
    extract::{Path, State},
    http::HeaderMap,
    response::{IntoResponse, Redirect, Response},
    routing::get,
    Router,
};
use tower_sessions::Session;

pub fn routes() -> Router<AppState> {
    Router::new().route("/b/{token}", get(open_badge))
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
    session: Session,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Response {
    let token = encode(&token);
    let signed_in = match session.get::<UserId>(SESSION_USER_KEY).await.ok().flatten() {
        Some(id) => state
            .store
            .user_by_id(id)
            .await
            .ok()
            .flatten()
            .map(|u| u.id),
        None => None,
    };
    let Some(me) = signed_in else {
        let next = encode(&format!("/b/{token}"));
        return Redirect::to(&format!("/login?next={next}&reason=scan")).into_response();
    };
    let cross_site = headers
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes() == b"cross-site");
    if cross_site {
        return Redirect::to(&format!("/connect/{token}")).into_response();
    }
    match app::api::badges::scan_from_link(&state, me, &token).await {
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
