//! The meeting scheduler's engine (issue 17): given the event's time slots,
//! its meeting spots, who is available when and who wants to meet whom, it
//! builds the schedule of 1:1 meetings for everyone at once. Like
//! [`crate::matching`] it is a pure algorithm: no ports, no storage, no
//! clock; the service feeds it and stores what it answers. It runs on the
//! server only (it needs the seeded RNG of `rand`, an `ssr` dependency).
//!
//! This file owns the problem and the answer as types and checks the problem
//! when it is built ([`Problem::parse`]); [`value`] says what a pair is worth,
//! [`solve`] builds the schedule (greedy, then local search), [`bound`]
//! computes the upper bound the answer is measured against, and [`check`] is
//! the independent checker of every rule that the tests (and anyone doubting
//! an answer) run on a schedule.
//!
//! # Slots, spots and the capacity
//!
//! Slots are numbered in time order; a slot's `break_after` says a break (or
//! the end of a day) follows it, which ends a run of meetings in a row.
//! Spots hold a number of meetings at once, per slot (0 = closed then). No
//! person prefers one spot over another, so the solver reasons about each
//! slot's total capacity and hands out concrete spots at the end; fixed
//! meetings keep their own spot.

pub mod bound;
pub mod check;
pub mod solve;
#[cfg(test)]
mod tests;
pub mod value;

use crate::domain::UserId;
use std::collections::{HashMap, HashSet};

pub use solve::{schedule, SolveOptions};
use value::ordered;
pub use value::Priority;

/// The most slots an event can have: a slot set is one `u128`, which keeps
/// the solver's per-person bookkeeping to a few machine words. 128 slots of
/// 20 minutes are more than five full days of meetings.
pub const MAX_SLOTS: usize = 128;

/// A set of slot numbers (bit `t` = slot `t`), for availability and for the
/// slots a person is busy in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct SlotSet(pub u128);

impl SlotSet {
    /// Every slot of an event with `slots` slots: the default availability.
    pub fn all(slots: usize) -> Self {
        if slots >= MAX_SLOTS {
            SlotSet(u128::MAX)
        } else {
            SlotSet((1u128 << slots) - 1)
        }
    }

    /// The set of the given slot numbers (numbers past [`MAX_SLOTS`] are
    /// ignored; [`Problem::parse`] rejects numbers past the event's slots).
    pub fn of(slots: impl IntoIterator<Item = usize>) -> Self {
        SlotSet(
            slots
                .into_iter()
                .filter(|&t| t < MAX_SLOTS)
                .fold(0, |s, t| s | 1 << t),
        )
    }

    /// Whether slot `t` is in the set.
    pub fn contains(self, t: usize) -> bool {
        t < MAX_SLOTS && self.0 >> t & 1 == 1
    }

    /// How many slots are in the set.
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The slot numbers in the set, in time order.
    pub fn iter(self) -> impl Iterator<Item = usize> {
        let mut rest = self.0;
        std::iter::from_fn(move || {
            (rest != 0).then(|| {
                let t = rest.trailing_zeros() as usize;
                rest &= rest - 1;
                t
            })
        })
    }
}

/// One time slot of the meeting sessions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slot {
    /// A break (or the end of a day) follows this slot: a run of meetings in
    /// a row ends here, whatever comes next.
    pub break_after: bool,
}

/// A table or room that hosts meetings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spot {
    /// The organizer's name for it, shown on agendas.
    pub name: String,
    /// How many meetings it holds at once, per slot (same length as the
    /// slots; 0 = closed in that slot).
    pub capacity: Vec<u32>,
}

impl Spot {
    /// A spot open in every one of `slots` slots with the same capacity.
    pub fn uniform(name: impl Into<String>, capacity: u32, slots: usize) -> Self {
        Spot {
            name: name.into(),
            capacity: vec![capacity; slots],
        }
    }
}

