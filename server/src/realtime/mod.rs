//! The realtime hub: live rooms over the one WebSocket endpoint, `/ws`.
//!
//! Each room that someone has joined on this instance has a
//! [`RoomChannel`]: a `tokio::sync::broadcast` channel carrying frames
//! serialised once ([`Frame`], shared bytes), the room's presence on this
//! instance, and a fan-out task. A post is committed to the database
//! first; then its sequence number is *announced* to the channel, and the
//! fan-out task reads every committed message after the last one it sent
//! from the database and broadcasts them in order. Announcing instead of
//! broadcasting the poster's copy keeps the live stream in sequence order
//! with no gaps even when concurrent posts commit in one order and announce
//! in another, and the same path serves announcements from other instances.
//!
//! Sockets (see [`connection`]) subscribe before they read history, so nothing
//! falls between the replay and the live stream; they drop live messages
//! they already replayed. A socket that falls more than
//! [`Tuning::room_backlog`] frames behind is told to resync.
//!
//! With PostgreSQL, [`pg`] carries the announcements between instances.
//!
//! Beside rooms, the hub carries what is personal ([`bus`]): notifications
//! to people wherever they are connected, changes of an event's dashboard
//! to the organizers watching it, and matching updates between instances.
//!
//! Every task the hub starts (sockets, fan-outs, the ping clock) runs
//! under the server's [`Shutdown`]: when it begins, [`Hub::go_away`]
//! closes every socket with code 1001, and the tasks return.
//!
//! This file is the hub itself ([`Hub`]); a room's channel and its fan-out
//! are in `room.rs`, the shared frame in `frame.rs`, the limits in
//! `tuning.rs`, each a leaf the hub imports.

pub mod bus;
pub mod connection;
mod direct;
mod frame;
pub mod handlers;
pub mod pg;
mod room;
mod subscriptions;
mod tuning;
pub mod upgrade;

pub use frame::{Frame, Order};
pub use room::RoomChannel;
pub use tuning::Tuning;

use crate::shutdown::Shutdown;
use app::{
    domain::{ConversationId, EventId, RoomId, UserId},
    ports::{LiveRooms, Store},
    realtime::{Notice, ServerMsg},
    service::limits::Limits,
};
use bus::{BusMsg, Personal};
use room::fan_out;
use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex, OnceLock, Weak},
    time::Duration,
};
use tokio::sync::{broadcast, watch};

/// The wire form of a stored message (shared with the room page).
pub use app::api::rooms::wire as wire_message;

/// Dashboard changes of one event are sent at most this often.
pub const DASHBOARD_EVERY: Duration = Duration::from_secs(1);

/// The live rooms of this instance.
pub struct Hub {
    store: Arc<dyn Store>,
    rooms: Mutex<HashMap<RoomId, Arc<RoomChannel>>>,
    /// Personal and dashboard channels.
    pub personal: Personal,
    /// With PostgreSQL: the pool the bus publishes through (every instance
    /// delivers what it hears). Without: delivered here at once.
    bus: Option<sqlx::PgPool>,
    /// This instance, so it can skip its own matching updates.
    pub instance: uuid::Uuid,
    /// Events whose dashboard change waits for the end of its
    /// [`DASHBOARD_EVERY`] window.
    pending_dashboards: Mutex<HashSet<EventId>>,
    /// The hub itself, for the tasks it spawns.
    me: Weak<Hub>,
    /// Socket and channel limits (the sockets read theirs from here).
    pub tuning: Tuning,
    /// Whether the ping clock runs (see [`Hub::start_ping_clock`]).
    ping_clock: OnceLock<()>,
    /// The server's shutdown: the hub's tasks and sockets run under it, so
    /// the server waits for them, and they stop when it begins.
    pub shutdown: Shutdown,
    /// This instance's rate limits, shared with the server functions
    /// (`AppState::limits`), so a direct message costs the same budget
    /// whether it comes over a socket or the plain form.
    pub limits: Arc<Limits>,
    /// Where direct messages sent over a socket are pushed to the
    /// recipient's devices: set once at startup, from the same state the
    /// server functions use (unset in the hub's unit tests: nothing pushed).
    pub push: OnceLock<app::service::push::PushPath>,
}

impl std::fmt::Debug for Hub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hub").finish_non_exhaustive()
    }
}

