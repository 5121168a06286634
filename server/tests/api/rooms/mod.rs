//! Live rooms over real WebSockets, on SQLite and (when given) PostgreSQL:
//! the upgrade's session and Origin checks, live chat and presence, resume
//! after a dropped connection with nothing missing or duplicated,
//! idempotent retries, gap-free sequence numbers under concurrent posters,
//! history paging, every limit and bad input answered on the socket,
//! blocked pairs, posts over HTTP and messages of deleted accounts. Its
//! children: `moderation` (moderators' actions, room rules, transcripts),
//! `tags` (room tags chosen, filtered by, edited by moderators only, refused
//! whole) and `cluster` (several instances on PostgreSQL, chaos).

use crate::common;
use crate::common::{
    event_with, spawn_app, user_id,
    ws::{open, session_cookie, topic_room, Client, Instance},
    Backend, TestApp, PASSWORD,
};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

mod cluster;
mod moderation;
mod tags;

fn seqs(messages: &[Value]) -> Vec<u64> {
    messages
        .iter()
        .map(|m| m["seq"].as_u64().unwrap())
        .collect()
}

fn texts(messages: &[Value]) -> Vec<String> {
    messages
        .iter()
        .map(|m| m["text"].as_str().unwrap().to_owned())
        .collect()
}

async fn upgrade_needs_a_session_and_an_allowed_origin(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_slug, clients) = event_with(app, &[]).await;
    let ada = &clients[0];
    assert_eq!(open(ada, None, Some(&ada.base)).await.err(), Some(401));
    assert_eq!(
        open(ada, Some("rapport_session=forged"), None).await.err(),
        Some(401),
        "an unknown session is refused"
    );
    let cookie = session_cookie(ada, "ada@example.org").await;
    assert_eq!(
        open(ada, Some(&cookie), Some("https://evil.example"))
            .await
            .err(),
        Some(403),
        "a foreign Origin is refused"
    );
    assert!(open(ada, Some(&cookie), Some(&ada.base)).await.is_ok());
    assert!(
        open(ada, Some(&cookie), None).await.is_ok(),
        "a client that is not a browser sends no Origin"
    );
    // A logged-out session no longer opens sockets.
    let (status, _) = ada.call_json("logout", &[]).await;
    assert_eq!(status, 200);
}
on_both_backends!(
    upgrade_checks,
    upgrade_needs_a_session_and_an_allowed_origin
);

async fn two_members_chat_live_with_presence(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, clients) = event_with(app, &["Ben"]).await;
    let room = topic_room(&clients[0], &slug, "Rust folks").await;
    let ben_id = user_id(&clients[1]).await;

    let mut ada = Client::connect(&clients[0], "ada@example.org").await;
    let (joined, history) = ada.join(&room, None).await;
    assert_eq!(joined["last_seq"], 0);
    assert!(history.is_empty());
    let names: Vec<&str> = joined["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Ada"]);

    let mut ben = Client::connect(&clients[1], "ben@example.org").await;
    let (joined, _) = ben.join(&room, None).await;
    assert_eq!(joined["members"].as_array().unwrap().len(), 2);
    let arrived = ada.recv_until(|v| v["type"] == "presence_joined").await;
    assert_eq!(arrived["member"]["user_id"], ben_id.as_str());
    assert_eq!(arrived["member"]["name"], "Ben");

    // The rooms list shows live occupancy.
    let (_, list) = clients[0]
        .call_json("event_rooms", &[("slug", &slug)])
        .await;
    assert_eq!(list["rooms"][0]["occupancy"], 2, "{list}");

    let ack = ada.post(&room, "ada-msg-0001", "Hello Ben").await;
    assert_eq!(ack["type"], "ack", "{ack}");
    assert_eq!(ack["seq"], 1);
    let got = ben.messages(1).await;
    assert_eq!(got[0]["text"], "Hello Ben");
    assert_eq!(got[0]["author_name"], "Ada");
    assert_eq!(got[0]["seq"], 1);
    let own = ada.messages(1).await;
    assert_eq!(own[0]["seq"], 1, "the sender gets its own message too");

    let ack = ben.post(&room, "ben-msg-0001", "Hi Ada").await;
    assert_eq!(ack["seq"], 2);
    assert_eq!(texts(&ada.messages(1).await), ["Hi Ada"]);

    // Leaving tells the others.
    ben.send(json!({"type": "leave", "room": room})).await;
    ben.recv_until(|v| v["type"] == "left").await;
    let left = ada.recv_until(|v| v["type"] == "presence_left").await;
    assert_eq!(left["user_id"], ben_id.as_str());

    // The room page renders the history on the server.
    let page = clients[1]
        .get(&format!("/e/{slug}/rooms/{room}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Hello Ben") && page.contains("Hi Ada"));
}
on_both_backends!(chat_and_presence, two_members_chat_live_with_presence);

