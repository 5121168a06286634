//! Builds the schedule: a greedy pass, then local search, both
//! deterministic (same problem and options, same schedule).
//!
//! # Greedy
//!
//! Fixed meetings are placed first and never touched again. Then every other
//! pair, best value first (ties: lower person indices first), goes to the
//! earliest slot where both are available and free, the slot has a free spot,
//! neither is at their maximum, and neither would have more than K meetings
//! in a row.
//!
//! # Local search
//!
//! Greedy misses when an early, cheaper meeting took the slot a better pair
//! needed. Each round walks the unplaced pairs, best first, and tries to
//! insert each one *with ejection*: for every slot both can be in, it works
//! out the meetings that stand in the way (either side's meeting in that
//! slot; if the slot is full, its cheapest meeting; if a side is at their
//! maximum, that side's cheapest meeting) and, if they are worth less than
//! the pair, tries the move: eject them, place the pair, then put each
//! ejected meeting back in the earliest slot still feasible for it (so a
//! blocking meeting simply *moves* when it can). The slot with the best net
//! gain wins; every accepted move strictly raises the total, so the search
//! ends. It stops after a round without gain, after `max_rounds`, or at the
//! optional time limit (the only thing that can make the answer depend on
//! the machine; leave it `None` for reproducible answers).
//!
//! Then a seeded perturbation phase (`kicks`): eject a random handful of
//! placed meetings, re-run the insertion round, and keep the result only if
//! the total went up; the seed makes it reproducible.

use super::{bound, Assignment, Problem, Schedule, SpotUse, UnmetWish, Unscheduled, Wish};
use rand::{rngs::StdRng, Rng, SeedableRng};
use std::time::{Duration, Instant};

/// "No meeting" in the per-person, per-slot table.
const NONE: u32 = u32::MAX;
/// "Not placed" as a pair's slot.
const UNPLACED: u16 = u16::MAX;

/// How hard the solver tries.
#[derive(Clone, Debug)]
pub struct SolveOptions {
    /// Seeds the perturbation phase: same seed, same schedule.
    pub seed: u64,
    /// The most local search rounds (each walks every unplaced pair once).
    pub max_rounds: u32,
    /// Perturbation attempts after the local search converged.
    pub kicks: u32,
    /// Stop improving after this long (the greedy schedule is always
    /// finished). `None`: stop on the round and kick counts only, which keeps
    /// the answer independent of the machine's speed.
    pub time_limit: Option<Duration>,
}

impl Default for SolveOptions {
    fn default() -> Self {
        SolveOptions {
            seed: 17,
            max_rounds: 30,
            kicks: 0,
            time_limit: None,
        }
    }
}

/// One change to the state, for undoing a trial move.
#[derive(Clone, Copy)]
enum Op {
    Added(u32),
    Removed(u32, u16),
}

/// The schedule being built: who is busy when, how full each slot is.
struct State<'p> {
    problem: &'p Problem,
    slots: usize,
    k: u32,
    breaks: u128,
    available: Vec<u128>,
    max: Vec<u32>,
    busy: Vec<u128>,
    count: Vec<u32>,
    /// `at[person * slots + t]`: the pair they meet in slot `t`, or [`NONE`].
    at: Vec<u32>,
    load: Vec<u32>,
    capacity: Vec<u32>,
    /// Bit `t`: slot `t` has a free spot.
    open: u128,
    /// Per pair: its slot, or [`UNPLACED`].
    slot_of: Vec<u16>,
    /// Per slot: the pairs meeting in it, and each pair's position there.
    by_slot: Vec<Vec<u32>>,
    pos: Vec<u32>,
    total: u64,
    /// Changes since the last [`State::mark`], while a trial runs.
    log: Vec<Op>,
}

impl<'p> State<'p> {
    fn new(problem: &'p Problem) -> Self {
        let people = &problem.input().people;
        let slots = problem.slot_count();
        let capacity = problem.slot_capacity().to_vec();
        let open = (0..slots)
            .filter(|&t| capacity[t] > 0)
            .fold(0u128, |o, t| o | 1 << t);
        let mut state = State {
            problem,
            slots,
            k: problem.input().max_in_a_row,
            breaks: problem.breaks(),
            available: people.iter().map(|p| p.available.0).collect(),
            max: people.iter().map(|p| p.max_meetings).collect(),
            busy: vec![0; people.len()],
            count: vec![0; people.len()],
            at: vec![NONE; people.len() * slots],
            load: vec![0; slots],
            capacity,
            open,
            slot_of: vec![UNPLACED; problem.pairs().len()],
            by_slot: vec![Vec::new(); slots],
            pos: vec![0; problem.pairs().len()],
            total: 0,
            log: Vec::new(),
        };
        for &(pair, slot, _) in problem.fixed() {
            state.add(pair, slot);
        }
        state.log.clear();
        state
    }

