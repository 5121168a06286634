//! Following up over real HTTP and WebSocket, on SQLite and (when given)
//! PostgreSQL: meeting again at a later event (both told, the pair first
//! in people to meet with the reason), a connection's timeline and who may
//! read it, reminders (only on my connections, only mine to tick off,
//! sent as a notification when due), "keep in touch", and the digest
//! (opt-in, one mail per person and day, into the outbox).

use crate::common::ws::Client;
use crate::common::{event_with, spawn_app_with, user_id, Backend, TestApp};
use serde_json::Value;
use std::time::Duration;

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
    assert_eq!(v["outcome"], "connected", "{v}");
}

/// A second event organized by the caller; returns its slug and join code.
async fn later_event(organizer: &TestApp) -> (String, String) {
    let slug = organizer.create_event("Later Conf").await;
    let (_, page) = organizer.call_json("event_page", &[("slug", &slug)]).await;
    let code = page["invitation"]["join_code"].as_str().unwrap().to_owned();
    (slug, code)
}

/// The next notification of `kind` on `c`.
async fn notice_of(c: &mut Client, kind: &str) -> Value {
    c.recv_until(|v| v["type"] == "notification" && v["kind"] == kind)
        .await
}

async fn meet_again(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |_| {}).await else {
        return;
    };
    let (slug, people) = event_with(app, &["Ben", "Chloe"]).await;
    let (ada, ben, chloe) = (&people[0], &people[1], &people[2]);
    connect(ben, ada, &slug).await;
    let (later, code) = later_event(ada).await;
    let mut ada_ws = Client::connect(ada, "ada@example.org").await;
    let mut ben_ws = Client::connect(ben, "ben@example.org").await;

    // Chloe never met anyone: she joins and nobody is told.
    assert_eq!(
        chloe.call_json("join_by_code", &[("code", &code)]).await.0,
        200
    );
    // Ben joins: both are told, with where they met.
    assert_eq!(
        ben.call_json("join_by_code", &[("code", &code)]).await.0,
        200
    );
    let to_ada = notice_of(&mut ada_ws, "met_again").await;
    assert_eq!(
        to_ada["text"], "Ben, whom you met at Conf, is here too.",
        "{to_ada}"
    );
    assert_eq!(to_ada["link"], format!("/e/{later}/meet"));
    let to_ben = notice_of(&mut ben_ws, "met_again").await;
    assert_eq!(to_ben["text"], "Ada, whom you met at Conf, is here too.");

    // Each ranks first in the other's people to meet, with the reason.
    for (me, them) in [(ben, "Ada"), (ada, "Ben")] {
        let (status, list) = me.call_json("people_to_meet", &[("slug", &later)]).await;
        assert_eq!(status, 200, "{list}");
        let first = &list["cards"][0];
        assert_eq!(first["display_name"], them, "{list}");
        assert_eq!(first["met_before"], true);
        assert_eq!(first["reasons"][0]["kind"], "met_before");
        assert_eq!(first["reasons"][0]["tag"], "Conf");
    }
    // Not at the event where they met, and never for Chloe.
    let (_, here) = ben.call_json("people_to_meet", &[("slug", &slug)]).await;
    assert!(
        here["cards"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["met_before"] == false),
        "{here}"
    );
    let (_, hers) = chloe.call_json("people_to_meet", &[("slug", &later)]).await;
    assert!(
        hers["cards"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["met_before"] == false),
        "{hers}"
    );

    // A block ends it.
    let ada_id = user_id(ada).await;
    assert_eq!(
        ben.call_json("block", &[("user_id", &ada_id), ("slug", &later)])
            .await
            .0,
        200
    );
    let (_, after) = ben.call_json("people_to_meet", &[("slug", &later)]).await;
    assert!(
        after["cards"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["display_name"] != "Ada"),
        "{after}"
    );
}

