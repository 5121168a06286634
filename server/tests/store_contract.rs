//! The `Store` contract: every method, the same expectations, on SQLite
//! always and on PostgreSQL when `RAPPORT_TEST_POSTGRES_URL` is set (CI sets
//! it and `RAPPORT_REQUIRE_POSTGRES`, so there the PostgreSQL half cannot be
//! skipped). A behaviour that differs between the backends fails here.

mod common;

use app::{
    api::password::hash_blocking,
    domain::{
        Email, EventDates, EventName, JoinCode, Password, PersonName, ProfileField, ProfileForm,
        ProfileInput, Role, Slug, Tag, TagSet, TimeZoneName, UserId, Visibility,
        VisibilitySettings,
    },
    ports::{DirectoryQuery, NewEvent, NewUser, Photo, SessionRecord, Store, StoreError, User},
};
use chrono::{Duration, NaiveDate, Utc};
use common::{fresh_store, Backend};
use std::sync::{Arc, OnceLock};

/// Hashing is slow on purpose; one hash serves every test account.
fn password_hash() -> app::ports::PasswordHash {
    static HASH: OnceLock<app::ports::PasswordHash> = OnceLock::new();
    HASH.get_or_init(|| hash_blocking(&Password::parse("correct horse battery").unwrap()).unwrap())
        .clone()
}

async fn user(store: &dyn Store, name: &str) -> User {
    let email = format!("{}@example.org", name.to_lowercase().replace(' ', "."));
    store
        .create_user(NewUser {
            email: Email::parse(&email).unwrap(),
            display_name: PersonName::parse("display_name", name).unwrap(),
            password_hash: password_hash(),
        })
        .await
        .unwrap()
}

fn new_event(name: &str, slug: &str, token: &str, code: &str, start: &str) -> NewEvent {
    let start: NaiveDate = start.parse().unwrap();
    NewEvent {
        slug: Slug::parse(slug).unwrap(),
        name: EventName::parse("name", name).unwrap(),
        description: "About".into(),
        venue: "Hall".into(),
        dates: EventDates::new(start, start + Duration::days(1)).unwrap(),
        time_zone: TimeZoneName::parse("Europe/Berlin").unwrap(),
        invite_token: token.into(),
        join_code: JoinCode::parse(code).unwrap(),
    }
}

async fn ping_answers(store: Arc<dyn Store>) {
    store.ping().await.unwrap();
}

async fn accounts(store: Arc<dyn Store>) {
    let ada = user(store.as_ref(), "Ada Lovelace").await;
    assert_eq!(ada.email.as_str(), "ada.lovelace@example.org");
    assert_eq!(ada.display_name, "Ada Lovelace");
    assert!(ada.links.is_empty());

    assert_eq!(store.user_by_id(ada.id).await.unwrap().as_ref(), Some(&ada));
    assert_eq!(
        store.user_by_email(&ada.email).await.unwrap().as_ref(),
        Some(&ada)
    );
    assert_eq!(
        store
            .user_by_id(UserId(uuid::Uuid::new_v4()))
            .await
            .unwrap(),
        None
    );
    let creds = store.credentials(&ada.email).await.unwrap().unwrap();
    assert_eq!(creds.user_id, ada.id);
    assert!(creds.password_hash.0.starts_with("$argon2id$"));
    assert!(store
        .credentials(&Email::parse("nobody@example.org").unwrap())
        .await
        .unwrap()
        .is_none());

    let again = store
        .create_user(NewUser {
            email: ada.email.clone(),
            display_name: PersonName::parse("display_name", "Other").unwrap(),
            password_hash: password_hash(),
        })
        .await;
    assert!(
        matches!(again, Err(StoreError::Conflict("email"))),
        "{again:?}"
    );
    assert_eq!(
        store
            .user_by_id(ada.id)
            .await
            .unwrap()
            .unwrap()
            .display_name,
        "Ada Lovelace"
    );
}

async fn profiles(store: Arc<dyn Store>) {
    let ada = user(store.as_ref(), "Ada").await;
    let input = ProfileInput::parse(&ProfileForm {
        display_name: "Ada Lovelace".into(),
        pronouns: "she/her".into(),
        headline: "Programmer".into(),
        company: "Engines Ltd".into(),
        job_title: "Analyst".into(),
        bio: "Wrote the first program.\nLikes poetry.".into(),
        links: "https://ada.example.org\nhttps://github.com/ada".into(),
        location: "London".into(),
        languages: "English".into(),
        ask_me_about: "Engines".into(),
        phone: "+44 20 7946 0000".into(),
    })
    .unwrap();
    let updated = store.update_profile(ada.id, &input).await.unwrap();
    assert_eq!(updated.display_name, "Ada Lovelace");
    assert_eq!(updated.pronouns, "she/her");
    assert_eq!(updated.bio, "Wrote the first program.\nLikes poetry.");
    assert_eq!(
        updated.links,
        ["https://ada.example.org", "https://github.com/ada"]
    );
    assert_eq!(store.user_by_id(ada.id).await.unwrap().unwrap(), updated);

    let missing = store
        .update_profile(UserId(uuid::Uuid::new_v4()), &input)
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
}

async fn sessions(store: Arc<dyn Store>) {
    let ada = user(store.as_ref(), "Ada").await;
    let now = Utc::now();
    let record = SessionRecord {
        id: "session-one".into(),
        user_id: Some(ada.id),
        data: r#"{"user_id":"x"}"#.into(),
        expires_at: now + Duration::hours(1),
    };
    store.create_session(&record).await.unwrap();
    let loaded = store
        .load_session("session-one", now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(loaded.user_id, Some(ada.id));
    assert_eq!(loaded.data, record.data);
    assert_eq!(loaded.expires_at.timestamp(), record.expires_at.timestamp());

    let dup = store.create_session(&record).await;
    assert!(
        matches!(dup, Err(StoreError::Conflict("session"))),
        "{dup:?}"
    );

    // Saving replaces the data; an anonymous session has no user.
    let changed = SessionRecord {
        data: "{}".into(),
        user_id: None,
        ..record.clone()
    };
    store.save_session(&changed).await.unwrap();
    let loaded = store
        .load_session("session-one", now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((loaded.data.as_str(), loaded.user_id), ("{}", None));
    // Saving an unknown id inserts it.
    store
        .save_session(&SessionRecord {
            id: "session-two".into(),
            ..record.clone()
        })
        .await
        .unwrap();
    assert!(store
        .load_session("session-two", now)
        .await
        .unwrap()
        .is_some());

    // Expired sessions are invisible and swept.
    let old = SessionRecord {
        id: "old".into(),
        expires_at: now - Duration::minutes(1),
        ..record.clone()
    };
    store.create_session(&old).await.unwrap();
    assert!(store.load_session("old", now).await.unwrap().is_none());
    assert_eq!(store.delete_expired_sessions(now).await.unwrap(), 1);
    assert!(
        store
            .load_session("session-one", now)
            .await
            .unwrap()
            .is_some(),
        "live sessions stay"
    );

    store.delete_session("session-one").await.unwrap();
    assert!(store
        .load_session("session-one", now)
        .await
        .unwrap()
        .is_none());
    store.delete_session("never-existed").await.unwrap();
}

async fn events(store: Arc<dyn Store>) {
    let ada = user(store.as_ref(), "Ada").await;
    let event = store
        .create_event(
            new_event(
                "RustConf",
                "rustconf-ab12",
                "token-1",
                "ABCD2345",
                "2026-05-14",
            ),
            ada.id,
        )
        .await
        .unwrap();
    assert_eq!(event.name, "RustConf");
    assert_eq!(event.time_zone, "Europe/Berlin");
    assert_eq!(event.dates.starts_on().to_string(), "2026-05-14");
    assert_eq!(
        store.member_role(event.id, ada.id).await.unwrap(),
        Some(Role::Organizer)
    );

    let by_slug = store.event_by_slug(&event.slug).await.unwrap().unwrap();
    assert_eq!(by_slug, event);
    assert_eq!(
        store
            .event_by_invite_token("token-1")
            .await
            .unwrap()
            .as_ref(),
        Some(&event)
    );
    assert_eq!(
        store
            .event_by_join_code(&JoinCode::parse("abcd-2345").unwrap())
            .await
            .unwrap()
            .as_ref(),
        Some(&event)
    );
    assert_eq!(store.event_by_invite_token("token-x").await.unwrap(), None);
    assert_eq!(
        store
            .event_by_slug(&Slug::parse("nope-0000").unwrap())
            .await
            .unwrap(),
        None
    );

    // Each random identifier is unique, and a clash stores nothing at all.
    for (slug, token, code, what) in [
        ("rustconf-ab12", "token-2", "WXYZ2345", "slug"),
        ("other-0001", "token-1", "WXYZ2345", "invite token"),
        ("other-0002", "token-3", "ABCD2345", "join code"),
    ] {
        let clash = store
            .create_event(new_event("Clash", slug, token, code, "2026-06-01"), ada.id)
            .await;
        assert!(
            matches!(clash, Err(StoreError::Conflict(w)) if w == what),
            "{what}: {clash:?}"
        );
    }
    assert_eq!(
        store.events_of_user(ada.id).await.unwrap().len(),
        1,
        "no half-created event"
    );
}

async fn membership(store: Arc<dyn Store>) {
    let ada = user(store.as_ref(), "Ada").await;
    let zoe = user(store.as_ref(), "zoë").await;
    let emil = user(store.as_ref(), "Émile").await;
    let bob = user(store.as_ref(), "Bob").await;
    let outsider = user(store.as_ref(), "Outsider").await;
    let event = store
        .create_event(
            new_event("Summit", "summit-0001", "t-1", "ABCD2345", "2026-05-14"),
            ada.id,
        )
        .await
        .unwrap();
    store
        .add_member(event.id, zoe.id, Role::Attendee)
        .await
        .unwrap();
    store
        .add_member(event.id, emil.id, Role::Attendee)
        .await
        .unwrap();
    store
        .add_member(event.id, bob.id, Role::Staff)
        .await
        .unwrap();

    let twice = store.add_member(event.id, zoe.id, Role::Attendee).await;
    assert!(
        matches!(twice, Err(StoreError::Conflict("membership"))),
        "{twice:?}"
    );
    let ghost = store
        .add_member(event.id, UserId(uuid::Uuid::new_v4()), Role::Attendee)
        .await;
    assert!(matches!(ghost, Err(StoreError::NotFound)), "{ghost:?}");

    assert_eq!(
        store.member_role(event.id, bob.id).await.unwrap(),
        Some(Role::Staff)
    );
    assert_eq!(
        store.member_role(event.id, outsider.id).await.unwrap(),
        None
    );

    // Organizers, then staff, then attendees by name, ignoring case and accents' byte order.
    let names: Vec<_> = store
        .list_members(event.id)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.display_name)
        .collect();
    assert_eq!(names, ["Ada", "Bob", "zoë", "Émile"]);

    // A user's events come soonest first, with the role in each.
    let later = store
        .create_event(
            new_event("Later", "later-0001", "t-2", "WXYZ2345", "2026-09-01"),
            zoe.id,
        )
        .await
        .unwrap();
    let earlier = store
        .create_event(
            new_event("Earlier", "earlier-0001", "t-3", "MNPQ2345", "2026-01-10"),
            emil.id,
        )
        .await
        .unwrap();
    store
        .add_member(earlier.id, zoe.id, Role::Attendee)
        .await
        .unwrap();
    let mine: Vec<_> = store
        .events_of_user(zoe.id)
        .await
        .unwrap()
        .into_iter()
        .map(|(e, r)| (e.name, r))
        .collect();
    assert_eq!(
        mine,
        [
            ("Earlier".to_owned(), Role::Attendee),
            ("Summit".to_owned(), Role::Attendee),
            ("Later".to_owned(), Role::Organizer)
        ]
    );
    assert!(store.events_of_user(outsider.id).await.unwrap().is_empty());
    let _ = later;
}

async fn concurrent_writes_queue(store: Arc<dyn Store>) {
    // Many writers at once must all succeed: on SQLite they queue for the
    // single writer connection instead of failing with "database is locked".
    let ada = user(store.as_ref(), "Ada").await;
    let event = store
        .create_event(
            new_event("Rush", "rush-0001", "t-1", "ABCD2345", "2026-05-14"),
            ada.id,
        )
        .await
        .unwrap();
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let u = user(store.as_ref(), &format!("Person {i}")).await;
                store
                    .add_member(event.id, u.id, Role::Attendee)
                    .await
                    .unwrap();
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(store.list_members(event.id).await.unwrap().len(), 41);
}

macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                use super::*;
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name(fresh_store(Backend::Sqlite).await.unwrap()).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if let Some(store) = fresh_store(Backend::Postgres).await {
                        super::$name(store).await
                    }
                }
            }
        )*
    };
}

async fn tags_and_visibility(store: Arc<dyn Store>) {
    let ada = user(store.as_ref(), "Ada").await;
    assert!(store.tags_of(ada.id).await.unwrap().is_empty());
    let tags = TagSet::parse("rust, databases", "mentoring", "co-founder").unwrap();
    store.set_tags(ada.id, &tags).await.unwrap();
    assert_eq!(
        store.tags_of(ada.id).await.unwrap(),
        tags,
        "order and intents kept"
    );
    let fewer = TagSet::parse("go", "", "").unwrap();
    store.set_tags(ada.id, &fewer).await.unwrap();
    assert_eq!(
        store.tags_of(ada.id).await.unwrap(),
        fewer,
        "replaced, not merged"
    );
    let ghost = store.set_tags(UserId(uuid::Uuid::new_v4()), &fewer).await;
    assert!(matches!(ghost, Err(StoreError::NotFound)), "{ghost:?}");

    let mut vis = VisibilitySettings::default();
    vis.set(ProfileField::Email, Visibility::Event);
    vis.set(ProfileField::Bio, Visibility::OnlyMe);
    store.set_visibility(ada.id, &vis).await.unwrap();
    assert_eq!(
        store.user_by_id(ada.id).await.unwrap().unwrap().visibility,
        vis
    );
}

async fn membership_prefs_blocks_connections(store: Arc<dyn Store>) {
    let ada = user(store.as_ref(), "Ada").await;
    let bob = user(store.as_ref(), "Bob").await;
    let cy = user(store.as_ref(), "Cy").await;
    let event = store
        .create_event(
            new_event("Conf", "conf-0001", "t-1", "ABCD2345", "2026-05-14"),
            ada.id,
        )
        .await
        .unwrap();
    store
        .add_member(event.id, bob.id, Role::Attendee)
        .await
        .unwrap();

    let m = store.membership(event.id, bob.id).await.unwrap().unwrap();
    assert_eq!(
        (m.role, m.event_line.as_str(), m.opted_out),
        (Role::Attendee, "", false)
    );
    store
        .set_membership_prefs(event.id, bob.id, "Here to hire", true)
        .await
        .unwrap();
    let m = store.membership(event.id, bob.id).await.unwrap().unwrap();
    assert_eq!((m.event_line.as_str(), m.opted_out), ("Here to hire", true));
    assert!(store.membership(event.id, cy.id).await.unwrap().is_none());
    let not_member = store
        .set_membership_prefs(event.id, cy.id, "x", false)
        .await;
    assert!(
        matches!(not_member, Err(StoreError::NotFound)),
        "{not_member:?}"
    );

    assert!(store.share_an_event(ada.id, bob.id).await.unwrap());
    assert!(!store.share_an_event(ada.id, cy.id).await.unwrap());

    assert!(!store.blocked_either_way(ada.id, bob.id).await.unwrap());
    store.block(bob.id, ada.id).await.unwrap();
    store.block(bob.id, ada.id).await.unwrap();
    assert!(
        store.blocked_either_way(ada.id, bob.id).await.unwrap(),
        "either way"
    );
    assert_eq!(
        store.blocked_by(bob.id).await.unwrap(),
        [(ada.id, "Ada".to_owned())]
    );
    assert!(store.blocked_by(ada.id).await.unwrap().is_empty());
    store.unblock(bob.id, ada.id).await.unwrap();
    assert!(!store.blocked_either_way(ada.id, bob.id).await.unwrap());

    assert!(!store.are_connected(bob.id, ada.id).await.unwrap());
    assert!(store.connect(bob.id, ada.id, Some(event.id)).await.unwrap());
    assert!(
        !store.connect(ada.id, bob.id, None).await.unwrap(),
        "one row per pair, either order"
    );
    assert!(store.are_connected(ada.id, bob.id).await.unwrap());
    assert_eq!(
        store.connections_of(ada.id).await.unwrap(),
        [(bob.id, "Bob".to_owned())]
    );
    assert_eq!(
        store.connections_of(bob.id).await.unwrap(),
        [(ada.id, "Ada".to_owned())]
    );
}