    fn ends(&self, pair: u32) -> (usize, usize) {
        let p = self.problem.pairs()[pair as usize];
        (p.a as usize, p.b as usize)
    }

    fn value(&self, pair: u32) -> u64 {
        self.problem.pairs()[pair as usize].value
    }

    fn is_fixed(&self, pair: u32) -> bool {
        self.problem.pairs()[pair as usize].fixed_slot.is_some()
    }

    /// Whether a person busy in `busy` can also meet in slot `t` without
    /// more than K meetings in a row.
    fn run_ok(&self, busy: u128, t: usize) -> bool {
        let mut run = 1;
        let mut i = t;
        while i > 0 && self.breaks >> (i - 1) & 1 == 0 && busy >> (i - 1) & 1 == 1 {
            run += 1;
            i -= 1;
        }
        let mut i = t;
        while i + 1 < self.slots && self.breaks >> i & 1 == 0 && busy >> (i + 1) & 1 == 1 {
            run += 1;
            i += 1;
        }
        run <= self.k
    }

    /// The slots where `pair` could meet now, without moving anything.
    fn feasible(&self, pair: u32) -> u128 {
        let (a, b) = self.ends(pair);
        if self.count[a] >= self.max[a] || self.count[b] >= self.max[b] {
            return 0;
        }
        let mut free =
            self.available[a] & self.available[b] & !self.busy[a] & !self.busy[b] & self.open;
        let mut ok = 0u128;
        while free != 0 {
            let t = free.trailing_zeros() as usize;
            free &= free - 1;
            if self.run_ok(self.busy[a], t) && self.run_ok(self.busy[b], t) {
                ok |= 1 << t;
            }
        }
        ok
    }

    fn add(&mut self, pair: u32, t: usize) {
        let (a, b) = self.ends(pair);
        for x in [a, b] {
            self.busy[x] |= 1 << t;
            self.count[x] += 1;
            self.at[x * self.slots + t] = pair;
        }
        self.load[t] += 1;
        if self.load[t] >= self.capacity[t] {
            self.open &= !(1 << t);
        }
        self.slot_of[pair as usize] = t as u16;
        self.pos[pair as usize] = self.by_slot[t].len() as u32;
        self.by_slot[t].push(pair);
        self.total += self.value(pair);
        self.log.push(Op::Added(pair));
    }

    fn remove(&mut self, pair: u32) {
        let t = self.slot_of[pair as usize] as usize;
        let (a, b) = self.ends(pair);
        for x in [a, b] {
            self.busy[x] &= !(1 << t);
            self.count[x] -= 1;
            self.at[x * self.slots + t] = NONE;
        }
        self.load[t] -= 1;
        self.open |= 1 << t;
        let i = self.pos[pair as usize] as usize;
        self.by_slot[t].swap_remove(i);
        if let Some(&moved) = self.by_slot[t].get(i) {
            self.pos[moved as usize] = i as u32;
        }
        self.slot_of[pair as usize] = UNPLACED;
        self.total -= self.value(pair);
        self.log.push(Op::Removed(pair, t as u16));
    }

    /// Undoes every change logged after the first `mark` entries.
    fn rollback_to(&mut self, mark: usize) {
        while self.log.len() > mark {
            let Some(op) = self.log.pop() else { break };
            match op {
                Op::Added(pair) => self.remove(pair),
                Op::Removed(pair, t) => self.add(pair, t as usize),
            }
            // Undoing logs the inverse change: drop it.
            self.log.pop();
        }
    }

    /// Places `pair` in its earliest feasible slot, if it has one.
    fn place_earliest(&mut self, pair: u32) -> bool {
        let f = self.feasible(pair);
        if f == 0 {
            return false;
        }
        self.add(pair, f.trailing_zeros() as usize);
        true
    }

    /// The cheapest movable meeting among `candidates`, not in `skip`.
    fn cheapest(&self, candidates: impl Iterator<Item = u32>, skip: &[u32]) -> Option<u32> {
        candidates
            .filter(|&m| !self.is_fixed(m) && !skip.contains(&m))
            .min_by_key(|&m| (self.value(m), m))
    }

