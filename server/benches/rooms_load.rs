//! Load generator for live rooms, built on tokio-tungstenite (issue 6).
//!
//! Runs against a `rapport` started separately with the demo event
//! (`rapport serve --demo`), so the server and the generator can be pinned
//! to different cores (`taskset`). It logs in demo attendees, creates
//! `--rooms` rooms in the demo event, opens `--connections` sockets spread
//! over the rooms, then posts `--rate` messages per second in total for
//! `--seconds` (from enough sender sockets to stay under the per-socket
//! limit), and reports deliveries per second, latency p50/p99/max, lost,
//! duplicated and out-of-order messages, and the server's RSS
//! (`--server-pid`). `--idle` only holds the sockets and reports memory.
//!
//! ```sh
//! taskset -c 0 ./target/release/rapport serve --demo &
//! taskset -c 1 cargo bench -p server --bench rooms_load -- \
//!     --connections 2000 --rooms 1 --rate 200 --seconds 20 --server-pid $!
//! ```
//! Figures and commands go in docs/benchmarks.md.

use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};
use tokio_tungstenite::{
    connect_async_with_config,
    tungstenite::{
        client::IntoClientRequest, http::HeaderValue, protocol::WebSocketConfig, Message,
    },
};

#[derive(Debug)]
struct Args {
    url: String,
    connections: usize,
    rooms: usize,
    rate: u32,
    seconds: u64,
    users: usize,
    server_pid: Option<u32>,
    idle: bool,
}

fn args() -> Args {
    let mut a = Args {
        url: "http://127.0.0.1:3000".into(),
        connections: 1000,
        rooms: 1,
        rate: 100,
        seconds: 10,
        users: 50,
        server_pid: None,
        idle: false,
    };
    let raw: Vec<String> = std::env::args().skip(1).collect();
    let mut it = raw.iter();
    while let Some(k) = it.next() {
        let mut v = || it.next().cloned().unwrap_or_default();
        match k.as_str() {
            "--url" => a.url = v(),
            "--connections" => a.connections = v().parse().unwrap(),
            "--rooms" => a.rooms = v().parse().unwrap(),
            "--rate" => a.rate = v().parse().unwrap(),
            "--seconds" => a.seconds = v().parse().unwrap(),
            "--users" => a.users = v().parse().unwrap(),
            "--server-pid" => a.server_pid = Some(v().parse().unwrap()),
            "--idle" => a.idle = true,
            // `cargo bench` passes `--bench`.
            _ => {}
        }
    }
    a
}

fn micros_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_micros() as u64
}

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

async fn login(base: &str, email: &str) -> String {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = client
        .post(format!("{base}/api/login"))
        .form(&[("email", email), ("password", "rapport-demo")])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "login {email}: {}", res.status());
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("rapport_session="))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn open(base: &str, cookie: &str, room: &str) -> Ws {
    let ws_url = base.replacen("http", "ws", 1) + "/ws";
    let mut req = ws_url.into_client_request().unwrap();
    req.headers_mut()
        .insert("cookie", HeaderValue::from_str(cookie).unwrap());
    // tungstenite zero-fills its whole read buffer before every read, and
    // its default is 128 KiB: with 2,000 sockets on one core that memset
    // was nearly half of the generator's time (perf), delaying what it
    // measures. Frames here are a few hundred bytes. No Nagle delay on the
    // senders' small frames, as in a browser.
    let config = WebSocketConfig::default().read_buffer_size(4096);
    let (mut ws, _) = connect_async_with_config(req, Some(config), true)
        .await
        .expect("socket");
    ws.send(Message::text(
        json!({"type":"hello","version":1}).to_string(),
    ))
    .await
    .unwrap();
    ws.send(Message::text(
        json!({"type":"join","room":room,"last_seq":u64::MAX}).to_string(),
    ))
    .await
    .unwrap();
    // Until caught up.
    while let Some(Ok(m)) = ws.next().await {
        if let Message::Text(t) = m {
            if t.as_str().contains("\"caught_up\"") {
                break;
            }
        }
    }
    ws
}

/// The part of a server frame the receivers read.
#[derive(serde::Deserialize)]
struct Delivery<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    #[serde(borrow)]
    message: Option<DeliveredMessage<'a>>,
}