async fn resume_after_a_dropped_connection_gets_exactly_the_missed_messages(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, clients) = event_with(app, &["Ben"]).await;
    let room = topic_room(&clients[0], &slug, "Hallway").await;
    let mut ada = Client::connect(&clients[0], "ada@example.org").await;
    ada.join(&room, None).await;
    let mut ben = Client::connect(&clients[1], "ben@example.org").await;
    ben.join(&room, None).await;

    ada.post(&room, "resume-0001", "one").await;
    let seen = ben.messages(1).await;
    let last = seen[0]["seq"].as_u64().unwrap();
    drop(ben);

    for i in 2..=6 {
        let ack = ada
            .post(&room, &format!("resume-000{i}"), &format!("m{i}"))
            .await;
        assert_eq!(ack["seq"], i);
    }
    let mut ben = Client::connect(&clients[1], "ben@example.org").await;
    let (joined, replayed) = ben.join(&room, Some(last)).await;
    assert_eq!(joined["last_seq"], 6);
    assert_eq!(
        seqs(&replayed),
        [2, 3, 4, 5, 6],
        "every missed message once, in order"
    );
    assert_eq!(texts(&replayed), ["m2", "m3", "m4", "m5", "m6"]);

    // Then live, without a gap or a repeat.
    ada.post(&room, "resume-0007", "m7").await;
    assert_eq!(seqs(&ben.messages(1).await), [7]);
    ben.no_message_within(300).await;

    // Resuming from the newest number replays nothing.
    let mut again = Client::connect(&clients[1], "ben@example.org").await;
    let (_, replayed) = again.join(&room, Some(7)).await;
    assert!(replayed.is_empty());
}
on_both_backends!(
    resume,
    resume_after_a_dropped_connection_gets_exactly_the_missed_messages
);

async fn a_retried_send_is_stored_once(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, clients) = event_with(app, &["Ben"]).await;
    let room = topic_room(&clients[0], &slug, "Retry").await;
    let mut ada = Client::connect(&clients[0], "ada@example.org").await;
    ada.join(&room, None).await;
    let mut ben = Client::connect(&clients[1], "ben@example.org").await;
    ben.join(&room, None).await;

    let first = ada.post(&room, "same-id-0001", "once").await;
    let again = ada.post(&room, "same-id-0001", "once").await;
    assert_eq!(first["seq"], 1);
    assert_eq!(again["type"], "ack");
    assert_eq!(
        again["seq"], 1,
        "a retry is acknowledged with the stored number"
    );
    // On a new connection too (the outbox sent after a reconnect).
    let mut ada2 = Client::connect(&clients[0], "ada@example.org").await;
    ada2.join(&room, Some(1)).await;
    assert_eq!(ada2.post(&room, "same-id-0001", "once").await["seq"], 1);

    assert_eq!(seqs(&ben.messages(1).await), [1]);
    ben.no_message_within(300).await;
    // Another person may use the same id for their own message.
    assert_eq!(ben.post(&room, "same-id-0001", "mine").await["seq"], 2);
}
on_both_backends!(idempotent_retry, a_retried_send_is_stored_once);

