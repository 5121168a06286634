//! Badges and scans over real HTTP, on SQLite and (when given) PostgreSQL:
//! a phone camera opening `/b/<token>`, every refusal, approve mode,
//! reissuing, staff check-in, offline sync with replayed nonces, the rate
//! limit, and the vCard and CSV downloads of my connections.

use crate::common;
use crate::common::{event_with, spawn_app, user_id, Backend, TestApp};
use serde_json::{json, Value};

/// The caller's badge in `slug`: (QR URL, short code).
async fn badge(app: &TestApp, slug: &str) -> (String, String) {
    let (status, b) = app.call_json("my_badge", &[("slug", slug)]).await;
    assert_eq!(status, 200, "{b}");
    (
        b["badge"]["url"].as_str().unwrap().to_owned(),
        b["badge"]["code"].as_str().unwrap().to_owned(),
    )
}

/// Opens a badge URL like a phone camera does and follows the redirect to
/// the scan's result; returns the result as the result page gets it.
async fn open_badge(app: &TestApp, url: &str) -> Value {
    let path = url
        .strip_prefix(&app.base)
        .expect("badge URL on this server");
    let res = app.get(path).await;
    assert_eq!(res.status().as_u16(), 303, "a badge link redirects");
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let id = location
        .strip_prefix("/scans/")
        .unwrap_or_else(|| panic!("to a scan result, not {location}"));
    let (status, view) = app.call_json("scan_result", &[("id", id)]).await;
    assert_eq!(status, 200, "{view}");
    view
}

/// Scans with the in-app scanner of `slug` (a QR URL or a typed code).
async fn scan(app: &TestApp, slug: &str, badge: &str, mode: &str) -> (u16, Value) {
    app.call_json(
        "scan_badge",
        &[
            ("slug", slug),
            ("badge", badge),
            ("mode", mode),
            ("method", "scanner"),
        ],
    )
    .await
}

async fn connection_names(app: &TestApp) -> Vec<String> {
    let (status, v) = app.call_json("my_connections", &[]).await;
    assert_eq!(status, 200, "{v}");
    v["connections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["display_name"].as_str().unwrap().to_owned())
        .collect()
}

async fn camera_scan(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, people) = event_with(app, &["Ben", "Chloe"]).await;
    let (ben, chloe) = (&people[1], &people[2]);
    let (url, code) = badge(ben, &slug).await;
    assert!(url.starts_with(&format!("{}/b/", ben.base)), "{url}");
    assert_eq!(code.len(), 9, "printed as ABCD-EFGH: {code}");
    // The badge is stable until reissued.
    assert_eq!(badge(ben, &slug).await.0, url);

    let view = open_badge(chloe, &url).await;
    assert_eq!(view["outcome"], "connected", "{view}");
    assert_eq!(view["person"]["display_name"], "Ben");
    assert_eq!(view["person"]["connected"], true);
    assert_eq!(view["event_name"], "Conf");
    assert!(
        view["note"].is_object(),
        "a note box once connected: {view}"
    );
    // Both see the connection at once, with where and how they met.
    assert_eq!(connection_names(chloe).await, ["Ben"]);
    assert_eq!(connection_names(ben).await, ["Chloe"]);
    let (_, bens) = ben.call_json("my_connections", &[]).await;
    assert_eq!(bens["connections"][0]["method"], "camera");
    assert_eq!(bens["connections"][0]["event"][0], "Conf");

    // Idempotent: scanning again says so and adds nothing.
    let again = open_badge(chloe, &url).await;
    assert_eq!(again["outcome"], "already_connected");
    assert_eq!(connection_names(ben).await, ["Chloe"]);
    // Someone else's scan result does not exist for Ben.
    let (status, _) = ben
        .call_json("scan_result", &[("id", again["scan_id"].as_str().unwrap())])
        .await;
    assert_eq!(status, 404);
}
on_both_backends!(a_camera_scan_connects_both_people_once, camera_scan);

