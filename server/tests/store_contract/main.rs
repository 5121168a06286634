//! The `Store` contract: every method, the same expectations, on SQLite
//! always and on PostgreSQL when `RAPPORT_TEST_POSTGRES_URL` is set (CI sets
//! it and `RAPPORT_REQUIRE_POSTGRES`, so there the PostgreSQL half cannot be
//! skipped). A behaviour that differs between the backends fails here.
//!
//! One test binary, one module per capability, named like its port
//! (`app/src/ports/<cap>.rs`) and its adapter (`server/src/db/<cap>.rs`).
//! A contract body takes a fresh store; `on_both_backends!(store: …)` runs
//! each body on both backends, as `<cap>::<body>::sqlite` and `::postgres`.
//! The fixtures more than one capability uses live here; the harness
//! (`common`) is shared with the API tests.

#[path = "../common/mod.rs"]
#[macro_use]
mod common;

mod accounts;
mod attendance;
mod badges;
mod connections;
mod events;
mod follow_up;
mod imports;
mod integrations;
mod invitations;
mod matching;
mod meetings;
mod membership;
mod messages;
mod profiles;
mod push;
mod rooms;
mod schedule;
mod sessions;
mod stats;

use app::{
    domain::{
        Email, EventDates, EventName, JoinCode, Password, PersonName, Role, Slug, TimeZoneName,
    },
    ports::{Event, NewEvent, NewUser, Store, User},
    service::password::hash_blocking,
};
use chrono::{Duration, NaiveDate};
use std::sync::{Arc, OnceLock};

/// Hashing is slow on purpose; one hash serves every test account.
pub(crate) fn password_hash() -> app::ports::PasswordHash {
    static HASH: OnceLock<app::ports::PasswordHash> = OnceLock::new();
    HASH.get_or_init(|| hash_blocking(&Password::parse("correct horse battery").unwrap()).unwrap())
        .clone()
}

/// A new account called `name`, its e-mail address made from the name.
pub(crate) async fn user(store: &dyn Store, name: &str) -> User {
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

/// What `create_event` takes: a one-day event starting on `start`
/// (`YYYY-MM-DD`) with the identifiers given, which must be unique.
pub(crate) fn new_event(name: &str, slug: &str, token: &str, code: &str, start: &str) -> NewEvent {
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

/// An event organized by Ada, with Bob and Cy as attendees.
pub(crate) struct World {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) event: Event,
    pub(crate) ada: User,
    pub(crate) bob: User,
    pub(crate) cy: User,
}

pub(crate) async fn world(store: Arc<dyn Store>) -> World {
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
pub(crate) async fn other_event(store: &dyn Store, organizer: &User) -> Event {
    store
        .create_event(
            new_event("Other", "other-0001", "t-2", "WXYZ2345", "2026-06-01"),
            organizer.id,
        )
        .await
        .unwrap()
}

/// An event ("Conf", `conf-0009`) organized by `organizer`.
pub(crate) async fn event(store: &dyn Store, organizer: &User) -> Event {
    store
        .create_event(
            new_event("Conf", "conf-0009", "t-9", "ABCD2349", "2026-05-14"),
            organizer.id,
        )
        .await
        .unwrap()
}

// The store as a whole (`app::ports::Store`), not one capability.

async fn ping_answers(store: Arc<dyn Store>) {
    store.ping().await.unwrap();
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

on_both_backends!(store: ping_answers, concurrent_writes_queue);