    /// The meetings to eject so that `pair` fits in slot `t`, or `None` when
    /// a fixed meeting is in the way or K would still be broken.
    fn blockers(&self, pair: u32, t: usize) -> Option<Vec<u32>> {
        let (a, b) = self.ends(pair);
        let mut out = Vec::with_capacity(4);
        for x in [a, b] {
            let m = self.at[x * self.slots + t];
            if m != NONE {
                if self.is_fixed(m) {
                    return None;
                }
                out.push(m);
            }
        }
        if out.is_empty() && self.load[t] >= self.capacity[t] {
            out.push(self.cheapest(self.by_slot[t].iter().copied(), &[])?);
        }
        for x in [a, b] {
            let freed = out.iter().filter(|&&m| self.involves(m, x)).count() as u32;
            if self.count[x] - freed >= self.max[x] {
                let mine = (0..self.slots).map(|s| self.at[x * self.slots + s]);
                let m = self.cheapest(mine.filter(|&m| m != NONE), &out)?;
                out.push(m);
            }
        }
        for x in [a, b] {
            let mut busy = self.busy[x];
            for &m in &out {
                if self.involves(m, x) {
                    busy &= !(1 << self.slot_of[m as usize]);
                }
            }
            if !self.run_ok(busy, t) {
                return None;
            }
        }
        Some(out)
    }

    fn involves(&self, pair: u32, person: usize) -> bool {
        let (a, b) = self.ends(pair);
        a == person || b == person
    }

    /// Ejects `blockers`, places `pair` in `t`, re-places the ejected where
    /// they fit; returns the change of the total (positive = better).
    fn apply_move(&mut self, pair: u32, t: usize, blockers: &[u32]) -> i64 {
        let before = self.total as i64;
        for &m in blockers {
            self.remove(m);
        }
        self.add(pair, t);
        for &m in blockers {
            self.place_earliest(m);
        }
        self.total as i64 - before
    }

    /// Tries to get `pair` into the schedule, directly or with ejection.
    fn try_insert(&mut self, pair: u32) -> bool {
        if self.place_earliest(pair) {
            return true;
        }
        let (a, b) = self.ends(pair);
        let mut common = self.available[a] & self.available[b];
        let mut best: Option<(i64, usize, Vec<u32>)> = None;
        while common != 0 {
            let t = common.trailing_zeros() as usize;
            common &= common - 1;
            if self.capacity[t] == 0 {
                continue;
            }
            let Some(blockers) = self.blockers(pair, t) else {
                continue;
            };
            // Blockers worth more than the pair only pay if they move
            // elsewhere, which the trial finds out.
            let mark = self.log.len();
            let gain = self.apply_move(pair, t, &blockers);
            self.rollback_to(mark);
            if best.as_ref().is_none_or(|(g, _, _)| gain > *g) {
                best = Some((gain, t, blockers));
            }
        }
        match best {
            Some((gain, t, blockers)) if gain > 0 => {
                self.apply_move(pair, t, &blockers);
                true
            }
            _ => false,
        }
    }

    /// One local search round over the unplaced pairs, best first.
    fn round(&mut self, deadline: Option<Instant>) -> bool {
        let before = self.total;
        self.log.clear();
        self.sweep(deadline);
        self.log.clear();
        self.total > before
    }

    /// Tries to insert every unplaced pair, best first (changes logged).
    fn sweep(&mut self, deadline: Option<Instant>) {
        for pair in 0..self.problem.pairs().len() as u32 {
            if self.slot_of[pair as usize] != UNPLACED {
                continue;
            }
            self.try_insert(pair);
            if pair % 256 == 0 && deadline.is_some_and(|d| Instant::now() >= d) {
                break;
            }
        }
    }
}

/// Builds the schedule of `problem`.
pub fn schedule(problem: &Problem, options: &SolveOptions) -> Schedule {
    let deadline = options.time_limit.map(|d| Instant::now() + d);
    let mut state = State::new(problem);
    for pair in 0..problem.pairs().len() as u32 {
        if state.slot_of[pair as usize] == UNPLACED {
            state.place_earliest(pair);
        }
    }
    state.log.clear();
    let late = |d: Option<Instant>| d.is_some_and(|d| Instant::now() >= d);
    for _ in 0..options.max_rounds {
        if !state.round(deadline) || late(deadline) {
            break;
        }
    }
    let mut rng = StdRng::seed_from_u64(options.seed);
    for _ in 0..options.kicks {
        if late(deadline) {
            break;
        }
        kick(&mut state, &mut rng, deadline);
    }
    answer(problem, &state)
}

