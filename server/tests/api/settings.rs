//! Event settings and roles over real HTTP, on SQLite and (when given)
//! PostgreSQL: every setting saved and enforced where it acts (the join
//! code on invite-only events, room creation by attendees, the default for
//! approving scans), an invalid form changing nothing, and the organizers'
//! members section (promote — only an offer until the member accepts —,
//! demote, remove — the badge dies and the recommendations forget them; the
//! last organizer stays; nobody else may).

use crate::common;
use crate::common::{event_with, spawn_app, user_id, Backend, TestApp};
use app::domain::Slug;
use serde_json::Value;

fn form<'a>(slug: &'a str, fields: &[(&'a str, &'a str)]) -> Vec<(String, String)> {
    let mut f = vec![("slug".to_owned(), slug.to_owned())];
    f.extend(
        fields
            .iter()
            .map(|(k, v)| (format!("settings[{k}]"), (*v).to_owned())),
    );
    f
}

async fn save(app: &TestApp, slug: &str, fields: &[(&str, &str)]) -> (u16, Value) {
    let f = form(slug, fields);
    let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    app.call_json("save_event_settings", &pairs).await
}

const BASE: &[(&str, &str)] = &[
    ("name", "Conf Two"),
    ("starts_on", "2031-05-14"),
    ("ends_on", "2031-05-16"),
    ("time_zone", "Europe/Paris"),
    ("venue", "Hall 2"),
    ("description", "Now three days"),
];

