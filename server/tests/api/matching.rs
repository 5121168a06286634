//! Matching and meetings over real HTTP, on SQLite and (when given)
//! PostgreSQL: ranked recommendations with explanations and every
//! exclusion, mutual interest connecting two people, the index following
//! profile changes, meeting requests through all their states, no
//! double-booking, bad times and places, the iCalendar feed parsed back,
//! and the funnel counts.

use crate::common::{future_event, spawn_app, user_id, Backend, TestApp};
use app::domain::{FunnelStage, Slug};
use icalendar::{Calendar, CalendarComponent, Component, EventLike, EventStatus};
use serde_json::Value;

/// (name, reasons as "kind:tag") of my recommendations, best first.
async fn recommendations(app: &TestApp, slug: &str) -> Vec<(String, Vec<String>)> {
    let (status, body) = app.call_json("people_to_meet", &[("slug", slug)]).await;
    assert_eq!(status, 200, "{body}");
    body["cards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["display_name"].as_str().unwrap().to_owned(),
                c["reasons"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| {
                        format!(
                            "{}:{}",
                            r["kind"].as_str().unwrap(),
                            r["tag"].as_str().unwrap()
                        )
                    })
                    .collect(),
            )
        })
        .collect()
}

fn names(recs: &[(String, Vec<String>)]) -> Vec<&str> {
    recs.iter().map(|(n, _)| n.as_str()).collect()
}

async fn answer(app: &TestApp, slug: &str, other: &TestApp, answer: &str) -> (u16, Value) {
    let id = user_id(other).await;
    app.call_json(
        "answer_recommendation",
        &[("slug", slug), ("user_id", &id), ("answer", answer)],
    )
    .await
}

async fn recommendations_flow(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, people) = future_event(
        app,
        &[
            ("Ben", "rust", "", "mentoring"),
            ("Chloe", "rust", "mentoring", ""),
            ("Dev", "rust, go", "", ""),
            ("Eve", "rust", "mentoring", "hiring"),
            ("Finn", "gardening", "", ""),
        ],
    )
    .await;
    let (ben, chloe, dev, eve, finn) = (&people[1], &people[2], &people[3], &people[4], &people[5]);

    // Complementary intents outrank a shared interest; the reasons say why.
    let recs = recommendations(ben, &slug).await;
    assert_eq!(names(&recs)[..2], ["Chloe", "Eve"], "{recs:?}");
    assert_eq!(
        recs[0].1,
        ["they_offer_what_you_seek:mentoring", "shared_interest:rust"]
    );
    assert_eq!(names(&recs)[2], "Dev");
    assert!(
        !names(&recs).contains(&"Finn"),
        "no score, no recommendation"
    );
    assert!(!names(&recs).contains(&"Ben"), "never myself");
    // And the other way round.
    let recs = recommendations(chloe, &slug).await;
    assert_eq!(recs[0].0, "Ben");
    assert_eq!(recs[0].1[0], "you_offer_what_they_seek:mentoring");

    // Exclusions: dismissed, blocked, opted out.
    assert_eq!(answer(ben, &slug, dev, "not_now").await.0, 200);
    let eve_id = user_id(eve).await;
    assert_eq!(
        ben.call_json("block", &[("user_id", &eve_id), ("slug", &slug)])
            .await
            .0,
        200
    );
    let recs = recommendations(ben, &slug).await;
    assert_eq!(names(&recs), ["Chloe"], "{recs:?}");
    assert_eq!(
        chloe
            .call_json(
                "update_membership",
                &[("slug", &slug), ("event_line", ""), ("opted_out", "on")]
            )
            .await
            .0,
        200
    );
    assert!(recommendations(ben, &slug).await.is_empty());
    let (_, mine) = chloe.call_json("people_to_meet", &[("slug", &slug)]).await;
    assert_eq!(mine["opted_out"], true);
    assert_eq!(mine["cards"].as_array().unwrap().len(), 0);
    chloe
        .call_json("update_membership", &[("slug", &slug), ("event_line", "")])
        .await;

    // The index follows profile changes: Finn now offers mentoring.
    let (status, _) = finn
        .call_json(
            "update_tags",
            &[
                ("tags_interest", ""),
                ("tags_offer", "mentoring"),
                ("tags_seek", ""),
            ],
        )
        .await;
    assert_eq!(status, 200);
    let recs = recommendations(ben, &slug).await;
    assert!(names(&recs).contains(&"Finn"), "{recs:?}");
    // Hidden tags are not matched on (the explanation would reveal them).
    let (status, _) = finn
        .call_json("update_visibility", &[("vis[tags]", "connections")])
        .await;
    assert_eq!(status, 200);
    assert!(!names(&recommendations(ben, &slug).await).contains(&"Finn"));

    // Interested both ways: connected, and no longer recommended.
    let (_, first) = answer(ben, &slug, chloe, "interested").await;
    assert_eq!(first["mutual"], false);
    let (_, card) = ben.call_json("people_to_meet", &[("slug", &slug)]).await;
    assert_eq!(card["cards"][0]["interested"], true);
    let (_, second) = answer(chloe, &slug, ben, "interested").await;
    assert_eq!(second["mutual"], true);
    let (_, conns) = ben.call_json("my_connections", &[]).await;
    assert_eq!(conns["connections"][0]["display_name"], "Chloe");
    assert_eq!(conns["connections"][0]["method"], "mutual");
    assert!(!names(&recommendations(ben, &slug).await).contains(&"Chloe"));

    // Bad answers.
    assert_eq!(answer(ben, &slug, ben, "interested").await.0, 422);
    assert_eq!(
        answer(ben, &slug, eve, "interested").await.0,
        404,
        "blocked"
    );
    assert_eq!(answer(ben, &slug, dev, "maybe").await.0, 422);

    // The funnel counted each stage once per pair.
    let event = ben
        .store
        .event_by_slug(&Slug::parse(&slug).unwrap())
        .await
        .unwrap()
        .unwrap();
    let counts = ben.store.funnel_counts(event.id).await.unwrap();
    let count = |stage| {
        counts
            .iter()
            .find(|(s, _)| *s == stage)
            .map_or(0, |(_, n)| *n)
    };
    assert_eq!(count(FunnelStage::Interested), 2);
    assert_eq!(count(FunnelStage::Mutual), 2);
    assert!(count(FunnelStage::Recommended) >= 4, "{counts:?}");
}
on_both_backends!(
    recommendations_rank_explain_exclude_and_connect,
    recommendations_flow
);