async fn directory_search(store: Arc<dyn Store>) {
    let ada = user(store.as_ref(), "Ada").await;
    let event = store
        .create_event(
            new_event("Conf", "conf-0001", "t-1", "ABCD2345", "2026-05-14"),
            ada.id,
        )
        .await
        .unwrap();
    let mut ids = Vec::new();
    for (name, company, offer) in [
        ("Émile", "Ferrous", "mentoring"),
        ("bob", "Crab Corp", ""),
        ("Zoë", "Ferrous", "hiring"),
    ] {
        let u = user(store.as_ref(), name).await;
        store
            .add_member(event.id, u.id, Role::Attendee)
            .await
            .unwrap();
        let form = ProfileForm {
            display_name: name.into(),
            company: company.into(),
            ..Default::default()
        };
        store
            .update_profile(u.id, &ProfileInput::parse(&form).unwrap())
            .await
            .unwrap();
        store
            .set_tags(u.id, &TagSet::parse("rust", offer, "").unwrap())
            .await
            .unwrap();
        ids.push(u.id);
    }
    let search = |q: DirectoryQuery| {
        let store = store.clone();
        async move {
            let page = store
                .search_directory(event.id, ada.id, &DirectoryQuery { limit: 10, ..q })
                .await
                .unwrap();
            page.entries
                .into_iter()
                .map(|e| e.display_name)
                .collect::<Vec<_>>()
        }
    };
    // Byte order of the lower-cased name on both backends; the viewer is left out.
    assert_eq!(
        search(DirectoryQuery::default()).await,
        ["bob", "Zoë", "Émile"]
    );
    assert_eq!(
        search(DirectoryQuery {
            words: vec!["ferr".into()],
            ..Default::default()
        })
        .await,
        ["Zoë", "Émile"]
    );
    assert_eq!(
        search(DirectoryQuery {
            words: vec!["ferrous".into(), "zo".into()],
            ..Default::default()
        })
        .await,
        ["Zoë"]
    );
    let mentoring = Tag::parse("mentoring").unwrap();
    assert_eq!(
        search(DirectoryQuery {
            tags: vec![(mentoring.clone(), Some(app::domain::Intent::Offer))],
            ..Default::default()
        })
        .await,
        ["Émile"]
    );
    assert!(search(DirectoryQuery {
        tags: vec![(mentoring, Some(app::domain::Intent::Seek))],
        ..Default::default()
    })
    .await
    .is_empty());
    assert!(search(DirectoryQuery {
        role: Some(Role::Organizer),
        ..Default::default()
    })
    .await
    .is_empty());

    // Paging: two at a time, nothing lost or repeated.
    let first = store
        .search_directory(
            event.id,
            ada.id,
            &DirectoryQuery {
                limit: 2,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(first.entries.len(), 2);
    let rest = store
        .search_directory(
            event.id,
            ada.id,
            &DirectoryQuery {
                limit: 2,
                after: first.next.clone(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        rest.entries
            .iter()
            .map(|e| e.display_name.as_str())
            .collect::<Vec<_>>(),
        ["Émile"]
    );
    assert!(rest.next.is_none());

    // Opted-out and blocked members disappear.
    store
        .set_membership_prefs(event.id, ids[1], "", true)
        .await
        .unwrap();
    store.block(ids[2], ada.id).await.unwrap();
    assert_eq!(search(DirectoryQuery::default()).await, ["Émile"]);
}

async fn photos_and_deletion(store: Arc<dyn Store>) {
    let ada = user(store.as_ref(), "Ada").await;
    let bob = user(store.as_ref(), "Bob").await;
    let event = store
        .create_event(
            new_event("Conf", "conf-0001", "t-1", "ABCD2345", "2026-05-14"),
            ada.id,
        )
        .await
        .unwrap();
    store
        .add_member(event.id, bob.id, Role::Attendee)
        .await
        .unwrap();
    assert!(store.photo(bob.id).await.unwrap().is_none());
    let photo = Photo {
        content_type: "image/png".into(),
        bytes: vec![0x89, 1, 2, 3],
        etag: "e1".into(),
    };
    store.set_photo(bob.id, &photo).await.unwrap();
    let newer = Photo {
        etag: "e2".into(),
        ..photo
    };
    store.set_photo(bob.id, &newer).await.unwrap();
    assert_eq!(store.photo(bob.id).await.unwrap(), Some(newer));
    store.delete_photo(bob.id).await.unwrap();
    assert!(store.photo(bob.id).await.unwrap().is_none());

    store
        .set_photo(
            bob.id,
            &Photo {
                content_type: "image/png".into(),
                bytes: vec![1],
                etag: "e3".into(),
            },
        )
        .await
        .unwrap();
    store
        .set_tags(bob.id, &TagSet::parse("rust", "", "").unwrap())
        .await
        .unwrap();
    store.connect(ada.id, bob.id, Some(event.id)).await.unwrap();
    store.block(ada.id, bob.id).await.unwrap();
    let session = SessionRecord {
        id: "s".into(),
        user_id: Some(bob.id),
        data: "{}".into(),
        expires_at: Utc::now() + Duration::hours(1),
    };
    store.create_session(&session).await.unwrap();

    store.delete_user(bob.id).await.unwrap();
    assert!(store.user_by_id(bob.id).await.unwrap().is_none());
    assert!(store.photo(bob.id).await.unwrap().is_none());
    assert!(store.tags_of(bob.id).await.unwrap().is_empty());
    assert!(store.load_session("s", Utc::now()).await.unwrap().is_none());
    assert!(store.connections_of(ada.id).await.unwrap().is_empty());
    assert!(store.blocked_by(ada.id).await.unwrap().is_empty());
    assert_eq!(store.list_members(event.id).await.unwrap().len(), 1);
    let page = store
        .search_directory(
            event.id,
            ada.id,
            &DirectoryQuery {
                limit: 10,
                words: vec!["bob".into()],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(page.entries.is_empty());
    assert!(matches!(
        store.delete_user(bob.id).await,
        Err(StoreError::NotFound)
    ));
}

contract!(
    ping_answers,
    accounts,
    profiles,
    sessions,
    events,
    membership,
    concurrent_writes_queue,
    tags_and_visibility,
    membership_prefs_blocks_connections,
    directory_search,
    photos_and_deletion,
);

mod taxonomy {
    use super::*;
    use app::domain::Taxonomy;

    async fn suggested_tags(store: Arc<dyn Store>) {
        let ada = user(store.as_ref(), "Ada").await;
        let event = store
            .create_event(
                new_event("Conf", "conf-0001", "t-1", "ABCD2345", "2026-05-14"),
                ada.id,
            )
            .await
            .unwrap();
        assert_eq!(
            store.taxonomy(event.id).await.unwrap(),
            (Taxonomy::default(), true),
            "free tags by default"
        );
        let t = Taxonomy::parse("Skills: rust, go\nLooking for: co-founder, job").unwrap();
        store.set_taxonomy(event.id, &t, false).await.unwrap();
        assert_eq!(
            store.taxonomy(event.id).await.unwrap(),
            (t, false),
            "categories and order kept"
        );
        let smaller = Taxonomy::parse("Skills: design").unwrap();
        store.set_taxonomy(event.id, &smaller, true).await.unwrap();
        assert_eq!(
            store.taxonomy(event.id).await.unwrap(),
            (smaller.clone(), true),
            "replaced, not merged"
        );
        let ghost = app::domain::EventId(uuid::Uuid::new_v4());
        assert!(matches!(
            store.set_taxonomy(ghost, &smaller, true).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.taxonomy(ghost).await,
            Err(StoreError::NotFound)
        ));
    }

    #[tokio::test]
    async fn sqlite() {
        suggested_tags(fresh_store(Backend::Sqlite).await.unwrap()).await
    }

    #[tokio::test]
    async fn postgres() {
        if let Some(store) = fresh_store(Backend::Postgres).await {
            suggested_tags(store).await
        }
    }
}

/// Badges, scans, connection requests and notes (`BadgeStore`,
/// `ConnectionStore`, `EventStore::event_by_id`/`remove_member`).
mod badges_and_connections {
    use super::*;
    use app::{
        api::tokens::{badge_code, badge_token},
        domain::{
            now_utc, BadgeCode, BadgeToken, ClientNonce, ConnectionMethod, ConnectionNoteText,
            EventId, Labels, Rating, ScanMode, ScanOutcome,
        },
        ports::{Badge, BadgeLookup, ConnectionNote, Event, NewScan, ScanRecord},
    };
    use uuid::Uuid;

    /// An event organized by Ada, with Bob and Cy as attendees.
    struct World {
        store: Arc<dyn Store>,
        event: Event,
        ada: User,
        bob: User,
        cy: User,
    }

    async fn world(store: Arc<dyn Store>) -> World {
        let ada = user(store.as_ref(), "Ada").await;
        let bob = user(store.as_ref(), "Bob").await;
        let cy = user(store.as_ref(), "Cy").await;
        let event = store
            .create_event(
                new_event("Conf", "conf-0001", "t-1", "ABCD2345", "2026-05-14"),
                ada.id,
            )
            .await
            .unwrap();
        for u in [&bob, &cy] {
            store
                .add_member(event.id, u.id, Role::Attendee)
                .await
                .unwrap();
        }
        World {
            store,
            event,
            ada,
            bob,
            cy,
        }
    }

    /// A second event, organized by `organizer`.
    async fn other_event(store: &dyn Store, organizer: &User) -> Event {
        store
            .create_event(
                new_event("Other", "other-0001", "t-2", "WXYZ2345", "2026-06-01"),
                organizer.id,
            )
            .await
            .unwrap()
    }

    fn token(raw: &str) -> BadgeToken {
        BadgeToken::parse(raw).unwrap()
    }

    fn code(raw: &str) -> BadgeCode {
        BadgeCode::parse(raw).unwrap()
    }

    async fn issue(store: &dyn Store, event: &Event, u: &User) -> Badge {
        store
            .issue_badge(event.id, u.id, &badge_token(), &badge_code())
            .await
            .unwrap()
    }

    /// A scan now, with no nonce, by the in-app scanner.
    fn scan(event: &Event, scanner: &User, target: &User, outcome: ScanOutcome) -> NewScan {
        let mode = match outcome {
            ScanOutcome::CheckedIn | ScanOutcome::AlreadyCheckedIn => ScanMode::CheckIn,
            _ => ScanMode::Connect,
        };
        NewScan {
            id: Uuid::new_v4(),
            event: Some(event.id),
            scanner: scanner.id,
            target: Some(target.id),
            method: ConnectionMethod::Scanner,
            mode,
            outcome,
            nonce: None,
            scanned_at: now_utc(),
        }
    }

    async fn record(store: &dyn Store, scan: NewScan) -> ScanRecord {
        store.record_scan(&scan).await.unwrap()
    }

    fn note(text: &str, rating: &str, labels: &str) -> ConnectionNote {
        ConnectionNote {
            note: ConnectionNoteText::parse("note", text).unwrap(),
            rating: Rating::parse(rating).unwrap(),
            labels: Labels::parse(labels).unwrap(),
        }
    }

    /// The event's scan counts as (outcome name, count), sorted by name.
    async fn counts(store: &dyn Store, event: EventId) -> Vec<(&'static str, u64)> {
        let mut counts: Vec<_> = store
            .scan_counts(event)
            .await
            .unwrap()
            .into_iter()
            .map(|(o, n)| (o.as_str(), n))
            .collect();
        counts.sort();
        counts
    }

    async fn a_first_badge_is_stored_and_found_by_token_and_code(store: Arc<dyn Store>) {
        let w = world(store).await;
        let s = w.store.as_ref();
        assert_eq!(s.badge(w.event.id, w.bob.id).await.unwrap(), None);
        let before = now_utc();
        let badge = issue(s, &w.event, &w.bob).await;
        assert_eq!((badge.event, badge.user), (w.event.id, w.bob.id));
        assert!(badge.issued_at >= before && badge.issued_at <= Utc::now());
        assert_eq!(
            s.badge(w.event.id, w.bob.id).await.unwrap(),
            Some(badge.clone())
        );
        assert_eq!(
            s.badge_by_token(&badge.token).await.unwrap(),
            Some(BadgeLookup::Current(badge.clone()))
        );
        assert_eq!(
            s.badge_by_code(w.event.id, &badge.code).await.unwrap(),
            Some(BadgeLookup::Current(badge.clone()))
        );
        assert_eq!(s.badge_by_token(&badge_token()).await.unwrap(), None);
        let elsewhere = other_event(s, &w.ada).await;
        assert_eq!(
            s.badge_by_code(elsewhere.id, &badge.code).await.unwrap(),
            None,
            "a code is looked up within its event"
        );
    }

    async fn only_members_get_a_badge(store: Arc<dyn Store>) {
        let w = world(store).await;
        let s = w.store.as_ref();
        let outsider = user(s, "Outsider").await;
        let tok = badge_token();
        let res = s
            .issue_badge(w.event.id, outsider.id, &tok, &badge_code())
            .await;
        assert!(matches!(res, Err(StoreError::NotFound)), "{res:?}");
        assert_eq!(s.badge(w.event.id, outsider.id).await.unwrap(), None);
        assert_eq!(s.badge_by_token(&tok).await.unwrap(), None);
    }

    async fn reissuing_a_badge_revokes_the_old_token_and_code(store: Arc<dyn Store>) {
        let w = world(store).await;
        let s = w.store.as_ref();
        let old = issue(s, &w.event, &w.bob).await;
        let new = issue(s, &w.event, &w.bob).await;
        assert_ne!((&new.token, &new.code), (&old.token, &old.code));
        assert_eq!(
            s.badge(w.event.id, w.bob.id).await.unwrap(),
            Some(new.clone())
        );
        let revoked = BadgeLookup::Revoked {
            event: w.event.id,
            user: w.bob.id,
        };
        assert_eq!(
            s.badge_by_token(&old.token).await.unwrap(),
            Some(revoked.clone())
        );
        assert_eq!(
            s.badge_by_code(w.event.id, &old.code).await.unwrap(),
            Some(revoked.clone())
        );
        assert_eq!(
            s.badge_by_token(&new.token).await.unwrap(),
            Some(BadgeLookup::Current(new.clone()))
        );
        assert_eq!(
            s.badge_by_code(w.event.id, &new.code).await.unwrap(),
            Some(BadgeLookup::Current(new.clone()))
        );
        // A third issue revokes the second as well; the first stays revoked.
        let third = issue(s, &w.event, &w.bob).await;
        for t in [&old.token, &new.token] {
            assert_eq!(s.badge_by_token(t).await.unwrap(), Some(revoked.clone()));
        }
        assert_eq!(
            s.badge_by_token(&third.token).await.unwrap(),
            Some(BadgeLookup::Current(third))
        );
    }

    async fn a_badge_code_is_unique_within_its_event_only(store: Arc<dyn Store>) {
        let w = world(store).await;
        let s = w.store.as_ref();
        let shared = code("K7PMQ2XR");
        let bobs = s
            .issue_badge(w.event.id, w.bob.id, &badge_token(), &shared)
            .await
            .unwrap();
        let clash = s
            .issue_badge(w.event.id, w.cy.id, &badge_token(), &shared)
            .await;
        assert!(
            matches!(clash, Err(StoreError::Conflict("badge code"))),
            "{clash:?}"
        );
        assert_eq!(s.badge(w.event.id, w.cy.id).await.unwrap(), None);

        // A reissue that clashes changes nothing: the current badge stays.
        let cys = issue(s, &w.event, &w.cy).await;
        let clash = s
            .issue_badge(w.event.id, w.cy.id, &badge_token(), &shared)
            .await;
        assert!(
            matches!(clash, Err(StoreError::Conflict("badge code"))),
            "{clash:?}"
        );
        assert_eq!(
            s.badge_by_token(&cys.token).await.unwrap(),
            Some(BadgeLookup::Current(cys.clone())),
            "a failed reissue does not revoke"
        );

        let elsewhere = other_event(s, &w.ada).await;
        let there = s
            .issue_badge(elsewhere.id, w.ada.id, &badge_token(), &shared)
            .await
            .unwrap();
        assert_eq!(
            s.badge_by_code(elsewhere.id, &shared).await.unwrap(),
            Some(BadgeLookup::Current(there))
        );
        assert_eq!(
            s.badge_by_code(w.event.id, &shared).await.unwrap(),
            Some(BadgeLookup::Current(bobs))
        );
    }

    async fn a_badge_token_is_unique_everywhere(store: Arc<dyn Store>) {
        let w = world(store).await;
        let s = w.store.as_ref();
        let shared = token("Ab3_-x9ZQ7mK2pR8sT4uVw");
        let bobs = s
            .issue_badge(w.event.id, w.bob.id, &shared, &badge_code())
            .await
            .unwrap();
        let clash = s
            .issue_badge(w.event.id, w.cy.id, &shared, &badge_code())
            .await;
        assert!(
            matches!(clash, Err(StoreError::Conflict("badge token"))),
            "{clash:?}"
        );
        let elsewhere = other_event(s, &w.ada).await;
        let clash = s
            .issue_badge(elsewhere.id, w.ada.id, &shared, &badge_code())
            .await;
        assert!(
            matches!(clash, Err(StoreError::Conflict("badge token"))),
            "{clash:?}"
        );
        assert_eq!(s.badge(w.event.id, w.cy.id).await.unwrap(), None);
        assert_eq!(s.badge(elsewhere.id, w.ada.id).await.unwrap(), None);
        assert_eq!(
            s.badge_by_token(&shared).await.unwrap(),
            Some(BadgeLookup::Current(bobs))
        );
    }

    async fn members_without_badge_lists_exactly_those_lacking_one(store: Arc<dyn Store>) {
        let w = world(store).await;
        let s = w.store.as_ref();
        let dan = user(s, "Dan").await;
        let elsewhere = other_event(s, &dan).await;
        let sorted = |mut ids: Vec<UserId>| {
            ids.sort_by_key(|u| u.0);
            ids
        };
        assert_eq!(
            sorted(s.members_without_badge(w.event.id).await.unwrap()),
            sorted(vec![w.ada.id, w.bob.id, w.cy.id])
        );
        issue(s, &w.event, &w.bob).await;
        assert_eq!(
            sorted(s.members_without_badge(w.event.id).await.unwrap()),
            sorted(vec![w.ada.id, w.cy.id])
        );
        issue(s, &w.event, &w.ada).await;
        issue(s, &w.event, &w.cy).await;
        assert!(s
            .members_without_badge(w.event.id)
            .await
            .unwrap()
            .is_empty());
        assert_eq!(
            s.members_without_badge(elsewhere.id).await.unwrap(),
            [dan.id]
        );
    }

    async fn badge_holders_come_by_name_with_role_filter_tags_and_visibility(
        store: Arc<dyn Store>,
    ) {
        let w = world(store).await;
        let s = w.store.as_ref();
        let zoe = user(s, "Zoë").await;
        s.add_member(w.event.id, zoe.id, Role::Staff).await.unwrap();
        let form = ProfileForm {
            display_name: "bob".into(),
            pronouns: "he/him".into(),
            headline: "Builds engines".into(),
            company: "Crab Corp".into(),
            ..Default::default()
        };
        s.update_profile(w.bob.id, &ProfileInput::parse(&form).unwrap())
            .await
            .unwrap();
        let tags = TagSet::parse("rust", "mentoring", "").unwrap();
        s.set_tags(w.bob.id, &tags).await.unwrap();
        let mut vis = VisibilitySettings::default();
        vis.set(ProfileField::Company, Visibility::OnlyMe);
        s.set_visibility(w.bob.id, &vis).await.unwrap();
        // Cy has no badge and is left out.
        let zoes = issue(s, &w.event, &zoe).await;
        let bobs = issue(s, &w.event, &w.bob).await;
        let adas = issue(s, &w.event, &w.ada).await;

        let all = s.badge_holders(w.event.id, None).await.unwrap();
        let names: Vec<_> = all.iter().map(|h| h.display_name.as_str()).collect();
        assert_eq!(names, ["Ada", "bob", "Zoë"]);
        assert_eq!(
            all.iter().map(|h| h.badge.clone()).collect::<Vec<_>>(),
            [adas, bobs, zoes]
        );
        let bob = &all[1];
        assert_eq!(bob.role, Role::Attendee);
        assert_eq!(
            (
                bob.pronouns.as_str(),
                bob.headline.as_str(),
                bob.company.as_str()
            ),
            ("he/him", "Builds engines", "Crab Corp")
        );
        assert_eq!(bob.tags, tags);
        assert_eq!(bob.visibility, vis);
        assert!(all[0].tags.is_empty());
        assert_eq!(all[0].role, Role::Organizer);

        let roles = |r: Role| async move {
            s.badge_holders(w.event.id, Some(r))
                .await
                .unwrap()
                .into_iter()
                .map(|h| h.display_name)
                .collect::<Vec<_>>()
        };
        assert_eq!(roles(Role::Staff).await, ["Zoë"]);
        assert_eq!(roles(Role::Attendee).await, ["bob"]);
        assert_eq!(roles(Role::Organizer).await, ["Ada"]);
    }

    async fn a_connected_scan_connects_the_pair_once(store: Arc<dyn Store>) {
        let w = world(store).await;
        let s = w.store.as_ref();
        let first = record(s, scan(&w.event, &w.bob, &w.cy, ScanOutcome::Connected)).await;
        assert_eq!(first.outcome, ScanOutcome::Connected);
        assert!(s.are_connected(w.cy.id, w.bob.id).await.unwrap());
        assert_eq!(
            s.connections_of(w.bob.id).await.unwrap(),
            [(w.cy.id, "Cy".to_owned())]
        );
        let mine = s.my_connections(w.cy.id).await.unwrap();
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0].other.id, w.bob.id);
        assert_eq!(
            mine[0].event,
            Some(("Conf".to_owned(), w.event.slug.clone()))
        );
        assert_eq!(mine[0].method, ConnectionMethod::Scanner);
        assert_eq!(mine[0].note, ConnectionNote::default());

        // Again, either way round: settled as already connected, one row.
        let again = record(s, scan(&w.event, &w.cy, &w.bob, ScanOutcome::Connected)).await;
        assert_eq!(again.outcome, ScanOutcome::AlreadyConnected);
        assert_eq!(s.my_connections(w.cy.id).await.unwrap().len(), 1);
        assert_eq!(s.connections_of(w.bob.id).await.unwrap().len(), 1);
        assert_eq!(
            counts(s, w.event.id).await,
            [("already_connected", 1), ("connected", 1)]
        );
    }

    async fn a_scan_record_keeps_what_was_given_and_reads_back_the_same(store: Arc<dyn Store>) {
        let w = world(store).await;
        let s = w.store.as_ref();
        // An offline scan synced an hour later keeps its device time.
        let scanned_at = now_utc() - Duration::hours(1);
        let new = NewScan {
            method: ConnectionMethod::Offline,
            nonce: Some(ClientNonce::parse("offline-0001").unwrap()),
            scanned_at,
            ..scan(&w.event, &w.bob, &w.cy, ScanOutcome::Connected)
        };
        let before = now_utc();
        let rec = record(s, new.clone()).await;
        let after = Utc::now();
        assert_eq!(rec.id, new.id);
        assert_eq!(rec.event, Some(w.event.id));
        assert_eq!((rec.scanner, rec.target), (Some(w.bob.id), Some(w.cy.id)));
        assert_eq!(
            (rec.method, rec.mode, rec.outcome),
            (
                ConnectionMethod::Offline,
                ScanMode::Connect,
                ScanOutcome::Connected
            )
        );
        assert_eq!(rec.scanned_at, scanned_at);
        assert!(
            rec.recorded_at >= before && rec.recorded_at <= after,
            "{rec:?}"
        );
        assert_eq!(rec.checked_in_at, None);
        assert_eq!(s.scan(rec.id).await.unwrap(), Some(rec.clone()));
        assert_eq!(s.scan(Uuid::new_v4()).await.unwrap(), None);
        assert_eq!(
            s.my_connections(w.bob.id).await.unwrap()[0].method,
            ConnectionMethod::Offline
        );
    }

    async fn a_replayed_nonce_returns_the_first_record_and_changes_nothing(store: Arc<dyn Store>) {
        let w = world(store).await;
        let s = w.store.as_ref();
        let nonce = ClientNonce::parse("3f2a9c1e-0b7d-4a55").unwrap();
        let first = record(
            s,
            NewScan {
                nonce: Some(nonce.clone()),
                ..scan(&w.event, &w.bob, &w.cy, ScanOutcome::Connected)
            },
        )
        .await;
        assert_eq!(first.outcome, ScanOutcome::Connected);
        let counted = counts(s, w.event.id).await;

        // The same scan sent again (lost response) and a different attempt
        // under the same nonce both answer with the first record.
        for outcome in [ScanOutcome::Connected, ScanOutcome::Requested] {
            let replay = NewScan {
                nonce: Some(nonce.clone()),
                ..scan(&w.event, &w.bob, &w.ada, outcome)
            };
            let again = record(s, replay.clone()).await;
            assert_eq!(again, first, "{outcome:?}");
            assert_eq!(s.scan(replay.id).await.unwrap(), None);
        }
        assert_eq!(counts(s, w.event.id).await, counted);
        assert!(!s.are_connected(w.bob.id, w.ada.id).await.unwrap());
        assert!(s.incoming_requests(w.ada.id).await.unwrap().is_empty());
    }

    async fn the_same_nonce_from_another_scanner_is_another_scan(store: Arc<dyn Store>) {
        let w = world(store).await;
        let s = w.store.as_ref();
        let nonce = ClientNonce::parse("same-nonce-01").unwrap();
        let bobs = record(
            s,
            NewScan {
                nonce: Some(nonce.clone()),
                ..scan(&w.event, &w.bob, &w.cy, ScanOutcome::Connected)
            },
        )
        .await;
        let adas = record(
            s,
            NewScan {
                nonce: Some(nonce),
                ..scan(&w.event, &w.ada, &w.cy, ScanOutcome::Connected)
            },
        )
        .await;
        assert_ne!(adas.id, bobs.id);
        assert_eq!(adas.scanner, Some(w.ada.id));
        assert_eq!(adas.outcome, ScanOutcome::Connected);
        assert!(s.are_connected(w.ada.id, w.cy.id).await.unwrap());
        assert_eq!(counts(s, w.event.id).await, [("connected", 2)]);
    }

    async fn a_requested_scan_waits_for_the_target_and_a_connection_settles_it(
        store: Arc<dyn Store>,
    ) {
        let w = world(store).await;
        let s = w.store.as_ref();
        let form = ProfileForm {
            display_name: "Ada".into(),
            headline: "Programmer".into(),
            ..Default::default()
        };
        s.update_profile(w.ada.id, &ProfileInput::parse(&form).unwrap())
            .await
            .unwrap();
        let asked = scan(&w.event, &w.ada, &w.bob, ScanOutcome::Requested);
        let rec = record(
            s,
            NewScan {
                method: ConnectionMethod::Code,
                ..asked.clone()
            },
        )
        .await;
        assert_eq!(rec.outcome, ScanOutcome::Requested);
        assert!(!s.are_connected(w.ada.id, w.bob.id).await.unwrap());
        let waiting = s.incoming_requests(w.bob.id).await.unwrap();
        assert_eq!(waiting.len(), 1, "{waiting:?}");
        let r = &waiting[0];
        assert_eq!((r.event, r.from), (w.event.id, w.ada.id));
        assert_eq!(
            (
                r.event_name.as_str(),
                r.from_name.as_str(),
                r.from_headline.as_str()
            ),
            ("Conf", "Ada", "Programmer")
        );
        assert_eq!(r.method, ConnectionMethod::Code);
        assert!(s.incoming_requests(w.ada.id).await.unwrap().is_empty());

        // Bob scans Ada back: they are connected and the request is settled.
        let back = record(s, scan(&w.event, &w.bob, &w.ada, ScanOutcome::Connected)).await;
        assert_eq!(back.outcome, ScanOutcome::Connected);
        assert!(s.are_connected(w.ada.id, w.bob.id).await.unwrap());
        assert!(s.incoming_requests(w.bob.id).await.unwrap().is_empty());
        let answer = s.answer_request(w.event.id, w.ada.id, w.bob.id, true).await;
        assert!(matches!(answer, Err(StoreError::NotFound)), "{answer:?}");
    }

    async fn a_check_in_keeps_the_first_time(store: Arc<dyn Store>) {
        let w = world(store).await;
        let s = w.store.as_ref();
        let first_at = now_utc() - Duration::minutes(10);
        let first = record(
            s,
            NewScan {
                scanned_at: first_at,
                ..scan(&w.event, &w.ada, &w.bob, ScanOutcome::CheckedIn)
            },
        )
        .await;
        assert_eq!(first.outcome, ScanOutcome::CheckedIn);
        assert_eq!(first.mode, ScanMode::CheckIn);
        assert_eq!(first.checked_in_at, Some(first_at));
        let m = s.membership(w.event.id, w.bob.id).await.unwrap().unwrap();
        assert_eq!(m.checked_in_at, Some(first_at));
        assert_eq!(
            s.membership(w.event.id, w.cy.id)
                .await
                .unwrap()
                .unwrap()
                .checked_in_at,
            None
        );

        let second = record(s, scan(&w.event, &w.ada, &w.bob, ScanOutcome::CheckedIn)).await;
        assert_eq!(second.outcome, ScanOutcome::AlreadyCheckedIn);
        assert_eq!(second.checked_in_at, Some(first_at), "the original time");
        assert!(second.scanned_at > first_at);
        assert_eq!(
            s.membership(w.event.id, w.bob.id)
                .await
                .unwrap()
                .unwrap()
                .checked_in_at,
            Some(first_at)
        );
        assert_eq!(s.scan(second.id).await.unwrap(), Some(second));
        assert!(!s.are_connected(w.ada.id, w.bob.id).await.unwrap());
        assert_eq!(
            counts(s, w.event.id).await,
            [("already_checked_in", 1), ("checked_in", 1)]
        );
    }

    async fn refused_scans_are_recorded_without_effect(store: Arc<dyn Store>) {
        let w = world(store).await;
        let s = w.store.as_ref();
        for outcome in [
            ScanOutcome::Blocked,
            ScanOutcome::OptedOut,
            ScanOutcome::OwnBadge,
            ScanOutcome::NotStaff,
        ] {
            let rec = record(s, scan(&w.event, &w.ada, &w.bob, outcome)).await;
            assert_eq!(rec.outcome, outcome);
            assert_eq!(rec.checked_in_at, None);
            assert_eq!(s.scan(rec.id).await.unwrap(), Some(rec));
        }
        let unknown = NewScan {
            event: None,
            target: None,
            ..scan(&w.event, &w.cy, &w.bob, ScanOutcome::Unknown)
        };
        let rec = record(s, unknown).await;
        assert_eq!((rec.event, rec.target), (None, None));
        assert_eq!(rec.scanner, Some(w.cy.id));
        assert_eq!(rec.outcome, ScanOutcome::Unknown);
        assert_eq!(s.scan(rec.id).await.unwrap(), Some(rec));

        assert!(!s.are_connected(w.ada.id, w.bob.id).await.unwrap());
        assert!(s.incoming_requests(w.bob.id).await.unwrap().is_empty());
        assert_eq!(
            s.membership(w.event.id, w.bob.id)
                .await
                .unwrap()
                .unwrap()
                .checked_in_at,
            None
        );
        assert_eq!(
            counts(s, w.event.id).await,
            [
                ("blocked", 1),
                ("not_staff", 1),
                ("opted_out", 1),
                ("own_badge", 1)
            ],
            "a scan of no event is in no event's counts"
        );
    }

    async fn scan_counts_group_by_outcome_per_event(store: Arc<dyn Store>) {
        let w = world(store).await;
        let s = w.store.as_ref();
        assert!(s.scan_counts(w.event.id).await.unwrap().is_empty());
        record(s, scan(&w.event, &w.ada, &w.bob, ScanOutcome::Connected)).await;
        record(s, scan(&w.event, &w.ada, &w.cy, ScanOutcome::Connected)).await;
        record(s, scan(&w.event, &w.bob, &w.cy, ScanOutcome::Blocked)).await;
        record(s, scan(&w.event, &w.cy, &w.ada, ScanOutcome::Connected)).await;
        let elsewhere = other_event(s, &w.ada).await;
        s.add_member(elsewhere.id, w.bob.id, Role::Attendee)
            .await
            .unwrap();
        record(s, scan(&elsewhere, &w.bob, &w.ada, ScanOutcome::Connected)).await;
        assert_eq!(
            counts(s, w.event.id).await,
            [("already_connected", 1), ("blocked", 1), ("connected", 2)]
        );
        assert_eq!(counts(s, elsewhere.id).await, [("already_connected", 1)]);
    }

    async fn approve_scans_toggles_for_members_only(store: Arc<dyn Store>) {
        let w = world(store).await;
        let s = w.store.as_ref();
        let approves = |u: UserId| async move {
            s.membership(w.event.id, u)
                .await
                .unwrap()
                .unwrap()
                .approve_scans
        };
        assert!(!approves(w.bob.id).await, "off by default");
        s.set_approve_scans(w.event.id, w.bob.id, true)
            .await
            .unwrap();
        assert!(approves(w.bob.id).await);
        assert!(!approves(w.cy.id).await, "only Bob's");
        s.set_approve_scans(w.event.id, w.bob.id, false)
            .await
            .unwrap();
        assert!(!approves(w.bob.id).await);
        let outsider = user(s, "Outsider").await;
        let res = s.set_approve_scans(w.event.id, outsider.id, true).await;
        assert!(matches!(res, Err(StoreError::NotFound)), "{res:?}");
    }

    async fn accepting_a_request_connects_with_method_approved(store: Arc<dyn Store>) {
        let w = world(store).await;
        let s = w.store.as_ref();
        record(s, scan(&w.event, &w.ada, &w.bob, ScanOutcome::Requested)).await;
        assert!(s
            .answer_request(w.event.id, w.ada.id, w.bob.id, true)
            .await
            .unwrap());
        assert!(s.are_connected(w.ada.id, w.bob.id).await.unwrap());
        let mine = s.my_connections(w.bob.id).await.unwrap();
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0].other.id, w.ada.id);
        assert_eq!(mine[0].method, ConnectionMethod::Approved);
        assert_eq!(
            mine[0].event,
            Some(("Conf".to_owned(), w.event.slug.clone()))
        );
        assert!(s.incoming_requests(w.bob.id).await.unwrap().is_empty());
        let again = s.answer_request(w.event.id, w.ada.id, w.bob.id, true).await;
        assert!(matches!(again, Err(StoreError::NotFound)), "{again:?}");
    }

    async fn a_declined_request_stays_declined_after_another_scan(store: Arc<dyn Store>) {
        let w = world(store).await;
        let s = w.store.as_ref();
        record(s, scan(&w.event, &w.ada, &w.bob, ScanOutcome::Requested)).await;
        assert!(!s
            .answer_request(w.event.id, w.ada.id, w.bob.id, false)
            .await
            .unwrap());
        assert!(!s.are_connected(w.ada.id, w.bob.id).await.unwrap());
        assert!(s.incoming_requests(w.bob.id).await.unwrap().is_empty());
        let rec = record(s, scan(&w.event, &w.ada, &w.bob, ScanOutcome::Requested)).await;
        assert_eq!(rec.outcome, ScanOutcome::Requested);
        assert!(
            s.incoming_requests(w.bob.id).await.unwrap().is_empty(),
            "scanning again does not nag"
        );
        let again = s.answer_request(w.event.id, w.ada.id, w.bob.id, true).await;
        assert!(matches!(again, Err(StoreError::NotFound)), "{again:?}");
        assert!(!s.are_connected(w.ada.id, w.bob.id).await.unwrap());
    }

    async fn answering_a_missing_request_is_not_found(store: Arc<dyn Store>) {
        let w = world(store).await;
        let s = w.store.as_ref();
        record(s, scan(&w.event, &w.ada, &w.bob, ScanOutcome::Requested)).await;
        for (from, to) in [(w.cy.id, w.bob.id), (w.bob.id, w.ada.id)] {
            for accept in [true, false] {
                let res = s.answer_request(w.event.id, from, to, accept).await;
                assert!(matches!(res, Err(StoreError::NotFound)), "{res:?}");
            }
        }
        let elsewhere = other_event(s, &w.ada).await;
        let res = s
            .answer_request(elsewhere.id, w.ada.id, w.bob.id, true)
            .await;
        assert!(matches!(res, Err(StoreError::NotFound)), "{res:?}");
        assert!(!s.are_connected(w.ada.id, w.bob.id).await.unwrap());
        assert_eq!(s.incoming_requests(w.bob.id).await.unwrap().len(), 1);
    }

    async fn requests_from_someone_blocked_are_hidden(store: Arc<dyn Store>) {
        let w = world(store).await;
        let s = w.store.as_ref();
        record(s, scan(&w.event, &w.ada, &w.bob, ScanOutcome::Requested)).await;
        record(s, scan(&w.event, &w.cy, &w.bob, ScanOutcome::Requested)).await;
        let from = |list: Vec<app::ports::ConnectionRequest>| {
            list.into_iter().map(|r| r.from_name).collect::<Vec<_>>()
        };
        assert_eq!(
            from(s.incoming_requests(w.bob.id).await.unwrap()),
            ["Ada", "Cy"],
            "oldest first"
        );
        s.block(w.bob.id, w.ada.id).await.unwrap();
        assert_eq!(from(s.incoming_requests(w.bob.id).await.unwrap()), ["Cy"]);
        s.unblock(w.bob.id, w.ada.id).await.unwrap();
        assert_eq!(
            from(s.incoming_requests(w.bob.id).await.unwrap()),
            ["Ada", "Cy"]
        );
    }

    async fn a_note_needs_a_connection_and_is_replaced_on_save(store: Arc<dyn Store>) {
        let w = world(store).await;
        let s = w.store.as_ref();
        let first = note("Talked about engines", "4", "lead, hiring");
        let res = s.set_connection_note(w.ada.id, w.bob.id, &first).await;
        assert!(matches!(res, Err(StoreError::NotFound)), "{res:?}");
        assert!(s.notes_by(w.ada.id).await.unwrap().is_empty());

        record(s, scan(&w.event, &w.bob, &w.ada, ScanOutcome::Connected)).await;
        s.set_connection_note(w.ada.id, w.bob.id, &first)
            .await
            .unwrap();
        assert_eq!(s.my_connections(w.ada.id).await.unwrap()[0].note, first);
        let second = note("Follow up in June", "", "follow up");
        s.set_connection_note(w.ada.id, w.bob.id, &second)
            .await
            .unwrap();
        let mine = s.my_connections(w.ada.id).await.unwrap();
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0].note, second, "replaced, not merged");
        assert_eq!(
            s.my_connections(w.bob.id).await.unwrap()[0].note,
            ConnectionNote::default(),
            "a note is its owner's only"
        );
        let notes = s.notes_by(w.ada.id).await.unwrap();
        assert_eq!(notes.len(), 1);
        assert_eq!(
            (notes[0].other, notes[0].other_name.as_str(), &notes[0].note),
            (w.bob.id, "Bob", &second)
        );
        assert!(s.notes_by(w.bob.id).await.unwrap().is_empty());
    }

    async fn notes_outlive_their_subject_but_not_their_owner(store: Arc<dyn Store>) {
        let w = world(store).await;
        let s = w.store.as_ref();
        record(s, scan(&w.event, &w.bob, &w.ada, ScanOutcome::Connected)).await;
        record(s, scan(&w.event, &w.cy, &w.ada, ScanOutcome::Connected)).await;
        let about_bob = note("Met at the booth", "5", "lead");
        s.set_connection_note(w.ada.id, w.bob.id, &about_bob)
            .await
            .unwrap();
        s.set_connection_note(w.ada.id, w.cy.id, &note("Cy", "", ""))
            .await
            .unwrap();

        s.delete_user(w.bob.id).await.unwrap();
        let notes = s.notes_by(w.ada.id).await.unwrap();
        let kept = notes.iter().find(|n| n.other == w.bob.id).expect("kept");
        assert_eq!((kept.other_name.as_str(), &kept.note), ("Bob", &about_bob));
        let others: Vec<_> = s
            .my_connections(w.ada.id)
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.other.id)
            .collect();
        assert_eq!(others, [w.cy.id]);

        s.delete_user(w.ada.id).await.unwrap();
        assert!(s.notes_by(w.ada.id).await.unwrap().is_empty());
    }

    async fn removing_a_member_stops_their_badge(store: Arc<dyn Store>) {
        let w = world(store).await;
        let s = w.store.as_ref();
        let old = issue(s, &w.event, &w.bob).await;
        let current = issue(s, &w.event, &w.bob).await;
        let cys = issue(s, &w.event, &w.cy).await;
        s.remove_member(w.event.id, w.bob.id).await.unwrap();
        assert_eq!(s.membership(w.event.id, w.bob.id).await.unwrap(), None);
        assert_eq!(s.member_role(w.event.id, w.bob.id).await.unwrap(), None);
        assert_eq!(s.badge(w.event.id, w.bob.id).await.unwrap(), None);
        for t in [&old.token, &current.token] {
            assert_eq!(s.badge_by_token(t).await.unwrap(), None);
        }
        for c in [&old.code, &current.code] {
            assert_eq!(s.badge_by_code(w.event.id, c).await.unwrap(), None);
        }
        assert_eq!(
            s.badge_by_token(&cys.token).await.unwrap(),
            Some(BadgeLookup::Current(cys)),
            "other badges stay"
        );
        let res = s.remove_member(w.event.id, w.bob.id).await;
        assert!(matches!(res, Err(StoreError::NotFound)), "{res:?}");
        let outsider = user(s, "Outsider").await;
        let res = s.remove_member(w.event.id, outsider.id).await;
        assert!(matches!(res, Err(StoreError::NotFound)), "{res:?}");
        // Rejoining starts without a badge.
        s.add_member(w.event.id, w.bob.id, Role::Attendee)
            .await
            .unwrap();
        assert_eq!(s.badge(w.event.id, w.bob.id).await.unwrap(), None);
        assert_eq!(s.badge_by_token(&old.token).await.unwrap(), None);
    }

    async fn event_by_id_finds_the_event(store: Arc<dyn Store>) {
        let w = world(store).await;
        let s = w.store.as_ref();
        assert_eq!(
            s.event_by_id(w.event.id).await.unwrap(),
            Some(w.event.clone())
        );
        let elsewhere = other_event(s, &w.ada).await;
        assert_eq!(s.event_by_id(elsewhere.id).await.unwrap(), Some(elsewhere));
        assert_eq!(s.event_by_id(EventId(Uuid::new_v4())).await.unwrap(), None);
    }

    contract!(
        a_first_badge_is_stored_and_found_by_token_and_code,
        only_members_get_a_badge,
        reissuing_a_badge_revokes_the_old_token_and_code,
        a_badge_code_is_unique_within_its_event_only,
        a_badge_token_is_unique_everywhere,
        members_without_badge_lists_exactly_those_lacking_one,
        badge_holders_come_by_name_with_role_filter_tags_and_visibility,
        a_connected_scan_connects_the_pair_once,
        a_scan_record_keeps_what_was_given_and_reads_back_the_same,
        a_replayed_nonce_returns_the_first_record_and_changes_nothing,
        the_same_nonce_from_another_scanner_is_another_scan,
        a_requested_scan_waits_for_the_target_and_a_connection_settles_it,
        a_check_in_keeps_the_first_time,
        refused_scans_are_recorded_without_effect,
        scan_counts_group_by_outcome_per_event,
        approve_scans_toggles_for_members_only,
        accepting_a_request_connects_with_method_approved,
        a_declined_request_stays_declined_after_another_scan,
        answering_a_missing_request_is_not_found,
        requests_from_someone_blocked_are_hidden,
        a_note_needs_a_connection_and_is_replaced_on_save,
        notes_outlive_their_subject_but_not_their_owner,
        removing_a_member_stops_their_badge,
        event_by_id_finds_the_event,
    );
}

