//! Creating a room: who may ([`may_create`]), and what a new topic or
//! meetup room must say before anything is stored ([`create`]).

use super::room_tags;
use crate::{
    domain::{Role, RoomDescription, RoomKind, RoomPlace, RoomTitle, UserId},
    error::AppError,
    ports::{Event, NewRoom, Room},
    state::AppState,
};
use chrono::{DateTime, Utc};

/// Whether `role` may create rooms in `event`: organizers and staff always,
/// attendees when the event's switch (its settings page) lets them.
pub fn may_create(role: Role, event: &Event) -> bool {
    role.runs_event() || event.attendees_create_rooms
}

/// A new room as its form was filled in; empty fields are "".
#[derive(Clone, Copy, Debug, Default)]
pub struct RoomForm<'a> {
    /// "topic" or "meetup".
    pub kind: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    /// Where a meetup happens; required for one.
    pub place: &'a str,
    /// A meetup's start and end, as a `datetime-local` field sends them, in
    /// the event's time zone.
    pub starts_at: &'a str,
    pub ends_at: &'a str,
    /// Up to five, comma-separated ([`room_tags`]).
    pub tags: &'a str,
}

/// Creates the room `form` describes in `event`, by `me` (whose role there
/// is `role`). Every field is checked, in the form's order, before
/// anything is stored; nothing is stored when anything is refused.
pub async fn create(
    state: &AppState,
    event: &Event,
    role: Role,
    me: UserId,
    form: RoomForm<'_>,
) -> Result<Room, AppError> {
    if !may_create(role, event) {
        return Err(AppError::Forbidden(
            "In this event only the organizers and staff create rooms.".into(),
        ));
    }
    let kind = RoomKind::parse(form.kind)?;
    let title = RoomTitle::parse("title", form.title)?;
    let description = RoomDescription::parse("description", form.description)?;
    let place = RoomPlace::parse("place", form.place)?;
    let tags = room_tags(state, event, form.tags).await?;
    let (starts_at, ends_at) = match kind {
        RoomKind::Topic => (None, None),
        RoomKind::Meetup => {
            if place.is_empty() {
                return Err(AppError::Invalid {
                    field: "place".into(),
                    message: "Say where the meetup is, like “Table 12”.".into(),
                });
            }
            let start = local_time(event, "starts_at", form.starts_at)?;
            let end = local_time(event, "ends_at", form.ends_at)?;
            if end <= start {
                return Err(AppError::Invalid {
                    field: "ends_at".into(),
                    message: "A meetup ends after it starts.".into(),
                });
            }
            (Some(start), Some(end))
        }
    };
    let room = state
        .store
        .create_room(NewRoom {
            event: event.id,
            kind,
            title,
            description,
            place,
            starts_at,
            ends_at,
            created_by: me,
            tags,
        })
        .await?;
    tracing::info!(room = %room.id, event = %event.id, "room created");
    Ok(room)
}

/// A meetup time typed into a `datetime-local` field, in the event's zone.
fn local_time(event: &Event, field: &str, raw: &str) -> Result<DateTime<Utc>, AppError> {
    let invalid = || AppError::Invalid {
        field: field.into(),
        message: "Give a date and time like 2026-05-14 15:00.".into(),
    };
    let naive = chrono::NaiveDateTime::parse_from_str(raw.trim(), "%Y-%m-%dT%H:%M")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(raw.trim(), "%Y-%m-%d %H:%M"))
        .map_err(|_| invalid())?;
    let tz: chrono_tz::Tz = event.time_zone.parse().unwrap_or(chrono_tz::UTC);
    naive
        .and_local_timezone(tz)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(invalid)
}