/// An attendee as the scheduler sees them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    /// Who.
    pub id: UserId,
    /// The slots they can meet in (default: all).
    pub available: SlotSet,
    /// The most meetings they want in the whole schedule, fixed ones included.
    pub max_meetings: u32,
    /// They accept being asked: a one-sided wish towards them counts.
    pub accepts_requests: bool,
}

/// "`from` wants to meet `to`", with how much.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Wish {
    /// Who wishes.
    pub from: UserId,
    /// Whom they want to meet.
    pub to: UserId,
    /// How much.
    pub priority: Priority,
}

/// A meeting already accepted or published: it stays where it is and counts
/// toward every limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FixedMeeting {
    /// One side.
    pub a: UserId,
    /// The other side.
    pub b: UserId,
    /// Its slot number.
    pub slot: usize,
    /// Its spot, as an index into the problem's spots.
    pub spot: usize,
}

/// Everything the organizer and the attendees said, unchecked. Build a
/// [`Problem`] from it with [`Problem::parse`].
#[derive(Clone, Debug, Default)]
pub struct ProblemInput {
    /// The slots, in time order.
    pub slots: Vec<Slot>,
    /// The spots.
    pub spots: Vec<Spot>,
    /// The attendees taking part.
    pub people: Vec<Person>,
    /// Who wants to meet whom.
    pub wishes: Vec<Wish>,
    /// Pairs that must never meet (one opted out, or one blocked the other).
    pub forbidden: Vec<(UserId, UserId)>,
    /// The matching engine's score of a pair, 0..=1 (missing = 0): breaks
    /// ties between pairs whose wishes are worth the same.
    pub scores: Vec<(UserId, UserId, f64)>,
    /// Meetings that stay where they are (accepted or published).
    pub fixed: Vec<FixedMeeting>,
    /// K: at most this many meetings in a row without a break.
    pub max_in_a_row: u32,
}

/// Why a problem cannot be scheduled as given.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ProblemError {
    /// No slots, or more than [`MAX_SLOTS`].
    #[error("an event needs between 1 and {MAX_SLOTS} slots, not {0}")]
    SlotCount(usize),
    /// K must allow at least one meeting.
    #[error("the number of meetings in a row must be at least 1")]
    ZeroInARow,
    /// A spot's capacity list does not have one entry per slot.
    #[error("spot {0} has {1} capacities for {2} slots")]
    CapacityLength(usize, usize, usize),
    /// A spot that can never host a meeting is a typing mistake.
    #[error("spot {0} has capacity 0 in every slot")]
    ZeroCapacity(usize),
    /// The same person twice.
    #[error("person {0} is listed twice")]
    DuplicatePerson(UserId),
    /// Availability names a slot the event does not have.
    #[error("person {0} is available in a slot that does not exist")]
    UnknownSlot(UserId),
    /// A wish, pair, score or meeting names someone not in `people`.
    #[error("unknown person {0}")]
    UnknownPerson(UserId),
    /// A pair of one person with themselves.
    #[error("person {0} is paired with themselves")]
    SelfPair(UserId),
    /// The same wish twice (with the same or another priority).
    #[error("{0} wishes to meet {1} twice")]
    DuplicateWish(UserId, UserId),
    /// A score outside 0..=1 (or not a number).
    #[error("the score of {0} and {1} is not between 0 and 1")]
    BadScore(UserId, UserId),
    /// A fixed meeting that breaks a rule; the string says which.
    #[error("fixed meeting {0} breaks a rule: {1}")]
    BadFixed(usize, &'static str),
}

/// A candidate pair of the validated problem: two people (by index, `a < b`)
/// and what meeting them is worth.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Pair {
    /// The lower person index.
    pub a: u32,
    /// The higher person index.
    pub b: u32,
    /// What the meeting is worth ([`value`]).
    pub value: u64,
    /// A fixed meeting: its slot; `None` for pairs the solver may place.
    pub fixed_slot: Option<u16>,
}