/// Recommendations, interest, the funnel, meeting spots, meetings and the
/// calendar feed (`MatchStore`, `MeetingStore`).
mod matching_and_meetings {
    use super::*;
    use app::{
        domain::{
            now_utc, ConnectionMethod, EventId, FunnelStage, MeetingStatus, ScanMode, ScanOutcome,
        },
        ports::{Event, MatchMember, Meeting, MeetingChange, NewMeeting, NewScan},
    };
    use chrono::{DateTime, TimeZone};
    use uuid::Uuid;

    /// An event organized by Ada, with Bob and Cy as attendees.
    struct World {
        store: Arc<dyn Store>,
        event: Event,
        ada: User,
        bob: User,
        cy: User,
    }

    async fn world(store: Arc<dyn Store>) -> World {
        let ada = user(store.as_ref(), "Ada").await;
        let bob = user(store.as_ref(), "Bob").await;
        let cy = user(store.as_ref(), "Cy").await;
        let event = store
            .create_event(
                new_event("Conf", "conf-0001", "t-1", "ABCD2345", "2026-05-14"),
                ada.id,
            )
            .await
            .unwrap();
        for u in [&bob, &cy] {
            store
                .add_member(event.id, u.id, Role::Attendee)
                .await
                .unwrap();
        }
        World {
            store,
            event,
            ada,
            bob,
            cy,
        }
    }