impl Hub {
    /// A hub; `bus` is the PostgreSQL pool when several instances may share
    /// the database.
    pub fn new(
        store: Arc<dyn Store>,
        bus: Option<sqlx::PgPool>,
        tuning: Tuning,
        shutdown: Shutdown,
    ) -> Arc<Self> {
        Arc::new_cyclic(|me| Hub {
            shutdown,
            tuning,
            store,
            rooms: Mutex::new(HashMap::new()),
            personal: Personal::default(),
            bus,
            instance: uuid::Uuid::new_v4(),
            pending_dashboards: Mutex::new(HashSet::new()),
            me: me.clone(),
            ping_clock: OnceLock::new(),
            limits: Arc::new(Limits::default()),
            push: OnceLock::new(),
        })
    }

    /// Starts, once, the clock that orders every socket to ping its
    /// client each [`Tuning::ping_every`] ([`Order::Ping`] on the personal
    /// channels). One timer for all sockets instead of one each, which
    /// cost every idle socket ~140 bytes, and no extra branch in each
    /// socket's loop. Called by each new socket; ends with the hub.
    pub fn start_ping_clock(&self) {
        self.ping_clock.get_or_init(|| {
            let hub = self.me.clone();
            let every = self.tuning.ping_every;
            let stop = self.shutdown.clone();
            self.shutdown.spawn(async move {
                let start = tokio::time::Instant::now() + every;
                let mut clock = tokio::time::interval_at(start, every);
                clock.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    tokio::select! {
                        _ = clock.tick() => {}
                        () = stop.cancelled() => break,
                    }
                    let Some(hub) = hub.upgrade() else { break };
                    hub.personal.ping_all();
                }
            });
        });
    }

    /// Closes every socket of this instance with code 1001 ("going away";
    /// the client reconnects and resumes with `last_seq`). Called when the
    /// shutdown begins, after [`Shutdown::begin`]: a socket that opens
    /// later sees [`Shutdown::is_stopping`] and closes itself, so none
    /// slips between the two.
    pub fn go_away(&self) {
        self.personal.tell_all(Order::GoAway);
    }

    /// Delivers `msg` on every instance: published on PostgreSQL (and
    /// delivered here when heard back), or delivered here directly.
    pub fn publish(&self, msg: BusMsg) {
        let Some(hub) = self.me.upgrade() else { return };
        match &self.bus {
            Some(pool) => {
                let payload = match serde_json::to_string(&msg) {
                    Ok(p) if p.len() <= crate::db::live::MAX_PAYLOAD => p,
                    Ok(p) => {
                        tracing::warn!(bytes = p.len(), "bus message too large; not sent");
                        return;
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "could not serialise a bus message");
                        return;
                    }
                };
                let pool = pool.clone();
                tokio::spawn(async move {
                    if let Err(e) = crate::db::live::publish(&pool, &payload).await {
                        tracing::warn!(error = %e, "could not publish on the bus");
                    }
                });
            }
            None => {
                tokio::spawn(async move { hub.personal.deliver(&hub.store, msg).await });
            }
        }
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    fn existing(&self, room: RoomId) -> Option<Arc<RoomChannel>> {
        self.rooms
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&room)
            .cloned()
    }

    /// Subscribes to the room's channel, creating it (with its fan-out
    /// task) on first use. `head` is the room's newest committed sequence
    /// number as just read: a new channel's fan-out starts after it.
    /// Subscribing under the map's lock means [`Hub::release`] never drops
    /// a channel someone is about to listen to.
    pub fn subscribe(
        &self,
        room: RoomId,
        head: u64,
    ) -> (Arc<RoomChannel>, broadcast::Receiver<Frame>) {
        let mut rooms = self.rooms.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(c) = rooms.get(&room) {
            let rx = c.tx.subscribe();
            return (c.clone(), rx);
        }
        let (tx, rx) = broadcast::channel(self.tuning.room_backlog as usize);
        let (announced, announced_rx) = watch::channel(head);
        let channel = Arc::new(RoomChannel::new(room, tx, announced));
        rooms.insert(room, channel.clone());
        self.shutdown.spawn(fan_out(
            self.store.clone(),
            Arc::downgrade(&channel),
            head,
            announced_rx,
            self.shutdown.clone(),
        ));
        (channel, rx)
    }

    /// Drops the room's channel once nobody on this instance listens to it
    /// (call after dropping a receiver); its fan-out task ends with it.
    pub fn release(&self, room: RoomId) {
        let mut rooms = self.rooms.lock().unwrap_or_else(|e| e.into_inner());
        if rooms.get(&room).is_some_and(|c| c.tx.receiver_count() == 0) {
            rooms.remove(&room);
        }
    }

    /// Catches every live room up with the database (after the PostgreSQL
    /// listener reconnected, when announcements may have been missed).
    pub async fn resync_all(&self) {
        let rooms: Vec<RoomId> = self
            .rooms
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .keys()
            .copied()
            .collect();
        for room in rooms {
            match self.store.room(room).await {
                Ok(Some(r)) => self.announce(room, r.last_seq),
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, %room, "resync read failed"),
            }
        }
    }

    /// The live rooms of this instance with their channels.
    pub fn channels(&self) -> Vec<Arc<RoomChannel>> {
        self.rooms
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .cloned()
            .collect()
    }

    /// How many rooms are live on this instance (for tests and metrics).
    pub fn live_rooms(&self) -> usize {
        self.rooms.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

impl LiveRooms for Hub {
    fn occupancy(&self, room: RoomId) -> usize {
        self.existing(room).map(|c| c.members().len()).unwrap_or(0)
    }

    fn announce(&self, room: RoomId, seq: u64) {
        if let Some(c) = self.existing(room) {
            c.announced.send_if_modified(|v| {
                if seq > *v {
                    *v = seq;
                    true
                } else {
                    false
                }
            });
        }
    }

    fn room_changed(&self, room: RoomId, change: ServerMsg) {
        if let Some(c) = self.existing(room) {
            let _ = c.tx.send(Frame::new(None, None, &change));
        }
    }

    fn notify(&self, users: &[UserId], notice: Notice) {
        if users.is_empty() {
            return;
        }
        self.publish(BusMsg::Notify {
            users: users.iter().map(|u| u.0).collect(),
            notice,
        });
    }

    fn notify_members(&self, event: EventId, notice: Notice) {
        self.publish(BusMsg::Members {
            event: event.0,
            notice,
        });
    }

    fn dashboard_changed(&self, event: EventId, slug: &str) {
        // The first change of a window waits for the window's end; later
        // ones in it are covered by that one.
        let first = self
            .pending_dashboards
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(event);
        if !first {
            return;
        }
        let Some(hub) = self.me.upgrade() else { return };
        let slug = slug.to_owned();
        tokio::spawn(async move {
            tokio::time::sleep(DASHBOARD_EVERY).await;
            hub.pending_dashboards
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&event);
            hub.publish(BusMsg::Dashboard {
                event: event.0,
                slug,
            });
        });
    }

    fn member_changed(&self, user: UserId) {
        // One instance needs nobody told.
        if self.bus.is_some() {
            self.publish(BusMsg::Member {
                user: user.0,
                from: self.instance,
            });
        }
    }

    fn session_ended(&self, user: UserId, session: Option<String>) {
        self.publish(BusMsg::SessionEnded {
            user: user.0,
            session,
        });
    }

    fn member_removed(&self, event: EventId, user: UserId) {
        self.publish(BusMsg::MemberRemoved {
            user: user.0,
            event: event.0,
        });
    }

    fn direct(&self, conversation: ConversationId, seq: u64, users: [UserId; 2]) {
        self.publish(BusMsg::Direct {
            conversation: conversation.0,
            seq,
            users: users.map(|u| u.0),
        });
    }

    fn direct_read(&self, user: UserId, conversation: ConversationId, seq: u64, unread: u64) {
        self.publish(BusMsg::DirectRead {
            user: user.0,
            conversation: conversation.0,
            seq,
            unread,
        });
    }

    fn in_rooms_with(&self, user: UserId) -> HashSet<UserId> {
        let mut with = HashSet::new();
        for channel in self.channels() {
            let members = channel.members();
            if members.iter().any(|(id, _)| *id == user) {
                with.extend(members.into_iter().map(|(id, _)| id));
            }
        }
        with.remove(&user);
        with
    }

    fn present_in(&self, rooms: &[RoomId]) -> HashSet<UserId> {
        self.channels()
            .into_iter()
            .filter(|c| rooms.contains(&c.room))
            .flat_map(|c| c.members().into_iter().map(|(id, _)| id))
            .collect()
    }
}
