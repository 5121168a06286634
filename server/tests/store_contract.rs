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

mod rooms {
    use super::*;
    use app::{
        domain::{ClientMessageId, MessageText, RoomDescription, RoomKind, RoomPlace, RoomTitle},
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
        }
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