    /// A second event, organized by `organizer`.
    async fn other_event(store: &dyn Store, organizer: &User) -> Event {
        store
            .create_event(
                new_event("Other", "other-0001", "t-2", "WXYZ2345", "2026-06-01"),
                organizer.id,
            )
            .await
            .unwrap()
    }

    /// A far-future instant: 10 March 2031 at `h:m` UTC.
    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2031, 3, 10, h, m, 0).unwrap()
    }

    /// A meeting request from `from` to `to` in the lobby.
    fn request(
        event: &Event,
        from: &User,
        to: &User,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
    ) -> NewMeeting {
        NewMeeting {
            id: Uuid::new_v4(),
            event: event.id,
            requester: from.id,
            invitee: to.id,
            starts_at,
            ends_at,
            spot: None,
            place: "Lobby".into(),
            message: "Coffee to talk about sqlx?".into(),
        }
    }

    async fn ask(store: &dyn Store, new: NewMeeting) -> Meeting {
        store.request_meeting(&new).await.unwrap()
    }

    /// A request, accepted.
    async fn book(store: &dyn Store, new: NewMeeting) -> Meeting {
        let m = ask(store, new).await;
        store
            .change_meeting(m.id, &MeetingChange::Accept)
            .await
            .unwrap()
    }

    fn counter(by: &User, starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> MeetingChange {
        MeetingChange::Counter {
            by: by.id,
            starts_at,
            ends_at,
            spot: None,
            place: "Bar".into(),
        }
    }

    fn sorted(mut ids: Vec<UserId>) -> Vec<UserId> {
        ids.sort_by_key(|u| u.0);
        ids
    }

    fn ids(meetings: &[Meeting]) -> Vec<Uuid> {
        meetings.iter().map(|m| m.id).collect()
    }

    #[track_caller]
    fn assert_conflict<T: std::fmt::Debug>(res: Result<T, StoreError>, what: &str) {
        assert!(
            matches!(&res, Err(StoreError::Conflict(w)) if *w == what),
            "expected Conflict({what:?}), got {res:?}"
        );
    }

    async fn funnel(store: &dyn Store, event: EventId) -> Vec<(FunnelStage, u64)> {
        store.funnel_counts(event).await.unwrap()
    }

    // ----- MatchStore -----------------------------------------------------

    async fn match_members_describe_every_member_of_the_event(store: Arc<dyn Store>) {
        let w = world(store).await;
        let s = w.store.as_ref();
        // Bob: a company, tags, checked in.
        let form = ProfileForm {
            display_name: "Bob".into(),
            company: "Engines Ltd".into(),
            ..Default::default()
        };
        s.update_profile(w.bob.id, &ProfileInput::parse(&form).unwrap())
            .await
            .unwrap();
        let bob_tags = TagSet::parse("rust, databases", "mentoring", "").unwrap();
        s.set_tags(w.bob.id, &bob_tags).await.unwrap();
        let checked_in = s
            .record_scan(&NewScan {
                id: Uuid::new_v4(),
                event: Some(w.event.id),
                scanner: w.ada.id,
                target: Some(w.bob.id),
                method: ConnectionMethod::Scanner,
                mode: ScanMode::CheckIn,
                outcome: ScanOutcome::CheckedIn,
                nonce: None,
                scanned_at: now_utc(),
            })
            .await
            .unwrap();
        assert_eq!(checked_in.outcome, ScanOutcome::CheckedIn);
        // Cy: tags hidden from fellow members, opted out of recommendations.
        let cy_tags = TagSet::parse("go", "", "").unwrap();
        s.set_tags(w.cy.id, &cy_tags).await.unwrap();
        let mut hidden = VisibilitySettings::default();
        hidden.set(ProfileField::Tags, Visibility::Connections);
        s.set_visibility(w.cy.id, &hidden).await.unwrap();
        s.set_membership_prefs(w.event.id, w.cy.id, "", true)
            .await
            .unwrap();
        // Dan is a member of another event only.
        let dan = user(s, "Dan").await;
        let elsewhere = other_event(s, &dan).await;

        let mut expected = vec![
            MatchMember {
                user: w.ada.id,
                company: String::new(),
                tags: TagSet::default(),
                tags_public: true,
                opted_out: false,
                checked_in: false,
            },
            MatchMember {
                user: w.bob.id,
                company: "Engines Ltd".into(),
                tags: bob_tags,
                tags_public: true,
                opted_out: false,
                checked_in: true,
            },
            MatchMember {
                user: w.cy.id,
                company: String::new(),
                tags: cy_tags,
                tags_public: false,
                opted_out: true,
                checked_in: false,
            },
        ];
        expected.sort_by_key(|m| m.user.0);
        let mut got = s.match_members(w.event.id).await.unwrap();
        got.sort_by_key(|m| m.user.0);
        assert_eq!(got, expected);
        for m in &expected {
            assert_eq!(
                s.match_member(w.event.id, m.user).await.unwrap().as_ref(),
                Some(m)
            );
        }
        assert_eq!(s.match_member(w.event.id, dan.id).await.unwrap(), None);
        assert_eq!(s.match_member(elsewhere.id, w.bob.id).await.unwrap(), None);
        let there = s.match_members(elsewhere.id).await.unwrap();
        assert_eq!(
            there.iter().map(|m| m.user).collect::<Vec<_>>(),
            [dan.id],
            "members of this event only"
        );
        assert!(!there[0].checked_in, "checked in at the other event only");

        // Showing the tags again makes them matchable again.
        s.set_visibility(w.cy.id, &VisibilitySettings::default())
            .await
            .unwrap();
        assert!(
            s.match_member(w.event.id, w.cy.id)
                .await
                .unwrap()
                .unwrap()
                .tags_public
        );
        assert!(s
            .match_members(EventId(Uuid::new_v4()))
            .await
            .unwrap()
            .is_empty());
    }

    async fn blocked_with_lists_both_directions_once(store: Arc<dyn Store>) {
        let w = world(store).await;
        let s = w.store.as_ref();
        let dan = user(s, "Dan").await;
        assert!(s.blocked_with(w.ada.id).await.unwrap().is_empty());
        s.block(w.ada.id, w.bob.id).await.unwrap();
        s.block(w.bob.id, w.ada.id).await.unwrap();
        s.block(w.cy.id, w.ada.id).await.unwrap();
        assert_eq!(
            sorted(s.blocked_with(w.ada.id).await.unwrap()),
            sorted(vec![w.bob.id, w.cy.id]),
            "blocked and blocked by, each once"
        );
        assert_eq!(s.blocked_with(w.bob.id).await.unwrap(), [w.ada.id]);
        assert_eq!(s.blocked_with(w.cy.id).await.unwrap(), [w.ada.id]);
        assert!(s.blocked_with(dan.id).await.unwrap().is_empty());
        s.unblock(w.ada.id, w.bob.id).await.unwrap();
        assert_eq!(
            sorted(s.blocked_with(w.ada.id).await.unwrap()),
            sorted(vec![w.bob.id, w.cy.id]),
            "Bob still blocks Ada"
        );
        s.unblock(w.bob.id, w.ada.id).await.unwrap();
        assert_eq!(s.blocked_with(w.ada.id).await.unwrap(), [w.cy.id]);
        assert!(s.blocked_with(w.bob.id).await.unwrap().is_empty());
    }

    async fn dismissals_are_idempotent_and_kept_per_event(store: Arc<dyn Store>) {
        let w = world(store).await;
        let s = w.store.as_ref();
        let elsewhere = other_event(s, &w.ada).await;
        assert!(s.dismissed(w.event.id, w.bob.id).await.unwrap().is_empty());
        s.dismiss(w.event.id, w.bob.id, w.cy.id).await.unwrap();
        s.dismiss(w.event.id, w.bob.id, w.cy.id).await.unwrap();
        s.dismiss(w.event.id, w.bob.id, w.ada.id).await.unwrap();
        assert_eq!(
            sorted(s.dismissed(w.event.id, w.bob.id).await.unwrap()),
            sorted(vec![w.ada.id, w.cy.id])
        );
        assert!(
            s.dismissed(w.event.id, w.cy.id).await.unwrap().is_empty(),
            "a dismissal is one-sided"
        );
        s.dismiss(elsewhere.id, w.cy.id, w.bob.id).await.unwrap();
        assert_eq!(
            s.dismissed(elsewhere.id, w.cy.id).await.unwrap(),
            [w.bob.id]
        );
        assert!(s.dismissed(w.event.id, w.cy.id).await.unwrap().is_empty());
        assert!(s
            .dismissed(elsewhere.id, w.bob.id)
            .await
            .unwrap()
            .is_empty());
        assert_eq!(s.dismissed(w.event.id, w.bob.id).await.unwrap().len(), 2);
    }

    async fn mutual_interest_connects_the_pair_once(store: Arc<dyn Store>) {
        let w = world(store).await;
        let s = w.store.as_ref();
        let ev = w.event.id;
        assert!(!s.mark_interested(ev, w.bob.id, w.cy.id).await.unwrap());
        assert!(!s.are_connected(w.bob.id, w.cy.id).await.unwrap());
        assert!(s.my_connections(w.bob.id).await.unwrap().is_empty());
        assert_eq!(s.interested_in(ev, w.bob.id).await.unwrap(), [w.cy.id]);
        assert!(s.interested_in(ev, w.cy.id).await.unwrap().is_empty());
        assert_eq!(funnel(s, ev).await, [(FunnelStage::Interested, 1)]);
        // The same side again: still one-sided, counted once.
        assert!(!s.mark_interested(ev, w.bob.id, w.cy.id).await.unwrap());
        assert_eq!(s.interested_in(ev, w.bob.id).await.unwrap(), [w.cy.id]);
        assert_eq!(funnel(s, ev).await, [(FunnelStage::Interested, 1)]);

        assert!(s.mark_interested(ev, w.cy.id, w.bob.id).await.unwrap());
        assert!(s.are_connected(w.bob.id, w.cy.id).await.unwrap());
        let mine = s.my_connections(w.bob.id).await.unwrap();
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0].other.id, w.cy.id);
        assert_eq!(mine[0].method, ConnectionMethod::Mutual);
        assert_eq!(
            mine[0].event,
            Some(("Conf".to_owned(), w.event.slug.clone()))
        );
        let theirs = s.my_connections(w.cy.id).await.unwrap();
        assert_eq!(theirs.len(), 1);
        assert_eq!(
            (theirs[0].other.id, theirs[0].method),
            (w.bob.id, ConnectionMethod::Mutual)
        );
        assert_eq!(s.interested_in(ev, w.cy.id).await.unwrap(), [w.bob.id]);
        let both = [(FunnelStage::Interested, 2), (FunnelStage::Mutual, 2)];
        assert_eq!(funnel(s, ev).await, both);

        // Repeating either side changes nothing.
        assert!(s.mark_interested(ev, w.cy.id, w.bob.id).await.unwrap());
        assert!(s.mark_interested(ev, w.bob.id, w.cy.id).await.unwrap());
        assert_eq!(funnel(s, ev).await, both);
        assert_eq!(s.my_connections(w.bob.id).await.unwrap().len(), 1);
        assert_eq!(s.connections_of(w.cy.id).await.unwrap().len(), 1);
        assert_eq!(s.interested_in(ev, w.bob.id).await.unwrap(), [w.cy.id]);
        assert!(s.interested_in(ev, w.ada.id).await.unwrap().is_empty());
    }

    async fn interest_is_mutual_only_within_one_event(store: Arc<dyn Store>) {
        let w = world(store).await;
        let s = w.store.as_ref();
        let elsewhere = other_event(s, &w.ada).await;
        for u in [&w.bob, &w.cy] {
            s.add_member(elsewhere.id, u.id, Role::Attendee)
                .await
                .unwrap();
        }
        assert!(!s
            .mark_interested(w.event.id, w.bob.id, w.cy.id)
            .await
            .unwrap());
        assert!(!s
            .mark_interested(elsewhere.id, w.cy.id, w.bob.id)
            .await
            .unwrap());
        assert!(!s.are_connected(w.bob.id, w.cy.id).await.unwrap());
        assert_eq!(
            s.interested_in(w.event.id, w.bob.id).await.unwrap(),
            [w.cy.id]
        );
        assert!(s
            .interested_in(elsewhere.id, w.bob.id)
            .await
            .unwrap()
            .is_empty());
        assert_eq!(
            s.interested_in(elsewhere.id, w.cy.id).await.unwrap(),
            [w.bob.id]
        );
        assert!(s
            .interested_in(w.event.id, w.cy.id)
            .await
            .unwrap()
            .is_empty());
        assert_eq!(funnel(s, w.event.id).await, [(FunnelStage::Interested, 1)]);
        assert_eq!(
            funnel(s, elsewhere.id).await,
            [(FunnelStage::Interested, 1)]
        );

        // Mutual in the event where both said so; an existing connection
        // (Ada scanned Bob) is not doubled.
        s.connect(w.ada.id, w.bob.id, Some(w.event.id))
            .await
            .unwrap();
        assert!(!s
            .mark_interested(w.event.id, w.ada.id, w.bob.id)
            .await
            .unwrap());
        assert!(s
            .mark_interested(w.event.id, w.bob.id, w.ada.id)
            .await
            .unwrap());
        assert_eq!(s.my_connections(w.ada.id).await.unwrap().len(), 1);
        assert_eq!(
            funnel(s, w.event.id).await,
            [(FunnelStage::Interested, 3), (FunnelStage::Mutual, 2)]
        );
        assert_eq!(
            funnel(s, elsewhere.id).await,
            [(FunnelStage::Interested, 1)]
        );
    }

    async fn the_funnel_counts_each_pair_and_stage_once_in_stage_order(store: Arc<dyn Store>) {
        let w = world(store).await;
        let s = w.store.as_ref();
        let dan = user(s, "Dan").await;
        let elsewhere = other_event(s, &w.ada).await;
        let ev = w.event.id;
        assert!(funnel(s, ev).await.is_empty());
        // Recorded out of stage order on purpose.
        s.record_funnel(ev, w.bob.id, &[w.cy.id, w.ada.id], FunnelStage::Met)
            .await
            .unwrap();
        s.record_funnel(ev, w.bob.id, &[w.cy.id], FunnelStage::Recommended)
            .await
            .unwrap();
        s.record_funnel(
            ev,
            w.bob.id,
            &[w.cy.id, w.ada.id, dan.id],
            FunnelStage::Recommended,
        )
        .await
        .unwrap();
        s.record_funnel(ev, w.cy.id, &[w.bob.id], FunnelStage::Recommended)
            .await
            .unwrap();
        s.record_funnel(ev, w.ada.id, &[], FunnelStage::MeetingRequested)
            .await
            .unwrap();
        s.record_funnel(
            ev,
            w.ada.id,
            &[w.cy.id, w.cy.id],
            FunnelStage::MeetingAccepted,
        )
        .await
        .unwrap();
        s.record_funnel(elsewhere.id, w.bob.id, &[w.cy.id], FunnelStage::Mutual)
            .await
            .unwrap();
        assert_eq!(
            funnel(s, ev).await,
            [
                (FunnelStage::Recommended, 4),
                (FunnelStage::MeetingAccepted, 1),
                (FunnelStage::Met, 2),
            ]
        );
        assert_eq!(funnel(s, elsewhere.id).await, [(FunnelStage::Mutual, 1)]);
        // Recording everything again counts nothing new.
        s.record_funnel(ev, w.bob.id, &[w.ada.id, w.cy.id], FunnelStage::Met)
            .await
            .unwrap();
        s.record_funnel(ev, w.cy.id, &[w.bob.id], FunnelStage::Recommended)
            .await
            .unwrap();
        assert_eq!(
            funnel(s, ev).await,
            [
                (FunnelStage::Recommended, 4),
                (FunnelStage::MeetingAccepted, 1),
                (FunnelStage::Met, 2),
            ]
        );
        assert!(funnel(s, EventId(Uuid::new_v4())).await.is_empty());
    }

    // ----- MeetingStore -----------------------------------------------------

    async fn spots_are_replaced_keeping_those_that_stay(store: Arc<dyn Store>) {
        let w = world(store).await;
        let s = w.store.as_ref();
        let elsewhere = other_event(s, &w.ada).await;
        let names = |v: &[&str]| v.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        assert!(s.spots(w.event.id).await.unwrap().is_empty());
        s.set_spots(w.event.id, &names(&["Table 1", "Table 2", "Lounge"]))
            .await
            .unwrap();
        let first = s.spots(w.event.id).await.unwrap();
        assert_eq!(
            first.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
            ["Table 1", "Table 2", "Lounge"],
            "in the order given"
        );
        assert!(first[0].id != first[1].id && first[1].id != first[2].id);
        let m = ask(
            s,
            NewMeeting {
                spot: Some(first[1].id),
                place: "Table 2".into(),
                ..request(&w.event, &w.bob, &w.cy, at(10, 0), at(10, 30))
            },
        )
        .await;
        assert_eq!(m.spot, Some(first[1].id));

        s.set_spots(w.event.id, &names(&["Lounge", "Table 2", "Bar"]))
            .await
            .unwrap();
        let second = s.spots(w.event.id).await.unwrap();
        assert_eq!(
            second.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
            ["Lounge", "Table 2", "Bar"]
        );
        assert_eq!(second[0].id, first[2].id, "Lounge kept its id");
        assert_eq!(second[1].id, first[1].id, "Table 2 kept its id");
        assert!(first.iter().all(|p| p.id != second[2].id), "Bar is new");
        assert_eq!(
            s.meeting(m.id).await.unwrap().unwrap().spot,
            Some(first[1].id),
            "the meeting still points at Table 2"
        );

        s.set_spots(elsewhere.id, &names(&["Table 1"]))
            .await
            .unwrap();
        let there = s.spots(elsewhere.id).await.unwrap();
        assert_eq!(there.len(), 1);
        assert_eq!(there[0].name, "Table 1");
        assert!(first.iter().all(|p| p.id != there[0].id));
        assert_eq!(s.spots(w.event.id).await.unwrap(), second, "per event");

        s.set_spots(w.event.id, &names(&["Bar"])).await.unwrap();
        assert_eq!(s.spots(w.event.id).await.unwrap(), [second[2].clone()]);
        let after = s.meeting(m.id).await.unwrap().unwrap();
        assert_eq!(after.spot, None, "its spot is gone");
        assert_eq!(after.place, "Table 2", "the place text stays");

        s.set_spots(w.event.id, &[]).await.unwrap();
        assert!(s.spots(w.event.id).await.unwrap().is_empty());
        assert_eq!(s.spots(elsewhere.id).await.unwrap(), there);
    }

    async fn a_request_is_pending_for_the_invitee(store: Arc<dyn Store>) {
        let w = world(store).await;
        let s = w.store.as_ref();
        let new = request(&w.event, &w.bob, &w.cy, at(10, 0), at(10, 30));
        let before = now_utc();
        let m = ask(s, new.clone()).await;
        assert_eq!(m.id, new.id);
        assert_eq!(m.event, w.event.id);
        assert_eq!((m.requester, m.invitee), (w.bob.id, w.cy.id));
        assert_eq!((m.starts_at, m.ends_at), (at(10, 0), at(10, 30)));
        assert_eq!(m.spot, None);
        assert_eq!(m.place, "Lobby");
        assert_eq!(m.message, "Coffee to talk about sqlx?");
        assert_eq!(m.status, MeetingStatus::Pending);
        assert_eq!(m.awaiting, Some(w.cy.id));
        assert!(!m.held);
        assert_eq!(m.revision, 0);
        assert!(m.created_at >= before && m.created_at <= Utc::now());
        assert_eq!(m.updated_at, m.created_at);
        assert_eq!(m.other(w.bob.id), w.cy.id);
        assert_eq!(s.meeting(m.id).await.unwrap(), Some(m.clone()));
        assert_eq!(s.meeting(Uuid::new_v4()).await.unwrap(), None);
        assert_eq!(s.meetings_of(w.cy.id, None).await.unwrap(), [m]);
    }

    async fn only_an_accepted_overlapping_meeting_refuses_a_request(store: Arc<dyn Store>) {
        let w = world(store).await;
        let s = w.store.as_ref();
        let dan = user(s, "Dan").await;
        let booked = book(s, request(&w.event, &w.bob, &w.cy, at(10, 0), at(10, 30))).await;
        assert_eq!(booked.status, MeetingStatus::Accepted);
        // Overlapping a meeting of either person, in either role.
        for (from, to, start, end) in [
            (&w.ada, &w.bob, at(10, 15), at(10, 45)),
            (&w.bob, &w.ada, at(10, 0), at(10, 30)),
            (&w.cy, &w.ada, at(9, 45), at(10, 15)),
            (&w.ada, &w.cy, at(9, 0), at(11, 0)),
            (&w.ada, &w.bob, at(10, 10), at(10, 20)),
            (&w.bob, &w.cy, at(10, 29), at(10, 31)),
        ] {
            let new = request(&w.event, from, to, start, end);
            assert_conflict(s.request_meeting(&new).await, "meeting time");
            assert_eq!(s.meeting(new.id).await.unwrap(), None, "nothing stored");
        }
        assert!(s.meetings_of(w.ada.id, None).await.unwrap().is_empty());
        // Back to back is no clash: meetings are half-open intervals.
        ask(s, request(&w.event, &w.ada, &w.bob, at(10, 30), at(11, 0))).await;
        ask(s, request(&w.event, &w.cy, &w.ada, at(9, 30), at(10, 0))).await;
        // Others may meet then; pending meetings block nobody.
        let p = ask(s, request(&w.event, &w.ada, &dan, at(10, 0), at(10, 30))).await;
        let q = ask(s, request(&w.event, &dan, &w.ada, at(10, 0), at(10, 30))).await;
        assert_eq!(
            (p.status, q.status),
            (MeetingStatus::Pending, MeetingStatus::Pending)
        );
        // A cancelled meeting frees its time.
        s.change_meeting(booked.id, &MeetingChange::Cancel)
            .await
            .unwrap();
        ask(s, request(&w.event, &w.ada, &w.bob, at(10, 15), at(10, 45))).await;
    }

    async fn sub_second_times_round_trip_and_compare_half_open(store: Arc<dyn Store>) {
        let w = world(store).await;
        let s = w.store.as_ref();
        // Microseconds from the clock, far in the future; the end has a
        // fractional second while a whole-second time meets it.
        let micros = i64::from(now_utc().timestamp_subsec_micros()) + 1;
        let start = at(10, 0) - Duration::microseconds(micros);
        let end = at(10, 30) + Duration::milliseconds(500);
        let m = book(s, request(&w.event, &w.bob, &w.cy, start, end)).await;
        assert_eq!((m.starts_at, m.ends_at), (start, end));
        let listed = s.meetings_of(w.bob.id, None).await.unwrap();
        assert_eq!((listed[0].starts_at, listed[0].ends_at), (start, end));
        let us = Duration::microseconds(1);
        for clash in [at(10, 30), end - us] {
            let new = request(&w.event, &w.ada, &w.bob, clash, at(11, 0));
            assert_conflict(s.request_meeting(&new).await, "meeting time");
            assert_eq!(
                s.clashing_meeting([w.ada.id, w.bob.id], clash, at(11, 0), None)
                    .await
                    .unwrap(),
                Some(m.clone()),
                "{clash}"
            );
        }
        assert_conflict(
            s.request_meeting(&request(
                &w.event,
                &w.cy,
                &w.ada,
                start - Duration::hours(1),
                start + us,
            ))
            .await,
            "meeting time",
        );
        ask(s, request(&w.event, &w.ada, &w.bob, end, at(11, 0))).await;
        ask(
            s,
            request(&w.event, &w.cy, &w.ada, start - Duration::hours(1), start),
        )
        .await;
        assert_eq!(
            s.clashing_meeting([w.ada.id, w.bob.id], end, end + us, None)
                .await
                .unwrap(),
            None
        );
    }

    async fn accept_decline_cancel_and_held_follow_the_state(store: Arc<dyn Store>) {
        let w = world(store).await;
        let s = w.store.as_ref();
        let m = ask(s, request(&w.event, &w.bob, &w.cy, at(10, 0), at(10, 30))).await;
        let a = s
            .change_meeting(m.id, &MeetingChange::Accept)
            .await
            .unwrap();
        assert_eq!(a.status, MeetingStatus::Accepted);
        assert_eq!(a.awaiting, None);
        assert_eq!(a.revision, m.revision + 1);
        assert_eq!(
            (a.starts_at, a.ends_at, &a.place),
            (m.starts_at, m.ends_at, &m.place)
        );
        assert!(!a.held);
        assert!(a.updated_at >= m.updated_at);
        assert_eq!(a.created_at, m.created_at);
        assert_eq!(s.meeting(m.id).await.unwrap(), Some(a.clone()));
        for change in [
            MeetingChange::Accept,
            MeetingChange::Decline,
            counter(&w.cy, at(11, 0), at(11, 30)),
        ] {
            assert_conflict(s.change_meeting(m.id, &change).await, "meeting state");
        }
        assert_eq!(s.meeting(m.id).await.unwrap(), Some(a.clone()), "unchanged");

        let held = s.change_meeting(m.id, &MeetingChange::Held).await.unwrap();
        assert!(held.held);
        assert_eq!(held.status, MeetingStatus::Accepted);
        assert_eq!(s.meeting(m.id).await.unwrap(), Some(held.clone()));
        let cancelled = s
            .change_meeting(m.id, &MeetingChange::Cancel)
            .await
            .unwrap();
        assert_eq!(cancelled.status, MeetingStatus::Cancelled);
        assert_eq!(cancelled.awaiting, None);
        assert!(
            cancelled.revision > held.revision,
            "calendars see the cancel"
        );
        for change in [
            MeetingChange::Accept,
            MeetingChange::Decline,
            MeetingChange::Cancel,
            MeetingChange::Held,
            counter(&w.cy, at(11, 0), at(11, 30)),
        ] {
            assert_conflict(s.change_meeting(m.id, &change).await, "meeting state");
        }
        assert_eq!(s.meeting(m.id).await.unwrap(), Some(cancelled));

        // Cancelled while pending; held needs an accepted meeting.
        let p = ask(s, request(&w.event, &w.cy, &w.ada, at(12, 0), at(12, 30))).await;
        assert_conflict(
            s.change_meeting(p.id, &MeetingChange::Held).await,
            "meeting state",
        );
        assert_eq!(s.meeting(p.id).await.unwrap(), Some(p.clone()));
        let c = s
            .change_meeting(p.id, &MeetingChange::Cancel)
            .await
            .unwrap();
        assert_eq!((c.status, c.awaiting), (MeetingStatus::Cancelled, None));
        assert_eq!(c.revision, p.revision + 1);
        assert!(!c.held);

        // Declined: final.
        let d = ask(s, request(&w.event, &w.ada, &w.bob, at(13, 0), at(13, 30))).await;
        let declined = s
            .change_meeting(d.id, &MeetingChange::Decline)
            .await
            .unwrap();
        assert_eq!(
            (declined.status, declined.awaiting),
            (MeetingStatus::Declined, None)
        );
        assert_eq!(declined.revision, d.revision + 1);
        for change in [
            MeetingChange::Accept,
            MeetingChange::Decline,
            MeetingChange::Cancel,
            MeetingChange::Held,
            counter(&w.bob, at(14, 0), at(14, 30)),
        ] {
            assert_conflict(s.change_meeting(d.id, &change).await, "meeting state");
        }
        assert_eq!(s.meeting(d.id).await.unwrap(), Some(declined));

        for change in [
            MeetingChange::Accept,
            MeetingChange::Decline,
            MeetingChange::Cancel,
            MeetingChange::Held,
            counter(&w.bob, at(14, 0), at(14, 30)),
        ] {
            let res = s.change_meeting(Uuid::new_v4(), &change).await;
            assert!(matches!(res, Err(StoreError::NotFound)), "{res:?}");
        }
    }

    async fn a_counter_proposal_moves_the_meeting_and_passes_the_turn(store: Arc<dyn Store>) {
        let w = world(store).await;
        let s = w.store.as_ref();
        s.set_spots(w.event.id, &["Table 1".to_owned()])
            .await
            .unwrap();
        let table = s.spots(w.event.id).await.unwrap().remove(0);
        let m = ask(s, request(&w.event, &w.bob, &w.cy, at(10, 0), at(10, 30))).await;
        let c = s
            .change_meeting(
                m.id,
                &MeetingChange::Counter {
                    by: w.cy.id,
                    starts_at: at(14, 0),
                    ends_at: at(14, 45),
                    spot: Some(table.id),
                    place: "Table 1".into(),
                },
            )
            .await
            .unwrap();
        assert_eq!(c.status, MeetingStatus::Pending);
        assert_eq!((c.starts_at, c.ends_at), (at(14, 0), at(14, 45)));
        assert_eq!((c.spot, c.place.as_str()), (Some(table.id), "Table 1"));
        assert_eq!(c.awaiting, Some(w.bob.id), "the requester answers next");
        assert_eq!(c.revision, m.revision + 1);
        assert_eq!(c.message, m.message);
        assert_eq!((c.requester, c.invitee), (w.bob.id, w.cy.id));
        assert_eq!(s.meeting(m.id).await.unwrap(), Some(c.clone()));

        let back = s
            .change_meeting(m.id, &counter(&w.bob, at(15, 0), at(15, 30)))
            .await
            .unwrap();
        assert_eq!(back.awaiting, Some(w.cy.id));
        assert_eq!((back.starts_at, back.ends_at), (at(15, 0), at(15, 30)));
        assert_eq!((back.spot, back.place.as_str()), (None, "Bar"));
        assert_eq!(back.revision, c.revision + 1);

        let a = s
            .change_meeting(m.id, &MeetingChange::Accept)
            .await
            .unwrap();
        assert_eq!(a.status, MeetingStatus::Accepted);
        assert_eq!(a.awaiting, None);
        assert_eq!(
            (a.starts_at, a.ends_at, a.place.as_str()),
            (at(15, 0), at(15, 30), "Bar")
        );
        assert_eq!(a.revision, back.revision + 1);
        // The accepted meeting blocks its new time, not the old one.
        assert_conflict(
            s.request_meeting(&request(&w.event, &w.ada, &w.cy, at(15, 15), at(15, 45)))
                .await,
            "meeting time",
        );
        ask(s, request(&w.event, &w.ada, &w.cy, at(10, 0), at(10, 30))).await;
    }

    async fn accept_and_counter_refuse_a_clash(store: Arc<dyn Store>) {
        let w = world(store).await;
        let s = w.store.as_ref();
        // Both pending and overlapping (Bob is in both): allowed while pending.
        let first = ask(s, request(&w.event, &w.bob, &w.cy, at(10, 0), at(10, 30))).await;
        let second = ask(s, request(&w.event, &w.ada, &w.bob, at(10, 15), at(10, 45))).await;
        s.change_meeting(first.id, &MeetingChange::Accept)
            .await
            .unwrap();
        assert_conflict(
            s.change_meeting(second.id, &MeetingChange::Accept).await,
            "meeting time",
        );
        assert_eq!(
            s.meeting(second.id).await.unwrap(),
            Some(second.clone()),
            "unchanged"
        );

        // A counter onto the accepted time is refused; back to back is fine.
        let third = ask(s, request(&w.event, &w.ada, &w.cy, at(12, 0), at(12, 30))).await;
        assert_conflict(
            s.change_meeting(third.id, &counter(&w.cy, at(10, 20), at(10, 50)))
                .await,
            "meeting time",
        );
        assert_eq!(
            s.meeting(third.id).await.unwrap(),
            Some(third.clone()),
            "unchanged"
        );
        let moved = s
            .change_meeting(third.id, &counter(&w.cy, at(10, 30), at(11, 0)))
            .await
            .unwrap();
        assert_eq!(moved.starts_at, at(10, 30));
        s.change_meeting(third.id, &MeetingChange::Accept)
            .await
            .unwrap();

        // With the first cancelled, the second still clashes with Ada's
        // meeting at 10:30; with that cancelled too it can be accepted.
        s.change_meeting(first.id, &MeetingChange::Cancel)
            .await
            .unwrap();
        assert_conflict(
            s.change_meeting(second.id, &MeetingChange::Accept).await,
            "meeting time",
        );
        s.change_meeting(third.id, &MeetingChange::Cancel)
            .await
            .unwrap();
        let ok = s
            .change_meeting(second.id, &MeetingChange::Accept)
            .await
            .unwrap();
        assert_eq!(ok.status, MeetingStatus::Accepted);
        assert_eq!(ok.revision, second.revision + 1);
    }

    async fn clashing_meeting_finds_an_accepted_overlap_of_either_person(store: Arc<dyn Store>) {
        let w = world(store).await;
        let s = w.store.as_ref();
        let dan = user(s, "Dan").await;
        let clash =
            |a: &User, b: &User, start: DateTime<Utc>, end: DateTime<Utc>, except: Option<Uuid>| {
                let people = [a.id, b.id];
                async move {
                    s.clashing_meeting(people, start, end, except)
                        .await
                        .unwrap()
                }
            };
        assert_eq!(clash(&w.bob, &w.cy, at(0, 0), at(23, 0), None).await, None);
        let m = book(s, request(&w.event, &w.bob, &w.cy, at(10, 0), at(10, 30))).await;
        ask(s, request(&w.event, &w.ada, &dan, at(11, 0), at(11, 30))).await;
        assert_eq!(
            clash(&w.ada, &w.bob, at(10, 15), at(10, 45), None).await,
            Some(m.clone())
        );
        assert_eq!(
            clash(&w.cy, &w.ada, at(9, 0), at(12, 0), None).await,
            Some(m.clone())
        );
        assert_eq!(
            clash(&w.ada, &w.cy, at(10, 5), at(10, 10), None).await,
            Some(m.clone())
        );
        assert_eq!(
            clash(&w.bob, &w.cy, at(10, 0), at(10, 30), Some(Uuid::new_v4())).await,
            Some(m.clone())
        );
        assert_eq!(
            clash(&w.bob, &w.cy, at(10, 0), at(10, 30), Some(m.id)).await,
            None,
            "except the meeting being changed"
        );
        assert_eq!(clash(&w.ada, &dan, at(10, 0), at(10, 30), None).await, None);
        assert_eq!(
            clash(&w.ada, &w.bob, at(10, 30), at(11, 0), None).await,
            None
        );
        assert_eq!(
            clash(&w.ada, &w.bob, at(9, 30), at(10, 0), None).await,
            None
        );
        assert_eq!(
            clash(&w.ada, &dan, at(11, 0), at(11, 30), None).await,
            None,
            "a pending meeting is no clash"
        );
        s.change_meeting(m.id, &MeetingChange::Cancel)
            .await
            .unwrap();
        assert_eq!(
            clash(&w.bob, &w.cy, at(10, 0), at(10, 30), None).await,
            None
        );
    }

    async fn meetings_of_lists_both_roles_soonest_first(store: Arc<dyn Store>) {
        let w = world(store).await;
        let s = w.store.as_ref();
        let dan = user(s, "Dan").await;
        let elsewhere = other_event(s, &w.ada).await;
        let as_requester = ask(s, request(&w.event, &w.bob, &w.cy, at(15, 0), at(15, 30))).await;
        let as_invitee = ask(s, request(&w.event, &w.ada, &w.bob, at(9, 0), at(9, 30))).await;
        let there = ask(s, request(&elsewhere, &w.cy, &w.bob, at(12, 0), at(12, 30))).await;
        let not_bobs = ask(s, request(&w.event, &w.ada, &w.cy, at(8, 0), at(8, 30))).await;
        let declined = s
            .change_meeting(as_invitee.id, &MeetingChange::Decline)
            .await
            .unwrap();
        assert_eq!(
            ids(&s.meetings_of(w.bob.id, None).await.unwrap()),
            [as_invitee.id, there.id, as_requester.id],
            "every state, soonest first"
        );
        assert_eq!(
            s.meetings_of(w.bob.id, Some(w.event.id)).await.unwrap(),
            [declined, as_requester.clone()]
        );
        assert_eq!(
            s.meetings_of(w.bob.id, Some(elsewhere.id)).await.unwrap(),
            std::slice::from_ref(&there)
        );
        assert_eq!(
            ids(&s.meetings_of(w.cy.id, None).await.unwrap()),
            [not_bobs.id, there.id, as_requester.id]
        );
        assert_eq!(
            ids(&s.meetings_of(w.ada.id, Some(w.event.id)).await.unwrap()),
            [not_bobs.id, as_invitee.id]
        );
        assert!(s.meetings_of(dan.id, None).await.unwrap().is_empty());
        assert!(s
            .meetings_of(w.cy.id, Some(EventId(Uuid::new_v4())))
            .await
            .unwrap()
            .is_empty());
    }

    async fn the_calendar_token_is_stored_once(store: Arc<dyn Store>) {
        let w = world(store).await;
        let s = w.store.as_ref();
        assert_eq!(s.user_by_calendar_token("cal-ada-1").await.unwrap(), None);
        assert_eq!(
            s.calendar_token(w.ada.id, "cal-ada-1").await.unwrap(),
            "cal-ada-1"
        );
        assert_eq!(
            s.calendar_token(w.ada.id, "cal-ada-2").await.unwrap(),
            "cal-ada-1",
            "the first token stays"
        );
        assert_eq!(
            s.user_by_calendar_token("cal-ada-1").await.unwrap(),
            Some(w.ada.id)
        );
        assert_eq!(s.user_by_calendar_token("cal-ada-2").await.unwrap(), None);
        assert_eq!(
            s.calendar_token(w.bob.id, "cal-bob-1").await.unwrap(),
            "cal-bob-1"
        );
        assert_eq!(
            s.user_by_calendar_token("cal-bob-1").await.unwrap(),
            Some(w.bob.id)
        );
        assert_eq!(s.user_by_calendar_token("").await.unwrap(), None);
        assert_eq!(s.user_by_calendar_token("CAL-ADA-1").await.unwrap(), None);
        // A token is never handed to two people.
        assert_conflict(
            s.calendar_token(w.cy.id, "cal-ada-1").await,
            "calendar token",
        );
        assert_eq!(
            s.user_by_calendar_token("cal-ada-1").await.unwrap(),
            Some(w.ada.id)
        );
        assert_eq!(
            s.calendar_token(w.cy.id, "cal-cy-1").await.unwrap(),
            "cal-cy-1"
        );
        assert_eq!(
            s.calendar_token(w.ada.id, "cal-bob-1").await.unwrap(),
            "cal-ada-1",
            "a later fresh value is ignored even when it is taken"
        );
    }

    async fn deleting_a_user_removes_their_meetings_feed_and_answers(store: Arc<dyn Store>) {
        let w = world(store).await;
        let s = w.store.as_ref();
        let ev = w.event.id;
        let with_cy = book(s, request(&w.event, &w.bob, &w.cy, at(10, 0), at(10, 30))).await;
        let awaiting_bob = ask(s, request(&w.event, &w.ada, &w.bob, at(11, 0), at(11, 30))).await;
        let unrelated = ask(s, request(&w.event, &w.ada, &w.cy, at(12, 0), at(12, 30))).await;
        s.calendar_token(w.bob.id, "cal-bob").await.unwrap();
        s.calendar_token(w.cy.id, "cal-cy").await.unwrap();
        s.mark_interested(ev, w.bob.id, w.cy.id).await.unwrap();
        s.mark_interested(ev, w.cy.id, w.bob.id).await.unwrap();
        s.dismiss(ev, w.cy.id, w.bob.id).await.unwrap();
        s.dismiss(ev, w.cy.id, w.ada.id).await.unwrap();
        s.record_funnel(ev, w.ada.id, &[w.bob.id, w.cy.id], FunnelStage::Recommended)
            .await
            .unwrap();

        s.delete_user(w.bob.id).await.unwrap();
        assert_eq!(s.meeting(with_cy.id).await.unwrap(), None);
        assert_eq!(s.meeting(awaiting_bob.id).await.unwrap(), None);
        assert_eq!(
            s.meeting(unrelated.id).await.unwrap(),
            Some(unrelated.clone())
        );
        assert_eq!(
            ids(&s.meetings_of(w.cy.id, None).await.unwrap()),
            [unrelated.id]
        );
        assert_eq!(
            ids(&s.meetings_of(w.ada.id, None).await.unwrap()),
            [unrelated.id]
        );
        assert!(s.meetings_of(w.bob.id, None).await.unwrap().is_empty());
        assert_eq!(s.user_by_calendar_token("cal-bob").await.unwrap(), None);
        assert_eq!(
            s.user_by_calendar_token("cal-cy").await.unwrap(),
            Some(w.cy.id)
        );
        assert!(s.interested_in(ev, w.cy.id).await.unwrap().is_empty());
        assert_eq!(s.dismissed(ev, w.cy.id).await.unwrap(), [w.ada.id]);
        assert_eq!(funnel(s, ev).await, [(FunnelStage::Recommended, 1)]);
        assert!(s
            .match_members(ev)
            .await
            .unwrap()
            .iter()
            .all(|m| m.user != w.bob.id));
        assert_eq!(s.match_member(ev, w.bob.id).await.unwrap(), None);
        // Bob's time is free again for Cy.
        ask(s, request(&w.event, &w.ada, &w.cy, at(10, 0), at(10, 30))).await;
    }

    async fn requests_for_unknown_people_or_events_are_not_found(store: Arc<dyn Store>) {
        let w = world(store).await;
        let s = w.store.as_ref();
        let ghost = User {
            id: UserId(Uuid::new_v4()),
            ..w.cy.clone()
        };
        let res = s
            .request_meeting(&request(&w.event, &w.bob, &ghost, at(10, 0), at(10, 30)))
            .await;
        assert!(matches!(res, Err(StoreError::NotFound)), "{res:?}");
        let res = s
            .request_meeting(&NewMeeting {
                event: EventId(Uuid::new_v4()),
                ..request(&w.event, &w.bob, &w.cy, at(10, 0), at(10, 30))
            })
            .await;
        assert!(matches!(res, Err(StoreError::NotFound)), "{res:?}");
        assert!(s.meetings_of(w.bob.id, None).await.unwrap().is_empty());
    }

    contract!(
        match_members_describe_every_member_of_the_event,
        blocked_with_lists_both_directions_once,
        dismissals_are_idempotent_and_kept_per_event,
        mutual_interest_connects_the_pair_once,
        interest_is_mutual_only_within_one_event,
        the_funnel_counts_each_pair_and_stage_once_in_stage_order,
        spots_are_replaced_keeping_those_that_stay,
        a_request_is_pending_for_the_invitee,
        only_an_accepted_overlapping_meeting_refuses_a_request,
        sub_second_times_round_trip_and_compare_half_open,
        accept_decline_cancel_and_held_follow_the_state,
        a_counter_proposal_moves_the_meeting_and_passes_the_turn,
        accept_and_counter_refuse_a_clash,
        clashing_meeting_finds_an_accepted_overlap_of_either_person,
        meetings_of_lists_both_roles_soonest_first,
        the_calendar_token_is_stored_once,
        deleting_a_user_removes_their_meetings_feed_and_answers,
        requests_for_unknown_people_or_events_are_not_found,
    );
}

