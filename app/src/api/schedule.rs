//! The meeting scheduler over the wire: the organizer's page (set up the
//! sessions, run, review, edit, publish) and the attendee's (availability,
//! "accept being asked", wishes), and the "want to meet" button on
//! profiles and recommendations. The rules are in
//! [`crate::service::schedule`]; these functions find the signed-in
//! person's event, call it, and shape the answer. Published meetings are
//! ordinary accepted meetings: the agenda and the calendar feed
//! ([`crate::api::meetings`]) show them.

pub use crate::domain::{ScheduleFigures, ScheduleReview, ScheduledLine, WishPriority};

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[cfg(feature = "ssr")]
use crate::{
    api::context,
    service::{
        events::{event_at, member_of},
        meetings, profiles,
        schedule::{self, Edit, SetupForm},
    },
};

/// The most meetings the organizer's page lists at once (each carries its
/// edit forms); a search by name finds the others.
pub const MEETINGS_SHOWN: usize = 200;

/// The organizer's scheduler page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchedulerView {
    /// The event's name and address.
    pub event_name: String,
    /// Its slug.
    pub slug: String,
    /// The slots as the setup form shows them, one a line.
    pub slots_text: String,
    /// The spots with their capacities, one a line.
    pub spots_text: String,
    /// The limits.
    pub max_meetings: u32,
    /// K.
    pub max_in_a_row: u32,
    /// The review of the current schedule; its meetings are those of the
    /// person searched for, at most [`MEETINGS_SHOWN`].
    pub review: ScheduleReview,
    /// The name searched for in the meetings ("" for everyone).
    pub person_query: String,
    /// How many meetings match the search (all of them, not only those shown).
    pub meetings_found: usize,
    /// The slots the edit forms offer: (id, "Thu 14 May, 09:00–09:20").
    pub slot_choices: Vec<(String, String)>,
    /// The spots that hold meetings: (id, name).
    pub spot_choices: Vec<(String, String)>,
    /// The members the "add a meeting" form offers: (id, name).
    pub people_choices: Vec<(String, String)>,
}

/// One slot as an attendee sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotChoice {
    /// The slot's id (the form's key).
    pub id: String,
    /// "Thu 14 May, 09:00–09:20".
    pub when: String,
    /// I can meet then.
    pub available: bool,
}

/// One of my wishes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WishView {
    /// Whom (their profile is `/e/<slug>/p/<user_id>`).
    pub user_id: String,
    /// Their name.
    pub name: String,
    /// How much.
    pub priority: WishPriority,
}

/// The attendee's scheduler page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyScheduleView {
    /// The event's name.
    pub event_name: String,
    /// Its slug.
    pub slug: String,
    /// The sessions' slots with my availability.
    pub slots: Vec<SlotChoice>,
    /// One-sided wishes towards me count.
    pub accepts_requests: bool,
    /// My wishes.
    pub wishes: Vec<WishView>,
    /// The schedule was published (my meetings are on my agenda).
    pub published: bool,
}

/// The organizer's scheduler page; organizers only.
#[server(prefix = "/api", endpoint = "schedule_page")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn load_schedule(
    slug: String,
    person: Option<String>,
) -> Result<SchedulerView, AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let event = event_at(&state, &slug).await?;
    let mut review = schedule::review(&state, &event, me.id).await?;
    let person_query = person.unwrap_or_default().trim().to_owned();
    let needle = person_query.to_lowercase();
    review.meetings.retain(|m| {
        needle.is_empty()
            || m.people.0.to_lowercase().contains(&needle)
            || m.people.1.to_lowercase().contains(&needle)
    });
    let meetings_found = review.meetings.len();
    review.meetings.truncate(MEETINGS_SHOWN);
    let setup = state.store.schedule_setup(event.id).await?;
    let (slots_text, spots_text) = schedule::setup_text(&event, &setup);
    let mut people_choices: Vec<(String, String)> = state
        .store
        .list_members(event.id)
        .await?
        .into_iter()
        .map(|m| (m.user_id.to_string(), m.display_name))
        .collect();
    people_choices.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(SchedulerView {
        event_name: event.name.clone(),
        slug: event.slug.as_str().to_owned(),
        slots_text,
        spots_text,
        max_meetings: setup.settings.max_meetings,
        max_in_a_row: setup.settings.max_in_a_row,
        review,
        person_query,
        meetings_found,
        slot_choices: setup
            .slots
            .iter()
            .map(|s| {
                (
                    s.id.to_string(),
                    meetings::when(&event, s.starts_at, s.ends_at),
                )
            })
            .collect(),
        spot_choices: setup
            .spots
            .iter()
            .filter(|s| s.capacity > 0)
            .map(|s| (s.id.to_string(), s.name.clone()))
            .collect(),
        people_choices,
    })
}

