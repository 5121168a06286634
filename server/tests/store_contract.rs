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
