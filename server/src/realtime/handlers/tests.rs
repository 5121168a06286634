//! The protocol of docs/protocol.md, row by row of its error and close
//! tables, on an in-memory socket: the connection loop runs on a pair of
//! channels (no TCP, no axum) against a fresh SQLite store.

use super::super::{
    connection::{Connection, Wire, MAX_REFUSALS, TOO_LARGE},
    upgrade::MAX_FRAME_BYTES,
    Hub, Order, Tuning,
};
use crate::db::Db;
use app::{
    domain::{
        Email, EventDates, EventName, JoinCode, PersonName, Role, RoomDescription, RoomId,
        RoomKind, RoomPlace, RoomTags, RoomTitle, Slug, TimeZoneName, UserId,
    },
    ports::{NewEvent, NewRoom, NewUser, PasswordHash, Store},
    service::rooms::{CLOSED, MUTED, UNKNOWN_ROOM},
};
use axum::extract::ws::Message;
use futures_util::{Sink, Stream};
use serde_json::{json, Value};
use std::{
    pin::Pin,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    task::{Context, Poll},
    time::Duration,
};
use tokio::sync::mpsc;

/// The server's end of an in-memory socket. `stuck` makes it stop taking
/// writes, like a client that no longer reads.
struct Duplex {
    from_client: mpsc::UnboundedReceiver<Result<Message, String>>,
    to_client: mpsc::UnboundedSender<Message>,
    stuck: Arc<AtomicBool>,
}

impl Stream for Duplex {
    type Item = Result<Message, String>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.from_client.poll_recv(cx)
    }
}

impl Sink<Message> for Duplex {
    type Error = String;
    fn poll_ready(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), String>> {
        if self.stuck.load(Ordering::SeqCst) {
            Poll::Pending
        } else {
            Poll::Ready(Ok(()))
        }
    }
    fn start_send(self: Pin<&mut Self>, item: Message) -> Result<(), String> {
        self.to_client.send(item).map_err(|e| e.to_string())
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), String>> {
        self.poll_ready(cx)
    }
    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), String>> {
        Poll::Ready(Ok(()))
    }
}

/// The client's end: what it sends and what it was sent.
struct Peer {
    to_server: mpsc::UnboundedSender<Result<Message, String>>,
    from_server: mpsc::UnboundedReceiver<Message>,
    stuck: Arc<AtomicBool>,
}

impl Peer {
    fn send(&self, v: Value) {
        self.raw(Message::Text(v.to_string().into()));
    }

    fn raw(&self, m: Message) {
        let _ = self.to_server.send(Ok(m));
    }

    /// The next frame the server sent: JSON, or `{"close": code, "reason": …}`.
    async fn recv(&mut self) -> Value {
        loop {
            let m = tokio::time::timeout(Duration::from_secs(5), self.from_server.recv())
                .await
                .expect("the server answers")
                .expect("the socket is open");
            match m {
                Message::Text(t) => return serde_json::from_str(t.as_str()).unwrap(),
                Message::Close(Some(c)) => {
                    return json!({"close": c.code, "reason": c.reason.as_str()})
                }
                _ => continue,
            }
        }
    }

    /// The next frame of type `kind`, skipping others.
    async fn next(&mut self, kind: &str) -> Value {
        loop {
            let v = self.recv().await;
            if v["type"] == kind || (kind == "close" && v.get("close").is_some()) {
                return v;
            }
        }
    }

    /// The next `error`, asserting its code.
    async fn refused(&mut self, code: &str) -> Value {
        let v = self.next("error").await;
        assert_eq!(v["code"], code, "{v}");
        v
    }

    async fn hello(&mut self) {
        self.send(json!({"type": "hello", "version": 1}));
        self.next("welcome").await;
    }

    async fn join(&mut self, room: RoomId) {
        self.send(json!({"type": "join", "room": room.to_string()}));
        self.next("caught_up").await;
    }
}

/// A store with one event, its organizer Ada, an attendee Ben and a
/// topic room.
struct World {
    db: Db,
    store: Arc<dyn Store>,
    ada: UserId,
    ben: UserId,
    event: app::domain::EventId,
    room: RoomId,
}

