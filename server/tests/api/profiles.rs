//! Profiles over real HTTP, on SQLite and (when given) PostgreSQL: editing
//! and escaping, tag normalisation, the visibility matrix, blocking both
//! ways, the directory's search and filters, photos, data export and
//! account deletion, and names and fields that spoof (invisible, reversed
//! or multi-line text) refused with nothing stored.

use crate::common;
use crate::common::{event_with, spawn_app, user_id, Backend, TestApp, PASSWORD};
use app::domain::{TagSet, UserId};
use serde_json::{json, Value};

async fn names_in_directory(app: &TestApp, slug: &str, params: &[(&str, &str)]) -> Vec<String> {
    let mut form = vec![("slug", slug)];
    form.extend_from_slice(params);
    let (status, body) = app.call_json("directory", &form).await;
    assert_eq!(status, 200, "{body}");
    body["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["display_name"].as_str().unwrap().to_owned())
        .collect()
}

async fn profile_edit(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.signup("Ada", "ada@example.org").await;
    let form = |links: &'static str, phone: &'static str| {
        vec![
            ("profile[display_name]", "Ada Lovelace"),
            ("profile[pronouns]", "she/her"),
            ("profile[headline]", "<script>alert(1)</script>"),
            ("profile[company]", "Analytical Engines"),
            ("profile[bio]", "First programmer.'; DROP TABLE users; --"),
            ("profile[location]", "London"),
            ("profile[phone]", phone),
            ("profile[links]", links),
        ]
    };
    for (links, phone, field) in [
        ("javascript:alert(1)", "", "links"),
        ("https://ok.org", "call me", "phone"),
    ] {
        let (status, body) = app.call_json("update_profile", &form(links, phone)).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["detail"]["field"], field);
    }
    let (_, stored) = app.call_json("my_profile", &[]).await;
    assert_eq!(
        stored["form"]["display_name"], "Ada",
        "a refused edit changes nothing"
    );

    let (status, body) = app
        .call_json(
            "update_profile",
            &form(
                "https://ada.example.org\n\nhttps://github.com/ada",
                "+44 20 7946 0000",
            ),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, stored) = app.call_json("my_profile", &[]).await;
    assert_eq!(
        stored["form"]["links"],
        "https://ada.example.org\nhttps://github.com/ada"
    );
    assert_eq!(
        stored["form"]["bio"],
        "First programmer.'; DROP TABLE users; --"
    );
    assert_eq!(stored["form"]["location"], "London");

    // HTML typed into a field is shown as text, never as markup.
    let html = app.get("/account").await.text().await.unwrap();
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "headline must be escaped"
    );
    assert!(!html.contains("<script>alert(1)</script>"));
}
on_both_backends!(
    profile_edits_are_validated_whole_and_rendered_escaped,
    profile_edit
);

async fn tags(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.signup("Ada", "ada@example.org").await;
    let (status, _) = app
        .call_json(
            "update_tags",
            &[
                ("tags_interest", "ML, Machine  Learning, rust"),
                ("tags_offer", "Mentoring"),
                ("tags_seek", "K8s"),
            ],
        )
        .await;
    assert_eq!(status, 200);
    let (_, me) = app.call_json("my_profile", &[]).await;
    assert_eq!(
        me["tags"],
        json!([
            ["machine learning", "interest"],
            ["rust", "interest"],
            ["mentoring", "offer"],
            ["kubernetes", "seek"]
        ])
    );

    let many = (0..31)
        .map(|i| format!("t{i}"))
        .collect::<Vec<_>>()
        .join(",");
    let long = "x".repeat(41);
    for (interest, field) in [
        (many.as_str(), "tags_interest"),
        (long.as_str(), "tags_interest"),
    ] {
        let (status, body) = app
            .call_json(
                "update_tags",
                &[
                    ("tags_interest", interest),
                    ("tags_offer", ""),
                    ("tags_seek", ""),
                ],
            )
            .await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["detail"]["field"], field);
    }
    let (_, after) = app.call_json("my_profile", &[]).await;
    assert_eq!(after["tags"], me["tags"], "refused tag lists store nothing");
}
on_both_backends!(tags_are_normalised_limited_and_stored_whole, tags);

