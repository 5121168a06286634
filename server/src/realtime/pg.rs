//! Scale-out on PostgreSQL: several `rapport` instances on one database.
//!
//! The store queues `pg_notify('rapport_rooms', …)` inside the transaction
//! of every post, removal and close/reopen, so PostgreSQL delivers it to
//! every listening instance after the commit (never for a rollback). Each
//! instance listens on one connection and feeds what it hears to its hub:
//!
//! - `m:<room>:<seq>` — a message was committed: the hub's fan-out reads
//!   everything after the last message it sent from the database and
//!   broadcasts it locally, in order;
//! - `d:<room>:<seq>` — a message was removed;
//! - `s:<room>:<0|1>` — the room was reopened (0) or closed (1).
//!
//! Notifications sent while the listener was disconnected are lost, so
//! after every (re)connection the hub resyncs each live room from the
//! database: nothing committed in the gap is skipped.

use super::Hub;
use crate::db::rooms::ROOMS_CHANNEL;
use app::{domain::RoomId, ports::LiveRooms, realtime::ServerMsg};
use sqlx::postgres::{PgListener, PgPool};
use std::{sync::Arc, time::Duration};

/// Listens for room announcements until the process ends.
pub fn spawn_listener(pool: PgPool, hub: Arc<Hub>) {
    tokio::spawn(async move {
        loop {
            let mut listener = match PgListener::connect_with(&pool).await {
                Ok(l) => l,
                Err(e) => {
                    tracing::warn!(error = %e, "room listener could not connect; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            };
            if let Err(e) = listener.listen(ROOMS_CHANNEL).await {
                tracing::warn!(error = %e, "room listener could not listen; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
            hub.resync_all().await;
            loop {
                match listener.try_recv().await {
                    Ok(Some(n)) => on_notification(&hub, n.payload()),
                    // The connection dropped and was re-established: what
                    // was announced in between is lost, so read it back.
                    Ok(None) => {
                        tracing::warn!("room listener reconnected; resyncing live rooms");
                        hub.resync_all().await;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "room listener failed; reconnecting");
                        break;
                    }
                }
            }
        }
    });
}

/// Applies one announcement (`kind:room:number`) to the local hub.
pub fn on_notification(hub: &Hub, payload: &str) {
    let mut parts = payload.splitn(3, ':');
    let (Some(kind), Some(room), Some(n)) = (parts.next(), parts.next(), parts.next()) else {
        return;
    };
    let (Ok(room), Ok(n)) = (RoomId::parse(room), n.parse::<u64>()) else {
        return;
    };
    match kind {
        "m" => hub.announce(room, n),
        "d" => hub.room_changed(
            room,
            ServerMsg::MessageDeleted {
                room: room.to_string(),
                seq: n,
            },
        ),
        "s" => hub.room_changed(
            room,
            ServerMsg::RoomState {
                room: room.to_string(),
                closed: n == 1,
            },
        ),
        _ => {}
    }
}
