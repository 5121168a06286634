//! The meeting scheduler's rules: the one place that decides who may set
//! up the sessions, state wishes and availability, run the engine, edit its
//! draft and publish it. The server functions of [`crate::api::schedule`]
//! call these functions; none re-implements a rule.
//!
//! The rules:
//!
//! - only the event's organizers set up the sessions (slots, spot
//!   capacities, limits), run the scheduler, edit the draft and publish it;
//!   everything is scoped to the event named in the request;
//! - a member states wishes (whom to meet, with a priority) towards
//!   members they may approach (not opted out, no block either way), and
//!   their own availability and whether they accept being asked;
//! - a run keeps every published meeting that is still accepted where it
//!   is, never pairs people who blocked each other, opted out, or declined
//!   a scheduled meeting with each other, and replaces the draft;
//! - a hand edit (add, move, remove one draft meeting) is checked by the
//!   engine's independent checker ([`crate::scheduler::check`]): an edit
//!   that breaks a rule the schedule kept before is refused, with the
//!   rule in words;
//! - publishing turns every draft meeting into an accepted meeting (so
//!   agendas, calendar feeds and notifications show it) and tells each
//!   person; declining (cancelling) a published meeting frees its slot for
//!   the next run.

mod access;
mod problem;
mod review;

pub use access::organizer_only;
pub use review::{figures, review};

use crate::{
    domain::{count_in, SlotPlan, SpotCapacities, SpotList, UserId, WishPriority},
    error::AppError,
    ports::{Event, NewScheduled, Publication, ScheduleSetup, ScheduledMeeting, WishRecord},
    scheduler::{self, check, Assignment, Schedule, SolveOptions},
    service::{meetings, notify, profiles},
    state::AppState,
};
use chrono::{DateTime, TimeZone, Utc};
use problem::{build, live, Stored};
use uuid::Uuid;

/// The most meetings per person an organizer may allow.
pub const MAX_MEETINGS: u32 = 64;

/// The note every published meeting carries.
pub const NOTE: &str = "Scheduled by the organizers from your wishes. Decline (cancel) it if you cannot make it: the slot goes to someone else.";

/// What the organizer typed in the setup form.
#[derive(Clone, Copy, Debug)]
pub struct SetupForm<'a> {
    /// Slot blocks, one a line ([`SlotPlan`]).
    pub slots: &'a str,
    /// Spot capacities, one spot a line ([`SpotCapacities`]).
    pub spots: &'a str,
    /// Meetings per person at most.
    pub max_meetings: &'a str,
    /// Meetings in a row at most.
    pub max_in_a_row: &'a str,
}

/// A slot's start and end, in UTC.
type Window = (DateTime<Utc>, DateTime<Utc>);

/// The slots of `plan` in UTC, read in the event's time zone, inside the
/// event's days.
fn slot_times(event: &Event, plan: &SlotPlan) -> Result<Vec<Window>, AppError> {
    let zone = meetings::tz(event);
    let invalid = |message: &str| AppError::Invalid {
        field: "slots".into(),
        message: message.into(),
    };
    plan.slots()
        .iter()
        .map(|s| {
            if s.day < event.dates.starts_on() || s.day > event.dates.ends_on() {
                return Err(invalid("Every slot must be on a day of the event."));
            }
            let at = |t| {
                zone.from_local_datetime(&s.day.and_time(t))
                    .single()
                    .map(|t| t.with_timezone(&Utc))
                    .ok_or_else(|| invalid("A slot falls in a clock change; move it."))
            };
            Ok((at(s.starts)?, at(s.ends)?))
        })
        .collect()
}

