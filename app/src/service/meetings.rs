//! Meetings: the one place that decides who may propose, accept, decline,
//! counter, cancel or mark a meeting as held, and when. The server
//! functions of [`crate::api::meetings`] (the meeting form, "My agenda")
//! and the server's calendar routes (`server/src/calendar.rs`) call these
//! functions; none of them re-implements a rule.
//!
//! The rules:
//!
//! - a meeting is proposed within the event's dates, read in its time zone
//!   ([`meeting_window`]), never in the past, at one of the organizer's
//!   meeting spots or a free-text place, with a short message, to a member
//!   the proposer may approach (not opted out, no block either way);
//! - nobody is double-booked: a time that overlaps an accepted meeting of
//!   either person is refused, naming my own clashing meeting (the
//!   other's stays private). The store enforces it again atomically, so a
//!   race lost between the check and the write gets a message too;
//! - the person whose turn it is accepts, declines or proposes another
//!   time; either cancels a pending or accepted meeting; after an accepted
//!   one, either marks it as held. Other people's meetings do not exist
//!   for me ("not found");
//! - the other person is notified of each request, answer and
//!   cancellation, and the funnel records requests, acceptances and
//!   meetings held.
//!
//! Each person has a private iCalendar feed (`/calendar/<token>`, opened
//! by [`feed_owner`]) built from [`calendar_entries`].

use crate::{
    domain::{
        FunnelStage, MeetingMessage, MeetingMinutes, MeetingPlaceText, MeetingStatus, Role,
        SpotList, UserId,
    },
    error::AppError,
    ports::{Event, Meeting, MeetingChange, NewMeeting, StoreError},
    realtime::NotificationKind,
    service::{notify, profiles, tokens},
    state::AppState,
};
use chrono::{DateTime, Utc};

/// One meeting for a calendar (iCalendar VEVENT).
#[derive(Clone, Debug)]
pub struct CalendarEntry {
    pub uid: String,
    pub summary: String,
    pub description: String,
    pub location: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub sequence: i32,
    pub cancelled: bool,
    pub stamp: DateTime<Utc>,
}

/// When and where a meeting is proposed, as typed: a day (YYYY-MM-DD) and
/// time (HH:MM) in the event's time zone, a length in minutes, and a spot
/// id or a free-text place. The api's `MeetingWhen` lends its fields.
#[derive(Clone, Copy, Debug, Default)]
pub struct Proposal<'a> {
    pub date: &'a str,
    pub time: &'a str,
    pub minutes: &'a str,
    pub spot: Option<&'a str>,
    pub place: Option<&'a str>,
}

/// The time zone of `event` (UTC should its name not parse).
pub fn tz(event: &Event) -> chrono_tz::Tz {
    event.time_zone.parse().unwrap_or(chrono_tz::UTC)
}

fn invalid(field: &str, message: impl Into<String>) -> AppError {
    AppError::Invalid {
        field: field.into(),
        message: message.into(),
    }
}

/// The UTC start and end of a meeting on `date` at `time` (event-local)
/// lasting `minutes`: inside the event's days, and not in the past.
pub fn meeting_window(
    event: &Event,
    date: &str,
    time: &str,
    minutes: &str,
    now: DateTime<Utc>,
) -> Result<(DateTime<Utc>, DateTime<Utc>), AppError> {
    use chrono::{NaiveDate, NaiveTime, TimeZone};
    let day: NaiveDate = date
        .trim()
        .parse()
        .map_err(|_| invalid("date", "Pick a day of the event."))?;
    let at = NaiveTime::parse_from_str(time.trim(), "%H:%M")
        .map_err(|_| invalid("time", "Give the time as HH:MM, like 15:30."))?;
    let minutes = MeetingMinutes::parse(minutes)?;
    if day < event.dates.starts_on() || day > event.dates.ends_on() {
        return Err(invalid("date", "The meeting must be during the event."));
    }
    let zone = tz(event);
    let starts = zone
        .from_local_datetime(&day.and_time(at))
        .single()
        .ok_or_else(|| {
            invalid(
                "time",
                "That time does not exist on that day (clock change).",
            )
        })?
        .with_timezone(&Utc);
    let ends = starts + chrono::Duration::minutes(i64::from(minutes.get()));
    let last_day_ends = zone
        .from_local_datetime(
            &(event.dates.ends_on() + chrono::Duration::days(1)).and_time(NaiveTime::MIN),
        )
        .earliest()
        .map(|t| t.with_timezone(&Utc));
    if last_day_ends.is_some_and(|end| ends > end) {
        return Err(invalid(
            "minutes",
            "The meeting must end before the event does.",
        ));
    }
    if starts < now {
        return Err(invalid("time", "That time has passed."));
    }
    Ok((starts, ends))
}

