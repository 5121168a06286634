//! Rooms across instances on one PostgreSQL database, and chaos: people on
//! different instances talk in order, survive an instance dying and a
//! dropped listener connection, and random disconnects lose nothing.

use super::*;

/// Two instances on one PostgreSQL database: people on different instances
/// talk both ways, in order; one instance dies and its people resume on the
/// other without losing a message.
#[tokio::test]
async fn two_instances_on_postgres_talk_and_survive_one_dying() {
    let Some(db) = common::fresh_database(Backend::Postgres).await else {
        return;
    };
    let a = Instance::start(&db).await;
    let mut b = Instance::start(&db).await;
    let (slug, clients) = event_with(a.as_other(), &["Ben"]).await;
    let room = topic_room(&clients[0], &slug, "Across").await;
    let ben_on_b = b.as_other();
    let mut ada = Client::connect(&clients[0], "ada@example.org").await;
    ada.join(&room, None).await;
    // A second socket on A that only listens (`post` skips what it reads).
    let mut watcher = Client::connect(&clients[0], "ada@example.org").await;
    watcher.join(&room, None).await;
    let mut ben = Client::connect(&ben_on_b, "ben@example.org").await;
    ben.join(&room, None).await;
    let ben_id = user_id(&clients[1]).await;
    // Presence is merged across instances.
    let came = ada.recv_until(|v| v["type"] == "presence_joined").await;
    assert_eq!(came["member"]["user_id"], ben_id.as_str());

    for i in 1..=5 {
        ada.post(&room, &format!("across-a{i:03}"), &format!("a{i}"))
            .await;
    }
    assert_eq!(
        texts(&ben.messages(5).await),
        ["a1", "a2", "a3", "a4", "a5"]
    );
    ben.post(&room, "across-b001", "b1").await;
    let got = watcher.messages(6).await;
    assert_eq!(seqs(&got), [1, 2, 3, 4, 5, 6], "A's own and B's, in order");
    assert_eq!(got[5]["text"], "b1");

    // B dies; Ben comes back on A and gets what he missed, once, in order.
    let last = 6;
    b.kill();
    // The dead instance's people disappear within seconds.
    let died = tokio::time::Instant::now();
    let deadline = died + Duration::from_secs(15);
    loop {
        let frame = tokio::time::timeout_at(deadline, ada.ws.next())
            .await
            .expect("Ben's presence ends within 15 s");
        let Some(Ok(Message::Text(t))) = frame else {
            continue;
        };
        let v: Value = serde_json::from_str(t.as_str()).unwrap();
        if v["type"] == "presence_left" {
            assert_eq!(v["user_id"], ben_id.as_str());
            break;
        }
    }
    assert!(died.elapsed() < Duration::from_secs(12));
    for i in 6..=8 {
        ada.post(&room, &format!("across-a{i:03}"), &format!("a{i}"))
            .await;
    }
    let mut ben = Client::connect(&clients[1], "ben@example.org").await;
    let (_, replay) = ben.join(&room, Some(last)).await;
    assert_eq!(texts(&replay), ["a6", "a7", "a8"]);
    ada.post(&room, "across-a009", "a9").await;
    assert_eq!(texts(&ben.messages(1).await), ["a9"]);
}

/// Appends chat messages to `have`, checking each is the next number.
fn take_in_order(have: &mut Vec<u64>, messages: &[Value], who: &str) {
    for m in messages {
        let seq = m["seq"].as_u64().unwrap();
        assert_eq!(
            seq,
            have.len() as u64 + 1,
            "{who}: got {seq} after {:?} (a gap, repeat or reordering)",
            have.last()
        );
        have.push(seq);
    }
}

