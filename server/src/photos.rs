//! Profile photos: upload (`POST /account/photo`, a plain multipart form so
//! it works without JavaScript) and serving (`GET /photos/<user id>`) with
//! HTTP caching. Photos are shown only to people who share an event with
//! their owner and have not blocked each other.

use crate::signed_in::SignedIn;
use app::{domain::UserId, ports::Photo, state::AppState};
use axum::{
    extract::{DefaultBodyLimit, Multipart, Path, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
    Router,
};
use rand::RngCore;

/// Largest photo we keep; phones produce a few MB, so the page says 2 MB.
pub const MAX_BYTES: usize = 2 * 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/account/photo",
            post(upload).layer(DefaultBodyLimit::max(MAX_BYTES + 64 * 1024)),
        )
        .route("/photos/{user_id}", get(serve))
}

/// The image type from the file's first bytes (never trust the declared type).
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

fn back_with_error(message: &str) -> Response {
    crate::redirect::with_message("/account", "photo_error", message)
}

async fn upload(
    State(state): State<AppState>,
    me: Option<SignedIn>,
    mut form: Multipart,
) -> Response {
    let Some(SignedIn(user)) = me else {
        return crate::redirect::to_login("/account", None);
    };
    let mut bytes = None;
    loop {
        match form.next_field().await {
            Ok(Some(field)) if field.name() == Some("photo") => match field.bytes().await {
                Ok(b) => bytes = Some(b),
                Err(_) => return back_with_error("The photo is larger than 2 MB."),
            },
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(_) => return back_with_error("The photo is larger than 2 MB."),
        }
    }
    let Some(bytes) = bytes.filter(|b| !b.is_empty()) else {
        return back_with_error("Choose a photo to upload.");
    };
    if bytes.len() > MAX_BYTES {
        return back_with_error("The photo is larger than 2 MB.");
    }
    let Some(content_type) = sniff(&bytes) else {
        return back_with_error("That file is not a PNG, JPEG, WebP or GIF image.");
    };
    let mut tag = [0u8; 8];
    rand::rngs::OsRng.fill_bytes(&mut tag);
    let photo = Photo {
        content_type: content_type.to_owned(),
        bytes: bytes.to_vec(),
        etag: tag.iter().map(|b| format!("{b:02x}")).collect(),
    };
    match state.store.set_photo(user, &photo).await {
        Ok(()) => Redirect::to("/account").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "storing a photo failed");
            back_with_error("The photo could not be saved. Please try again.")
        }
    }
}

async fn serve(
    State(state): State<AppState>,
    me: Option<SignedIn>,
    Path(owner): Path<String>,
    headers: HeaderMap,
) -> Response {
    let not_found = || StatusCode::NOT_FOUND.into_response();
    let (Some(viewer), Ok(owner)) = (me.map(|SignedIn(id)| id), owner.parse().map(UserId)) else {
        return not_found();
    };
    let allowed = viewer == owner
        || (matches!(state.store.share_an_event(viewer, owner).await, Ok(true))
            && matches!(
                state.store.blocked_either_way(viewer, owner).await,
                Ok(false)
            ));
    if !allowed {
        return not_found();
    }
    let photo = match state.store.photo(owner).await {
        Ok(Some(p)) => p,
        Ok(None) => return not_found(),
        Err(e) => {
            tracing::error!(error = %e, "reading a photo failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let etag = format!("\"{}\"", photo.etag);
    // Private: the photo is for signed-in members only, never shared caches.
    // The URL carries the ETag, so a new upload is a new URL.
    let cache = (header::CACHE_CONTROL, "private, max-age=86400".to_owned());
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        == Some(etag.as_str())
    {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag), cache]).into_response();
    }
    (
        [
            (header::CONTENT_TYPE, photo.content_type),
            (header::ETAG, etag),
            cache,
        ],
        photo.bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::sniff;

    #[test]
    fn images_are_recognised_by_their_bytes_not_their_name() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(
            sniff(b"<svg onload=alert(1)>"),
            None,
            "SVG can carry script"
        );
        assert_eq!(sniff(b"%PDF-1.7"), None);
    }
}