async fn concurrent_posters_get_gap_free_sequence_numbers(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let names = ["Ben", "Chloe", "Dev"];
    let (slug, clients) = event_with(app, &names).await;
    let room = topic_room(&clients[0], &slug, "Busy").await;
    let mut listener = Client::connect(&clients[0], "ada@example.org").await;
    listener.join(&room, None).await;

    let per_poster = 10;
    let mut tasks = vec![];
    for (i, name) in names.iter().enumerate() {
        let email = format!("{}@example.org", name.to_lowercase());
        let mut c = Client::connect(&clients[i + 1], &email).await;
        let room = room.clone();
        tasks.push(tokio::spawn(async move {
            c.join(&room, None).await;
            // Send everything at once (the burst allows 10), then collect acks.
            for n in 0..per_poster {
                c.send(json!({"type": "send", "room": room,
                    "client_id": format!("{}-{n:04}", c.email.replace(['@', '.'], "-")),
                    "text": format!("{} {n}", c.email)}))
                    .await;
            }
            let mut acks = vec![];
            while acks.len() < per_poster {
                let v = c
                    .recv_until(|v| v["type"] == "ack" || v["type"] == "error")
                    .await;
                assert_eq!(v["type"], "ack", "{v}");
                acks.push(v["seq"].as_u64().unwrap());
            }
            acks
        }));
    }
    let mut all = vec![];
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all.sort_unstable();
    let total = (names.len() * per_poster) as u64;
    assert_eq!(all, (1..=total).collect::<Vec<_>>(), "gap-free and unique");
    let live = listener.messages(total as usize).await;
    assert_eq!(
        seqs(&live),
        (1..=total).collect::<Vec<_>>(),
        "in order, live"
    );
}
on_both_backends!(
    concurrent_posters,
    concurrent_posters_get_gap_free_sequence_numbers
);

async fn history_pages_back(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, clients) = event_with(app, &[]).await;
    let room = topic_room(&clients[0], &slug, "Archive").await;
    let ada_id = app::domain::UserId(user_id(&clients[0]).await.parse().unwrap());
    let room_id = app::domain::RoomId::parse(&room).unwrap();
    for i in 1..=60 {
        clients[0]
            .store
            .post_message(
                room_id,
                ada_id,
                &app::domain::ClientMessageId::parse(&format!("hist-{i:04}")).unwrap(),
                &app::domain::MessageText::parse("text", &format!("h{i}")).unwrap(),
            )
            .await
            .unwrap();
    }
    let mut ada = Client::connect(&clients[0], "ada@example.org").await;
    let (joined, recent) = ada.join(&room, None).await;
    assert_eq!(joined["last_seq"], 60);
    assert_eq!(
        seqs(&recent),
        (11..=60).collect::<Vec<_>>(),
        "the newest page"
    );
    ada.send(json!({"type": "history", "room": room, "before": 11}))
        .await;
    let page = ada.recv_until(|v| v["type"] == "history").await;
    assert_eq!(page["more"], false);
    let older = page["messages"].as_array().unwrap().clone();
    assert_eq!(seqs(&older), (1..=10).collect::<Vec<_>>());
    ada.send(json!({"type": "history", "room": room, "before": 60}))
        .await;
    let page = ada.recv_until(|v| v["type"] == "history").await;
    assert_eq!(page["more"], true);
    assert_eq!(page["messages"].as_array().unwrap().len(), 50);
}
on_both_backends!(history, history_pages_back);

async fn error_code(c: &mut Client) -> (String, Value) {
    let v = c.recv_until(|v| v["type"] == "error").await;
    (v["code"].as_str().unwrap().to_owned(), v)
}