async fn visitors(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, people) = event_with(app, &["Ben"]).await;
    let (url, _) = badge(&people[1], &slug).await;
    let path = url.strip_prefix(&people[1].base).unwrap().to_owned();

    // Not signed in: log in (or sign up) first, then back to the badge.
    let stranger = people[1].other_client();
    let res = stranger.get(&path).await;
    assert_eq!(res.status().as_u16(), 303);
    let to = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        to.starts_with("/login?next=/b/") && to.ends_with("&reason=scan"),
        "{to}"
    );

    // A link from another site does not connect behind anyone's back.
    stranger.signup("Eve", "eve@example.org").await;
    let res = stranger
        .client
        .get(format!("{}{path}", stranger.base))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    assert!(res.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/connect/"));
    assert!(connection_names(&stranger).await.is_empty());

    // Signed in but not a member: offered to join, nothing about Ben leaks.
    let view = open_badge(&stranger, &url).await;
    assert_eq!(view["outcome"], "not_member", "{view}");
    assert!(view["person"].is_null(), "{view}");
    assert!(!view.to_string().contains("Ben"), "{view}");
    let res = stranger
        .call(
            "join_from_scan",
            &[("id", view["scan_id"].as_str().unwrap())],
        )
        .await;
    assert_eq!(res.status().as_u16(), 200, "{:?}", res.text().await);
    assert_eq!(connection_names(&stranger).await, ["Ben"]);
    let (status, _) = stranger.call_json("event_page", &[("slug", &slug)]).await;
    assert_eq!(status, 200, "joined the event");
}
on_both_backends!(visitors_sign_in_or_join_first, visitors);

async fn refusals(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, people) = event_with(app, &["Ben", "Chloe", "Dev"]).await;
    let (ada, ben, chloe, dev) = (&people[0], &people[1], &people[2], &people[3]);
    let (ben_url, ben_code) = badge(ben, &slug).await;

    // My own badge.
    assert_eq!(open_badge(ben, &ben_url).await["outcome"], "own_badge");
    // A well-formed token nobody has, and a mangled one.
    let bogus = format!("{}/b/AAAAAAAAAAAAAAAAAAAAAA", ben.base);
    assert_eq!(open_badge(chloe, &bogus).await["outcome"], "unknown");
    let mangled = format!("{}/b/not-a-badge", ben.base);
    assert_eq!(open_badge(chloe, &mangled).await["outcome"], "unknown");
    // Garbage typed into the scanner is refused before anything is looked up.
    let (status, body) = scan(chloe, &slug, "hello there", "connect").await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["detail"]["field"], "code");

    // Reissued: the old badge stops working at once, the new one works.
    let res = ben.call("reissue_badge", &[("slug", &slug)]).await;
    assert_eq!(res.status().as_u16(), 200);
    let (new_url, new_code) = badge(ben, &slug).await;
    assert_ne!(new_url, ben_url);
    assert_ne!(new_code, ben_code);
    let view = open_badge(chloe, &ben_url).await;
    assert_eq!(view["outcome"], "revoked");
    assert!(view["person"].is_null());
    let (_, typed_old) = scan(chloe, &slug, &ben_code, "connect").await;
    assert_eq!(typed_old["outcome"], "revoked");
    let (_, typed_new) = scan(chloe, &slug, &new_code, "connect").await;
    assert_eq!(typed_new["outcome"], "connected", "{typed_new}");

    // Only organizers reissue someone else's badge.
    let ben_id = user_id(ben).await;
    let (status, _) = chloe
        .call_json("reissue_badge", &[("slug", &slug), ("user_id", &ben_id)])
        .await;
    assert_eq!(status, 403);
    let (status, _) = ada
        .call_json("reissue_badge", &[("slug", &slug), ("user_id", &ben_id)])
        .await;
    assert_eq!(status, 200);
    assert_ne!(badge(ben, &slug).await.0, new_url);

    // Blocked either way: refused, nothing shared.
    let (dev_url, _) = badge(dev, &slug).await;
    let chloe_id = user_id(chloe).await;
    let (status, _) = dev
        .call_json("block", &[("user_id", &chloe_id), ("slug", &slug)])
        .await;
    assert_eq!(status, 200);
    let view = open_badge(chloe, &dev_url).await;
    assert_eq!(view["outcome"], "blocked");
    assert!(view["person"].is_null());
    assert!(!connection_names(dev).await.contains(&"Chloe".to_owned()));

    // Opted out of networking at this event.
    let (status, _) = dev
        .call_json(
            "update_membership",
            &[("slug", &slug), ("event_line", ""), ("opted_out", "on")],
        )
        .await;
    assert_eq!(status, 200);
    let view = open_badge(ben, &dev_url).await;
    assert_eq!(view["outcome"], "opted_out", "{view}");
    assert!(connection_names(dev).await.is_empty());

    // A badge of another event, read by this event's scanner.
    let other = ada.create_event("Other Conf").await;
    let (other_url, _) = badge(ada, &other).await;
    let (_, view) = scan(chloe, &slug, &other_url, "connect").await;
    assert_eq!(view["outcome"], "other_event", "{view}");
    assert!(view["person"].is_null());

    // An attendee is not staff: no check-ins.
    let (_, view) = scan(chloe, &slug, &new_url, "check_in").await;
    assert_ne!(view["outcome"], "checked_in");
}
on_both_backends!(every_refused_scan_says_why_and_shares_nothing, refusals);