/// One perturbation: eject a few random movable meetings, refill, and keep
/// the result only if the total rose.
fn kick(state: &mut State, rng: &mut StdRng, deadline: Option<Instant>) {
    let before = state.total;
    let placed: Vec<u32> = (0..state.slot_of.len() as u32)
        .filter(|&p| state.slot_of[p as usize] != UNPLACED && !state.is_fixed(p))
        .collect();
    if placed.is_empty() {
        return;
    }
    state.log.clear();
    for _ in 0..placed.len().min(8) {
        let m = placed[rng.gen_range(0..placed.len())];
        if state.slot_of[m as usize] != UNPLACED {
            state.remove(m);
        }
    }
    state.sweep(deadline);
    if state.total <= before {
        state.rollback_to(0);
    }
    state.log.clear();
}

/// Turns the final state into the answer: spots, unmet wishes, figures.
fn answer(problem: &Problem, state: &State) -> Schedule {
    let input = problem.input();
    let id = |i: usize| input.people[i].id;
    // Fixed meetings keep their spot; the others take the first spot with
    // room in their slot, in pair order (stable, reproducible).
    let mut room: Vec<Vec<u32>> = input.spots.iter().map(|s| s.capacity.clone()).collect();
    let mut assignments = Vec::new();
    for &(pair, slot, spot) in problem.fixed() {
        room[spot][slot] -= 1;
        let (a, b) = state.ends(pair);
        assignments.push(Assignment {
            a: id(a),
            b: id(b),
            slot,
            spot,
            fixed: true,
            value: state.value(pair),
        });
    }
    for (t, pairs) in state.by_slot.iter().enumerate() {
        let mut pairs: Vec<u32> = pairs
            .iter()
            .copied()
            .filter(|&p| !state.is_fixed(p))
            .collect();
        pairs.sort_unstable();
        for pair in pairs {
            let Some(spot) = (0..room.len()).find(|&s| room[s][t] > 0) else {
                continue; // cannot happen: the slot's load never passes its capacity
            };
            room[spot][t] -= 1;
            let (a, b) = state.ends(pair);
            assignments.push(Assignment {
                a: id(a),
                b: id(b),
                slot: t,
                spot,
                fixed: false,
                value: state.value(pair),
            });
        }
    }
    assignments.sort_by_key(|m| (m.slot, m.spot, m.a, m.b));
    let utilisation = input
        .spots
        .iter()
        .zip(&room)
        .map(|(spot, left)| {
            let capacity: u32 = spot.capacity.iter().sum();
            SpotUse {
                used: capacity - left.iter().sum::<u32>(),
                capacity,
            }
        })
        .collect();
    Schedule {
        total_value: assignments.iter().map(|m| m.value).sum(),
        unscheduled: unmet(problem, state),
        assignments,
        upper_bound: bound::upper_bound(problem),
        utilisation,
    }
}

/// Every wish without a meeting, with the reason as far as it is known.
fn unmet(problem: &Problem, state: &State) -> Vec<UnmetWish> {
    let mut out = Vec::new();
    for wish in &problem.input().wishes {
        let (Some(x), Some(y)) = (
            problem.person_index(wish.from),
            problem.person_index(wish.to),
        ) else {
            continue;
        };
        let pair = problem.pair_index(x, y);
        if pair.is_some_and(|p| state.slot_of[p as usize] != UNPLACED) {
            continue;
        }
        let reason = reason(problem, state, x as usize, y as usize, pair.is_some());
        out.push(UnmetWish {
            wish: Wish { ..*wish },
            reason,
        });
    }
    out
}

fn reason(problem: &Problem, state: &State, x: usize, y: usize, candidate: bool) -> Unscheduled {
    if problem.is_forbidden(x as u32, y as u32) {
        Unscheduled::Forbidden
    } else if !candidate {
        Unscheduled::NotAccepted
    } else if state.available[x] & state.available[y] == 0 {
        Unscheduled::NoCommonSlot
    } else if state.count[x] >= state.max[x] || state.count[y] >= state.max[y] {
        Unscheduled::AtMaximum
    } else {
        Unscheduled::NoRoom
    }
}
