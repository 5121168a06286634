//! Directory search on a large event: 10,000 attendees with 10–15 tags each,
//! tag popularity following Zipf's law, on SQLite (a fresh file in a temp
//! folder) and, when `RAPPORT_TEST_POSTGRES_URL` names a server, on a fresh
//! PostgreSQL database that is dropped afterwards.
//!
//! Measured (first page, 24 entries, as the event's organizer):
//! - `tag_offer`: one mid-popularity tag with intent "offer";
//! - `text_prefix`: a free-text prefix ("mar");
//! - `tag_and_text`: a popular tag plus a text prefix.
//!
//! Criterion reports the medians; for `tag_offer` the bench also times 1,000
//! runs itself and prints the median and the 99th percentile.
//!
//! Run: `RAPPORT_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres \
//!       cargo bench -p server --bench directory`

#[path = "../tests/common/database.rs"]
mod database;

use app::{
    domain::{
        Email, EventDates, EventId, EventName, Intent, JoinCode, Password, PersonName, ProfileForm,
        ProfileInput, Role, Slug, Tag, TagSet, TimeZoneName, UserId,
    },
    ports::{DirectoryQuery, NewEvent, NewUser, PasswordHash, Store},
    service::password::hash_blocking,
};
use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use server::db::Db;
use sqlx::{Connection, Executor, PgConnection};
use std::{
    path::Path,
    sync::Arc,
    time::{Duration, Instant},
};

const ATTENDEES: usize = 10_000;
const PAGE: u32 = 24;
/// Concurrent seeding tasks (PostgreSQL takes them in parallel; SQLite's
/// single writer queues them).
const SEEDERS: usize = 8;
const PG_ENV: &str = "RAPPORT_TEST_POSTGRES_URL";

const FIRST: &[&str] = &[
    "Amélie",
    "Aarav",
    "Aiko",
    "Alejandro",
    "Amara",
    "Anders",
    "Aoife",
    "Björn",
    "Camille",
    "Carmen",
    "Chen",
    "Chidi",
    "Daniela",
    "Diego",
    "Efua",
    "Elif",
    "Émile",
    "Farah",
    "Felix",
    "Freya",
    "Hana",
    "Hiroshi",
    "Ibrahim",
    "Ines",
    "Jakub",
    "João",
    "Jonas",
    "Kofi",
    "Lars",
    "Leila",
    "Lucía",
    "Łukasz",
    "Malik",
    "Marta",
    "Mateo",
    "Mei",
    "Mihai",
    "Nadia",
    "Naledi",
    "Noor",
    "Oskar",
    "Paloma",
    "Priya",
    "Rafael",
    "Ravi",
    "Rosa",
    "Sakura",
    "Samir",
    "Siobhán",
    "Sofía",
    "Søren",
    "Tariq",
    "Tomás",
    "Valentina",
    "Wei",
    "Yara",
    "Yusuf",
    "Zoë",
];
const LAST: &[&str] = &[
    "Abebe",
    "Adeyemi",
    "Andersson",
    "Bakker",
    "Banerjee",
    "Becker",
    "Castillo",
    "Çelik",
    "Costa",
    "Dubois",
    "Dvořák",
    "Eriksen",
    "Fernández",
    "Fischer",
    "García",
    "Haddad",
    "Hansen",
    "Ivanova",
    "Jansen",
    "Kaczmarek",
    "Kim",
    "Kowalski",
    "Kumar",
    "Lefèvre",
    "Li",
    "López",
    "Mahlangu",
    "Martin",
    "Mensah",
    "Moreau",
    "Müller",
    "Nakamura",
    "Nguyen",
    "Novak",
    "O'Connor",
    "Okafor",
    "Park",
    "Patel",
    "Pereira",
    "Petrov",
    "Popescu",
    "Rahman",
    "Rossi",
    "Saito",
    "Santos",
    "Schmidt",
    "Sharma",
    "Silva",
    "Singh",
    "Tanaka",
    "Tremblay",
    "Virtanen",
    "Wang",
    "Weiß",
    "Yılmaz",
    "Zhang",
];
const TITLES: &[&str] = &[
    "Software engineer",
    "Data scientist",
    "Product manager",
    "Designer",
    "Engineering manager",
    "Founder",
    "Researcher",
    "Student",
    "Consultant",
    "Investor",
    "Developer advocate",
    "Site reliability engineer",
];
const COMPANIES: &[&str] = &[
    "Ferrous Labs",
    "Crab Corp",
    "Nordlicht Systems",
    "Baobab Health",
    "Kestrel Robotics",
    "Lumen Analytics",
    "Tidewater Energy",
    "Quetzal Payments",
    "Polaris Cloud",
    "Juniper Bank",
    "Helix Bio",
    "Stealth startup",
];
/// Tag vocabulary: every (qualifier, topic) pair, 20 × 20 = 400 tags, ranked
/// by a fixed shuffle.
const QUALIFIERS: &[&str] = &[
    "applied",
    "distributed",
    "embedded",
    "open",
    "secure",
    "green",
    "mobile",
    "realtime",
    "quantum",
    "scalable",
    "accessible",
    "ethical",
    "functional",
    "visual",
    "local",
    "industrial",
    "creative",
    "civic",
    "rural",
    "generative",
];
const TOPICS: &[&str] = &[
    "databases",
    "compilers",
    "robotics",
    "design",
    "finance",
    "health",
    "education",
    "gaming",
    "logistics",
    "energy",
    "retail",
    "music",
    "farming",
    "media",
    "security",
    "search",
    "networks",
    "hardware",
    "analytics",
    "languages",
];

