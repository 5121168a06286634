//! The matching engine on large synthetic events: how long top-20 takes for
//! one attendee at 10,000, 100,000 and 1,000,000 attendees, and how long the
//! index takes to build.
//!
//! The events: a vocabulary of 3,000 tags whose popularity follows Zipf's law
//! (weight 1/rank: the top tag is on ~75 % of profiles, the rank-100 tag on
//! ~1.4 %), 10–15 distinct tags per attendee with intents 60 % interest,
//! 25 % offer, 15 % seek, a company drawn from `N / 10` names (15 % none).
//! Each query excludes 20 random attendees (the asker's connections).
//!
//! Criterion reports medians; after each size the bench also times 1,000
//! queries for random attendees one by one and prints p50, p99 and max. The
//! 1,000,000 build is timed once (it takes seconds) rather than sampled.
//!
//! Run: `cargo bench -p server --bench matching`
//! (`MATCHING_BENCH_SIZES=10000,100000` to skip the largest event).

use app::{
    domain::{Intent, Tag},
    matching::MatchIndex,
};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use rand::{rngs::StdRng, Rng, SeedableRng};
use std::{
    collections::HashSet,
    hint::black_box,
    time::{Duration, Instant},
};
use uuid::Uuid;

const VOCABULARY: usize = 3_000;
const TOP_K: usize = 20;
const CONNECTIONS: usize = 20;
const TIMED_QUERIES: usize = 1_000;

/// A synthetic event, kept compact: tags are indices into `Vocabulary::pairs`
/// so a million profiles do not hold twelve million strings.
struct Event {
    ids: Vec<Uuid>,
    /// Per attendee: indices into `Vocabulary::pairs`.
    tags: Vec<Vec<u16>>,
    companies: Vec<String>,
    company_of: Vec<u32>,
}

/// Every (tag, intent) of the vocabulary, built once.
struct Vocabulary {
    /// `pairs[3 * rank + intent]`.
    pairs: Vec<(Tag, Intent)>,
    /// Cumulative Zipf weights for sampling a rank.
    cumulative: Vec<f64>,
}

impl Vocabulary {
    fn new() -> Self {
        let pairs = (0..VOCABULARY)
            .flat_map(|rank| {
                let tag = Tag::parse(&format!("topic {rank}")).unwrap();
                Intent::ALL.map(|intent| (tag.clone(), intent))
            })
            .collect();
        let mut total = 0.0;
        let cumulative = (1..=VOCABULARY)
            .map(|rank| {
                total += 1.0 / rank as f64;
                total
            })
            .collect();
        Self { pairs, cumulative }
    }

    fn rank(&self, rng: &mut StdRng) -> usize {
        let x = rng.gen::<f64>() * self.cumulative[VOCABULARY - 1];
        self.cumulative
            .partition_point(|&c| c < x)
            .min(VOCABULARY - 1)
    }

    fn event(&self, attendees: usize, seed: u64) -> Event {
        let mut rng = StdRng::seed_from_u64(seed);
        let company_count = (attendees / 10).max(1);
        let companies = (0..company_count).map(|i| format!("Company {i}")).collect();
        let mut ids = Vec::with_capacity(attendees);
        let mut tags = Vec::with_capacity(attendees);
        let mut company_of = Vec::with_capacity(attendees);
        for _ in 0..attendees {
            ids.push(Uuid::from_u128(rng.gen()));
            let count = rng.gen_range(10..=15);
            let mut ranks: Vec<usize> = Vec::with_capacity(count);
            while ranks.len() < count {
                let rank = self.rank(&mut rng);
                if !ranks.contains(&rank) {
                    ranks.push(rank);
                }
            }
            tags.push(
                ranks
                    .into_iter()
                    .map(|rank| {
                        let roll = rng.gen_range(0..100);
                        let intent = if roll < 60 {
                            0
                        } else if roll < 85 {
                            1
                        } else {
                            2
                        };
                        (3 * rank + intent) as u16
                    })
                    .collect(),
            );
            company_of.push(if rng.gen_range(0..100) < 15 {
                u32::MAX
            } else {
                rng.gen_range(0..company_count) as u32
            });
        }
        Event {
            ids,
            tags,
            companies,
            company_of,
        }
    }

