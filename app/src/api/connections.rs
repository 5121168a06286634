//! My connections across all events: where, when and how we met, their
//! contact details as they let connections see them, my private note,
//! rating and labels (lead retrieval), and the requests waiting for me
//! when I approve scans. The vCard and CSV downloads (server routes) are
//! built from [`crate::service::connections::contact_cards`].

pub use crate::domain::ConnectionCard;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::{
    api::context,
    domain::{ConnectionNoteText, EventId, Labels, Rating, UserId},
    ports::ConnectionNote,
    service::connections,
};

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

/// My connections (optionally searched) and the requests waiting for me.
#[server(prefix = "/api", endpoint = "my_connections")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
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
    let all = connections::contact_cards(&state, me.id).await?;
    let total = all.len();
    let found = all
        .into_iter()
        .filter(|c| connections::matches(c, &words))
        .collect();
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
        connections: found,
        total,
    })
}

/// Saves my private note, rating (1–5 or empty) and labels (comma-separated)
/// about someone I am connected with.
#[server(prefix = "/api", endpoint = "save_note")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn save_note(
    user_id: String,
    note: String,
    rating: Option<String>,
    labels: Option<String>,
) -> Result<(), AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let other = crate::service::profiles::parse_user_id(&user_id)?;
    let note = ConnectionNote {
        note: ConnectionNoteText::parse("note", &note)?,
        rating: Rating::parse(rating.as_deref().unwrap_or_default())?,
        labels: Labels::parse(labels.as_deref().unwrap_or_default())?,
    };
    connections::save_note(&state, me.id, other, &note).await
}

/// Accepts or declines a request to connect (`answer`: `accept` or `decline`).
#[server(prefix = "/api", endpoint = "answer_request")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn answer_request(
    event_id: String,
    from_id: String,
    answer: String,
) -> Result<(), AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let missing = connections::request_gone;
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
    connections::answer_request(&state, me.id, event, from, accept).await
}
