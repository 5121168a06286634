//! The meeting scheduler driven over HTTP on both backends: the organizer
//! sets up the sessions, attendees state wishes and availability, the
//! schedule is run, edited, published onto agendas and calendar feeds, a
//! meeting is declined and a re-run keeps what was published. Also what a
//! hostile caller tries: an attendee calling the organizer's functions,
//! another event's organizer, a wish for someone who blocked me.

use crate::common::{future_event, spawn_app, user_id, Backend, TestApp};
use serde_json::Value;

/// Four slots on 14 May 2031 (Berlin): three of 20 minutes from 09:00,
/// a break, one at 10:30.
const SLOTS: &str = "2031-05-14 09:00-10:00/20\n2031-05-14 10:30-10:50";

async fn page(ada: &TestApp, slug: &str) -> Value {
    let (status, page) = ada.call_json("schedule_page", &[("slug", slug)]).await;
    assert_eq!(status, 200, "{page}");
    page
}

fn meetings(page: &Value) -> Vec<Value> {
    page["review"]["meetings"].as_array().unwrap().clone()
}

/// The names of a scheduled meeting, sorted.
fn pair(m: &Value) -> (String, String) {
    let (a, b) = (
        m["people"][0].as_str().unwrap().to_owned(),
        m["people"][1].as_str().unwrap().to_owned(),
    );
    if a < b {
        (a, b)
    } else {
        (b, a)
    }
}

fn find<'a>(list: &'a [Value], a: &str, b: &str) -> Option<&'a Value> {
    let want = if a < b { (a, b) } else { (b, a) };
    list.iter()
        .find(|m| pair(m) == (want.0.to_owned(), want.1.to_owned()))
}

async fn wish(who: &TestApp, slug: &str, other: &str, priority: &str) -> (u16, Value) {
    who.call_json(
        "set_wish",
        &[("slug", slug), ("user_id", other), ("priority", priority)],
    )
    .await
}

