//! The meeting scheduler (issue 17) on synthetic events: how long building
//! the whole schedule takes, and how good it is against the upper bound.
//!
//! The event (seeded): 16 slots over two days (a break after the eighth slot, the
//! end of the first day), spots of capacity 1 — 150 of them for 2,000
//! attendees, scaled with the attendees (750 for 10,000) so there are as
//! many spots per attendee; each attendee available in each slot with
//! probability 0.8, a maximum of 12 meetings, K = 4 in a row, 70 % accept
//! being asked; 10 distinct wishes each, the people wished for drawn with
//! Zipf popularity (weight 1/rank over a random ranking of attendees),
//! priorities 20 % must, 40 % would like, 40 % if possible; a random match
//! score per wished pair; 1 % of attendees block someone they wished for.
//!
//! Criterion times `schedule` (which includes computing the bound) at 2,000
//! and 10,000 attendees (flat sampling, 10 samples). Outside Criterion the bench prints, per size, the value, the
//! bound, their ratio and the time of one run, and then the re-run: every
//! meeting of the first schedule published (fixed), 5 % of attendees
//! replace their wishes, the schedule is built again and checked to keep
//! every published meeting where it was.
//!
//! Run: `cargo bench -p app --features ssr --bench scheduler`
//! (`SCHEDULER_BENCH_SIZES=2000` to skip 10,000).

use app::{
    domain::UserId,
    scheduler::{
        bound, check, schedule, Assignment, Person, Priority, Problem, ProblemInput, Slot, SlotSet,
        SolveOptions, Spot, Wish,
    },
};
use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use rand::{rngs::StdRng, seq::SliceRandom, Rng, SeedableRng};
use std::{collections::HashSet, hint::black_box, time::Duration, time::Instant};
use uuid::Uuid;

const SLOTS: usize = 16;
const WISHES: usize = 10;

/// Zipf sampling over a random ranking of the attendees.
struct Popularity {
    ranked: Vec<u32>,
    cumulative: Vec<f64>,
}

impl Popularity {
    fn new(n: usize, rng: &mut StdRng) -> Self {
        let mut ranked: Vec<u32> = (0..n as u32).collect();
        ranked.shuffle(rng);
        let mut total = 0.0;
        let cumulative = (1..=n)
            .map(|rank| {
                total += 1.0 / rank as f64;
                total
            })
            .collect();
        Popularity { ranked, cumulative }
    }

    fn draw(&self, rng: &mut StdRng) -> u32 {
        let x = rng.gen::<f64>() * self.cumulative[self.cumulative.len() - 1];
        let rank = self.cumulative.partition_point(|&c| c < x);
        self.ranked[rank.min(self.ranked.len() - 1)]
    }
}

fn uid(i: u32) -> UserId {
    UserId(Uuid::from_u128(u128::from(i) + 1))
}

/// `from`'s ten wishes.
fn wishes_of(from: u32, popularity: &Popularity, rng: &mut StdRng) -> Vec<Wish> {
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(WISHES);
    while out.len() < WISHES {
        let to = popularity.draw(rng);
        if to == from || !seen.insert(to) {
            continue;
        }
        let roll = rng.gen_range(0..10);
        let priority = match roll {
            0..=1 => Priority::Must,
            2..=5 => Priority::WouldLike,
            _ => Priority::IfPossible,
        };
        out.push(Wish {
            from: uid(from),
            to: uid(to),
            priority,
        });
    }
    out
}

fn event(n: usize, capacity: u32, seed: u64) -> (ProblemInput, Popularity, StdRng) {
    let mut rng = StdRng::seed_from_u64(seed);
    let popularity = Popularity::new(n, &mut rng);
    let spots = n * 150 / 2000;
    let mut slots = vec![Slot { break_after: false }; SLOTS];
    slots[SLOTS / 2 - 1].break_after = true;
    slots[SLOTS - 1].break_after = true;
    let people = (0..n as u32)
        .map(|i| Person {
            id: uid(i),
            available: SlotSet::of((0..SLOTS).filter(|_| rng.gen_bool(0.8))),
            max_meetings: 12,
            accepts_requests: rng.gen_bool(0.7),
        })
        .collect();
    let mut wishes = Vec::with_capacity(n * WISHES);
    for i in 0..n as u32 {
        wishes.extend(wishes_of(i, &popularity, &mut rng));
    }
    let mut scored = HashSet::new();
    let mut scores = Vec::new();
    for w in &wishes {
        let key = (w.from.min(w.to), w.from.max(w.to));
        if scored.insert(key) {
            scores.push((key.0, key.1, rng.gen::<f64>()));
        }
    }
    let forbidden = (0..n / 100)
        .map(|_| {
            let w = wishes[rng.gen_range(0..wishes.len())];
            (w.from, w.to)
        })
        .collect();
    let input = ProblemInput {
        slots,
        spots: (0..spots)
            .map(|i| Spot::uniform(format!("Table {i}"), capacity, SLOTS))
            .collect(),
        people,
        wishes,
        forbidden,
        scores,
        fixed: Vec::new(),
        max_in_a_row: 4,
    };
    (input, popularity, rng)
}