async fn visibility_matrix(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, people) = event_with(app, &["Bob", "Cy"]).await;
    let (ada, bob, cy) = (&people[0], &people[1], &people[2]);
    ada.call_json(
        "update_profile",
        &[
            ("profile[display_name]", "Ada"),
            ("profile[headline]", "Engine programmer"),
            ("profile[company]", "Engines Ltd"),
            ("profile[phone]", "+44 20 7946 0000"),
            ("profile[links]", "https://ada.example.org"),
        ],
    )
    .await;
    ada.call_json(
        "update_tags",
        &[
            ("tags_interest", "rust"),
            ("tags_offer", "mentoring"),
            ("tags_seek", ""),
        ],
    )
    .await;
    let ada_id = user_id(ada).await;
    let bob_id: UserId = UserId(user_id(bob).await.parse().unwrap());
    ada.store
        .connect(UserId(ada_id.parse().unwrap()), bob_id, None)
        .await
        .unwrap();

    // (field in the card, visibility field name, value Ada stored)
    let fields = [
        ("headline", "headline", json!("Engine programmer")),
        ("company", "company", json!("Engines Ltd")),
        ("email", "email", json!("ada@example.org")),
        ("phone", "phone", json!("+44 20 7946 0000")),
        ("links", "links", json!(["https://ada.example.org"])),
        (
            "tags",
            "tags",
            json!([["rust", "interest"], ["mentoring", "offer"]]),
        ),
    ];
    for (card_key, field, value) in &fields {
        for level in ["event", "connections", "only_me"] {
            let key = format!("vis[{field}]");
            let (status, body) = ada
                .call_json("update_visibility", &[(key.as_str(), level)])
                .await;
            assert_eq!(status, 200, "{body}");
            for (viewer, sees) in [
                (ada, true),
                (bob, level != "only_me"), // connected
                (cy, level == "event"),    // fellow member only
            ] {
                let (status, card) = viewer
                    .call_json("person", &[("slug", &slug), ("user_id", &ada_id)])
                    .await;
                assert_eq!(status, 200, "{card}");
                let shown = &card[*card_key];
                if sees {
                    assert_eq!(shown, value, "{field} at {level}");
                } else {
                    assert!(shown.is_null(), "{field} at {level} leaked: {card}");
                    assert!(
                        !card
                            .to_string()
                            .contains(value.to_string().trim_matches('"')),
                        "{field} at {level} leaked elsewhere"
                    );
                }
            }
        }
    }
    // Defaults: contact details are for connections only.
    let (_, fresh) = cy
        .call_json(
            "person",
            &[("slug", &slug), ("user_id", &user_id(bob).await)],
        )
        .await;
    assert!(
        fresh["email"].is_null() && fresh["phone"].is_null() && fresh["links"].is_null(),
        "{fresh}"
    );

    let (status, body) = ada
        .call_json("update_visibility", &[("vis[email]", "everyone")])
        .await;
    assert_eq!(status, 422, "{body}");
    let (status, _) = ada
        .call_json("update_visibility", &[("vis[password]", "event")])
        .await;
    assert_eq!(status, 422);
}
on_both_backends!(
    visibility_matrix_viewer_by_field_by_setting,
    visibility_matrix
);

async fn blocking(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, people) = event_with(app, &["Bob", "Cy"]).await;
    let (ada, bob) = (&people[0], &people[1]);
    let (ada_id, bob_id) = (user_id(ada).await, user_id(bob).await);
    assert_eq!(names_in_directory(bob, &slug, &[]).await, ["Ada", "Cy"]);

    let (status, _) = ada
        .call_json("block", &[("user_id", &bob_id), ("slug", &slug)])
        .await;
    assert_eq!(status, 200);
    // Both directions: neither sees the other, in the directory or by link.
    assert_eq!(names_in_directory(bob, &slug, &[]).await, ["Cy"]);
    assert_eq!(names_in_directory(ada, &slug, &[]).await, ["Cy"]);
    for (viewer, target) in [(bob, &ada_id), (ada, &bob_id)] {
        let (status, body) = viewer
            .call_json("person", &[("slug", &slug), ("user_id", target)])
            .await;
        assert_eq!(status, 404, "{body}");
        assert_eq!(body["detail"], "This profile is not available.");
    }
    // A block by the other side looks exactly like a profile that does not exist.
    let (_, ghost) = bob
        .call_json(
            "person",
            &[
                ("slug", &slug),
                ("user_id", &uuid::Uuid::new_v4().to_string()),
            ],
        )
        .await;
    let (_, blocked) = bob
        .call_json("person", &[("slug", &slug), ("user_id", &ada_id)])
        .await;
    assert_eq!(ghost, blocked);

    let (status, _) = ada.call_json("block", &[("user_id", &ada_id)]).await;
    assert_eq!(status, 422, "blocking yourself is refused");
    let (_, me) = ada.call_json("my_profile", &[]).await;
    assert_eq!(me["blocked"], json!([[bob_id, "Bob"]]));

    ada.call_json("unblock", &[("user_id", &bob_id)]).await;
    assert_eq!(names_in_directory(bob, &slug, &[]).await, ["Ada", "Cy"]);
}
on_both_backends!(blocking_hides_both_ways_and_can_be_lifted, blocking);