#[derive(serde::Deserialize)]
struct DeliveredMessage<'a> {
    seq: u64,
    #[serde(borrow)]
    text: std::borrow::Cow<'a, str>,
}

/// What one receiving socket saw.
#[derive(Default)]
struct Seen {
    delivered: u64,
    duplicated: u64,
    out_of_order: u64,
    last: u64,
    first: Option<u64>,
    latencies_us: Vec<u64>,
}

/// One thread: the generator is pinned to one core (`taskset`), where a
/// second worker thread would only add switches.
#[tokio::main(flavor = "current_thread")]
async fn main() {
    let a = args();
    println!("{a:?}");
    let base = a.url.trim_end_matches('/').to_owned();
    let organizer = login(&base, "ada@demo.rapport.dev").await;
    let http = reqwest::Client::new();
    let mut rooms = vec![];
    for i in 0..a.rooms {
        let res = http
            .post(format!("{base}/api/create_room"))
            .header("cookie", &organizer)
            .form(&[
                ("slug", "demo"),
                ("title", &format!("Load {i}")),
                ("kind", "topic"),
            ])
            .send()
            .await
            .unwrap();
        let id: String = res.json().await.unwrap();
        rooms.push(id);
    }
    let mut cookies = vec![];
    for u in 1..=a.users {
        cookies.push(login(&base, &format!("attendee{u:03}@demo.rapport.dev")).await);
    }

    // What the server holds before any socket, to tell the sockets' share.
    let before_kib = a.server_pid.and_then(rss_kib);
    // Receivers.
    let started = Instant::now();
    let stats: Arc<Mutex<Vec<Seen>>> = Arc::new(Mutex::new(vec![]));
    let stop = Arc::new(tokio::sync::watch::channel(false).0);
    let opened = Arc::new(AtomicU64::new(0));
    let mut handles = vec![];
    let gate = Arc::new(tokio::sync::Semaphore::new(200));
    for i in 0..a.connections {
        let (base, cookie, room) = (
            base.clone(),
            cookies[i % cookies.len()].clone(),
            rooms[i % rooms.len()].clone(),
        );
        let (stats, stop, opened, gate) =
            (stats.clone(), stop.clone(), opened.clone(), gate.clone());
        handles.push(tokio::spawn(async move {
            let permit = gate.acquire_owned().await.unwrap();
            let mut ws = open(&base, &cookie, &room).await;
            drop(permit);
            opened.fetch_add(1, Ordering::Relaxed);
            let mut seen = Seen::default();
            let mut stopped = stop.subscribe();
            loop {
                // No timer per message: the stop signal ends the wait.
                let m = tokio::select! {
                    m = ws.next() => m,
                    _ = stopped.changed() => break,
                };
                let Some(Ok(Message::Text(t))) = m else {
                    if m.is_none() {
                        break;
                    }
                    continue;
                };
                // Only the fields needed, borrowed: the generator must not
                // be what limits the measurement.
                let Ok(Delivery {
                    kind: "message",
                    message: Some(message),
                }) = serde_json::from_str::<Delivery>(t.as_str())
                else {
                    continue;
                };
                let seq = message.seq;
                if let Some(sent) = message
                    .text
                    .strip_prefix("lg ")
                    .and_then(|s| s.parse::<u64>().ok())
                {
                    seen.latencies_us.push(micros_now().saturating_sub(sent));
                }
                seen.first.get_or_insert(seq);
                if seq == seen.last {
                    seen.duplicated += 1;
                } else if seq < seen.last {
                    seen.out_of_order += 1;
                } else {
                    seen.delivered += 1;
                    seen.last = seq;
                }
            }
            stats.lock().unwrap().push(seen);
        }));
    }
    while opened.load(Ordering::Relaxed) < a.connections as u64 {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    println!(
        "{} sockets open and joined in {:.1} s",
        a.connections,
        started.elapsed().as_secs_f64()
    );
    if let Some(pid) = a.server_pid {
        if let (Some(kib), Some(before)) = (rss_kib(pid), before_kib) {
            println!(
                "server RSS {:.1} MiB before the sockets, {:.1} MiB with {} idle sockets: {:.2} KiB per socket",
                before as f64 / 1024.0,
                kib as f64 / 1024.0,
                a.connections,
                kib.saturating_sub(before) as f64 / a.connections as f64
            );
        }
    }
    if a.idle {
        // The whole process once start-up leftovers (the logins' Argon2
        // memory) are returned: what the sockets really cost beside it.
        tokio::time::sleep(Duration::from_secs(15)).await;
        if let Some(kib) = a.server_pid.and_then(rss_kib) {
            println!(
                "server RSS {:.1} MiB after holding them 15 s (whole process)",
                kib as f64 / 1024.0
            );
        }
        stop.send_replace(true);
        return;
    }

    // Senders: 4 messages per second each (under the per-socket limit).
    let per_sender = 4u32;
    let senders = a.rate.div_ceil(per_sender).max(1) as usize;
    let posted: Arc<Mutex<HashMap<String, u64>>> = Arc::new(Mutex::new(HashMap::new()));
    let mut send_handles = vec![];
    let run = Duration::from_secs(a.seconds);
    for s in 0..senders {
        let room = rooms[s % rooms.len()].clone();
        let ws = open(&base, &cookies[s % cookies.len()], &room).await;
        let posted = posted.clone();
        let interval = Duration::from_secs_f64(f64::from(senders as u32) / f64::from(a.rate));
        send_handles.push(tokio::spawn(async move {
            let begin = Instant::now();
            let mut tick = tokio::time::interval(interval);
            // A late tick must not turn into a burst over the socket's limit.
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut n = 0u64;
            let (mut sink, mut stream) = ws.split();
            // Counts what the server stored (acks) and refused.
            let drain = tokio::spawn(async move {
                let (mut acked, mut refused) = (0u64, 0u64);
                while let Some(Ok(frame)) = stream.next().await {
                    let Message::Text(t) = frame else { continue };
                    if t.as_str().contains("\"type\":\"ack\"") {
                        acked += 1;
                    } else if t.as_str().contains("\"type\":\"error\"") {
                        refused += 1;
                    }
                }
                (acked, refused)
            });
            while begin.elapsed() < run {
                tick.tick().await;
                n += 1;
                let msg = json!({"type":"send","room":room,
                    "client_id": format!("lg{s:05}x{n:08}"),
                    "text": format!("lg {}", micros_now())});
                if sink.send(Message::text(msg.to_string())).await.is_err() {
                    break;
                }
            }
            // Let the last acks arrive, then close so the drain ends.
            tokio::time::sleep(Duration::from_secs(2)).await;
            let _ = sink.close().await;
            let (acked, refused) = drain.await.unwrap_or_default();
            if refused > 0 {
                eprintln!("sender {s}: {refused} of {n} sends refused");
            }
            *posted.lock().unwrap().entry(room).or_default() += acked;
        }));
    }
    for h in send_handles {
        h.await.unwrap();
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    stop.send_replace(true);
    for h in handles {
        let _ = h.await;
    }
    let stats = stats.lock().unwrap();
    let mut lat: Vec<u64> = stats
        .iter()
        .flat_map(|s| s.latencies_us.iter().copied())
        .collect();
    lat.sort_unstable();
    let pct = |p: f64| {
        lat.get(((lat.len() as f64 * p) as usize).min(lat.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0)
    };
    let delivered: u64 = stats.iter().map(|s| s.delivered).sum();
    let posted_total: u64 = posted.lock().unwrap().values().sum();
    let per_room = posted_total / a.rooms as u64;
    let expected = per_room * a.connections as u64;
    println!(
        "stored {posted_total} messages ({:.0}/s)",
        posted_total as f64 / a.seconds as f64
    );
    println!(
        "deliveries {delivered} ({:.0}/s), expected {expected}, lost {}",
        delivered as f64 / a.seconds as f64,
        expected.saturating_sub(delivered)
    );
    println!(
        "duplicated {}, out of order {}",
        stats.iter().map(|s| s.duplicated).sum::<u64>(),
        stats.iter().map(|s| s.out_of_order).sum::<u64>()
    );
    println!(
        "latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        pct(0.50) as f64 / 1000.0,
        pct(0.99) as f64 / 1000.0,
        lat.last().copied().unwrap_or(0) as f64 / 1000.0
    );
    if let Some(pid) = a.server_pid {
        if let Some(kib) = rss_kib(pid) {
            println!("server RSS after the run: {:.1} MiB", kib as f64 / 1024.0);
        }
    }
}
