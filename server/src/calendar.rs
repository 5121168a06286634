//! iCalendar (RFC 5545) downloads of meetings: each person's private feed
//! at `/calendar/<token>` (the secret is the only credential, so calendar
//! apps can subscribe without a session; it is shown on "My agenda"), and
//! one meeting at `/meetings/<id>/ics` for the signed-in person.
//!
//! Events carry a stable UID and the meeting's revision as SEQUENCE, so a
//! subscribed calendar updates a moved meeting and removes a cancelled one
//! (STATUS:CANCELLED) instead of duplicating it.

use crate::signed_in::SignedIn;
use app::{service::meetings::CalendarEntry, state::AppState};
use axum::{
    extract::{Path, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use icalendar::{Calendar, Component, EventLike, EventStatus};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/calendar/{token}", get(feed))
        .route("/meetings/{id}/ics", get(one_meeting))
}

/// A calendar with one VEVENT per entry.
pub fn ics(name: &str, entries: &[CalendarEntry]) -> String {
    let mut calendar = Calendar::new();
    calendar.name(name);
    for e in entries {
        let mut event = icalendar::Event::new();
        event
            .uid(&e.uid)
            .summary(&e.summary)
            .description(&e.description)
            .location(&e.location)
            .starts(e.starts_at)
            .ends(e.ends_at)
            .timestamp(e.stamp)
            .sequence(u32::try_from(e.sequence).unwrap_or_default())
            .status(if e.cancelled {
                EventStatus::Cancelled
            } else {
                EventStatus::Confirmed
            });
        calendar.push(event.done());
    }
    calendar.done().to_string()
}

fn calendar_response(filename: &str, body: String) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "text/calendar; charset=utf-8".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{filename}\""),
            ),
            (header::CACHE_CONTROL, "private, no-cache".to_owned()),
        ],
        body,
    )
        .into_response()
}

fn failed(e: app::error::AppError) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, e.to_string()).into_response()
}

async fn feed(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let owner = match app::service::meetings::feed_owner(&state, &token).await {
        Ok(Some(owner)) => owner,
        Ok(None) => return (StatusCode::NOT_FOUND, "No such calendar.").into_response(),
        Err(e) => return failed(e),
    };
    match app::service::meetings::calendar_entries(&state, owner, None).await {
        Ok(entries) => calendar_response("rapport.ics", ics("Rapport meetings", &entries)),
        Err(e) => failed(e),
    }
}

async fn one_meeting(
    State(state): State<AppState>,
    me: Option<SignedIn>,
    Path(id): Path<String>,
) -> Response {
    let Some(SignedIn(me)) = me else {
        return (StatusCode::UNAUTHORIZED, "Please sign in.").into_response();
    };
    let Ok(id) = id.parse::<uuid::Uuid>() else {
        return (StatusCode::NOT_FOUND, "No such meeting.").into_response();
    };
    match app::service::meetings::calendar_entries(&state, me, Some(id)).await {
        Ok(entries) if !entries.is_empty() => {
            calendar_response("meeting.ics", ics("Rapport meeting", &entries))
        }
        Ok(_) => (StatusCode::NOT_FOUND, "No such meeting in your calendar.").into_response(),
        Err(e) => failed(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use icalendar::{CalendarComponent, DatePerhapsTime};

    #[test]
    fn a_feed_parses_back_with_uid_times_sequence_and_status() {
        let starts: chrono::DateTime<chrono::Utc> = "2031-05-14T13:00:00Z".parse().unwrap();
        let entry = CalendarEntry {
            uid: "1b4e28ba-2fa1-11d2-883f-0016d3cca427@rapport".into(),
            summary: "Meet Zoë; CTO, Analytical Engines".into(),
            description: "Rapport meeting at Conf.\n\nCoffee?".into(),
            location: "Table 12".into(),
            starts_at: starts,
            ends_at: starts + chrono::Duration::minutes(30),
            sequence: 2,
            cancelled: true,
            stamp: starts,
        };
        let text = ics("Rapport meetings", std::slice::from_ref(&entry));
        assert!(text.contains("\r\n"), "CRLF line ends");
        let parsed: Calendar = text.parse().unwrap();
        let events: Vec<_> = parsed
            .components
            .iter()
            .filter_map(|c| match c {
                CalendarComponent::Event(e) => Some(e),
                _ => None,
            })
            .collect();
        assert_eq!(events.len(), 1);
        let e = events[0];
        assert_eq!(e.get_uid(), Some(entry.uid.as_str()));
        assert_eq!(e.get_summary(), Some(entry.summary.as_str()));
        assert_eq!(e.get_location(), Some("Table 12"));
        assert_eq!(e.get_sequence(), Some(2));
        assert_eq!(e.get_status(), Some(EventStatus::Cancelled));
        assert_eq!(
            e.get_start(),
            Some(DatePerhapsTime::DateTime(starts.into()))
        );
    }
}