/// "Thu 14 May, 15:00–15:30" in the event's time zone.
pub fn when(event: &Event, starts: DateTime<Utc>, ends: DateTime<Utc>) -> String {
    let zone = tz(event);
    let (s, e) = (starts.with_timezone(&zone), ends.with_timezone(&zone));
    format!("{}–{}", s.format("%a %-d %b, %H:%M"), e.format("%H:%M"))
}

/// A proposal checked: its UTC window, and its place (a spot's id, and
/// the name the meeting shows).
struct Slot {
    window: (DateTime<Utc>, DateTime<Utc>),
    spot: Option<uuid::Uuid>,
    place: String,
}

/// Checks `proposal`: its window ([`meeting_window`], from now) and its
/// place.
async fn slot(state: &AppState, event: &Event, proposal: Proposal<'_>) -> Result<Slot, AppError> {
    let window = meeting_window(
        event,
        proposal.date,
        proposal.time,
        proposal.minutes,
        crate::domain::now_utc(),
    )?;
    let (spot, place) = place(state, event, proposal.spot, proposal.place).await?;
    Ok(Slot {
        window,
        spot,
        place,
    })
}

/// The place of a meeting: a spot of the event (by id) or free text.
async fn place(
    state: &AppState,
    event: &Event,
    spot: Option<&str>,
    text: Option<&str>,
) -> Result<(Option<uuid::Uuid>, String), AppError> {
    match spot.map(str::trim).filter(|s| !s.is_empty()) {
        Some(raw) => {
            let spots = state.store.spots(event.id).await?;
            let found = raw
                .parse::<uuid::Uuid>()
                .ok()
                .and_then(|id| spots.into_iter().find(|s| s.id == id))
                .ok_or_else(|| {
                    invalid("spot", "That meeting spot does not exist at this event.")
                })?;
            Ok((Some(found.id), found.name))
        }
        None => Ok((
            None,
            MeetingPlaceText::parse("place", text.unwrap_or_default())
                .map_err(|_| invalid("place", "Say where to meet: pick a spot or type a place."))?
                .into_inner(),
        )),
    }
}

/// Refuses a time when either person already has an accepted meeting;
/// names mine, keeps theirs private.
async fn check_free(
    state: &AppState,
    event: &Event,
    me: UserId,
    other: UserId,
    window: (DateTime<Utc>, DateTime<Utc>),
    except: Option<uuid::Uuid>,
) -> Result<(), AppError> {
    if let Some(clash) = state
        .store
        .clashing_meeting([me, other], window.0, window.1, except)
        .await?
    {
        return Err(if clash.involves(me) {
            let with = state
                .store
                .user_by_id(clash.other(me))
                .await?
                .map(|u| u.display_name)
                .unwrap_or_default();
            AppError::Conflict(format!(
                "You already have a meeting then: with {with}, {} at {}.",
                when(event, clash.starts_at, clash.ends_at),
                clash.place
            ))
        } else {
            AppError::Conflict("They already have a meeting then. Try another time.".into())
        });
    }
    Ok(())
}

/// Maps the store's atomic refusals to messages (a race lost to another
/// request between our check and the write).
fn settled(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict("meeting time") => {
            AppError::Conflict("That time was just taken. Try another time.".into())
        }
        StoreError::Conflict(_) => {
            AppError::Conflict("This meeting was changed meanwhile. Reload and try again.".into())
        }
        other => other.into(),
    }
}

/// The event a meeting belongs to (it cascades with it, so it exists).
pub async fn event_of(state: &AppState, meeting: &Meeting) -> Result<Event, AppError> {
    state
        .store
        .event_by_id(meeting.event)
        .await?
        .ok_or(AppError::Internal)
}

/// A meeting of mine, or "not found" (other people's meetings do not exist
/// for me).
async fn my_meeting(state: &AppState, me: UserId, id: &str) -> Result<Meeting, AppError> {
    let missing = || AppError::NotFound("There is no such meeting.".into());
    let id: uuid::Uuid = id.trim().parse().map_err(|_| missing())?;
    state
        .store
        .meeting(id)
        .await?
        .filter(|m| m.involves(me))
        .ok_or_else(missing)
}

/// Replaces the meeting spots of `event` (one per line of `spots`): its
/// organizers only.
pub async fn set_spots(
    state: &AppState,
    event: &Event,
    me: UserId,
    spots: &str,
) -> Result<(), AppError> {
    if state.store.member_role(event.id, me).await? != Some(Role::Organizer) {
        return Err(AppError::Forbidden(
            "Only the event's organizers can change its meeting spots.".into(),
        ));
    }
    let names = SpotList::parse(spots)?;
    state.store.set_spots(event.id, names.names()).await?;
    Ok(())
}

