//! Load generator for direct messages (issue 16), a sibling of
//! `rooms_load.rs` built the same way (tokio-tungstenite, one thread).
//!
//! Runs against one or two `rapport` instances started separately with
//! the demo event (`--url a,b`: the first person of each pair talks to
//! the first instance, the second to the second; two instances need
//! PostgreSQL). It connects `--pairs` pairs of demo attendees (one badge
//! scan each), opens each person's socket and conversation, then both of
//! each pair send to the other for `--seconds` (at `--every-ms` each) and
//! it reports how long a message takes from the sender's `dm_send` to the
//! other person's socket (p50/p99/max), and lost, duplicated and
//! out-of-order messages.
//!
//! `--chaos` drops sockets at random (each socket every 0.5–3 s, either
//! side): a dropped sender keeps its unacknowledged messages in an outbox
//! and sends them again with the same client ids after reconnecting; a
//! dropped receiver reopens with the last number it saw. At the end every
//! conversation is read back over HTTP: every acknowledged message must
//! have been received exactly once, and none stored twice (each person
//! opens the conversation once more after the run and takes what is left).
//!
//! ```sh
//! ./target/debug/rapport serve --demo &
//! cargo bench -p server --bench dm_load -- --pairs 50 --seconds 20
//! cargo bench -p server --bench dm_load -- --pairs 20 --seconds 20 --chaos
//! ```
//! The per-person limit (20 at once, then one every 3 s) bounds the rate
//! of each sender; `--every-ms` below 3000 runs into it after the burst,
//! which the outbox then retries. Figures go in docs/benchmarks.md.

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::{
    collections::{BTreeMap, HashMap, HashSet},
    sync::{Arc, Mutex},
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};
use tokio_tungstenite::{
    connect_async_with_config,
    tungstenite::{
        client::IntoClientRequest, http::HeaderValue, protocol::WebSocketConfig, Message,
    },
};

#[derive(Debug, Clone)]
struct Args {
    urls: Vec<String>,
    pairs: usize,
    seconds: u64,
    every_ms: u64,
    chaos: bool,
    first: usize,
}

