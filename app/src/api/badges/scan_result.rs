//! A scan's result, as the person who scanned sees it (`/scans/<id>`):
//! whom it connected or checked in, my note about them, and for a badge of
//! an event I have not joined, whether I may join from here. Also the
//! greeting on the login page a badge's link leads to ("Log in to connect
//! with …"). The scan itself is decided in [`crate::service::badges`].

use super::NoteView;
use crate::{
    domain::{PersonCard, ScanMode, ScanOutcome},
    error::AppError,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::{
    api::context,
    domain::{BadgeToken, UserId},
    ports::ScanRecord,
    service::badges as scans,
    state::AppState,
};

/// The result of a scan, for the person who scanned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanView {
    pub scan_id: String,
    pub outcome: ScanOutcome,
    pub mode: ScanMode,
    pub event_name: Option<String>,
    pub slug: Option<String>,
    /// The badge's owner as I may now see them; only when the scan
    /// connected us or asked them to (refusals reveal nobody).
    pub person: Option<PersonCard>,
    /// For check-ins: whom, and when (in the event's time zone).
    pub checked_in: Option<(String, String)>,
    /// My note about them, once we are connected.
    pub note: Option<NoteView>,
    /// For a scan of a badge of an event I am not in: why I may not join it
    /// ("This event is by invitation only.", or I was removed from it), to
    /// show instead of the join button; `None` when joining is open to me.
    pub join_refused: Option<String>,
}

/// A scan I made, for its result page.
#[server(prefix = "/api", endpoint = "scan_result")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn scan_result(id: String) -> Result<ScanView, AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let record = scans::my_scan(&state, me.id, &id).await?;
    scan_view(&state, me.id, &record).await
}

/// After scanning a badge of an event I had not joined: joins it as an
/// attendee, if its join policy lets a badge scan in (the membership
/// service decides: not on an invite-only event, not after a removal),
/// and scans again, then shows the new result.
#[server(prefix = "/api", endpoint = "join_from_scan")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn join_from_scan(id: String) -> Result<(), AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let record = scans::my_scan(&state, me.id, &id).await?;
    let again = scans::join_and_rescan(&state, me.id, &record).await?;
    leptos_axum::redirect(&format!("/scans/{}", again.id));
    Ok(())
}

/// What the scanner sees about a recorded scan.
#[cfg(feature = "ssr")]
pub async fn scan_view(
    state: &AppState,
    me: UserId,
    record: &ScanRecord,
) -> Result<ScanView, AppError> {
    let event = match record.event {
        Some(id) => state.store.event_by_id(id).await?,
        None => None,
    };
    let mut view = ScanView {
        scan_id: record.id.to_string(),
        outcome: record.outcome,
        mode: record.mode,
        event_name: event.as_ref().map(|e| e.name.clone()),
        slug: event.as_ref().map(|e| e.slug.as_str().to_owned()),
        person: None,
        checked_in: None,
        note: None,
        join_refused: None,
    };
    let (Some(event), Some(target)) = (event, record.target) else {
        return Ok(view);
    };
    if record.outcome == ScanOutcome::NotMember {
        view.join_refused = scans::join_refused(state, &event, me).await?;
    }
    match record.outcome {
        ScanOutcome::Connected | ScanOutcome::AlreadyConnected | ScanOutcome::Requested => {
            // The card says only what they let me see; if they blocked me or
            // left since, nothing.
            view.person = crate::service::profiles::person_card(state, &event, me, target)
                .await
                .ok();
            if record.outcome != ScanOutcome::Requested && view.person.is_some() {
                view.note = Some(
                    crate::service::connections::note_about(state, me, target)
                        .await?
                        .unwrap_or_default(),
                );
            }
        }
        ScanOutcome::CheckedIn | ScanOutcome::AlreadyCheckedIn => {
            if let (Some(user), Some(at)) =
                (state.store.user_by_id(target).await?, record.checked_in_at)
            {
                view.checked_in = Some((
                    user.display_name,
                    crate::domain::local_time(&event.time_zone, at),
                ));
            }
        }
        _ => {}
    }
    Ok(view)
}

/// Whose badge brought a visitor to the login or sign-up page: the name
/// printed on the badge and the event's name, so the page can say "Log in to
/// connect with Alma Quist at Rust Tuesdays". Both are printed on the badge
/// the visitor is holding, and the token in `next` is the badge's secret, so
/// nothing more is revealed; a code, a revoked or unknown token, or any
/// other `next` gives `None`.
#[server(prefix = "/api", endpoint = "badge_greeting")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn badge_greeting(next: String) -> Result<Option<BadgeOwner>, AppError> {
    let Some(token) = next
        .strip_prefix("/b/")
        .and_then(|t| BadgeToken::parse(t).ok())
    else {
        return Ok(None);
    };
    let state = context::state()?;
    let Some((owner, event)) = scans::badge_owner(&state, &token).await? else {
        return Ok(None);
    };
    Ok(Some(BadgeOwner {
        person: owner.display_name,
        event: event.name,
    }))
}

/// See [`badge_greeting`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BadgeOwner {
    /// The badge owner's name, as printed on the badge.
    pub person: String,
    /// The event the badge belongs to.
    pub event: String,
}
