//! From what is stored to the engine's problem ([`crate::scheduler`]): the
//! slots (a gap between two is a break), the spots that hold meetings,
//! who takes part (everyone who wished or was wished, unless they opted
//! out), their availability (minus slots where they already have an
//! accepted meeting of their own), the wishes with the matching engine's
//! score of each wished pair, the pairs that must never
//! meet (a block either way, a scheduled meeting one side declined) and
//! the published meetings, which stay where they are.

use crate::{
    domain::{UserId, WishPriority},
    error::AppError,
    ports::{Event, ScheduleSetup, ScheduledMeeting, WishRecord},
    scheduler::{FixedMeeting, Person, Priority, Problem, ProblemInput, Slot, SlotSet, Spot, Wish},
    state::AppState,
};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Whether a stored meeting of the schedule still counts: a draft, or a
/// published one whose meeting is still accepted.
pub(crate) fn live(m: &ScheduledMeeting) -> bool {
    !m.published || m.meeting_status == Some(crate::domain::MeetingStatus::Accepted)
}

/// A published meeting one side declined (or cancelled): the slot is free
/// again and the pair is not scheduled again.
pub(crate) fn declined(m: &ScheduledMeeting) -> bool {
    m.published && !live(m)
}

/// The engine's priority of a wish.
fn priority(p: WishPriority) -> Priority {
    match p {
        WishPriority::Must => Priority::Must,
        WishPriority::WouldLike => Priority::WouldLike,
        WishPriority::IfPossible => Priority::IfPossible,
    }
}

/// The matching engine's score of each wished pair, scaled so the best
/// pair of the event is 1: it breaks ties between pairs whose wishes are
/// worth the same ([`crate::scheduler::value`]).
async fn pair_scores(
    state: &AppState,
    event: &Event,
    wishes: &[WishRecord],
) -> Result<Vec<(UserId, UserId, f64)>, AppError> {
    let index = state.matching.index(state, event.id).await?;
    let index = index
        .read()
        .map_err(|_| crate::service::matching::poisoned())?;
    let mut seen = HashSet::new();
    let mut raw = Vec::new();
    for w in wishes {
        let key = if w.from < w.to {
            (w.from, w.to)
        } else {
            (w.to, w.from)
        };
        if !seen.insert(key) {
            continue;
        }
        if let Some(e) = index.explain_pair(&key.0, &key.1) {
            if e.score.is_finite() && e.score > 0.0 {
                raw.push((key.0, key.1, e.score));
            }
        }
    }
    let best = raw.iter().map(|r| r.2).fold(0.0, f64::max);
    Ok(raw
        .into_iter()
        .map(|(a, b, s)| (a, b, (s / best).clamp(0.0, 1.0)))
        .collect())
}

/// The problem, with the maps back from the engine's indices to ids.
pub(crate) struct Built {
    /// The validated problem.
    pub problem: Problem,
    /// Slot ids by the engine's slot number.
    pub slots: Vec<Uuid>,
    /// Spot ids by the engine's spot index.
    pub spots: Vec<Uuid>,
}

/// What a problem is built from: the setup and the stored schedule, read
/// once by the caller.
pub(crate) struct Stored<'a> {
    /// The event.
    pub event: &'a Event,
    /// The organizer's setup.
    pub setup: &'a ScheduleSetup,
    /// The schedule as stored.
    pub rows: &'a [ScheduledMeeting],
}