async fn user(store: &dyn Store, name: &str) -> UserId {
    store
        .create_user(NewUser {
            email: Email::parse(&format!("{}@example.org", name.to_lowercase())).unwrap(),
            display_name: PersonName::parse("display_name", name).unwrap(),
            password_hash: PasswordHash("$argon2id$unused".into()),
        })
        .await
        .unwrap()
        .id
}

async fn event(store: &dyn Store, slug: &str, organizer: UserId) -> app::domain::EventId {
    let today = chrono::Utc::now().date_naive();
    store
        .create_event(
            NewEvent {
                slug: Slug::parse(slug).unwrap(),
                name: EventName::parse("name", slug).unwrap(),
                description: String::new(),
                venue: String::new(),
                dates: EventDates::new(today, today).unwrap(),
                time_zone: TimeZoneName::parse("UTC").unwrap(),
                invite_token: uuid::Uuid::new_v4().simple().to_string(),
                join_code: JoinCode::parse(&random_code()).unwrap(),
            },
            organizer,
        )
        .await
        .unwrap()
        .id
}

/// A join code: 8 characters of the code alphabet.
fn random_code() -> String {
    let alphabet = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let n = uuid::Uuid::new_v4().as_u128();
    (0..8)
        .map(|i| alphabet[((n >> (i * 5)) % alphabet.len() as u128) as usize] as char)
        .collect()
}

async fn room(store: &dyn Store, event: app::domain::EventId, by: UserId) -> RoomId {
    store
        .create_room(NewRoom {
            event,
            kind: RoomKind::Topic,
            title: RoomTitle::parse("title", "Room").unwrap(),
            description: RoomDescription::parse("description", "").unwrap(),
            place: RoomPlace::parse("place", "").unwrap(),
            starts_at: None,
            ends_at: None,
            created_by: by,
            tags: RoomTags::default(),
        })
        .await
        .unwrap()
        .id
}

