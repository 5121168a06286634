//! Live rooms over real WebSockets, on SQLite and (when given) PostgreSQL:
//! the upgrade's session and Origin checks, live chat and presence, resume
//! after a dropped connection with nothing missing or duplicated,
//! idempotent retries, gap-free sequence numbers under concurrent posters,
//! history paging, every limit and bad input answered on the socket,
//! blocked pairs, posts over HTTP, messages of deleted accounts, and room
//! tags (chosen, filtered by, edited by moderators only, refused whole).

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

async fn moderation_takes_effect_live_and_is_logged(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, clients) = event_with(app, &["Ben", "Chloe"]).await;
    let room = topic_room(&clients[0], &slug, "Moderated").await;
    let ben_id = user_id(&clients[1]).await;
    let mut ada = Client::connect(&clients[0], "ada@example.org").await;
    ada.join(&room, None).await;
    let mut ben = Client::connect(&clients[1], "ben@example.org").await;
    ben.join(&room, None).await;
    assert_eq!(ben.post(&room, "mod-00001", "rude words").await["seq"], 1);
    ada.messages(1).await;

    // An attendee who did not create the room cannot moderate it.
    let seq = "1";
    let (status, _) = clients[2]
        .call_json(
            "delete_room_message",
            &[("slug", &slug), ("room", &room), ("seq", seq)],
        )
        .await;
    assert_eq!(status, 403);
    // Anyone may report.
    let (status, body) = clients[2]
        .call_json(
            "report_room_message",
            &[
                ("slug", &slug),
                ("room", &room),
                ("seq", seq),
                ("reason", "rude"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");

    // The organizer removes it: everyone sees it removed at once.
    let (status, body) = clients[0]
        .call_json(
            "delete_room_message",
            &[("slug", &slug), ("room", &room), ("seq", seq)],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    for c in [&mut ada, &mut ben] {
        let v = c.recv_until(|v| v["type"] == "message_deleted").await;
        assert_eq!(v["seq"], 1);
    }
    let mut later = Client::connect(&clients[2], "chloe@example.org").await;
    let (_, replay) = later.join(&room, Some(0)).await;
    assert_eq!(replay[0]["deleted"], true);
    assert_eq!(replay[0]["text"], "");

    // Muted: Ben's sends are refused, naming the mute.
    let (status, body) = clients[0]
        .call_json(
            "mute_in_room",
            &[
                ("slug", &slug),
                ("room", &room),
                ("user_id", &ben_id),
                ("minutes", "10"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let refused = ben.post(&room, "mod-00002", "let me speak").await;
    assert_eq!(refused["code"], "muted", "{refused}");

    // Closed: the room says so live, and takes no messages or joins.
    let (status, body) = clients[0]
        .call_json(
            "close_room",
            &[("slug", &slug), ("room", &room), ("closed", "true")],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let state = later.recv_until(|v| v["type"] == "room_state").await;
    assert_eq!(state["closed"], true);
    assert_eq!(
        later.post(&room, "mod-00003", "anyone?").await["code"],
        "room_closed"
    );
    let mut fresh = Client::connect(&clients[2], "chloe@example.org").await;
    fresh.send(json!({"type": "join", "room": room})).await;
    assert_eq!(error_code(&mut fresh).await.0, "room_closed");
    let (status, _) = clients[0]
        .call_json(
            "close_room",
            &[("slug", &slug), ("room", &room), ("closed", "false")],
        )
        .await;
    assert_eq!(status, 200);

    // Every action is in the organizer's log; attendees cannot read it.
    let (status, log) = clients[0]
        .call_json("room_audit_log", &[("slug", &slug)])
        .await;
    assert_eq!(status, 200, "{log}");
    let lines: Vec<String> = log["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["what"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert!(lines
        .iter()
        .any(|l| l.starts_with("removed a message of Ben in Moderated")));
    assert!(lines
        .iter()
        .any(|l| l.starts_with("muted Ben in Moderated until")));
    assert!(lines.contains(&"closed Moderated".to_owned()));
    assert!(lines.contains(&"reopened Moderated".to_owned()));
    let (status, _) = clients[1]
        .call_json("room_audit_log", &[("slug", &slug)])
        .await;
    assert_eq!(status, 403);
}
on_both_backends!(moderation, moderation_takes_effect_live_and_is_logged);

/// The room rules are decided in one place (`app::service::rooms`): the
/// same refusal reaches the socket, the server functions and `/api/v1`
/// with the same code and the same words, taken from the service's
/// constants, so changing a rule there changes it on every path.
async fn a_room_rule_answers_the_same_on_every_path(backend: Backend) {
    use app::service::rooms::{CLOSED, MUTED, UNKNOWN_ROOM};
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, clients) = event_with(app, &["Ben"]).await;
    let room = topic_room(&clients[0], &slug, "Rules").await;
    let ben_id = user_id(&clients[1]).await;
    let mut ben = Client::connect(&clients[1], "ben@example.org").await;
    ben.join(&room, None).await;
    let post_over_http = |client_id: &'static str| {
        let (slug, room) = (slug.clone(), room.clone());
        let c = &clients[1];
        async move {
            c.call_json(
                "post_room_message",
                &[
                    ("slug", &slug),
                    ("room", &room),
                    ("client_id", client_id),
                    ("text", "hello"),
                ],
            )
            .await
        }
    };

    // Muted: the socket and the server function refuse with one message.
    let (status, body) = clients[0]
        .call_json(
            "mute_in_room",
            &[
                ("slug", &slug),
                ("room", &room),
                ("user_id", &ben_id),
                ("minutes", "10"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let socket = ben.post(&room, "rule-00001", "hello").await;
    assert_eq!(socket["code"], "muted", "{socket}");
    let (status, http) = post_over_http("rule-00002").await;
    assert_eq!(status, 403, "{http}");
    assert_eq!(http["error"], "forbidden");
    assert!(socket["message"].as_str().unwrap().starts_with(MUTED));
    assert_eq!(socket["message"], http["detail"], "one wording");

    // Closed: both refuse Ada (not muted) with the service's words.
    let (status, body) = clients[0]
        .call_json(
            "close_room",
            &[("slug", &slug), ("room", &room), ("closed", "true")],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let mut ada = Client::connect(&clients[0], "ada@example.org").await;
    ada.send(json!({"type": "join", "room": room})).await;
    let (code, joined) = error_code(&mut ada).await;
    assert_eq!(code, "room_closed");
    assert_eq!(joined["message"], CLOSED);
    let (status, http) = clients[0]
        .call_json(
            "post_room_message",
            &[
                ("slug", &slug),
                ("room", &room),
                ("client_id", "rule-00003"),
                ("text", "anyone?"),
            ],
        )
        .await;
    assert_eq!(status, 409, "{http}");
    assert_eq!(http["detail"], CLOSED);

    // A room of another event: unknown on the socket, to the server
    // functions and to the API, in the same words.
    let other = clients[1].create_event("Other Conf").await;
    let foreign = topic_room(&clients[1], &other, "Elsewhere").await;
    ada.send(json!({"type": "join", "room": foreign})).await;
    let (code, socket) = error_code(&mut ada).await;
    assert_eq!(code, "unknown_room");
    assert_eq!(socket["message"], UNKNOWN_ROOM);
    let (status, http) = clients[0]
        .call_json("room_page", &[("slug", &slug), ("room", &foreign)])
        .await;
    assert_eq!(status, 404, "{http}");
    assert_eq!(http["detail"], UNKNOWN_ROOM);
    let (status, body) = clients[0]
        .call_json("create_api_token", &[("slug", &slug), ("name", "Rules")])
        .await;
    assert_eq!(status, 200, "{body}");
    let token = body["secret"].as_str().unwrap().to_owned();
    let res = reqwest::Client::new()
        .get(format!("{}/api/v1/rooms/{foreign}", clients[0].base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 404);
    let api: Value = res.json().await.unwrap();
    assert_eq!(api["error"], "not_found");
    assert_eq!(api["detail"], UNKNOWN_ROOM);
}
on_both_backends!(
    one_rule_every_path,
    a_room_rule_answers_the_same_on_every_path
);

/// Moderators download a room's whole history as CSV: every message in
/// order, removed ones kept without their text, the reasons members
/// reported, formula cells defused; nobody else gets it.
async fn moderators_download_a_room_transcript(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, clients) = event_with(app, &["Ben", "Chloe"]).await;
    let room = topic_room(&clients[1], &slug, "Transcribed").await;
    let mut ben = Client::connect(&clients[1], "ben@example.org").await;
    ben.join(&room, None).await;
    ben.post(&room, "tr-000001", "=HYPERLINK(\"x\")").await;
    ben.post(&room, "tr-000002", "to be removed").await;
    let mut chloe = Client::connect(&clients[2], "chloe@example.org").await;
    chloe.join(&room, None).await;
    chloe.post(&room, "tr-000003", "hello, all").await;
    for (seq, reason) in [("2", "spam"), ("2", "rude")] {
        let (status, body) = clients[2]
            .call_json(
                "report_room_message",
                &[
                    ("slug", &slug),
                    ("room", &room),
                    ("seq", seq),
                    ("reason", reason),
                ],
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
    let (status, body) = clients[0]
        .call_json(
            "delete_room_message",
            &[("slug", &slug), ("room", &room), ("seq", "2")],
        )
        .await;
    assert_eq!(status, 200, "{body}");

    let path = format!("/e/{slug}/export/rooms/{room}/transcript.csv");
    // The organizer and the room's creator may; another attendee may not.
    for moderator in [&clients[0], &clients[1]] {
        let res = moderator.get(&path).await;
        assert_eq!(res.status(), 200);
        assert!(res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv"));
        let body = res.text().await.unwrap();
        let rows: Vec<Vec<String>> = csv::Reader::from_reader(body.as_bytes())
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect();
        let cells = |i: usize| -> Vec<&str> {
            [0, 2, 3, 4, 5]
                .iter()
                .map(|&c| rows[i][c].as_str())
                .collect()
        };
        assert_eq!(rows.len(), 3, "{body}");
        assert_eq!(cells(0), ["1", "Ben", "'=HYPERLINK(\"x\")", "", ""]);
        assert_eq!(cells(1), ["2", "Ben", "", "yes", "spam | rude"]);
        assert_eq!(cells(2), ["3", "Chloe", "hello, all", "", ""]);
    }
    assert_eq!(clients[2].get(&path).await.status(), 403);
    let stranger = clients[0].other_client();
    assert_eq!(stranger.get(&path).await.status(), 303);
    // Organizing another event does not open this event's rooms.
    let other = clients[2].create_event("Elsewhere").await;
    let elsewhere = format!("/e/{other}/export/rooms/{room}/transcript.csv");
    assert_eq!(clients[2].get(&elsewhere).await.status(), 404);
}
on_both_backends!(transcripts, moderators_download_a_room_transcript);

/// Creates a topic room with `tags` in `slug` as `app`'s user: the status
/// and the answer (the room's id, or the error).
async fn create_tagged_room(app: &TestApp, slug: &str, title: &str, tags: &str) -> (u16, Value) {
    app.call_json(
        "create_room",
        &[
            ("slug", slug),
            ("kind", "topic"),
            ("title", title),
            ("tags", tags),
        ],
    )
    .await
}

/// The titles and tags of the rooms list, filtered by `tag` when given.
async fn listed(app: &TestApp, slug: &str, tag: Option<&str>) -> Vec<(String, Vec<String>)> {
    let mut form = vec![("slug", slug)];
    if let Some(tag) = tag {
        form.push(("tag", tag));
    }
    let (status, list) = app.call_json("event_rooms", &form).await;
    assert_eq!(status, 200, "{list}");
    list["rooms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let tags = r["tags"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_str().unwrap().to_owned())
                .collect();
            (r["title"].as_str().unwrap().to_owned(), tags)
        })
        .collect()
}

fn owned(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

async fn rooms_are_created_with_tags_and_listed_filtered_by_one(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, clients) = event_with(app, &["Ben"]).await;
    let (ada, ben) = (&clients[0], &clients[1]);
    let (status, rust) = create_tagged_room(ada, &slug, "Rust folks", "Rust, ML; rust").await;
    assert_eq!(status, 200, "{rust}");
    let rust = rust.as_str().unwrap().to_owned();
    let (status, body) = create_tagged_room(ben, &slug, "Gophers", "go").await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = create_tagged_room(ben, &slug, "Hallway", "").await;
    assert_eq!(status, 200, "{body}");

    // Normalised, each once, in the order given.
    let all = listed(ada, &slug, None).await;
    assert_eq!(
        all,
        [
            (
                "Rust folks".to_owned(),
                owned(&["rust", "machine learning"])
            ),
            ("Gophers".to_owned(), owned(&["go"])),
            ("Hallway".to_owned(), vec![]),
        ]
    );
    let (_, list) = ada.call_json("event_rooms", &[("slug", &slug)]).await;
    assert_eq!(
        list["tags_in_use"],
        json!(["go", "machine learning", "rust"])
    );
    assert!(list["tag"].is_null());

    // Filtered by one tag, written as people type it.
    for typed in ["rust", " Rust ", "RustLang"] {
        let only = listed(ben, &slug, Some(typed)).await;
        assert_eq!(only.len(), 1, "{typed}: {only:?}");
        assert_eq!(only[0].0, "Rust folks");
    }
    assert_eq!(listed(ben, &slug, Some("ML")).await[0].0, "Rust folks");
    assert!(listed(ben, &slug, Some("cobol")).await.is_empty());
    assert_eq!(
        listed(ben, &slug, Some("")).await.len(),
        3,
        "empty: no filter"
    );

    // The page filters with a plain GET parameter (server-rendered, no
    // JavaScript needed) and shows the tags as chips linking to the filter.
    let page = ben
        .get(&format!("/e/{slug}/rooms?tag=go"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Gophers"), "{page}");
    assert!(!page.contains("Rust folks"), "filtered out");
    assert!(page.contains("Showing rooms tagged “go”"));
    let page = ben
        .get(&format!("/e/{slug}/rooms"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(&format!("href=\"/e/{slug}/rooms?tag=machine%20learning\"")));
    let room_page = ben
        .get(&format!("/e/{slug}/rooms/{rust}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(room_page.contains("data-testid=\"room-tags\""));
    assert!(room_page.contains(">machine learning<"), "{room_page}");

    // Rooms on my profile's tags are pointed out ("For you").
    let (status, _) = ben
        .call_json(
            "update_tags",
            &[
                ("tags_interest", "golang"),
                ("tags_offer", ""),
                ("tags_seek", ""),
            ],
        )
        .await;
    assert_eq!(status, 200);
    let (_, list) = ben.call_json("event_rooms", &[("slug", &slug)]).await;
    let for_you: Vec<_> = list["rooms"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["for_you"] == true)
        .map(|r| r["title"].as_str().unwrap())
        .collect();
    assert_eq!(for_you, ["Gophers"]);
}
on_both_backends!(
    tags_listed_and_filtered,
    rooms_are_created_with_tags_and_listed_filtered_by_one
);

async fn only_a_rooms_moderators_change_its_tags(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, clients) = event_with(app, &["Ben", "Cleo"]).await;
    let (ada, ben, cleo) = (&clients[0], &clients[1], &clients[2]);
    let (_, adas) = create_tagged_room(ada, &slug, "Rust folks", "rust").await;
    let adas = adas.as_str().unwrap().to_owned();
    let (_, bens) = create_tagged_room(ben, &slug, "Ben's corner", "").await;
    let bens = bens.as_str().unwrap().to_owned();
    // An attendee cannot retag someone else's room: refused, unchanged.
    let (status, body) = ben
        .call_json(
            "set_room_tags",
            &[("slug", &slug), ("room", &adas), ("tags", "spam")],
        )
        .await;
    assert_eq!(status, 403, "{body}");
    assert!(body.to_string().contains("moderate"), "{body}");
    assert_eq!(listed(ada, &slug, Some("rust")).await.len(), 1);
    assert!(listed(ada, &slug, Some("spam")).await.is_empty());

    // The creator may, and gets the tags as stored.
    let (status, body) = ben
        .call_json(
            "set_room_tags",
            &[("slug", &slug), ("room", &bens), ("tags", "Hiring, K8s")],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!(["hiring", "kubernetes"]));
    // So may an organizer, on anyone's room; no tags clears them.
    let (status, body) = ada
        .call_json("set_room_tags", &[("slug", &slug), ("room", &bens)])
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(listed(cleo, &slug, Some("hiring")).await.is_empty());
    // Another attendee may not; nor may someone outside the event.
    let (status, _) = cleo
        .call_json(
            "set_room_tags",
            &[("slug", &slug), ("room", &bens), ("tags", "go")],
        )
        .await;
    assert_eq!(status, 403);
    let stranger = ada.other_client();
    stranger.signup("Stranger", "stranger@example.org").await;
    let (status, _) = stranger
        .call_json(
            "set_room_tags",
            &[("slug", &slug), ("room", &bens), ("tags", "go")],
        )
        .await;
    assert_eq!(status, 403);
    assert!(listed(ada, &slug, Some("go")).await.is_empty());

    // Both changes are in the organizer's moderation log, refusals not.
    let (status, log) = ada.call_json("room_audit_log", &[("slug", &slug)]).await;
    assert_eq!(status, 200, "{log}");
    let lines: Vec<(&str, &str)> = log["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["actor"].as_str().unwrap(), l["what"].as_str().unwrap()))
        .collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines.contains(&(
        "Ben",
        "changed the tags of Ben's corner to hiring, kubernetes"
    )));
    assert!(lines.contains(&("Ada", "removed the tags of Ben's corner")));
}
on_both_backends!(tag_editing, only_a_rooms_moderators_change_its_tags);

async fn bad_room_tags_are_refused_and_nothing_is_stored(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, clients) = event_with(app, &["Ben"]).await;
    let (ada, ben) = (&clients[0], &clients[1]);

    // Too many, or not a tag: refused, naming the problem; no room made.
    let (status, body) = create_tagged_room(ben, &slug, "Busy", "a, b, c, d, e, f").await;
    assert_eq!(status, 422, "{body}");
    assert!(body.to_string().contains("at most 5 tags"), "{body}");
    let (status, body) = create_tagged_room(ben, &slug, "Long", &"x".repeat(41)).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.to_string().contains("40 characters"), "{body}");
    assert!(listed(ada, &slug, None).await.is_empty());

    // With free tags off, only the event's own tags: the unknown one is named.
    let (status, body) = ada
        .call_json(
            "update_taxonomy",
            &[("slug", &slug), ("taxonomy", "Languages: rust, go")],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = create_tagged_room(ben, &slug, "Legacy", "rust, cobol").await;
    assert_eq!(status, 422, "{body}");
    assert!(body.to_string().contains("“cobol”"), "{body}");
    assert!(listed(ada, &slug, None).await.is_empty());
    let (_, list) = ben.call_json("event_rooms", &[("slug", &slug)]).await;
    assert_eq!(list["tag_choice"]["suggested"], json!(["rust", "go"]));
    assert_eq!(list["tag_choice"]["only_suggested"], true);

    // Editing is held to the same rules and changes nothing when refused.
    let (status, room) = create_tagged_room(ben, &slug, "Rust", "Rust").await;
    assert_eq!(status, 200, "{room}");
    let room = room.as_str().unwrap().to_owned();
    for bad in ["cobol", "rust, go, a, b, c, d"] {
        let (status, body) = ben
            .call_json(
                "set_room_tags",
                &[("slug", &slug), ("room", &room), ("tags", bad)],
            )
            .await;
        assert_eq!(status, 422, "{bad}: {body}");
    }
    assert_eq!(
        listed(ada, &slug, None).await,
        [("Rust".to_owned(), owned(&["rust"]))]
    );
}
on_both_backends!(
    tag_refusals,
    bad_room_tags_are_refused_and_nothing_is_stored
);

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
