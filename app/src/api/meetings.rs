//! Meeting requests: propose a time within the event's dates (in its time
//! zone) and a place (one of the organizer's meeting spots, or free text)
//! with a short message; the other accepts, declines or proposes another
//! time; either cancels; after it, either marks it as held. Nobody is
//! double-booked: a time that overlaps an accepted meeting of either person
//! is refused, naming my own clashing meeting (the other's stays private).
//! "My agenda" lists them, and each person has a private iCalendar feed
//! (served by the server's `/calendar/<token>` route) built from
//! [`calendar_entries`].

#[cfg(feature = "ssr")]
use crate::api::events::member_of;
use crate::{domain::MeetingStatus, error::AppError};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::{
    api::{context, notify, profiles, tokens},
    domain::{FunnelStage, MeetingMessage, MeetingMinutes, MeetingPlaceText, UserId},
    ports::{AppState, Event, Meeting, MeetingChange, NewMeeting, StoreError},
    realtime::NotificationKind,
};
#[cfg(feature = "ssr")]
use chrono::{DateTime, Utc};

/// A meeting as one of its two people sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingView {
    pub id: String,
    pub event_name: String,
    pub slug: String,
    pub other_id: String,
    pub other_name: String,
    /// "Thu 14 May, 15:00–15:30" in the event's time zone.
    pub when: String,
    /// Local date and time, to prefill a counter-proposal.
    pub date: String,
    pub time: String,
    pub minutes: i64,
    pub place: String,
    pub message: String,
    pub status: MeetingStatus,
    /// It is my turn to answer.
    pub awaiting_me: bool,
    pub i_requested: bool,
    pub held: bool,
}

/// When and where, as the meeting form sends it (`when[date]`,
/// `when[time]`, …): a day and time in the event's time zone, a length in
/// minutes, and a spot id or a free-text place.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingWhen {
    pub date: String,
    pub time: String,
    pub minutes: String,
    #[serde(default)]
    pub spot: Option<String>,
    #[serde(default)]
    pub place: Option<String>,
}

/// What the meeting form offers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingChoices {
    /// The event's days (YYYY-MM-DD), in its time zone.
    pub days: Vec<String>,
    pub time_zone: String,
    /// The organizer's meeting spots: (id, name).
    pub spots: Vec<(String, String)>,
}

/// "My agenda" in one event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaView {
    pub event_name: String,
    pub slug: String,
    pub time_zone: String,
    /// Accepted meetings, soonest first.
    pub meetings: Vec<MeetingView>,
    /// Requests waiting for my answer.
    pub to_answer: Vec<MeetingView>,
    /// Requests waiting for the other person.
    pub waiting: Vec<MeetingView>,
    /// Declined and cancelled ones.
    pub closed: Vec<MeetingView>,
    /// My private calendar feed (all events) for calendar apps.
    pub feed_url: String,
    pub options: MeetingChoices,
}

/// One meeting for a calendar (iCalendar VEVENT).
#[cfg(feature = "ssr")]
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

#[cfg(feature = "ssr")]
fn tz(event: &Event) -> chrono_tz::Tz {
    event.time_zone.parse().unwrap_or(chrono_tz::UTC)
}

#[cfg(feature = "ssr")]
fn invalid(field: &str, message: impl Into<String>) -> AppError {
    AppError::Invalid {
        field: field.into(),
        message: message.into(),
    }
}

/// The UTC start and end of a meeting on `date` at `time` (event-local)
/// lasting `minutes`: inside the event's days, and not in the past.
#[cfg(feature = "ssr")]
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
#[cfg(feature = "ssr")]
fn when(event: &Event, starts: DateTime<Utc>, ends: DateTime<Utc>) -> String {
    let zone = tz(event);
    let (s, e) = (starts.with_timezone(&zone), ends.with_timezone(&zone));
    format!("{}–{}", s.format("%a %-d %b, %H:%M"), e.format("%H:%M"))
}

#[cfg(feature = "ssr")]
async fn view(state: &AppState, me: UserId, m: &Meeting) -> Result<MeetingView, AppError> {
    let event = event_of(state, m).await?;
    let other = m.other(me);
    let other_name = state
        .store
        .user_by_id(other)
        .await?
        .map(|u| u.display_name)
        .unwrap_or_else(|| "A deleted account".into());
    let local = m.starts_at.with_timezone(&tz(&event));
    Ok(MeetingView {
        id: m.id.to_string(),
        event_name: event.name.clone(),
        slug: event.slug.as_str().to_owned(),
        other_id: other.to_string(),
        other_name,
        when: when(&event, m.starts_at, m.ends_at),
        date: local.format("%Y-%m-%d").to_string(),
        time: local.format("%H:%M").to_string(),
        minutes: (m.ends_at - m.starts_at).num_minutes(),
        place: m.place.clone(),
        message: m.message.clone(),
        status: m.status,
        awaiting_me: m.awaiting == Some(me),
        i_requested: m.requester == me,
        held: m.held,
    })
}

