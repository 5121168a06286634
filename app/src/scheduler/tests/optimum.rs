//! How good and how stable the schedules are: the brute-force optimum on
//! tiny random events, the upper bound, the same seed giving the same
//! schedule, a re-run around published meetings, the flow's matching, and
//! the checker catching every broken rule.

use super::*;
use rand::{rngs::StdRng, Rng, SeedableRng};

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