async fn settings(app: &TestApp, slug: &str) -> Value {
    let (status, body) = app.call_json("event_settings", &[("slug", slug)]).await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn create_room(app: &TestApp, slug: &str, title: &str) -> u16 {
    app.call_json(
        "create_room",
        &[("slug", slug), ("kind", "topic"), ("title", title)],
    )
    .await
    .0
}

async fn settings_flow(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, people) = event_with(app, &["Ben"]).await;
    let (ada, ben) = (&people[0], &people[1]);
    let (_, page) = ada.call_json("event_page", &[("slug", &slug)]).await;
    let code = page["invitation"]["join_code"].as_str().unwrap().to_owned();
    let invite = page["invitation"]["invite_url"]
        .as_str()
        .unwrap()
        .to_owned();

    // Defaults: open, attendees create rooms, scans connect at once.
    let before = settings(ada, &slug).await;
    assert_eq!(before["join_policy"], "open");
    assert_eq!(before["attendees_create_rooms"], true);
    assert_eq!(before["approve_scans_default"], false);
    assert_eq!(before["members"].as_array().unwrap().len(), 2);

    // Attendees see nothing and change nothing.
    assert_eq!(
        ben.call_json("event_settings", &[("slug", &slug)]).await.0,
        403
    );
    let mut all = BASE.to_vec();
    all.extend([("join_policy", "invite_only"), ("taxonomy", "Skills: rust")]);
    assert_eq!(save(ben, &slug, &all).await.0, 403);

    // A bad field refuses the whole form: nothing changes.
    let mut bad = all.clone();
    bad.push(("spots", "Table 1"));
    bad.retain(|(k, _)| *k != "ends_on");
    bad.push(("ends_on", "2031-05-01"));
    let (status, body) = save(ada, &slug, &bad).await;
    assert_eq!(status, 422, "{body}");
    let mut bad_zone = all.clone();
    bad_zone.retain(|(k, _)| *k != "time_zone");
    bad_zone.push(("time_zone", "Mars/Olympus"));
    let (status, body) = save(ada, &slug, &bad_zone).await;
    assert_eq!(
        (status, body["detail"]["field"].as_str()),
        (422, Some("time_zone")),
        "{body}"
    );
    let (status, body) = save(ada, &slug, &[("join_policy", "closed")]).await;
    assert!(status == 422 || status == 400, "{status} {body}");
    assert_eq!(settings(ada, &slug).await, before, "nothing half-saved");

    // Everything at once.
    let mut good = all.clone();
    good.extend([
        ("approve_scans_default", "on"),
        ("free_tags", "on"),
        ("spots", "Table 1\nTable 2\n"),
    ]);
    let (status, body) = save(ada, &slug, &good).await;
    assert_eq!(status, 200, "{body}");
    let after = settings(ada, &slug).await;
    assert_eq!(after["name"], "Conf Two");
    assert_eq!(after["ends_on"], "2031-05-16");
    assert_eq!(after["time_zone"], "Europe/Paris");
    assert_eq!(after["venue"], "Hall 2");
    assert_eq!(after["description"], "Now three days");
    assert_eq!(after["join_policy"], "invite_only");
    assert_eq!(after["attendees_create_rooms"], false, "unticked box");
    assert_eq!(after["approve_scans_default"], true);
    assert_eq!(after["taxonomy"], "Skills: rust");
    assert_eq!(after["free_tags"], true);
    assert_eq!(after["spots"], "Table 1\nTable 2");
    let (_, page) = ben.call_json("event_page", &[("slug", &slug)]).await;
    assert_eq!(
        page["event"]["name"], "Conf Two",
        "members see the new name"
    );
    // The page itself is rendered on the server, with what was saved.
    let html = ada
        .get(&format!("/e/{slug}/settings"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Event settings") && html.contains("Table 2"),
        "{html}"
    );
    assert!(html.contains("Change Ben"), "the members section lists Ben");
    let html = ben
        .get(&format!("/e/{slug}/settings"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!html.contains("Table 2"), "not for attendees");

    // Invite only: the join code is refused with a clear message; the
    // invite link still works, and the newcomer approves scans first.
    let dee = ada.other_client();
    dee.signup("Dee", "dee@example.org").await;
    let (status, body) = dee.call_json("join_by_code", &[("code", &code)]).await;
    assert_eq!(status, 403, "{body}");
    assert!(body.to_string().contains("invitation only"), "{body}");
    assert_eq!(dee.call_json("event_page", &[("slug", &slug)]).await.0, 403);
    let token = invite.rsplit('/').next().unwrap();
    let (status, body) = dee.call_json("join_by_invite", &[("token", token)]).await;
    assert_eq!(status, 200, "{body}");
    let event = ada
        .store
        .event_by_slug(&Slug::parse(&slug).unwrap())
        .await
        .unwrap()
        .unwrap();
    let dee_id = app::domain::UserId(user_id(&dee).await.parse().unwrap());
    let ben_id = app::domain::UserId(user_id(ben).await.parse().unwrap());
    let membership = |id| {
        let store = ada.store.clone();
        async move { store.membership(event.id, id).await.unwrap().unwrap() }
    };
    assert!(
        membership(dee_id).await.approve_scans,
        "the event's default"
    );
    assert!(
        !membership(ben_id).await.approve_scans,
        "existing members keep theirs"
    );

    // Rooms: attendees may not create them now; organizers still may.
    assert_eq!(create_room(ben, &slug, "Rustaceans").await, 403);
    let (_, rooms) = ben.call_json("event_rooms", &[("slug", &slug)]).await;
    assert_eq!(rooms["can_create"], false);
    assert_eq!(create_room(ada, &slug, "Welcome").await, 200);

    // Switched back: open again, attendees create rooms, scans connect.
    let mut open = BASE.to_vec();
    open.extend([("join_policy", "open"), ("attendees_create_rooms", "on")]);
    assert_eq!(save(ada, &slug, &open).await.0, 200);
    assert_eq!(create_room(ben, &slug, "Rustaceans").await, 200);
    let eve = ada.other_client();
    eve.signup("Eve", "eve@example.org").await;
    assert_eq!(
        eve.call_json("join_by_code", &[("code", &code)]).await.0,
        200
    );
    let eve_id = app::domain::UserId(user_id(&eve).await.parse().unwrap());
    assert!(!membership(eve_id).await.approve_scans);
    let after = settings(ada, &slug).await;
    assert_eq!(after["taxonomy"], "", "an empty taxonomy field clears it");
    assert_eq!(after["spots"], "");
}
on_both_backends!(each_setting_is_saved_and_enforced, settings_flow);

async fn badge_url(app: &TestApp, slug: &str) -> String {
    let (status, b) = app.call_json("my_badge", &[("slug", slug)]).await;
    assert_eq!(status, 200, "{b}");
    b["badge"]["url"].as_str().unwrap().to_owned()
}

async fn scan_outcome(app: &TestApp, slug: &str, badge: &str) -> Value {
    let (_, view) = app
        .call_json(
            "scan_badge",
            &[
                ("slug", slug),
                ("badge", badge),
                ("mode", "connect"),
                ("method", "scanner"),
            ],
        )
        .await;
    view["outcome"].clone()
}

async fn change(app: &TestApp, slug: &str, who: &str, action: &str) -> (u16, Value) {
    app.call_json(
        "update_member",
        &[("slug", slug), ("user_id", who), ("action", action)],
    )
    .await
}

/// Accepts the role offered in the event at `slug` (from "My events").
async fn accept(app: &TestApp, slug: &str) {
    let (status, body) = app
        .call_json("answer_invitation", &[("slug", slug), ("answer", "accept")])
        .await;
    assert_eq!(status, 200, "{body}");
}

/// The role offered to `name` and waiting for their answer, as the
/// organizers' members list shows it.
async fn offered_to(app: &TestApp, slug: &str, name: &str) -> Option<String> {
    settings(app, slug).await["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["display_name"] == name)
        .and_then(|m| m["offered"].as_str().map(str::to_owned))
}

async fn role_of(app: &TestApp, slug: &str, name: &str) -> Option<String> {
    settings(app, slug).await["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["display_name"] == name)
        .map(|m| m["role"].as_str().unwrap().to_owned())
}

async fn recommended(app: &TestApp, slug: &str) -> Vec<String> {
    let (status, body) = app.call_json("people_to_meet", &[("slug", slug)]).await;
    assert_eq!(status, 200, "{body}");
    body["cards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["display_name"].as_str().unwrap().to_owned())
        .collect()
}

async fn roles_flow(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, people) = event_with(app, &["Ben", "Cy", "Dee"]).await;
    let (ada, ben, cy, dee) = (&people[0], &people[1], &people[2], &people[3]);
    for p in [ben, cy] {
        let (status, body) = p
            .call_json(
                "update_tags",
                &[
                    ("tags_interest", "rust"),
                    ("tags_offer", ""),
                    ("tags_seek", ""),
                ],
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
    let (ada_id, ben_id, cy_id, dee_id) = (
        user_id(ada).await,
        user_id(ben).await,
        user_id(cy).await,
        user_id(dee).await,
    );
    assert!(recommended(cy, &slug).await.contains(&"Ben".to_owned()));
    let ben_badge = badge_url(ben, &slug).await;

    // Attendees and staff cannot change anyone.
    assert_eq!(change(ben, &slug, &cy_id, "staff").await.0, 403);
    assert_eq!(change(ben, &slug, &ada_id, "remove").await.0, 403);
    let (status, body) = change(ada, &slug, &ben_id, "staff").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        role_of(ada, &slug, "Ben").await.as_deref(),
        Some("attendee"),
        "offered, not given"
    );
    accept(ben, &slug).await;
    assert_eq!(role_of(ada, &slug, "Ben").await.as_deref(), Some("staff"));
    assert_eq!(
        change(ben, &slug, &cy_id, "remove").await.0,
        403,
        "staff neither"
    );
    assert_eq!(
        ben.call_json("event_settings", &[("slug", &slug)]).await.0,
        403
    );
    // Demote.
    assert_eq!(change(ada, &slug, &ben_id, "attendee").await.0, 200);
    assert_eq!(
        role_of(ada, &slug, "Ben").await.as_deref(),
        Some("attendee")
    );
    // Nonsense is refused clearly.
    assert_eq!(change(ada, &slug, &ben_id, "king").await.0, 422);
    assert_eq!(change(ada, &slug, "not-an-id", "staff").await.0, 404);
    let outsider = ada.other_client();
    outsider.signup("Out", "out@example.org").await;
    let out_id = user_id(&outsider).await;
    assert_eq!(change(ada, &slug, &out_id, "staff").await.0, 404);
    // Another event's organizer has no say here.
    let other = outsider.create_event("Other").await;
    assert_eq!(change(&outsider, &slug, &ben_id, "remove").await.0, 403);
    assert_eq!(change(ada, &other, &out_id, "attendee").await.0, 403);

    // The last organizer can neither step down nor be removed.
    let (status, body) = change(ada, &slug, &ada_id, "attendee").await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body.to_string().contains("at least one organizer"),
        "{body}"
    );
    assert_eq!(change(ada, &slug, &ada_id, "remove").await.0, 409);
    assert_eq!(
        role_of(ada, &slug, "Ada").await.as_deref(),
        Some("organizer")
    );

    // Removing Ben: his badge answers "unknown", he is out of the event
    // and of everyone's recommendations.
    assert_eq!(scan_outcome(dee, &slug, &ben_badge).await, "connected");
    let (status, body) = change(ada, &slug, &ben_id, "remove").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(role_of(ada, &slug, "Ben").await, None);
    assert_eq!(scan_outcome(cy, &slug, &ben_badge).await, "unknown");
    let page = ben.get(&ben_badge.replace(&ben.base, "")).await;
    assert_eq!(page.status().as_u16(), 303);
    assert_eq!(ben.call_json("event_page", &[("slug", &slug)]).await.0, 403);
    assert!(!recommended(cy, &slug).await.contains(&"Ben".to_owned()));
    assert_eq!(
        change(ada, &slug, &ben_id, "remove").await.0,
        404,
        "already gone"
    );

    // With a second organizer, the first may step down.
    assert_eq!(change(ada, &slug, &cy_id, "organizer").await.0, 200);
    assert_eq!(
        change(ada, &slug, &ada_id, "attendee").await.0,
        409,
        "Cy has not accepted yet"
    );
    accept(cy, &slug).await;
    assert_eq!(change(ada, &slug, &ada_id, "attendee").await.0, 200);
    assert_eq!(
        ada.call_json("event_settings", &[("slug", &slug)]).await.0,
        403
    );
    assert_eq!(role_of(cy, &slug, "Ada").await.as_deref(), Some("attendee"));
    assert_eq!(change(cy, &slug, &cy_id, "remove").await.0, 409);
    let _ = dee_id;
}
on_both_backends!(organizers_promote_demote_and_remove_members, roles_flow);

/// A big event's members are searched, not all listed: the settings page
/// shows at most 50, says how many there are, and finds people by name.
async fn members_are_searched_and_capped(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, people) = event_with(app, &[]).await;
    let ada = &people[0];
    common::seed_members(ada, &slug, 60).await;
    let names = |v: &Value| -> Vec<String> {
        v["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["display_name"].as_str().unwrap().to_owned())
            .collect()
    };
    let all = settings(ada, &slug).await;
    assert_eq!(all["members_found"], 61);
    let shown = names(&all);
    assert_eq!(shown.len(), 50);
    assert_eq!(shown[0], "Ada", "organizers first");
    let (status, found) = ada
        .call_json(
            "event_settings",
            &[("slug", &slug), ("member_search", "person 5")],
        )
        .await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["members_found"], 10);
    assert_eq!(
        names(&found),
        (50..60).map(|i| format!("Person {i}")).collect::<Vec<_>>()
    );
}
on_both_backends!(member_search, members_are_searched_and_capped);

/// Opens a badge URL like a phone camera and returns the scan's result.
async fn camera(app: &TestApp, url: &str) -> Value {
    let res = app.get(url.strip_prefix(&app.base).unwrap()).await;
    assert_eq!(res.status().as_u16(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let id = location.strip_prefix("/scans/").expect("a scan result");
    let (status, view) = app.call_json("scan_result", &[("id", id)]).await;
    assert_eq!(status, 200, "{view}");
    view
}

/// Issue 15, item 4: a removed member used to walk back in by the invite
/// link, the join code or "join and connect" after scanning a badge. Now
/// every path refuses, saying why, until an organizer lets them back in;
/// and letting back in does not make them a member by itself.
async fn a_removal_sticks_on_every_path_until_undone(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, people) = event_with(app, &["Ben", "Cy"]).await;
    let (ada, ben, cy) = (&people[0], &people[1], &people[2]);
    let (_, page) = ada.call_json("event_page", &[("slug", &slug)]).await;
    let code = page["invitation"]["join_code"].as_str().unwrap().to_owned();
    let invite = page["invitation"]["invite_url"]
        .as_str()
        .unwrap()
        .to_owned();
    let token = invite.rsplit('/').next().unwrap().to_owned();
    let cy_badge = badge_url(cy, &slug).await;
    let ben_id = user_id(ben).await;
    assert_eq!(change(ada, &slug, &ben_id, "remove").await.0, 200);

    let refused = |(status, body): (u16, Value)| {
        assert_eq!(status, 403, "{body}");
        assert!(
            body["detail"].as_str().unwrap().contains("removed you"),
            "{body}"
        );
    };
    refused(ben.call_json("join_by_invite", &[("token", &token)]).await);
    refused(ben.call_json("join_by_code", &[("code", &code)]).await);
    // Scanning a member's badge: no join offered, and asking anyway fails.
    let view = camera(ben, &cy_badge).await;
    assert_eq!(view["outcome"], "not_member", "{view}");
    assert!(
        view["join_refused"]
            .as_str()
            .unwrap()
            .contains("removed you"),
        "{view}"
    );
    refused(
        ben.call_json(
            "join_from_scan",
            &[("id", view["scan_id"].as_str().unwrap())],
        )
        .await,
    );
    assert_eq!(ben.call_json("event_page", &[("slug", &slug)]).await.0, 403);
    assert_eq!(role_of(ada, &slug, "Ben").await, None);

    // The organizers see whom they removed, and only they may undo it.
    let listed = settings(ada, &slug).await;
    assert_eq!(listed["removed"][0]["display_name"], "Ben", "{listed}");
    let html = ada
        .get(&format!("/e/{slug}/settings"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Let Ben back in"), "{html}");
    assert_eq!(change(cy, &slug, &ben_id, "readmit").await.0, 403);
    let (status, body) = change(ada, &slug, &ben_id, "readmit").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(role_of(ada, &slug, "Ben").await, None, "not made a member");
    assert_eq!(settings(ada, &slug).await["removed"], serde_json::json!([]));
    assert_eq!(change(ada, &slug, &ben_id, "readmit").await.0, 404);
    let (status, body) = ben.call_json("join_by_code", &[("code", &code)]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        role_of(ada, &slug, "Ben").await.as_deref(),
        Some("attendee")
    );
}
on_both_backends!(
    a_removed_member_cannot_rejoin_by_any_path_until_let_back_in,
    a_removal_sticks_on_every_path_until_undone
);

/// Issue 15: a promotion used to be forced on a member. Now promoting to
/// staff or organizer is an offer: no role changes before the member
/// accepts; accepting gives exactly the role offered (the latest, if the
/// organizers changed their mind); declining leaves the role as it was;
/// demotions and removals stay immediate and withdraw what waited.
async fn promotions_wait_for_the_members_consent(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, people) = event_with(app, &["Ben", "Cy", "Dee"]).await;
    let (ada, ben, cy, dee) = (&people[0], &people[1], &people[2], &people[3]);
    let (ben_id, cy_id, dee_id) = (user_id(ben).await, user_id(cy).await, user_id(dee).await);

    // Offered staff, then organizer: Ben is an attendee until he answers,
    // and cannot use either role.
    let (status, body) = change(ada, &slug, &ben_id, "staff").await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.as_str().unwrap().contains("once they accept"),
        "{body}"
    );
    assert_eq!(
        offered_to(ada, &slug, "Ben").await.as_deref(),
        Some("staff")
    );
    assert_eq!(
        change(ada, &slug, &ben_id, "organizer").await.0,
        200,
        "a second offer replaces the first"
    );
    assert_eq!(
        offered_to(ada, &slug, "Ben").await.as_deref(),
        Some("organizer")
    );
    assert_eq!(
        role_of(ada, &slug, "Ben").await.as_deref(),
        Some("attendee")
    );
    assert_eq!(
        ben.call_json("event_settings", &[("slug", &slug)]).await.0,
        403
    );
    let (_, page) = ben.call_json("event_page", &[("slug", &slug)]).await;
    assert_eq!(page["event"]["role"], "attendee", "{page}");
    // He sees it among his invitations, with the role.
    let (status, waiting) = ben.call_json("my_invitations", &[]).await;
    assert_eq!(status, 200, "{waiting}");
    assert_eq!(waiting[0]["event"]["slug"], slug.as_str(), "{waiting}");
    assert_eq!(waiting[0]["role"], "organizer");
    let html = ben.get("/events").await.text().await.unwrap();
    assert!(html.contains("Your role if you accept"), "{html}");
    assert!(html.contains("You are a member already"), "{html}");
    // Members are not offered what they have; non-members nothing at all.
    let (_, dee_page) = dee.call_json("my_invitations", &[]).await;
    assert_eq!(dee_page, serde_json::json!([]));

    // Accepting gives exactly the latest role offered.
    accept(ben, &slug).await;
    assert_eq!(
        role_of(ada, &slug, "Ben").await.as_deref(),
        Some("organizer")
    );
    assert_eq!(offered_to(ada, &slug, "Ben").await, None);
    assert_eq!(
        ben.call_json("event_settings", &[("slug", &slug)]).await.0,
        200
    );
    let (_, mine) = ben.call_json("my_invitations", &[]).await;
    assert_eq!(mine, serde_json::json!([]), "answered");
    let (_, page) = ada.call_json("event_page", &[("slug", &slug)]).await;
    let listed = page["members"].as_array().unwrap();
    assert_eq!(listed.len(), 4, "joined once: {page}");

    // Declining leaves Cy's role as it was.
    assert_eq!(change(ada, &slug, &cy_id, "staff").await.0, 200);
    let (status, body) = cy
        .call_json(
            "answer_invitation",
            &[("slug", &slug), ("answer", "decline")],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(role_of(ada, &slug, "Cy").await.as_deref(), Some("attendee"));
    assert_eq!(offered_to(ada, &slug, "Cy").await, None);
    assert_eq!(
        cy.call_json(
            "answer_invitation",
            &[("slug", &slug), ("answer", "accept")]
        )
        .await
        .0,
        404,
        "nothing left to accept"
    );

    // Demotion is immediate and withdraws an offer still waiting: Ben,
    // organizer, offered nothing higher, is made staff at once.
    let (status, body) = change(ada, &slug, &ben_id, "staff").await;
    assert_eq!((status, body.as_str()), (200, Some("Member updated.")));
    assert_eq!(role_of(ada, &slug, "Ben").await.as_deref(), Some("staff"));
    // Dee, offered organizer and then demoted to... her own role: the
    // offer is withdrawn and she has nothing to accept.
    assert_eq!(change(ada, &slug, &dee_id, "organizer").await.0, 200);
    let (status, body) = change(ada, &slug, &dee_id, "attendee").await;
    assert_eq!(status, 200, "{body}");
    assert!(body.as_str().unwrap().contains("withdrawn"), "{body}");
    assert_eq!(offered_to(ada, &slug, "Dee").await, None);
    assert_eq!(
        dee.call_json(
            "answer_invitation",
            &[("slug", &slug), ("answer", "accept")]
        )
        .await
        .0,
        404
    );
    assert_eq!(
        role_of(ada, &slug, "Dee").await.as_deref(),
        Some("attendee")
    );
    // Ben, staff, offered organizer then demoted to attendee: the offer
    // goes with the demotion.
    assert_eq!(change(ada, &slug, &ben_id, "organizer").await.0, 200);
    assert_eq!(change(ada, &slug, &ben_id, "attendee").await.0, 200);
    assert_eq!(offered_to(ada, &slug, "Ben").await, None);
    assert_eq!(
        ben.call_json(
            "answer_invitation",
            &[("slug", &slug), ("answer", "accept")]
        )
        .await
        .0,
        404
    );
    assert_eq!(
        role_of(ada, &slug, "Ben").await.as_deref(),
        Some("attendee")
    );

    // A removal withdraws the offer too; nobody outside is offered a role.
    assert_eq!(change(ada, &slug, &cy_id, "staff").await.0, 200);
    assert_eq!(change(ada, &slug, &cy_id, "remove").await.0, 200);
    assert_eq!(
        cy.call_json(
            "answer_invitation",
            &[("slug", &slug), ("answer", "accept")]
        )
        .await
        .0,
        404
    );
    assert_eq!(change(ada, &slug, &cy_id, "staff").await.0, 404);
    assert_eq!(role_of(ada, &slug, "Cy").await, None);
}
on_both_backends!(
    a_promotion_is_offered_and_waits_for_the_members_consent,
    promotions_wait_for_the_members_consent
);
