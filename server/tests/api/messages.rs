//! Direct messages over real HTTP and WebSocket, on SQLite and (when
//! given) PostgreSQL: two connected people talk live; a socket that was
//! away resumes with `last_seq` and gets exactly what it missed; a retried
//! client id stores one message; reading on one device is told to the
//! other; the plain form (no JavaScript) sends once however often it is
//! resubmitted; and, as a hostile attendee would try: a stranger cannot
//! open, send to or read a conversation, a block closes it both ways,
//! only the recipient reports, anonymous callers and other sites are
//! refused, and a flood hits the rate limit with a clear answer. On
//! PostgreSQL, a message sent on one instance reaches the other's socket.

use crate::common::ws::{Client, Instance};
use crate::common::{self, event_with, spawn_app, user_id, Backend, TestApp, PASSWORD};
use serde_json::{json, Value};

/// Connects `scanner` with `owner` by scanning the owner's badge in `slug`.
async fn connect(scanner: &TestApp, owner: &TestApp, slug: &str) {
    let (status, b) = owner.call_json("my_badge", &[("slug", slug)]).await;
    assert_eq!(status, 200, "{b}");
    let url = b["badge"]["url"].as_str().unwrap();
    let (status, v) = scanner
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
}

/// Opens the conversation with `with` on `c`; returns `dm_opened` and the
/// messages replayed before `dm_caught_up`.
async fn open(c: &mut Client, with: &str, last_seq: Option<u64>) -> (Value, Vec<Value>) {
    let mut frame = json!({"type": "dm_open", "with": with});
    if let Some(s) = last_seq {
        frame["last_seq"] = json!(s);
    }
    c.send(frame).await;
    let opened = c
        .recv_until(|v| v["type"] == "dm_opened" || v["type"] == "dm_error")
        .await;
    let mut replayed = vec![];
    if opened["type"] == "dm_opened" {
        loop {
            let v = c.recv().await;
            match v["type"].as_str() {
                Some("dm_caught_up") => break,
                Some("dm_message") => replayed.push(v),
                _ => {}
            }
        }
    }
    (opened, replayed)
}

async fn send(c: &mut Client, with: &str, client_id: &str, text: &str) -> Value {
    c.send(json!({"type": "dm_send", "with": with, "client_id": client_id, "text": text}))
        .await;
    c.recv_until(|v| {
        (v["type"] == "dm_ack" || v["type"] == "dm_error") && v["client_id"] == client_id
    })
    .await
}

async fn next_dm(c: &mut Client) -> Value {
    c.recv_until(|v| v["type"] == "dm_message").await
}

/// Ada and Ben, connected at Conf; Chloe, a member who met nobody.
async fn three(app: TestApp) -> (String, Vec<TestApp>, Vec<String>) {
    let (slug, people) = event_with(app, &["Ben", "Chloe"]).await;
    connect(&people[1], &people[0], &slug).await;
    let mut ids = vec![];
    for p in &people {
        ids.push(user_id(p).await);
    }
    (slug, people, ids)
}

