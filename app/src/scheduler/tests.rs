//! Tests of the scheduler: one per rule (each fails if the rule breaks), the
//! value rules, validation, the re-run, and a brute-force optimum on tiny
//! random instances. Every schedule goes through [`check::violations`].

use super::*;
use crate::domain::UserId;
use rand::{rngs::StdRng, Rng, SeedableRng};
use uuid::Uuid;

fn uid(n: u32) -> UserId {
    UserId(Uuid::from_u128(u128::from(n) + 1))
}

/// An event of `slots` slots (no breaks), one spot of capacity `capacity`,
/// people 0..n available everywhere, max 10, accepting requests, K = 10.
fn event(slots: usize, capacity: u32, n: u32) -> ProblemInput {
    ProblemInput {
        slots: vec![Slot { break_after: false }; slots],
        spots: vec![Spot::uniform("Table 1", capacity, slots)],
        people: (0..n)
            .map(|i| Person {
                id: uid(i),
                available: SlotSet::all(slots),
                max_meetings: 10,
                accepts_requests: true,
            })
            .collect(),
        max_in_a_row: 10,
        ..ProblemInput::default()
    }
}

fn wish(input: &mut ProblemInput, from: u32, to: u32, priority: Priority) {
    input.wishes.push(Wish {
        from: uid(from),
        to: uid(to),
        priority,
    });
}

/// Solves with default options and checks every rule.
fn solve(input: ProblemInput) -> (Problem, Schedule) {
    let problem = Problem::parse(input).expect("valid problem");
    let schedule = schedule(&problem, &SolveOptions::default());
    let v = check::violations(&problem, &schedule);
    assert!(v.is_empty(), "rules broken: {v:?}");
    (problem, schedule)
}

fn meets(s: &Schedule, x: u32, y: u32) -> Option<&Assignment> {
    s.assignments
        .iter()
        .find(|m| (m.a, m.b) == (uid(x), uid(y)) || (m.a, m.b) == (uid(y), uid(x)))
}

fn meetings_of(s: &Schedule, x: u32) -> usize {
    s.assignments
        .iter()
        .filter(|m| m.a == uid(x) || m.b == uid(x))
        .count()
}

fn reason_of(s: &Schedule, from: u32, to: u32) -> Option<Unscheduled> {
    s.unscheduled
        .iter()
        .find(|u| u.wish.from == uid(from) && u.wish.to == uid(to))
        .map(|u| u.reason)
}

#[test]
fn one_meeting_per_person_per_slot() {
    let mut input = event(1, 10, 3);
    wish(&mut input, 0, 1, Priority::Must);
    wish(&mut input, 0, 2, Priority::WouldLike);
    let (_, s) = solve(input);
    assert_eq!(s.assignments.len(), 1);
    assert!(meets(&s, 0, 1).is_some(), "the must wins");
    assert_eq!(reason_of(&s, 0, 2), Some(Unscheduled::NoRoom));
}

#[test]
fn meetings_only_when_both_are_available() {
    let mut input = event(4, 10, 4);
    input.people[0].available = SlotSet::of([2]);
    input.people[1].available = SlotSet::of([1, 2, 3]);
    input.people[3].available = SlotSet::of([0, 1]);
    wish(&mut input, 0, 1, Priority::Must);
    wish(&mut input, 0, 3, Priority::Must);
    let (_, s) = solve(input);
    assert_eq!(meets(&s, 0, 1).map(|m| m.slot), Some(2));
    assert!(meets(&s, 0, 3).is_none());
    assert_eq!(reason_of(&s, 0, 3), Some(Unscheduled::NoCommonSlot));
}

#[test]
fn spots_hold_no_more_than_their_capacity() {
    let mut input = event(2, 1, 8);
    // A second spot open only in slot 1, holding two.
    input.spots.push(Spot {
        name: "Room B".into(),
        capacity: vec![0, 2],
    });
    for i in 0..4 {
        wish(&mut input, 2 * i, 2 * i + 1, Priority::Must);
    }
    let (_, s) = solve(input);
    // Slot 0: one table; slot 1: one table + two in room B.
    assert_eq!(s.assignments.len(), 4);
    assert_eq!(s.assignments.iter().filter(|m| m.slot == 0).count(), 1);
    assert!(s.assignments.iter().all(|m| m.spot == 0 || m.slot == 1));
    assert_eq!(
        s.utilisation[0],
        SpotUse {
            used: 2,
            capacity: 2
        }
    );
    assert_eq!(
        s.utilisation[1],
        SpotUse {
            used: 2,
            capacity: 2
        }
    );
}

