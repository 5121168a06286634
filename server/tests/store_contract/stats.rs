//! The `StatsStore` contract (`app/src/ports/stats.rs`) for what the
//! dashboard's floor reads: when members joined, the rooms' recent
//! messages, and the scale-out's room presence rows.

use crate::common::{fresh_database, Backend};
use crate::{other_event, world};
use app::{
    domain::{
        ClientMessageId, EventId, MessageText, RoomDescription, RoomKind, RoomPlace, RoomTags,
        RoomTitle, UserId,
    },
    ports::{NewRoom, Room, Store},
};
use server::db::{Db, Pools};
use std::sync::Arc;

async fn room(store: &dyn Store, event: EventId, by: UserId, title: &str) -> Room {
    store
        .create_room(NewRoom {
            event,
            kind: RoomKind::Topic,
            title: RoomTitle::parse("title", title).unwrap(),
            description: RoomDescription::parse("description", "").unwrap(),
            place: RoomPlace::parse("place", "").unwrap(),
            starts_at: None,
            ends_at: None,
            created_by: by,
            tags: RoomTags::default(),
        })
        .await
        .unwrap()
}

async fn say(store: &dyn Store, room: &Room, by: UserId, n: u32) {
    for i in 0..n {
        store
            .post_message(
                room.id,
                by,
                &ClientMessageId::parse(&format!("message-{i:04}")).unwrap(),
                &MessageText::parse("text", "Hello").unwrap(),
            )
            .await
            .unwrap();
    }
}

async fn join_times_are_the_members_oldest_first(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    let times = s.join_times(w.event.id).await.unwrap();
    let members = s.list_members(w.event.id).await.unwrap();
    let mut expected: Vec<_> = members.iter().map(|m| m.joined_at).collect();
    expected.sort();
    assert_eq!(times.len(), 3, "Ada, Bob and Cy");
    assert_eq!(times, expected);
    // Another event's members are not counted here, and leaving takes a
    // member's join out of the chart.
    let other = other_event(s, &w.bob).await;
    assert_eq!(s.join_times(other.id).await.unwrap().len(), 1);
    s.remove_member(w.event.id, w.cy.id).await.unwrap();
    assert_eq!(s.join_times(w.event.id).await.unwrap().len(), 2);
}

async fn recent_messages_are_the_events_within_the_window(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    assert!(s.recent_messages(w.event.id, 48).await.unwrap().is_empty());
    let rust = room(s, w.event.id, w.ada.id, "Rust").await;
    let go = room(s, w.event.id, w.ada.id, "Go").await;
    let other = other_event(s, &w.bob).await;
    let elsewhere = room(s, other.id, w.bob.id, "Elsewhere").await;
    say(s, &rust, w.bob.id, 2).await;
    say(s, &go, w.cy.id, 1).await;
    say(s, &elsewhere, w.bob.id, 4).await;

    let recent = s.recent_messages(w.event.id, 48).await.unwrap();
    let rooms: Vec<_> = recent.iter().map(|(r, _)| *r).collect();
    assert_eq!(
        rooms,
        [rust.id, rust.id, go.id],
        "oldest first, this event only"
    );
    assert!(recent.windows(2).all(|p| p[0].1 <= p[1].1));
    // The window ends at the newest message: zero hours keeps only it.
    let newest = s.recent_messages(w.event.id, 0).await.unwrap();
    assert_eq!(newest, [recent[2]]);
}

async fn room_presence_is_empty_on_one_instance(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    let rust = room(s, w.event.id, w.ada.id, "Rust").await;
    say(s, &rust, w.bob.id, 1).await;
    // SQLite runs one instance, whose hub knows everyone: no rows. On
    // PostgreSQL nobody has written any yet.
    assert!(s.room_presence(w.event.id, 30.0).await.unwrap().is_empty());
}

on_both_backends!(
    store: join_times_are_the_members_oldest_first,
    recent_messages_are_the_events_within_the_window,
    room_presence_is_empty_on_one_instance,
);

/// PostgreSQL only: what the instances' heartbeats wrote, merged, each
/// (room, person) once, for this event's rooms, and fresh rows only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn room_presence_merges_every_instances_fresh_rows() {
    let Some(scratch) = fresh_database(Backend::Postgres).await else {
        return;
    };
    let db = Db::connect(&scratch.url).await.unwrap();
    db.migrate().await.unwrap();
    let Pools::Postgres(pool) = db.pools.clone() else {
        unreachable!("a PostgreSQL URL")
    };
    let store = db.into_store();
    let w = world(store).await;
    let s = w.store.as_ref();
    let rust = room(s, w.event.id, w.ada.id, "Rust").await;
    let go = room(s, w.event.id, w.ada.id, "Go").await;
    let other = other_event(s, &w.bob).await;
    let elsewhere = room(s, other.id, w.bob.id, "Elsewhere").await;
    let (one, two) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
    let row = |r: &Room, u: UserId| (r.id.0, u.0, "Someone".to_owned());
    server::db::presence::heartbeat(&pool, one, &[row(&rust, w.bob.id), row(&go, w.cy.id)])
        .await
        .unwrap();
    server::db::presence::heartbeat(
        &pool,
        two,
        &[row(&rust, w.bob.id), row(&elsewhere, w.ada.id)],
    )
    .await
    .unwrap();
    let mut seen = s.room_presence(w.event.id, 30.0).await.unwrap();
    seen.sort();
    let mut expected = vec![(rust.id, w.bob.id), (go.id, w.cy.id)];
    expected.sort();
    assert_eq!(seen, expected, "Bob once, though two instances see him");
    sqlx::query("UPDATE room_presence SET seen_at = now() - interval '45 seconds'")
        .execute(&pool)
        .await
        .unwrap();
    assert!(
        s.room_presence(w.event.id, 30.0).await.unwrap().is_empty(),
        "stale rows (a dead instance) do not count"
    );
}
