//! Connections on the server: my private note about someone (kept only
//! about people I am connected with, shown by the note forms wherever they
//! are: my connections, a scan's result), and answering a request to
//! connect (never with someone either of us blocked; an accepted request
//! notifies and fires the `connection.created` webhook like a scan does).
//! And my connections as I may see them ([`contact_cards`]: their contact
//! details only as each person lets connections see them), for the
//! connections page, the lead exports and the vCard/CSV downloads.

use crate::{
    domain::{ConnectionCard, EventId, NoteView, ProfileField, Rating, UserId, Viewer},
    error::AppError,
    ports::{ConnectionEntry, ConnectionNote, Store, StoreError},
    realtime::NotificationKind,
    service::{notify, webhooks},
    state::AppState,
};

/// A stored note as its form shows it.
pub fn note_view(note: &ConnectionNote) -> NoteView {
    NoteView {
        note: note.note.as_str().to_owned(),
        rating: note.rating.map(Rating::get),
        labels: note.labels.as_slice().join(", "),
    }
}

/// My note about `other`, if I wrote one.
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

/// Saves my private note, rating and labels about `other`.
pub async fn save_note(
    state: &AppState,
    me: UserId,
    other: UserId,
    note: &ConnectionNote,
) -> Result<(), AppError> {
    state
        .store
        .set_connection_note(me, other, note)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => AppError::NotFound(
                "You can keep notes only about people you are connected with.".into(),
            ),
            other => other.into(),
        })
}

/// The answer to a request that is not (or no longer) waiting for me,
/// whatever the reason: answered already, withdrawn, or never made.
pub fn request_gone() -> AppError {
    AppError::NotFound("That request is no longer waiting.".into())
}

/// Accepts or declines `from`'s request to connect with me at `event`. An
/// acceptance across a block is refused as if the request were gone.
pub async fn answer_request(
    state: &AppState,
    me: UserId,
    event: EventId,
    from: UserId,
    accept: bool,
) -> Result<(), AppError> {
    if accept && state.store.blocked_either_way(me, from).await? {
        return Err(request_gone());
    }
    let connected = state
        .store
        .answer_request(event, from, me, accept)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => request_gone(),
            other => other.into(),
        })?;
    if connected {
        webhooks::connection_created(&*state.store, event, from, me, "approved").await;
        notify::connection(state, event, me, from, NotificationKind::Connection);
    }
    Ok(())
}

fn card(entry: ConnectionEntry, photo_etag: Option<&str>) -> ConnectionCard {
    let user = entry.other;
    let vis = &user.visibility;
    let show = |field: ProfileField, value: String| {
        (vis.allows(field, Viewer::Connection) && !value.is_empty()).then_some(value)
    };
    ConnectionCard {
        user_id: user.id.to_string(),
        photo_url: crate::service::profiles::photo_url(user.id, photo_etag),
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
pub async fn contact_cards(state: &AppState, me: UserId) -> Result<Vec<ConnectionCard>, AppError> {
    cards_in(&*state.store, me).await
}

/// [`contact_cards`] from a bare store (the `rapport follow-up` command
/// has no server state).
pub async fn cards_in(store: &dyn Store, me: UserId) -> Result<Vec<ConnectionCard>, AppError> {
    let mut cards = Vec::new();
    for entry in store.my_connections(me).await? {
        let photo = store.photo(entry.other.id).await?;
        cards.push(card(entry, photo.as_ref().map(|p| p.etag.as_str())));
    }
    Ok(cards)
}

/// Whether a connection matches every word of a search (name, headline,
/// company, event, my note and labels), case-insensitively.
pub fn matches(card: &ConnectionCard, words: &[String]) -> bool {
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
