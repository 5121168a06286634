//! The `EventStore` contract (`app/src/ports/events.rs`): events and their
//! unique identifiers, members and their roles, the suggested tags
//! (taxonomy), the settings saved together, and member changes that keep
//! an organizer.

use crate::{event, new_event, other_event, user, world};
use app::{
    domain::{
        EventDates, EventId, EventName, JoinCode, JoinPolicy, Role, Slug, SpotList, Taxonomy,
        TimeZoneName, UserId,
    },
    ports::{EventSettings, MemberChange, Store, StoreError},
};
use std::sync::Arc;
use uuid::Uuid;

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

on_both_backends!(store:
    events,
    membership,
    suggested_tags,
    event_by_id_finds_the_event,
    settings_are_saved_together_and_read_back,
    new_members_start_with_the_events_scan_approval_default,
    member_changes_keep_an_organizer,
    two_organizers_stepping_down_at_once_leave_one,
);