/// Adds `n` members ("Person 00", …) with tags straight into the store.
async fn seed_members(app: &TestApp, slug: &str, n: usize) {
    for (i, user) in common::seed_members(app, slug, n)
        .await
        .into_iter()
        .enumerate()
    {
        let offer = if i % 3 == 0 { "mentoring" } else { "" };
        app.store
            .set_tags(user, &TagSet::parse("rust", offer, "job").unwrap())
            .await
            .unwrap();
    }
}

async fn directory(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, people) = event_with(app, &["Bob", "Zoë"]).await;
    let (ada, bob, zoe) = (&people[0], &people[1], &people[2]);
    bob.call_json(
        "update_profile",
        &[
            ("profile[display_name]", "Bob"),
            ("profile[headline]", "Distributed systems"),
            ("profile[company]", "Ferrous Labs"),
        ],
    )
    .await;
    bob.call_json(
        "update_tags",
        &[
            ("tags_interest", "databases"),
            ("tags_offer", "mentoring, hiring"),
            ("tags_seek", ""),
        ],
    )
    .await;
    zoe.call_json(
        "update_tags",
        &[
            ("tags_interest", "databases"),
            ("tags_offer", ""),
            ("tags_seek", "mentoring"),
        ],
    )
    .await;

    // Free text: prefixes of name, headline, company and tags.
    assert_eq!(
        names_in_directory(ada, &slug, &[("q", "distrib")]).await,
        ["Bob"]
    );
    assert_eq!(
        names_in_directory(ada, &slug, &[("q", "ferrous")]).await,
        ["Bob"]
    );
    assert_eq!(
        names_in_directory(ada, &slug, &[("q", "DATA")]).await,
        ["Bob", "Zoë"]
    );
    assert!(
        names_in_directory(ada, &slug, &[("q", "'; DROP TABLE users; --")])
            .await
            .is_empty()
    );
    // Tags AND tags; intents.
    assert_eq!(
        names_in_directory(ada, &slug, &[("tags", "mentoring")]).await,
        ["Bob", "Zoë"]
    );
    assert_eq!(
        names_in_directory(ada, &slug, &[("tags", "mentoring"), ("intent", "offer")]).await,
        ["Bob"]
    );
    assert_eq!(
        names_in_directory(ada, &slug, &[("tags", "mentoring"), ("intent", "seek")]).await,
        ["Zoë"]
    );
    assert_eq!(
        names_in_directory(ada, &slug, &[("tags", "databases, hiring")]).await,
        ["Bob"]
    );
    // Roles.
    assert_eq!(
        names_in_directory(bob, &slug, &[("role", "organizer")]).await,
        ["Ada"]
    );
    let (status, body) = ada
        .call_json("directory", &[("slug", &slug), ("intent", "want")])
        .await;
    assert_eq!(status, 422, "{body}");

    // Hidden fields are not searchable.
    bob.call_json("update_visibility", &[("vis[company]", "only_me")])
        .await;
    assert!(names_in_directory(ada, &slug, &[("q", "ferrous")])
        .await
        .is_empty());
    let (_, page) = ada
        .call_json("directory", &[("slug", &slug), ("q", "bob")])
        .await;
    assert!(page["people"][0]["company"].is_null(), "{page}");
    // Hidden tags are not filterable.
    zoe.call_json("update_visibility", &[("vis[tags]", "connections")])
        .await;
    assert_eq!(
        names_in_directory(ada, &slug, &[("tags", "databases")]).await,
        ["Bob"]
    );

    // Opting out hides a member from the directory.
    bob.call_json(
        "update_membership",
        &[
            ("slug", &slug),
            ("event_line", "Here to hire"),
            ("opted_out", "on"),
        ],
    )
    .await;
    assert_eq!(names_in_directory(ada, &slug, &[]).await, ["Zoë"]);
    let (status, _) = ada
        .call_json(
            "person",
            &[("slug", &slug), ("user_id", &user_id(bob).await)],
        )
        .await;
    assert_eq!(status, 404);

    // Non-members cannot search.
    let eve = ada.other_client();
    eve.signup("Eve", "eve@example.org").await;
    let (status, _) = eve.call_json("directory", &[("slug", &slug)]).await;
    assert_eq!(status, 403);
}
on_both_backends!(directory_searches_filters_and_respects_privacy, directory);

