//! Attendee import of 10,000 rows through the real command line
//! (`rapport import --event <slug> <file.csv>`, called in-process through
//! `server::cli::run`, so the timing includes reading and checking the
//! file, connecting, the import itself and writing every invitation to the
//! outbox), on SQLite and — when `RAPPORT_TEST_POSTGRES_URL` is set — on
//! PostgreSQL. Each run gets a fresh database with one organizer and an
//! empty event; the median of `IMPORT_BENCH_RUNS` runs (default 3) is
//! printed. Then a 100,000-row file is given to the same command, which
//! must refuse it whole (over the row cap) before writing anything; the
//! process's peak memory is printed before and after.
//!
//! ```sh
//! RAPPORT_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres \
//!   cargo bench -p server --bench import
//! ```

#[path = "../tests/common/database.rs"]
mod database;

use app::{
    domain::{Email, EventDates, EventName, JoinCode, Password, PersonName, Slug, TimeZoneName},
    ports::{NewEvent, NewUser},
    service::password::hash_blocking,
};
use clap::Parser;
use server::{cli::Cli, db::Db};
use std::path::Path;
use std::time::{Duration, Instant};

const SLUG: &str = "bench-conf-ab12";
/// Where the scratch databases' folders go.
const TMP: &str = env!("CARGO_TARGET_TMPDIR");

/// An event with its organizer, in a migrated database.
async fn event_in(url: &str) {
    let db = Db::connect(url).await.unwrap();
    db.migrate().await.unwrap();
    let store = db.clone().into_store();
    let hash = hash_blocking(&Password::parse("correct horse battery").unwrap()).unwrap();
    let ada = store
        .create_user(NewUser {
            email: Email::parse("organizer@example.org").unwrap(),
            display_name: PersonName::parse("name", "Organizer").unwrap(),
            password_hash: hash,
        })
        .await
        .unwrap();
    store
        .create_event(
            NewEvent {
                slug: Slug::parse(SLUG).unwrap(),
                name: EventName::parse("name", "Bench Conf").unwrap(),
                description: String::new(),
                venue: String::new(),
                dates: EventDates::parse("2031-05-14", "2031-05-15").unwrap(),
                time_zone: TimeZoneName::parse("Europe/Berlin").unwrap(),
                invite_token: "bench-invite-token".into(),
                join_code: JoinCode::parse("BENCHCDE").unwrap(),
            },
            ada.id,
        )
        .await
        .unwrap();
    db.close().await;
}

/// `rows` attendees with a company and three tags each.
fn csv(rows: usize) -> String {
    let mut s = String::from("name,email,role,company,tags\n");
    for i in 0..rows {
        s.push_str(&format!(
            "Person {i},person{i}@example.org,,Company {},\"rust, offer:topic{}, seek:topic{}\"\n",
            i % 500,
            i % 40,
            (i + 7) % 40
        ));
    }
    s
}

async fn import(url: &str, dir: &std::path::Path, file: &std::path::Path) -> anyhow::Result<()> {
    server::cli::run(Cli::parse_from([
        "rapport",
        "--database-url",
        url,
        "--data-dir",
        dir.to_str().unwrap(),
        "import",
        "--event",
        SLUG,
        file.to_str().unwrap(),
    ]))
    .await
}

/// Peak resident memory of this process so far (Linux), in MiB.
fn peak_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

async fn measure(admin: Option<&str>, rows: usize, runs: usize) -> Vec<Duration> {
    let mut times = Vec::new();
    for _ in 0..runs {
        let scratch = database::create("rapport_bench", Path::new(TMP), admin).await;
        let (url, dir) = (&scratch.url, &scratch.data_dir);
        event_in(url).await;
        let file = dir.join("attendees.csv");
        std::fs::write(&file, csv(rows)).unwrap();
        let start = Instant::now();
        import(url, dir, &file).await.unwrap();
        times.push(start.elapsed());
        // Every invitation is in the outbox.
        let written = std::fs::read_dir(dir.join("outbox").join(SLUG))
            .unwrap()
            .count();
        assert_eq!(written, rows);
        scratch.remove().await;
    }
    times.sort();
    times
}

#[tokio::main]
async fn main() {
    let rows: usize = std::env::var("IMPORT_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let runs: usize = std::env::var("IMPORT_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let admin = std::env::var("RAPPORT_TEST_POSTGRES_URL").ok();
    let mut backends = vec![("sqlite", None)];
    if let Some(a) = admin.as_deref() {
        backends.push(("postgres", Some(a)));
    }
    for (name, admin) in backends {
        let times = measure(admin, rows, runs).await;
        let median = times[times.len() / 2];
        println!(
            "import/{name}/{rows} rows: median {:.2} s ({:.0} rows/s) over {runs} runs {:?}",
            median.as_secs_f64(),
            rows as f64 / median.as_secs_f64(),
            times
                .iter()
                .map(|t| format!("{:.2}s", t.as_secs_f64()))
                .collect::<Vec<_>>()
        );
    }

    // 100,000 rows: refused whole, nothing written, memory bounded.
    let before = peak_mib();
    let scratch = database::create("rapport_bench", Path::new(TMP), None).await;
    let (url, dir) = (&scratch.url, &scratch.data_dir);
    event_in(url).await;
    let file = dir.join("huge.csv");
    std::fs::write(&file, csv(100_000)).unwrap();
    let size = std::fs::metadata(&file).unwrap().len();
    let start = Instant::now();
    let err = import(url, dir, &file).await.unwrap_err().to_string();
    let took = start.elapsed();
    assert!(err.contains("more than"), "{err}");
    assert!(!dir.join("outbox").exists(), "nothing imported");
    println!(
        "import/100000 rows ({:.1} MB): refused in {:.2} s: \"{err}\"; peak memory {:.0} MiB before, {:.0} MiB after",
        size as f64 / 1e6,
        took.as_secs_f64(),
        before.unwrap_or(f64::NAN),
        peak_mib().unwrap_or(f64::NAN)
    );
    scratch.remove().await;
}