/// A validated scheduling problem: every id known, every fixed meeting
/// within the rules, pair values computed. Private fields: only
/// [`Problem::parse`] builds one.
#[derive(Clone, Debug)]
pub struct Problem {
    /// What was given, kept for the checker and for the answer's ids.
    input: ProblemInput,
    /// Person index by id.
    index: HashMap<UserId, u32>,
    /// Bit `t`: a break follows slot `t`.
    breaks: u128,
    /// Total capacity of each slot over all spots.
    slot_capacity: Vec<u32>,
    /// Forbidden pairs, by index, lower first.
    forbidden: HashSet<(u32, u32)>,
    /// Every pair that is worth something or fixed, best first (value
    /// descending, then indices): fixed pairs included, with their slot.
    pairs: Vec<Pair>,
    /// Index into `pairs` by (lower, higher) person index.
    pair_index: HashMap<(u32, u32), u32>,
    /// The fixed meetings by index: (pair index, slot, spot).
    fixed: Vec<(u32, usize, usize)>,
}

impl Problem {
    /// Checks `input` and prepares it for the solver and the bound.
    pub fn parse(input: ProblemInput) -> Result<Problem, ProblemError> {
        let slots = input.slots.len();
        if slots == 0 || slots > MAX_SLOTS {
            return Err(ProblemError::SlotCount(slots));
        }
        if input.max_in_a_row == 0 {
            return Err(ProblemError::ZeroInARow);
        }
        let mut slot_capacity = vec![0u32; slots];
        for (i, spot) in input.spots.iter().enumerate() {
            if spot.capacity.len() != slots {
                return Err(ProblemError::CapacityLength(i, spot.capacity.len(), slots));
            }
            if spot.capacity.iter().all(|&c| c == 0) {
                return Err(ProblemError::ZeroCapacity(i));
            }
            for (t, &c) in spot.capacity.iter().enumerate() {
                slot_capacity[t] = slot_capacity[t].saturating_add(c);
            }
        }
        let all = SlotSet::all(slots);
        let mut index = HashMap::with_capacity(input.people.len());
        for (i, p) in input.people.iter().enumerate() {
            if index.insert(p.id, i as u32).is_some() {
                return Err(ProblemError::DuplicatePerson(p.id));
            }
            if p.available.0 & !all.0 != 0 {
                return Err(ProblemError::UnknownSlot(p.id));
            }
        }
        let find = |id: &UserId| {
            index
                .get(id)
                .copied()
                .ok_or(ProblemError::UnknownPerson(*id))
        };
        let pair_of = |x: &UserId, y: &UserId| -> Result<(u32, u32), ProblemError> {
            let (i, j) = (find(x)?, find(y)?);
            if i == j {
                return Err(ProblemError::SelfPair(*x));
            }
            Ok(ordered(i, j))
        };
        let mut forbidden = HashSet::new();
        for (x, y) in &input.forbidden {
            forbidden.insert(pair_of(x, y)?);
        }
        let mut scores = HashMap::new();
        for (x, y, s) in &input.scores {
            if !(0.0..=1.0).contains(s) {
                return Err(ProblemError::BadScore(*x, *y));
            }
            scores.insert(pair_of(x, y)?, *s);
        }
        let mut wishes = HashMap::new();
        for w in &input.wishes {
            pair_of(&w.from, &w.to)?;
            let key = (find(&w.from)?, find(&w.to)?);
            if wishes.insert(key, w.priority).is_some() {
                return Err(ProblemError::DuplicateWish(w.from, w.to));
            }
        }
        let breaks = input
            .slots
            .iter()
            .enumerate()
            .filter(|(_, s)| s.break_after)
            .fold(0u128, |b, (t, _)| b | 1 << t);

        let accepts: Vec<bool> = input.people.iter().map(|p| p.accepts_requests).collect();
        let mut values = value::pair_values(&wishes, &accepts, &scores, &forbidden);

        let mut fixed = Vec::with_capacity(input.fixed.len());
        let mut fixed_pairs = HashMap::new();
        for (i, m) in input.fixed.iter().enumerate() {
            let key = pair_of(&m.a, &m.b)?;
            if m.slot >= slots || m.spot >= input.spots.len() {
                return Err(ProblemError::BadFixed(i, "no such slot or spot"));
            }
            if fixed_pairs.insert(key, m.slot).is_some() {
                return Err(ProblemError::BadFixed(i, "the pair meets twice"));
            }
            if forbidden.contains(&key) {
                return Err(ProblemError::BadFixed(i, "the pair must not meet"));
            }
            fixed.push((key, m.slot, m.spot));
        }
        for &(key, _, _) in &fixed {
            values.entry(key).or_insert(0);
        }
        let mut pairs: Vec<Pair> = values
            .into_iter()
            .map(|((a, b), value)| Pair {
                a,
                b,
                value,
                fixed_slot: fixed_pairs.get(&(a, b)).map(|&t| t as u16),
            })
            .collect();
        pairs.sort_by(|x, y| y.value.cmp(&x.value).then((x.a, x.b).cmp(&(y.a, y.b))));
        let pair_index = pairs
            .iter()
            .enumerate()
            .map(|(i, p)| ((p.a, p.b), i as u32))
            .collect::<HashMap<_, _>>();
        let problem = Problem {
            fixed: fixed
                .into_iter()
                .map(|(key, slot, spot)| (pair_index[&key], slot, spot))
                .collect(),
            input,
            index,
            breaks,
            slot_capacity,
            forbidden,
            pairs,
            pair_index,
        };
        problem.check_fixed()?;
        Ok(problem)
    }