#[test]
fn a_pair_meets_at_most_once() {
    let mut input = event(5, 10, 2);
    wish(&mut input, 0, 1, Priority::Must);
    wish(&mut input, 1, 0, Priority::Must);
    let (_, s) = solve(input);
    assert_eq!(s.assignments.len(), 1);
}

#[test]
fn nobody_gets_more_than_their_maximum() {
    let mut input = event(6, 10, 6);
    input.people[0].max_meetings = 2;
    for j in 1..6 {
        wish(&mut input, j, 0, Priority::Must);
    }
    let (_, s) = solve(input);
    assert_eq!(meetings_of(&s, 0), 2);
    assert_eq!(reason_of(&s, 5, 0), Some(Unscheduled::AtMaximum));
}

#[test]
fn at_most_k_in_a_row_and_breaks_reset_the_run() {
    // Four slots, K = 2: without a break the best is 1101 (3 meetings)...
    let mut input = event(4, 10, 5);
    input.max_in_a_row = 2;
    for j in 1..5 {
        wish(&mut input, 0, j, Priority::Must);
    }
    let (_, s) = solve(input.clone());
    assert_eq!(meetings_of(&s, 0), 3);
    // ...and with a break after slot 1 all four fit (11|11).
    input.slots[1].break_after = true;
    let (_, s) = solve(input);
    assert_eq!(meetings_of(&s, 0), 4);
}

#[test]
fn forbidden_pairs_never_meet_even_when_both_must() {
    let mut input = event(3, 10, 3);
    wish(&mut input, 0, 1, Priority::Must);
    wish(&mut input, 1, 0, Priority::Must);
    wish(&mut input, 0, 2, Priority::IfPossible);
    input.scores.push((uid(0), uid(1), 1.0));
    input.forbidden.push((uid(1), uid(0)));
    let (problem, s) = solve(input);
    assert!(meets(&s, 0, 1).is_none());
    assert!(meets(&s, 0, 2).is_some(), "the rest is still scheduled");
    assert_eq!(problem.pair_value(0, 1), 0);
    assert_eq!(reason_of(&s, 0, 1), Some(Unscheduled::Forbidden));
    assert_eq!(reason_of(&s, 1, 0), Some(Unscheduled::Forbidden));
}

#[test]
fn one_sided_wishes_need_the_other_to_accept_being_asked() {
    let mut input = event(3, 10, 3);
    input.people[1].accepts_requests = false;
    wish(&mut input, 0, 1, Priority::Must);
    wish(&mut input, 0, 2, Priority::Must);
    let (_, s) = solve(input.clone());
    assert!(meets(&s, 0, 1).is_none());
    assert_eq!(reason_of(&s, 0, 1), Some(Unscheduled::NotAccepted));
    assert!(meets(&s, 0, 2).is_some());
    // Wishing back counts even without accepting requests.
    wish(&mut input, 1, 0, Priority::IfPossible);
    let (_, s) = solve(input);
    assert!(meets(&s, 0, 1).is_some());
}

#[test]
fn values_follow_priorities_mutuality_and_score() {
    use value::pair_value;
    let (must, like, maybe) = (Priority::Must, Priority::WouldLike, Priority::IfPossible);
    assert_eq!(pair_value(Some(must), None, true, true, 0.0), 1000);
    assert_eq!(pair_value(Some(must), None, true, false, 0.0), 0);
    assert_eq!(pair_value(Some(must), Some(must), false, false, 0.0), 3000);
    assert_eq!(pair_value(Some(like), Some(maybe), true, true, 0.0), 900);
    assert!(
        pair_value(Some(maybe), Some(maybe), true, true, 0.0)
            > pair_value(Some(like), None, true, true, 1.0)
    );
    assert_eq!(pair_value(Some(maybe), None, true, true, 1.0), 299);
    assert_eq!(pair_value(None, None, true, true, 1.0), 0);
    // The score breaks ties only: less than one wish point.
    assert!(
        pair_value(Some(like), None, true, true, 1.0)
            < pair_value(Some(like), None, true, true, 0.0) + value::POINT
    );
}