mod rooms {
    use super::*;
    use app::{
        domain::{
            ClientMessageId, MessageText, RoomDescription, RoomKind, RoomPlace, RoomTags, RoomTitle,
        },
        ports::{ModerationAction, NewRoom, Posted},
    };
    use chrono::Timelike;

    fn topic(event: app::domain::EventId, by: UserId, title: &str) -> NewRoom {
        NewRoom {
            event,
            kind: RoomKind::Topic,
            title: RoomTitle::parse("title", title).unwrap(),
            description: RoomDescription::parse("description", "").unwrap(),
            place: RoomPlace::parse("place", "").unwrap(),
            starts_at: None,
            ends_at: None,
            created_by: by,
            tags: RoomTags::default(),
        }
    }

    fn tags(raw: &str) -> RoomTags {
        RoomTags::parse(raw).unwrap()
    }

    fn cid(s: &str) -> ClientMessageId {
        ClientMessageId::parse(s).unwrap()
    }

    fn text(s: &str) -> MessageText {
        MessageText::parse("text", s).unwrap()
    }

    async fn rooms_and_messages(store: Arc<dyn Store>) {
        let ada = user(store.as_ref(), "Ada").await;
        let ben = user(store.as_ref(), "Ben").await;
        let event = store
            .create_event(
                new_event("Conf", "conf-0001", "t-1", "ABCD2345", "2026-05-14"),
                ada.id,
            )
            .await
            .unwrap();
        let talk = store
            .create_room(topic(event.id, ada.id, "Rust"))
            .await
            .unwrap();
        assert_eq!(store.room(talk.id).await.unwrap().as_ref(), Some(&talk));
        let start = Utc::now().with_nanosecond(0).unwrap() + Duration::hours(1);
        let meetup = store
            .create_room(NewRoom {
                kind: RoomKind::Meetup,
                place: RoomPlace::parse("place", "Table 12").unwrap(),
                starts_at: Some(start),
                ends_at: Some(start + Duration::minutes(30)),
                ..topic(event.id, ben.id, "Rust folks")
            })
            .await
            .unwrap();
        let listed: Vec<_> = store
            .rooms_of_event(event.id)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.title)
            .collect();
        assert_eq!(listed, ["Rust folks", "Rust"], "meetups first");
        assert_eq!(
            store.room(meetup.id).await.unwrap().unwrap().starts_at,
            Some(start)
        );