#[cfg(feature = "ssr")]
async fn options(state: &AppState, event: &Event) -> Result<MeetingChoices, AppError> {
    let mut days = Vec::new();
    let mut day = event.dates.starts_on();
    while day <= event.dates.ends_on() && days.len() < 31 {
        days.push(day.to_string());
        day += chrono::Duration::days(1);
    }
    Ok(MeetingChoices {
        days,
        time_zone: event.time_zone.clone(),
        spots: state
            .store
            .spots(event.id)
            .await?
            .into_iter()
            .map(|s| (s.id.to_string(), s.name))
            .collect(),
    })
}

/// The place of a meeting: a spot of the event (by id) or free text.
#[cfg(feature = "ssr")]
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
#[cfg(feature = "ssr")]
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
#[cfg(feature = "ssr")]
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

/// The meeting form's choices for an event.
#[server(prefix = "/api", endpoint = "meeting_options")]
pub async fn meeting_options(slug: String) -> Result<MeetingChoices, AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let (event, _) = member_of(&state, &slug, me.id, profiles::PEOPLE).await?;
    options(&state, &event).await
}

/// Replaces the event's meeting spots (one per line); organizers only.
#[server(prefix = "/api", endpoint = "update_spots")]
pub async fn update_spots(slug: String, spots: String) -> Result<(), AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let event = crate::api::events::event_at(&state, &slug).await?;
    if state.store.member_role(event.id, me.id).await? != Some(crate::domain::Role::Organizer) {
        return Err(AppError::Forbidden(
            "Only the event's organizers can change its meeting spots.".into(),
        ));
    }
    let names = crate::domain::SpotList::parse(&spots)?;
    state.store.set_spots(event.id, names.names()).await?;
    Ok(())
}

/// Proposes a meeting with `user_id`: `date` (YYYY-MM-DD) and `time`
/// (HH:MM) in the event's time zone, `minutes` long, at `spot` (a spot id)
/// or `place` (free text).
#[server(prefix = "/api", endpoint = "request_meeting")]
pub async fn request_meeting(
    slug: String,
    user_id: String,
    when: MeetingWhen,
    message: Option<String>,
) -> Result<String, AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let (event, _) = member_of(&state, &slug, me.id, profiles::PEOPLE).await?;
    let other = profiles::parse_user_id(&user_id)?;
    if other == me.id {
        return Err(invalid("user_id", "You cannot meet yourself."));
    }
    profiles::approachable(&state, &event, me.id, other).await?;
    let window = meeting_window(
        &event,
        &when.date,
        &when.time,
        &when.minutes,
        crate::domain::now_utc(),
    )?;
    let (spot, place) = place(&state, &event, when.spot.as_deref(), when.place.as_deref()).await?;
    let message = MeetingMessage::parse("message", message.as_deref().unwrap_or_default())?;
    check_free(&state, &event, me.id, other, window, None).await?;
    let meeting = state
        .store
        .request_meeting(&NewMeeting {
            id: uuid::Uuid::new_v4(),
            event: event.id,
            requester: me.id,
            invitee: other,
            starts_at: window.0,
            ends_at: window.1,
            spot,
            place,
            message: message.into_inner(),
        })
        .await
        .map_err(settled)?;
    state
        .store
        .record_funnel(event.id, me.id, &[other], FunnelStage::MeetingRequested)
        .await?;
    notify::meeting(
        &state,
        &event,
        me.id,
        other,
        NotificationKind::MeetingRequest,
        "asks to meet you.",
    );
    leptos_axum::redirect(&format!("/e/{}/agenda", event.slug.as_str()));
    Ok(meeting.id.to_string())
}

/// The event a meeting belongs to (it cascades with it, so it exists).
#[cfg(feature = "ssr")]
async fn event_of(state: &AppState, meeting: &Meeting) -> Result<Event, AppError> {
    state
        .store
        .event_by_id(meeting.event)
        .await?
        .ok_or(AppError::Internal)
}

/// A meeting of mine, or "not found" (other people's meetings do not exist
/// for me).
#[cfg(feature = "ssr")]
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