#[test]
fn fixed_meetings_stay_put_and_count_toward_limits() {
    let mut input = event(3, 1, 4);
    input.spots.push(Spot::uniform("Room B", 1, 3));
    input.people[0].max_meetings = 2;
    input.fixed.push(FixedMeeting {
        a: uid(0),
        b: uid(1),
        slot: 0,
        spot: 1,
    });
    wish(&mut input, 0, 1, Priority::Must);
    wish(&mut input, 0, 2, Priority::Must);
    wish(&mut input, 0, 3, Priority::WouldLike);
    let (_, s) = solve(input);
    let fixed = meets(&s, 0, 1).expect("kept");
    assert_eq!((fixed.slot, fixed.spot, fixed.fixed), (0, 1, true));
    assert_eq!(
        meetings_of(&s, 0),
        2,
        "the fixed meeting counts toward the maximum"
    );
    assert!(meets(&s, 0, 2).is_some());
    assert_eq!(s.assignments.len(), 2);
}

#[test]
fn a_blocking_meeting_moves_to_make_room() {
    // Greedy puts the better pair (0,1) in slot 0, the only slot 2 has;
    // local search must move it to slot 1 and fit (0,2) in slot 0.
    let mut input = event(2, 10, 3);
    input.people[2].available = SlotSet::of([0]);
    wish(&mut input, 0, 1, Priority::Must);
    wish(&mut input, 1, 0, Priority::Must);
    wish(&mut input, 0, 2, Priority::Must);
    let (_, s) = solve(input);
    assert_eq!(meets(&s, 0, 1).map(|m| m.slot), Some(1));
    assert_eq!(meets(&s, 0, 2).map(|m| m.slot), Some(0));
}

#[test]
fn bad_input_is_rejected() {
    let base = event(2, 1, 3);
    let bad = |f: &dyn Fn(&mut ProblemInput)| {
        let mut input = base.clone();
        f(&mut input);
        Problem::parse(input).expect_err("must be rejected")
    };
    assert!(matches!(
        bad(&|i| wish(i, 0, 9, Priority::Must)),
        ProblemError::UnknownPerson(_)
    ));
    assert!(matches!(
        bad(&|i| wish(i, 1, 1, Priority::Must)),
        ProblemError::SelfPair(_)
    ));
    assert!(matches!(
        bad(&|i| {
            wish(i, 0, 1, Priority::Must);
            wish(i, 0, 1, Priority::IfPossible);
        }),
        ProblemError::DuplicateWish(..)
    ));
    assert!(matches!(
        bad(&|i| i.spots[0].capacity = vec![0, 0]),
        ProblemError::ZeroCapacity(0)
    ));
    assert!(matches!(
        bad(&|i| i.spots[0].capacity = vec![1]),
        ProblemError::CapacityLength(..)
    ));
    assert!(matches!(
        bad(&|i| i.people[2].id = uid(0)),
        ProblemError::DuplicatePerson(_)
    ));
    assert!(matches!(
        bad(&|i| i.people[0].available = SlotSet::of([5])),
        ProblemError::UnknownSlot(_)
    ));
    assert!(matches!(
        bad(&|i| i.max_in_a_row = 0),
        ProblemError::ZeroInARow
    ));
    assert!(matches!(
        bad(&|i| i.slots.clear()),
        ProblemError::SlotCount(0)
    ));
    assert!(matches!(
        bad(&|i| i.scores.push((uid(0), uid(1), 1.5))),
        ProblemError::BadScore(..)
    ));
    assert!(matches!(
        bad(&|i| i.forbidden.push((uid(0), uid(7)))),
        ProblemError::UnknownPerson(_)
    ));
    let fixed = |a, b, slot, spot| FixedMeeting {
        a: uid(a),
        b: uid(b),
        slot,
        spot,
    };
    /// A change to the base event that makes the fixed meetings break a rule.
    type Tweak = fn(&mut ProblemInput);
    let cases: [(&str, Vec<FixedMeeting>, Tweak); 6] = [
        ("unavailable", vec![fixed(0, 1, 0, 0)], |i| {
            i.people[1].available = SlotSet::of([1])
        }),
        (
            "double-booked",
            vec![fixed(0, 1, 0, 0), fixed(0, 2, 0, 0)],
            |i| i.spots[0].capacity = vec![2, 2],
        ),
        (
            "spot full",
            vec![fixed(0, 1, 0, 0), fixed(2, 1, 1, 0), fixed(0, 2, 1, 0)],
            |_| {},
        ),
        ("forbidden", vec![fixed(0, 1, 0, 0)], |i| {
            i.forbidden.push((uid(0), uid(1)))
        }),
        ("twice", vec![fixed(0, 1, 0, 0), fixed(1, 0, 1, 0)], |_| {}),
        (
            "over maximum",
            vec![fixed(0, 1, 0, 0), fixed(0, 2, 1, 0)],
            |i| i.people[0].max_meetings = 1,
        ),
    ];
    for (name, meetings, tweak) in cases {
        let mut input = base.clone();
        input.fixed = meetings;
        tweak(&mut input);
        assert!(
            matches!(Problem::parse(input), Err(ProblemError::BadFixed(..))),
            "{name} accepted"
        );
    }
    let mut input = base.clone();
    input.max_in_a_row = 1;
    input.fixed = vec![fixed(0, 1, 0, 0), fixed(0, 2, 1, 0)];
    assert!(
        matches!(Problem::parse(input), Err(ProblemError::BadFixed(..))),
        "K broken"
    );
}

