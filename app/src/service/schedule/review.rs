//! What the organizer reads about the schedule: the figures (also on the
//! dashboard), every meeting by slot, the wishes without a meeting and
//! why, each person's share and each spot's use. Read-only; organizers
//! only ([`review`]); [`figures`] is for the dashboard, which checks its
//! own role.

use super::{access::organizer_only, problem};
use crate::{
    domain::{
        PersonLine, ScheduleFigures, ScheduleReview, ScheduledLine, SpotLine, UnmetLine, UserId,
    },
    error::AppError,
    ports::{Event, ScheduleSetup, ScheduledMeeting, WishRecord},
    service::meetings,
    state::AppState,
};
use chrono::{DateTime, Utc};
use std::collections::{HashMap, HashSet};

/// A time as the organizer reads it, in the event's time zone.
fn at(event: &Event, t: DateTime<Utc>) -> String {
    t.with_timezone(&meetings::tz(event))
        .format("%a %-d %b, %H:%M")
        .to_string()
}

/// The pair of two people, lower id first.
fn pair(a: UserId, b: UserId) -> (UserId, UserId) {
    if a < b {
        (a, b)
    } else {
        (b, a)
    }
}

/// The figures from what is stored.
fn count(
    event: &Event,
    setup: &ScheduleSetup,
    rows: &[ScheduledMeeting],
    wishes: &[WishRecord],
) -> ScheduleFigures {
    let live: Vec<_> = rows.iter().filter(|m| problem::live(m)).collect();
    let met: HashSet<(UserId, UserId)> = live.iter().map(|m| pair(m.a, m.b)).collect();
    let wishing: HashSet<UserId> = wishes.iter().map(|w| w.from).collect();
    let n = |x: usize| u32::try_from(x).unwrap_or(u32::MAX);
    let per_slot: u32 = setup.spots.iter().map(|s| s.capacity).sum();
    ScheduleFigures {
        slots: n(setup.slots.len()),
        capacity: per_slot.saturating_mul(n(setup.slots.len())),
        people_wishing: n(wishing.len()),
        wishes: n(wishes.len()),
        wishes_met: n(wishes
            .iter()
            .filter(|w| met.contains(&pair(w.from, w.to)))
            .count()),
        meetings: n(live.len()),
        published: n(live.iter().filter(|m| m.published).count()),
        declined: n(rows.iter().filter(|m| problem::declined(m)).count()),
        value: live.iter().map(|m| m.value).sum(),
        upper_bound: setup.settings.upper_bound,
        ran_at: setup.settings.ran_at.map(|t| at(event, t)),
        published_at: setup.settings.published_at.map(|t| at(event, t)),
    }
}

/// The scheduler's figures of `event` (for the dashboard).
pub async fn figures(state: &AppState, event: &Event) -> Result<ScheduleFigures, AppError> {
    let setup = state.store.schedule_setup(event.id).await?;
    let rows = state.store.scheduled(event.id).await?;
    let wishes = state.store.wishes(event.id, None).await?;
    Ok(count(event, &setup, &rows, &wishes))
}

