//! The `ProfileStore` contract (`app/src/ports/profiles.rs`): tags and
//! field visibility, per-event preferences, blocks and connections, the
//! directory search, photos, and deleting an account.

use crate::{new_event, user};
use app::{
    domain::{
        ProfileField, ProfileForm, ProfileInput, Role, Tag, TagSet, UserId, Visibility,
        VisibilitySettings,
    },
    ports::{DirectoryQuery, Photo, SessionRecord, Store, StoreError},
};
use chrono::{Duration, Utc};
use std::sync::Arc;

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

on_both_backends!(store:
    tags_and_visibility,
    membership_prefs_blocks_connections,
    directory_search,
    photos_and_deletion,
);