/// A random event: `n` people, a few slots with a break, random
/// availability, capacities, maxima, K, wishes, scores and forbidden pairs.
fn random_event(rng: &mut StdRng, n: u32, slots: usize, wishes: usize) -> ProblemInput {
    let mut input = event(slots, rng.gen_range(1..=2), n);
    input.max_in_a_row = rng.gen_range(1..=3);
    if slots > 2 && rng.gen_bool(0.5) {
        input.slots[rng.gen_range(0..slots - 1)].break_after = true;
    }
    for p in &mut input.people {
        p.available =
            SlotSet((rng.gen::<u128>() & SlotSet::all(slots).0) | 1 << rng.gen_range(0..slots));
        p.max_meetings = rng.gen_range(1..=3);
        p.accepts_requests = rng.gen_bool(0.7);
    }
    let priorities = [Priority::Must, Priority::WouldLike, Priority::IfPossible];
    let mut seen = HashSet::new();
    for _ in 0..wishes {
        let (x, y) = (rng.gen_range(0..n), rng.gen_range(0..n));
        if x != y && seen.insert((x, y)) {
            wish(&mut input, x, y, priorities[rng.gen_range(0..3)]);
            if rng.gen_bool(0.5) {
                input
                    .scores
                    .retain(|s| s.0 != uid(x.min(y)) || s.1 != uid(x.max(y)));
                input.scores.push((uid(x.min(y)), uid(x.max(y)), rng.gen()));
            }
        }
    }
    if rng.gen_bool(0.3) {
        input.forbidden.push((uid(0), uid(1)));
    }
    input
}

/// The best schedule value by exhaustive search: each candidate pair is
/// either not met or met in one slot; the rules are checked here on their
/// own (per-slot total capacity stands for the spots, which are all alike
/// to people).
fn brute_force(problem: &Problem) -> u64 {
    struct Search<'a> {
        problem: &'a Problem,
        pairs: Vec<(usize, usize, u64)>,
        busy: Vec<u128>,
        load: Vec<u32>,
        best: u64,
    }
    impl Search<'_> {
        fn ok(&self, x: usize) -> bool {
            let p = &self.problem.input().people[x];
            self.busy[x].count_ones() <= p.max_meetings
                && self.problem.longest_run(self.busy[x]) <= self.problem.input().max_in_a_row
        }
        fn go(&mut self, i: usize, value: u64, rest: u64) {
            if value + rest <= self.best {
                return;
            }
            self.best = self.best.max(value);
            if i == self.pairs.len() {
                return;
            }
            let (a, b, v) = self.pairs[i];
            let people = &self.problem.input().people;
            for t in 0..self.problem.slot_count() {
                let bit = 1u128 << t;
                if people[a].available.0 & people[b].available.0 & bit == 0
                    || (self.busy[a] | self.busy[b]) & bit != 0
                    || self.load[t] >= self.problem.slot_capacity()[t]
                {
                    continue;
                }
                self.busy[a] |= bit;
                self.busy[b] |= bit;
                self.load[t] += 1;
                if self.ok(a) && self.ok(b) {
                    self.go(i + 1, value + v, rest - v);
                }
                self.busy[a] &= !bit;
                self.busy[b] &= !bit;
                self.load[t] -= 1;
            }
            self.go(i + 1, value, rest - v);
        }
    }
    let pairs: Vec<_> = problem
        .pairs()
        .iter()
        .filter(|p| p.value > 0)
        .map(|p| (p.a as usize, p.b as usize, p.value))
        .collect();
    let rest = pairs.iter().map(|p| p.2).sum();
    let mut search = Search {
        problem,
        pairs,
        busy: vec![0; problem.person_count()],
        load: vec![0; problem.slot_count()],
        best: 0,
    };
    search.go(0, 0, rest);
    search.best
}