async fn approve_mode(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, people) = event_with(app, &["Ben", "Chloe", "Dev"]).await;
    let (ben, chloe, dev) = (&people[1], &people[2], &people[3]);
    let res = ben
        .call("set_approve_scans", &[("slug", &slug), ("approve", "on")])
        .await;
    assert_eq!(res.status().as_u16(), 200);
    let (url, _) = badge(ben, &slug).await;

    let view = open_badge(chloe, &url).await;
    assert_eq!(view["outcome"], "requested", "{view}");
    assert!(connection_names(chloe).await.is_empty());
    let (_, mine) = ben.call_json("my_connections", &[]).await;
    let request = &mine["requests"][0];
    assert_eq!(request["from_name"], "Chloe", "{mine}");
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
    assert_eq!(connection_names(ben).await, ["Chloe"]);
    let (_, mine) = ben.call_json("my_connections", &[]).await;
    assert_eq!(mine["connections"][0]["method"], "approved");
    assert_eq!(mine["requests"].as_array().unwrap().len(), 0);

    // Declined: no connection, and scanning again does not ask again.
    assert_eq!(open_badge(dev, &url).await["outcome"], "requested");
    let (_, mine) = ben.call_json("my_connections", &[]).await;
    let request = mine["requests"][0].clone();
    let answer = |a: &'static str| {
        let request = request.clone();
        async move {
            ben.call_json(
                "answer_request",
                &[
                    ("event_id", request["event_id"].as_str().unwrap()),
                    ("from_id", request["from_id"].as_str().unwrap()),
                    ("answer", a),
                ],
            )
            .await
        }
    };
    assert_eq!(answer("decline").await.0, 200);
    assert_eq!(answer("accept").await.0, 404, "a declined request is gone");
    assert_eq!(open_badge(dev, &url).await["outcome"], "requested");
    let (_, mine) = ben.call_json("my_connections", &[]).await;
    assert_eq!(mine["requests"].as_array().unwrap().len(), 0);
    assert!(!connection_names(ben).await.contains(&"Dev".to_owned()));
}
on_both_backends!(approve_mode_asks_the_owner_first, approve_mode);

async fn check_in(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, people) = event_with(app, &["Ben"]).await;
    let (ada, ben) = (&people[0], &people[1]);
    let (_, code) = badge(ben, &slug).await;
    let (status, first) = scan(ada, &slug, &code, "check_in").await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["outcome"], "checked_in");
    assert_eq!(first["checked_in"][0], "Ben");
    let (_, second) = scan(ada, &slug, &code, "check_in").await;
    assert_eq!(second["outcome"], "already_checked_in");
    assert_eq!(
        second["checked_in"], first["checked_in"],
        "the first time is kept"
    );
    // Check-in is not a connection.
    assert!(connection_names(ada).await.is_empty());
    let (_, mine) = ben.call_json("my_badge", &[("slug", &slug)]).await;
    assert!(mine["checked_in_at"].is_string(), "{mine}");
}
on_both_backends!(staff_check_in_is_idempotent, check_in);