/// Saves the sessions: `slots` (blocks like `2031-05-14 09:00-10:20/20`,
/// one a line), `spots` (`Table 12: 2`, one a line), the most meetings per
/// person and in a row; organizers only.
#[server(prefix = "/api", endpoint = "save_schedule_setup")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn save_schedule_setup(
    slug: String,
    slots: String,
    spots: String,
    max_meetings: String,
    max_in_a_row: String,
) -> Result<(), AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let event = event_at(&state, &slug).await?;
    let form = SetupForm {
        slots: &slots,
        spots: &spots,
        max_meetings: &max_meetings,
        max_in_a_row: &max_in_a_row,
    };
    schedule::save_setup(&state, &event, me.id, form).await
}

/// Runs the scheduler; the answer is a sentence about the result.
#[server(prefix = "/api", endpoint = "run_schedule")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn run_schedule(slug: String) -> Result<String, AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let event = event_at(&state, &slug).await?;
    let answer = schedule::run(&state, &event, me.id).await?;
    let percent = (answer.total_value * 100)
        .checked_div(answer.upper_bound)
        .unwrap_or(100);
    let n = |k: usize, one: &str, many: &str| format!("{k} {}", if k == 1 { one } else { many });
    Ok(format!(
        "{} scheduled, {} left without one; value {percent}% of the upper bound.",
        n(answer.assignments.len(), "meeting", "meetings"),
        n(answer.unscheduled.len(), "wish", "wishes"),
    ))
}

/// Edits the draft by hand: `action` is `add` (with `a`, `b`, `slot`,
/// `spot`), `move` (with `id`, `slot`, `spot`) or `remove` (with `id`).
#[server(prefix = "/api", endpoint = "edit_schedule")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn edit_schedule(
    slug: String,
    action: String,
    id: Option<String>,
    a: Option<String>,
    b: Option<String>,
    slot: Option<String>,
    spot: Option<String>,
) -> Result<(), AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let event = event_at(&state, &slug).await?;
    let uuid = |field: &str, raw: &Option<String>| {
        raw.as_deref()
            .and_then(|r| r.trim().parse::<uuid::Uuid>().ok())
            .ok_or_else(|| AppError::Invalid {
                field: field.into(),
                message: "Pick one from the list.".into(),
            })
    };
    let person = |field: &str, raw: &Option<String>| uuid(field, raw).map(crate::domain::UserId);
    let edit = match action.as_str() {
        "add" => Edit::Add {
            a: person("a", &a)?,
            b: person("b", &b)?,
            slot: uuid("slot", &slot)?,
            spot: uuid("spot", &spot)?,
        },
        "move" => Edit::Move {
            id: uuid("id", &id)?,
            slot: uuid("slot", &slot)?,
            spot: uuid("spot", &spot)?,
        },
        "remove" => Edit::Remove {
            id: uuid("id", &id)?,
        },
        _ => {
            return Err(AppError::Invalid {
                field: "action".into(),
                message: "Add, move or remove a meeting.".into(),
            })
        }
    };
    schedule::edit(&state, &event, me.id, edit).await
}