async fn request(
    app: &TestApp,
    slug: &str,
    other: &str,
    date: &str,
    time: &str,
    spot: &str,
    place: &str,
) -> (u16, Value) {
    app.call_json(
        "request_meeting",
        &[
            ("slug", slug),
            ("user_id", other),
            ("when[date]", date),
            ("when[time]", time),
            ("when[minutes]", "30"),
            ("when[spot]", spot),
            ("when[place]", place),
            ("message", "Coffee?"),
        ],
    )
    .await
}

async fn meeting(app: &TestApp, id: &str, answer: &str) -> (u16, Value) {
    app.call_json("answer_meeting", &[("id", id), ("answer", answer)])
        .await
}

fn events(text: &str) -> Vec<icalendar::Event> {
    let cal: Calendar = text.parse().unwrap_or_else(|e| panic!("{e}: {text}"));
    cal.components
        .into_iter()
        .filter_map(|c| match c {
            CalendarComponent::Event(e) => Some(e),
            _ => None,
        })
        .collect()
}

async fn meetings_flow(backend: Backend) {
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
    let (ada, ben, chloe, dev) = (&people[0], &people[1], &people[2], &people[3]);
    let (ben_id, chloe_id, dev_id) = (user_id(ben).await, user_id(chloe).await, user_id(dev).await);
    let res = ada
        .call(
            "update_spots",
            &[("slug", &slug), ("spots", "Table 12\nCoffee bar\n")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 200);
    let (_, options) = ben.call_json("meeting_options", &[("slug", &slug)]).await;
    assert_eq!(
        options["days"],
        serde_json::json!(["2031-05-14", "2031-05-15"])
    );
    let table = options["spots"][0][0].as_str().unwrap().to_owned();
    assert_eq!(options["spots"][0][1], "Table 12");
    // Only organizers set spots.
    assert_eq!(
        ben.call_json("update_spots", &[("slug", &slug), ("spots", "x")])
            .await
            .0,
        403
    );

    // Bad requests: outside the event, unknown spot, no place, myself.
    let (s, b) = request(ben, &slug, &chloe_id, "2031-05-16", "10:00", &table, "").await;
    assert_eq!(
        (s, b["detail"]["field"].clone()),
        (422, "date".into()),
        "{b}"
    );
    let (s, b) = request(
        ben,
        &slug,
        &chloe_id,
        "2031-05-14",
        "10:00",
        "not-a-spot",
        "",
    )
    .await;
    assert_eq!(
        (s, b["detail"]["field"].clone()),
        (422, "spot".into()),
        "{b}"
    );
    let (s, b) = request(ben, &slug, &chloe_id, "2031-05-14", "10:00", "", "").await;
    assert_eq!(
        (s, b["detail"]["field"].clone()),
        (422, "place".into()),
        "{b}"
    );
    let (s, _) = request(ben, &slug, &ben_id, "2031-05-14", "10:00", &table, "").await;
    assert_eq!(s, 422);

    // Request → counter-proposal → accept.
    let (s, id) = request(ben, &slug, &chloe_id, "2031-05-14", "15:00", &table, "").await;
    assert_eq!(s, 200, "{id}");
    let id = id.as_str().unwrap().to_owned();
    assert_eq!(meeting(ben, &id, "accept").await.0, 409, "not Ben's turn");
    let (s, b) = chloe
        .call_json(
            "counter_meeting",
            &[
                ("id", &id),
                ("when[date]", "2031-05-14"),
                ("when[time]", "16:00"),
                ("when[minutes]", "30"),
                ("when[spot]", ""),
                ("when[place]", "Coffee bar, hall B"),
            ],
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(
        meeting(chloe, &id, "accept").await.0,
        409,
        "now Ben answers"
    );
    assert_eq!(meeting(ben, &id, "accept").await.0, 200);
    let (_, agenda) = chloe.call_json("agenda", &[("slug", &slug)]).await;
    assert_eq!(
        agenda["meetings"][0]["when"], "Wed 14 May, 16:00–16:30",
        "{agenda}"
    );
    assert_eq!(agenda["meetings"][0]["place"], "Coffee bar, hall B");
    assert_eq!(agenda["meetings"][0]["other_name"], "Ben");
    // Someone else's meeting does not exist for Dev.
    assert_eq!(meeting(dev, &id, "cancel").await.0, 404);

    // No double-booking: Dev asking Ben at an overlapping time is refused
    // without naming Ben's meeting; Ben asking Dev is told which meeting.
    let (s, b) = request(dev, &slug, &ben_id, "2031-05-14", "16:15", &table, "").await;
    assert_eq!(s, 409, "{b}");
    assert!(!b.to_string().contains("Chloe"), "{b}");
    let (s, b) = request(ben, &slug, &dev_id, "2031-05-14", "16:10", &table, "").await;
    assert_eq!(s, 409);
    assert!(b["detail"].as_str().unwrap().contains("with Chloe"), "{b}");
    // Accepting a request that now overlaps is refused too.
    let (s, other) = request(dev, &slug, &chloe_id, "2031-05-14", "17:00", &table, "").await;
    assert_eq!(s, 200, "{other}");
    let other = other.as_str().unwrap().to_owned();
    let (s, late) = request(ben, &slug, &chloe_id, "2031-05-14", "17:15", &table, "").await;
    assert_eq!(s, 200, "{late}");
    assert_eq!(meeting(chloe, &other, "accept").await.0, 200);
    assert_eq!(
        meeting(chloe, late.as_str().unwrap(), "accept").await.0,
        409
    );

    // The private feed: no session needed, parsed back.
    let (_, agenda) = ben.call_json("agenda", &[("slug", &slug)]).await;
    let feed = agenda["feed_url"].as_str().unwrap().to_owned();
    let path = feed.strip_prefix(&ben.base).unwrap();
    let anonymous = ben.other_client();
    let res = anonymous.get(path).await;
    assert_eq!(res.status().as_u16(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/calendar"));
    let evs = events(&res.text().await.unwrap());
    assert_eq!(evs.len(), 1);
    assert_eq!(evs[0].get_summary(), Some("Meet Chloe"));
    assert_eq!(evs[0].get_location(), Some("Coffee bar, hall B"));
    assert_eq!(evs[0].get_status(), Some(EventStatus::Confirmed));
    let sequence = evs[0].get_sequence().unwrap();
    assert!(sequence >= 2, "request, counter, accept: {sequence}");
    assert_eq!(anonymous.get("/calendar/nope").await.status().as_u16(), 404);
    // One meeting as .ics, for its two people only.
    let one = ben.get(&format!("/meetings/{id}/ics")).await;
    assert_eq!(one.status().as_u16(), 200);
    assert_eq!(events(&one.text().await.unwrap()).len(), 1);
    assert_eq!(
        dev.get(&format!("/meetings/{id}/ics"))
            .await
            .status()
            .as_u16(),
        404
    );

    // Held, then cancelled: the feed keeps it as cancelled; replies to a
    // cancelled meeting are refused.
    assert_eq!(meeting(ben, &id, "held").await.0, 200);
    assert_eq!(meeting(chloe, &id, "cancel").await.0, 200);
    let (s, b) = meeting(ben, &id, "accept").await;
    assert_eq!(s, 409);
    assert_eq!(b["detail"], "This meeting was cancelled.");
    let evs = events(&anonymous.get(path).await.text().await.unwrap());
    assert_eq!(evs[0].get_status(), Some(EventStatus::Cancelled));
    assert!(evs[0].get_sequence().unwrap() > sequence);

    // Blocked or opted-out people cannot be asked.
    let (s, _) = dev
        .call_json("block", &[("user_id", &ben_id), ("slug", &slug)])
        .await;
    assert_eq!(s, 200);
    let (s, _) = ben
        .call_json(
            "answer_meeting",
            &[("id", "nonsense"), ("answer", "accept")],
        )
        .await;
    assert_eq!(s, 404);
    assert_eq!(
        request(ben, &slug, &dev_id, "2031-05-15", "10:00", &table, "")
            .await
            .0,
        404
    );
}
on_both_backends!(
    meetings_move_through_their_states_without_double_booking,
    meetings_flow
);