async fn paging(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, people) = event_with(app, &[]).await;
    let ada = &people[0];
    seed_members(ada, &slug, 30).await;
    let mut seen = Vec::new();
    let mut after = String::new();
    loop {
        let (status, page) = ada
            .call_json(
                "directory",
                &[("slug", &slug), ("tags", "rust"), ("after", &after)],
            )
            .await;
        assert_eq!(status, 200, "{page}");
        seen.extend(
            page["people"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["display_name"].as_str().unwrap().to_owned()),
        );
        match page["next"].as_str() {
            Some(next) => after = next.to_owned(),
            None => break,
        }
    }
    let expected: Vec<String> = (0..30).map(|i| format!("Person {i:02}")).collect();
    assert_eq!(seen, expected, "every member exactly once, in order");
    assert_eq!(
        names_in_directory(ada, &slug, &[("tags", "mentoring"), ("intent", "offer")])
            .await
            .len(),
        10
    );
}
on_both_backends!(directory_pages_are_stable_and_complete, paging);

async fn photos(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_slug, people) = event_with(app, &["Bob"]).await;
    let (ada, bob) = (&people[0], &people[1]);
    let upload = |client: &TestApp, bytes: Vec<u8>| {
        let form = reqwest::multipart::Form::new().part(
            "photo",
            reqwest::multipart::Part::bytes(bytes).file_name("me.png"),
        );
        client
            .client
            .post(format!("{}/account/photo", client.base))
            .multipart(form)
            .send()
    };
    for bad in [
        b"<svg onload=alert(1)>".to_vec(),
        vec![0x89; 3 * 1024 * 1024],
    ] {
        let res = upload(ada, bad).await.unwrap();
        assert_eq!(res.status(), 303);
        assert!(res.headers()["location"]
            .to_str()
            .unwrap()
            .contains("photo_error"));
    }
    let (_, me) = ada.call_json("my_profile", &[]).await;
    assert!(me["photo_url"].is_null(), "refused uploads store nothing");

    let png = b"\x89PNG\r\n\x1a\nrest-of-a-png".to_vec();
    let res = upload(ada, png.clone()).await.unwrap();
    assert_eq!(res.headers()["location"], "/account");
    let (_, me) = ada.call_json("my_profile", &[]).await;
    let url = me["photo_url"].as_str().unwrap().to_owned();

    let res = bob.get(&url).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/png");
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    assert!(res.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("private"));
    assert_eq!(res.bytes().await.unwrap().to_vec(), png);
    let res = bob
        .client
        .get(format!("{}{url}", bob.base))
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 304);

    let stranger = ada.other_client();
    stranger.signup("Eve", "eve@example.org").await;
    assert_eq!(
        stranger.get(&url).await.status(),
        404,
        "only fellow members see a photo"
    );
}
on_both_backends!(photos_are_checked_and_served_to_members_only, photos);