fn args() -> Args {
    let mut a = Args {
        urls: vec!["http://127.0.0.1:3000".into()],
        pairs: 20,
        seconds: 10,
        every_ms: 3000,
        chaos: false,
        first: 101,
    };
    let raw: Vec<String> = std::env::args().skip(1).collect();
    let mut it = raw.iter();
    while let Some(k) = it.next() {
        let mut v = || it.next().cloned().unwrap_or_default();
        match k.as_str() {
            "--url" => {
                a.urls = v()
                    .split(',')
                    .map(|u| u.trim_end_matches('/').to_owned())
                    .collect()
            }
            "--pairs" => a.pairs = v().parse().unwrap(),
            "--seconds" => a.seconds = v().parse().unwrap(),
            "--every-ms" => a.every_ms = v().parse().unwrap(),
            "--first" => a.first = v().parse().unwrap(),
            "--chaos" => a.chaos = true,
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

/// Logs `email` in; returns the session cookie.
async fn login(base: &str, email: &str) -> String {
    let res = reqwest::Client::new()
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

async fn call(base: &str, cookie: &str, name: &str, form: &[(&str, &str)]) -> Value {
    let res = reqwest::Client::new()
        .post(format!("{base}/api/{name}"))
        .header("cookie", cookie)
        .form(form)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{name}: {status} {body}");
    body
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens a socket and the conversation with `with`, resuming after `last`.
async fn open(base: &str, cookie: &str, with: &str, last: u64) -> Ws {
    let mut req = (base.replacen("http", "ws", 1) + "/ws")
        .into_client_request()
        .unwrap();
    req.headers_mut()
        .insert("cookie", HeaderValue::from_str(cookie).unwrap());
    req.headers_mut()
        .insert("origin", HeaderValue::from_str(base).unwrap());
    let config = WebSocketConfig::default().read_buffer_size(4096);
    let (mut ws, _) = connect_async_with_config(req, Some(config), true)
        .await
        .expect("socket");
    for m in [
        json!({"type":"hello","version":1}),
        json!({"type":"dm_open","with":with,"last_seq":last}),
    ] {
        ws.send(Message::text(m.to_string())).await.unwrap();
    }
    ws
}

/// One side of a pair.
#[derive(Clone)]
struct Side {
    base: String,
    cookie: String,
    /// The other person's id.
    with: String,
}

/// What one person's socket received from the other, over all its
/// reconnections, and what it sent.
#[derive(Default)]
struct Tally {
    /// Every number received, with how often.
    received: BTreeMap<u64, u32>,
    out_of_order: u64,
    latencies_us: Vec<u64>,
    /// client id -> seq, from acks.
    acked: HashMap<String, u64>,
    sent: u64,
    reconnects: u64,
}

/// Runs one person until `until`: sends every `every` and counts what the
/// other sends; with `chaos`, drops the socket at random.
async fn person(me: Side, my_id: String, every: Duration, until: Instant, chaos: bool) -> Tally {
    let mut t = Tally::default();
    // The outbox: client id -> text, until acknowledged.
    let mut outbox: Vec<(String, String)> = vec![];
    let mut last = 0u64;
    let mut n = 0u64;
    let mut rng = (micros_now() ^ (my_id.len() as u64 * 7919)) | 1;
    let mut next_rand = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    'session: loop {
        let mut ws = open(&me.base, &me.cookie, &me.with, last).await;
        let mut caught_up = false;
        // Live messages that arrive before `dm_opened` are hints (the
        // conversation is not open on this socket yet); the replay after
        // `dm_open` brings them again, in order.
        let mut opened = false;
        let drop_at = if chaos {
            Some(Instant::now() + Duration::from_millis(500 + next_rand() % 2500))
        } else {
            None
        };
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            if Instant::now() >= until + Duration::from_secs(3) {
                break 'session;
            }
            let chaos_wait = async {
                match drop_at {
                    Some(at) => tokio::time::sleep_until(at.into()).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = tick.tick(), if caught_up && Instant::now() < until => {
                    n += 1;
                    let id = format!("dm{}x{n:08}", &my_id[..8]);
                    let text = format!("lg {}", micros_now());
                    outbox.push((id.clone(), text.clone()));
                    t.sent += 1;
                    let m = json!({"type":"dm_send","with":me.with,"client_id":id,"text":text});
                    if ws.send(Message::text(m.to_string())).await.is_err() {
                        continue 'session;
                    }
                }
                _ = chaos_wait => {
                    t.reconnects += 1;
                    let _ = ws.close(None).await;
                    continue 'session;
                }
                frame = ws.next() => {
                    let Some(Ok(Message::Text(text))) = frame else {
                        if matches!(frame, None | Some(Err(_))) {
                            t.reconnects += 1;
                            continue 'session;
                        }
                        continue;
                    };
                    let v: Value = serde_json::from_str(text.as_str()).unwrap_or(Value::Null);
                    match v["type"].as_str() {
                        Some("dm_opened") => opened = true,
                        Some("dm_caught_up") => {
                            caught_up = true;
                            // Resend what was not acknowledged, same ids.
                            for (id, text) in &outbox {
                                let m = json!({"type":"dm_send","with":me.with,"client_id":id,"text":text});
                                if ws.send(Message::text(m.to_string())).await.is_err() {
                                    continue 'session;
                                }
                            }
                        }
                        Some("dm_ack") => {
                            let id = v["client_id"].as_str().unwrap_or_default().to_owned();
                            let seq = v["seq"].as_u64().unwrap_or(0);
                            outbox.retain(|(c, _)| *c != id);
                            t.acked.insert(id, seq);
                        }
                        Some("dm_message") if opened => {
                            let m = &v["message"];
                            let seq = m["seq"].as_u64().unwrap_or(0);
                            if seq <= last && seq != 0 {
                                t.out_of_order += u64::from(!t.received.contains_key(&seq));
                            }
                            last = last.max(seq);
                            if m["author_id"].as_str() == Some(me.with.as_str()) {
                                *t.received.entry(seq).or_default() += 1;
                                if let Some(sent) = m["text"].as_str().and_then(|s| s.strip_prefix("lg ")).and_then(|s| s.parse::<u64>().ok()) {
                                    if caught_up {
                                        t.latencies_us.push(micros_now().saturating_sub(sent));
                                    }
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
    }
    // Read back: open once more after the last number seen and take what
    // is left (what was acknowledged late, or while this side was away).
    let mut ws = open(&me.base, &me.cookie, &me.with, last).await;
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(10), ws.next()).await;
        let Ok(Some(Ok(Message::Text(text)))) = frame else {
            if matches!(frame, Ok(Some(Ok(_)))) {
                continue;
            }
            break;
        };
        let v: Value = serde_json::from_str(text.as_str()).unwrap_or(Value::Null);
        match v["type"].as_str() {
            Some("dm_caught_up") => break,
            Some("dm_message") => {
                let m = &v["message"];
                if m["author_id"].as_str() == Some(me.with.as_str()) {
                    *t.received
                        .entry(m["seq"].as_u64().unwrap_or(0))
                        .or_default() += 1;
                }
            }
            _ => {}
        }
    }
    t
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let a = args();
    println!("{a:?}");
    let url = |i: usize| a.urls[i % a.urls.len()].clone();
    // Pairs of demo attendees, connected by one scan each (idempotent).
    let mut pairs = vec![];
    for p in 0..a.pairs {
        let (ea, eb) = (
            format!("attendee{:03}@demo.rapport.dev", a.first + 2 * p),
            format!("attendee{:03}@demo.rapport.dev", a.first + 2 * p + 1),
        );
        let (ca, cb) = (login(&url(0), &ea).await, login(&url(1), &eb).await);
        let badge = call(&url(1), &cb, "my_badge", &[("slug", "demo")]).await;
        let badge_url = badge["badge"]["url"].as_str().unwrap().to_owned();
        call(
            &url(0),
            &ca,
            "scan_badge",
            &[
                ("slug", "demo"),
                ("badge", &badge_url),
                ("mode", "connect"),
                ("method", "scanner"),
            ],
        )
        .await;
        let ida = call(&url(0), &ca, "my_profile", &[]).await["user_id"]
            .as_str()
            .unwrap()
            .to_owned();
        let idb = call(&url(1), &cb, "my_profile", &[]).await["user_id"]
            .as_str()
            .unwrap()
            .to_owned();
        pairs.push((ca, ida, cb, idb));
    }
    println!("{} pairs connected", pairs.len());
    let until = Instant::now() + Duration::from_secs(a.seconds);
    let every = Duration::from_millis(a.every_ms);
    let results: Arc<Mutex<Vec<(String, Tally, Tally)>>> = Arc::default();
    let mut handles = vec![];
    for (ca, ida, cb, idb) in pairs {
        let sa = Side {
            base: url(0),
            cookie: ca.clone(),
            with: idb.clone(),
        };
        let sb = Side {
            base: url(1),
            cookie: cb,
            with: ida.clone(),
        };
        let (results, chaos, base) = (results.clone(), a.chaos, url(0));
        handles.push(tokio::spawn(async move {
            let (ta, tb) = tokio::join!(
                person(sa, ida.clone(), every, until, chaos),
                person(sb, idb.clone(), every, until, chaos)
            );
            let _ = base;
            results.lock().unwrap().push((ca, ta, tb));
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    let results = results.lock().unwrap();
    let (mut lost, mut duplicated, mut ooo, mut acked, mut sent, mut reconnects) =
        (0u64, 0u64, 0u64, 0u64, 0u64, 0u64);
    let mut lat = vec![];
    let mut stored_twice = 0u64;
    for (_, ta, tb) in results.iter() {
        for (me, other) in [(ta, tb), (tb, ta)] {
            // Everything I had acknowledged, the other received once.
            let seqs: HashSet<u64> = me.acked.values().copied().collect();
            stored_twice += (me.acked.len() - seqs.len()) as u64;
            lost += seqs
                .iter()
                .filter(|s| !other.received.contains_key(s))
                .count() as u64;
            duplicated += other
                .received
                .values()
                .map(|n| u64::from(n.saturating_sub(1)))
                .sum::<u64>();
            ooo += other.out_of_order;
            acked += me.acked.len() as u64;
            sent += me.sent;
            reconnects += me.reconnects;
            lat.extend(other.latencies_us.iter().copied());
        }
    }
    lat.sort_unstable();
    let pct = |p: f64| {
        lat.get(((lat.len() as f64 * p) as usize).min(lat.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0) as f64
            / 1000.0
    };
    println!("sent {sent}, acknowledged {acked}, reconnects {reconnects}");
    println!(
        "lost {lost}, duplicated {duplicated}, out of order {ooo}, stored twice {stored_twice}"
    );
    println!(
        "latency to the other person's socket: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({} samples)",
        pct(0.50),
        pct(0.99),
        lat.last().copied().unwrap_or(0) as f64 / 1000.0,
        lat.len()
    );
}