        // Gap-free numbers; a retried client id returns the stored message.
        let first = store
            .post_message(talk.id, ada.id, &cid("msg-00001"), &text("one"))
            .await
            .unwrap();
        let Posted::New(first) = first else {
            panic!("new")
        };
        assert_eq!(first.seq, 1);
        assert_eq!(first.author_name.as_deref(), Some("Ada"));
        let again = store
            .post_message(talk.id, ada.id, &cid("msg-00001"), &text("one"))
            .await
            .unwrap();
        assert_eq!(again, Posted::Existing(first.clone()));
        let second = store
            .post_message(talk.id, ben.id, &cid("msg-00001"), &text("two"))
            .await
            .unwrap();
        assert_eq!(
            second.message().seq,
            2,
            "ids are per author; no number lost to the retry"
        );
        assert_eq!(store.room(talk.id).await.unwrap().unwrap().last_seq, 2);

        let after: Vec<u64> = store
            .messages_after(talk.id, 0, 10)
            .await
            .unwrap()
            .iter()
            .map(|m| m.seq)
            .collect();
        assert_eq!(after, [1, 2]);
        assert_eq!(
            store.messages_after(talk.id, 0, 10).await.unwrap()[0],
            first
        );
        let before = store.messages_before(talk.id, 2, 10).await.unwrap();
        assert_eq!(before, vec![first.clone()]);
        assert!(store
            .messages_after(meetup.id, 0, 10)
            .await
            .unwrap()
            .is_empty());

