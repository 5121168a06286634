//! My connections across all events: where, when and how we met, their
//! contact details as they let connections see them, my private note,
//! rating and labels (lead retrieval), and the requests waiting for me
//! when I approve scans. The vCard and CSV downloads (server routes) are
//! built from [`contact_cards`].

use crate::{api::badges::NoteView, domain::ConnectionMethod, error::AppError};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::{
    api::{context, profiles, webhooks},
    domain::{ConnectionNoteText, EventId, Labels, ProfileField, Rating, UserId, Viewer},
    ports::{AppState, ConnectionEntry, ConnectionNote},
};

/// One of my connections.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionCard {
    pub user_id: String,
    pub display_name: String,
    pub pronouns: String,
    pub headline: Option<String>,
    pub company: Option<String>,
    pub job_title: Option<String>,
    /// Contact details, as the person lets connections see them.
    pub email: Option<String>,
    pub phone: Option<String>,
    pub links: Vec<String>,
    pub photo_url: Option<String>,
    /// Where we met: (event name, slug).
    pub event: Option<(String, String)>,
    pub method: ConnectionMethod,
    /// When we connected, RFC 3339 (UTC), for exports and sorting.
    pub connected_at: String,
    /// The same, for reading: "May 14, 2026".
    pub connected_on: String,
    pub note: NoteView,
}

/// Someone asking to connect with me.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestView {
    pub event_id: String,
    pub event_name: String,
    pub from_id: String,
    pub from_name: String,
    pub from_headline: String,
    pub asked_on: String,
}

/// The "my connections" page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionsView {
    pub requests: Vec<RequestView>,
    pub connections: Vec<ConnectionCard>,
    /// How many I have in all (before the search).
    pub total: usize,
}

#[cfg(feature = "ssr")]
fn note_view(note: &ConnectionNote) -> NoteView {
    NoteView {
        note: note.note.as_str().to_owned(),
        rating: note.rating.map(Rating::get),
        labels: note.labels.as_slice().join(", "),
    }
}

#[cfg(feature = "ssr")]
fn card(entry: ConnectionEntry, photo_etag: Option<&str>) -> ConnectionCard {
    let user = entry.other;
    let vis = &user.visibility;
    let show = |field: ProfileField, value: String| {
        (vis.allows(field, Viewer::Connection) && !value.is_empty()).then_some(value)
    };
    ConnectionCard {
        user_id: user.id.to_string(),
        photo_url: profiles::photo_url(user.id, photo_etag),
        display_name: user.display_name,
        pronouns: user.pronouns,
        headline: show(ProfileField::Headline, user.headline),
        company: show(ProfileField::Company, user.company),
        job_title: show(ProfileField::JobTitle, user.job_title),
        email: show(ProfileField::Email, user.email.as_str().to_owned()),
        phone: show(ProfileField::Phone, user.phone),
        links: if vis.allows(ProfileField::Links, Viewer::Connection) {
            user.links
        } else {
            Vec::new()
        },
        event: entry
            .event
            .map(|(name, slug)| (name, slug.as_str().to_owned())),
        method: entry.method,
        connected_at: entry.connected_at.to_rfc3339(),
        connected_on: entry.connected_at.format("%b %-d, %Y").to_string(),
        note: note_view(&entry.note),
    }
}

/// All my connections as I may see them, newest first.
#[cfg(feature = "ssr")]
pub async fn contact_cards(state: &AppState, me: UserId) -> Result<Vec<ConnectionCard>, AppError> {
    let mut cards = Vec::new();
    for entry in state.store.my_connections(me).await? {
        let photo = state.store.photo(entry.other.id).await?;
        cards.push(card(entry, photo.as_ref().map(|p| p.etag.as_str())));
    }
    Ok(cards)
}

/// My note about `other`, if I wrote one.
#[cfg(feature = "ssr")]
pub async fn note_about(
    state: &AppState,
    me: UserId,
    other: UserId,
) -> Result<Option<NoteView>, AppError> {
    Ok(state
        .store
        .notes_by(me)
        .await?
        .into_iter()
        .find(|n| n.other == other)
        .map(|n| note_view(&n.note)))
}