fn options() -> SolveOptions {
    SolveOptions::default()
}

/// One run at `n` attendees with spots of `capacity`, with the figures
/// printed, then the re-run.
fn report(n: usize, capacity: u32) {
    let (mut input, popularity, mut rng) = event(n, capacity, 17);
    let started = Instant::now();
    let problem = Problem::parse(input.clone()).expect("valid event");
    let parsed = started.elapsed();
    let started = Instant::now();
    let bound_value = bound::upper_bound(&problem);
    let bound_time = started.elapsed();
    let started = Instant::now();
    let first = schedule(&problem, &options());
    let solve_time = started.elapsed();
    assert!(check::violations(&problem, &first).is_empty());
    assert_eq!(first.upper_bound, bound_value);
    let greedy = schedule(
        &problem,
        &SolveOptions {
            max_rounds: 0,
            ..options()
        },
    );
    println!(
        "scheduler n={n} capacity {capacity}: greedy alone (no local search) {} = {:.2} % of the bound",
        greedy.total_value,
        100.0 * greedy.total_value as f64 / greedy.upper_bound as f64,
    );
    println!(
        "scheduler n={n} capacity {capacity}: {} wishes, {} meetings, value {} / bound {} = {:.2} %; \
         parse {:.2} s, schedule (bound included) {:.2} s, bound alone {:.2} s",
        input.wishes.len(),
        first.assignments.len(),
        first.total_value,
        first.upper_bound,
        100.0 * first.total_value as f64 / first.upper_bound as f64,
        parsed.as_secs_f64(),
        solve_time.as_secs_f64(),
        bound_time.as_secs_f64(),
    );

    // Re-run: everything published, 5 % of the meetings declined (the
    // service removes them), 5 % of attendees change their wishes.
    let declined = first.assignments.len() / 20;
    let mut published = first.assignments.clone();
    published.shuffle(&mut rng);
    input.fixed = published[declined..]
        .iter()
        .map(Assignment::as_fixed)
        .collect();
    let mut changed: Vec<u32> = (0..n as u32).collect();
    changed.shuffle(&mut rng);
    changed.truncate(n / 20);
    let changed_ids: HashSet<UserId> = changed.iter().map(|&i| uid(i)).collect();
    input.wishes.retain(|w| !changed_ids.contains(&w.from));
    for &i in &changed {
        input.wishes.extend(wishes_of(i, &popularity, &mut rng));
    }
    let mut scored: HashSet<(UserId, UserId)> = input.scores.iter().map(|s| (s.0, s.1)).collect();
    for w in &input.wishes {
        let key = (w.from.min(w.to), w.from.max(w.to));
        if scored.insert(key) {
            input.scores.push((key.0, key.1, rng.gen::<f64>()));
        }
    }
    let problem = Problem::parse(input.clone()).expect("published meetings are valid");
    let started = Instant::now();
    let second = schedule(&problem, &options());
    let rerun_time = started.elapsed();
    let violations = check::violations(&problem, &second);
    let kept = input
        .fixed
        .iter()
        .filter(|f| {
            second.assignments.iter().any(|m| {
                (m.a, m.b) == (f.a, f.b) && (m.slot, m.spot) == (f.slot, f.spot) && m.fixed
            })
        })
        .count();
    println!(
        "scheduler n={n} capacity {capacity} re-run: {} published, {declined} declined, \
         {kept} kept in place, {} violations; {} meetings, value {} / bound {} = {:.2} %; {:.2} s",
        input.fixed.len(),
        violations.len(),
        second.assignments.len(),
        second.total_value,
        second.upper_bound,
        100.0 * second.total_value as f64 / second.upper_bound as f64,
        rerun_time.as_secs_f64(),
    );
    assert_eq!(kept, input.fixed.len(), "a published meeting moved");
    assert!(violations.is_empty(), "{violations:?}");
}

fn sizes() -> Vec<usize> {
    std::env::var("SCHEDULER_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![2_000, 10_000])
}

fn scheduler(c: &mut Criterion) {
    for n in sizes() {
        report(n, 1);
    }
    // A roomier variant: four meetings per spot at once, so people's
    // limits (maximum, availability, K) bind rather than the spots.
    report(2_000, 4);
    time_schedule(c, 2_000, 20);
    if sizes().contains(&10_000) {
        time_schedule(c, 10_000, 60);
    }
}

/// Criterion's timing of `schedule` at `n` attendees (spots of capacity 1).
fn time_schedule(c: &mut Criterion, n: usize, seconds: u64) {
    let (input, _, _) = event(n, 1, 17);
    let problem = Problem::parse(input).expect("valid event");
    let mut group = c.benchmark_group("scheduler");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(seconds));
    group.bench_function(format!("schedule_{n}"), |b| {
        b.iter(|| black_box(schedule(&problem, &options())))
    });
    group.finish();
}

criterion_group!(benches, scheduler);
criterion_main!(benches);
