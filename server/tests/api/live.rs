//! Notifications and live dashboards over real WebSockets, on SQLite and
//! (when given) PostgreSQL: a scan, a connection request and its approval,
//! mutual interest and meeting requests reach the other person live;
//! announcements reach connected members and nobody else; organizers and
//! staff (only they) watch their dashboard change; "in a room with me"
//! recommendations; signing out closing that session's sockets; a removed
//! member leaving the event's rooms at once; and, with
//! two instances on PostgreSQL, notifications and matching updates crossing
//! between instances. Also what a socket does with clients that fall
//! silent, stop reading or fall behind (with the server's timeouts and
//! buffers shortened so each limit acts within seconds).

use crate::common;
use crate::common::{
    event_with, future_event, spawn_app, spawn_app_with, user_id,
    ws::{session_cookie, topic_room, Client, Instance},
    Backend, TestApp, PASSWORD,
};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

/// The next notification on `c`.
async fn notice(c: &mut Client) -> Value {
    c.recv_until(|v| v["type"] == "notification").await
}

/// Every message of `kind` arriving on `c` within `ms`.
async fn gather(c: &mut Client, kind: &str, ms: u64) -> Vec<Value> {
    let deadline = tokio::time::Instant::now() + Duration::from_millis(ms);
    let mut out = vec![];
    while let Ok(Some(Ok(frame))) = tokio::time::timeout_at(deadline, c.ws.next()).await {
        if let Message::Text(t) = frame {
            let v: Value = serde_json::from_str(t.as_str()).unwrap();
            if v["type"] == kind {
                out.push(v);
            }
        }
    }
    out
}

/// The caller's badge URL in `slug`.
async fn badge_url(app: &TestApp, slug: &str) -> String {
    let (status, b) = app.call_json("my_badge", &[("slug", slug)]).await;
    assert_eq!(status, 200, "{b}");
    b["badge"]["url"].as_str().unwrap().to_owned()
}

