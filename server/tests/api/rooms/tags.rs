//! Room tags: chosen when a room is created, filtered by, changed by the
//! room's moderators only, and bad tags refused whole with nothing stored.

use super::*;

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