async fn live_resume_and_read_state(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, people, ids) = three(app).await;
    let (ada, ben) = (&people[0], &people[1]);
    let (ada_id, ben_id) = (&ids[0], &ids[1]);
    let mut ada_ws = Client::connect(ada, "ada@example.org").await;
    let mut ben_ws = Client::connect(ben, "ben@example.org").await;
    let mut ben_phone = Client::connect(ben, "ben@example.org").await;

    let (opened, history) = open(&mut ada_ws, ben_id, None).await;
    assert_eq!(opened["type"], "dm_opened", "{opened}");
    assert_eq!(opened["last_seq"], 0);
    assert_eq!(opened["closed"], false);
    assert!(history.is_empty());
    let conversation = opened["conversation"].as_str().unwrap().to_owned();
    let (b_opened, _) = open(&mut ben_ws, ada_id, None).await;
    assert_eq!(
        b_opened["conversation"],
        conversation.as_str(),
        "one per pair"
    );

    // Sent, acknowledged with its number, delivered live to Ben's sockets.
    let ack = send(&mut ada_ws, ben_id, "client-0001", "Hello <b>Ben</b>").await;
    assert_eq!(ack["type"], "dm_ack", "{ack}");
    assert_eq!(ack["seq"], 1);
    assert_eq!(ack["conversation"], conversation.as_str());
    let got = next_dm(&mut ben_ws).await;
    assert_eq!(got["conversation"], conversation.as_str());
    assert_eq!(got["message"]["seq"], 1);
    assert_eq!(got["message"]["text"], "Hello <b>Ben</b>");
    assert_eq!(got["message"]["author_name"], "Ada");
    // The other device hears it too, with a notification (not open there).
    // (The two travel separately: either may come first.)
    let (mut dm, mut notice) = (None, None);
    while dm.is_none() || notice.is_none() {
        let v = ben_phone
            .recv_until(|v| v["type"] == "dm_message" || v["type"] == "notification")
            .await;
        if v["type"] == "dm_message" {
            dm = Some(v);
        } else {
            notice = Some(v);
        }
    }
    assert_eq!(dm.unwrap()["message"]["seq"], 1);
    let notice = notice.unwrap();
    assert_eq!(notice["kind"], "message");
    assert_eq!(notice["link"], format!("/messages/{ada_id}"));

    // The same client id again: the same answer, nothing stored twice.
    let again = send(&mut ada_ws, ben_id, "client-0001", "Hello <b>Ben</b>").await;
    assert_eq!(again["seq"], 1);

    // Ben goes away; Ada writes twice; Ben resumes after what he saw.
    drop(ben_ws);
    for (i, text) in ["two", "three"].iter().enumerate() {
        let a = send(&mut ada_ws, ben_id, &format!("client-000{}", i + 2), text).await;
        assert_eq!(a["seq"], i as u64 + 2);
    }
    let mut ben_ws = Client::connect(ben, "ben@example.org").await;
    let (reopened, missed) = open(&mut ben_ws, ada_id, Some(1)).await;
    assert_eq!(reopened["last_seq"], 3);
    let seqs: Vec<u64> = missed
        .iter()
        .map(|m| m["message"]["seq"].as_u64().unwrap())
        .collect();
    assert_eq!(seqs, [2, 3], "exactly the missed ones, in order");
    // Ben replies; Ada's open conversation gets it once, in order.
    let reply = send(&mut ben_ws, ada_id, "ben-reply-1", "Hi Ada").await;
    assert_eq!(reply["seq"], 4);
    let on_ada = next_dm(&mut ada_ws).await;
    assert!(on_ada["message"]["seq"].as_u64().unwrap() >= 2);
    let mut seen = vec![on_ada["message"]["seq"].as_u64().unwrap()];
    while *seen.last().unwrap() < 4 {
        seen.push(
            next_dm(&mut ada_ws).await["message"]["seq"]
                .as_u64()
                .unwrap(),
        );
    }
    assert!(seen.windows(2).all(|w| w[1] == w[0] + 1), "{seen:?}");

    // Unread: Ben had three from Ada; reading on one device tells the other.
    let (_, n) = ben.call_json("unread_messages", &[]).await;
    assert_eq!(n, 0, "Ben's reply marked everything before it read");
    let (_, n) = ada.call_json("unread_messages", &[]).await;
    assert_eq!(n, 1);
    let mut ada_phone = Client::connect(ada, "ada@example.org").await;
    ada_ws
        .send(json!({"type": "dm_read", "with": ben_id, "seq": 4}))
        .await;
    let read = ada_phone.recv_until(|v| v["type"] == "dm_read").await;
    assert_eq!(read["conversation"], conversation.as_str());
    assert_eq!(read["seq"], 4);
    assert_eq!(read["unread"], 0);
    let (_, inbox) = ada.call_json("my_conversations", &[]).await;
    assert_eq!(inbox["items"][0]["name"], "Ben", "{inbox}");
    assert_eq!(inbox["items"][0]["unread"], 0);
    assert_eq!(inbox["items"][0]["preview"], "Hi Ada");

    // The conversation's page, server-rendered, escapes the text.
    let page = ben.get(&format!("/messages/{ada_id}")).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Hello &lt;b&gt;Ben&lt;/b&gt;"), "escaped");
    assert!(!html.contains("<b>Ben</b>"));
    assert!(html.contains(r#"action="/api/send_direct_message""#));
}

async fn hostile_attempts_are_refused(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, people, ids) = three(app).await;
    let (ada, ben, chloe) = (&people[0], &people[1], &people[2]);
    let (ada_id, ben_id, chloe_id) = (&ids[0], &ids[1], &ids[2]);
    let mut ada_ws = Client::connect(ada, "ada@example.org").await;
    let ack = send(&mut ada_ws, ben_id, "first-msg-1", "hello").await;
    assert_eq!(ack["type"], "dm_ack");
    let conversation = ack["conversation"].as_str().unwrap().to_owned();

    // Chloe is tied to nobody: whatever id she tries, there is nothing.
    let mut chloe_ws = Client::connect(chloe, "chloe@example.org").await;
    for with in [
        ben_id.as_str(),
        ada_id,
        &conversation,
        chloe_id,
        "nonsense",
        "",
    ] {
        let (refused, _) = open(&mut chloe_ws, with, None).await;
        assert_eq!(refused["type"], "dm_error", "{with}: {refused}");
        assert_eq!(refused["code"], "unknown_conversation");
        let refused = send(&mut chloe_ws, with, "chloe-try-1", "psst").await;
        assert_eq!(refused["code"], "unknown_conversation", "{refused}");
        let (status, _) = chloe
            .call_json("conversation_page", &[("with", with)])
            .await;
        assert_eq!(status, 404, "{with}");
        let (status, _) = chloe
            .call_json(
                "send_direct_message",
                &[
                    ("with", with),
                    ("client_id", "chloe-http-1"),
                    ("text", "psst"),
                ],
            )
            .await;
        assert_eq!(status, 404, "{with}");
    }
    // She cannot read their messages by reporting or marking either.
    let (status, _) = chloe
        .call_json(
            "report_direct_message",
            &[("with", &conversation), ("seq", "1")],
        )
        .await;
    assert_eq!(status, 404);
    let event = ben
        .store
        .event_by_slug(&app::domain::Slug::parse(&slug).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(ben.store.direct_reports(event.id).await.unwrap().is_empty());

    // Anonymous: asked to sign in, on every path.
    let anonymous = ada.other_client();
    for (name, form) in [
        ("conversation_page", vec![("with", ben_id.as_str())]),
        (
            "send_direct_message",
            vec![
                ("with", ben_id.as_str()),
                ("client_id", "anon-try-1"),
                ("text", "x"),
            ],
        ),
        ("my_conversations", vec![]),
    ] {
        let (status, _) = anonymous.call_json(name, &form).await;
        assert_eq!(status, 401, "{name}");
    }
    assert_eq!(
        common::ws::open(&anonymous, None, Some(&anonymous.base))
            .await
            .err(),
        Some(401)
    );
    // Another site: refused before anything is stored.
    let res = ada
        .client
        .post(format!("{}/api/send_direct_message", ada.base))
        .header("origin", "https://evil.example")
        .form(&[
            ("with", ben_id.as_str()),
            ("client_id", "evil-try-01"),
            ("text", "x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);

    // Only the recipient reports, once; the organizers read it.
    let (status, _) = ada
        .call_json("report_direct_message", &[("with", ben_id), ("seq", "1")])
        .await;
    assert_eq!(status, 403, "not one's own message");
    let (status, name) = ben
        .call_json(
            "report_direct_message",
            &[("with", ada_id), ("seq", "1"), ("reason", "spam")],
        )
        .await;
    assert_eq!(status, 200, "{name}");
    assert_eq!(name, "Conf");
    let reports = ben.store.direct_reports(event.id).await.unwrap();
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].body, "hello");
    let (status, _) = ben
        .call_json("report_direct_message", &[("with", ada_id), ("seq", "1")])
        .await;
    assert_eq!(status, 409, "once per message");

    // A block ends it both ways; the page says so; history stays.
    let (status, _) = ben
        .call_json("block", &[("user_id", ada_id), ("slug", &slug)])
        .await;
    assert_eq!(status, 200);
    let refused = send(&mut ada_ws, ben_id, "after-block1", "hello?").await;
    assert_eq!(refused["code"], "conversation_closed", "{refused}");
    let (status, _) = ben
        .call_json(
            "send_direct_message",
            &[
                ("with", ada_id),
                ("client_id", "after-block2"),
                ("text", "x"),
            ],
        )
        .await;
    assert_eq!(status, 403);
    let (status, page) = ada
        .call_json("conversation_page", &[("with", ben_id)])
        .await;
    assert_eq!(status, 200);
    assert!(
        page["closed"].as_str().unwrap().contains("blocked"),
        "{page}"
    );
    assert_eq!(page["messages"].as_array().unwrap().len(), 1);
}

async fn the_plain_form_sends_once_and_floods_are_limited(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, people, ids) = three(app).await;
    let (ada, ben_id) = (&people[0], &ids[1]);
    let post = |client_id: &'static str, text: &'static str| {
        ada.client
            .post(format!("{}/api/send_direct_message", ada.base))
            .header("accept", "text/html")
            .header("origin", ada.base.as_str())
            .form(&[
                ("with", ben_id.as_str()),
                ("client_id", client_id),
                ("text", text),
            ])
            .send()
    };
    for _ in 0..2 {
        let res = post("form-00000001", "Sent without JavaScript")
            .await
            .unwrap();
        assert!(res.status().is_redirection(), "{}", res.status());
        let to = res.headers()["location"].to_str().unwrap().to_owned();
        assert_eq!(to, format!("/messages/{ben_id}#m1"));
    }
    let (_, page) = ada
        .call_json("conversation_page", &[("with", ben_id)])
        .await;
    assert_eq!(page["messages"].as_array().unwrap().len(), 1, "{page}");

    // A flood: refused with a clear answer, no panic, nothing lost that
    // was acknowledged.
    let mut limited = None;
    for i in 0..40 {
        let id = format!("flood-{i:06}");
        let (status, body) = ada
            .call_json(
                "send_direct_message",
                &[("with", ben_id), ("client_id", &id), ("text", "spam")],
            )
            .await;
        if status == 429 {
            limited = Some(body);
            break;
        }
        assert_eq!(status, 200, "{body}");
    }
    let body = limited.expect("the rate limit is hit");
    assert_eq!(body["error"], "rate_limited", "{body}");
    assert!(body["detail"]["retry_after_secs"].as_u64().unwrap() >= 1);
}

async fn my_messages_are_in_my_data_and_outlive_my_account(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, people, ids) = three(app).await;
    let (ada, ben) = (&people[0], &people[1]);
    let (ada_id, ben_id) = (&ids[0], &ids[1]);
    let (status, _) = ben
        .call_json(
            "send_direct_message",
            &[
                ("with", ada_id),
                ("client_id", "export-0001"),
                ("text", "Lunch?"),
            ],
        )
        .await;
    assert_eq!(status, 200);
    let data: Value = ben.get("/api/export_my_data").await.json().await.unwrap();
    let dms = data["direct_messages"].as_array().unwrap();
    assert_eq!(dms.len(), 1, "{data}");
    assert_eq!(dms[0]["with"], "Ada");
    assert_eq!(dms[0]["text"], "Lunch?");
    assert_eq!(dms[0]["from"], "Ben");

    let res = ben.call("delete_account", &[("password", PASSWORD)]).await;
    assert_eq!(res.status().as_u16(), 200);
    let (_, inbox) = ada.call_json("my_conversations", &[]).await;
    assert_eq!(inbox["items"][0]["name"], "Deleted user", "{inbox}");
    let with = inbox["items"][0]["with"].as_str().unwrap().to_owned();
    assert_ne!(&with, ben_id);
    let (status, page) = ada.call_json("conversation_page", &[("with", &with)]).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["messages"][0]["author_name"], "Deleted user");
    assert_eq!(page["messages"][0]["text"], "Lunch?");
    assert!(page["closed"].is_string());
}