/// Publishes the draft; returns how many meetings were published.
#[server(prefix = "/api", endpoint = "publish_schedule")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn publish_schedule(slug: String) -> Result<usize, AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let event = event_at(&state, &slug).await?;
    schedule::publish(&state, &event, me.id).await
}

/// The scheduler's figures for the dashboard; organizers only.
#[server(prefix = "/api", endpoint = "schedule_figures")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn scheduler_figures(slug: String) -> Result<ScheduleFigures, AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let event = event_at(&state, &slug).await?;
    schedule::organizer_only(&state, &event, me.id).await?;
    schedule::figures(&state, &event).await
}

/// My availability, "accept being asked" and wishes in an event.
#[server(prefix = "/api", endpoint = "my_schedule")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn my_schedule(slug: String) -> Result<MyScheduleView, AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let (event, _) = member_of(&state, &slug, me.id, profiles::PEOPLE).await?;
    let setup = state.store.schedule_setup(event.id).await?;
    let mine = state.store.availability(event.id, Some(me.id)).await?.pop();
    let off = mine
        .as_ref()
        .map(|a| a.unavailable.clone())
        .unwrap_or_default();
    let mut wishes = Vec::new();
    for w in schedule::my_wishes(&state, &event, me.id).await? {
        let name = state
            .store
            .user_by_id(w.to)
            .await?
            .map(|u| u.display_name)
            .unwrap_or_else(|| "A deleted account".into());
        wishes.push(WishView {
            user_id: w.to.to_string(),
            name,
            priority: w.priority,
        });
    }
    Ok(MyScheduleView {
        event_name: event.name.clone(),
        slug: event.slug.as_str().to_owned(),
        slots: setup
            .slots
            .iter()
            .map(|s| SlotChoice {
                id: s.id.to_string(),
                when: meetings::when(&event, s.starts_at, s.ends_at),
                available: !off.contains(&s.id),
            })
            .collect(),
        accepts_requests: mine.is_some_and(|a| a.accepts_requests),
        wishes,
        published: setup.settings.published_at.is_some(),
    })
}

/// My wish to meet `user_id`, if I stated one (for the "want to meet"
/// button).
#[server(prefix = "/api", endpoint = "my_wish")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn my_wish(slug: String, user_id: String) -> Result<Option<WishPriority>, AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let (event, _) = member_of(&state, &slug, me.id, profiles::PEOPLE).await?;
    let other = profiles::parse_user_id(&user_id)?;
    Ok(schedule::my_wishes(&state, &event, me.id)
        .await?
        .into_iter()
        .find(|w| w.to == other)
        .map(|w| w.priority))
}

/// "I want to meet `user_id`" with `priority` (`must`, `would_like`,
/// `if_possible`; `none` takes the wish back).
#[server(prefix = "/api", endpoint = "set_wish")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn set_wish(slug: String, user_id: String, priority: String) -> Result<(), AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let (event, _) = member_of(&state, &slug, me.id, profiles::PEOPLE).await?;
    let other = profiles::parse_user_id(&user_id)?;
    schedule::set_wish(&state, &event, me.id, other, Some(&priority)).await
}

/// My availability: `available[slot_<slot id>]` for each slot I can meet in
/// (the others are off), and `accepts_requests` when one-sided wishes
/// towards me may count.
#[server(prefix = "/api", endpoint = "set_my_availability")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn set_my_availability(
    slug: String,
    accepts_requests: Option<String>,
    available: Option<HashMap<String, String>>,
) -> Result<(), AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let (event, _) = member_of(&state, &slug, me.id, profiles::PEOPLE).await?;
    // Keys are `slot_<id>`: a bare id could start with a digit, which the
    // form decoder reads as a list index.
    let available: Vec<String> = available
        .unwrap_or_default()
        .into_keys()
        .filter_map(|k| k.strip_prefix("slot_").map(str::to_owned))
        .collect();
    schedule::set_availability(
        &state,
        &event,
        me.id,
        accepts_requests.is_some(),
        &available,
    )
    .await
}
