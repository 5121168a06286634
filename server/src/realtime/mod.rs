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
//! Sockets (see [`socket`]) subscribe before they read history, so nothing
//! falls between the replay and the live stream; they drop live messages
//! they already replayed. A socket that falls more than
//! [`Tuning::room_backlog`] frames behind is told to resync.
//!
//! With PostgreSQL, [`pg`] carries the announcements between instances.
//!
//! Beside rooms, the hub carries what is personal ([`bus`]): notifications
//! to people wherever they are connected, changes of an event's dashboard
//! to the organizers watching it, and matching updates between instances.

pub mod bus;
pub mod pg;
pub mod socket;

use app::{
    domain::{EventId, RoomId, UserId},
    ports::{LiveRooms, Store},
    realtime::{Notice, PresenceMember, ServerMsg},
};
use axum::extract::ws::Utf8Bytes;
use bus::{BusMsg, Personal};
use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex, OnceLock, Weak},
    time::Duration,
};
use tokio::sync::{broadcast, watch};

/// How sockets and room channels behave under slow clients and silence.
/// The defaults suit people on phones; an operator may change them, and
/// the tests shorten them to see each limit act in a fraction of a second.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::Args)]
pub struct Tuning {
    /// How often the server pings each socket (e.g. `20s`).
    #[arg(long = "ws-ping-every", env = "RAPPORT_WS_PING_EVERY", default_value = "20s", value_parser = positive_duration)]
    pub ping_every: Duration,
    /// A socket that sends nothing at all (not even a pong) for this long
    /// is closed. Checked at each ping, so it acts up to one ping later.
    #[arg(long = "ws-idle-timeout", env = "RAPPORT_WS_IDLE_TIMEOUT", default_value = "60s", value_parser = positive_duration)]
    pub idle_timeout: Duration,
    /// A write to a client that has not completed after this long closes
    /// the socket (the client resumes from its last sequence number).
    #[arg(long = "ws-send-timeout", env = "RAPPORT_WS_SEND_TIMEOUT", default_value = "10s", value_parser = positive_duration)]
    pub send_timeout: Duration,
    /// Most bytes buffered in the server for one client beyond what the
    /// network takes; more fails the socket. At least 32 KiB: a history
    /// page is cut to half of it, and one longest message must fit.
    #[arg(long = "ws-max-write-buffer", env = "RAPPORT_WS_MAX_WRITE_BUFFER", default_value_t = 64 * 1024, value_parser = clap::value_parser!(u32).range(32768..))]
    pub max_write_buffer: u32,
    /// Frames a room channel keeps for sockets that are behind; one that
    /// falls further behind is told to resync.
    #[arg(long = "room-backlog", env = "RAPPORT_ROOM_BACKLOG", default_value_t = 1024, value_parser = clap::value_parser!(u32).range(16..=65536))]
    pub room_backlog: u32,
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            ping_every: Duration::from_secs(20),
            idle_timeout: Duration::from_secs(60),
            send_timeout: Duration::from_secs(10),
            max_write_buffer: 64 * 1024,
            room_backlog: 1024,
        }
    }
}

/// A duration such as `20s`, `500ms` or `1m`; zero is refused (a zero
/// ping period or timeout would make every socket fail at once).
fn positive_duration(raw: &str) -> Result<Duration, String> {
    match humantime::parse_duration(raw) {
        Ok(d) if d.is_zero() => Err("must be longer than zero".into()),
        Ok(d) => Ok(d),
        Err(e) => Err(format!("{e} (write e.g. 20s, 500ms or 1m)")),
    }
}

/// How many messages the fan-out task reads from the database at once.
const FAN_OUT_BATCH: u32 = 256;

/// The shortest time between two fan-out rounds of one room (see
/// [`fan_out`]): short enough that a message rarely waits for it, long
/// enough that a busy room's sockets write several messages per wake.
/// 10 ms measured best-or-equal of 0, 5, 10 and 20 ms at ~100,000 and
/// ~400,000 deliveries a second (docs/benchmarks.md).
const FAN_OUT_PACE: Duration = Duration::from_millis(10);

/// One server message, serialised once and shared by every socket that
/// sends it.
#[derive(Clone, Debug)]
pub struct Frame {
    /// For chat messages: its sequence number, so a socket can drop what it
    /// already replayed.
    pub seq: Option<u64>,
    /// Whom the frame is about (author, member who came or went): a socket
    /// of someone blocked either way with them does not send it.
    pub about: Option<UserId>,
    /// Whether `about`'s own sockets get it too (their messages yes, news
    /// of their own presence no: they learn it from `joined`).
    pub to_self: bool,
    /// Not a message but an order to the sockets of a personal channel
    /// (room frames never carry one).
    pub order: Option<Order>,
    /// The JSON text.
    pub json: Utf8Bytes,
}