        // Unknown rooms; closed rooms take no messages but keep history.
        let ghost = app::domain::RoomId(uuid::Uuid::new_v4());
        assert!(matches!(
            store
                .post_message(ghost, ada.id, &cid("msg-00002"), &text("x"))
                .await,
            Err(StoreError::NotFound)
        ));
        store.set_room_closed(talk.id, true, ada.id).await.unwrap();
        assert!(matches!(
            store
                .post_message(talk.id, ada.id, &cid("msg-00003"), &text("x"))
                .await,
            Err(StoreError::Conflict(_))
        ));
        assert_eq!(
            store
                .post_message(talk.id, ada.id, &cid("msg-00001"), &text("one"))
                .await
                .unwrap(),
            Posted::Existing(first.clone()),
            "a retry of a stored send is answered even once the room closed"
        );
        assert_eq!(
            store.room(talk.id).await.unwrap().unwrap().last_seq,
            2,
            "no number used"
        );
        store.set_room_closed(talk.id, false, ada.id).await.unwrap();

        // Moderation: removal, mutes, reports, the audit log.
        store.delete_message(talk.id, 2, ada.id).await.unwrap();
        let removed = &store.messages_after(talk.id, 1, 10).await.unwrap()[0];
        assert!(removed.deleted);
        assert_eq!(removed.body, "");
        assert!(matches!(
            store.delete_message(talk.id, 99, ada.id).await,
            Err(StoreError::NotFound)
        ));
        let now = app::domain::now_utc();
        let until = now + Duration::minutes(10);
        store.mute(talk.id, ben.id, until, ada.id).await.unwrap();
        assert_eq!(
            store.muted_until(talk.id, ben.id, now).await.unwrap(),
            Some(until)
        );
        assert_eq!(
            store
                .muted_until(talk.id, ben.id, until + Duration::seconds(1))
                .await
                .unwrap(),
            None,
            "a mute ends"
        );
        store
            .report_message(talk.id, 1, ben.id, "rude")
            .await
            .unwrap();
        assert!(matches!(
            store.report_message(talk.id, 42, ben.id, "").await,
            Err(StoreError::NotFound)
        ));
        store.report_message(talk.id, 2, ben.id, "").await.unwrap();
        let reports = store.message_reports(event.id).await.unwrap();
        assert_eq!(reports.len(), 2);
        let one = reports.iter().find(|r| r.seq == 1).unwrap();
        assert_eq!(one.reason, "rude");
        assert_eq!(one.text, "one");
        assert_eq!(one.author, Some(ada.id));
        assert_eq!(
            one.reporter_name.as_deref(),
            Some(ben.display_name.as_str())
        );
        assert_eq!(one.room, talk.id);
        assert!(!one.removed);
        let two = reports.iter().find(|r| r.seq == 2).unwrap();
        assert!(two.removed, "removed before it was reported");
        assert_eq!(two.text, "", "a removed text is not shown again");
        let log: Vec<ModerationAction> = store
            .audit_log(event.id)
            .await
            .unwrap()
            .iter()
            .map(|a| a.action)
            .collect();
        assert_eq!(log.len(), 4);
        for action in [
            ModerationAction::Close,
            ModerationAction::Reopen,
            ModerationAction::DeleteMessage,
            ModerationAction::Mute,
        ] {
            assert!(log.contains(&action), "{action:?} logged");
        }

        // Joins are idempotent; blocks hide both ways.
        store.record_join(talk.id, ben.id).await.unwrap();
        store.record_join(talk.id, ben.id).await.unwrap();
        store.block(ben.id, ada.id).await.unwrap();
        assert_eq!(store.hidden_users(ada.id).await.unwrap(), vec![ben.id]);
        assert_eq!(store.hidden_users(ben.id).await.unwrap(), vec![ada.id]);

        // A deleted account's messages stay, without an author.
        store.delete_user(ada.id).await.unwrap();
        let orphan = &store.messages_after(talk.id, 0, 1).await.unwrap()[0];
        assert_eq!(orphan.author, None);
        assert_eq!(orphan.author_name, None);
        assert_eq!(orphan.body, "one");
    }

    async fn concurrent_posts_are_numbered_without_gaps(store: Arc<dyn Store>) {
        let ada = user(store.as_ref(), "Ada").await;
        let event = store
            .create_event(
                new_event("Conf", "conf-0002", "t-2", "ABCD2346", "2026-05-14"),
                ada.id,
            )
            .await
            .unwrap();
        let room = store
            .create_room(topic(event.id, ada.id, "Busy"))
            .await
            .unwrap();
        let mut tasks = vec![];
        for i in 0..40 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                store
                    .post_message(room.id, ada.id, &cid(&format!("conc-{i:04}")), &text("hi"))
                    .await
                    .unwrap()
                    .message()
                    .seq
            }));
        }
        let mut seqs = vec![];
        for t in tasks {
            seqs.push(t.await.unwrap());
        }
        seqs.sort_unstable();
        assert_eq!(seqs, (1..=40).collect::<Vec<u64>>());
    }

    async fn room_tags_are_stored_with_the_room_in_the_order_given(store: Arc<dyn Store>) {
        let ada = user(store.as_ref(), "Ada").await;
        let event = store
            .create_event(
                new_event("Conf", "conf-0003", "t-3", "ABCD2347", "2026-05-14"),
                ada.id,
            )
            .await
            .unwrap();
        let other = store
            .create_event(
                new_event("Other", "conf-0004", "t-4", "ABCD2348", "2026-05-14"),
                ada.id,
            )
            .await
            .unwrap();
        // Not alphabetical: the order given is the order read back.
        let given = tags("webassembly, rust, hiring");
        let rust = store
            .create_room(NewRoom {
                tags: given.clone(),
                ..topic(event.id, ada.id, "Rust")
            })
            .await
            .unwrap();
        assert_eq!(rust.tags, given);
        let read = store.room(rust.id).await.unwrap().unwrap();
        assert_eq!(read, rust);
        assert_eq!(read.tags.names(), ["webassembly", "rust", "hiring"]);
        let plain = store
            .create_room(topic(event.id, ada.id, "Plain"))
            .await
            .unwrap();
        let elsewhere = store
            .create_room(NewRoom {
                tags: tags("rust, go"),
                ..topic(other.id, ada.id, "Elsewhere")
            })
            .await
            .unwrap();

        // The list gives each room its own tags, and none of another event's.
        let listed = store.rooms_of_event(event.id).await.unwrap();
        assert_eq!(listed.len(), 2);
        let of = |id| listed.iter().find(|r| r.id == id).unwrap().tags.clone();
        assert_eq!(of(rust.id), given);
        assert!(of(plain.id).is_empty());
        assert_eq!(
            store.rooms_of_event(other.id).await.unwrap()[0].tags,
            elsewhere.tags
        );
    }

    async fn room_tags_are_replaced_whole(store: Arc<dyn Store>) {
        let ada = user(store.as_ref(), "Ada").await;
        let event = store
            .create_event(
                new_event("Conf", "conf-0005", "t-5", "ABCD2349", "2026-05-14"),
                ada.id,
            )
            .await
            .unwrap();
        let room = store
            .create_room(NewRoom {
                tags: tags("rust, hiring, go"),
                ..topic(event.id, ada.id, "Rust")
            })
            .await
            .unwrap();
        let neighbour = store
            .create_room(NewRoom {
                tags: tags("rust"),
                ..topic(event.id, ada.id, "Neighbour")
            })
            .await
            .unwrap();

        // Fewer, one kept, the order changed: exactly the new list.
        let new = tags("go, observability");
        store.set_room_tags(room.id, &new, ada.id).await.unwrap();
        assert_eq!(store.room(room.id).await.unwrap().unwrap().tags, new);
        store.set_room_tags(room.id, &new, ada.id).await.unwrap();
        assert_eq!(
            store.room(room.id).await.unwrap().unwrap().tags,
            new,
            "saving the same tags again changes nothing"
        );
        assert_eq!(
            store.room(neighbour.id).await.unwrap().unwrap().tags,
            tags("rust"),
            "other rooms keep theirs"
        );

        // Cleared.
        store
            .set_room_tags(room.id, &RoomTags::default(), ada.id)
            .await
            .unwrap();
        assert!(store.room(room.id).await.unwrap().unwrap().tags.is_empty());

        // Each change is in the moderation log: who, which room, the list.
        let log = store.audit_log(event.id).await.unwrap();
        let mut details: Vec<&str> = log
            .iter()
            .filter(|a| a.action == ModerationAction::Retag)
            .inspect(|a| assert_eq!((a.room, a.actor), (Some(room.id), Some(ada.id))))
            .map(|a| a.detail.as_str())
            .collect();
        details.sort_unstable();
        assert_eq!(details, ["", "go, observability", "go, observability"]);

        // Two saves at once both succeed, and one of them wins whole.
        let (a, b) = (tags("rust, go"), tags("go, rust, hiring"));
        let (ra, rb) = tokio::join!(
            store.set_room_tags(room.id, &a, ada.id),
            store.set_room_tags(room.id, &b, ada.id)
        );
        ra.unwrap();
        rb.unwrap();
        let now = store.room(room.id).await.unwrap().unwrap().tags;
        assert!(now == a || now == b, "{now:?}");

        assert!(matches!(
            store
                .set_room_tags(app::domain::RoomId(uuid::Uuid::new_v4()), &a, ada.id)
                .await,
            Err(StoreError::NotFound)
        ));
    }

    contract!(
        room_tags_are_stored_with_the_room_in_the_order_given,
        room_tags_are_replaced_whole,
    );

    #[tokio::test]
    async fn sqlite() {
        rooms_and_messages(fresh_store(Backend::Sqlite).await.unwrap()).await;
        concurrent_posts_are_numbered_without_gaps(fresh_store(Backend::Sqlite).await.unwrap())
            .await;
    }

    #[tokio::test]
    async fn postgres() {
        if let Some(store) = fresh_store(Backend::Postgres).await {
            rooms_and_messages(store).await;
        }
        if let Some(store) = fresh_store(Backend::Postgres).await {
            concurrent_posts_are_numbered_without_gaps(store).await;
        }
    }
}

mod integrations {
    //! API tokens, webhooks and the webhook delivery outbox.
    use super::*;
    use app::{
        domain::{EventId, WebhookKind, WebhookUrl},
        ports::{AttemptOutcome, DeliveryStatus, NewApiToken, NewDelivery, NewWebhook},
    };

    fn token(event: EventId, by: UserId, name: &str, hash: &str) -> NewApiToken {
        NewApiToken {
            event,
            created_by: by,
            name: name.into(),
            prefix: format!("rpt_{name}"),
            token_hash: hash.into(),
        }
    }

    async fn api_tokens(store: Arc<dyn Store>) {
        let ada = user(store.as_ref(), "Ada").await;
        let conf = store
            .create_event(
                new_event("Conf", "conf-0101", "t-101", "ABCD2347", "2026-05-14"),
                ada.id,
            )
            .await
            .unwrap();
        let other = store
            .create_event(
                new_event("Other", "other-0102", "t-102", "ABCD2348", "2026-05-14"),
                ada.id,
            )
            .await
            .unwrap();
        let a = store
            .create_api_token(&token(conf.id, ada.id, "a", "h-a"))
            .await
            .unwrap();
        assert_eq!(
            (a.event, a.name.as_str(), a.prefix.as_str()),
            (conf.id, "a", "rpt_a")
        );
        assert_eq!((a.last_used_at, a.revoked_at), (None, None));
        let b = store
            .create_api_token(&token(conf.id, ada.id, "b", "h-b"))
            .await
            .unwrap();
        store
            .create_api_token(&token(other.id, ada.id, "c", "h-c"))
            .await
            .unwrap();
        // A hash is unique.
        assert!(matches!(
            store
                .create_api_token(&token(conf.id, ada.id, "dup", "h-a"))
                .await,
            Err(StoreError::Conflict(_))
        ));

        let listed = store.api_tokens(conf.id).await.unwrap();
        let ids: Vec<_> = listed.iter().map(|t| t.id).collect();
        assert_eq!(ids.len(), 2);
        assert!(ids.contains(&a.id) && ids.contains(&b.id));
        assert_eq!(
            store.api_token_by_hash("h-a").await.unwrap(),
            Some(a.clone())
        );
        assert_eq!(store.api_token_by_hash("nope").await.unwrap(), None);

        let at = Utc::now();
        store.touch_api_token(a.id, at).await.unwrap();
        let used = store.api_token_by_hash("h-a").await.unwrap().unwrap();
        assert!((used.last_used_at.unwrap() - at).num_milliseconds().abs() < 2);

        // Another event cannot revoke it; its own event can, once.
        assert!(matches!(
            store.revoke_api_token(other.id, a.id).await,
            Err(StoreError::NotFound)
        ));
        store.revoke_api_token(conf.id, a.id).await.unwrap();
        let revoked = store.api_token_by_hash("h-a").await.unwrap().unwrap();
        let first = revoked.revoked_at.expect("revoked");
        store.revoke_api_token(conf.id, a.id).await.unwrap();
        assert_eq!(
            store
                .api_token_by_hash("h-a")
                .await
                .unwrap()
                .unwrap()
                .revoked_at,
            Some(first)
        );
        assert_eq!(
            store
                .api_token_by_hash("h-b")
                .await
                .unwrap()
                .unwrap()
                .revoked_at,
            None
        );
    }

    fn delivery(
        event: EventId,
        webhook: uuid::Uuid,
        body: &str,
        at: chrono::DateTime<Utc>,
    ) -> NewDelivery {
        NewDelivery {
            id: uuid::Uuid::new_v4(),
            webhook,
            event,
            kind: WebhookKind::Checkin,
            body: body.into(),
            created_at: at,
        }
    }

