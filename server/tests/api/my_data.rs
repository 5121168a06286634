//! "My data" now that rooms exist, on SQLite and (when given) PostgreSQL:
//! the export lists what I wrote in rooms (also messages a moderator
//! removed), and after I delete my account my messages stay in the room as
//! from a deleted user.

use crate::common::{event_with, spawn_app, user_id, Backend, PASSWORD};
use app::{
    domain::{
        ClientMessageId, MessageText, RoomDescription, RoomKind, RoomPlace, RoomTitle, Slug, UserId,
    },
    ports::NewRoom,
};
use serde_json::Value;

async fn messages(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, people) = event_with(app, &["Ben"]).await;
    let (ada, ben) = (&people[0], &people[1]);
    let store = ada.store.clone();
    let event = store
        .event_by_slug(&Slug::parse(&slug).unwrap())
        .await
        .unwrap()
        .unwrap();
    let ben_id = UserId(user_id(ben).await.parse().unwrap());
    let room = store
        .create_room(NewRoom {
            event: event.id,
            kind: RoomKind::Topic,
            title: RoomTitle::parse("title", "Rust folks").unwrap(),
            description: RoomDescription::parse("description", "").unwrap(),
            place: RoomPlace::parse("place", "").unwrap(),
            starts_at: None,
            ends_at: None,
            created_by: ben_id,
            tags: Default::default(),
        })
        .await
        .unwrap();
    for (id, text) in [
        ("m-000001", "Hello, Rust folks"),
        ("m-000002", "Anyone for lunch?"),
    ] {
        store
            .post_message(
                room.id,
                ben_id,
                &ClientMessageId::parse(id).unwrap(),
                &MessageText::parse("text", text).unwrap(),
            )
            .await
            .unwrap();
    }

    let data: Value = ben.get("/api/export_my_data").await.json().await.unwrap();
    let mine = data["messages"].as_array().unwrap();
    assert_eq!(mine.len(), 2, "{data}");
    assert_eq!(mine[0]["text"], "Hello, Rust folks");
    assert_eq!(mine[0]["room"], "Rust folks");
    assert_eq!(mine[0]["event"], "Conf");
    // Someone else's export does not list them.
    let theirs: Value = ada.get("/api/export_my_data").await.json().await.unwrap();
    assert_eq!(theirs["messages"].as_array().unwrap().len(), 0);

    // Ben leaves: his messages stay, authored by nobody.
    let res = ben.call("delete_account", &[("password", PASSWORD)]).await;
    assert_eq!(res.status().as_u16(), 200);
    let kept = store.messages_after(room.id, 0, 10).await.unwrap();
    assert_eq!(kept.len(), 2);
    assert!(kept.iter().all(|m| m.author.is_none()), "{kept:?}");
}
on_both_backends!(
    my_room_messages_are_exported_and_outlive_my_account,
    messages
);
