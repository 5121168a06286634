//! The demo seed on both backends: a few hundred tagged attendees, the named
//! accounts, tagged rooms, an earlier event the demo people met at, and a
//! second run that adds nothing.

use crate::common::{fresh_store, Backend};
use app::{
    domain::{Email, Intent, Password, Role, Slug, Tag},
    ports::{DirectoryQuery, Store},
    service::password,
};
use server::seed::{seed_demo, DEMO_ATTENDEES, DEMO_PASSWORD, DEMO_SLUG};
use std::{sync::Arc, time::Instant};

async fn seeding_twice_adds_nothing_twice(store: Arc<dyn Store>) {
    let started = Instant::now();
    let first = seed_demo(store.as_ref()).await.unwrap();
    eprintln!("first seed took {:?}", started.elapsed());
    assert_eq!(first.attendees_added, DEMO_ATTENDEES);
    assert_eq!(first.logins.len(), 4);
    assert_eq!(first.slug, DEMO_SLUG);

    let event = store
        .event_by_slug(&Slug::parse(DEMO_SLUG).unwrap())
        .await
        .unwrap()
        .expect("the demo event exists");
    let members = store.list_members(event.id).await.unwrap();
    assert_eq!(members.len(), 4 + DEMO_ATTENDEES);
    let mut tagged = 0;
    for m in &members {
        let tags = store.tags_of(m.user_id).await.unwrap();
        if !tags.is_empty() {
            assert!(
                tags.len() >= 2,
                "{} has {} tags",
                m.display_name,
                tags.len()
            );
            tagged += 1;
        }
    }
    assert!(tagged > 200, "{tagged} members with tags");
    let with_role = |role| members.iter().filter(|m| m.role == role).count();
    assert_eq!(with_role(Role::Organizer), 1);
    assert_eq!(with_role(Role::Staff), 1);

    // The named accounts have their tags, and chloe is found by what she seeks.
    let chloe = store
        .user_by_email(&Email::parse("chloe@demo.rapport.dev").unwrap())
        .await
        .unwrap()
        .unwrap();
    let co_founder = Tag::parse("co-founder").unwrap();
    assert!(store
        .tags_of(chloe.id)
        .await
        .unwrap()
        .with(Intent::Seek)
        .any(|t| *t == co_founder));
    // Chloé met people at the earlier demo event who are here too (meet
    // again), with a history: scans, a meeting, her note and a reminder.
    let again = store.met_before_here(event.id, chloe.id).await.unwrap();
    assert!(again.len() >= 2, "{again:?}");
    assert!(again
        .iter()
        .all(|m| m.met_at_event.as_deref() == Some("Rapport Demo Meetup")));
    let history = store.interactions(chloe.id, None).await.unwrap();
    assert!(history.len() >= 3, "{history:?}");
    assert_eq!(store.reminders_of(chloe.id, None).await.unwrap().len(), 1);
    assert!(store
        .event_by_slug(&Slug::parse(server::seed::EARLIER_SLUG).unwrap())
        .await
        .unwrap()
        .is_some());
    let ada = members.iter().find(|m| m.role == Role::Organizer).unwrap();
    let page = store
        .search_directory(
            event.id,
            ada.user_id,
            &DirectoryQuery {
                tags: vec![(co_founder, Some(Intent::Seek))],
                limit: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(page.entries.iter().any(|e| e.user_id == chloe.id));
    assert!(
        page.entries.len() > 5,
        "{} seek a co-founder",
        page.entries.len()
    );

    // A few generated attendees opted out: the directory has fewer than all.
    let mut listed = 0;
    let mut query = DirectoryQuery {
        limit: 100,
        ..Default::default()
    };
    loop {
        let page = store
            .search_directory(event.id, ada.user_id, &query)
            .await
            .unwrap();
        listed += page.entries.len();
        match page.next {
            Some(next) => query.after = Some(next),
            None => break,
        }
    }
    assert!(
        (members.len() - 30..members.len() - 1).contains(&listed),
        "{listed} of {} members listed",
        members.len()
    );

    // Generated accounts sign in with the demo password.
    let creds = store
        .credentials(&Email::parse("attendee042@demo.rapport.dev").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(password::verify(
        Password::parse(DEMO_PASSWORD).unwrap(),
        Some(creds.password_hash)
    )
    .await
    .unwrap());

    // The demo rooms carry tags; one of them is on a tag Chloé has.
    let rooms = store.rooms_of_event(event.id).await.unwrap();
    assert!(rooms.len() >= 4, "{} demo rooms", rooms.len());
    assert!(rooms.iter().all(|r| !r.tags.is_empty()));
    let rust = Tag::parse("rust").unwrap();
    assert!(rooms.iter().any(|r| r.tags.contains(&rust)));

    // A third of the generated attendees are here today, by a staff scan.
    let today = app::service::attendance::today_from(&event, chrono::Utc::now());
    let here = store.checked_in_now(event.id, today).await.unwrap();
    assert_eq!(here.len(), DEMO_ATTENDEES.div_ceil(3), "here now");
    let log = store.attendance_log(event.id).await.unwrap();

    // Meeting sessions and wishes: the scheduler has something to build.
    let setup = store.schedule_setup(event.id).await.unwrap();
    assert_eq!(setup.slots.len(), 16);
    assert!(
        setup.spots.iter().any(|s| s.capacity == 8),
        "the coffee bar"
    );
    let wishes = store.wishes(event.id, None).await.unwrap();
    assert!(wishes.len() > 900, "{} wishes", wishes.len());
    assert!(wishes.iter().any(|w| w.from == chloe.id));

    let started = Instant::now();
    let second = seed_demo(store.as_ref()).await.unwrap();
    eprintln!("second seed took {:?}", started.elapsed());
    assert_eq!(second.attendees_added, 0);
    assert_eq!(second.invite_token, first.invite_token);
    assert_eq!(store.list_members(event.id).await.unwrap(), members);
    assert_eq!(store.rooms_of_event(event.id).await.unwrap(), rooms);
    assert_eq!(
        store.interactions(chloe.id, None).await.unwrap(),
        history,
        "the history is made once"
    );
    assert_eq!(
        store.attendance_log(event.id).await.unwrap(),
        log,
        "nobody checked in twice"
    );
    assert_eq!(store.wishes(event.id, None).await.unwrap(), wishes);
    assert_eq!(store.schedule_setup(event.id).await.unwrap(), setup);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite() {
    seeding_twice_adds_nothing_twice(fresh_store(Backend::Sqlite).await.unwrap()).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres() {
    if let Some(store) = fresh_store(Backend::Postgres).await {
        seeding_twice_adds_nothing_twice(store).await
    }
}