/// `me` (a member of `event`) proposes a meeting with `other` at
/// `proposal`, saying `message`; `other` is notified and the funnel
/// records the request.
pub async fn request(
    state: &AppState,
    event: &Event,
    me: UserId,
    other: UserId,
    proposal: Proposal<'_>,
    message: Option<&str>,
) -> Result<Meeting, AppError> {
    if other == me {
        return Err(invalid("user_id", "You cannot meet yourself."));
    }
    profiles::approachable(state, event, me, other).await?;
    let slot = slot(state, event, proposal).await?;
    let message = MeetingMessage::parse("message", message.unwrap_or_default())?;
    check_free(state, event, me, other, slot.window, None).await?;
    let meeting = state
        .store
        .request_meeting(&NewMeeting {
            id: uuid::Uuid::new_v4(),
            event: event.id,
            requester: me,
            invitee: other,
            starts_at: slot.window.0,
            ends_at: slot.window.1,
            spot: slot.spot,
            place: slot.place,
            message: message.into_inner(),
        })
        .await
        .map_err(settled)?;
    state
        .store
        .record_funnel(event.id, me, &[other], FunnelStage::MeetingRequested)
        .await?;
    notify::meeting(
        state,
        event,
        me,
        other,
        NotificationKind::MeetingRequest,
        "asks to meet you.",
    );
    Ok(meeting)
}

/// `me` answers meeting `id`: `accept`, `decline` (the invitee, or the
/// requester after a counter-proposal), `cancel` (either), `held` (either,
/// after an accepted meeting). The other person is notified of an
/// acceptance, a refusal or a cancellation.
pub async fn answer(state: &AppState, me: UserId, id: &str, answer: &str) -> Result<(), AppError> {
    let meeting = my_meeting(state, me, id).await?;
    let event = event_of(state, &meeting).await?;
    let closed = || match meeting.status {
        MeetingStatus::Cancelled => AppError::Conflict("This meeting was cancelled.".into()),
        MeetingStatus::Declined => AppError::Conflict("This meeting was declined.".into()),
        MeetingStatus::Accepted => AppError::Conflict("This meeting is already accepted.".into()),
        MeetingStatus::Pending => {
            AppError::Conflict("It is the other person's turn to answer.".into())
        }
    };
    let my_turn = meeting.status == MeetingStatus::Pending && meeting.awaiting == Some(me);
    let change = match answer {
        "accept" | "decline" if !my_turn => return Err(closed()),
        "accept" => {
            check_free(
                state,
                &event,
                me,
                meeting.other(me),
                (meeting.starts_at, meeting.ends_at),
                Some(meeting.id),
            )
            .await?;
            MeetingChange::Accept
        }
        "decline" => MeetingChange::Decline,
        "cancel"
            if matches!(
                meeting.status,
                MeetingStatus::Pending | MeetingStatus::Accepted
            ) =>
        {
            MeetingChange::Cancel
        }
        "cancel" => return Err(closed()),
        "held" if meeting.status == MeetingStatus::Accepted => MeetingChange::Held,
        "held" => {
            return Err(AppError::Conflict(
                "Only an accepted meeting can be marked as held.".into(),
            ))
        }
        _ => {
            return Err(invalid(
                "answer",
                "Accept, decline, cancel or mark as held.",
            ))
        }
    };
    let changed = state
        .store
        .change_meeting(meeting.id, &change)
        .await
        .map_err(settled)?;
    let other = changed.other(me);
    let stage = match change {
        MeetingChange::Accept => Some(FunnelStage::MeetingAccepted),
        MeetingChange::Held => Some(FunnelStage::Met),
        _ => None,
    };
    if let Some(stage) = stage {
        for (a, b) in [(me, other), (other, me)] {
            state.store.record_funnel(event.id, a, &[b], stage).await?;
        }
    }
    let what = match change {
        MeetingChange::Accept => Some("accepted your meeting."),
        MeetingChange::Decline => Some("declined your meeting."),
        MeetingChange::Cancel => Some("cancelled your meeting."),
        _ => None,
    };
    if let Some(what) = what {
        notify::meeting(
            state,
            &event,
            me,
            other,
            NotificationKind::MeetingUpdate,
            what,
        );
    }
    Ok(())
}

