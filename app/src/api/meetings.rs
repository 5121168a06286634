//! Meeting requests and "My agenda": the wire types of the meeting form
//! and the agenda, and their server functions. The rules — when a meeting
//! may be proposed, who answers it and how, the overlap check, the
//! notifications, the calendar feed — are in
//! [`crate::service::meetings`]; these functions find the signed-in
//! person's event, call it, and shape the answer. Times are shown in the
//! event's time zone.

use crate::{domain::MeetingStatus, error::AppError};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::{
    api::context,
    domain::UserId,
    ports::{Event, Meeting},
    service::{
        events::member_of,
        meetings::{self, Proposal},
        profiles,
    },
    state::AppState,
};

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

#[cfg(feature = "ssr")]
impl MeetingWhen {
    /// The proposal the rules check, borrowing the form's fields.
    fn proposal(&self) -> Proposal<'_> {
        Proposal {
            date: &self.date,
            time: &self.time,
            minutes: &self.minutes,
            spot: self.spot.as_deref(),
            place: self.place.as_deref(),
        }
    }
}

/// `m` as `me` sees it.
#[cfg(feature = "ssr")]
async fn view(state: &AppState, me: UserId, m: &Meeting) -> Result<MeetingView, AppError> {
    let event = meetings::event_of(state, m).await?;
    let other = m.other(me);
    let other_name = state
        .store
        .user_by_id(other)
        .await?
        .map(|u| u.display_name)
        .unwrap_or_else(|| "A deleted account".into());
    let local = m.starts_at.with_timezone(&meetings::tz(&event));
    Ok(MeetingView {
        id: m.id.to_string(),
        event_name: event.name.clone(),
        slug: event.slug.as_str().to_owned(),
        other_id: other.to_string(),
        other_name,
        when: meetings::when(&event, m.starts_at, m.ends_at),
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

/// The meeting form's choices: the event's days (at most 31) and spots.
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

/// The meeting form's choices for an event.
#[server(prefix = "/api", endpoint = "meeting_options")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn meeting_options(slug: String) -> Result<MeetingChoices, AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let (event, _) = member_of(&state, &slug, me.id, profiles::PEOPLE).await?;
    options(&state, &event).await
}

/// Replaces the event's meeting spots (one per line); organizers only.
#[server(prefix = "/api", endpoint = "update_spots")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn update_spots(slug: String, spots: String) -> Result<(), AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let event = crate::service::events::event_at(&state, &slug).await?;
    meetings::set_spots(&state, &event, me.id, &spots).await
}

/// Proposes a meeting with `user_id`: `date` (YYYY-MM-DD) and `time`
/// (HH:MM) in the event's time zone, `minutes` long, at `spot` (a spot id)
/// or `place` (free text).
#[server(prefix = "/api", endpoint = "request_meeting")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
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
    let meeting = meetings::request(
        &state,
        &event,
        me.id,
        other,
        when.proposal(),
        message.as_deref(),
    )
    .await?;
    leptos_axum::redirect(&format!("/e/{}/agenda", event.slug.as_str()));
    Ok(meeting.id.to_string())
}

/// Answers a meeting: `accept`, `decline` (the invitee, or the requester
/// after a counter-proposal), `cancel` (either), `held` (either, after an
/// accepted meeting).
#[server(prefix = "/api", endpoint = "answer_meeting")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn answer_meeting(id: String, answer: String) -> Result<(), AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    meetings::answer(&state, me.id, &id, &answer).await
}

/// Proposes another time (and place) for a request waiting for my answer.
#[server(prefix = "/api", endpoint = "counter_meeting")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn counter_meeting(id: String, when: MeetingWhen) -> Result<(), AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    meetings::counter(&state, me.id, &id, when.proposal()).await
}

/// My meetings and requests in an event, and my calendar feed.
#[server(prefix = "/api", endpoint = "agenda")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn agenda(slug: String) -> Result<AgendaView, AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let (event, _) = member_of(&state, &slug, me.id, profiles::PEOPLE).await?;
    let mut view_ = AgendaView {
        event_name: event.name.clone(),
        slug: event.slug.as_str().to_owned(),
        time_zone: event.time_zone.clone(),
        meetings: Vec::new(),
        to_answer: Vec::new(),
        waiting: Vec::new(),
        closed: Vec::new(),
        feed_url: meetings::feed_url(&state, me.id).await?,
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