#[test]
fn tiny_random_events_reach_the_brute_force_optimum_within_the_bound() {
    let mut rng = StdRng::seed_from_u64(2026);
    let (mut exact, mut sum_found, mut sum_best) = (0, 0u64, 0u64);
    let runs = 300;
    for run in 0..runs {
        let n = rng.gen_range(3..=6);
        let slots = rng.gen_range(2..=4);
        let wishes = rng.gen_range(2..=10);
        let input = random_event(&mut rng, n, slots, wishes);
        let (problem, s) = solve(input);
        let best = brute_force(&problem);
        assert!(s.total_value <= best, "run {run}: better than the optimum?");
        assert!(
            best <= s.upper_bound,
            "run {run}: bound {} below optimum {best}",
            s.upper_bound
        );
        exact += usize::from(s.total_value == best);
        sum_found += s.total_value;
        sum_best += best;
    }
    assert!(
        exact * 100 >= runs * 90,
        "optimal on only {exact} of {runs}"
    );
    assert!(
        sum_found * 100 >= sum_best * 99,
        "{sum_found} of {sum_best}"
    );
}

#[test]
fn the_bound_counts_a_popular_person_only_up_to_their_maximum() {
    // Five people want 0, who can meet only two: the bound is the two best
    // pairs, not half of every pair.
    let mut input = event(4, 10, 6);
    input.people[0].max_meetings = 2;
    for j in 1..6 {
        wish(&mut input, j, 0, Priority::Must);
        input.scores.push((uid(0), uid(j), f64::from(j) / 10.0));
    }
    let (_, s) = solve(input);
    assert_eq!(s.total_value, 1050 + 1040);
    assert_eq!(s.upper_bound, s.total_value);
}

#[test]
fn the_same_seed_gives_the_same_schedule() {
    let mut rng = StdRng::seed_from_u64(7);
    let input = random_event(&mut rng, 30, 6, 120);
    let problem = Problem::parse(input).unwrap();
    let options = SolveOptions {
        kicks: 20,
        ..SolveOptions::default()
    };
    let one = schedule(&problem, &options);
    let two = schedule(&problem, &options);
    assert_eq!(one.assignments, two.assignments);
    assert!(check::violations(&problem, &one).is_empty());
}

#[test]
fn a_rerun_keeps_published_meetings_and_fills_the_gaps() {
    let mut rng = StdRng::seed_from_u64(11);
    let mut input = random_event(&mut rng, 40, 6, 200);
    input.spots.push(Spot::uniform("Room B", 2, 6));
    let (_, first) = solve(input.clone());
    assert!(first.assignments.len() > 10);
    // Publish everything; then a tenth of the people change their wishes
    // and one published meeting is declined (removed by the service).
    let published: Vec<FixedMeeting> = first.assignments[1..]
        .iter()
        .map(Assignment::as_fixed)
        .collect();
    input.fixed = published.clone();
    let changed: Vec<UserId> = (0..4).map(|i| uid(i * 10)).collect();
    input.wishes.retain(|w| !changed.contains(&w.from));
    for &from in &changed {
        for _ in 0..5 {
            let to = uid(rng.gen_range(0..40));
            if to != from && !input.wishes.iter().any(|w| w.from == from && w.to == to) {
                input.wishes.push(Wish {
                    from,
                    to,
                    priority: Priority::Must,
                });
            }
        }
    }
    let (_, second) = solve(input);
    for f in &published {
        assert!(
            second
                .assignments
                .iter()
                .any(|m| m.a.min(m.b) == f.a.min(f.b)
                    && m.a.max(m.b) == f.a.max(f.b)
                    && (m.slot, m.spot, m.fixed) == (f.slot, f.spot, true)),
            "published meeting moved"
        );
    }
    assert!(
        second.assignments.len() > published.len(),
        "the gaps are filled"
    );
}