/// Chaos, bounded in time: while three people post (each dropping their
/// connection at random and resending unacknowledged messages with the
/// same ids), four readers disconnect and resume at random. Every reader
/// ends with the whole history, in order, without a duplicate, and every
/// message was stored exactly once.
async fn chaos_with_random_disconnects_loses_nothing(backend: Backend) {
    use rand::{Rng, SeedableRng};
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let people = ["Ben", "Chloe", "Dev", "Eve"];
    let (slug, clients) = event_with(app, &people).await;
    let room = topic_room(&clients[0], &slug, "Chaos").await;
    let per_poster = 15u64;
    let posters = 3u64;
    let total = per_poster * posters;
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));

    let mut readers = vec![];
    for (r, who) in ["ada", "dev", "eve", "ada"].into_iter().enumerate() {
        let app = match who {
            "ada" => clients[0].other_client(),
            "dev" => clients[3].other_client(),
            _ => clients[4].other_client(),
        };
        let (room, done) = (room.clone(), done.clone());
        readers.push(tokio::spawn(async move {
            let mut rng = rand::rngs::StdRng::seed_from_u64(100 + r as u64);
            let email = format!("{who}@example.org");
            let cookie = session_cookie(&app, &email).await;
            let mut have: Vec<u64> = vec![];
            let mut reconnects = 0;
            loop {
                let finished = done.load(std::sync::atomic::Ordering::SeqCst);
                let mut c = Client::with_cookie(&app, &email, &cookie).await;
                let (_, replay) = c.join(&room, Some(have.len() as u64)).await;
                take_in_order(&mut have, &replay, &email);
                if finished && have.len() as u64 == total {
                    return (have, reconnects);
                }
                let until =
                    tokio::time::Instant::now() + Duration::from_millis(rng.gen_range(50..400));
                while let Ok(Some(Ok(frame))) = tokio::time::timeout_at(until, c.ws.next()).await {
                    if let Message::Text(t) = frame {
                        let v: Value = serde_json::from_str(t.as_str()).unwrap();
                        if v["type"] == "message" {
                            take_in_order(&mut have, &[v["message"].clone()], &email);
                        }
                    }
                }
                drop(c);
                reconnects += 1;
            }
        }));
    }

    let mut writers = vec![];
    for p in 0..posters as usize {
        let app = clients[p].other_client();
        let email = ["ada", "ben", "chloe"][p].to_owned() + "@example.org";
        let room = room.clone();
        writers.push(tokio::spawn(async move {
            let mut rng = rand::rngs::StdRng::seed_from_u64(p as u64);
            let cookie = session_cookie(&app, &email).await;
            let mut c = Client::with_cookie(&app, &email, &cookie).await;
            c.join(&room, None).await;
            let mut seqs = vec![];
            for n in 0..per_poster {
                let id = format!("chaos-{p}-{n:04}");
                let msg = json!({"type": "send", "room": room, "client_id": id, "text": format!("{p}/{n}")});
                loop {
                    c.send(msg.clone()).await;
                    if rng.gen_bool(0.25) {
                        // Drop the connection before the ack: resend on a new one.
                        c = Client::with_cookie(&app, &email, &cookie).await;
                        c.join(&room, None).await;
                        continue;
                    }
                    let v = c
                        .recv_until(|v| {
                            (v["type"] == "ack" || v["type"] == "error") && v["client_id"] == id
                        })
                        .await;
                    if v["type"] == "ack" {
                        seqs.push(v["seq"].as_u64().unwrap());
                        break;
                    }
                    assert_eq!(v["code"], "rate_limited", "{v}");
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
                tokio::time::sleep(Duration::from_millis(rng.gen_range(0..60))).await;
            }
            seqs
        }));
    }
    let mut stored = vec![];
    for w in writers {
        stored.extend(w.await.unwrap());
    }
    stored.sort_unstable();
    assert_eq!(
        stored,
        (1..=total).collect::<Vec<_>>(),
        "each message stored once"
    );
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    for r in readers {
        let (have, reconnects) = tokio::time::timeout(Duration::from_secs(30), r)
            .await
            .expect("readers finish")
            .unwrap();
        assert_eq!(have, (1..=total).collect::<Vec<_>>());
        assert!(reconnects > 0);
    }
}
on_both_backends!(chaos, chaos_with_random_disconnects_loses_nothing);

/// When the LISTEN connections are killed (a network blip, a PostgreSQL
/// restart), instances reconnect and resync from the database: messages
/// posted around the blip still reach the other instance, in order.
#[tokio::test]
async fn instances_resync_after_their_listener_connection_drops() {
    let Some(db) = common::fresh_database(Backend::Postgres).await else {
        return;
    };
    let a = Instance::start(&db).await;
    let b = Instance::start(&db).await;
    let (slug, clients) = event_with(a.as_other(), &["Ben"]).await;
    let room = topic_room(&clients[0], &slug, "Blip").await;
    let mut ada = Client::connect(&clients[0], "ada@example.org").await;
    ada.join(&room, None).await;
    let mut ben = Client::connect(&b.as_other(), "ben@example.org").await;
    ben.join(&room, None).await;
    ada.post(&room, "blip-0001", "before").await;
    assert_eq!(texts(&ben.messages(1).await), ["before"]);

    let mut admin = <sqlx::PgConnection as sqlx::Connection>::connect(&db.url)
        .await
        .unwrap();
    let killed: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND query ILIKE 'LISTEN%'",
    )
    .fetch_all(&mut admin)
    .await
    .unwrap();
    assert_eq!(killed.len(), 2, "one listener per instance");
    for i in 2..=4 {
        ada.post(&room, &format!("blip-000{i}"), &format!("m{i}"))
            .await;
    }
    let got = ben.messages(3).await;
    assert_eq!(seqs(&got), [2, 3, 4]);
    assert_eq!(texts(&got), ["m2", "m3", "m4"]);
}