/// The whole review of `event`'s schedule; organizers only.
pub async fn review(
    state: &AppState,
    event: &Event,
    me: UserId,
) -> Result<ScheduleReview, AppError> {
    organizer_only(state, event, me).await?;
    let setup = state.store.schedule_setup(event.id).await?;
    let rows = state.store.scheduled(event.id).await?;
    let wishes = state.store.wishes(event.id, None).await?;
    let figures = count(event, &setup, &rows, &wishes);
    let names: HashMap<UserId, String> = state
        .store
        .list_members(event.id)
        .await?
        .into_iter()
        .map(|m| (m.user_id, m.display_name))
        .collect();
    let name = |u: &UserId| {
        names
            .get(u)
            .cloned()
            .unwrap_or_else(|| "A former member".into())
    };
    let slot = |id| setup.slots.iter().find(|s| s.id == id);
    let spot_name = |id| {
        setup
            .spots
            .iter()
            .find(|s| s.id == id)
            .map_or_else(String::new, |s| s.name.clone())
    };
    let meetings = rows
        .iter()
        .map(|m| ScheduledLine {
            id: m.id.to_string(),
            slot_id: m.slot.to_string(),
            when: slot(m.slot).map_or_else(String::new, |s| {
                meetings::when(event, s.starts_at, s.ends_at)
            }),
            spot_id: m.spot.to_string(),
            spot: spot_name(m.spot),
            people: (name(&m.a), name(&m.b)),
            published: m.published,
            declined: problem::declined(m),
        })
        .collect();

    let live: Vec<_> = rows.iter().filter(|m| problem::live(m)).collect();
    let met: HashSet<(UserId, UserId)> = live.iter().map(|m| pair(m.a, m.b)).collect();
    let mut forbidden: HashSet<(UserId, UserId)> = state
        .store
        .blocked_pairs(event.id)
        .await?
        .into_iter()
        .map(|(a, b)| pair(a, b))
        .collect();
    forbidden.extend(
        rows.iter()
            .filter(|m| problem::declined(m))
            .map(|m| pair(m.a, m.b)),
    );
    let opted_out: HashSet<UserId> = state
        .store
        .match_members(event.id)
        .await?
        .into_iter()
        .filter(|m| m.opted_out)
        .map(|m| m.user)
        .collect();
    let accepts: HashSet<UserId> = state
        .store
        .availability(event.id, None)
        .await?
        .into_iter()
        .filter(|a| a.accepts_requests)
        .map(|a| a.user)
        .collect();
    let wished: HashSet<(UserId, UserId)> = wishes.iter().map(|w| (w.from, w.to)).collect();
    let unmet = wishes
        .iter()
        .filter(|w| !met.contains(&pair(w.from, w.to)))
        .map(|w| {
            let reason = if forbidden.contains(&pair(w.from, w.to))
                || opted_out.contains(&w.from)
                || opted_out.contains(&w.to)
            {
                "They must not meet: a block, an opt-out or a declined meeting."
            } else if !wished.contains(&(w.to, w.from)) && !accepts.contains(&w.to) {
                "Not wished back, and they do not accept being asked."
            } else {
                "No slot suited both: full, busy, or at their maximum."
            };
            UnmetLine {
                from: name(&w.from),
                to: name(&w.to),
                priority: w.priority,
                reason: reason.into(),
            }
        })
        .collect();

    let mut people_lines: HashMap<UserId, PersonLine> = HashMap::new();
    for w in &wishes {
        let p = people_lines
            .entry(w.from)
            .or_insert_with(|| blank(name(&w.from)));
        p.wishes += 1;
        if met.contains(&pair(w.from, w.to)) {
            p.met += 1;
        }
        people_lines
            .entry(w.to)
            .or_insert_with(|| blank(name(&w.to)));
    }
    for m in &live {
        for who in [m.a, m.b] {
            people_lines
                .entry(who)
                .or_insert_with(|| blank(name(&who)))
                .meetings += 1;
        }
    }
    let mut people: Vec<PersonLine> = people_lines.into_values().collect();
    people.sort_by(|x, y| x.name.cmp(&y.name));

    let slots = u32::try_from(setup.slots.len()).unwrap_or(u32::MAX);
    let spots = setup
        .spots
        .iter()
        .filter(|s| s.capacity > 0)
        .map(|s| SpotLine {
            name: s.name.clone(),
            used: u32::try_from(live.iter().filter(|m| m.spot == s.id).count()).unwrap_or(0),
            capacity: s.capacity.saturating_mul(slots),
        })
        .collect();
    Ok(ScheduleReview {
        figures,
        meetings,
        unmet,
        people,
        spots,
    })
}

/// A person's line before counting.
fn blank(name: String) -> PersonLine {
    PersonLine {
        name,
        wishes: 0,
        met: 0,
        meetings: 0,
    }
}