async fn limits_and_bad_input_are_answered_on_the_socket(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, clients) = event_with(app, &["Ben"]).await;
    let room = topic_room(&clients[0], &slug, "Limits").await;
    let cookie = session_cookie(&clients[0], "ada@example.org").await;

    // Before hello, and with a version this server does not speak.
    let ws = open(&clients[0], Some(&cookie), None).await.unwrap();
    let mut raw = Client {
        ws,
        email: "ada@example.org".into(),
    };
    raw.send(json!({"type": "join", "room": room})).await;
    assert_eq!(error_code(&mut raw).await.0, "bad_message");
    raw.send(json!({"type": "hello", "version": 99})).await;
    let (code, v) = error_code(&mut raw).await;
    assert_eq!(code, "unsupported_version");
    assert_eq!(v["limit"], 1);

    let mut ada = Client::connect(&clients[0], "ada@example.org").await;
    ada.ws.send(Message::text("{not json")).await.unwrap();
    assert_eq!(error_code(&mut ada).await.0, "bad_message");
    ada.send(json!({"type": "shout", "room": room})).await;
    assert_eq!(error_code(&mut ada).await.0, "bad_message");
    ada.ws.send(Message::binary(vec![1u8, 2, 3])).await.unwrap();
    let (code, v) = error_code(&mut ada).await;
    assert_eq!(code, "bad_message");
    assert!(v["message"].as_str().unwrap().contains("Binary"));

    // Posting to a room not joined; then the size limit, exactly.
    assert_eq!(
        ada.post(&room, "limit-0001", "hi").await["code"],
        "not_joined"
    );
    ada.join(&room, None).await;
    let too_long = ada.post(&room, "limit-0002", &"x".repeat(2001)).await;
    assert_eq!(too_long["code"], "message_too_long", "{too_long}");
    assert_eq!(too_long["limit"], 2000);
    assert_eq!(
        ada.post(&room, "limit-0003", &"é".repeat(2000)).await["type"],
        "ack"
    );
    assert_eq!(
        ada.post(&room, "bad id", "hi").await["code"],
        "bad_client_id"
    );

    // A flood: the burst passes, then each refusal names the rate.
    for n in 0..15 {
        ada.send(json!({"type": "send", "room": room, "client_id": format!("flood-{n:04}"), "text": "spam"}))
            .await;
    }
    let mut acks = 0;
    let mut limited = 0;
    for _ in 0..15 {
        let v = ada
            .recv_until(|v| v["type"] == "ack" || v["type"] == "error")
            .await;
        if v["type"] == "ack" {
            acks += 1;
        } else {
            assert_eq!(v["code"], "rate_limited", "{v}");
            assert_eq!(v["limit"], 5);
            limited += 1;
        }
    }
    assert!(limited >= 1 && acks >= 5, "{acks} acks, {limited} refused");

    // A room of another event, and one that does not exist.
    let other = clients[1].create_event("Other Conf").await;
    let foreign = topic_room(&clients[1], &other, "Elsewhere").await;
    ada.send(json!({"type": "join", "room": foreign})).await;
    assert_eq!(error_code(&mut ada).await.0, "unknown_room");
    ada.send(json!({"type": "join", "room": "not-a-room"}))
        .await;
    assert_eq!(error_code(&mut ada).await.0, "unknown_room");

    // The socket still works after all that.
    ada.send(json!({"type": "ping"})).await;
    ada.recv_until(|v| v["type"] == "pong").await;

    // A frame over the limit closes the socket with 1009; others carry on.
    let mut ben = Client::connect(&clients[1], "ben@example.org").await;
    ben.join(&room, None).await;
    ada.ws
        .send(Message::text("x".repeat(20 * 1024)))
        .await
        .unwrap();
    let closed = loop {
        match tokio::time::timeout(Duration::from_secs(5), ada.ws.next()).await {
            Ok(Some(Ok(Message::Close(frame)))) => break frame,
            Ok(Some(Ok(_))) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    };
    let frame = closed.expect("a close reason");
    assert_eq!(u16::from(frame.code), 1009);
    assert!(frame.reason.contains("16384"), "{}", frame.reason);
    assert_eq!(
        ben.post(&room, "after-0001", "still here").await["type"],
        "ack"
    );
}
on_both_backends!(limits, limits_and_bad_input_are_answered_on_the_socket);