    fn build(&self, event: &Event) -> MatchIndex<Uuid> {
        let mut index = MatchIndex::new();
        for (i, id) in event.ids.iter().enumerate() {
            let company = event
                .companies
                .get(event.company_of[i] as usize)
                .map_or("", String::as_str);
            index.upsert(
                *id,
                event.tags[i].iter().map(|&p| &self.pairs[p as usize]),
                company,
                false,
            );
        }
        index
    }
}

/// A random attendee and the connections they exclude.
fn query(event: &Event, rng: &mut StdRng) -> (Uuid, HashSet<Uuid>) {
    let n = event.ids.len();
    let asker = event.ids[rng.gen_range(0..n)];
    let exclude = (0..CONNECTIONS)
        .map(|_| event.ids[rng.gen_range(0..n)])
        .collect();
    (asker, exclude)
}

fn label(attendees: usize) -> String {
    match attendees {
        n if n >= 1_000_000 && n % 1_000_000 == 0 => format!("{}M", n / 1_000_000),
        n if n >= 1_000 && n % 1_000 == 0 => format!("{}k", n / 1_000),
        n => n.to_string(),
    }
}

fn sizes() -> Vec<usize> {
    std::env::var("MATCHING_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10_000, 100_000, 1_000_000])
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn matching(c: &mut Criterion) {
    let vocabulary = Vocabulary::new();
    for attendees in sizes() {
        let name = label(attendees);
        let event = vocabulary.event(attendees, 42);

        // Build: sampled by Criterion up to 100k, timed once beyond.
        let started = Instant::now();
        let index = vocabulary.build(&event);
        let built_in = started.elapsed();
        println!(
            "matching_build/{name}: one build {:.2} s ({} members, {} matchable)",
            built_in.as_secs_f64(),
            index.len(),
            index.matchable()
        );
        if attendees <= 100_000 {
            let mut group = c.benchmark_group("matching_build");
            group.sample_size(10);
            group.warm_up_time(Duration::from_secs(1));
            group.measurement_time(Duration::from_secs(if attendees <= 10_000 {
                3
            } else {
                10
            }));
            group.bench_function(&name, |b| {
                b.iter_batched(
                    || (),
                    |()| vocabulary.build(&event),
                    BatchSize::PerIteration,
                )
            });
            group.finish();
        }

        let mut rng = StdRng::seed_from_u64(7);
        let queries: Vec<(Uuid, HashSet<Uuid>)> = (0..TIMED_QUERIES)
            .map(|_| query(&event, &mut rng))
            .collect();
        {
            let mut group = c.benchmark_group("matching_top20");
            group.sample_size(if attendees >= 1_000_000 { 20 } else { 50 });
            group.warm_up_time(Duration::from_secs(1));
            group.measurement_time(Duration::from_secs(5));
            let mut next = 0;
            group.bench_function(&name, |b| {
                b.iter(|| {
                    let (asker, exclude) = &queries[next % queries.len()];
                    next += 1;
                    black_box(index.recommend(asker, TOP_K, exclude))
                })
            });
            group.finish();
        }

        // p50 / p99 over 1,000 random attendees, one query each.
        let mut times = Vec::with_capacity(TIMED_QUERIES);
        let mut returned = 0;
        for (asker, exclude) in &queries {
            let started = Instant::now();
            let recs = black_box(index.recommend(asker, TOP_K, exclude));
            times.push(started.elapsed());
            returned += recs.len();
        }
        times.sort_unstable();
        println!(
            "matching_top20/{name}: {} queries, p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms, {:.1} results on average",
            times.len(),
            percentile(&times, 0.50).as_secs_f64() * 1e3,
            percentile(&times, 0.99).as_secs_f64() * 1e3,
            times[times.len() - 1].as_secs_f64() * 1e3,
            returned as f64 / times.len() as f64
        );
    }
}

criterion_group!(benches, matching);
criterion_main!(benches);