/// `me` proposes another time (and place) for meeting `id`, a request
/// waiting for my answer; the other person is notified.
pub async fn counter(
    state: &AppState,
    me: UserId,
    id: &str,
    proposal: Proposal<'_>,
) -> Result<(), AppError> {
    let meeting = my_meeting(state, me, id).await?;
    if meeting.status != MeetingStatus::Pending || meeting.awaiting != Some(me) {
        return Err(AppError::Conflict(
            "Only a request waiting for your answer can get another time.".into(),
        ));
    }
    let event = event_of(state, &meeting).await?;
    let slot = slot(state, &event, proposal).await?;
    let other = meeting.other(me);
    check_free(state, &event, me, other, slot.window, Some(meeting.id)).await?;
    state
        .store
        .change_meeting(
            meeting.id,
            &MeetingChange::Counter {
                by: me,
                starts_at: slot.window.0,
                ends_at: slot.window.1,
                spot: slot.spot,
                place: slot.place,
            },
        )
        .await
        .map_err(settled)?;
    notify::meeting(
        state,
        &event,
        me,
        other,
        NotificationKind::MeetingRequest,
        "proposes another time to meet.",
    );
    Ok(())
}

/// The address of `user`'s private calendar feed (all their events),
/// made on first use.
pub async fn feed_url(state: &AppState, user: UserId) -> Result<String, AppError> {
    let token = state
        .store
        .calendar_token(user, &tokens::invite_token())
        .await?;
    Ok(format!("{}/calendar/{token}", state.config.public_url))
}

/// The meetings a calendar shows for `user`: accepted ones, and cancelled
/// ones that were accepted before (so subscribed calendars remove them).
pub async fn calendar_entries(
    state: &AppState,
    user: UserId,
    only: Option<uuid::Uuid>,
) -> Result<Vec<CalendarEntry>, AppError> {
    let mut out = Vec::new();
    for m in state.store.meetings_of(user, None).await? {
        if only.is_some_and(|id| id != m.id) {
            continue;
        }
        let cancelled = match m.status {
            MeetingStatus::Accepted => false,
            MeetingStatus::Cancelled => true,
            _ => continue,
        };
        let Some(event) = state.store.event_by_id(m.event).await? else {
            continue;
        };
        let other = state
            .store
            .user_by_id(m.other(user))
            .await?
            .map(|u| u.display_name)
            .unwrap_or_else(|| "a deleted account".into());
        let mut description = format!("Rapport meeting at {}.", event.name);
        if !m.message.is_empty() {
            description.push_str("\n\n");
            description.push_str(&m.message);
        }
        out.push(CalendarEntry {
            uid: format!("{}@rapport", m.id),
            summary: format!("Meet {other}"),
            description,
            location: m.place.clone(),
            starts_at: m.starts_at,
            ends_at: m.ends_at,
            sequence: m.revision,
            cancelled,
            stamp: m.updated_at,
        });
    }
    Ok(out)
}

/// The account whose private calendar feed `token` opens.
pub async fn feed_owner(state: &AppState, token: &str) -> Result<Option<UserId>, AppError> {
    if token.len() > 64 {
        return Ok(None);
    }
    Ok(state.store.user_by_calendar_token(token).await?)
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    fn event() -> Event {
        Event::example("conf-ab12", "2031-05-14", "2031-05-15")
    }

    fn now() -> DateTime<Utc> {
        "2031-05-01T00:00:00Z".parse().unwrap()
    }

    #[test]
    fn meeting_times_are_read_in_the_event_time_zone() {
        let (s, e) = meeting_window(&event(), "2031-05-14", "15:00", "30", now()).unwrap();
        // Berlin is UTC+2 in May.
        assert_eq!(s.to_rfc3339(), "2031-05-14T13:00:00+00:00");
        assert_eq!((e - s).num_minutes(), 30);
        assert_eq!(when(&event(), s, e), "Wed 14 May, 15:00–15:30");
    }

    #[test]
    fn meetings_outside_the_event_or_in_the_past_are_refused() {
        let field = |d: &str, t: &str, m: &str, now: DateTime<Utc>| match meeting_window(
            &event(),
            d,
            t,
            m,
            now,
        ) {
            Err(AppError::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field("2031-05-13", "15:00", "30", now()), "date");
        assert_eq!(field("2031-05-16", "09:00", "30", now()), "date");
        assert_eq!(field("2031-05-15", "23:45", "30", now()), "minutes");
        assert_eq!(field("2031-05-14", "25:00", "30", now()), "time");
        assert_eq!(field("2031-05-14", "15:00", "3", now()), "minutes");
        let later: DateTime<Utc> = "2031-05-14T14:00:00Z".parse().unwrap();
        assert_eq!(field("2031-05-14", "15:00", "30", later), "time");
    }
}