async fn timeline_reminders_and_keep_in_touch(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |c| {
        c.follow_up_every = Duration::from_millis(200);
    })
    .await
    else {
        return;
    };
    let (slug, people) = event_with(app, &["Ben", "Chloe"]).await;
    let (ada, ben, chloe) = (&people[0], &people[1], &people[2]);
    connect(ben, ada, &slug).await;
    let (ada_id, ben_id) = (user_id(ada).await, user_id(ben).await);

    // Ben's timeline with Ada: connected, and his scan.
    let (status, t) = ben
        .call_json("connection_timeline", &[("user_id", &ada_id)])
        .await;
    assert_eq!(status, 200, "{t}");
    assert_eq!(t["card"]["display_name"], "Ada");
    let kinds: Vec<&str> = t["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"connected") && kinds.contains(&"scan"),
        "{t}"
    );
    assert!(t["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["text"] == "You scanned their badge at Conf"));

    // Chloe is connected with neither: no timeline, no reminder, on any
    // id, guessed or not.
    for id in [&ada_id, &ben_id, &"not-an-id".to_owned()] {
        let (status, _) = chloe
            .call_json("connection_timeline", &[("user_id", id)])
            .await;
        assert_eq!(status, 404);
        let (status, _) = chloe
            .call_json(
                "add_reminder",
                &[("user_id", id), ("text", "Snoop"), ("due_on", "2031-01-01")],
            )
            .await;
        assert_eq!(status, 404);
    }
    let anonymous = crate::common::client();
    let res = anonymous
        .post(format!("{}/api/connection_timeline", ada.base))
        .header("origin", &ada.base)
        .form(&[("user_id", &ada_id)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 401);

    // Reminders: not in the past; due today, it arrives as a notification.
    let mut ben_ws = Client::connect(ben, "ben@example.org").await;
    let today = chrono::Utc::now().date_naive();
    let yesterday = (today - chrono::Duration::days(1)).to_string();
    let (status, v) = ben
        .call_json(
            "add_reminder",
            &[
                ("user_id", &ada_id),
                ("text", "Send the slides"),
                ("due_on", &yesterday),
            ],
        )
        .await;
    assert_eq!(status, 422, "{v}");
    for (text, day) in [
        ("Send the slides", today.to_string()),
        ("Call back", "2031-01-01".into()),
    ] {
        let (status, v) = ben
            .call_json(
                "add_reminder",
                &[("user_id", &ada_id), ("text", text), ("due_on", &day)],
            )
            .await;
        assert_eq!(status, 200, "{v}");
    }
    let due = notice_of(&mut ben_ws, "reminder").await;
    // Both are in Ben's "download my data", and in nobody else's.
    let data: Value = ben.get("/api/export_my_data").await.json().await.unwrap();
    assert_eq!(data["reminders"].as_array().unwrap().len(), 2, "{data}");
    assert_eq!(data["reminders"][0]["text"], "Send the slides");
    let hers: Value = ada.get("/api/export_my_data").await.json().await.unwrap();
    assert!(hers["reminders"].as_array().unwrap().is_empty(), "{hers}");
    assert_eq!(due["text"], "Reminder about Ada: Send the slides", "{due}");
    assert_eq!(due["link"], format!("/connections/{ada_id}"));
    let (_, t) = ben
        .call_json("connection_timeline", &[("user_id", &ada_id)])
        .await;
    let reminders = t["reminders"].as_array().unwrap();
    assert_eq!(reminders.len(), 2, "{t}");
    assert_eq!(reminders[0]["due"], true);
    let id = reminders[0]["id"].as_str().unwrap().to_owned();
    // Only Ben ticks his reminder off; Ada sees neither it nor his note.
    let note = [
        ("user_id", ada_id.as_str()),
        ("note", "Private: ask about the job"),
    ];
    assert_eq!(ben.call_json("save_note", &note).await.0, 200);
    let (_, hers) = ada
        .call_json("connection_timeline", &[("user_id", &ben_id)])
        .await;
    assert!(hers["reminders"].as_array().unwrap().is_empty(), "{hers}");
    assert_eq!(hers["card"]["note"]["note"], "", "{hers}");
    assert!(!hers.to_string().contains("ask about the job"), "{hers}");
    assert!(hers["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["kind"] != "note"));
    assert_eq!(
        ada.call_json("finish_reminder", &[("id", &id)]).await.0,
        404
    );
    assert_eq!(
        ben.call_json("finish_reminder", &[("id", &id)]).await.0,
        200
    );
    assert_eq!(
        ben.call_json("finish_reminder", &[("id", &id)]).await.0,
        404
    );
    let (_, t) = ben
        .call_json("connection_timeline", &[("user_id", &ada_id)])
        .await;
    assert_eq!(t["reminders"].as_array().unwrap().len(), 1);

    // Keep in touch: everyone was in touch today; with 0 days, Ada shows.
    let (status, k) = ben.call_json("keep_in_touch", &[]).await;
    assert_eq!(status, 200, "{k}");
    assert_eq!(
        (k["days"].as_u64(), k["total"].as_u64()),
        (Some(30), Some(1))
    );
    assert!(k["people"].as_array().unwrap().is_empty(), "{k}");
    let (_, k) = ben.call_json("keep_in_touch", &[("days", "0")]).await;
    assert_eq!(k["people"][0]["display_name"], "Ada", "{k}");
    let (_, k) = chloe.call_json("keep_in_touch", &[("days", "0")]).await;
    assert!(k["people"].as_array().unwrap().is_empty(), "{k}");
}

async fn digest_is_opt_in_and_sent_once(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |_| {}).await else {
        return;
    };
    let (slug, people) = event_with(app, &["Ben", "Chloe"]).await;
    let (ada, ben, chloe) = (&people[0], &people[1], &people[2]);
    connect(ben, ada, &slug).await;
    connect(chloe, ada, &slug).await;
    let (_, on) = ben.call_json("digest_setting", &[]).await;
    assert_eq!(on, false);
    assert_eq!(
        ben.call_json("set_digest", &[("digest", "on")]).await.0,
        200
    );
    assert_eq!(ben.call_json("digest_setting", &[]).await.1, true);
    let note = [
        ("user_id", user_id(ada).await),
        ("note", "Wants the slides".into()),
    ];
    let note: Vec<(&str, &str)> = note.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(ben.call_json("save_note", &note).await.0, 200);

    // The command line sends today's digests: Ben's alone (Ada and Chloe
    // did not opt in), and only once.
    let today = chrono::Utc::now().date_naive();
    let run = || {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_rapport"))
            .args(["follow-up", "--day", &today.to_string()])
            .env("DATABASE_URL", &ada.database_url)
            .env("RAPPORT_DATA_DIR", &ada.data_dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    assert!(run().contains("Sent 1 digests"));
    assert!(run().contains("Sent 0 digests"));
    let folder = ada.data_dir.join("outbox/_digests").join(today.to_string());
    let files: Vec<_> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|f| f.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(files, ["ben@example.org.eml"]);
    let mail = std::fs::read_to_string(folder.join("ben@example.org.eml"))
        .unwrap()
        .replace("\r\n", "\n");
    assert!(mail.contains("The people you met on"), "{mail}");
    assert!(mail.contains("- Ada\n"), "{mail}");
    assert!(mail.contains("Your note: Wants the slides"), "{mail}");
}

on_both_backends!(meet_again_at_a_later_event, meet_again);
on_both_backends!(
    timelines_reminders_and_keeping_in_touch,
    timeline_reminders_and_keep_in_touch
);
on_both_backends!(
    the_digest_is_opt_in_and_sent_once,
    digest_is_opt_in_and_sent_once
);