/// What a personal channel can order its sockets to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Order {
    /// Close the sockets opened with this session id ("" for every
    /// session): signed out, or the account is gone.
    EndSession(Arc<str>),
    /// Leave the rooms of this event: an organizer removed the person.
    LeaveEvent(EventId),
    /// Ping the client, after checking the idle timeout and the session's
    /// expiry (the hub's ping clock, to every socket).
    Ping,
}

impl Frame {
    pub fn new(seq: Option<u64>, about: Option<UserId>, msg: &ServerMsg) -> Self {
        let json = serde_json::to_string(msg).unwrap_or_else(|e| {
            tracing::error!(error = %e, "could not serialise a server message");
            String::from(r#"{"type":"error","code":"internal","message":"Serialisation failed."}"#)
        });
        Frame {
            seq,
            about,
            to_self: true,
            order: None,
            json: json.into(),
        }
    }
}

impl RoomChannel {
    /// Who is here on this instance: (user, name).
    pub fn local_members(&self) -> Vec<(UserId, String)> {
        self.presence
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .map(|(id, p)| (*id, p.name.clone()))
            .collect()
    }

    /// Replaces who is here on other instances, telling subscribers who
    /// came and went (people also here on this instance did neither).
    pub fn set_remote(&self, now: HashMap<UserId, String>) {
        let mut news = vec![];
        {
            let presence = self.presence.lock().unwrap_or_else(|e| e.into_inner());
            let mut remote = self.remote.lock().unwrap_or_else(|e| e.into_inner());
            for (user, name) in &now {
                if !remote.contains_key(user) && !presence.contains_key(user) {
                    news.push(ServerMsg::PresenceJoined {
                        room: self.room.to_string(),
                        member: PresenceMember {
                            user_id: user.to_string(),
                            name: name.clone(),
                        },
                    });
                }
            }
            for user in remote.keys() {
                if !now.contains_key(user) && !presence.contains_key(user) {
                    news.push(ServerMsg::PresenceLeft {
                        room: self.room.to_string(),
                        user_id: user.to_string(),
                    });
                }
            }
            *remote = now;
        }
        for msg in news {
            let about = match &msg {
                ServerMsg::PresenceJoined { member, .. } => member.user_id.parse().ok(),
                ServerMsg::PresenceLeft { user_id, .. } => user_id.parse().ok(),
                _ => None,
            };
            let _ = self
                .tx
                .send(Frame::new(None, about.map(UserId), &msg).not_to_self());
        }
    }
}

impl Frame {
    fn not_to_self(mut self) -> Self {
        self.to_self = false;
        self
    }
}

/// Someone present in a room on this instance, with how many of their
/// sockets are in it.
#[derive(Clone, Debug)]
struct Present {
    name: String,
    sockets: usize,
}

/// A live room on this instance.
pub struct RoomChannel {
    pub room: RoomId,
    /// Frames for every subscribed socket.
    pub tx: broadcast::Sender<Frame>,
    /// The highest sequence number known to be committed; the fan-out task
    /// catches up to it.
    announced: watch::Sender<u64>,
    /// Who is in the room on this instance.
    presence: Mutex<HashMap<UserId, Present>>,
    /// Who is in the room on other instances (PostgreSQL scale-out), by name;
    /// refreshed every few seconds by [`pg`]. Locked after `presence`.
    remote: Mutex<HashMap<UserId, String>>,
}

impl RoomChannel {
    /// Who is in the room on any instance, by name (ties by id), as
    /// protocol members.
    pub fn members(&self) -> Vec<(UserId, PresenceMember)> {
        let presence = self.presence.lock().unwrap_or_else(|e| e.into_inner());
        let remote = self.remote.lock().unwrap_or_else(|e| e.into_inner());
        let mut all: HashMap<UserId, String> = remote.clone();
        all.extend(presence.iter().map(|(id, p)| (*id, p.name.clone())));
        let mut members: Vec<(UserId, PresenceMember)> = all
            .into_iter()
            .map(|(id, name)| {
                (
                    id,
                    PresenceMember {
                        user_id: id.to_string(),
                        name,
                    },
                )
            })
            .collect();
        members.sort_by(|a, b| (&a.1.name, a.0 .0).cmp(&(&b.1.name, b.0 .0)));
        members
    }