on_both_backends!(
    live_delivery_resume_and_read_state,
    live_resume_and_read_state
);
on_both_backends!(hostile_attendees_are_refused, hostile_attempts_are_refused);
on_both_backends!(
    plain_form_and_rate_limit,
    the_plain_form_sends_once_and_floods_are_limited
);
on_both_backends!(
    my_data_and_deleted_account,
    my_messages_are_in_my_data_and_outlive_my_account
);

/// Two instances on one PostgreSQL database: Ada on A, Ben on B.
#[tokio::test]
async fn direct_messages_cross_instances() {
    let Some(db) = common::fresh_database(Backend::Postgres).await else {
        return;
    };
    let a = Instance::start(&db).await;
    let b = Instance::start(&db).await;
    let (_, people, ids) = three(a.app.other_client()).await;
    let (ada_id, ben_id) = (&ids[0], &ids[1]);
    let ben_on_b = b.app.other_client();
    let res = ben_on_b
        .call(
            "login",
            &[("email", "ben@example.org"), ("password", PASSWORD)],
        )
        .await;
    assert!(res.status().is_success());
    let mut ada_ws = Client::connect(&people[0], "ada@example.org").await;
    let mut ben_ws = Client::connect(&ben_on_b, "ben@example.org").await;
    let (opened, _) = open(&mut ben_ws, ada_id, None).await;
    assert_eq!(opened["type"], "dm_opened", "{opened}");
    for i in 1..=5u64 {
        let ack = send(&mut ada_ws, ben_id, &format!("cross-{i:05}"), "over there").await;
        assert_eq!(ack["seq"], i);
    }
    let mut seqs = vec![];
    while seqs.len() < 5 {
        seqs.push(
            next_dm(&mut ben_ws).await["message"]["seq"]
                .as_u64()
                .unwrap(),
        );
    }
    assert_eq!(seqs, [1, 2, 3, 4, 5]);
}
