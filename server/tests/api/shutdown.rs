//! Stopping the server, over real WebSockets on both backends: every open
//! socket is closed with code 1001, every background task ends and
//! `run_until` returns; then the clients resume their rooms with
//! `last_seq` on another instance on the same database (a restart on
//! SQLite, a rolling restart beside a running instance on PostgreSQL) and
//! get exactly the messages they missed.

use crate::common;
use crate::common::{
    fresh_database,
    ws::{session_cookie, topic_room, Client},
    Backend,
};

/// The texts and sequence numbers of chat messages, in order.
fn texts(messages: &[serde_json::Value]) -> Vec<(u64, String)> {
    messages
        .iter()
        .map(|m| {
            (
                m["seq"].as_u64().unwrap(),
                m["text"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn stopping_closes_sockets_with_1001_ends_every_task_and_clients_resume_elsewhere(
    backend: Backend,
) {
    let Some(db) = fresh_database(backend).await else {
        return;
    };
    let mut first = common::spawn_stoppable(&db).await;
    let (slug, people) = common::event_with(first.app.other_client(), &["Ben", "Cleo"]).await;
    let room = topic_room(&people[0], &slug, "Hallway").await;
    // Logged in once: the same cookies open sockets on the next instance.
    let ada_cookie = session_cookie(&people[0], "ada@example.org").await;
    let ben_cookie = session_cookie(&people[1], "ben@example.org").await;

    // On PostgreSQL a second instance runs beside the first, as in a
    // rolling restart, and Cleo is in the room there.
    let mut second = None;
    let mut cleo = None;
    if backend == Backend::Postgres {
        let instance = common::spawn_stoppable(&db).await;
        let mut c = Client::connect(&instance.app, "cleo@example.org").await;
        c.join(&room, None).await;
        cleo = Some(c);
        second = Some(instance);
    }

    let mut ada = Client::with_cookie(&first.app, "ada@example.org", &ada_cookie).await;
    let mut ben = Client::with_cookie(&first.app, "ben@example.org", &ben_cookie).await;
    ada.join(&room, None).await;
    ben.join(&room, None).await;
    for (id, text) in [("before-0001", "one"), ("before-0002", "two")] {
        assert_eq!(ada.post(&room, id, text).await["type"], "ack");
    }
    assert_eq!(
        texts(&ben.messages(2).await),
        [(1, "one".into()), (2, "two".into())]
    );
    if let Some(c) = cleo.as_mut() {
        // Ada's presence reached the other instance through the
        // database, so the first instance has rows there to clear.
        let name = |v: &serde_json::Value| v["member"]["name"] == "Ada";
        c.recv_until_within(std::time::Duration::from_secs(60), |v| {
            v["type"] == "presence_joined" && name(v)
        })
        .await;
    }
    // The two sockets at least are tasks the shutdown waits for.
    let shutdown = first.shutdown.clone();
    assert!(shutdown.running() >= 2, "{} tasks", shutdown.running());
    assert!(!shutdown.is_stopping());

    let addr = first.app.addr;
    let stopping = tokio::spawn(async move { first.stop().await });
    assert_eq!(ada.closed().await, (1001, "server shutting down".into()));
    assert_eq!(ben.closed().await, (1001, "server shutting down".into()));
    stopping
        .await
        .unwrap()
        .expect("run_until returns Ok after a shutdown");
    assert!(
        shutdown.finished(),
        "{} background tasks or sockets still running after run_until returned",
        shutdown.running()
    );
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "the stopped server still accepts connections"
    );
    if backend == Backend::Postgres {
        // The stopped instance deleted its presence rows (fresh or not,
        // nobody is left on it).
        let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
        let room_id: uuid::Uuid = room.parse().unwrap();
        let left = server::db::presence::remote(&pool, uuid::Uuid::new_v4(), &[room_id], 3600.0)
            .await
            .unwrap();
        let names: Vec<&str> = left.iter().map(|(_, _, name)| name.as_str()).collect();
        assert_eq!(names, ["Cleo"], "only the running instance's people remain");
        pool.close().await;
    }

    // SQLite: the server comes back on the same database and data directory.
    let mut second = match second {
        Some(s) => s,
        None => common::spawn_stoppable(&db).await,
    };
    let mut ben = Client::with_cookie(&second.app, "ben@example.org", &ben_cookie).await;
    let (joined, replayed) = ben.join(&room, Some(2)).await;
    assert_eq!(joined["last_seq"], 2);
    assert!(replayed.is_empty(), "{replayed:?}");
    for (id, text) in [("while-0003", "three"), ("while-0004", "four")] {
        assert_eq!(ben.post(&room, id, text).await["type"], "ack");
    }

    let mut ada = Client::with_cookie(&second.app, "ada@example.org", &ada_cookie).await;
    let (joined, replayed) = ada.join(&room, Some(2)).await;
    assert_eq!(joined["last_seq"], 4);
    assert_eq!(
        texts(&replayed),
        [(3, "three".into()), (4, "four".into())],
        "exactly what was missed, in order"
    );
    // And live from there on, without repeating the replay.
    assert_eq!(ben.post(&room, "after-0005", "five").await["type"], "ack");
    assert_eq!(texts(&ada.messages(1).await), [(5, "five".into())]);

    let shutdown = second.shutdown.clone();
    second.stop().await.unwrap();
    assert!(shutdown.finished(), "{} still running", shutdown.running());
}

on_both_backends!(
    stopping_closes_sockets_with_1001_ends_every_task_and_clients_resume_elsewhere,
    stopping_closes_sockets_with_1001_ends_every_task_and_clients_resume_elsewhere
);