    /// Fixed meetings must keep every rule by themselves: otherwise no
    /// schedule that keeps them is valid, and the organizer must fix them
    /// (the service drops declined or newly forbidden ones before a re-run).
    fn check_fixed(&self) -> Result<(), ProblemError> {
        let n = self.input.people.len();
        let mut busy = vec![0u128; n];
        let mut count = vec![0u32; n];
        let mut used = vec![vec![0u32; self.slot_count()]; self.input.spots.len()];
        for (i, &(pair, slot, spot)) in self.fixed.iter().enumerate() {
            let p = self.pairs[pair as usize];
            for who in [p.a, p.b] {
                let person = &self.input.people[who as usize];
                if !person.available.contains(slot) {
                    return Err(ProblemError::BadFixed(i, "a side is not available then"));
                }
                if busy[who as usize] >> slot & 1 == 1 {
                    return Err(ProblemError::BadFixed(
                        i,
                        "a side has two meetings in the slot",
                    ));
                }
                busy[who as usize] |= 1 << slot;
                count[who as usize] += 1;
                if count[who as usize] > person.max_meetings {
                    return Err(ProblemError::BadFixed(
                        i,
                        "a side has more than their maximum",
                    ));
                }
            }
            used[spot][slot] += 1;
            if used[spot][slot] > self.input.spots[spot].capacity[slot] {
                return Err(ProblemError::BadFixed(i, "the spot is full in that slot"));
            }
        }
        for (x, b) in busy.into_iter().enumerate() {
            if self.longest_run(b) > self.input.max_in_a_row {
                // Name the person's first fixed meeting.
                let first = self.fixed.iter().position(|&(pair, _, _)| {
                    let p = self.pairs[pair as usize];
                    p.a as usize == x || p.b as usize == x
                });
                let i = first.unwrap_or_default();
                return Err(ProblemError::BadFixed(i, "too many meetings in a row"));
            }
        }
        Ok(())
    }

    /// What was given.
    pub fn input(&self) -> &ProblemInput {
        &self.input
    }

    /// How many slots the event has.
    pub fn slot_count(&self) -> usize {
        self.input.slots.len()
    }

    /// How many people take part.
    pub fn person_count(&self) -> usize {
        self.input.people.len()
    }