async fn schedule_flow(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let people = [
        ("Ben", "rust", "", ""),
        ("Cy", "rust", "", ""),
        ("Dee", "rust", "", ""),
        ("Eve", "rust", "", ""),
    ];
    let (slug, c) = future_event(app, &people).await;
    let (ada, ben, cy, dee, eve) = (&c[0], &c[1], &c[2], &c[3], &c[4]);
    let ben_id = user_id(ben).await;
    let cy_id = user_id(cy).await;
    let setup = [
        ("slug", slug.as_str()),
        ("slots", SLOTS),
        ("spots", "Table 1: 1\nTable 2"),
        ("max_meetings", "3"),
        ("max_in_a_row", "2"),
    ];

    // An attendee cannot touch the organizer's side.
    assert_eq!(ben.call_json("save_schedule_setup", &setup).await.0, 403);
    for name in [
        "schedule_page",
        "run_schedule",
        "publish_schedule",
        "schedule_figures",
    ] {
        assert_eq!(
            ben.call_json(name, &[("slug", &slug)]).await.0,
            403,
            "{name}"
        );
    }
    let (status, _) = ben
        .call_json(
            "edit_schedule",
            &[
                ("slug", &slug),
                ("action", "remove"),
                ("id", &uuid::Uuid::new_v4().to_string()),
            ],
        )
        .await;
    assert_eq!(status, 403);

    // The organizer sets the sessions up; a bad plan says what is wrong.
    let mut bad = setup;
    bad[1] = ("slots", "2031-05-20 09:00-10:00");
    let (status, err) = ada.call_json("save_schedule_setup", &bad).await;
    assert_eq!(status, 422, "{err}");
    let (status, body) = ada.call_json("save_schedule_setup", &setup).await;
    assert_eq!(status, 200, "{body}");
    let p = page(ada, &slug).await;
    assert_eq!(p["slot_choices"].as_array().unwrap().len(), 4);
    assert_eq!(p["spots_text"], "Table 1: 1\nTable 2: 1");

    // Wishes: Ben and Cy want each other; Dee wants Ben, who accepts being
    // asked but not in the first slot; Eve, whom Ben blocked, cannot wish.
    assert_eq!(wish(ben, &slug, &cy_id, "must").await.0, 200);
    assert_eq!(wish(cy, &slug, &ben_id, "would_like").await.0, 200);
    assert_eq!(wish(dee, &slug, &ben_id, "must").await.0, 200);
    assert_eq!(wish(ben, &slug, &ben_id, "must").await.0, 422, "myself");
    assert_eq!(wish(ben, &slug, &cy_id, "whenever").await.0, 422);
    let eve_id = user_id(eve).await;
    assert_eq!(
        ben.call_json("block", &[("user_id", &eve_id), ("slug", &slug)])
            .await
            .0,
        200
    );
    assert_eq!(wish(eve, &slug, &ben_id, "must").await.0, 404, "blocked");
    let (_, mine) = ben.call_json("my_schedule", &[("slug", &slug)]).await;
    let slots: Vec<String> = mine["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect();
    let mut form = vec![
        ("slug".to_owned(), slug.clone()),
        ("accepts_requests".to_owned(), "on".to_owned()),
    ];
    for s in &slots[1..] {
        form.push((format!("available[slot_{s}]"), "on".to_owned()));
    }
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, body) = ben.call_json("set_my_availability", &form).await;
    assert_eq!(status, 200, "{body}");
    let (_, mine) = ben.call_json("my_schedule", &[("slug", &slug)]).await;
    assert_eq!(mine["accepts_requests"], true);
    assert_eq!(mine["slots"][0]["available"], false);
    assert_eq!(mine["slots"][1]["available"], true);
    assert_eq!(mine["wishes"][0]["name"], "Cy");

    // Run: both wishes met, never in Ben's first slot.
    let (status, said) = ada.call_json("run_schedule", &[("slug", &slug)]).await;
    assert_eq!(status, 200, "{said}");
    let p = page(ada, &slug).await;
    let list = meetings(&p);
    assert_eq!(list.len(), 2, "{p}");
    assert!(list.iter().all(|m| m["slot_id"] != slots[0].as_str()));
    let figures = &p["review"]["figures"];
    assert_eq!(
        (figures["wishes"].clone(), figures["wishes_met"].clone()),
        (3.into(), 3.into())
    );
    assert!(figures["value"].as_i64().unwrap() <= figures["upper_bound"].as_i64().unwrap());

    // Hand edits: moving Ben into his unavailable slot is refused, with why.
    let bc = find(&list, "Ben", "Cy").unwrap().clone();
    let spot = bc["spot_id"].as_str().unwrap().to_owned();
    let edit = |action: &'static str, id: String, slot: String| {
        vec![
            ("action", action.to_owned()),
            ("id", id),
            ("slot", slot),
            ("spot", spot.clone()),
            ("slug", slug.clone()),
        ]
    };
    let call = |form: Vec<(&'static str, String)>| async move {
        let f: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        ada.call_json("edit_schedule", &f).await
    };
    let id = bc["id"].as_str().unwrap().to_owned();
    let (status, err) = call(edit("move", id.clone(), slots[0].clone())).await;
    assert_eq!(status, 409, "{err}");
    assert!(err.to_string().contains("Ben"), "{err}");
    let free = slots
        .iter()
        .skip(1)
        .find(|s| list.iter().all(|m| m["slot_id"] != s.as_str()))
        .unwrap()
        .clone();
    let (status, body) = call(edit("move", id.clone(), free.clone())).await;
    assert_eq!(status, 200, "{body}");
    // Remove, then add back by hand.
    assert_eq!(call(edit("remove", id.clone(), String::new())).await.0, 200);
    assert_eq!(meetings(&page(ada, &slug).await).len(), 1);
    let add = vec![
        ("action", "add".to_owned()),
        ("a", ben_id.clone()),
        ("b", cy_id.clone()),
        ("slot", free.clone()),
        ("spot", spot.clone()),
        ("slug", slug.clone()),
    ];
    let (status, body) = call(add.clone()).await;
    assert_eq!(status, 200, "{body}");
    // Ben and Eve (blocked) cannot be added by hand either.
    let mut blocked = add.clone();
    blocked[1].1 = eve_id.clone();
    blocked[3].1 = slots[3].clone();
    let (status, err) = call(blocked).await;
    assert_eq!(status, 409, "{err}");

    // Publish: real meetings on agendas and the calendar feed.
    let (status, n) = ada.call_json("publish_schedule", &[("slug", &slug)]).await;
    assert_eq!((status, n.clone()), (200, 2.into()), "{n}");
    let (_, agenda) = ben.call_json("agenda", &[("slug", &slug)]).await;
    let accepted = agenda["meetings"].as_array().unwrap();
    assert_eq!(accepted.len(), 2, "{agenda}");
    let feed = agenda["feed_url"].as_str().unwrap().to_owned();
    let ics = ben
        .other_client()
        .get(feed.strip_prefix(&ben.base).unwrap())
        .await
        .text()
        .await
        .unwrap();
    assert!(
        ics.contains("SUMMARY:Meet Cy") && ics.contains("SUMMARY:Meet Dee"),
        "{ics}"
    );
    assert_eq!(
        ada.call_json("publish_schedule", &[("slug", &slug)])
            .await
            .0,
        409,
        "nothing left"
    );
    let (_, dash) = ada.call_json("schedule_figures", &[("slug", &slug)]).await;
    assert_eq!(dash["published"], 2);

    // Cy declines: the slot is free, the pair is not scheduled again, and
    // a re-run keeps Dee and Ben where they were.
    let cy_meeting = agenda["meetings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["other_name"] == "Cy")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, body) = cy
        .call_json(
            "answer_meeting",
            &[("id", &cy_meeting), ("answer", "cancel")],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let before = find(&meetings(&page(ada, &slug).await), "Ben", "Dee")
        .unwrap()
        .clone();
    assert_eq!(
        ada.call_json("run_schedule", &[("slug", &slug)]).await.0,
        200
    );
    let p = page(ada, &slug).await;
    let list = meetings(&p);
    assert_eq!(
        find(&list, "Ben", "Dee"),
        Some(&before),
        "kept where it was"
    );
    let bc = find(&list, "Ben", "Cy").unwrap();
    assert_eq!(bc["declined"], true, "only the declined one: {list:?}");
    assert_eq!(list.len(), 2);
    assert_eq!(p["review"]["figures"]["declined"], 1);

    // Another event's organizer reaches nothing here.
    let zed = ada.other_client();
    zed.signup("Zed", "zed@example.org").await;
    let theirs = zed.create_event("Elsewhere").await;
    assert_eq!(
        zed.call_json("run_schedule", &[("slug", &slug)]).await.0,
        403
    );
    assert_eq!(
        zed.call_json("schedule_page", &[("slug", &slug)]).await.0,
        403
    );
    let (status, _) = zed
        .call_json(
            "edit_schedule",
            &[
                ("slug", &theirs),
                ("action", "remove"),
                ("id", before["id"].as_str().unwrap()),
            ],
        )
        .await;
    assert_eq!(status, 404);
    assert_eq!(
        find(&meetings(&page(ada, &slug).await), "Ben", "Dee"),
        Some(&before)
    );
}

on_both_backends!(schedule, schedule_flow);

async fn pages_render_without_javascript(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, c) = future_event(app, &[("Ben", "rust", "", "")]).await;
    let (ada, ben) = (&c[0], &c[1]);
    let html = ada
        .get(&format!("/e/{slug}/schedule"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Meeting scheduler") && html.contains("Run the scheduler"),
        "{html}"
    );
    let html = ben
        .get(&format!("/e/{slug}/wishes"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("My meeting wishes"), "{html}");
    let res = ben.get(&format!("/e/{slug}/schedule")).await;
    assert_eq!(res.status().as_u16(), 403);
}

on_both_backends!(schedule_pages, pages_render_without_javascript);

/// The demo event: its organizer builds a schedule in one click, and it
/// is close to the upper bound.
async fn the_demo_schedule_is_built_in_one_click(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    server::seed::seed_demo(app.store.as_ref()).await.unwrap();
    let (status, body) = app
        .call_json(
            "login",
            &[
                ("email", "ada@demo.rapport.dev"),
                ("password", server::seed::DEMO_PASSWORD),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let slug = server::seed::DEMO_SLUG;
    let (status, said) = app.call_json("run_schedule", &[("slug", slug)]).await;
    assert_eq!(status, 200, "{said}");
    let p = page(&app, slug).await;
    let f = &p["review"]["figures"];
    let (value, bound) = (
        f["value"].as_i64().unwrap(),
        f["upper_bound"].as_i64().unwrap(),
    );
    eprintln!("demo schedule: {said} ({value} of {bound})");
    assert!(f["meetings"].as_u64().unwrap() > 100, "{f}");
    assert!(value * 100 >= bound * 90, "{value} of {bound}");
    assert!(p["meetings_found"].as_u64().unwrap() > 100);
    assert!(meetings(&p).len() <= 200, "the page lists at most 200");
}

on_both_backends!(demo_schedule, the_demo_schedule_is_built_in_one_click);