async fn sync(app: &TestApp, scans: Value) -> (u16, Value) {
    let res = app
        .client
        .post(format!("{}/api/sync_scans", app.base))
        .json(&json!({ "scans": scans }))
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn offline(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, people) = event_with(app, &["Ben", "Chloe", "Dev"]).await;
    let (ada, ben, chloe, dev) = (&people[0], &people[1], &people[2], &people[3]);
    let (ben_url, _) = badge(ben, &slug).await;
    let (_, dev_code) = badge(dev, &slug).await;
    let an_hour_ago = chrono::Utc::now().timestamp_millis() - 3_600_000;
    let chloe_id = user_id(chloe).await;
    let made_by = |scanner: &str, nonce: &str, badge: &str| json!({ "nonce": nonce, "scanner": scanner, "slug": slug, "badge": badge, "mode": "connect", "scanned_at_ms": an_hour_ago });
    let queued = |nonce: &str, badge: &str| made_by(&chloe_id, nonce, badge);
    let batch = json!([
        queued("nonce-0001-ben", &ben_url),
        queued("nonce-0001-ben", &ben_url),
        queued("nonce-0002-dev", &dev_code),
    ]);
    let (status, first) = sync(chloe, batch.clone()).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first[0]["view"]["outcome"], "connected", "{first}");
    assert_eq!(
        first[1]["view"]["scan_id"], first[0]["view"]["scan_id"],
        "same nonce, same scan"
    );
    assert_eq!(first[2]["view"]["outcome"], "connected");
    // The response was lost; the device syncs the same batch again.
    let (_, second) = sync(chloe, batch).await;
    for i in 0..3 {
        assert_eq!(second[i]["view"]["scan_id"], first[i]["view"]["scan_id"]);
        assert_eq!(second[i]["view"]["outcome"], first[i]["view"]["outcome"]);
    }
    let mut names = connection_names(chloe).await;
    names.sort();
    assert_eq!(names, ["Ben", "Dev"]);
    // Met when the device scanned, not when it synced; recorded as offline.
    let (_, mine) = chloe.call_json("my_connections", &[]).await;
    let ben_entry = mine["connections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["display_name"] == "Ben")
        .unwrap()
        .clone();
    assert_eq!(ben_entry["method"], "offline");
    let met: chrono::DateTime<chrono::Utc> =
        ben_entry["connected_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(met.timestamp_millis(), an_hour_ago);

    // A target who left the event meanwhile: a clear refusal.
    let event = ada
        .store
        .event_by_slug(&app::domain::Slug::parse(&slug).unwrap())
        .await
        .unwrap()
        .unwrap();
    let ada_id = app::domain::UserId(user_id(ada).await.parse().unwrap());
    let (ada_url, _) = badge(ada, &slug).await;
    ada.store.remove_member(event.id, ada_id).await.unwrap();
    let (_, gone) = sync(chloe, json!([queued("nonce-0003-ada", &ada_url)])).await;
    assert_eq!(gone[0]["view"]["outcome"], "unknown", "{gone}");
    // Nonsense in the queue gets an error for that scan, not for the batch.
    let (status, mixed) = sync(chloe, json!([queued("bad nonce!", &ben_url)])).await;
    assert_eq!(status, 200);
    assert!(mixed[0]["error"].is_string(), "{mixed}");
    assert_eq!(mixed[0]["retry"], false);
    // A shared phone: scans Dev queued (or scans naming nobody, from before
    // makers were kept) are never made in Chloe's name; they stay on the
    // device for their maker.
    let dev_id = user_id(dev).await;
    let (_, theirs) = sync(
        chloe,
        json!([
            made_by(&dev_id, "nonce-0004-dev", &ben_url),
            made_by("", "nonce-0005-old", &ben_url)
        ]),
    )
    .await;
    for refused in theirs.as_array().unwrap() {
        assert!(
            refused["error"]
                .as_str()
                .unwrap()
                .contains("another account"),
            "{theirs}"
        );
        assert_eq!(refused["retry"], true);
    }
    // Every attempt is counted once for the organizer's statistics.
    let counts = ada.store.scan_counts(event.id).await.unwrap();
    let total: u64 = counts.iter().map(|(_, n)| n).sum();
    assert_eq!(total, 3, "{counts:?}");
}
on_both_backends!(offline_scans_sync_once_even_when_replayed, offline);

async fn rate_limit(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, people) = event_with(app, &["Ben"]).await;
    let ben = &people[1];
    let mut statuses = Vec::new();
    for _ in 0..32 {
        statuses.push(scan(ben, &slug, "ZZZZ-ZZZZ", "connect").await.0);
    }
    assert!(statuses[..30].iter().all(|s| *s == 200), "{statuses:?}");
    assert_eq!(statuses[31], 429, "{statuses:?}");
}
on_both_backends!(scans_are_rate_limited_per_person, rate_limit);