    /// Counts one more socket of `user` in the room; tells the others when
    /// it is the first.
    pub fn arrive(&self, user: UserId, name: &str) {
        let first = {
            let mut presence = self.presence.lock().unwrap_or_else(|e| e.into_inner());
            let entry = presence.entry(user).or_insert_with(|| Present {
                name: name.to_owned(),
                sockets: 0,
            });
            entry.sockets += 1;
            // Already shown as present from another instance?
            let elsewhere = self
                .remote
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .contains_key(&user);
            entry.sockets == 1 && !elsewhere
        };
        if first {
            let msg = ServerMsg::PresenceJoined {
                room: self.room.to_string(),
                member: PresenceMember {
                    user_id: user.to_string(),
                    name: name.to_owned(),
                },
            };
            let _ = self
                .tx
                .send(Frame::new(None, Some(user), &msg).not_to_self());
        }
    }

    /// Counts one socket of `user` fewer; tells the others when it was the last.
    pub fn depart(&self, user: UserId) {
        let last = {
            let mut presence = self.presence.lock().unwrap_or_else(|e| e.into_inner());
            match presence.get_mut(&user) {
                Some(p) if p.sockets > 1 => {
                    p.sockets -= 1;
                    false
                }
                Some(_) => {
                    presence.remove(&user);
                    !self
                        .remote
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .contains_key(&user)
                }
                None => false,
            }
        };
        if last {
            let msg = ServerMsg::PresenceLeft {
                room: self.room.to_string(),
                user_id: user.to_string(),
            };
            let _ = self
                .tx
                .send(Frame::new(None, Some(user), &msg).not_to_self());
        }
    }
}

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
}

impl std::fmt::Debug for Hub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hub").finish_non_exhaustive()
    }
}

impl Hub {
    /// A hub; `bus` is the PostgreSQL pool when several instances may share
    /// the database.
    pub fn new(store: Arc<dyn Store>, bus: Option<sqlx::PgPool>, tuning: Tuning) -> Arc<Self> {
        Arc::new_cyclic(|me| Hub {
            tuning,
            store,
            rooms: Mutex::new(HashMap::new()),
            personal: Personal::default(),
            bus,
            instance: uuid::Uuid::new_v4(),
            pending_dashboards: Mutex::new(HashSet::new()),
            me: me.clone(),
            ping_clock: OnceLock::new(),
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
            tokio::spawn(async move {
                let start = tokio::time::Instant::now() + every;
                let mut clock = tokio::time::interval_at(start, every);
                clock.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    clock.tick().await;
                    let Some(hub) = hub.upgrade() else { break };
                    hub.personal.ping_all();
                }
            });
        });
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
        let channel = Arc::new(RoomChannel {
            room,
            tx,
            announced,
            presence: Mutex::new(HashMap::new()),
            remote: Mutex::new(HashMap::new()),
        });
        rooms.insert(room, channel.clone());
        tokio::spawn(fan_out(
            self.store.clone(),
            Arc::downgrade(&channel),
            head,
            announced_rx,
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

/// Broadcasts a room's committed messages in sequence order: whenever a
/// higher sequence number is announced, reads everything after the last
/// one sent from the database. Ends when the channel is gone.
async fn fan_out(
    store: Arc<dyn Store>,
    channel: std::sync::Weak<RoomChannel>,
    mut sent: u64,
    mut announced: watch::Receiver<u64>,
) {
    let mut last_round = tokio::time::Instant::now() - FAN_OUT_PACE;
    while announced.changed().await.is_ok() {
        // A busy room is fanned out at most once per pace: what was
        // committed meanwhile goes out together, so each socket wakes and
        // writes once for several messages. A quiet room is not delayed.
        tokio::time::sleep_until(last_round + FAN_OUT_PACE).await;
        last_round = tokio::time::Instant::now();
        loop {
            let target = *announced.borrow_and_update();
            if target <= sent {
                break;
            }
            let Some(ch) = channel.upgrade() else { return };
            match store.messages_after(ch.room, sent, FAN_OUT_BATCH).await {
                Ok(messages) if messages.is_empty() => break,
                Ok(messages) => {
                    for m in messages {
                        sent = m.seq;
                        let msg = ServerMsg::Message {
                            room: ch.room.to_string(),
                            message: wire_message(&m),
                        };
                        let _ = ch.tx.send(Frame::new(Some(m.seq), m.author, &msg));
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, room = %ch.room, "fan-out read failed; retrying");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        }
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
}
