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
//! The same listener hears the bus ([`crate::db::live::LIVE_CHANNEL`],
//! [`super::bus`]): personal notifications and dashboard changes are
//! delivered to this instance's sockets, matching updates from other
//! instances refresh this instance's indexes.
//!
//! Notifications sent while the listener was disconnected are lost, so
//! after every (re)connection the hub resyncs each live room from the
//! database: nothing committed in the gap is skipped.
//!
//! Presence is merged through heartbeated rows ([`spawn_presence`]): every
//! [`PRESENCE_EVERY`] each instance rewrites who is in its live rooms and
//! reads who is in them elsewhere; rows older than [`PRESENCE_FRESH`] are
//! ignored, so the people of an instance that died disappear within
//! `PRESENCE_FRESH + PRESENCE_EVERY` (8 s). An instance that stops
//! cleanly deletes its rows as its last step, so its people leave at once.
//!
//! Both tasks run under the server's [`Shutdown`] and return when it
//! begins (after the step under way).

use super::{bus::BusMsg, Hub};
use crate::{
    db::{live::LIVE_CHANNEL, rooms::ROOMS_CHANNEL},
    shutdown::Shutdown,
};
use app::{
    domain::{RoomId, UserId},
    ports::LiveRooms,
    realtime::ServerMsg,
    state::AppState,
};
use sqlx::postgres::{PgListener, PgPool};
use std::{sync::Arc, time::Duration};

/// How often presence rows are rewritten and read.
pub const PRESENCE_EVERY: Duration = Duration::from_secs(2);
/// Presence rows older than this belong to an instance that stopped.
pub const PRESENCE_FRESH: Duration = Duration::from_secs(6);

/// Merges presence across instances until the shutdown, then deletes
/// this instance's rows.
pub fn spawn_presence(pool: PgPool, hub: Arc<Hub>, shutdown: &Shutdown) {
    let instance = uuid::Uuid::new_v4();
    let stop = shutdown.clone();
    shutdown.spawn(async move {
        let mut tick = tokio::time::interval(PRESENCE_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                () = stop.cancelled() => {
                    // An empty heartbeat deletes this instance's rows.
                    if let Err(e) = crate::db::presence::heartbeat(&pool, instance, &[]).await {
                        tracing::warn!(error = %e, "could not clear presence at shutdown");
                    }
                    return;
                }
            }
            let channels = hub.channels();
            let mine: Vec<(uuid::Uuid, uuid::Uuid, String)> = channels
                .iter()
                .flat_map(|c| {
                    c.local_members()
                        .into_iter()
                        .map(|(u, name)| (c.room.0, u.0, name))
                })
                .collect();
            if let Err(e) = crate::db::presence::heartbeat(&pool, instance, &mine).await {
                tracing::warn!(error = %e, "presence heartbeat failed");
                continue;
            }
            if channels.is_empty() {
                continue;
            }
            let rooms: Vec<uuid::Uuid> = channels.iter().map(|c| c.room.0).collect();
            let remote = match crate::db::presence::remote(
                &pool,
                instance,
                &rooms,
                PRESENCE_FRESH.as_secs_f64(),
            )
            .await
            {
                Ok(r) => r,
                Err(e) => {
                    tracing::warn!(error = %e, "presence read failed");
                    continue;
                }
            };
            for c in channels {
                let here = remote
                    .iter()
                    .filter(|(room, _, _)| *room == c.room.0)
                    .map(|(_, user, name)| (app::domain::UserId(*user), name.clone()))
                    .collect();
                c.set_remote(here);
            }
        }
    });
}

/// Listens for room announcements and the bus until the shutdown.
/// `state` is this instance's, whose matching indexes other instances'
/// updates refresh.
pub fn spawn_listener(pool: PgPool, hub: Arc<Hub>, state: AppState, shutdown: &Shutdown) {
    let stop = shutdown.clone();
    shutdown.spawn(async move {
        // Waits before a retry; false if the shutdown began meanwhile.
        let pause = || async {
            tokio::select! {
                () = tokio::time::sleep(Duration::from_secs(1)) => true,
                () = stop.cancelled() => false,
            }
        };
        while !stop.is_stopping() {
            let mut listener = match PgListener::connect_with(&pool).await {
                Ok(l) => l,
                Err(e) => {
                    tracing::warn!(error = %e, "room listener could not connect; retrying");
                    if !pause().await {
                        return;
                    }
                    continue;
                }
            };
            if let Err(e) = listener.listen_all([ROOMS_CHANNEL, LIVE_CHANNEL]).await {
                tracing::warn!(error = %e, "room listener could not listen; retrying");
                if !pause().await {
                    return;
                }
                continue;
            }
            hub.resync_all().await;
            loop {
                let heard = tokio::select! {
                    heard = listener.try_recv() => heard,
                    () = stop.cancelled() => return,
                };
                match heard {
                    Ok(Some(n)) if n.channel() == LIVE_CHANNEL => {
                        on_bus(&hub, &state, n.payload());
                    }
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

/// Delivers one bus message heard from PostgreSQL on this instance.
fn on_bus(hub: &Arc<Hub>, state: &AppState, payload: &str) {
    let msg = match serde_json::from_str::<BusMsg>(payload) {
        Ok(m) => m,
        Err(e) => {
            tracing::warn!(error = %e, "unreadable bus message ignored");
            return;
        }
    };
    match msg {
        BusMsg::Member { user, from } => {
            if from != hub.instance {
                let state = state.clone();
                tokio::spawn(async move {
                    state.matching.refresh_user(&state, UserId(user)).await;
                });
            }
        }
        other => {
            let hub = hub.clone();
            tokio::spawn(async move { hub.personal.deliver(hub.store(), other).await });
        }
    }
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