async fn downloads(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, people) = event_with(app, &["Ben", "Chloe"]).await;
    let (ada, ben, chloe) = (&people[0], &people[1], &people[2]);
    let res = ben
        .call(
            "update_profile",
            &[
                ("profile[display_name]", "Ben Okafor"),
                ("profile[company]", "=cmd|' /C calc'!A0"),
                ("profile[phone]", "+44 20 7946 0000"),
                ("profile[links]", "https://ben.example.org"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 200);
    let (url, _) = badge(ben, &slug).await;
    assert_eq!(open_badge(chloe, &url).await["outcome"], "connected");
    let ben_id = user_id(ben).await;
    let res = chloe
        .call(
            "save_note",
            &[
                ("user_id", &ben_id),
                ("note", "Hiring Rust folks; send CV"),
                ("rating", "5"),
                ("labels", "lead, follow up"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 200);
    // Notes only about connections, with valid ratings.
    let ada_id = user_id(ada).await;
    let (status, _) = chloe
        .call_json("save_note", &[("user_id", &ada_id), ("note", "x")])
        .await;
    assert_eq!(status, 404);
    let (status, body) = chloe
        .call_json(
            "save_note",
            &[("user_id", &ben_id), ("note", "x"), ("rating", "9")],
        )
        .await;
    assert_eq!(
        (status, body["detail"]["field"].clone()),
        (422, json!("rating"))
    );

    let res = chloe.get("/connections.vcf").await;
    assert_eq!(res.status().as_u16(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/vcard"));
    let vcf = res.text().await.unwrap();
    assert!(vcf.starts_with("BEGIN:VCARD\r\nVERSION:4.0\r\n"), "{vcf}");
    assert!(vcf.contains("FN:Ben Okafor\r\n"), "{vcf}");
    assert!(vcf.contains("EMAIL;TYPE=work:ben@example.org\r\n"), "{vcf}");
    assert!(vcf.contains("TEL;VALUE=text:+44 20 7946 0000\r\n"), "{vcf}");
    assert!(vcf.contains("CATEGORIES:lead,follow up\r\n"), "{vcf}");
    assert!(vcf.contains("Met at Conf"), "{vcf}");
    let one = chloe.get(&format!("/connections/{ben_id}/vcard")).await;
    assert_eq!(one.status().as_u16(), 200);
    assert!(one.text().await.unwrap().contains("FN:Ben Okafor"));
    // Not connected with Ada: no card.
    let res = chloe.get(&format!("/connections/{ada_id}/vcard")).await;
    assert_eq!(res.status().as_u16(), 404);

    let csv = chloe.get("/connections.csv").await.text().await.unwrap();
    let mut lines = csv.lines();
    assert!(lines
        .next()
        .unwrap()
        .starts_with("name,pronouns,headline,company"));
    let row = lines.next().unwrap();
    assert!(row.starts_with("Ben Okafor,"), "{row}");
    assert!(row.contains("'=cmd|"), "formula defused: {row}");
    assert!(row.contains("Hiring Rust folks; send CV"), "{row}");

    // Hidden contact details stay hidden in exports too.
    let res = ben
        .call("update_visibility", &[("vis[phone]", "only_me")])
        .await;
    assert_eq!(res.status().as_u16(), 200);
    let vcf = chloe.get("/connections.vcf").await.text().await.unwrap();
    assert!(!vcf.contains("7946"), "{vcf}");

    // Downloads need an account.
    let res = chloe.other_client().get("/connections.csv").await;
    assert_eq!(res.status().as_u16(), 303);

    // My data includes my notes; deleting Ben keeps Chloe's note about him.
    let export = || async {
        chloe
            .get("/api/export_my_data")
            .await
            .json::<Value>()
            .await
            .unwrap()
    };
    let data = export().await;
    assert_eq!(
        data["notes"][0]["note"], "Hiring Rust folks; send CV",
        "{data}"
    );
    let res = ben
        .call("delete_account", &[("password", common::PASSWORD)])
        .await;
    assert_eq!(res.status().as_u16(), 200);
    assert!(connection_names(chloe).await.is_empty());
    let data = export().await;
    assert_eq!(data["notes"][0]["about_name"], "Ben Okafor");
    // Ben's badge is gone with his account.
    assert_eq!(open_badge(chloe, &url).await["outcome"], "unknown");
}
on_both_backends!(contacts_download_as_vcard_and_csv, downloads);

/// Issue 15, item 4: scanning any member's badge used to let anyone join an
/// invite-only event ("join the event to connect"). The result now says the
/// event is by invitation only instead of offering to join, and asking to
/// join anyway is refused; the event stays closed to the scanner.
async fn invite_only_badge_scan(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, people) = event_with(app, &["Ben"]).await;
    let (ada, ben) = (&people[0], &people[1]);
    let (status, body) = ada
        .call_json(
            "save_event_settings",
            &[
                ("slug", slug.as_str()),
                ("settings[name]", "Conf"),
                ("settings[starts_on]", "2026-05-14"),
                ("settings[ends_on]", "2026-05-15"),
                ("settings[time_zone]", "Europe/Berlin"),
                ("settings[join_policy]", "invite_only"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (url, _) = badge(ben, &slug).await;
    let stranger = ben.other_client();
    stranger.signup("Eve", "eve@example.org").await;

    let view = open_badge(&stranger, &url).await;
    assert_eq!(view["outcome"], "not_member", "{view}");
    assert!(
        view["join_refused"]
            .as_str()
            .unwrap()
            .starts_with("This event is by invitation only"),
        "{view}"
    );
    assert!(!view.to_string().contains("Ben"), "{view}");
    let (status, body) = stranger
        .call_json(
            "join_from_scan",
            &[("id", view["scan_id"].as_str().unwrap())],
        )
        .await;
    assert_eq!(status, 403, "{body}");
    assert!(body.to_string().contains("invitation only"), "{body}");
    assert_eq!(
        stranger.call_json("event_page", &[("slug", &slug)]).await.0,
        403
    );
    assert!(connection_names(&stranger).await.is_empty());

    // On an open event the same scan offers to join (nothing refused).
    let open = ada.create_event("Open Conf").await;
    let (_, page) = ada.call_json("event_page", &[("slug", &open)]).await;
    let code = page["invitation"]["join_code"].as_str().unwrap().to_owned();
    assert_eq!(
        ben.call_json("join_by_code", &[("code", &code)]).await.0,
        200
    );
    let (url, _) = badge(ben, &open).await;
    let view = open_badge(&stranger, &url).await;
    assert_eq!(view["outcome"], "not_member", "{view}");
    assert!(view["join_refused"].is_null(), "{view}");
}
on_both_backends!(
    an_invite_only_event_cannot_be_joined_by_scanning_a_badge,
    invite_only_badge_scan
);
