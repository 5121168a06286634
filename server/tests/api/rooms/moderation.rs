//! Moderation in live rooms: actions that take effect live and are logged,
//! a room rule answered the same on every path, and moderators' transcripts.

use super::*;

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