/// SplitMix64: small, fixed, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The tag vocabulary, most popular first.
fn vocabulary() -> Vec<Tag> {
    let mut tags: Vec<Tag> = QUALIFIERS
        .iter()
        .flat_map(|q| TOPICS.iter().map(move |t| format!("{q} {t}")))
        .map(|t| Tag::parse(&t).unwrap())
        .collect();
    let mut rng = Rng(7);
    for i in (1..tags.len()).rev() {
        tags.swap(i, rng.below(i + 1));
    }
    tags
}

/// 10–15 distinct tags drawn with Zipf weights (1/rank) via the cumulative
/// distribution; intents 60 % interest, 25 % offer, 15 % seek.
fn tags_for(rng: &mut Rng, vocab: &[Tag], cumulative: &[f64]) -> TagSet {
    let count = 10 + rng.below(6);
    let mut picked: Vec<usize> = Vec::with_capacity(count);
    while picked.len() < count {
        let x = rng.unit() * cumulative[cumulative.len() - 1];
        let i = cumulative.partition_point(|c| *c <= x);
        if !picked.contains(&i) {
            picked.push(i);
        }
    }
    let mut pairs: Vec<(Tag, Intent)> = picked
        .into_iter()
        .map(|i| {
            let roll = rng.below(100);
            let intent = if roll < 60 {
                Intent::Interest
            } else if roll < 85 {
                Intent::Offer
            } else {
                Intent::Seek
            };
            (vocab[i].clone(), intent)
        })
        .collect();
    pairs.sort_by_key(|(_, i)| *i);
    TagSet::from_pairs(pairs)
}

/// A seeded event: the store, the event, the organizer who searches, and
/// the tags the queries use.
struct Fixture {
    store: Arc<dyn Store>,
    event: EventId,
    viewer: UserId,
    mid_tag: Tag,
    top_tag: Tag,
}

async fn seed(store: Arc<dyn Store>, hash: PasswordHash) -> Fixture {
    let started = Instant::now();
    let organizer = store
        .create_user(NewUser {
            email: Email::parse("organizer@bench.rapport.dev").unwrap(),
            display_name: PersonName::parse("display_name", "Olga Organizer").unwrap(),
            password_hash: hash.clone(),
        })
        .await
        .unwrap();
    let start = NaiveDate::from_ymd_opt(2026, 5, 14).unwrap();
    let event = store
        .create_event(
            NewEvent {
                slug: Slug::parse("bench").unwrap(),
                name: EventName::parse("name", "Bench Conference").unwrap(),
                description: String::new(),
                venue: "Hall".into(),
                dates: EventDates::new(start, start.succ_opt().unwrap()).unwrap(),
                time_zone: TimeZoneName::parse("UTC").unwrap(),
                invite_token: "bench-invite-token".into(),
                join_code: JoinCode::parse("BENCHMRK").unwrap(),
            },
            organizer.id,
        )
        .await
        .unwrap();

    let vocab = Arc::new(vocabulary());
    let cumulative: Arc<Vec<f64>> = Arc::new(
        (0..vocab.len())
            .scan(0.0, |acc, r| {
                *acc += 1.0 / (r + 1) as f64;
                Some(*acc)
            })
            .collect(),
    );
    let mut workers = tokio::task::JoinSet::new();
    for worker in 0..SEEDERS {
        let (store, hash, vocab, cumulative) = (
            store.clone(),
            hash.clone(),
            vocab.clone(),
            cumulative.clone(),
        );
        let event = event.id;
        workers.spawn(async move {
            for i in (worker..ATTENDEES).step_by(SEEDERS) {
                let mut rng = Rng(0xBE7C_0000 + i as u64);
                let name = format!(
                    "{} {}",
                    FIRST[rng.below(FIRST.len())],
                    LAST[rng.below(LAST.len())]
                );
                let title = TITLES[rng.below(TITLES.len())];
                let company = COMPANIES[rng.below(COMPANIES.len())];
                let user = store
                    .create_user(NewUser {
                        email: Email::parse(&format!("person{i:05}@bench.rapport.dev")).unwrap(),
                        display_name: PersonName::parse("display_name", &name).unwrap(),
                        password_hash: hash.clone(),
                    })
                    .await
                    .unwrap();
                let profile = ProfileInput::parse(&ProfileForm {
                    display_name: name,
                    headline: format!("{title} at {company}"),
                    company: company.into(),
                    job_title: title.into(),
                    ..Default::default()
                })
                .unwrap();
                store.update_profile(user.id, &profile).await.unwrap();
                store
                    .set_tags(user.id, &tags_for(&mut rng, &vocab, &cumulative))
                    .await
                    .unwrap();
                store
                    .add_member(event, user.id, Role::Attendee)
                    .await
                    .unwrap();
            }
        });
    }
    while let Some(done) = workers.join_next().await {
        done.unwrap();
    }
    eprintln!(
        "seeded {ATTENDEES} attendees in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Fixture {
        store,
        event: event.id,
        viewer: organizer.id,
        // Rank 20 of 400: on roughly 8 % of profiles, a third of those as offers.
        mid_tag: vocab[19].clone(),
        top_tag: vocab[0].clone(),
    }
}