/// Builds the problem of `stored`. `fixed` picks the stored meetings that
/// stay where they are (a run keeps the published ones); `extra` are
/// people who must take part whatever they wished (an edit's pair).
pub(crate) async fn build(
    state: &AppState,
    stored: &Stored<'_>,
    fixed: impl Fn(&ScheduledMeeting) -> bool,
    extra: &[UserId],
) -> Result<Built, AppError> {
    let setup = stored.setup;
    if setup.slots.is_empty() {
        return Err(AppError::Conflict(
            "Set up the meeting sessions first: there are no time slots.".into(),
        ));
    }
    let slot_ids: Vec<Uuid> = setup.slots.iter().map(|s| s.id).collect();
    let slot_of: HashMap<Uuid, usize> = slot_ids
        .iter()
        .enumerate()
        .map(|(i, id)| (*id, i))
        .collect();
    let slots: Vec<Slot> = setup
        .slots
        .iter()
        .enumerate()
        .map(|(t, s)| Slot {
            break_after: setup
                .slots
                .get(t + 1)
                .is_none_or(|next| next.starts_at != s.ends_at),
        })
        .collect();
    let used: Vec<_> = setup.spots.iter().filter(|s| s.capacity > 0).collect();
    if used.is_empty() {
        return Err(AppError::Conflict(
            "Set up the meeting sessions first: no meeting spot holds meetings.".into(),
        ));
    }
    let spot_ids: Vec<Uuid> = used.iter().map(|s| s.id).collect();
    let spot_of: HashMap<Uuid, usize> = spot_ids
        .iter()
        .enumerate()
        .map(|(i, id)| (*id, i))
        .collect();
    let spots: Vec<Spot> = used
        .iter()
        .map(|s| Spot::uniform(s.name.clone(), s.capacity, slots.len()))
        .collect();

    let event = stored.event.id;
    let members = state.store.match_members(event).await?;
    let opted_out: HashSet<UserId> = members
        .iter()
        .filter(|m| m.opted_out)
        .map(|m| m.user)
        .collect();
    let member: HashSet<UserId> = members.iter().map(|m| m.user).collect();
    let takes_part = |u: &UserId| member.contains(u) && !opted_out.contains(u);

    let wishes: Vec<_> = state
        .store
        .wishes(event, None)
        .await?
        .into_iter()
        .filter(|w| takes_part(&w.from) && takes_part(&w.to))
        .collect();
    let mut fixed_meetings = Vec::new();
    for m in stored.rows.iter().filter(|m| live(m) && fixed(m)) {
        let (Some(&slot), Some(&spot)) = (slot_of.get(&m.slot), spot_of.get(&m.spot)) else {
            return Err(AppError::Conflict(
                "A published meeting is at a slot or spot the sessions no longer have. Put it back in the setup first.".into(),
            ));
        };
        fixed_meetings.push(FixedMeeting {
            a: m.a,
            b: m.b,
            slot,
            spot,
        });
    }
    let mut ids: Vec<UserId> = wishes.iter().flat_map(|w| [w.from, w.to]).collect();
    ids.extend(fixed_meetings.iter().flat_map(|m| [m.a, m.b]));
    ids.extend(extra.iter().copied().filter(|u| member.contains(u)));
    ids.sort();
    ids.dedup();

    let said: HashMap<UserId, _> = state
        .store
        .availability(event, None)
        .await?
        .into_iter()
        .map(|a| (a.user, a))
        .collect();
    // Slots overlapping a meeting someone accepted outside the schedule.
    let mut busy: HashMap<UserId, SlotSet> = HashMap::new();
    for (a, b, starts, ends) in state.store.other_accepted_meetings(event).await? {
        let hit = SlotSet::of(
            setup
                .slots
                .iter()
                .enumerate()
                .filter(|(_, s)| s.starts_at < ends && s.ends_at > starts)
                .map(|(t, _)| t),
        );
        for who in [a, b] {
            busy.entry(who).or_default().0 |= hit.0;
        }
    }
    let mut forced: HashMap<UserId, (SlotSet, u32)> = HashMap::new();
    for m in &fixed_meetings {
        for who in [m.a, m.b] {
            let f = forced.entry(who).or_default();
            f.0 .0 |= 1 << m.slot;
            f.1 += 1;
        }
    }
    let all = SlotSet::all(slots.len());
    let people: Vec<Person> = ids
        .iter()
        .map(|&id| {
            let told = said.get(&id);
            let off = SlotSet::of(
                told.iter()
                    .flat_map(|a| a.unavailable.iter())
                    .filter_map(|s| slot_of.get(s).copied()),
            );
            let (keep, count) = forced.get(&id).copied().unwrap_or_default();
            let busy = busy.get(&id).copied().unwrap_or_default();
            Person {
                id,
                available: SlotSet((all.0 & !off.0 & !busy.0) | keep.0),
                max_meetings: setup.settings.max_meetings.max(count),
                accepts_requests: told.is_some_and(|a| a.accepts_requests),
            }
        })
        .collect();
    let in_problem: HashSet<UserId> = ids.iter().copied().collect();
    let mut forbidden: Vec<(UserId, UserId)> = state
        .store
        .blocked_pairs(event)
        .await?
        .into_iter()
        .filter(|(a, b)| in_problem.contains(a) && in_problem.contains(b))
        .collect();
    forbidden.extend(
        stored
            .rows
            .iter()
            .filter(|m| declined(m) && in_problem.contains(&m.a) && in_problem.contains(&m.b))
            .map(|m| (m.a, m.b)),
    );
    let input = ProblemInput {
        slots,
        spots,
        people,
        wishes: wishes
            .iter()
            .map(|w| Wish {
                from: w.from,
                to: w.to,
                priority: priority(w.priority),
            })
            .collect(),
        forbidden,
        scores: pair_scores(state, stored.event, &wishes).await?,
        fixed: fixed_meetings,
        max_in_a_row: setup.settings.max_in_a_row.max(1),
    };
    let problem = Problem::parse(input).map_err(|e| {
        tracing::info!(error = %e, "schedule problem refused");
        AppError::Conflict(
            "The published meetings break the current limits (more meetings per person or in a row than allowed). Raise the limits, then run again.".into(),
        )
    })?;
    Ok(Built {
        problem,
        slots: slot_ids,
        spots: spot_ids,
    })
}