/// Answers a meeting: `accept`, `decline` (the invitee, or the requester
/// after a counter-proposal), `cancel` (either), `held` (either, after an
/// accepted meeting).
#[server(prefix = "/api", endpoint = "answer_meeting")]
pub async fn answer_meeting(id: String, answer: String) -> Result<(), AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let meeting = my_meeting(&state, me.id, &id).await?;
    let event = event_of(&state, &meeting).await?;
    let closed = || match meeting.status {
        MeetingStatus::Cancelled => AppError::Conflict("This meeting was cancelled.".into()),
        MeetingStatus::Declined => AppError::Conflict("This meeting was declined.".into()),
        MeetingStatus::Accepted => AppError::Conflict("This meeting is already accepted.".into()),
        MeetingStatus::Pending => {
            AppError::Conflict("It is the other person's turn to answer.".into())
        }
    };
    let my_turn = meeting.status == MeetingStatus::Pending && meeting.awaiting == Some(me.id);
    let change = match answer.as_str() {
        "accept" | "decline" if !my_turn => return Err(closed()),
        "accept" => {
            check_free(
                &state,
                &event,
                me.id,
                meeting.other(me.id),
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
    let other = changed.other(me.id);
    let stage = match change {
        MeetingChange::Accept => Some(FunnelStage::MeetingAccepted),
        MeetingChange::Held => Some(FunnelStage::Met),
        _ => None,
    };
    if let Some(stage) = stage {
        for (a, b) in [(me.id, other), (other, me.id)] {
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
            &state,
            &event,
            me.id,
            other,
            NotificationKind::MeetingUpdate,
            what,
        );
    }
    Ok(())
}

/// Proposes another time (and place) for a request waiting for my answer.
#[server(prefix = "/api", endpoint = "counter_meeting")]
pub async fn counter_meeting(id: String, when: MeetingWhen) -> Result<(), AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let meeting = my_meeting(&state, me.id, &id).await?;
    if meeting.status != MeetingStatus::Pending || meeting.awaiting != Some(me.id) {
        return Err(AppError::Conflict(
            "Only a request waiting for your answer can get another time.".into(),
        ));
    }
    let event = event_of(&state, &meeting).await?;
    let window = meeting_window(
        &event,
        &when.date,
        &when.time,
        &when.minutes,
        crate::domain::now_utc(),
    )?;
    let (spot, place) = place(&state, &event, when.spot.as_deref(), when.place.as_deref()).await?;
    check_free(
        &state,
        &event,
        me.id,
        meeting.other(me.id),
        window,
        Some(meeting.id),
    )
    .await?;
    state
        .store
        .change_meeting(
            meeting.id,
            &MeetingChange::Counter {
                by: me.id,
                starts_at: window.0,
                ends_at: window.1,
                spot,
                place,
            },
        )
        .await
        .map_err(settled)?;
    notify::meeting(
        &state,
        &event,
        me.id,
        meeting.other(me.id),
        NotificationKind::MeetingRequest,
        "proposes another time to meet.",
    );
    Ok(())
}

/// My meetings and requests in an event, and my calendar feed.
#[server(prefix = "/api", endpoint = "agenda")]
pub async fn agenda(slug: String) -> Result<AgendaView, AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let (event, _) = member_of(&state, &slug, me.id, profiles::PEOPLE).await?;
    let token = state
        .store
        .calendar_token(me.id, &tokens::invite_token())
        .await?;
    let mut view_ = AgendaView {
        event_name: event.name.clone(),
        slug: event.slug.as_str().to_owned(),
        time_zone: event.time_zone.clone(),
        meetings: Vec::new(),
        to_answer: Vec::new(),
        waiting: Vec::new(),
        closed: Vec::new(),
        feed_url: format!("{}/calendar/{token}", state.config.public_url),
        options: options(&state, &event).await?,
    };
    for m in state.store.meetings_of(me.id, Some(event.id)).await? {
        let v = view(&state, me.id, &m).await?;
        match m.status {
            MeetingStatus::Accepted => view_.meetings.push(v),
            MeetingStatus::Pending if v.awaiting_me => view_.to_answer.push(v),
            MeetingStatus::Pending => view_.waiting.push(v),
            MeetingStatus::Declined | MeetingStatus::Cancelled => view_.closed.push(v),
        }
    }
    Ok(view_)
}

/// The meetings a calendar shows for `user`: accepted ones, and cancelled
/// ones that were accepted before (so subscribed calendars remove them).
#[cfg(feature = "ssr")]
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
#[cfg(feature = "ssr")]
pub async fn feed_owner(state: &AppState, token: &str) -> Result<Option<UserId>, AppError> {
    if token.len() > 64 {
        return Ok(None);
    }
    Ok(state.store.user_by_calendar_token(token).await?)
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::domain::{EventDates, JoinCode, Slug};

    fn event() -> Event {
        Event {
            id: crate::domain::EventId(uuid::Uuid::nil()),
            slug: Slug::parse("conf-ab12").unwrap(),
            name: "Conf".into(),
            description: String::new(),
            venue: String::new(),
            dates: EventDates::parse("2031-05-14", "2031-05-15").unwrap(),
            time_zone: "Europe/Berlin".into(),
            invite_token: String::new(),
            join_code: JoinCode::parse("K7PMQ2XR").unwrap(),
            join_policy: crate::domain::JoinPolicy::Open,
            attendees_create_rooms: true,
            approve_scans_default: false,
            created_at: Utc::now(),
        }
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