impl Fixture {
    fn queries(&self) -> [(&'static str, DirectoryQuery); 3] {
        let page = |words: &[&str], tags: Vec<(Tag, Option<Intent>)>| DirectoryQuery {
            words: words.iter().map(|w| (*w).to_owned()).collect(),
            tags,
            limit: PAGE,
            ..Default::default()
        };
        [
            (
                "tag_offer",
                page(&[], vec![(self.mid_tag.clone(), Some(Intent::Offer))]),
            ),
            ("text_prefix", page(&["mar"], vec![])),
            (
                "tag_and_text",
                page(&["eng"], vec![(self.top_tag.clone(), None)]),
            ),
        ]
    }

    async fn search(&self, q: &DirectoryQuery) -> usize {
        self.store
            .search_directory(self.event, self.viewer, q)
            .await
            .unwrap()
            .entries
            .len()
    }
}

/// Times `runs` searches one by one and prints the median and p99.
async fn percentiles(fixture: &Fixture, label: &str, q: &DirectoryQuery) {
    for _ in 0..100 {
        fixture.search(q).await;
    }
    let runs = 1_000;
    let mut times: Vec<Duration> = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        std::hint::black_box(fixture.search(q).await);
        times.push(t.elapsed());
    }
    times.sort();
    let at = |p: f64| times[((runs as f64 * p).ceil() as usize).saturating_sub(1)];
    println!(
        "{label}: {runs} runs: median {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        at(0.50).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        times[runs - 1].as_secs_f64() * 1e3,
    );
}

fn directory(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let hash = hash_blocking(&Password::parse("benchmark password").unwrap()).unwrap();
    let pg_admin = std::env::var(PG_ENV).ok();
    if pg_admin.is_none() {
        eprintln!("{PG_ENV} is not set: benchmarking SQLite only");
    }
    let backends: Vec<(&str, Option<&str>)> = std::iter::once(("sqlite", None))
        .chain(pg_admin.as_deref().map(|a| ("postgres", Some(a))))
        .collect();

    for (backend, admin) in backends {
        let scratch = rt.block_on(database::create(
            "rapport_bench",
            Path::new(env!("CARGO_TARGET_TMPDIR")),
            admin,
        ));
        let url = scratch.url.clone();
        let db = rt.block_on(async {
            let db = Db::connect(&url).await.unwrap();
            db.migrate().await.unwrap();
            db
        });
        let fixture = rt.block_on(seed(db.clone().into_store(), hash.clone()));
        if admin.is_some() {
            // Fresh statistics, as autovacuum would have by the time an event is this big.
            rt.block_on(async {
                let mut conn = PgConnection::connect(&url).await.unwrap();
                conn.execute("ANALYZE").await.unwrap();
                conn.close().await.unwrap();
            });
        }
        let queries = fixture.queries();
        for (name, q) in &queries {
            let found = rt.block_on(fixture.search(q));
            eprintln!("{backend}/{name}: {found} entries on the first page");
        }

        let mut group = c.benchmark_group(format!("directory/{backend}"));
        // Flat sampling: each search takes milliseconds, so criterion's
        // linear ramp would overrun the measurement time.
        group
            .sampling_mode(SamplingMode::Flat)
            .sample_size(50)
            .warm_up_time(Duration::from_secs(2))
            .measurement_time(Duration::from_secs(8));
        for (name, q) in &queries {
            group.bench_function(*name, |b| {
                b.to_async(&rt).iter(|| fixture.search(q));
            });
        }
        group.finish();

        rt.block_on(percentiles(
            &fixture,
            &format!("{backend}/tag_offer"),
            &queries[0].1,
        ));

        drop(fixture);
        rt.block_on(async {
            db.close().await;
            scratch.remove().await;
        });
    }
}

criterion_group!(benches, directory);
criterion_main!(benches);