    async fn webhooks_and_deliveries(store: Arc<dyn Store>) {
        let ada = user(store.as_ref(), "Ada").await;
        let conf = store
            .create_event(
                new_event("Conf", "conf-0103", "t-103", "ABCD2349", "2026-05-14"),
                ada.id,
            )
            .await
            .unwrap();
        let other = store
            .create_event(
                new_event("Other", "other-0104", "t-104", "ABCD2352", "2026-05-14"),
                ada.id,
            )
            .await
            .unwrap();
        let hook = store
            .create_webhook(&NewWebhook {
                event: conf.id,
                url: WebhookUrl::parse("https://crm.example/hook").unwrap(),
                kinds: vec![WebhookKind::Checkin, WebhookKind::MemberJoined],
                secret: "whsec_1".into(),
            })
            .await
            .unwrap();
        assert_eq!(
            hook.kinds,
            vec![WebhookKind::Checkin, WebhookKind::MemberJoined]
        );
        assert_eq!(store.webhooks(conf.id).await.unwrap(), vec![hook.clone()]);
        assert!(store.webhooks(other.id).await.unwrap().is_empty());

        // Enqueued deliveries are due at once and claimed once.
        let t0 = Utc::now() - Duration::seconds(1);
        let d1 = delivery(conf.id, hook.id, r#"{"n":1}"#, t0);
        let d2 = delivery(
            conf.id,
            hook.id,
            r#"{"n":2}"#,
            t0 + Duration::milliseconds(5),
        );
        // A delivery naming another event's webhook is not written.
        let stray = delivery(other.id, hook.id, r#"{"n":3}"#, t0);
        store
            .enqueue_deliveries(&[d1.clone(), d2.clone(), stray.clone()])
            .await
            .unwrap();
        let now = Utc::now();
        let lease = now + Duration::seconds(60);
        let jobs = store.claim_due_deliveries(now, lease, 10).await.unwrap();
        let mut ids: Vec<_> = jobs.iter().map(|j| j.id).collect();
        ids.sort();
        let mut want = vec![d1.id, d2.id];
        want.sort();
        assert_eq!(ids, want);
        let j1 = jobs.iter().find(|j| j.id == d1.id).unwrap();
        assert_eq!(
            (
                j1.url.as_str(),
                j1.secret.as_str(),
                j1.body.as_str(),
                j1.attempts
            ),
            ("https://crm.example/hook", "whsec_1", r#"{"n":1}"#, 0)
        );
        // Leased: not claimable again until the lease runs out.
        assert!(store
            .claim_due_deliveries(now, lease, 10)
            .await
            .unwrap()
            .is_empty());

        // d1 fails and is retried later; d2 is delivered.
        let retry_at = now + Duration::seconds(120);
        store
            .finish_attempt(
                d1.id,
                &AttemptOutcome::Retry {
                    error: "HTTP 500".into(),
                    next_at: retry_at,
                },
            )
            .await
            .unwrap();
        store
            .finish_attempt(d2.id, &AttemptOutcome::Delivered { at: now })
            .await
            .unwrap();
        assert!(store
            .claim_due_deliveries(
                now + Duration::seconds(119),
                now + Duration::seconds(200),
                10
            )
            .await
            .unwrap()
            .is_empty());
        let again = store
            .claim_due_deliveries(
                now + Duration::seconds(121),
                now + Duration::seconds(200),
                10,
            )
            .await
            .unwrap();
        assert_eq!(
            again.iter().map(|j| (j.id, j.attempts)).collect::<Vec<_>>(),
            vec![(d1.id, 1)]
        );
        store
            .finish_attempt(
                d1.id,
                &AttemptOutcome::GaveUp {
                    error: "HTTP 502".into(),
                },
            )
            .await
            .unwrap();
        assert!(store
            .claim_due_deliveries(now + Duration::days(1), now + Duration::days(2), 10)
            .await
            .unwrap()
            .is_empty());

        let recent = store.recent_deliveries(conf.id, 10).await.unwrap();
        assert_eq!(recent.len(), 2);
        assert_eq!(recent[0].id, d2.id, "newest first");
        assert_eq!(recent[0].status, DeliveryStatus::Delivered);
        assert_eq!(recent[0].attempts, 1);
        assert!(recent[0].delivered_at.is_some());
        assert_eq!(recent[1].status, DeliveryStatus::Failed);
        assert_eq!(recent[1].attempts, 2);
        assert_eq!(recent[1].last_error.as_deref(), Some("HTTP 502"));
        assert_eq!(recent[1].url, "https://crm.example/hook");
        assert_eq!(recent[1].kind, WebhookKind::Checkin);
        assert!(store
            .recent_deliveries(other.id, 10)
            .await
            .unwrap()
            .is_empty());
        assert_eq!(store.recent_deliveries(conf.id, 1).await.unwrap().len(), 1);
        assert!(matches!(
            store
                .finish_attempt(
                    uuid::Uuid::new_v4(),
                    &AttemptOutcome::GaveUp { error: "x".into() }
                )
                .await,
            Err(StoreError::NotFound)
        ));

        // Removing a webhook: only from its own event, and its deliveries go too.
        assert!(matches!(
            store.delete_webhook(other.id, hook.id).await,
            Err(StoreError::NotFound)
        ));
        store.delete_webhook(conf.id, hook.id).await.unwrap();
        assert!(store.webhooks(conf.id).await.unwrap().is_empty());
        assert!(store
            .recent_deliveries(conf.id, 10)
            .await
            .unwrap()
            .is_empty());
    }

    #[tokio::test]
    async fn sqlite() {
        api_tokens(fresh_store(Backend::Sqlite).await.unwrap()).await;
        webhooks_and_deliveries(fresh_store(Backend::Sqlite).await.unwrap()).await;
    }

    #[tokio::test]
    async fn postgres() {
        if let Some(store) = fresh_store(Backend::Postgres).await {
            api_tokens(store).await;
        }
        if let Some(store) = fresh_store(Backend::Postgres).await {
            webhooks_and_deliveries(store).await;
        }
    }
}

/// Event settings, member changes, invitations and uploaded imports
/// (`EventStore::update_event_settings`/`change_member`/`add_member`'s
/// scan-approval default, `InvitationStore`, `ImportStore`).
mod settings_invitations_and_imports {
    use super::*;
    use app::domain::{InvitationStatus, JoinPolicy, SpotList, Taxonomy};
    use app::ports::{Event, EventSettings, MemberChange, NewInvitation};
    use uuid::Uuid;

    async fn event(store: &dyn Store, organizer: &User) -> Event {
        store
            .create_event(
                new_event("Conf", "conf-0009", "t-9", "ABCD2349", "2026-05-14"),
                organizer.id,
            )
            .await
            .unwrap()
    }

    fn settings(spots: &str) -> EventSettings {
        EventSettings {
            name: EventName::parse("name", "Conf Renamed").unwrap(),
            description: "New words".into(),
            venue: "Hall 9".into(),
            dates: EventDates::parse("2026-06-01", "2026-06-03").unwrap(),
            time_zone: TimeZoneName::parse("America/New_York").unwrap(),
            join_policy: JoinPolicy::InviteOnly,
            attendees_create_rooms: false,
            approve_scans_default: true,
            taxonomy: Taxonomy::parse("Skills: rust, go").unwrap(),
            free_tags: false,
            spots: SpotList::parse(spots).unwrap(),
        }
    }

    async fn settings_are_saved_together_and_read_back(store: Arc<dyn Store>) {
        let s = store.as_ref();
        let ada = user(s, "Ada").await;
        let e = event(s, &ada).await;
        assert_eq!(e.join_policy, JoinPolicy::Open);
        assert!(e.attendees_create_rooms);
        assert!(!e.approve_scans_default);
        store.set_spots(e.id, &["Table 1".into()]).await.unwrap();
        let kept = store.spots(e.id).await.unwrap()[0].id;

        let saved = s
            .update_event_settings(e.id, &settings("Lobby\nTable 1"))
            .await
            .unwrap();
        assert_eq!(saved.name, "Conf Renamed");
        assert_eq!(saved.venue, "Hall 9");
        assert_eq!(saved.description, "New words");
        assert_eq!(saved.time_zone, "America/New_York");
        assert_eq!(saved.dates.ends_on().to_string(), "2026-06-03");
        assert_eq!(saved.join_policy, JoinPolicy::InviteOnly);
        assert!(!saved.attendees_create_rooms);
        assert!(saved.approve_scans_default);
        assert_eq!(
            (saved.slug.clone(), saved.join_code.clone()),
            (e.slug.clone(), e.join_code.clone())
        );
        assert_eq!(s.event_by_slug(&e.slug).await.unwrap(), Some(saved.clone()));
        assert_eq!(
            s.taxonomy(e.id).await.unwrap(),
            (Taxonomy::parse("Skills: rust, go").unwrap(), false)
        );
        let spots = s.spots(e.id).await.unwrap();
        assert_eq!(
            spots.iter().map(|x| x.name.as_str()).collect::<Vec<_>>(),
            ["Lobby", "Table 1"]
        );
        assert_eq!(spots[1].id, kept, "a spot that stays keeps its id");

        let ghost = app::domain::EventId(Uuid::new_v4());
        assert!(matches!(
            s.update_event_settings(ghost, &settings("")).await,
            Err(StoreError::NotFound)
        ));
    }

    async fn new_members_start_with_the_events_scan_approval_default(store: Arc<dyn Store>) {
        let s = store.as_ref();
        let ada = user(s, "Ada").await;
        let (ben, cy) = (user(s, "Ben").await, user(s, "Cy").await);
        let e = event(s, &ada).await;
        s.add_member(e.id, ben.id, Role::Attendee).await.unwrap();
        s.update_event_settings(e.id, &settings("")).await.unwrap();
        s.add_member(e.id, cy.id, Role::Attendee).await.unwrap();
        assert!(
            !s.membership(e.id, ben.id)
                .await
                .unwrap()
                .unwrap()
                .approve_scans
        );
        assert!(
            s.membership(e.id, cy.id)
                .await
                .unwrap()
                .unwrap()
                .approve_scans
        );
        let ghost = app::domain::EventId(Uuid::new_v4());
        assert!(matches!(
            s.add_member(ghost, ben.id, Role::Attendee).await,
            Err(StoreError::NotFound)
        ));
    }

    async fn member_changes_keep_an_organizer(store: Arc<dyn Store>) {
        let s = store.as_ref();
        let ada = user(s, "Ada").await;
        let (ben, out) = (user(s, "Ben").await, user(s, "Out").await);
        let e = event(s, &ada).await;
        s.add_member(e.id, ben.id, Role::Attendee).await.unwrap();

        s.change_member(e.id, ben.id, MemberChange::SetRole(Role::Staff))
            .await
            .unwrap();
        assert_eq!(
            s.member_role(e.id, ben.id).await.unwrap(),
            Some(Role::Staff)
        );
        for change in [MemberChange::SetRole(Role::Attendee), MemberChange::Remove] {
            let res = s.change_member(e.id, ada.id, change).await;
            assert!(
                matches!(res, Err(StoreError::Conflict("last organizer"))),
                "{res:?}"
            );
        }
        assert_eq!(
            s.member_role(e.id, ada.id).await.unwrap(),
            Some(Role::Organizer)
        );
        s.change_member(e.id, ada.id, MemberChange::SetRole(Role::Organizer))
            .await
            .unwrap();
        let res = s.change_member(e.id, out.id, MemberChange::Remove).await;
        assert!(matches!(res, Err(StoreError::NotFound)), "{res:?}");

        s.change_member(e.id, ben.id, MemberChange::SetRole(Role::Organizer))
            .await
            .unwrap();
        s.change_member(e.id, ada.id, MemberChange::Remove)
            .await
            .unwrap();
        assert_eq!(s.member_role(e.id, ada.id).await.unwrap(), None);
        let res = s.change_member(e.id, ben.id, MemberChange::Remove).await;
        assert!(
            matches!(res, Err(StoreError::Conflict("last organizer"))),
            "{res:?}"
        );
    }

    async fn two_organizers_stepping_down_at_once_leave_one(store: Arc<dyn Store>) {
        let ada = user(store.as_ref(), "Ada").await;
        let ben = user(store.as_ref(), "Ben").await;
        let e = event(store.as_ref(), &ada).await;
        store
            .add_member(e.id, ben.id, Role::Organizer)
            .await
            .unwrap();
        let tasks: Vec<_> = [ada.id, ben.id]
            .into_iter()
            .map(|who| {
                let store = store.clone();
                tokio::spawn(async move {
                    store
                        .change_member(e.id, who, MemberChange::SetRole(Role::Attendee))
                        .await
                })
            })
            .collect();
        let mut ok = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(()) => ok += 1,
                Err(StoreError::Conflict("last organizer")) => {}
                Err(other) => panic!("{other:?}"),
            }
        }
        assert_eq!(ok, 1);
        let organizers = store
            .list_members(e.id)
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.role == Role::Organizer)
            .count();
        assert_eq!(organizers, 1);
    }

    async fn invitations_are_one_per_person_and_scoped_to_their_event(store: Arc<dyn Store>) {
        let s = store.as_ref();
        let ada = user(s, "Ada").await;
        let (ben, cy) = (user(s, "Ben").await, user(s, "Cy").await);
        let e = event(s, &ada).await;
        let other = s
            .create_event(
                new_event("Other", "other-0009", "t-10", "ABCD2357", "2026-05-14"),
                ada.id,
            )
            .await
            .unwrap();
        let new = |who: &User, link: &str| NewInvitation {
            event: e.id,
            user: who.id,
            name: who.display_name.clone(),
            email: who.email.as_str().to_owned(),
            link: link.into(),
        };
        let first = s
            .save_invitation(&new(&ben, "https://x/claim/1"))
            .await
            .unwrap();
        assert_eq!(first.status, InvitationStatus::Pending);
        assert_eq!(first.link, "https://x/claim/1");
        s.save_invitation(&new(&cy, "https://x/claim/2"))
            .await
            .unwrap();
        s.set_invitation_status(first.id, InvitationStatus::Failed, "refused")
            .await
            .unwrap();
        let failed = s.invitation(e.id, first.id).await.unwrap().unwrap();
        assert_eq!(
            (failed.status, failed.detail.as_str()),
            (InvitationStatus::Failed, "refused")
        );
        assert_eq!(
            s.invitation(other.id, first.id).await.unwrap(),
            None,
            "scoped"
        );

        // A second invitation of the same person replaces the first.
        let again = s
            .save_invitation(&new(&ben, "https://x/claim/3"))
            .await
            .unwrap();
        assert_eq!(again.id, first.id);
        assert_eq!(
            (again.status, again.detail.as_str()),
            (InvitationStatus::Pending, "")
        );
        assert_eq!(again.link, "https://x/claim/3");
        let all = s.invitations(e.id).await.unwrap();
        assert_eq!(
            all.iter().map(|i| i.name.as_str()).collect::<Vec<_>>(),
            ["Ben", "Cy"]
        );
        assert!(s.invitations(other.id).await.unwrap().is_empty());
        s.set_invitation_status(again.id, InvitationStatus::Outbox, "")
            .await
            .unwrap();
        assert_eq!(
            s.invitation(e.id, again.id).await.unwrap().unwrap().status,
            InvitationStatus::Outbox
        );
        assert!(matches!(
            s.set_invitation_status(Uuid::new_v4(), InvitationStatus::Mailed, "")
                .await,
            Err(StoreError::NotFound)
        ));
    }

    async fn uploads_are_kept_scoped_and_imported_once(store: Arc<dyn Store>) {
        let s = store.as_ref();
        let ada = user(s, "Ada").await;
        let e = event(s, &ada).await;
        let other = s
            .create_event(
                new_event("Other", "other-0009", "t-10", "ABCD2357", "2026-05-14"),
                ada.id,
            )
            .await
            .unwrap();
        let id = Uuid::new_v4();
        let bytes = b"name,email\nJos\xc3\xa9,j@example.org\n\x00";
        s.save_upload(id, e.id, ada.id, "list.csv", bytes)
            .await
            .unwrap();
        let up = s.upload(e.id, id).await.unwrap().unwrap();
        assert_eq!(
            (up.file.as_slice(), up.file_name.as_str()),
            (&bytes[..], "list.csv")
        );
        assert_eq!((up.report.clone(), up.running), (None, false));
        assert_eq!(s.upload(other.id, id).await.unwrap(), None, "scoped");
        assert!(!s.start_upload(other.id, id).await.unwrap());

        assert!(s.start_upload(e.id, id).await.unwrap());
        assert!(s.upload(e.id, id).await.unwrap().unwrap().running);
        assert!(!s.start_upload(e.id, id).await.unwrap(), "once");
        // A failed run goes back to waiting and may be started again.
        s.finish_upload(id, None).await.unwrap();
        assert!(s.start_upload(e.id, id).await.unwrap());
        s.finish_upload(id, Some("{\"created\":1}")).await.unwrap();
        let done = s.upload(e.id, id).await.unwrap().unwrap();
        assert_eq!(done.report.as_deref(), Some("{\"created\":1}"));
        assert!(!done.running);
        assert!(!s.start_upload(e.id, id).await.unwrap(), "done stays done");
        assert!(matches!(
            s.finish_upload(Uuid::new_v4(), None).await,
            Err(StoreError::NotFound)
        ));
    }

    contract!(
        settings_are_saved_together_and_read_back,
        new_members_start_with_the_events_scan_approval_default,
        member_changes_keep_an_organizer,
        two_organizers_stepping_down_at_once_leave_one,
        invitations_are_one_per_person_and_scoped_to_their_event,
        uploads_are_kept_scoped_and_imported_once,
    );
}