async fn world() -> World {
    let dir = std::env::temp_dir().join(format!("rapport-unit-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = Db::connect(&format!("sqlite://{}/t.db", dir.display()))
        .await
        .unwrap();
    db.migrate().await.unwrap();
    let store = db.clone().into_store();
    let ada = user(store.as_ref(), "Ada").await;
    let ben = user(store.as_ref(), "Ben").await;
    let event = event(store.as_ref(), "conf", ada).await;
    store.add_member(event, ben, Role::Attendee).await.unwrap();
    let room = room(store.as_ref(), event, ada).await;
    World {
        db,
        store,
        ada,
        ben,
        event,
        room,
    }
}

/// Opens a socket for `me` on a hub over `store`; `adjust` may change the
/// connection before it runs (e.g. its refusal count).
fn open_with(
    store: &Arc<dyn Store>,
    me: UserId,
    tuning: Tuning,
    adjust: impl FnOnce(&mut Connection),
) -> (Peer, Arc<Hub>) {
    let hub = Hub::new(
        store.clone(),
        None,
        tuning,
        crate::shutdown::Shutdown::new(),
    );
    let mut connection = Connection::new(hub.clone(), me, "Me".into(), None, i64::MAX, [].into());
    adjust(&mut connection);
    let (to_server, from_client) = mpsc::unbounded_channel();
    let (to_client, from_server) = mpsc::unbounded_channel();
    let stuck = Arc::new(AtomicBool::new(false));
    let duplex = Duplex {
        from_client,
        to_client,
        stuck: stuck.clone(),
    };
    tokio::spawn(connection.run(Wire::new(duplex, tuning.send_timeout)));
    (
        Peer {
            to_server,
            from_server,
            stuck,
        },
        hub,
    )
}

fn open(store: &Arc<dyn Store>, me: UserId) -> Peer {
    open_with(store, me, Tuning::default(), |_| {}).0
}

fn send(room: RoomId, client_id: &str, text: &str) -> Value {
    json!({"type": "send", "room": room.to_string(), "client_id": client_id, "text": text})
}

#[tokio::test]
async fn bad_message_answers_what_is_not_a_protocol_message() {
    let w = world().await;
    let mut c = open(&w.store, w.ben);
    c.send(json!({"type": "join", "room": w.room.to_string()}));
    let v = c.refused("bad_message").await;
    assert!(v["message"].as_str().unwrap().contains("hello"), "{v}");
    c.hello().await;
    c.raw(Message::Text("{not json".into()));
    c.refused("bad_message").await;
    c.send(json!({"type": "shout"}));
    c.refused("bad_message").await;
    c.send(json!({"type": "join"}));
    c.refused("bad_message").await;
    c.raw(Message::Binary(vec![1u8, 2, 3].into()));
    c.refused("bad_message").await;
    c.join(w.room).await;
    c.send(send(w.room, "empty-0001", "   "));
    let v = c.refused("bad_message").await;
    assert_eq!(v["client_id"], "empty-0001");
    assert_eq!(v["room"], w.room.to_string());
}

#[tokio::test]
async fn a_send_that_cannot_be_read_still_names_its_client_id_and_room() {
    let w = world().await;
    let mut c = open(&w.store, w.ben);
    c.hello().await;
    c.send(
        json!({"type": "send", "room": w.room.to_string(), "client_id": 12345678, "text": "hi"}),
    );
    let v = c.refused("bad_message").await;
    assert_eq!(
        v["client_id"], "12345678",
        "a number comes back as its text"
    );
    assert_eq!(v["room"], w.room.to_string());
}

#[tokio::test]
async fn unsupported_version_names_the_version_spoken() {
    let w = world().await;
    let mut c = open(&w.store, w.ben);
    c.send(json!({"type": "hello", "version": 2}));
    let v = c.refused("unsupported_version").await;
    assert_eq!(v["limit"], 1);
    c.hello().await;
}

#[tokio::test]
async fn message_too_long_counts_characters_after_trimming() {
    let w = world().await;
    let mut c = open(&w.store, w.ben);
    c.hello().await;
    c.join(w.room).await;
    c.send(send(w.room, "long-0001", &"é".repeat(2001)));
    let v = c.refused("message_too_long").await;
    assert_eq!(v["limit"], 2000);
    assert_eq!(v["client_id"], "long-0001");
    let padded = format!("  {}  ", "x".repeat(2000));
    c.send(send(w.room, "long-0002", &padded));
    assert_eq!(c.next("ack").await["client_id"], "long-0002");
}

#[tokio::test]
async fn text_is_normalised_by_the_one_text_rule() {
    let w = world().await;
    let mut c = open(&w.store, w.ben);
    c.hello().await;
    c.join(w.room).await;
    // Line breaks of every kind become "\n"; a zero-width space inside
    // the text stays (it joins words in some scripts); controls and
    // direction overrides are refused.
    c.send(send(w.room, "text-0001", "a\u{85}b\u{2028}c\r\nd"));
    c.next("ack").await;
    let m = c.next("message").await;
    assert_eq!(m["message"]["text"], "a\nb\nc\nd");
    c.send(send(w.room, "text-0002", "zero\u{200b}width"));
    c.next("ack").await;
    for (id, text) in [("text-0003", "bell\u{7}"), ("text-0004", "evil\u{202e}txt")] {
        c.send(send(w.room, id, text));
        assert_eq!(c.refused("bad_message").await["client_id"], id);
    }
}

#[tokio::test]
async fn rate_limited_sends_name_their_client_id_and_count_refused_sends_too() {
    let w = world().await;
    let mut c = open(&w.store, w.ben);
    c.hello().await;
    c.join(w.room).await;
    // Ten at once (the burst), refused ones included: nine bad ids and
    // one good send use up the budget, so the eleventh is limited.
    for n in 0..9 {
        c.send(send(w.room, &format!("bad id {n}"), "hi"));
        c.refused("bad_client_id").await;
    }
    c.send(send(w.room, "rate-0010", "hi"));
    c.next("ack").await;
    c.send(send(w.room, "rate-0011", "hi"));
    let v = c.refused("rate_limited").await;
    assert_eq!(v["limit"], 5);
    assert_eq!(v["client_id"], "rate-0011");
    assert_eq!(v["room"], w.room.to_string());
}

#[tokio::test]
async fn rate_limited_frames_name_the_send_they_refused() {
    let w = world().await;
    let mut c = open(&w.store, w.ben);
    c.hello().await;
    for _ in 0..39 {
        c.send(json!({"type": "ping"}));
    }
    for _ in 0..39 {
        c.next("pong").await;
    }
    c.send(send(w.room, "frame-0001", "hi"));
    let v = c.refused("rate_limited").await;
    assert_eq!(v["limit"], 20);
    assert_eq!(v["client_id"], "frame-0001");
    assert_eq!(v["room"], w.room.to_string());
}

#[tokio::test]
async fn unknown_room_is_one_answer_for_missing_foreign_and_malformed_rooms() {
    let w = world().await;
    let chloe = user(w.store.as_ref(), "Chloe").await;
    let other = event(w.store.as_ref(), "other", chloe).await;
    let foreign = room(w.store.as_ref(), other, chloe).await;
    let mut c = open(&w.store, w.ben);
    c.hello().await;
    for raw in [
        foreign.to_string(),
        uuid::Uuid::new_v4().to_string(),
        "not-a-room".into(),
    ] {
        c.send(json!({"type": "join", "room": raw}));
        let v = c.refused("unknown_room").await;
        assert_eq!(v["message"], UNKNOWN_ROOM);
        assert_eq!(v["room"], raw);
    }
}

#[tokio::test]
async fn not_joined_answers_send_history_and_leave_of_a_room_not_joined() {
    let w = world().await;
    let mut c = open(&w.store, w.ben);
    c.hello().await;
    let room = w.room.to_string();
    c.send(send(w.room, "nj-000001", "hi"));
    assert_eq!(c.refused("not_joined").await["client_id"], "nj-000001");
    c.send(json!({"type": "history", "room": room, "before": 10}));
    c.refused("not_joined").await;
    c.send(json!({"type": "leave", "room": room}));
    c.refused("not_joined").await;
}

#[tokio::test]
async fn room_closed_refuses_joining_and_posting_in_the_services_words() {
    let w = world().await;
    let mut c = open(&w.store, w.ben);
    c.hello().await;
    c.join(w.room).await;
    w.store.set_room_closed(w.room, true, w.ada).await.unwrap();
    c.send(send(w.room, "closed-01", "hi"));
    assert_eq!(c.refused("room_closed").await["message"], CLOSED);
    let mut d = open(&w.store, w.ada);
    d.hello().await;
    d.send(json!({"type": "join", "room": w.room.to_string()}));
    assert_eq!(d.refused("room_closed").await["message"], CLOSED);
}

#[tokio::test]
async fn muted_names_until_when() {
    let w = world().await;
    let until = app::domain::now_utc() + chrono::Duration::minutes(5);
    w.store.mute(w.room, w.ben, until, w.ada).await.unwrap();
    let mut c = open(&w.store, w.ben);
    c.hello().await;
    c.join(w.room).await;
    c.send(send(w.room, "muted-001", "hi"));
    let v = c.refused("muted").await;
    assert!(v["message"].as_str().unwrap().starts_with(MUTED), "{v}");
}

#[tokio::test]
async fn too_many_rooms_and_too_many_dashboards_name_their_limits() {
    let w = world().await;
    let mut c = open(&w.store, w.ada);
    c.hello().await;
    for _ in 0..32 {
        let r = room(w.store.as_ref(), w.event, w.ada).await;
        c.join(r).await;
    }
    c.send(json!({"type": "join", "room": w.room.to_string()}));
    assert_eq!(c.refused("too_many_rooms").await["limit"], 32);
    // Past the burst of 40 frames: wait for the frame budget to refill.
    tokio::time::sleep(Duration::from_millis(600)).await;
    for n in 0..8 {
        let slug = format!("watch-{n}");
        event(w.store.as_ref(), &slug, w.ada).await;
        c.send(json!({"type": "watch", "event": slug}));
        c.next("watching").await;
    }
    event(w.store.as_ref(), "watch-8", w.ada).await;
    c.send(json!({"type": "watch", "event": "watch-8"}));
    assert_eq!(c.refused("too_many_rooms").await["limit"], 8);
}

#[tokio::test]
async fn bad_client_id_names_the_longest_id() {
    let w = world().await;
    let mut c = open(&w.store, w.ben);
    c.hello().await;
    c.join(w.room).await;
    c.send(send(w.room, &"x".repeat(65), "hi"));
    assert_eq!(c.refused("bad_client_id").await["limit"], 64);
}

#[tokio::test]
async fn forbidden_refuses_a_dashboard_and_ends_a_removed_members_rooms() {
    let w = world().await;
    let (mut c, hub) = open_with(&w.store, w.ben, Tuning::default(), |_| {});
    c.hello().await;
    c.send(json!({"type": "watch", "event": "conf"}));
    c.refused("forbidden").await;
    c.join(w.room).await;
    hub.personal.tell(w.ben, Order::LeaveEvent(w.event));
    let v = c.refused("forbidden").await;
    assert_eq!(v["room"], w.room.to_string());
    assert_eq!(c.next("left").await["room"], w.room.to_string());
}

#[tokio::test]
async fn internal_is_answered_when_the_store_fails() {
    let w = world().await;
    let mut c = open(&w.store, w.ben);
    c.hello().await;
    w.db.close().await;
    c.send(json!({"type": "join", "room": w.room.to_string()}));
    c.refused("internal").await;
}

#[tokio::test]
async fn a_message_over_the_size_limit_closes_with_1009() {
    let w = world().await;
    let mut c = open(&w.store, w.ben);
    assert!(TOO_LARGE.contains(&MAX_FRAME_BYTES.to_string()));
    // What tungstenite reports for a message (of one frame or many) over
    // its `max_message_size`.
    let _ = c.to_server.send(Err(
        "Space limit exceeded: Message too long: 20480 > 16384".into()
    ));
    let v = c.next("close").await;
    assert_eq!(v["close"], 1009);
    assert_eq!(v["reason"], TOO_LARGE);
}

#[tokio::test]
async fn an_idle_socket_closes_with_1001() {
    let w = world().await;
    let tuning = Tuning {
        idle_timeout: Duration::from_millis(50),
        ..Tuning::default()
    };
    let (mut c, hub) = open_with(&w.store, w.ben, tuning, |_| {});
    tokio::time::sleep(Duration::from_millis(100)).await;
    hub.personal.tell(w.ben, Order::Ping);
    let v = c.next("close").await;
    assert_eq!(v["close"], 1001);
    assert_eq!(v["reason"], "idle timeout");
}

#[tokio::test]
async fn a_stopping_server_closes_with_1001() {
    let w = world().await;
    let (mut c, hub) = open_with(&w.store, w.ben, Tuning::default(), |_| {});
    c.hello().await;
    hub.go_away();
    let v = c.next("close").await;
    assert_eq!(v["close"], 1001);
    assert_eq!(v["reason"], "server shutting down");
}

#[tokio::test]
async fn a_client_that_stops_reading_is_closed_as_too_slow() {
    let w = world().await;
    let tuning = Tuning {
        send_timeout: Duration::from_millis(100),
        ..Tuning::default()
    };
    let (c, _hub) = open_with(&w.store, w.ben, tuning, |_| {});
    c.stuck.store(true, Ordering::SeqCst);
    c.send(json!({"type": "hello", "version": 1}));
    // The write of `welcome` times out (100 ms), the close frame cannot
    // be written either (given up after 1 s), and the loop ends: its end
    // of the socket is dropped.
    for _ in 0..30 {
        if c.to_server.is_closed() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the socket of a client that does not read stays open");
}

#[tokio::test]
async fn the_101st_refusal_in_a_row_is_answered_then_closes_with_1008() {
    let w = world().await;
    let (mut c, _hub) = open_with(&w.store, w.ben, Tuning::default(), |conn| {
        conn.refusals = MAX_REFUSALS;
    });
    c.send(json!({"type": "shout"}));
    c.refused("bad_message").await;
    let v = c.next("close").await;
    assert_eq!(v["close"], 1008);
    assert_eq!(v["reason"], "too many refused messages");
}

#[tokio::test]
async fn an_answered_frame_between_refusals_starts_the_count_again() {
    let w = world().await;
    let (mut c, _hub) = open_with(&w.store, w.ben, Tuning::default(), |conn| {
        conn.greeted = true;
        conn.refusals = MAX_REFUSALS;
    });
    c.send(json!({"type": "ping"}));
    c.next("pong").await;
    c.send(json!({"type": "shout"}));
    c.refused("bad_message").await;
    c.send(json!({"type": "ping"}));
    c.next("pong").await;
}