async fn export_and_delete(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, people) = event_with(app, &["Bob"]).await;
    let (ada, bob) = (&people[0], &people[1]);
    bob.call_json(
        "update_tags",
        &[
            ("tags_interest", "rust"),
            ("tags_offer", ""),
            ("tags_seek", "job"),
        ],
    )
    .await;
    bob.call_json(
        "update_membership",
        &[
            ("slug", &slug),
            ("event_line", "Looking for work"),
            ("opted_out", ""),
        ],
    )
    .await;
    let (ada_id, bob_id) = (user_id(ada).await, user_id(bob).await);
    ada.store
        .connect(
            UserId(ada_id.parse().unwrap()),
            UserId(bob_id.parse().unwrap()),
            None,
        )
        .await
        .unwrap();

    let res = bob.get("/api/export_my_data").await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("attachment"));
    let data: Value = res.json().await.unwrap();
    assert_eq!(data["profile"]["email"], "bob@example.org");
    assert_eq!(
        data["profile"]["tags"],
        json!([["rust", "interest"], ["job", "seek"]])
    );
    assert_eq!(data["memberships"][0]["slug"], slug.as_str());
    assert_eq!(data["memberships"][0]["event_line"], "Looking for work");
    assert_eq!(data["connections"], json!([[ada_id, "Ada"]]));
    assert!(
        !data.to_string().contains("argon2"),
        "no password hash in the export"
    );

    let (status, body) = bob
        .call_json("delete_account", &[("password", "not my password")])
        .await;
    assert_eq!(status, 422, "{body}");
    let (_, me) = bob.call_json("me", &[]).await;
    assert_eq!(
        me["display_name"], "Bob",
        "a wrong password deletes nothing"
    );

    let (status, body) = bob
        .call_json("delete_account", &[("password", PASSWORD)])
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, me) = bob.call_json("me", &[]).await;
    assert!(me.is_null(), "the session ended");
    let (_, page) = ada.call_json("event_page", &[("slug", &slug)]).await;
    assert_eq!(
        page["members"].as_array().unwrap().len(),
        1,
        "membership removed: {page}"
    );
    assert!(ada
        .store
        .tags_of(UserId(bob_id.parse().unwrap()))
        .await
        .unwrap()
        .is_empty());
    let (status, _) = bob
        .call_json(
            "login",
            &[("email", "bob@example.org"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(status, 401);
    let (status, _) = bob.signup("Bob again", "bob@example.org").await;
    assert_eq!(status, 200, "the email is free again");
}
on_both_backends!(
    my_data_exports_everything_and_deletion_removes_it,
    export_and_delete
);

async fn taxonomy(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, people) = event_with(app, &["Bob", "Cy"]).await;
    let (ada, bob, cy) = (&people[0], &people[1], &people[2]);
    let (status, body) = bob
        .call_json(
            "update_taxonomy",
            &[("slug", &slug), ("taxonomy", "Skills: rust")],
        )
        .await;
    assert_eq!(status, 403, "attendees cannot set the taxonomy: {body}");
    let (status, body) = ada
        .call_json(
            "update_taxonomy",
            &[
                ("slug", &slug),
                ("taxonomy", &format!("Skills: {}", "x".repeat(50))),
            ],
        )
        .await;
    assert_eq!(status, 422, "{body}");
    let (status, body) = ada
        .call_json(
            "update_taxonomy",
            &[
                ("slug", &slug),
                ("taxonomy", "Skills: Rust, ML\nLooking for: co-founder"),
                ("free_tags", "on"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, page) = ada.call_json("event_page", &[("slug", &slug)]).await;
    assert_eq!(
        page["taxonomy"]["text"],
        "Skills: rust, machine learning\nLooking for: co-founder"
    );
    let (_, attendee_view) = bob.call_json("event_page", &[("slug", &slug)]).await;
    assert!(attendee_view["taxonomy"].is_null());
    let (_, mine) = bob.call_json("my_profile", &[]).await;
    assert_eq!(
        mine["suggestions"],
        json!([
            ["Skills", ["rust", "machine learning"]],
            ["Looking for", ["co-founder"]]
        ])
    );

    bob.call_json(
        "update_tags",
        &[
            ("tags_interest", "rust, knitting"),
            ("tags_offer", ""),
            ("tags_seek", ""),
        ],
    )
    .await;
    let bob_id = user_id(bob).await;
    let (_, card) = cy
        .call_json("person", &[("slug", &slug), ("user_id", &bob_id)])
        .await;
    assert_eq!(
        card["tags"],
        json!([["rust", "interest"], ["knitting", "interest"]]),
        "free tags shown while allowed"
    );

    ada.call_json(
        "update_taxonomy",
        &[("slug", &slug), ("taxonomy", "Skills: rust")],
    )
    .await;
    let (_, card) = cy
        .call_json("person", &[("slug", &slug), ("user_id", &bob_id)])
        .await;
    assert_eq!(
        card["tags"],
        json!([["rust", "interest"]]),
        "only suggested tags once free tags are off"
    );
    let (status, body) = cy
        .call_json("directory", &[("slug", &slug), ("tags", "knitting")])
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        names_in_directory(cy, &slug, &[("tags", "rust")]).await,
        ["Bob"]
    );
    let (_, mine) = bob.call_json("my_profile", &[]).await;
    assert_eq!(mine["taxonomy_only_events"], json!(["Conf"]));
}
on_both_backends!(
    organizers_suggest_tags_and_can_limit_events_to_them,
    taxonomy
);

/// Refused text leaves the account exactly as it was.
async fn assert_profile_unchanged(app: &TestApp) {
    let (_, stored) = app.call_json("my_profile", &[]).await;
    assert_eq!(stored["form"]["display_name"], "Ada", "{stored}");
    assert_eq!(stored["form"]["headline"], "", "{stored}");
}

async fn spoofing_text(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let email = app::domain::Email::parse("ada@example.org").unwrap();
    // Sign-up with a name nobody can see, one that reverses itself, or one
    // that fakes a second line: a 422 naming the field, and no account.
    for (name, says) in [
        ("\u{200b}\u{200b}", "letters people can see"),
        ("\u{2800}", "letters people can see"),
        ("Ada\u{202e}evil", "direction of text"),
        ("Ada\u{2066}evil\u{2069}", "direction of text"),
        ("Ada\nAdmin", "one line"),
        ("Ada\u{2028}Admin", "one line"),
    ] {
        let (status, body) = app.signup(name, "ada@example.org").await;
        assert_eq!(status, 422, "{name:?}: {body}");
        assert_eq!(body["detail"]["field"], "display_name", "{name:?}: {body}");
        let message = body["detail"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(says), "{name:?}: {body}");
        assert!(
            app.store.user_by_email(&email).await.unwrap().is_none(),
            "{name:?} stored an account"
        );
    }
    // Nothing was taken: the same email signs up with a plain name.
    let (status, body) = app.signup("Ada", "ada@example.org").await;
    assert_eq!(status, 200, "{body}");

    // Profile edits: every one-line field refuses the same, the bio keeps
    // its line breaks but not an override, and a refused edit stores nothing.
    for (field, value) in [
        ("profile[display_name]", "\u{200b}\u{200b}"),
        ("profile[display_name]", "Ada\u{202e}evil"),
        ("profile[headline]", "Ada\u{202e}evil"),
        ("profile[job_title]", "CEO\nof everything"),
        ("profile[company]", "\u{200d}\u{feff}"),
        ("profile[bio]", "Hi\u{202e}evil"),
    ] {
        let mut form = vec![(field, value)];
        if field != "profile[display_name]" {
            form.push(("profile[display_name]", "Ada"));
        }
        let (status, body) = app.call_json("update_profile", &form).await;
        assert_eq!(status, 422, "{field} {value:?}: {body}");
        let name = field.trim_start_matches("profile[").trim_end_matches(']');
        assert_eq!(body["detail"]["field"], name, "{body}");
        assert_profile_unchanged(&app).await;
    }
    // A name typed with a combining accent is stored composed (NFC).
    let (status, body) = app
        .call_json(
            "update_profile",
            &[
                ("profile[display_name]", "  Jose\u{301} "),
                ("profile[bio]", "Line one\r\nLine two"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, stored) = app.call_json("my_profile", &[]).await;
    assert_eq!(stored["form"]["display_name"], "Jos\u{e9}", "stored as NFC");
    assert_eq!(stored["form"]["bio"], "Line one\nLine two");
    assert_eq!(
        app.store
            .user_by_email(&email)
            .await
            .unwrap()
            .unwrap()
            .display_name,
        "Jos\u{e9}"
    );
}
on_both_backends!(
    names_and_profile_fields_that_spoof_are_refused_and_nothing_is_stored,
    spoofing_text
);
