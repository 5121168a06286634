//! Attendee import from the browser: `POST /e/<slug>/import` takes the CSV
//! file from a plain multipart form (so it works without JavaScript; a
//! Leptos server function would need the client to post multipart),
//! checks it whole (UTF-8, header, row cap) and keeps it, then opens
//! `/e/<slug>/import/<upload>`, where the dry run waits for the
//! organizer's confirmation. A refused file goes back to the form with the
//! reason and changes nothing.

use crate::signed_in::SignedIn;
use app::{
    domain::{Role, Slug},
    service::imports::{plan_import, MAX_UPLOAD_BYTES},
    state::AppState,
};
use axum::{
    extract::{DefaultBodyLimit, Multipart, Path, State},
    response::{IntoResponse, Redirect, Response},
    routing::post,
    Router,
};

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/e/{slug}/import",
        // Room for the multipart framing around the largest file we take.
        post(upload).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES + 64 * 1024)),
    )
}

/// Back to the import page with `message` shown above the form.
fn back_with_error(slug: &str, message: &str) -> Response {
    crate::redirect::with_message(&format!("/e/{slug}/import"), "error", message)
}

fn too_big() -> String {
    format!(
        "The file is larger than {} MB. Split it into smaller files.",
        MAX_UPLOAD_BYTES / (1024 * 1024)
    )
}

#[tracing::instrument(skip(state, me, form))]
async fn upload(
    State(state): State<AppState>,
    me: Option<SignedIn>,
    Path(slug): Path<String>,
    mut form: Multipart,
) -> Response {
    let Ok(slug_value) = Slug::parse(&slug) else {
        return Redirect::to("/events").into_response();
    };
    let slug = slug_value.as_str().to_owned();
    let Some(SignedIn(user)) = me else {
        return crate::redirect::to_login(&format!("/e/{slug}/import"), None);
    };
    let event = match state.store.event_by_slug(&slug_value).await {
        Ok(Some(e)) => e,
        Ok(None) => return Redirect::to("/events").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "reading the event failed");
            return back_with_error(&slug, "The file could not be read. Please try again.");
        }
    };
    match state.store.member_role(event.id, user).await {
        Ok(Some(Role::Organizer)) => {}
        Ok(_) => {
            return back_with_error(&slug, "Only the event's organizers can import attendees.")
        }
        Err(e) => {
            tracing::error!(error = %e, "reading the role failed");
            return back_with_error(&slug, "The file could not be read. Please try again.");
        }
    }
    let mut file = None;
    loop {
        match form.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => {
                let name = field.file_name().unwrap_or("attendees.csv").to_owned();
                match field.bytes().await {
                    Ok(b) => file = Some((name, b)),
                    Err(_) => return back_with_error(&slug, &too_big()),
                }
            }
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(_) => return back_with_error(&slug, &too_big()),
        }
    }
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return back_with_error(&slug, "Choose a CSV file to import.");
    };
    if bytes.len() > MAX_UPLOAD_BYTES {
        return back_with_error(&slug, &too_big());
    }
    // The whole file is checked now, so a malformed one never gets as far
    // as the confirmation.
    if let Err(e) = plan_import(&bytes) {
        return back_with_error(&slug, &e.to_string());
    }
    let name: String = name.chars().filter(|c| !c.is_control()).take(200).collect();
    let id = uuid::Uuid::new_v4();
    match state
        .store
        .save_upload(id, event.id, user, &name, &bytes)
        .await
    {
        Ok(()) => Redirect::to(&format!("/e/{slug}/import/{id}")).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "storing an uploaded import failed");
            back_with_error(&slug, "The file could not be kept. Please try again.")
        }
    }
}