/// Scans `url` with the in-app scanner of `slug`; returns the outcome.
async fn scan(app: &TestApp, slug: &str, url: &str) -> String {
    let (status, v) = app
        .call_json(
            "scan_badge",
            &[
                ("slug", slug),
                ("badge", url),
                ("mode", "connect"),
                ("method", "scanner"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{v}");
    v["outcome"].as_str().unwrap().to_owned()
}

async fn scans_and_requests(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, people) = event_with(app, &["Ben", "Chloe"]).await;
    let (ada, ben, chloe) = (&people[0], &people[1], &people[2]);
    let mut ada_ws = Client::connect(ada, "ada@example.org").await;
    let mut ben_ws = Client::connect(ben, "ben@example.org").await;
    let mut ben_tab2 = Client::connect(ben, "ben@example.org").await;
    let mut chloe_ws = Client::connect(chloe, "chloe@example.org").await;

    // Ada scans Ben's badge: Ben is told on every tab, Ada (who is looking
    // at the result) is not.
    let ben_badge = badge_url(ben, &slug).await;
    assert_eq!(scan(ada, &slug, &ben_badge).await, "connected");
    for ws in [&mut ben_ws, &mut ben_tab2] {
        let n = notice(ws).await;
        assert_eq!(n["kind"], "connection", "{n}");
        assert_eq!(n["text"], "You are now connected with Ada.");
        assert_eq!(n["link"], "/connections");
        assert_eq!(n["event"], slug.as_str());
    }
    assert!(gather(&mut ada_ws, "notification", 500).await.is_empty());
    // Scanning again changes nothing and tells nobody.
    assert_eq!(scan(ada, &slug, &ben_badge).await, "already_connected");
    assert!(gather(&mut ben_ws, "notification", 700).await.is_empty());

    // Ben approves scans: Chloe's scan asks him; his yes tells her.
    let res = ben
        .call("set_approve_scans", &[("slug", &slug), ("approve", "on")])
        .await;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(scan(chloe, &slug, &ben_badge).await, "requested");
    let n = notice(&mut ben_ws).await;
    assert_eq!(n["kind"], "connection_request", "{n}");
    assert_eq!(n["text"], "Chloe scanned your badge and asks to connect.");
    let (_, mine) = ben.call_json("my_connections", &[]).await;
    let request = &mine["requests"][0];
    let (status, _) = ben
        .call_json(
            "answer_request",
            &[
                ("event_id", request["event_id"].as_str().unwrap()),
                ("from_id", request["from_id"].as_str().unwrap()),
                ("answer", "accept"),
            ],
        )
        .await;
    assert_eq!(status, 200);
    let n = notice(&mut chloe_ws).await;
    assert_eq!(n["kind"], "connection", "{n}");
    assert_eq!(n["text"], "You are now connected with Ben.");
}
on_both_backends!(
    scans_and_requests_notify_the_other_person,
    scans_and_requests
);

async fn answer(app: &TestApp, slug: &str, other: &str, answer: &str) {
    let (status, v) = app
        .call_json(
            "answer_recommendation",
            &[("slug", slug), ("user_id", other), ("answer", answer)],
        )
        .await;
    assert_eq!(status, 200, "{v}");
}

async fn interest_and_meetings(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, people) = future_event(
        app,
        &[
            ("Ben", "", "rust", "hiring"),
            ("Chloe", "", "hiring", "rust"),
        ],
    )
    .await;
    let (ben, chloe) = (&people[1], &people[2]);
    let (ben_id, chloe_id) = (user_id(ben).await, user_id(chloe).await);
    let mut ben_ws = Client::connect(ben, "ben@example.org").await;
    let mut chloe_ws = Client::connect(chloe, "chloe@example.org").await;

    // Interest on one side only is private.
    answer(ben, &slug, &chloe_id, "interested").await;
    assert!(gather(&mut chloe_ws, "notification", 700).await.is_empty());
    answer(chloe, &slug, &ben_id, "interested").await;
    for (ws, other) in [(&mut ben_ws, "Chloe"), (&mut chloe_ws, "Ben")] {
        let n = notice(ws).await;
        assert_eq!(n["kind"], "mutual_interest", "{n}");
        assert_eq!(
            n["text"],
            format!("You and {other} both want to meet: you are connected now.")
        );
    }

    let (status, id) = ben
        .call_json(
            "request_meeting",
            &[
                ("slug", &slug),
                ("user_id", &chloe_id),
                ("when[date]", "2031-05-14"),
                ("when[time]", "10:00"),
                ("when[minutes]", "30"),
                ("when[spot]", ""),
                ("when[place]", "Lobby"),
                ("message", "Coffee?"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{id}");
    let n = notice(&mut chloe_ws).await;
    assert_eq!(n["kind"], "meeting_request", "{n}");
    assert_eq!(n["text"], "Ben asks to meet you.");
    assert_eq!(n["link"], format!("/e/{slug}/agenda"));
    let (status, _) = chloe
        .call_json(
            "answer_meeting",
            &[("id", id.as_str().unwrap()), ("answer", "accept")],
        )
        .await;
    assert_eq!(status, 200);
    let n = notice(&mut ben_ws).await;
    assert_eq!(n["kind"], "meeting_update", "{n}");
    assert_eq!(n["text"], "Chloe accepted your meeting.");
}
on_both_backends!(
    mutual_interest_and_meetings_notify_the_other_person,
    interest_and_meetings
);

async fn announcements(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let stranger = app.other_client();
    let (slug, people) = event_with(app, &["Ben"]).await;
    let (ada, ben) = (&people[0], &people[1]);
    stranger.signup("Zoe", "zoe@example.org").await;
    let mut ben_ws = Client::connect(ben, "ben@example.org").await;
    let mut zoe_ws = Client::connect(&stranger, "zoe@example.org").await;

    let (status, v) = ada
        .call_json(
            "post_announcement",
            &[("slug", &slug), ("body", "Lunch is served in Hall 2.")],
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let n = notice(&mut ben_ws).await;
    assert_eq!(n["kind"], "announcement", "{n}");
    assert_eq!(n["text"], "Lunch is served in Hall 2.");
    assert_eq!(n["link"], format!("/e/{slug}"));
    assert!(
        gather(&mut zoe_ws, "notification", 700).await.is_empty(),
        "not a member, not told"
    );
    // A long one is cut for the notification; the page has all of it.
    let long = "x".repeat(900);
    ada.call_json("post_announcement", &[("slug", &slug), ("body", &long)])
        .await;
    let n = notice(&mut ben_ws).await;
    let text = n["text"].as_str().unwrap();
    assert_eq!(text.chars().count(), 280);
    assert!(text.ends_with('…'));
}
on_both_backends!(announcements_reach_connected_members_only, announcements);

async fn dashboards(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, people) = event_with(app, &["Ben", "Chloe"]).await;
    let (ada, ben, chloe) = (&people[0], &people[1], &people[2]);
    let mut ada_ws = Client::connect(ada, "ada@example.org").await;
    let mut ben_ws = Client::connect(ben, "ben@example.org").await;

    // Attendees, strangers and unknown events are refused.
    for event in [slug.as_str(), "no-such-event", "Not A Slug!"] {
        ben_ws.send(json!({"type": "watch", "event": event})).await;
        let e = ben_ws.recv_until(|v| v["type"] == "error").await;
        assert_eq!(e["code"], "forbidden", "{e}");
    }
    ada_ws.send(json!({"type": "watch", "event": slug})).await;
    let w = ada_ws.recv_until(|v| v["type"] == "watching").await;
    assert_eq!(w["event"], slug.as_str());

    // A burst of scans is one change (or two across a window edge).
    let ben_badge = badge_url(ben, &slug).await;
    let ada_badge = badge_url(ada, &slug).await;
    scan(chloe, &slug, &ben_badge).await;
    scan(chloe, &slug, &ada_badge).await;
    scan(ben, &slug, &ada_badge).await;
    let changes = gather(&mut ada_ws, "dashboard_changed", 2_500).await;
    assert!(
        (1..=2).contains(&changes.len()),
        "coalesced, not one per scan: {changes:?}"
    );
    assert_eq!(changes[0]["event"], slug.as_str());
    // The numbers it points to did move.
    let (_, d) = ada.call_json("dashboard", &[("slug", &slug)]).await;
    assert_eq!(d["connections"], 3, "{d}");

    // After unwatching, nothing more comes.
    ada_ws.send(json!({"type": "unwatch", "event": slug})).await;
    scan(ben, &slug, &ada_badge).await;
    assert!(gather(&mut ada_ws, "dashboard_changed", 1_800)
        .await
        .is_empty());
    assert!(gather(&mut ben_ws, "dashboard_changed", 10)
        .await
        .is_empty());
}
on_both_backends!(dashboards_are_watched_by_organizers_and_staff, dashboards);

/// Names on my "people to meet" list, with `in_room` on or off.
async fn to_meet(app: &TestApp, slug: &str, in_room: bool) -> Vec<String> {
    let mut form = vec![("slug", slug)];
    if in_room {
        form.push(("in_room", "on"));
    }
    let (status, v) = app.call_json("people_to_meet", &form).await;
    assert_eq!(status, 200, "{v}");
    v["cards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["display_name"].as_str().unwrap().to_owned())
        .collect()
}

async fn in_room(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, people) = future_event(
        app,
        &[
            ("Ben", "rust", "", ""),
            ("Chloe", "rust", "", ""),
            ("Dev", "rust", "", ""),
        ],
    )
    .await;
    let (ada, ben, chloe) = (&people[0], &people[1], &people[2]);
    let room = &topic_room(ada, &slug, "Rust").await;
    let mut ben_ws = Client::connect(ben, "ben@example.org").await;
    let mut chloe_ws = Client::connect(chloe, "chloe@example.org").await;
    ben_ws.join(room, None).await;
    assert_eq!(to_meet(ben, &slug, true).await, Vec::<String>::new());
    chloe_ws.join(room, None).await;
    let mut everyone = to_meet(ben, &slug, false).await;
    everyone.sort();
    assert_eq!(everyone, ["Chloe", "Dev"]);
    assert_eq!(to_meet(ben, &slug, true).await, ["Chloe"]);
    // The room's "here now" list says why, person by person.
    let chloe_id = user_id(chloe).await;
    let ben_id = user_id(ben).await;
    let (status, why) = ben
        .call_json(
            "why_meet",
            &[("slug", &slug), ("ids[0]", &chloe_id), ("ids[1]", &ben_id)],
        )
        .await;
    assert_eq!(status, 200, "{why}");
    assert_eq!(why[0]["user_id"], chloe_id.as_str());
    assert_eq!(
        why[0]["reasons"],
        json!([{"kind": "shared_interest", "tag": "rust"}])
    );
    assert_eq!(why[1]["reasons"], json!([]), "not myself");
    chloe_ws.send(json!({"type": "leave", "room": room})).await;
    chloe_ws.recv_until(|v| v["type"] == "left").await;
    assert_eq!(to_meet(ben, &slug, true).await, Vec::<String>::new());
}
on_both_backends!(
    recommendations_can_be_limited_to_my_room_and_explained_there,
    in_room
);

/// The close frame `c` gets next (skipping other frames), as (code, reason).
async fn closed(c: &mut Client) -> (u16, String) {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(5), c.ws.next())
            .await
            .expect("closed within 5 s");
        match frame {
            Some(Ok(Message::Close(Some(f)))) => return (f.code.into(), f.reason.to_string()),
            Some(Ok(_)) => continue,
            other => panic!("no close frame: {other:?}"),
        }
    }
}

async fn sign_out(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, people) = event_with(app, &["Ben"]).await;
    let ben = &people[1];
    let phone = session_cookie(ben, "ben@example.org").await;
    let laptop = session_cookie(ben, "ben@example.org").await;
    let mut on_phone = Client::with_cookie(ben, "ben@example.org", &phone).await;
    let mut on_laptop = Client::with_cookie(ben, "ben@example.org", &laptop).await;
    let res = common::client()
        .post(format!("{}/api/logout", ben.base))
        .header("cookie", &phone)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success() || res.status().is_redirection());
    assert_eq!(closed(&mut on_phone).await, (1008, "signed out".into()));
    // The other session's socket stays.
    on_laptop.send(json!({"type": "ping"})).await;
    assert_eq!(
        on_laptop.recv_until(|v| v["type"] == "pong").await["type"],
        "pong"
    );
    // Deleting the account closes every socket of it.
    let res = common::client()
        .post(format!("{}/api/delete_account", ben.base))
        .header("cookie", &laptop)
        .form(&[("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success() || res.status().is_redirection());
    assert_eq!(closed(&mut on_laptop).await, (1008, "signed out".into()));
}
on_both_backends!(signing_out_closes_that_sessions_sockets, sign_out);

/// Logs `app`'s cookie jar in as `email`.
async fn log_in(app: &TestApp, email: &str) {
    let res = app
        .call("login", &[("email", email), ("password", PASSWORD)])
        .await;
    assert!(res.status().is_success(), "login {}", res.status());
}

/// Two instances on one PostgreSQL database: a scan on one reaches the
/// badge owner connected to the other, and a profile change on one shows
/// in the other's recommendations without a rebuild.
#[tokio::test]
async fn notifications_and_matching_updates_cross_instances() {
    let Some(db) = common::fresh_database(Backend::Postgres).await else {
        return;
    };
    let a = Instance::start(&db).await;
    let b = Instance::start(&db).await;
    let (slug, people) = future_event(
        a.app.other_client(),
        &[("Ben", "rust", "", ""), ("Chloe", "rust", "", "")],
    )
    .await;
    let (ada, chloe) = (&people[0], &people[2]);
    let ben_on_b = b.app.other_client();
    log_in(&ben_on_b, "ben@example.org").await;
    let mut ben_ws = Client::connect(&ben_on_b, "ben@example.org").await;

    let ben_badge = badge_url(&ben_on_b, &slug).await;
    assert_eq!(scan(ada, &slug, &ben_badge).await, "connected");
    let n = notice(&mut ben_ws).await;
    assert_eq!(n["text"], "You are now connected with Ada.");

    // Chloe's index lives on A. Ben, on B, starts offering observability,
    // which Chloe then seeks: A hears of it and explains it.
    assert_eq!(to_meet(chloe, &slug, false).await, ["Ben"]);
    let (status, v) = chloe
        .call_json(
            "update_tags",
            &[
                ("tags_interest", "rust"),
                ("tags_offer", ""),
                ("tags_seek", "observability"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let (status, v) = ben_on_b
        .call_json(
            "update_tags",
            &[
                ("tags_interest", "rust"),
                ("tags_offer", "observability"),
                ("tags_seek", ""),
            ],
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let reasons = || async {
        let (_, v) = chloe.call_json("people_to_meet", &[("slug", &slug)]).await;
        v["cards"][0]["reasons"].to_string()
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let r = reasons().await;
        if r.contains("observability") {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "A never heard of Ben's new tags: {r}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// An attendee removed from the event by an organizer stops receiving its
/// rooms at once (told why), without waiting for a reconnect, and cannot
/// join again.
async fn a_removed_member_leaves_the_events_rooms_at_once(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, people) = event_with(app, &["Ben"]).await;
    let (ada, ben) = (&people[0], &people[1]);
    let room = topic_room(ada, &slug, "Hallway").await;
    let mut ada_ws = Client::connect(ada, "ada@example.org").await;
    ada_ws.join(&room, None).await;
    let mut ben_ws = Client::connect(ben, "ben@example.org").await;
    ben_ws.join(&room, None).await;
    ada_ws.post(&room, "rm-000001", "before").await;
    assert_eq!(ben_ws.messages(1).await[0]["text"], "before");

    let ben_id = user_id(ben).await;
    let (status, body) = ada
        .call_json(
            "update_member",
            &[("slug", &slug), ("user_id", &ben_id), ("action", "remove")],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let told = ben_ws.recv_until(|v| v["type"] == "error").await;
    assert_eq!(told["code"], "forbidden", "{told}");
    assert_eq!(told["room"], room.as_str());
    let left = ben_ws.recv_until(|v| v["type"] == "left").await;
    assert_eq!(left["room"], room.as_str());

    ada_ws.post(&room, "rm-000002", "after").await;
    ben_ws.no_message_within(500).await;
    ben_ws.send(json!({"type": "join", "room": room})).await;
    // As for any non-member, the room does not exist for him.
    let refused = ben_ws.recv_until(|v| v["type"] == "error").await;
    assert_eq!(refused["code"], "unknown_room", "{refused}");
}
on_both_backends!(
    removed_members,
    a_removed_member_leaves_the_events_rooms_at_once
);

/// Sockets that send nothing at all, not even the pongs a WebSocket client
/// answers pings with, are closed at the idle timeout; a client that reads
/// (and so answers pings) stays however long it says nothing itself.
async fn idle(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |c| {
        c.sockets.ping_every = Duration::from_millis(100);
        c.sockets.idle_timeout = Duration::from_millis(400);
    })
    .await
    else {
        return;
    };
    let (slug, people) = event_with(app, &["Ben"]).await;
    let room = topic_room(&people[0], &slug, "Quiet").await;
    let mut reading = Client::connect(&people[0], "ada@example.org").await;
    let mut silent = Client::connect(&people[1], "ben@example.org").await;
    silent.join(&room, None).await;
    reading.join(&room, None).await;
    // The silent socket reads nothing from here on, so answers no ping.
    let ben_id = user_id(&people[1]).await;
    let left = reading
        .recv_until(|v| v["type"] == "presence_left" && v["user_id"] == ben_id.as_str())
        .await;
    assert_eq!(left["room"], room.as_str());
    // Its close frame is waiting behind the pings it never answered (if
    // answering them now does not find the connection gone first).
    loop {
        match silent.ws.next().await {
            Some(Ok(Message::Close(Some(f)))) => {
                assert_eq!(
                    (u16::from(f.code), f.reason.as_str()),
                    (1001, "idle timeout")
                );
                break;
            }
            Some(Ok(Message::Ping(_) | Message::Text(_))) => continue,
            Some(Err(_)) | None => break,
            other => panic!("{other:?}"),
        }
    }
    // Reading answers the pings; three idle timeouts later it is still open.
    let deadline = tokio::time::Instant::now() + Duration::from_millis(1200);
    let mut pings = 0;
    while let Ok(frame) = tokio::time::timeout_at(deadline, reading.ws.next()).await {
        match frame {
            Some(Ok(Message::Ping(_))) => pings += 1,
            Some(Ok(Message::Close(f))) => panic!("closed while answering pings: {f:?}"),
            other => assert!(matches!(other, Some(Ok(_))), "{other:?}"),
        }
    }
    assert!(pings >= 5, "pinged every 100 ms, got {pings}");
    reading.send(json!({"type": "ping"})).await;
    assert_eq!(
        reading.recv_until(|v| v["type"] == "pong").await["type"],
        "pong"
    );
}
on_both_backends!(silent_sockets_close_at_the_idle_timeout, idle);

/// 2,000 characters, numbered; four bytes each in UTF-8, so a few posts
/// fill a network buffer.
fn long_text(i: usize) -> String {
    let number = format!("{i:04} ");
    let fill = "🎉".repeat(app::domain::MAX_MESSAGE_CHARS - number.len());
    number + &fill
}

/// Posts long messages to `room` from `sockets` sockets of the person
/// whose session `cookie` is, as fast as a socket may, while reading
/// whatever they receive. Returns once all are stored, with how many that is.
///
/// The posting sockets are clients like any other: on a busy machine the
/// test's one thread may read them too slowly, and a room with a small
/// backlog then tells one of them to resync and drops it from the room,
/// refusing its next posts (`not_joined`). Such a socket does what the app
/// does: it joins again and sends the refused posts once more, with the
/// same `client_id`s (stored once whatever happens).
async fn flood(app: &TestApp, cookie: &str, room: &str, sockets: usize, each: usize) -> usize {
    let mut posters = vec![];
    for s in 0..sockets {
        let mut c = Client::with_cookie(app, "ben@example.org", cookie).await;
        c.join(room, None).await;
        let room = room.to_owned();
        posters.push(tokio::spawn(async move {
            let (mut tx, mut rx) = c.ws.split();
            let post = |i: usize| {
                let msg = json!({"type": "send", "room": room,
                    "client_id": format!("flood-{s:02}-{i:04}"), "text": long_text(i)});
                Message::text(msg.to_string())
            };
            // What the reader asks the sender to do: join again (`None`),
            // or send post `i` again.
            let (redo_tx, mut redo_rx) = tokio::sync::mpsc::unbounded_channel::<Option<usize>>();
            let mut reader = tokio::spawn(async move {
                let mut acks = 0;
                while let Some(Ok(frame)) = rx.next().await {
                    let Message::Text(t) = frame else { continue };
                    let v: Value = serde_json::from_str(t.as_str()).unwrap();
                    match v["type"].as_str() {
                        Some("ack") => {
                            acks += 1;
                            if acks == each {
                                return acks;
                            }
                        }
                        Some("resync") => redo_tx.send(None).unwrap(),
                        Some("error") if v["code"] == "not_joined" => {
                            let id = v["client_id"].as_str().unwrap_or_default();
                            let i = id.rsplit('-').next().and_then(|n| n.parse().ok());
                            redo_tx
                                .send(Some(i.expect("a refused post names its client id")))
                                .unwrap();
                        }
                        _ => {}
                    }
                }
                acks
            });
            let join = Message::text(json!({"type": "join", "room": room}).to_string());
            // Five a second per socket (the sustained limit), the sockets
            // staggered: a steady stream.
            tokio::time::sleep(Duration::from_millis(10 * s as u64)).await;
            for i in 0..each {
                while let Ok(redo) = redo_rx.try_recv() {
                    tx.send(redo.map_or_else(|| join.clone(), post))
                        .await
                        .unwrap();
                }
                tx.send(post(i)).await.unwrap();
                tokio::time::sleep(Duration::from_millis(210)).await;
            }
            // A guard against a hang, not a speed test: the client reads
            // every socket's whole room on the test's one thread, which a
            // busy machine can starve for long (the server, on its own
            // runtime, does not wait for it).
            let guard = tokio::time::sleep(Duration::from_secs(120));
            tokio::pin!(guard);
            loop {
                tokio::select! {
                    acks = &mut reader => return acks.unwrap(),
                    Some(redo) = redo_rx.recv() => {
                        tx.send(redo.map_or_else(|| join.clone(), post)).await.unwrap();
                    }
                    () = &mut guard => panic!("not every post was acknowledged in time"),
                }
            }
        }));
    }
    let mut stored = 0;
    for p in posters {
        stored += p.await.unwrap();
    }
    assert_eq!(stored, sockets * each, "every post acknowledged");
    stored
}

/// Reads `c` until the socket ends or `until` arrives, returning the chat
/// messages' sequence numbers and whether `until` came.
async fn read_out(c: &mut Client, until: &str) -> (Vec<u64>, bool) {
    let mut seqs = vec![];
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(20), c.ws.next())
            .await
            .expect("the socket ends or answers within 20 s");
        let Some(Ok(Message::Text(t))) = frame else {
            match frame {
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return (seqs, false),
                _ => continue,
            }
        };
        let v: Value = serde_json::from_str(t.as_str()).unwrap();
        if v["type"] == "message" {
            seqs.push(v["message"]["seq"].as_u64().unwrap());
        } else if v["type"] == until {
            return (seqs, true);
        }
    }
}

/// Resumes `room` after `seqs`, which must be 1..=k in order, and checks
/// the resumed socket brings exactly k+1..=total.
async fn resume_rest(app: &TestApp, room: &str, seqs: &[u64], total: usize) {
    let k = seqs.len() as u64;
    assert_eq!(
        seqs,
        (1..=k).collect::<Vec<_>>(),
        "in order, nothing skipped"
    );
    assert!(
        k < total as u64,
        "the client fell behind (read {k} of {total})"
    );
    let mut again = Client::connect(app, "ada@example.org").await;
    let (joined, rest) = again.join(room, Some(k)).await;
    assert_eq!(joined["last_seq"], total);
    let rest: Vec<u64> = rest.iter().map(|m| m["seq"].as_u64().unwrap()).collect();
    assert_eq!(rest, (k + 1..=total as u64).collect::<Vec<_>>());
}

/// A client that stops reading while its room is busy is closed once a
/// write has waited for the send timeout (so it cannot hold the server's
/// memory); the others see it leave, and it resumes without a gap.
async fn slow(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |c| {
        c.sockets.send_timeout = Duration::from_millis(500);
    })
    .await
    else {
        return;
    };
    let (slug, people) = event_with(app, &["Ben"]).await;
    let (ada, ben) = (&people[0], &people[1]);
    let room = topic_room(ada, &slug, "Busy").await;
    let ada_id = user_id(ada).await;
    let mut stalled = Client::with_small_window(ada, "ada@example.org", 4096).await;
    stalled.join(&room, None).await;
    let cookie = session_cookie(ben, "ben@example.org").await;
    let mut watcher = Client::with_cookie(ben, "ben@example.org", &cookie).await;
    watcher.join(&room, None).await;
    let left = tokio::spawn(async move {
        watcher
            .recv_until(|v| v["type"] == "presence_left" && v["user_id"] == ada_id.as_str())
            .await
    });
    let total = flood(ben, &cookie, &room, 20, 25).await;
    tokio::time::timeout(Duration::from_secs(10), left)
        .await
        .expect("the others see the stalled client leave")
        .unwrap();
    let (seqs, _) = read_out(&mut stalled, "never").await;
    resume_rest(ada, &room, &seqs, total).await;
}
on_both_backends!(clients_that_stop_reading_are_closed_and_resume, slow);

/// A client whose socket falls further behind its room than the room's
/// backlog is told to resync (never silently skipped), and resuming from
/// the last message it has brings exactly the rest.
async fn behind(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |c| {
        c.sockets.room_backlog = 64;
        // Stalled for seconds, but not closed: this is about the backlog.
        c.sockets.send_timeout = Duration::from_secs(60);
    })
    .await
    else {
        return;
    };
    let (slug, people) = event_with(app, &["Ben"]).await;
    let (ada, ben) = (&people[0], &people[1]);
    let room = topic_room(ada, &slug, "Busy").await;
    let mut lagging = Client::with_small_window(ada, "ada@example.org", 4096).await;
    lagging.join(&room, None).await;
    let cookie = session_cookie(ben, "ben@example.org").await;
    let total = flood(ben, &cookie, &room, 20, 25).await;
    let (seqs, resync) = read_out(&mut lagging, "resync").await;
    assert!(resync, "told to resync after {} messages", seqs.len());
    resume_rest(ada, &room, &seqs, total).await;
}
on_both_backends!(clients_further_behind_than_the_backlog_resync, behind);

/// A history page of long messages is cut to fit the socket's write
/// buffer (a full page of 2,000-character messages is bigger than it) and
/// says there is more; paging on brings every message once, in order.
async fn long_history(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, people) = event_with(app, &[]).await;
    let ada = &people[0];
    let room = topic_room(ada, &slug, "Essays").await;
    let room_id = app::domain::RoomId::parse(&room).unwrap();
    let ada_id = app::domain::UserId(user_id(ada).await.parse().unwrap());
    for i in 1..=100 {
        let id = app::domain::ClientMessageId::parse(&format!("long-{i:04}")).unwrap();
        let text = app::domain::MessageText::parse("text", &long_text(i)).unwrap();
        ada.store
            .post_message(room_id, ada_id, &id, &text)
            .await
            .unwrap();
    }
    let mut c = Client::connect(ada, "ada@example.org").await;
    let (_, recent) = c.join(&room, None).await;
    assert_eq!(recent.first().unwrap()["seq"], 51);
    let (mut before, mut older, mut pages) = (51, vec![], 0);
    loop {
        c.send(json!({"type": "history", "room": room, "before": before}))
            .await;
        let page = c.recv_until(|v| v["type"] == "history").await;
        assert!(page.to_string().len() < 64 * 1024, "a page fits the buffer");
        let seqs: Vec<u64> = page["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["seq"].as_u64().unwrap())
            .collect();
        pages += 1;
        before = seqs[0];
        older.splice(0..0, seqs);
        if page["more"] == false {
            break;
        }
    }
    assert_eq!(older, (1..=50).collect::<Vec<_>>());
    assert!(pages >= 2, "50 long messages took {pages} page(s)");
}
on_both_backends!(history_pages_of_long_messages_fit_the_buffer, long_history);
