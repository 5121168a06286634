//! Badge scans, from the request to the committed connection: the real
//! server started in-process on `127.0.0.1:0`, driven over HTTP on loopback,
//! on SQLite (a fresh data folder under `target/tmp`, deleted afterwards)
//! and, when `RAPPORT_TEST_POSTGRES_URL` names a server, on a fresh
//! PostgreSQL database `rapport_bench_<uuid>` that is dropped afterwards.
//!
//! What is timed: one `POST /api/scan_badge` (form: slug, the badge's QR
//! URL, `mode=connect`, `method=scanner`) from sending the request to
//! having read the whole response. The server answers only after the
//! transaction that records the scan and the new connection has committed,
//! so each figure is "scan request → committed connection" (plus the small
//! read that builds the answer). Every timed scan is a new pair and must
//! come back `connected`.
//!
//! The arrangement: one event; 2,410 badge owners created directly through
//! the store (members with a badge each); 81 scanner accounts that sign up
//! and join the event over HTTP. The per-person scan limit is 30 at once
//! (then one every 2 s), so each scanner scans 30 different owners:
//! - warm-up: one scanner, 10 scans, not counted;
//! - sequential: 40 scanners × 30 = 1,200 scans, one request at a time;
//! - concurrent: 40 other scanners × 30 = 1,200 scans, 8 requests in
//!   flight at all times (8 workers, each working through 5 scanners).
//!
//! Sign-up is limited to 60 at once per client address, so the second set
//! of scanners signs up from `127.0.0.2` (still loopback).
//!
//! Run: `RAPPORT_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres \
//!       cargo bench -p server --bench scans`

#[path = "../tests/common/database.rs"]
mod database;

use app::{
    domain::{
        BadgeToken, Email, EventDates, EventName, JoinCode, PersonName, Role, Slug, TimeZoneName,
        UserId,
    },
    ports::{BadgeLookup, NewEvent, NewUser, PasswordHash, Store},
    service::tokens::{badge_code, badge_token},
};
use chrono::NaiveDate;
use server::{config::Config, startup::Application};
use std::path::Path;
use std::{
    net::{IpAddr, Ipv4Addr},
    path::PathBuf,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

const PG_ENV: &str = "RAPPORT_TEST_POSTGRES_URL";
/// The per-person burst of the scan rate limit.
const SCANS_PER_SCANNER: usize = 30;
/// Scanners per timed run: 40 × 30 = 1,200 scans.
const SCANNERS: usize = 40;
const WARM_UP: usize = 10;
/// Requests in flight during the concurrent run.
const CONCURRENCY: usize = 8;
const OWNERS: usize = WARM_UP + 2 * SCANNERS * SCANS_PER_SCANNER;
/// Concurrent tasks creating the badge owners through the store.
const SEEDERS: usize = 8;
const SLUG: &str = "scanconf";
const JOIN_CODE: &str = "SCANBNCH";
const PASSWORD: &str = "benchmark password";

/// A signed-in scanner: its own cookie jar and connection.
struct Scanner {
    client: reqwest::Client,
}

/// A running server and what the scans need.
struct Bench {
    base: String,
    store: Arc<dyn Store>,
    /// QR URLs of the owners' badges, in order.
    badges: Vec<String>,
    shutdown: tokio::sync::oneshot::Sender<()>,
    server: tokio::task::JoinHandle<anyhow::Result<()>>,
}

fn client(from: IpAddr) -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .local_address(from)
        .build()
        .unwrap()
}

/// Calls a server function (form-encoded POST); returns status and body.
async fn call(
    client: &reqwest::Client,
    base: &str,
    name: &str,
    form: &[(&str, &str)],
) -> (u16, String) {
    let res = client
        .post(format!("{base}/api/{name}"))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.text().await.unwrap())
}