/// The organizer's setup: slots, spot capacities (new spot names become
/// meeting spots), limits. Refused while a published, still accepted
/// meeting sits in a slot the new plan drops.
pub async fn save_setup(
    state: &AppState,
    event: &Event,
    me: UserId,
    form: SetupForm<'_>,
) -> Result<(), AppError> {
    organizer_only(state, event, me).await?;
    let plan = SlotPlan::parse(form.slots)?;
    let capacities = SpotCapacities::parse(form.spots)?;
    let max_meetings = count_in("max_meetings", form.max_meetings, 1, MAX_MEETINGS)?;
    let max_in_a_row = count_in(
        "max_in_a_row",
        form.max_in_a_row,
        1,
        scheduler::MAX_SLOTS as u32,
    )?;
    let times = slot_times(event, &plan)?;
    let setup = state.store.schedule_setup(event.id).await?;
    let rows = state.store.scheduled(event.id).await?;
    let kept_slot = |id: Uuid| {
        setup
            .slots
            .iter()
            .find(|s| s.id == id)
            .is_some_and(|s| times.contains(&(s.starts_at, s.ends_at)))
    };
    if rows
        .iter()
        .any(|m| m.published && live(m) && !kept_slot(m.slot))
    {
        return Err(AppError::Conflict(
            "A published meeting is in a slot this plan drops. Keep its slot, or have it declined first.".into(),
        ));
    }
    // New names become meeting spots (appended, so existing ones keep their place).
    let mut names: Vec<String> = setup.spots.iter().map(|s| s.name.clone()).collect();
    let before = names.len();
    for (name, _) in capacities.spots() {
        if !names.contains(name) {
            names.push(name.clone());
        }
    }
    if names.len() != before {
        let list = SpotList::parse(&names.join("\n"))?;
        state.store.set_spots(event.id, list.names()).await?;
    }
    let spots = state.store.spots(event.id).await?;
    let by_name = |name: &str| {
        capacities
            .spots()
            .iter()
            .find(|(n, _)| n == name)
            .map_or(0, |(_, c)| *c)
    };
    let caps: Vec<(Uuid, u32)> = spots.iter().map(|s| (s.id, by_name(&s.name))).collect();
    state
        .store
        .save_schedule_setup(event.id, max_meetings, max_in_a_row, &times, &caps)
        .await?;
    notify::dashboard(state, event);
    Ok(())
}