/// Whether a connection matches every word of a search (name, headline,
/// company, event, my note and labels), case-insensitively.
#[cfg(feature = "ssr")]
fn matches(card: &ConnectionCard, words: &[String]) -> bool {
    let haystack = [
        Some(card.display_name.as_str()),
        card.headline.as_deref(),
        card.company.as_deref(),
        card.job_title.as_deref(),
        card.event.as_ref().map(|(name, _)| name.as_str()),
        Some(card.note.note.as_str()),
        Some(card.note.labels.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ")
    .to_lowercase();
    words.iter().all(|w| haystack.contains(w.as_str()))
}

/// My connections (optionally searched) and the requests waiting for me.
#[server(prefix = "/api", endpoint = "my_connections")]
pub async fn my_connections(q: Option<String>) -> Result<ConnectionsView, AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let words: Vec<String> = q
        .as_deref()
        .unwrap_or_default()
        .to_lowercase()
        .split_whitespace()
        .take(10)
        .map(str::to_owned)
        .collect();
    let all = contact_cards(&state, me.id).await?;
    let total = all.len();
    let connections = all.into_iter().filter(|c| matches(c, &words)).collect();
    let requests = state
        .store
        .incoming_requests(me.id)
        .await?
        .into_iter()
        .map(|r| RequestView {
            event_id: r.event.to_string(),
            event_name: r.event_name,
            from_id: r.from.to_string(),
            from_name: r.from_name,
            from_headline: r.from_headline,
            asked_on: r.created_at.format("%b %-d, %H:%M UTC").to_string(),
        })
        .collect();
    Ok(ConnectionsView {
        requests,
        connections,
        total,
    })
}

/// Saves my private note, rating (1–5 or empty) and labels (comma-separated)
/// about someone I am connected with.
#[server(prefix = "/api", endpoint = "save_note")]
pub async fn save_note(
    user_id: String,
    note: String,
    rating: Option<String>,
    labels: Option<String>,
) -> Result<(), AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let other = profiles::parse_user_id(&user_id)?;
    let note = ConnectionNote {
        note: ConnectionNoteText::parse("note", &note)?,
        rating: Rating::parse(rating.as_deref().unwrap_or_default())?,
        labels: Labels::parse(labels.as_deref().unwrap_or_default())?,
    };
    state
        .store
        .set_connection_note(me.id, other, &note)
        .await
        .map_err(|e| match e {
            crate::ports::StoreError::NotFound => AppError::NotFound(
                "You can keep notes only about people you are connected with.".into(),
            ),
            other => other.into(),
        })
}

/// Accepts or declines a request to connect (`answer`: `accept` or `decline`).
#[server(prefix = "/api", endpoint = "answer_request")]
pub async fn answer_request(
    event_id: String,
    from_id: String,
    answer: String,
) -> Result<(), AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let missing = || AppError::NotFound("That request is no longer waiting.".into());
    let event = EventId(event_id.trim().parse().map_err(|_| missing())?);
    let from = UserId(from_id.trim().parse().map_err(|_| missing())?);
    let accept = match answer.as_str() {
        "accept" => true,
        "decline" => false,
        _ => {
            return Err(AppError::Invalid {
                field: "answer".into(),
                message: "Accept or decline the request.".into(),
            })
        }
    };
    if accept && state.store.blocked_either_way(me.id, from).await? {
        return Err(missing());
    }
    let connected = state
        .store
        .answer_request(event, from, me.id, accept)
        .await
        .map_err(|e| match e {
            crate::ports::StoreError::NotFound => missing(),
            other => other.into(),
        })?;
    if connected {
        webhooks::connection_created(&*state.store, event, from, me.id, "approved").await;
        super::notify::connection(
            &state,
            event,
            me.id,
            from,
            crate::realtime::NotificationKind::Connection,
        );
    }
    Ok(())
}