/// Starts the server, creates the event and the badge owners through the
/// store. Nothing here is timed.
async fn start(data_dir: PathBuf, url: String) -> Bench {
    let config = Config::local(url, data_dir);
    let app = Application::build(&config).await.expect("server starts");
    let base = format!("http://{}", app.addr);
    let store = app.store.clone();
    let (shutdown, stop) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async {
        let _ = stop.await;
    }));

    let started = Instant::now();
    // Nobody logs in as an owner or the organizer: any string will do.
    let hash = PasswordHash("not a real hash".into());
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
                slug: Slug::parse(SLUG).unwrap(),
                name: EventName::parse("name", "Scan Conference").unwrap(),
                description: String::new(),
                venue: "Hall".into(),
                dates: EventDates::new(start, start.succ_opt().unwrap()).unwrap(),
                time_zone: TimeZoneName::parse("UTC").unwrap(),
                invite_token: "scan-bench-invite-token".into(),
                join_code: JoinCode::parse(JOIN_CODE).unwrap(),
            },
            organizer.id,
        )
        .await
        .unwrap();

    let mut workers = tokio::task::JoinSet::new();
    for worker in 0..SEEDERS {
        let (store, hash, base) = (store.clone(), hash.clone(), base.clone());
        let event = event.id;
        workers.spawn(async move {
            let mut made = Vec::new();
            for i in (worker..OWNERS).step_by(SEEDERS) {
                let user = store
                    .create_user(NewUser {
                        email: Email::parse(&format!("owner{i:05}@bench.rapport.dev")).unwrap(),
                        display_name: PersonName::parse("display_name", &format!("Owner {i:05}"))
                            .unwrap(),
                        password_hash: hash.clone(),
                    })
                    .await
                    .unwrap();
                store
                    .add_member(event, user.id, Role::Attendee)
                    .await
                    .unwrap();
                let badge = store
                    .issue_badge(event, user.id, &badge_token(), &badge_code())
                    .await
                    .unwrap();
                made.push((i, format!("{base}/b/{}", badge.token.as_str())));
            }
            made
        });
    }
    let mut badges = vec![String::new(); OWNERS];
    while let Some(done) = workers.join_next().await {
        for (i, url) in done.unwrap() {
            badges[i] = url;
        }
    }
    eprintln!(
        "created {OWNERS} badge owners in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Bench {
        base,
        store,
        badges,
        shutdown,
        server,
    }
}

impl Bench {
    /// `count` people sign up from `from` and join the event over HTTP.
    async fn scanners(&self, label: &str, count: usize, from: IpAddr) -> Vec<Scanner> {
        let mut out = Vec::with_capacity(count);
        for i in 0..count {
            let client = client(from);
            let email = format!("{label}{i:02}@bench.rapport.dev");
            let name = format!("Scanner {label} {i:02}");
            let (status, body) = call(
                &client,
                &self.base,
                "signup",
                &[
                    ("display_name", &name),
                    ("email", &email),
                    ("password", PASSWORD),
                ],
            )
            .await;
            assert_eq!(status, 200, "sign-up: {body}");
            let (status, body) =
                call(&client, &self.base, "join_by_code", &[("code", JOIN_CODE)]).await;
            assert_eq!(status, 200, "join: {body}");
            out.push(Scanner { client });
        }
        out
    }

    /// One timed scan; panics unless it connected a new pair.
    async fn scan(&self, scanner: &Scanner, badge: &str) -> Duration {
        scan(&scanner.client, &self.base, badge).await
    }
}

async fn scan(client: &reqwest::Client, base: &str, badge: &str) -> Duration {
    let form = [
        ("slug", SLUG),
        ("badge", badge),
        ("mode", "connect"),
        ("method", "scanner"),
    ];
    let t = Instant::now();
    let res = client
        .post(format!("{base}/api/scan_badge"))
        .form(&form)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let body = res.bytes().await.unwrap();
    let elapsed = t.elapsed();
    let view: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    assert!(
        status == 200 && view["outcome"] == "connected",
        "expected a new connection, got {status}: {}",
        String::from_utf8_lossy(&body)
    );
    elapsed
}

/// Count, median, p90, p99 and max in milliseconds (nearest rank), and
/// scans per second over the run's wall-clock time.
struct Summary {
    count: usize,
    median: f64,
    p90: f64,
    p99: f64,
    max: f64,
    per_second: f64,
}

fn summarize(mut times: Vec<Duration>, wall: Duration) -> Summary {
    times.sort();
    let n = times.len();
    let at = |p: f64| times[((n as f64 * p).ceil() as usize).saturating_sub(1)].as_secs_f64() * 1e3;
    Summary {
        count: n,
        median: at(0.50),
        p90: at(0.90),
        p99: at(0.99),
        max: times[n - 1].as_secs_f64() * 1e3,
        per_second: n as f64 / wall.as_secs_f64(),
    }
}

