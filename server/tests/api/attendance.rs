//! Who is here now, driven over HTTP and WebSocket on both backends: an
//! attendee checks in and out with their own button, staff check people in
//! and out by scanning, someone live in a room counts as here, and "here
//! now" filters people to meet and the directory over the whole event; the
//! dashboard counts it. Also what a hostile or careless caller tries.

use crate::common::{
    event_on, spawn_app,
    ws::{topic_room, Client},
    Backend, TestApp,
};
use serde_json::Value;

/// An event running today (UTC), organized by Ada; Ben, Cy and Dee join
/// and share a topic, so each is recommended to the others.
async fn event_today(app: TestApp) -> (String, Vec<TestApp>) {
    let today = chrono::Utc::now().date_naive();
    let day = |d: i64| (today + chrono::Duration::days(d)).to_string();
    let tags = ("rust", "mentoring", "mentoring");
    let people: Vec<_> = ["Ben", "Cy", "Dee"]
        .into_iter()
        .map(|name| (name, tags.0, tags.1, tags.2))
        .collect();
    event_on(app, (&day(-1), &day(1), "UTC"), &people).await
}

fn names(list: &Value, key: &str) -> Vec<String> {
    let mut names: Vec<String> = list[key]
        .as_array()
        .unwrap_or_else(|| panic!("no {key} in {list}"))
        .iter()
        .map(|c| c["display_name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

async fn here_now_to_meet(who: &TestApp, slug: &str) -> Vec<String> {
    let (status, list) = who
        .call_json("people_to_meet", &[("slug", slug), ("here_now", "on")])
        .await;
    assert_eq!(status, 200, "{list}");
    names(&list, "cards")
}

async fn here_now_in_directory(who: &TestApp, slug: &str) -> Vec<String> {
    let (status, page) = who
        .call_json("directory", &[("slug", slug), ("here", "on")])
        .await;
    assert_eq!(status, 200, "{page}");
    names(&page, "people")
}

async fn set(who: &TestApp, slug: &str, movement: &str) -> (u16, Value) {
    who.call_json("set_my_presence", &[("slug", slug), ("movement", movement)])
        .await
}

async fn who_is_here(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, people) = event_today(app).await;
    let (ada, ben, cy, dee) = (&people[0], &people[1], &people[2], &people[3]);

    // Nobody is here yet; the page offers the button (without JavaScript).
    let (_, mine) = ben.call_json("my_presence", &[("slug", &slug)]).await;
    assert_eq!(mine["here_since"], Value::Null);
    let html = ben.get(&format!("/e/{slug}")).await.text().await.unwrap();
    assert!(
        html.contains("I&#x27;m here") || html.contains("I'm here"),
        "{html}"
    );
    assert!(here_now_to_meet(ben, &slug).await.is_empty());
    let (_, all) = ben.call_json("people_to_meet", &[("slug", &slug)]).await;
    assert_eq!(names(&all, "cards"), ["Cy", "Dee"]);

    // Cy arrives: found by "here now", everywhere it filters.
    let (status, mine) = set(cy, &slug, "in").await;
    assert_eq!(status, 200, "{mine}");
    assert!(mine["here_since"].is_string(), "{mine}");
    assert_eq!(here_now_to_meet(ben, &slug).await, ["Cy"]);
    assert_eq!(here_now_in_directory(ben, &slug).await, ["Cy"]);
    let (_, all) = ben.call_json("people_to_meet", &[("slug", &slug)]).await;
    let cy_card = all["cards"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["display_name"] == "Cy")
        .unwrap();
    assert_eq!(cy_card["checked_in"], true, "the card says so");

    // Dee is not checked in, but live in a room: here too.
    let room = topic_room(ada, &slug, "Hallway").await;
    let mut dee_live = Client::connect(dee, "dee@example.org").await;
    dee_live.join(&room, None).await;
    assert_eq!(here_now_to_meet(ben, &slug).await, ["Cy", "Dee"]);
    assert_eq!(here_now_in_directory(ben, &slug).await, ["Cy", "Dee"]);
    drop(dee_live);

    // The dashboard counts who is here and how many were, hour by hour.
    let (status, dash) = ada.call_json("dashboard", &[("slug", &slug)]).await;
    assert_eq!(status, 200, "{dash}");
    let bars = dash["here_per_hour"].as_array().unwrap();
    assert_eq!(bars.last().unwrap()[1], 1, "Cy, this hour: {dash}");

    // Cy leaves: gone from "here now"; leaving twice changes nothing.
    let (status, mine) = set(cy, &slug, "out").await;
    assert_eq!((status, mine["here_since"].clone()), (200, Value::Null));
    assert_eq!(set(cy, &slug, "out").await.0, 200);
    tokio::time::timeout(std::time::Duration::from_secs(10), async {
        // Dee's socket closing reaches the hub in a moment.
        while !here_now_to_meet(ben, &slug).await.is_empty() {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("nobody is here once Cy left and Dee's socket closed");

    // Staff check people in and out by scanning their badge.
    let (_, badge) = ben.call_json("my_badge", &[("slug", &slug)]).await;
    let code = badge["badge"]["code"].as_str().unwrap().to_owned();
    let scan = |mode: &'static str| {
        let (slug, code) = (slug.clone(), code.clone());
        async move {
            let (status, view) = ada
                .call_json(
                    "scan_badge",
                    &[("slug", &slug), ("badge", &code), ("mode", mode)],
                )
                .await;
            assert_eq!(status, 200, "{view}");
            view["outcome"].as_str().unwrap().to_owned()
        }
    };
    assert_eq!(scan("check_in").await, "checked_in");
    assert_eq!(here_now_to_meet(cy, &slug).await, ["Ben"]);
    assert_eq!(scan("check_in").await, "already_checked_in");
    assert_eq!(scan("check_out").await, "checked_out");
    assert_eq!(scan("check_out").await, "not_checked_in");
    assert!(here_now_to_meet(cy, &slug).await.is_empty());
    // An attendee cannot check others out.
    let (status, view) = dee
        .call_json(
            "scan_badge",
            &[("slug", &slug), ("badge", &code), ("mode", "check_out")],
        )
        .await;
    assert_eq!((status, view["outcome"].as_str()), (200, Some("not_staff")));
}
on_both_backends!(who_is_here, who_is_here);

async fn presence_refuses_what_it_should(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, people) = event_today(app).await;
    let (ada, ben) = (&people[0], &people[1]);
    let (status, body) = set(ben, &slug, "sideways").await;
    assert_eq!(
        (status, body["detail"]["field"].as_str()),
        (422, Some("movement"))
    );

    // Not a member: refused, and nothing about the event is said.
    let stranger = ada.other_client();
    stranger.signup("Eve", "eve@example.org").await;
    assert_eq!(set(&stranger, &slug, "in").await.0, 403);
    assert_eq!(
        stranger
            .call_json("my_presence", &[("slug", &slug)])
            .await
            .0,
        403
    );
    let (status, _) = stranger
        .call_json("directory", &[("slug", &slug), ("here", "on")])
        .await;
    assert_eq!(status, 403);

    // Checking in is for the event's days.
    let (status, later) = ada
        .call_json(
            "create_event",
            &[
                ("name", "Next Year"),
                ("starts_on", "2031-05-14"),
                ("ends_on", "2031-05-15"),
                ("time_zone", "Europe/Berlin"),
                ("venue", ""),
                ("description", ""),
            ],
        )
        .await;
    assert_eq!(status, 200, "{later}");
    let (status, body) = set(ada, later.as_str().unwrap(), "in").await;
    assert_eq!(status, 409, "{body}");
    assert!(body.to_string().contains("event's days"), "{body}");

    // Coming and going in a loop is stopped before it floods the log.
    let mut statuses = Vec::new();
    for i in 0..8 {
        statuses.push(
            set(ben, &slug, if i % 2 == 0 { "in" } else { "out" })
                .await
                .0,
        );
    }
    assert_eq!(statuses[..6], [200; 6]);
    assert_eq!(statuses[6..], [429, 429], "{statuses:?}");
}
on_both_backends!(
    presence_refuses_what_it_should,
    presence_refuses_what_it_should
);