#[test]
fn the_flow_finds_the_best_double_cover_matching() {
    // Exhaustive check of the min-cost flow on small graphs: every subset
    // of the double cover's arcs within the copies' capacities and the
    // total, against what the flow returns.
    let mut rng = StdRng::seed_from_u64(5);
    for _ in 0..200 {
        let n = rng.gen_range(2..=5);
        let limit: Vec<u32> = (0..n).map(|_| rng.gen_range(0..=2)).collect();
        let mut pairs = Vec::new();
        for a in 0..n {
            for b in a + 1..n {
                if rng.gen_bool(0.6) && pairs.len() < 6 {
                    pairs.push((a, b, rng.gen_range(1..=50i64)));
                }
            }
        }
        let max_flow = rng.gen_range(0..=8);
        let arcs: Vec<(usize, usize, i64)> = pairs
            .iter()
            .flat_map(|&(a, b, v)| [(a, b, v), (b, a, v)])
            .collect();
        let mut best = 0;
        for mask in 0u32..1 << arcs.len() {
            let (mut left, mut right) = (vec![0u32; n], vec![0u32; n]);
            let mut value = 0;
            for (i, &(from, to, v)) in arcs.iter().enumerate() {
                if mask >> i & 1 == 1 {
                    left[from] += 1;
                    right[to] += 1;
                    value += v;
                }
            }
            if mask.count_ones() as i64 <= max_flow
                && (0..n).all(|x| left[x] <= limit[x] && right[x] <= limit[x])
            {
                best = best.max(value);
            }
        }
        assert_eq!(
            bound::max_value_flow(&limit, &pairs, max_flow),
            best,
            "{limit:?} {pairs:?} {max_flow}"
        );
    }
}

#[test]
fn the_checker_catches_every_broken_rule() {
    // Five people, three slots, one table; 0 is available in slots 0-1 only,
    // 3 may have one meeting, K = 2, 1 and 2 must never meet, and (0, 1) is
    // published in slot 0.
    let mut input = event(3, 1, 5);
    input.max_in_a_row = 2;
    input.people[0].available = SlotSet::of([0, 1]);
    input.people[3].max_meetings = 1;
    input.forbidden.push((uid(1), uid(2)));
    input.fixed.push(FixedMeeting {
        a: uid(0),
        b: uid(1),
        slot: 0,
        spot: 0,
    });
    for (x, y) in [(0, 1), (0, 2), (1, 2), (1, 3), (2, 3), (1, 4)] {
        wish(&mut input, x, y, Priority::Must);
    }
    let problem = Problem::parse(input).unwrap();
    let good = schedule(&problem, &SolveOptions::default());
    assert!(check::violations(&problem, &good).is_empty());
    let meeting = |x, y, slot| Assignment {
        a: uid(x),
        b: uid(y),
        slot,
        spot: 0,
        fixed: false,
        value: problem.pair_value(x, y),
    };
    let fixed01 = Assignment {
        fixed: true,
        ..meeting(0, 1, 0)
    };
    let broken: [(&str, Vec<Assignment>); 8] = [
        ("unavailable", vec![fixed01.clone(), meeting(0, 2, 2)]),
        ("two in a slot", vec![fixed01.clone(), meeting(1, 3, 0)]),
        ("spot full", vec![fixed01.clone(), meeting(2, 3, 0)]),
        ("twice", vec![fixed01.clone(), meeting(1, 0, 1)]),
        ("forbidden", vec![fixed01.clone(), meeting(1, 2, 1)]),
        (
            "maximum",
            vec![fixed01.clone(), meeting(1, 3, 1), meeting(2, 3, 2)],
        ),
        (
            "in a row",
            vec![fixed01.clone(), meeting(1, 3, 1), meeting(1, 4, 2)],
        ),
        (
            "fixed moved",
            vec![Assignment {
                slot: 1,
                ..fixed01.clone()
            }],
        ),
    ];
    // Only the rule under test may be broken: the figures are made to fit.
    let as_schedule = |assignments: Vec<Assignment>| Schedule {
        total_value: assignments.iter().map(|m| m.value).sum(),
        utilisation: vec![SpotUse {
            used: assignments.len() as u32,
            capacity: 3,
        }],
        assignments,
        upper_bound: u64::MAX,
        unscheduled: Vec::new(),
    };
    let fine = as_schedule(vec![fixed01.clone(), meeting(0, 2, 1), meeting(1, 3, 2)]);
    assert_eq!(check::violations(&problem, &fine), Vec::<String>::new());
    for (rule, assignments) in broken {
        let v = check::violations(&problem, &as_schedule(assignments));
        assert!(!v.is_empty(), "{rule}: not caught");
    }
}