async fn run(backend: &'static str, admin: Option<&str>) -> Vec<(String, Summary)> {
    let scratch = database::create(
        "rapport_bench",
        Path::new(env!("CARGO_TARGET_TMPDIR")),
        admin,
    )
    .await;
    let bench = start(scratch.data_dir.clone(), scratch.url.clone()).await;

    let started = Instant::now();
    let local = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let other = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));
    let warm = bench.scanners("w", 1, local).await;
    let sequential = bench.scanners("s", SCANNERS, local).await;
    let concurrent = bench.scanners("c", SCANNERS, other).await;
    eprintln!(
        "{} scanners signed up and joined over HTTP in {:.1} s",
        1 + 2 * SCANNERS,
        started.elapsed().as_secs_f64()
    );

    let mut owners = 0..OWNERS;
    for _ in 0..WARM_UP {
        bench
            .scan(&warm[0], &bench.badges[owners.next().unwrap()])
            .await;
    }

    // Sequential: one request at a time.
    let mut times = Vec::with_capacity(SCANNERS * SCANS_PER_SCANNER);
    let t = Instant::now();
    for scanner in &sequential {
        for _ in 0..SCANS_PER_SCANNER {
            let badge = &bench.badges[owners.next().unwrap()];
            times.push(bench.scan(scanner, badge).await);
        }
    }
    let sequential_summary = summarize(times, t.elapsed());

    // Concurrent: CONCURRENCY workers take the next (scanner, 30 badges)
    // job from a shared queue, so that many requests are always in flight.
    let jobs: Vec<(reqwest::Client, Vec<String>)> = concurrent
        .into_iter()
        .map(|s| {
            let badges = (&mut owners)
                .take(SCANS_PER_SCANNER)
                .map(|i| bench.badges[i].clone())
                .collect();
            (s.client, badges)
        })
        .collect();
    assert!(owners.next().is_none(), "every owner scanned once");
    let queue = Arc::new(Mutex::new(jobs));
    let mut workers = tokio::task::JoinSet::new();
    let t = Instant::now();
    for _ in 0..CONCURRENCY {
        let (queue, base) = (queue.clone(), bench.base.clone());
        workers.spawn(async move {
            let mut times = Vec::new();
            loop {
                let Some((client, badges)) = queue.lock().unwrap().pop() else {
                    return times;
                };
                for badge in &badges {
                    times.push(scan(&client, &base, badge).await);
                }
            }
        });
    }
    let mut times = Vec::with_capacity(SCANNERS * SCANS_PER_SCANNER);
    while let Some(done) = workers.join_next().await {
        times.extend(done.unwrap());
    }
    let concurrent_summary = summarize(times, t.elapsed());

    // Every timed scan left exactly one connection.
    let expected = WARM_UP + 2 * SCANNERS * SCANS_PER_SCANNER;
    let connections = count_connections(&bench.store, &bench.badges).await;
    assert_eq!(connections, expected, "connections committed");

    drop((warm, sequential));
    let _ = bench.shutdown.send(());
    if tokio::time::timeout(Duration::from_secs(10), bench.server)
        .await
        .is_err()
    {
        eprintln!("the server did not stop within 10 s; removing its database anyway");
    }
    drop(bench.store);
    scratch.remove().await;

    vec![
        (format!("{backend} sequential"), sequential_summary),
        (
            format!("{backend} concurrent ({CONCURRENCY} in flight)"),
            concurrent_summary,
        ),
    ]
}

/// Connections of all badge owners together (each owner was scanned once).
async fn count_connections(store: &Arc<dyn Store>, badges: &[String]) -> usize {
    let mut total = 0;
    for url in badges {
        let token = BadgeToken::parse(url.rsplit('/').next().unwrap()).unwrap();
        let owner: UserId = match store.badge_by_token(&token).await.unwrap() {
            Some(BadgeLookup::Current(b)) => b.user,
            other => panic!("badge gone: {other:?}"),
        };
        total += store.my_connections(owner).await.unwrap().len();
    }
    total
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --all-targets` runs this
    // binary without it, and a full run takes minutes.
    if !std::env::args().any(|a| a == "--bench") {
        eprintln!("scans: skipped (run it with `cargo bench -p server --bench scans`)");
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let pg_admin = std::env::var(PG_ENV).ok();
    if pg_admin.is_none() {
        eprintln!("{PG_ENV} is not set: benchmarking SQLite only");
    }
    let mut rows = rt.block_on(run("sqlite", None));
    if let Some(admin) = pg_admin.as_deref() {
        rows.extend(rt.block_on(run("postgres", Some(admin))));
    }

    println!();
    println!(
        "{:<34} {:>6} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "scan_badge → committed connection", "count", "median", "p90", "p99", "max", "scans/s"
    );
    for (label, s) in &rows {
        println!(
            "{:<34} {:>6} {:>6.2} ms {:>6.2} ms {:>6.2} ms {:>6.1} ms {:>9.0}",
            label, s.count, s.median, s.p90, s.p99, s.max, s.per_second
        );
    }
}
