//! The organizer dashboard over real HTTP, on SQLite and (when given)
//! PostgreSQL: every metric against an event whose numbers are known, the
//! networking funnel's meeting stages driven by the app's own calls, and
//! the floor (rooms, messages, joins, check-ins) with a live room.

use crate::common::{
    event_with, future_event, spawn_app, user_id,
    ws::{topic_room, Client},
    Backend, TestApp,
};
use serde_json::Value;

async fn badge_url(app: &TestApp, slug: &str) -> String {
    let (_, b) = app.call_json("my_badge", &[("slug", slug)]).await;
    b["badge"]["url"].as_str().unwrap().to_owned()
}

async fn scan(app: &TestApp, slug: &str, badge: &str, mode: &str) -> Value {
    let (status, v) = app
        .call_json(
            "scan_badge",
            &[("slug", slug), ("badge", badge), ("mode", mode)],
        )
        .await;
    assert_eq!(status, 200, "{v}");
    v
}

async fn tags(app: &TestApp, interest: &str, offer: &str, seek: &str) {
    let (status, body) = app
        .call_json(
            "update_tags",
            &[
                ("tags_interest", interest),
                ("tags_offer", offer),
                ("tags_seek", seek),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

fn bar(bars: &Value, label: &str) -> u64 {
    bars.as_array()
        .unwrap()
        .iter()
        .find(|b| b[0] == label)
        .map_or(0, |b| b[1].as_u64().unwrap())
}

async fn metrics(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, people) = event_with(app, &["Ben", "Chloe", "Dev", "Eve"]).await;
    let (ada, ben, chloe, dev, eve) = (&people[0], &people[1], &people[2], &people[3], &people[4]);
    tags(ben, "rust", "", "").await;
    tags(chloe, "rust", "mentoring", "").await;
    tags(dev, "", "", "mentoring").await;
    tags(eve, "rust", "", "").await;
    eve.call_json(
        "update_membership",
        &[("slug", &slug), ("event_line", ""), ("opted_out", "on")],
    )
    .await;

    // Attendees do not see it.
    let (status, _) = ben.call_json("dashboard", &[("slug", &slug)]).await;
    assert_eq!(status, 403);

    let ben_badge = badge_url(ben, &slug).await;
    assert_eq!(
        scan(chloe, &slug, &ben_badge, "connect").await["outcome"],
        "connected"
    );
    assert_eq!(
        scan(dev, &slug, &ben_badge, "connect").await["outcome"],
        "connected"
    );
    assert_eq!(
        scan(ada, &slug, &ben_badge, "check_in").await["outcome"],
        "checked_in"
    );
    assert_eq!(
        scan(chloe, &slug, "ZZZZ-ZZZZ", "connect").await["outcome"],
        "unknown"
    );
    let (status, _) = dev.call_json("people_to_meet", &[("slug", &slug)]).await;
    assert_eq!(status, 200);
    let chloe_id = user_id(chloe).await;
    let (status, _) = dev
        .call_json(
            "answer_recommendation",
            &[
                ("slug", &slug),
                ("user_id", &chloe_id),
                ("answer", "interested"),
            ],
        )
        .await;
    assert_eq!(status, 200);

    let (status, d) = ada.call_json("dashboard", &[("slug", &slug)]).await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["members"], 5);
    assert_eq!(
        d["by_role"],
        serde_json::json!([["organizer", 1], ["staff", 0], ["attendee", 4]])
    );
    assert_eq!(d["checked_in"], 1);
    assert_eq!(d["connections"], 2);
    assert_eq!(d["scans"], 4);
    // All within the last hour or two (the test may straddle an hour).
    let total = |bars: &Value| -> u64 {
        bars.as_array()
            .unwrap()
            .iter()
            .map(|b| b[1].as_u64().unwrap())
            .sum()
    };
    assert!(
        d["connections_per_hour"].as_array().unwrap().len() <= 2,
        "{d}"
    );
    assert_eq!(total(&d["connections_per_hour"]), 2);
    assert_eq!(total(&d["scans_per_hour"]), 4);
    assert_eq!(bar(&d["scan_outcomes"], "You are connected"), 2);
    assert_eq!(bar(&d["scan_outcomes"], "Checked in"), 1);
    assert_eq!(bar(&d["scan_outcomes"], "This badge is not valid"), 1);
    // Ben, Chloe and Dev of five members are connected, in one group.
    assert_eq!(d["health"]["connected_pct"], 60);
    assert_eq!(d["health"]["average"], 0.8);
    assert_eq!(d["health"]["largest_group_pct"], 60);
    // Tags of members who opted out are not counted.
    let top = d["top_tags"].as_array().unwrap();
    assert_eq!(top[0][0], "interest");
    assert_eq!(bar(&top[0][1], "rust"), 2);
    assert_eq!(bar(&top[1][1], "mentoring"), 1, "offer");
    assert_eq!(bar(&top[2][1], "mentoring"), 1, "seek");
    assert_eq!(bar(&d["funnel"], "Interested"), 1);
    assert!(bar(&d["funnel"], "Recommended") >= 1, "{d}");
    assert_eq!(bar(&d["funnel"], "Mutual interest"), 0);

    // Exports: attendees for organizers only (emails), statistics as CSV.
    let res = ben
        .call(
            "update_profile",
            &[
                ("profile[display_name]", "Ben"),
                ("profile[company]", "=1+1"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 200);
    let attendees = ada.get(&format!("/e/{slug}/export/attendees.csv")).await;
    assert_eq!(attendees.status().as_u16(), 200);
    let attendees = attendees.text().await.unwrap();
    let lines: Vec<&str> = attendees.lines().collect();
    assert_eq!(
        lines[0],
        "name,email,role,company,job_title,joined_at,checked_in_at,networking"
    );
    assert_eq!(lines.len(), 6, "{attendees}");
    let ben_line = lines.iter().find(|l| l.starts_with("Ben,")).unwrap();
    assert!(
        ben_line.contains("ben@example.org,attendee,'=1+1"),
        "{ben_line}"
    );
    assert!(lines
        .iter()
        .any(|l| l.starts_with("Eve,") && l.ends_with("opted out")));
    let refused = ben.get(&format!("/e/{slug}/export/attendees.csv")).await;
    assert_eq!(refused.status().as_u16(), 403);
    let stats = ada
        .get(&format!("/e/{slug}/export/statistics.csv"))
        .await
        .text()
        .await
        .unwrap();
    assert!(stats.starts_with("section,name,value\n"), "{stats}");
    assert!(stats.contains("totals,connections,2\n"), "{stats}");
    assert!(stats.contains("funnel,Interested,1\n"), "{stats}");
    assert!(stats.contains("top tags: interest,rust,2\n"), "{stats}");

    // The page renders it as charts with text alternatives.
    let html = ada
        .get(&format!("/e/{slug}/dashboard"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Connections per hour"), "{html}");
    assert!(html.contains("role=\"img\""));
    assert!(html.contains("<table>"));
}
on_both_backends!(dashboard_metrics_match_a_known_event, metrics);

/// A sponsor or exhibitor, once an organizer marks them, sees the event's
/// counts and by name only the people who connected with them at this
/// event; the CSV of their leads holds those people and nobody else.
async fn exhibitors_see_counts_and_only_their_leads(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, people) = event_with(app, &["Ben", "Chloe", "Dev"]).await;
    let (ada, ben, chloe, dev) = (&people[0], &people[1], &people[2], &people[3]);
    tags(chloe, "rust, go", "mentoring", "").await;
    tags(dev, "python", "", "").await;

    let (status, body) = ben.call_json("exhibitor_leads", &[("slug", &slug)]).await;
    assert_eq!(status, 403, "not an exhibitor yet: {body}");
    let ben_id = user_id(ben).await;
    let mark = |action: &'static str| {
        let (slug, ben_id) = (slug.clone(), ben_id.clone());
        async move {
            let (status, body) = ada
                .call_json(
                    "update_member",
                    &[("slug", &slug), ("user_id", &ben_id), ("action", action)],
                )
                .await;
            assert_eq!(status, 200, "{body}");
        }
    };
    mark("exhibitor").await;
    let (_, settings) = ada.call_json("event_settings", &[("slug", &slug)]).await;
    let marked: Vec<&str> = settings["members"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["exhibitor"] == true)
        .map(|m| m["display_name"].as_str().unwrap())
        .collect();
    assert_eq!(marked, ["Ben"]);
    let (_, page) = ben.call_json("event_page", &[("slug", &slug)]).await;
    assert_eq!(page["exhibitor"], true, "the event page links the leads");

    // Chloe scans Ben's badge at the booth; Dev connects with Ben elsewhere
    // (another event), and Dev and Chloe connect with each other.
    let ben_badge = badge_url(ben, &slug).await;
    assert_eq!(
        scan(chloe, &slug, &ben_badge, "connect").await["outcome"],
        "connected"
    );
    let dev_badge = badge_url(dev, &slug).await;
    assert_eq!(
        scan(chloe, &slug, &dev_badge, "connect").await["outcome"],
        "connected"
    );
    let other = dev.create_event("Elsewhere").await;
    let (_, other_page) = dev.call_json("event_page", &[("slug", &other)]).await;
    let code = other_page["invitation"]["join_code"].as_str().unwrap();
    assert_eq!(
        ben.call_json("join_by_code", &[("code", code)]).await.0,
        200
    );
    let ben_elsewhere = badge_url(ben, &other).await;
    assert_eq!(
        scan(dev, &other, &ben_elsewhere, "connect").await["outcome"],
        "connected"
    );

    let (status, v) = ben.call_json("exhibitor_leads", &[("slug", &slug)]).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["members"], 4);
    assert_eq!(
        v["connections"], 2,
        "every connection at the event, counted"
    );
    assert_eq!(v["leads"], 1);
    let names: Vec<&str> = v["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Chloe"]);
    assert_eq!(bar(&v["lead_tags"], "rust"), 1);
    assert_eq!(bar(&v["lead_tags"], "mentoring"), 1);
    assert_eq!(bar(&v["lead_tags"], "python"), 0, "Dev is no lead here");
    let audience = v["audience"].as_array().unwrap();
    assert_eq!(bar(&audience[0][1], "python"), 1, "counts of everyone");
    let text = v.to_string();
    assert!(
        !text.contains("Dev") && !text.contains("example.org"),
        "no one else's name or address: {text}"
    );

    // The leads CSV is the connections made at this event only.
    let csv = ben
        .get(&format!("/connections.csv?event={slug}"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(csv.lines().count(), 2, "{csv}");
    assert!(csv.contains("Chloe") && !csv.contains("Dev"), "{csv}");
    let all = ben.get("/connections.csv").await.text().await.unwrap();
    assert!(all.contains("Chloe") && all.contains("Dev"), "{all}");

    // Attendees who are not exhibitors, and exhibitors no longer, get 403;
    // organizers may look.
    assert_eq!(
        chloe
            .call_json("exhibitor_leads", &[("slug", &slug)])
            .await
            .0,
        403
    );
    assert_eq!(
        ada.call_json("exhibitor_leads", &[("slug", &slug)]).await.0,
        200
    );
    mark("not_exhibitor").await;
    assert_eq!(
        ben.call_json("exhibitor_leads", &[("slug", &slug)]).await.0,
        403
    );
}
on_both_backends!(exhibitors, exhibitors_see_counts_and_only_their_leads);

/// The funnel's meeting stages, as people use the app: a request counts
/// once (the requester's), an acceptance and a meeting that happened count
/// for both people, and scanning each other twice counts the meeting once.
async fn the_funnel_follows_a_meeting_from_request_to_met(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, people) = future_event(
        app,
        &[
            ("Ben", "rust", "", ""),
            ("Chloe", "rust", "", ""),
            ("Dev", "", "", ""),
        ],
    )
    .await;
    let (ada, ben, chloe, dev) = (&people[0], &people[1], &people[2], &people[3]);
    let funnel = || async {
        let (status, d) = ada.call_json("dashboard", &[("slug", &slug)]).await;
        assert_eq!(status, 200, "{d}");
        [
            bar(&d["funnel"], "Meeting requested"),
            bar(&d["funnel"], "Meeting accepted"),
            bar(&d["funnel"], "Met"),
        ]
    };
    assert_eq!(funnel().await, [0, 0, 0]);

    let chloe_id = user_id(chloe).await;
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
                ("when[place]", "Coffee bar"),
                ("message", "Coffee?"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{id}");
    let id = id.as_str().unwrap().to_owned();
    assert_eq!(funnel().await, [1, 0, 0], "requested");

    let (status, body) = chloe
        .call_json("answer_meeting", &[("id", &id), ("answer", "accept")])
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(funnel().await, [1, 2, 0], "accepted, for both");

    // They meet and scan each other's badges: met, once per person.
    let chloe_badge = badge_url(chloe, &slug).await;
    assert_eq!(
        scan(ben, &slug, &chloe_badge, "connect").await["outcome"],
        "connected"
    );
    assert_eq!(funnel().await, [1, 2, 2], "met");
    let ben_badge = badge_url(ben, &slug).await;
    assert_eq!(
        scan(chloe, &slug, &ben_badge, "connect").await["outcome"],
        "already_connected"
    );
    // A scan without a meeting is a connection, not a meeting that happened.
    assert_eq!(
        scan(dev, &slug, &ben_badge, "connect").await["outcome"],
        "connected"
    );
    assert_eq!(
        funnel().await,
        [1, 2, 2],
        "counted once; Dev had no meeting"
    );
}
on_both_backends!(
    funnel_meeting_stages,
    the_funnel_follows_a_meeting_from_request_to_met
);

fn total(bars: &Value) -> u64 {
    bars.as_array()
        .unwrap()
        .iter()
        .map(|b| b[1].as_u64().unwrap())
        .sum()
}

/// The floor: who is live in which room, messages per hour and the
/// busiest rooms, joins and check-ins per hour; on the page, in the API.
async fn the_floor_shows_rooms_joins_and_check_ins(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, people) = event_with(app, &["Ben", "Chloe"]).await;
    let (ada, ben, chloe) = (&people[0], &people[1], &people[2]);
    topic_room(ada, &slug, "Quiet corner").await;
    let rust = topic_room(ada, &slug, "Rust <folks>").await;

    let (_, d) = ada.call_json("dashboard", &[("slug", &slug)]).await;
    assert_eq!(d["in_rooms_now"], 0);
    assert_eq!(
        d["busiest_rooms"],
        serde_json::json!([]),
        "nothing busy yet"
    );
    assert_eq!(total(&d["joins_per_hour"]), 3, "Ada, Ben and Chloe joined");
    assert_eq!(total(&d["check_ins_per_hour"]), 0);

    let mut b = Client::connect(ben, "ben@example.org").await;
    b.join(&rust, None).await;
    let mut c = Client::connect(chloe, "chloe@example.org").await;
    c.join(&rust, None).await;
    for i in 0..3 {
        let ack = c.post(&rust, &format!("chloe-msg-000{i}"), "Hello").await;
        assert_eq!(ack["type"], "ack", "{ack}");
    }
    let ben_badge = badge_url(ben, &slug).await;
    assert_eq!(
        scan(ada, &slug, &ben_badge, "check_in").await["outcome"],
        "checked_in"
    );

    let (status, d) = ada.call_json("dashboard", &[("slug", &slug)]).await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["in_rooms_now"], 2, "Ben and Chloe, live in a room: {d}");
    assert_eq!(total(&d["messages_per_hour"]), 3);
    assert!(d["messages_per_hour"].as_array().unwrap().len() <= 2, "{d}");
    assert_eq!(
        d["busiest_rooms"],
        serde_json::json!([{"title": "Rust <folks>", "people_now": 2, "messages_last_hour": 3}]),
        "the quiet room is left out"
    );
    assert_eq!(total(&d["check_ins_per_hour"]), 1);
    assert_eq!(total(&d["joins_per_hour"]), 3);

    // Ben leaves the room: one person in rooms now, the messages stay.
    b.send(serde_json::json!({"type": "leave", "room": rust}))
        .await;
    b.recv_until(|v| v["type"] == "left").await;
    let (_, d) = ada.call_json("dashboard", &[("slug", &slug)]).await;
    assert_eq!(d["in_rooms_now"], 1, "{d}");
    assert_eq!(d["busiest_rooms"][0]["people_now"], 1);
    assert_eq!(d["busiest_rooms"][0]["messages_last_hour"], 3);

    // The page shows them, the room's title escaped.
    let html = ada
        .get(&format!("/e/{slug}/dashboard"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Busiest rooms now"), "{html}");
    assert!(html.contains("Rust &lt;folks&gt;"), "{html}");
    assert!(!html.contains("Rust <folks>"));
    for chart in [
        "Check-ins per hour",
        "Joins per hour",
        "Room messages per hour",
    ] {
        assert!(html.contains(chart), "{chart}");
    }

    // And the API answers the same numbers.
    let (status, body) = ada
        .call_json("create_api_token", &[("slug", &slug), ("name", "floor")])
        .await;
    assert_eq!(status, 200, "{body}");
    let token = body["secret"].as_str().unwrap();
    let stats: Value = reqwest::Client::new()
        .get(format!("{}/api/v1/statistics", ada.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["in_rooms_now"], 1, "{stats}");
    assert_eq!(stats["busiest_rooms"][0]["title"], "Rust <folks>");
    assert_eq!(stats["busiest_rooms"][0]["messages_last_hour"], 3);
    assert_eq!(total_counts(&stats["messages_per_hour"]), 3);
    assert_eq!(total_counts(&stats["joins_per_hour"]), 3);
    assert_eq!(total_counts(&stats["check_ins_per_hour"]), 1);
    drop((b, c));
}
on_both_backends!(floor, the_floor_shows_rooms_joins_and_check_ins);

fn total_counts(counts: &Value) -> u64 {
    counts
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["count"].as_u64().unwrap())
        .sum()
}