    /// The index of a person, if they take part.
    pub fn person_index(&self, id: UserId) -> Option<u32> {
        self.index.get(&id).copied()
    }

    /// What meeting `x` and `y` is worth (0 when no counted wish links them,
    /// and for forbidden pairs).
    pub fn pair_value(&self, x: u32, y: u32) -> u64 {
        self.pair_index
            .get(&ordered(x, y))
            .map_or(0, |&i| self.pairs[i as usize].value)
    }

    /// Whether `x` and `y` must never meet.
    pub fn is_forbidden(&self, x: u32, y: u32) -> bool {
        self.forbidden.contains(&ordered(x, y))
    }

    /// The longest run of consecutive busy slots in `busy` (bit per slot),
    /// runs ending at every break.
    pub fn longest_run(&self, busy: u128) -> u32 {
        let (mut run, mut best) = (0u32, 0u32);
        for t in 0..self.slot_count() {
            run = if busy >> t & 1 == 1 { run + 1 } else { 0 };
            best = best.max(run);
            if self.breaks >> t & 1 == 1 {
                run = 0;
            }
        }
        best
    }

    /// The pairs worth something or fixed, best first: the solver's work list.
    pub(crate) fn pairs(&self) -> &[Pair] {
        &self.pairs
    }

    /// The fixed meetings as (pair index, slot, spot).
    pub(crate) fn fixed(&self) -> &[(u32, usize, usize)] {
        &self.fixed
    }

    /// Each slot's total capacity over all spots.
    pub(crate) fn slot_capacity(&self) -> &[u32] {
        &self.slot_capacity
    }

    /// Bit `t`: a break follows slot `t`.
    pub(crate) fn breaks(&self) -> u128 {
        self.breaks
    }

    /// The index of a pair in [`Problem::pairs`], if it is there.
    pub(crate) fn pair_index(&self, x: u32, y: u32) -> Option<u32> {
        self.pair_index.get(&ordered(x, y)).copied()
    }
}

/// One meeting of the answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignment {
    /// One side.
    pub a: UserId,
    /// The other side.
    pub b: UserId,
    /// Its slot number.
    pub slot: usize,
    /// Its spot (index into the problem's spots).
    pub spot: usize,
    /// It was given as fixed and was not moved.
    pub fixed: bool,
    /// What it is worth.
    pub value: u64,
}

impl Assignment {
    /// The meeting as a fixed one, for the next run once it is published.
    pub fn as_fixed(&self) -> FixedMeeting {
        FixedMeeting {
            a: self.a,
            b: self.b,
            slot: self.slot,
            spot: self.spot,
        }
    }
}

/// Why a wish got no meeting, as far as the engine can tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Unscheduled {
    /// The pair must never meet (opt-out or block).
    Forbidden,
    /// The other side neither wished it back nor accepts being asked.
    NotAccepted,
    /// The two are never available in the same slot.
    NoCommonSlot,
    /// One side already has their maximum of meetings.
    AtMaximum,
    /// Every slot both had free was full, or taken by meetings the schedule
    /// valued more (or would have made too many in a row).
    NoRoom,
}

/// A wish that got no meeting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnmetWish {
    /// The wish.
    pub wish: Wish,
    /// Why.
    pub reason: Unscheduled,
}

/// How much of a spot the schedule uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpotUse {
    /// Meetings placed there over all slots.
    pub used: u32,
    /// Meetings it could hold over all slots.
    pub capacity: u32,
}

/// The scheduler's answer.
#[derive(Clone, Debug)]
pub struct Schedule {
    /// Every meeting, fixed ones included, by slot then spot.
    pub assignments: Vec<Assignment>,
    /// Wishes without a meeting, with the reason.
    pub unscheduled: Vec<UnmetWish>,
    /// The sum of the meetings' values.
    pub total_value: u64,
    /// No schedule of this problem is worth more ([`bound`]).
    pub upper_bound: u64,
    /// Per spot, in the problem's order.
    pub utilisation: Vec<SpotUse>,
}