async fn blocked_pairs_do_not_see_each_other(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, clients) = event_with(app, &["Ben", "Chloe"]).await;
    let room = topic_room(&clients[0], &slug, "Blocked").await;
    let chloe_id = user_id(&clients[2]).await;
    let (status, _) = clients[1]
        .call_json("block", &[("user_id", &chloe_id)])
        .await;
    assert!(status == 200 || status == 302 || status == 303, "{status}");

    let mut chloe = Client::connect(&clients[2], "chloe@example.org").await;
    chloe.join(&room, None).await;
    let mut ada = Client::connect(&clients[0], "ada@example.org").await;
    ada.join(&room, None).await;
    let mut ben = Client::connect(&clients[1], "ben@example.org").await;
    let (joined, _) = ben.join(&room, None).await;
    let names: Vec<&str> = joined["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Ada", "Ben"], "Chloe's presence is hidden from Ben");

    chloe.post(&room, "chloe-0001", "from Chloe").await;
    ben.post(&room, "ben-00001", "from Ben").await;
    assert_eq!(texts(&ada.messages(2).await), ["from Chloe", "from Ben"]);
    assert_eq!(
        texts(&ben.messages(1).await),
        ["from Ben"],
        "Ben does not get Chloe's"
    );
    ben.no_message_within(300).await;
    let chloe_got = chloe.messages(1).await;
    assert_eq!(texts(&chloe_got), ["from Chloe"], "nor Chloe Ben's");
    chloe.no_message_within(300).await;
    // Nor on the page, nor in a replay.
    let page = clients[1]
        .get(&format!("/e/{slug}/rooms/{room}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!page.contains("from Chloe"));
    let mut ben2 = Client::connect(&clients[1], "ben@example.org").await;
    let (_, replay) = ben2.join(&room, Some(0)).await;
    assert_eq!(texts(&replay), ["from Ben"]);
}
on_both_backends!(blocks, blocked_pairs_do_not_see_each_other);

async fn a_post_over_http_reaches_sockets_and_deleted_authors_show_as_deleted(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, clients) = event_with(app, &["Ben"]).await;
    let room = topic_room(&clients[0], &slug, "Forms").await;
    let mut ada = Client::connect(&clients[0], "ada@example.org").await;
    ada.join(&room, None).await;
    let (status, seq) = clients[1]
        .call_json(
            "post_room_message",
            &[
                ("slug", &slug),
                ("room", &room),
                ("client_id", "form-0001"),
                ("text", "no JavaScript here"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{seq}");
    assert_eq!(seq, 1);
    let got = ada.messages(1).await;
    assert_eq!(got[0]["author_name"], "Ben");
    // The form has the socket's budget: a burst of 10, then 5 a second.
    let mut refused = 0;
    for i in 2..=31 {
        let id = format!("form-{i:04}");
        let (status, _) = clients[1]
            .call_json(
                "post_room_message",
                &[
                    ("slug", &slug),
                    ("room", &room),
                    ("client_id", &id),
                    ("text", "x"),
                ],
            )
            .await;
        if status == 429 {
            refused += 1;
        }
    }
    assert!(refused >= 1, "a flood over HTTP is limited too");

    let (status, body) = clients[1]
        .call_json("delete_account", &[("password", PASSWORD)])
        .await;
    assert_eq!(status, 200, "{body}");
    let mut again = Client::connect(&clients[0], "ada@example.org").await;
    let (_, replay) = again.join(&room, Some(0)).await;
    assert_eq!(replay[0]["author_id"], Value::Null);
    assert_eq!(replay[0]["author_name"], "Deleted user");
    assert_eq!(replay[0]["text"], "no JavaScript here");
}
on_both_backends!(
    http_posts,
    a_post_over_http_reaches_sockets_and_deleted_authors_show_as_deleted
);
