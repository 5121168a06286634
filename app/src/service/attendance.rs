//! Who is here now, the rules in one place: a member is here when they
//! checked in today (event time) and did not check out, or when they are
//! live in one of the event's rooms on any instance. Attendees check
//! themselves in and out on the event's days; staff do it by scanning
//! (`service::badges`, with the same store change).

use crate::domain::{day_start, AttendanceSource, Movement, RoomId, UserId};
use crate::error::AppError;
use crate::ports::{Event, NewMovement};
use crate::service::events::member_of;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use std::collections::HashSet;

/// How recent another instance's room presence must be to count: its
/// heartbeat rewrites it every few seconds. The dashboard's people per
/// room use the same.
pub const ROOM_PRESENCE_FRESH_SECS: f64 = 30.0;

/// The event's time zone (UTC if the stored name no longer parses).
pub fn time_zone(event: &Event) -> chrono_tz::Tz {
    event.time_zone.parse().unwrap_or(chrono_tz::UTC)
}

/// The start of the event's day at `at`: check-ins before it have ended.
pub fn today_from(event: &Event, at: DateTime<Utc>) -> DateTime<Utc> {
    day_start(time_zone(event), at)
}

/// Everyone at `event` right now: checked in today and not out, or live in
/// one of its rooms on any instance.
pub async fn here_now(state: &AppState, event: &Event) -> Result<HashSet<UserId>, AppError> {
    let now = crate::domain::now_utc();
    let mut here: HashSet<UserId> = state
        .store
        .checked_in_now(event.id, today_from(event, now))
        .await?
        .into_iter()
        .collect();
    let rooms: Vec<RoomId> = state
        .store
        .rooms_of_event(event.id)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect();
    here.extend(state.live.present_in(&rooms));
    here.extend(
        state
            .store
            .live_in_rooms_elsewhere(event.id, ROOM_PRESENCE_FRESH_SECS)
            .await?,
    );
    Ok(here)
}

/// My own check-in at the event at `slug`: since when I am here today.
pub async fn my_check_in(
    state: &AppState,
    me: UserId,
    slug: &str,
) -> Result<Option<DateTime<Utc>>, AppError> {
    let (event, _) = member_of(state, slug, me, "check in").await?;
    let now = crate::domain::now_utc();
    Ok(state
        .store
        .here_since(event.id, me, today_from(&event, now))
        .await?)
}

/// I arrive (`In`) or leave (`Out`) the event at `slug`. Arriving is only
/// possible on the event's days; doing what is already done changes
/// nothing. Returns since when I am here, after the change.
pub async fn move_myself(
    state: &AppState,
    me: UserId,
    slug: &str,
    movement: Movement,
) -> Result<Option<DateTime<Utc>>, AppError> {
    let (event, _) = member_of(state, slug, me, "check in").await?;
    state.limits.presence(me)?;
    let now = crate::domain::now_utc();
    let today = now.with_timezone(&time_zone(&event)).date_naive();
    if movement == Movement::In
        && !(event.dates.starts_on()..=event.dates.ends_on()).contains(&today)
    {
        return Err(AppError::Conflict(format!(
            "You can check in on the event's days only ({} to {}).",
            event.dates.starts_on().format("%-d %b"),
            event.dates.ends_on().format("%-d %b %Y")
        )));
    }
    let today_from = today_from(&event, now);
    let changed = state
        .store
        .record_movement(&NewMovement {
            event: event.id,
            user: me,
            movement,
            source: AttendanceSource::Myself,
            by: me,
            at: now,
            today_from,
        })
        .await?;
    if changed {
        crate::service::notify::dashboard(state, &event);
    }
    Ok(state.store.here_since(event.id, me, today_from).await?)
}