/// The setup as the form shows it again: one line per slot, one line per
/// spot with its capacity.
pub fn setup_text(event: &Event, setup: &ScheduleSetup) -> (String, String) {
    let zone = meetings::tz(event);
    let slots = setup
        .slots
        .iter()
        .map(|s| {
            let (a, b) = (
                s.starts_at.with_timezone(&zone),
                s.ends_at.with_timezone(&zone),
            );
            format!(
                "{} {}-{}",
                a.format("%Y-%m-%d"),
                a.format("%H:%M"),
                b.format("%H:%M")
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    let spots = setup
        .spots
        .iter()
        .map(|s| format!("{}: {}", s.name, s.capacity))
        .collect::<Vec<_>>()
        .join("\n");
    (slots, spots)
}

/// `me` wants to meet `other` with `priority` (`None`: no longer). Only
/// towards members `me` may approach.
pub async fn set_wish(
    state: &AppState,
    event: &Event,
    me: UserId,
    other: UserId,
    priority: Option<&str>,
) -> Result<(), AppError> {
    if other == me {
        return Err(AppError::Invalid {
            field: "user_id".into(),
            message: "You cannot meet yourself.".into(),
        });
    }
    let priority = match priority
        .map(str::trim)
        .filter(|p| !p.is_empty() && *p != "none")
    {
        Some(p) => Some(WishPriority::parse(p)?),
        None => None,
    };
    if priority.is_some() {
        profiles::approachable(state, event, me, other).await?;
    }
    state.store.set_wish(event.id, me, other, priority).await?;
    Ok(())
}

/// My wishes in `event`.
pub async fn my_wishes(
    state: &AppState,
    event: &Event,
    me: UserId,
) -> Result<Vec<WishRecord>, AppError> {
    Ok(state.store.wishes(event.id, Some(me)).await?)
}

/// `me` says which slots they can meet in (`available`, slot ids; the
/// others are off) and whether they accept being asked.
pub async fn set_availability(
    state: &AppState,
    event: &Event,
    me: UserId,
    accepts_requests: bool,
    available: &[String],
) -> Result<(), AppError> {
    let setup = state.store.schedule_setup(event.id).await?;
    let off: Vec<Uuid> = setup
        .slots
        .iter()
        .map(|s| s.id)
        .filter(|id| !available.iter().any(|a| a.trim() == id.to_string()))
        .collect();
    state
        .store
        .set_availability(event.id, me, accepts_requests, &off)
        .await?;
    Ok(())
}

/// Runs the scheduler: keeps the published meetings, places the wishes
/// around them, and stores the result as the new draft. Returns the
/// engine's answer (value, bound, unscheduled wishes).
pub async fn run(state: &AppState, event: &Event, me: UserId) -> Result<Schedule, AppError> {
    organizer_only(state, event, me).await?;
    let setup = state.store.schedule_setup(event.id).await?;
    let rows = state.store.scheduled(event.id).await?;
    let stored = Stored {
        event,
        setup: &setup,
        rows: &rows,
    };
    let built = build(state, &stored, |m| m.published, &[]).await?;
    let (problem, slots, spots) = (built.problem, built.slots, built.spots);
    let answer = tokio::task::spawn_blocking(move || {
        let schedule = scheduler::schedule(&problem, &SolveOptions::default());
        (problem, schedule)
    })
    .await
    .map_err(|_| AppError::Internal)?
    .1;
    let drafts: Vec<NewScheduled> = answer
        .assignments
        .iter()
        .filter(|m| !m.fixed)
        .map(|m| NewScheduled {
            id: Uuid::new_v4(),
            a: m.a,
            b: m.b,
            slot: slots[m.slot],
            spot: spots[m.spot],
            value: i64::try_from(m.value).unwrap_or(i64::MAX),
        })
        .collect();
    let bound = i64::try_from(answer.upper_bound).unwrap_or(i64::MAX);
    state.store.save_draft(event.id, &drafts, bound).await?;
    notify::dashboard(state, event);
    Ok(answer)
}

/// A hand edit of the draft.
#[derive(Clone, Debug)]
pub enum Edit {
    /// A meeting of two members at a slot and spot.
    Add {
        /// One side.
        a: UserId,
        /// The other side.
        b: UserId,
        /// The slot's id.
        slot: Uuid,
        /// The spot's id.
        spot: Uuid,
    },
    /// A draft meeting to another slot and spot.
    Move {
        /// The draft meeting.
        id: Uuid,
        /// The slot's id.
        slot: Uuid,
        /// The spot's id.
        spot: Uuid,
    },
    /// A draft meeting taken out.
    Remove {
        /// The draft meeting.
        id: Uuid,
    },
}

/// Every rule `rows` break, checked by the engine's checker on a problem
/// where nothing is fixed.
fn violations(built: &problem::Built, rows: &[ScheduledMeeting]) -> Vec<String> {
    let p = &built.problem;
    let index = |id: Uuid, list: &[Uuid]| list.iter().position(|x| *x == id).unwrap_or(usize::MAX);
    let assignments: Vec<Assignment> = rows
        .iter()
        .filter(|m| live(m))
        .map(|m| {
            let value = match (p.person_index(m.a), p.person_index(m.b)) {
                (Some(x), Some(y)) => p.pair_value(x, y),
                _ => 0,
            };
            Assignment {
                a: m.a,
                b: m.b,
                slot: index(m.slot, &built.slots),
                spot: index(m.spot, &built.spots),
                // The organizer may place meetings nobody wished for.
                fixed: true,
                value,
            }
        })
        .collect();
    let schedule = Schedule {
        total_value: assignments.iter().map(|m| m.value).sum(),
        assignments,
        unscheduled: Vec::new(),
        upper_bound: u64::MAX,
        utilisation: Vec::new(),
    };
    check::violations(p, &schedule)
        .into_iter()
        .map(|v| v.split(": ").last().unwrap_or_default().to_owned())
        .collect()
}

/// Applies a hand edit to the draft, refusing one that breaks a rule the
/// schedule kept before (double booking, availability, a spot's capacity,
/// the per-person maximum, K in a row, a pair that must never meet).
pub async fn edit(state: &AppState, event: &Event, me: UserId, edit: Edit) -> Result<(), AppError> {
    organizer_only(state, event, me).await?;
    let setup = state.store.schedule_setup(event.id).await?;
    let rows = state.store.scheduled(event.id).await?;
    let missing = || AppError::NotFound("There is no such draft meeting.".into());
    let draft = |id: Uuid| {
        rows.iter()
            .find(|m| m.id == id && !m.published)
            .cloned()
            .ok_or_else(missing)
    };
    let (after, new, people): (Vec<ScheduledMeeting>, Option<NewScheduled>, Vec<UserId>) =
        match edit {
            Edit::Remove { id } => {
                draft(id)?;
                state.store.remove_draft_meeting(event.id, id).await?;
                notify::dashboard(state, event);
                return Ok(());
            }
            Edit::Move { id, slot, spot } => {
                let m = draft(id)?;
                let moved = ScheduledMeeting {
                    slot,
                    spot,
                    ..m.clone()
                };
                let after = rows
                    .iter()
                    .map(|r| if r.id == id { moved.clone() } else { r.clone() })
                    .collect();
                let new = NewScheduled {
                    id,
                    a: m.a,
                    b: m.b,
                    slot,
                    spot,
                    value: m.value,
                };
                (after, Some(new), vec![m.a, m.b])
            }
            Edit::Add { a, b, slot, spot } => {
                for who in [a, b] {
                    let m = state.store.membership(event.id, who).await?;
                    if m.is_none_or(|m| m.opted_out) {
                        return Err(AppError::NotFound("This person is not available.".into()));
                    }
                }
                let id = Uuid::new_v4();
                let m = ScheduledMeeting {
                    id,
                    a,
                    b,
                    slot,
                    spot,
                    value: 0,
                    published: false,
                    meeting: None,
                    meeting_status: None,
                };
                let mut after = rows.clone();
                after.push(m);
                (
                    after,
                    Some(NewScheduled {
                        id,
                        a,
                        b,
                        slot,
                        spot,
                        value: 0,
                    }),
                    vec![a, b],
                )
            }
        };
    let stored = Stored {
        event,
        setup: &setup,
        rows: &rows,
    };
    // Everyone in the schedule takes part, so the checker sees all their
    // meetings (a meeting added by hand may be of people who wished nothing).
    let everyone: Vec<UserId> = people
        .into_iter()
        .chain(rows.iter().flat_map(|m| [m.a, m.b]))
        .collect();
    let built = build(state, &stored, |_| false, &everyone).await?;
    let before = violations(&built, &rows);
    let now = violations(&built, &after);
    if let Some(broken) = now.iter().find(|v| !before.contains(v)) {
        let mut broken = broken.clone();
        for m in state.store.list_members(event.id).await? {
            broken = broken.replace(&m.user_id.to_string(), &m.display_name);
        }
        return Err(AppError::Conflict(format!(
            "This edit breaks a rule: {broken}."
        )));
    }
    let Some(mut new) = new else { return Ok(()) };
    if let (Some(x), Some(y)) = (
        built.problem.person_index(new.a),
        built.problem.person_index(new.b),
    ) {
        new.value = i64::try_from(built.problem.pair_value(x, y)).unwrap_or(i64::MAX);
    }
    state
        .store
        .put_draft_meeting(event.id, &new)
        .await
        .map_err(|e| match e {
            crate::ports::StoreError::NotFound => {
                AppError::NotFound("There is no such slot or spot at this event.".into())
            }
            crate::ports::StoreError::Conflict(_) => {
                AppError::Conflict("A published meeting stays where it is.".into())
            }
            other => other.into(),
        })?;
    notify::dashboard(state, event);
    Ok(())
}

/// Publishes the draft: each draft meeting becomes an accepted meeting at
/// its slot and spot, and everyone who got one is told. Returns how many
/// meetings were published.
pub async fn publish(state: &AppState, event: &Event, me: UserId) -> Result<usize, AppError> {
    organizer_only(state, event, me).await?;
    let setup = state.store.schedule_setup(event.id).await?;
    let rows = state.store.scheduled(event.id).await?;
    let mut publications = Vec::new();
    let mut told: Vec<UserId> = Vec::new();
    for m in rows.iter().filter(|m| !m.published) {
        let slot = setup
            .slots
            .iter()
            .find(|s| s.id == m.slot)
            .ok_or(AppError::Internal)?;
        let spot = setup
            .spots
            .iter()
            .find(|s| s.id == m.spot)
            .ok_or(AppError::Internal)?;
        publications.push(Publication {
            scheduled: m.id,
            meeting: Uuid::new_v4(),
            starts_at: slot.starts_at,
            ends_at: slot.ends_at,
            place: spot.name.clone(),
            message: NOTE.into(),
        });
        told.extend([m.a, m.b]);
    }
    if publications.is_empty() {
        return Err(AppError::Conflict(
            "There is nothing to publish: run the scheduler first.".into(),
        ));
    }
    state
        .store
        .publish_schedule(event.id, &publications)
        .await
        .map_err(|e| match e {
            crate::ports::StoreError::Conflict(_) => {
                AppError::Conflict("The draft changed meanwhile. Reload and publish again.".into())
            }
            other => other.into(),
        })?;
    told.sort();
    told.dedup();
    notify::schedule_published(state, event, &told);
    Ok(publications.len())
}
