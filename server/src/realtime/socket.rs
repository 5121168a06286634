//! One WebSocket connection: the upgrade (session cookie, Origin
//! allow-list, small buffers) and the loop that serves the protocol of
//! `app::realtime` until the client leaves, idles out or is too slow.
//!
//! Each socket is one task running one loop over three sources: frames from
//! the client, frames from its topics (one broadcast receiver per joined
//! room, one for the person's notifications, one per watched dashboard,
//! merged in a `StreamMap`), and the hub's ping clock. It never waits for
//! another socket: a socket that cannot keep up only delays itself, falls
//! behind its rooms' channels and is told to resync, and one whose writes
//! stall for the configured send timeout ([`super::Tuning`]) is closed
//! (the client resumes from its last sequence number).
//!
//! Every idle socket holds its task's future for as long as it is open,
//! so that future is kept small: the loop's state is held once, and
//! whatever large it awaits is boxed (docs/benchmarks.md has the figures).

use super::{wire_message, Frame, Hub, Order, RoomChannel};
use app::{
    api::context::SESSION_USER_KEY,
    domain::{
        ClientMessageId, EventId, MessageText, Role, RoomId, Slug, UserId, MAX_MESSAGE_CHARS,
    },
    ports::StoreError,
    realtime::{
        ClientMsg, ErrorCode, ServerMsg, SocketLimits, HISTORY_PAGE, PRESENCE_PAGE,
        PROTOCOL_VERSION,
    },
};
use axum::{
    extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Json, Router,
};
use futures_util::{FutureExt, SinkExt};
use governor::{
    clock::MonotonicClock, middleware::NoOpMiddleware, state::InMemoryState, state::NotKeyed,
    Quota, RateLimiter,
};
use std::{
    num::NonZeroU32,
    sync::Arc,
    time::{Duration, Instant},
};
use tokio_stream::{
    wrappers::{errors::BroadcastStreamRecvError, BroadcastStream},
    StreamExt, StreamMap,
};
use tower_sessions::Session;

/// Socket read buffer: small, so an idle connection costs little
/// (tungstenite's default is 128 KiB, and it zero-fills the whole buffer
/// on every read, so all of it is resident). Most client frames (hello,
/// join, a short message) fit; a larger one grows the buffer as needed,
/// up to [`MAX_FRAME_BYTES`], read 256 bytes per system call, which at
/// five messages a second costs nothing. 256 instead of 1 KiB saved
/// 0.8 KiB per idle socket (docs/benchmarks.md).
pub const READ_BUFFER: usize = 256;
/// Largest frame (and message) accepted from a client; a bigger one closes
/// the socket with code 1009. A 2,000-character message in JSON fits.
pub const MAX_FRAME_BYTES: usize = 16 * 1024;
/// Bytes of frames gathered before they are written to the network:
/// frames that are ready together go out in one write instead of one
/// system call each (what lets one core feed a 2,000-member room). The
/// buffer only grows on sockets that receive bursts.
pub const WRITE_BUFFER: usize = 8 * 1024;
/// Room frames sent in one batch before the socket flushes and looks at
/// its other sources again (so a busy room cannot starve the client's
/// own requests or the ping).
pub const BATCH: usize = 64;
/// Chat messages per second per socket, sustained.
pub const SENDS_PER_SECOND: u32 = 5;
/// Chat messages that may be sent at once before the rate applies.
pub const SEND_BURST: u32 = 10;
/// Any frames per second per socket, sustained (floods of other messages).
pub const FRAMES_PER_SECOND: u32 = 20;
/// Frames at once before [`FRAMES_PER_SECOND`] applies.
pub const FRAME_BURST: u32 = 40;
/// Refusals in a row after which a flooding socket is closed (code 1008).
pub const MAX_REFUSALS: u32 = 100;
/// Rooms joined at once on one socket.
pub const MAX_ROOMS: usize = 32;
/// Dashboards watched at once on one socket.
pub const MAX_WATCHED: usize = 8;

/// The limits as announced in `welcome`.
pub fn limits(tuning: &super::Tuning) -> SocketLimits {
    SocketLimits {
        max_message_chars: MAX_MESSAGE_CHARS as u32,
        messages_per_second: SENDS_PER_SECOND,
        burst: SEND_BURST,
        max_frame_bytes: MAX_FRAME_BYTES as u32,
        max_rooms: MAX_ROOMS as u32,
        idle_timeout_secs: tuning.idle_timeout.as_secs() as u32,
    }
}

/// What the `/ws` route needs.
pub struct WsContext {
    pub hub: Arc<Hub>,
    /// Origins a browser may open the socket from (as for state-changing requests).
    pub allowed_origins: Arc<Vec<String>>,
}

pub fn routes(ctx: Arc<WsContext>) -> Router<app::ports::AppState> {
    Router::new().route(
        "/ws",
        get(
            move |ws: WebSocketUpgrade, session: Session, headers: HeaderMap| {
                upgrade(ctx.clone(), ws, session, headers)
            },
        ),
    )
}

fn refuse(status: StatusCode, error: &str, detail: &str) -> Response {
    (
        status,
        Json(serde_json::json!({ "error": error, "detail": detail })),
    )
        .into_response()
}

/// Checks the Origin and the session, then switches protocols.
#[tracing::instrument(skip_all)]
async fn upgrade(
    ctx: Arc<WsContext>,
    ws: WebSocketUpgrade,
    session: Session,
    headers: HeaderMap,
) -> Response {
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if !crate::http::origin_allowed(&ctx.allowed_origins, origin, fetch_site) {
        tracing::warn!(origin = ?origin, "WebSocket from another site refused");
        return refuse(
            StatusCode::FORBIDDEN,
            "forbidden",
            "This connection came from another site and was refused.",
        );
    }
    let store = ctx.hub.store().clone();
    let user = match session.get::<UserId>(SESSION_USER_KEY).await.ok().flatten() {
        Some(id) => store.user_by_id(id).await.ok().flatten(),
        None => None,
    };
    let Some(user) = user else {
        return refuse(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "Please sign in to continue.",
        );
    };
    let hidden = match store.hidden_users(user.id).await {
        Ok(h) => h.into_iter().collect(),
        Err(e) => {
            tracing::error!(error = %e, "could not read blocks");
            return refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Something went wrong on our side. Please try again.",
            );
        }
    };
    // Built here and boxed, so the closure handed to axum holds one
    // pointer: what a closure captures stays in axum's task for the
    // socket's whole life, beside the copy the loop works on.
    let connection = Box::new(Connection {
        hub: ctx.hub.clone(),
        me: user.id,
        session_id: session.id().map(|id| id.to_string()),
        expires: session.expiry_date().unix_timestamp(),
        name: user.display_name,
        hidden,
        greeted: false,
        joined: JoinedRooms::default(),
        // Personal notifications and one room: what nearly every socket
        // holds (a default map would reserve four).
        streams: StreamMap::with_capacity(2),
        sends: limiter(SENDS_PER_SECOND, SEND_BURST),
        frames: limiter(FRAMES_PER_SECOND, FRAME_BURST),
        refusals: 0,
        last_heard: Instant::now(),
    });
    let tuning = ctx.hub.tuning;
    let send_timeout = tuning.send_timeout;
    ws.read_buffer_size(READ_BUFFER)
        .write_buffer_size(WRITE_BUFFER)
        .max_write_buffer_size(tuning.max_write_buffer as usize)
        .max_message_size(MAX_FRAME_BYTES)
        .max_frame_size(MAX_FRAME_BYTES)
        .on_upgrade(move |ws| connection.run(Wire { ws, send_timeout }))
}

/// One socket's rate limit. On the standard library's clock: governor's
/// default (quanta) clock carries its calibration in every limiter, about
/// 50 bytes more per limiter, and a socket has two for its whole life.
type Limiter = RateLimiter<NotKeyed, InMemoryState, MonotonicClock, NoOpMiddleware<Instant>>;

fn limiter(per_second: u32, burst: u32) -> Limiter {
    let nz = |n: u32| NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN);
    RateLimiter::direct_with_clock(
        Quota::per_second(nz(per_second)).allow_burst(nz(burst)),
        MonotonicClock,
    )
}

/// What a socket listens to besides the client.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Topic {
    /// A joined room.
    Room(RoomId),
    /// The person's own notifications (sent after `hello`) and orders to
    /// close when their session ends.
    Me,
    /// The dashboard of an event (organizers and staff).
    Dashboard(EventId),
}

/// A room joined on this socket.
struct Joined {
    channel: Arc<RoomChannel>,
    /// The room's event: removal from it ends the subscription.
    event: EventId,
    /// The highest sequence number sent to the client; live messages at or
    /// below it were replayed already and are dropped.
    delivered: u64,
}

/// The rooms joined on this socket, by id. A short vector, not a map: a
/// socket is in one room or a few (at most [`MAX_ROOMS`]), and a map's
/// smallest table has four slots, ~170 bytes more in every idle socket.
#[derive(Default)]
struct JoinedRooms(Vec<(RoomId, Joined)>);

impl JoinedRooms {
    fn get_mut(&mut self, room: &RoomId) -> Option<&mut Joined> {
        self.0.iter_mut().find(|(id, _)| id == room).map(|(_, j)| j)
    }

    fn contains_key(&self, room: &RoomId) -> bool {
        self.0.iter().any(|(id, _)| id == room)
    }

    fn len(&self) -> usize {
        self.0.len()
    }

    /// Adds the room, or replaces it when joined again. The first room
    /// reserves one slot only (a vector would reserve four).
    fn insert(&mut self, room: RoomId, joined: Joined) {
        if let Some(j) = self.get_mut(&room) {
            *j = joined;
            return;
        }
        if self.0.capacity() == 0 {
            self.0.reserve_exact(1);
        }
        self.0.push((room, joined));
    }

    fn remove(&mut self, room: &RoomId) -> Option<Joined> {
        let at = self.0.iter().position(|(id, _)| id == room)?;
        Some(self.0.swap_remove(at).1)
    }

    fn iter(&self) -> impl Iterator<Item = (&RoomId, &Joined)> {
        self.0.iter().map(|(id, j)| (id, j))
    }

    fn keys(&self) -> impl Iterator<Item = &RoomId> {
        self.0.iter().map(|(id, _)| id)
    }
}

/// Why the loop stops.
enum Stop {
    /// The client went away or a write failed; nothing more can be sent.
    Gone,
    /// Close with this code and reason.
    Close(u16, &'static str),
}

type Flow = Result<(), Stop>;

/// What a topic's stream yields.
type TopicItem = Result<Frame, BroadcastStreamRecvError>;

struct Connection {
    hub: Arc<Hub>,
    me: UserId,
    /// The session the socket was opened with: signing out of it closes
    /// the socket.
    session_id: Option<String>,
    /// When that session expires (Unix seconds): the socket closes then.
    expires: i64,
    name: String,
    /// People blocked either way with me: their messages and presence are
    /// not sent to me (reloaded at every join). A boxed slice, not a set:
    /// it is nearly always empty or short, and it sits in every socket.
    hidden: Box<[UserId]>,
    /// `hello` with a supported version was received.
    greeted: bool,
    joined: JoinedRooms,
    streams: StreamMap<Topic, BroadcastStream<Frame>>,
    sends: Limiter,
    frames: Limiter,
    /// Refusals since the last accepted frame; a flood ends the socket.
    refusals: u32,
    /// When the client last sent anything (a pong counts): checked
    /// against the idle timeout at each ping.
    last_heard: Instant,
}

/// The socket as the loop writes to it: every write gives up after the
/// configured send timeout, so a client that stopped reading cannot hold
/// its task (or the server's memory) for long.
struct Wire {
    ws: WebSocket,
    send_timeout: Duration,
}

/// Runs `writes`, closing the socket as too slow if they take longer
/// than `limit` (the client stopped reading).
async fn within(limit: Duration, writes: impl std::future::Future<Output = Flow>) -> Flow {
    tokio::time::timeout(limit, writes)
        .await
        .unwrap_or(Err(Stop::Close(1008, "too slow: write timed out")))
}

impl Wire {
    /// Sends one frame now (written and flushed).
    async fn send(&mut self, message: Message) -> Flow {
        let write = async { self.ws.send(message).await.map_err(|_| Stop::Gone) };
        within(self.send_timeout, write).await
    }

    async fn send_text(&mut self, text: Utf8Bytes) -> Flow {
        self.send(Message::Text(text)).await
    }

    async fn send_msg(&mut self, msg: &ServerMsg) -> Flow {
        self.send_text(Frame::new(None, None, msg).json).await
    }

    /// Queues a frame without flushing (the caller's batch flushes and
    /// bounds the time). Waits only while the network is blocked.
    async fn feed(&mut self, text: Utf8Bytes) -> Flow {
        self.feed_msg(Message::Text(text)).await
    }

    async fn feed_msg(&mut self, message: Message) -> Flow {
        self.ws.feed(message).await.map_err(|_| Stop::Gone)
    }
}

fn error(code: ErrorCode, message: impl Into<String>) -> ServerMsg {
    ServerMsg::error(code, message)
}

fn error_in(
    code: ErrorCode,
    message: impl Into<String>,
    room: &str,
    limit: Option<u64>,
) -> ServerMsg {
    ServerMsg::Error {
        code,
        message: message.into(),
        limit,
        room: Some(room.to_owned()),
        client_id: None,
    }
}

impl Connection {
    /// Serves the socket until it ends. Not an `async fn`: such a function
    /// keeps its arguments twice in its future (the arguments, and the
    /// locals they are moved into), and this future is what every idle
    /// socket costs; an `async move` block works on its captures in place.
    /// The connection is unboxed once into the future, and its box freed
    /// at once: a box moved out of with `*` is freed only when it goes out
    /// of scope, which for a captured one is when the socket ends.
    #[expect(
        clippy::manual_async_fn,
        reason = "an async fn keeps its arguments twice"
    )]
    fn run(self: Box<Self>, mut socket: Wire) -> impl std::future::Future<Output = ()> + Send {
        async move {
            let mut this = {
                let boxed = self;
                *boxed
            };
            this.serve(&mut socket).await;
        }
    }

    async fn serve(&mut self, socket: &mut Wire) {
        // From the start, so signing out closes even a socket that never
        // said hello; notifications are sent only after it did.
        let rx = self.hub.personal.user(self.me);
        self.streams.insert(Topic::Me, BroadcastStream::new(rx));
        // The hub's clock pings through the personal channel just joined.
        self.hub.start_ping_clock();
        let stop = loop {
            let flow = tokio::select! {
                incoming = socket.ws.recv() => match incoming {
                    None => Err(Stop::Gone),
                    Some(Err(e)) => {
                        // tungstenite reports an oversized frame as a capacity error.
                        let text = e.to_string();
                        if text.contains("too long") || text.contains("Space limit") {
                            Err(Stop::Close(1009, "frame larger than 16384 bytes"))
                        } else {
                            Err(Stop::Gone)
                        }
                    }
                    Some(Ok(frame)) => {
                        self.last_heard = Instant::now();
                        // Boxed: a handler's future (store calls, history)
                        // is large, and inlined it would sit in every idle
                        // socket's task for the socket's whole life.
                        Box::pin(self.on_client_frame(socket, frame)).await
                    }
                },
                Some((topic, item)) = self.streams.next(), if !self.streams.is_empty() => {
                    // Boxed too: with its timeout and batch it would make
                    // every idle socket's task ~3 KiB larger.
                    Box::pin(self.on_topics(socket, topic, item)).await
                }
            };
            if let Err(stop) = flow {
                break stop;
            }
        };
        if let Stop::Close(code, reason) = stop {
            let close = Message::Close(Some(CloseFrame {
                code,
                reason: reason.into(),
            }));
            let _ = Box::pin(tokio::time::timeout(
                Duration::from_secs(1),
                socket.ws.send(close),
            ))
            .await;
        }
        self.leave_all();
    }

    /// Sends what the topics hold: the frame `item` of `topic`, then those
    /// already waiting (up to [`BATCH`] in all), with one flush, the whole
    /// batch bounded by the send timeout. Under load a socket is woken
    /// less often than frames arrive; taking what is ready is what keeps
    /// it from falling behind.
    async fn on_topics(&mut self, socket: &mut Wire, topic: Topic, item: TopicItem) -> Flow {
        let limit = socket.send_timeout;
        let batch = async {
            let mut next = Some((topic, item));
            let mut taken = 0;
            while let Some((topic, item)) = next.take() {
                match topic {
                    Topic::Room(room) => self.on_room_frame(socket, room, item).await?,
                    Topic::Me | Topic::Dashboard(_) => {
                        Box::pin(self.on_other_frame(socket, topic, item)).await?
                    }
                }
                taken += 1;
                if taken < BATCH {
                    // `None`: nothing ready now; `Some(None)`: no topics left.
                    next = self.streams.next().now_or_never().flatten();
                }
            }
            socket.ws.flush().await.map_err(|_| Stop::Gone)
        };
        within(limit, batch).await
    }

    /// Leaves every room (presence, channels) and drops every other
    /// topic when the socket ends.
    fn leave_all(&mut self) {
        let rooms: Vec<RoomId> = self.joined.keys().copied().collect();
        for room in rooms {
            self.leave(room);
        }
        let topics: Vec<Topic> = self.streams.keys().copied().collect();
        for topic in topics {
            self.drop_topic(topic);
        }
    }

    /// Stops listening to a personal or dashboard topic; false if it was not.
    fn drop_topic(&mut self, topic: Topic) -> bool {
        if self.streams.remove(&topic).is_none() {
            return false;
        }
        match topic {
            Topic::Me => self.hub.personal.release_user(self.me),
            Topic::Dashboard(event) => self.hub.personal.release_dashboard(event),
            Topic::Room(room) => self.hub.release(room),
        }
        true
    }

    fn leave(&mut self, room: RoomId) -> bool {
        self.streams.remove(&Topic::Room(room));
        match self.joined.remove(&room) {
            Some(j) => {
                j.channel.depart(self.me);
                drop(j);
                self.hub.release(room);
                true
            }
            None => false,
        }
    }

    /// Leaves every joined room of `event` (I was removed from it), telling
    /// the client why for each.
    async fn leave_event(&mut self, socket: &mut Wire, event: EventId) -> Flow {
        let rooms: Vec<RoomId> = self
            .joined
            .iter()
            .filter(|(_, j)| j.event == event)
            .map(|(id, _)| *id)
            .collect();
        for room in rooms {
            self.leave(room);
            let raw = room.to_string();
            let msg = error_in(
                ErrorCode::Forbidden,
                "You are no longer a member of this event.",
                &raw,
                None,
            );
            socket.send_msg(&msg).await?;
            socket.send_msg(&ServerMsg::Left { room: raw }).await?;
        }
        Ok(())
    }

    async fn refuse(&mut self, socket: &mut Wire, msg: ServerMsg) -> Flow {
        self.refusals += 1;
        if self.refusals > MAX_REFUSALS {
            return Err(Stop::Close(1008, "too many refused messages"));
        }
        socket.send_msg(&msg).await
    }

    async fn on_client_frame(&mut self, socket: &mut Wire, frame: Message) -> Flow {
        let text = match frame {
            Message::Text(t) => t,
            Message::Binary(_) => {
                return self
                    .refuse(
                        socket,
                        error(
                            ErrorCode::BadMessage,
                            "Binary frames are not accepted; send JSON text frames.",
                        ),
                    )
                    .await
            }
            Message::Close(_) => return Err(Stop::Gone),
            Message::Ping(_) | Message::Pong(_) => return Ok(()),
        };
        if self.frames.check().is_err() {
            let msg = ServerMsg::Error {
                code: ErrorCode::RateLimited,
                message: format!(
                    "Too many messages: at most {FRAMES_PER_SECOND} frames per second."
                ),
                limit: Some(u64::from(FRAMES_PER_SECOND)),
                room: None,
                client_id: None,
            };
            return self.refuse(socket, msg).await;
        }
        let msg: ClientMsg = match serde_json::from_str(text.as_str()) {
            Ok(m) => m,
            Err(e) => {
                let msg = error(
                    ErrorCode::BadMessage,
                    format!("Not a protocol message: {e}."),
                );
                return self.refuse(socket, msg).await;
            }
        };
        if !self.greeted && !matches!(msg, ClientMsg::Hello { .. }) {
            let msg = error(
                ErrorCode::BadMessage,
                "Send hello with your protocol version first.",
            );
            return self.refuse(socket, msg).await;
        }
        match msg {
            ClientMsg::Hello { version } => {
                if version != PROTOCOL_VERSION {
                    let msg = ServerMsg::Error {
                        code: ErrorCode::UnsupportedVersion,
                        message: format!(
                            "This server speaks protocol version {PROTOCOL_VERSION}, not {version}."
                        ),
                        limit: Some(u64::from(PROTOCOL_VERSION)),
                        room: None,
                        client_id: None,
                    };
                    return self.refuse(socket, msg).await;
                }
                self.greeted = true;
                self.refusals = 0;
                let welcome = ServerMsg::Welcome {
                    version: PROTOCOL_VERSION,
                    user_id: self.me.to_string(),
                    limits: limits(&self.hub.tuning),
                };
                socket.send_msg(&welcome).await
            }
            ClientMsg::Join { room, last_seq } => self.join(socket, &room, last_seq).await,
            ClientMsg::Leave { room } => match RoomId::parse(&room) {
                Ok(id) if self.leave(id) => socket.send_msg(&ServerMsg::Left { room }).await,
                _ => {
                    let msg = error_in(
                        ErrorCode::NotJoined,
                        "You are not in that room.",
                        &room,
                        None,
                    );
                    self.refuse(socket, msg).await
                }
            },
            ClientMsg::Send {
                room,
                client_id,
                text,
            } => self.post(socket, room, client_id, text).await,
            ClientMsg::History { room, before } => self.history(socket, &room, before).await,
            ClientMsg::Ping => socket.send_msg(&ServerMsg::Pong).await,
            ClientMsg::Watch { event } => self.watch(socket, event).await,
            ClientMsg::Unwatch { event } => {
                let id = match Slug::parse(&event) {
                    Ok(slug) => match self.hub.store().event_by_slug(&slug).await {
                        Ok(e) => e.map(|e| e.id),
                        Err(e) => return self.internal(socket, e).await,
                    },
                    Err(_) => None,
                };
                if id.is_some_and(|id| self.drop_topic(Topic::Dashboard(id))) {
                    Ok(())
                } else {
                    let msg = error(ErrorCode::BadMessage, "You are not watching that event.");
                    self.refuse(socket, msg).await
                }
            }
        }
    }

    /// Starts sending `event`'s dashboard changes, for its organizers and staff.
    async fn watch(&mut self, socket: &mut Wire, event: String) -> Flow {
        let forbidden = || {
            error(
                ErrorCode::Forbidden,
                "Only the organizers and staff of that event can watch its dashboard.",
            )
        };
        let Ok(slug) = Slug::parse(&event) else {
            return self.refuse(socket, forbidden()).await;
        };
        let store = self.hub.store().clone();
        let found = match store.event_by_slug(&slug).await {
            Ok(e) => e,
            Err(e) => return self.internal(socket, e).await,
        };
        let Some(found) = found else {
            return self.refuse(socket, forbidden()).await;
        };
        match store.member_role(found.id, self.me).await {
            Ok(Some(Role::Organizer | Role::Staff)) => {}
            Ok(_) => return self.refuse(socket, forbidden()).await,
            Err(e) => return self.internal(socket, e).await,
        }
        let topic = Topic::Dashboard(found.id);
        let watched = self
            .streams
            .keys()
            .filter(|t| matches!(t, Topic::Dashboard(_)))
            .count();
        if !self.streams.contains_key(&topic) {
            if watched >= MAX_WATCHED {
                let msg = ServerMsg::Error {
                    code: ErrorCode::TooManyRooms,
                    message: format!("At most {MAX_WATCHED} dashboards at once on one connection."),
                    limit: Some(MAX_WATCHED as u64),
                    room: None,
                    client_id: None,
                };
                return self.refuse(socket, msg).await;
            }
            let rx = self.hub.personal.dashboard(found.id);
            self.streams.insert(topic, BroadcastStream::new(rx));
        }
        self.refusals = 0;
        socket.send_msg(&ServerMsg::Watching { event }).await
    }

    /// Queues a personal or dashboard frame (the batch flushes); one missed
    /// because the socket was behind is not worth a resync (they are hints,
    /// not history).
    async fn on_other_frame(
        &mut self,
        socket: &mut Wire,
        topic: Topic,
        item: Result<Frame, BroadcastStreamRecvError>,
    ) -> Flow {
        match item {
            Ok(Frame {
                order: Some(Order::EndSession(ended)),
                ..
            }) => {
                let mine = ended.is_empty() || self.session_id.as_deref() == Some(&*ended);
                if mine {
                    Err(Stop::Close(1008, "signed out"))
                } else {
                    Ok(())
                }
            }
            Ok(Frame {
                order: Some(Order::LeaveEvent(event)),
                ..
            }) => self.leave_event(socket, event).await,
            Ok(Frame {
                order: Some(Order::Ping),
                ..
            }) => {
                if self.last_heard.elapsed() > self.hub.tuning.idle_timeout {
                    Err(Stop::Close(1001, "idle timeout"))
                } else if chrono::Utc::now().timestamp() > self.expires {
                    Err(Stop::Close(1008, "session expired"))
                } else {
                    socket.feed_msg(Message::Ping(Default::default())).await
                }
            }
            Ok(_) if !self.greeted => Ok(()),
            Ok(frame) => socket.feed(frame.json).await,
            Err(BroadcastStreamRecvError::Lagged(missed)) => {
                tracing::info!(?topic, missed, "socket missed notifications");
                Ok(())
            }
        }
    }

    /// The room `raw` names if this socket joined it.
    fn joined_room(&self, raw: &str) -> Option<RoomId> {
        RoomId::parse(raw)
            .ok()
            .filter(|id| self.joined.contains_key(id))
    }

    async fn join(&mut self, socket: &mut Wire, raw: &str, last_seq: Option<u64>) -> Flow {
        let unknown = |raw: &str| {
            error_in(
                ErrorCode::UnknownRoom,
                "That room does not exist or is not in one of your events.",
                raw,
                None,
            )
        };
        let Ok(id) = RoomId::parse(raw) else {
            return self.refuse(socket, unknown(raw)).await;
        };
        if !self.joined.contains_key(&id) && self.joined.len() >= MAX_ROOMS {
            let msg = error_in(
                ErrorCode::TooManyRooms,
                format!("At most {MAX_ROOMS} rooms at once on one connection."),
                raw,
                Some(MAX_ROOMS as u64),
            );
            return self.refuse(socket, msg).await;
        }
        let store = self.hub.store().clone();
        let room = match store.room(id).await {
            Ok(Some(r)) => r,
            Ok(None) => return self.refuse(socket, unknown(raw)).await,
            Err(e) => return self.internal(socket, e).await,
        };
        match store.member_role(room.event, self.me).await {
            Ok(Some(_)) => {}
            Ok(None) => return self.refuse(socket, unknown(raw)).await,
            Err(e) => return self.internal(socket, e).await,
        }
        if room.closed {
            let msg = error_in(
                ErrorCode::RoomClosed,
                "This room is closed; its history stays readable on its page.",
                raw,
                None,
            );
            return self.refuse(socket, msg).await;
        }
        match store.hidden_users(self.me).await {
            Ok(h) => self.hidden = h.into_iter().collect(),
            Err(e) => return self.internal(socket, e).await,
        }
        // Subscribe before reading history, so every message committed
        // from now on also arrives live; replayed ones are dropped below.
        self.streams.remove(&Topic::Room(id));
        let (channel, rx) = self.hub.subscribe(id, room.last_seq);
        let rejoin = self.joined.contains_key(&id);
        if !rejoin {
            channel.arrive(self.me, &self.name);
            if let Err(e) = store.record_join(id, self.me).await {
                tracing::warn!(error = %e, "could not record a room join");
            }
        }
        let mut members: Vec<_> = channel
            .members()
            .into_iter()
            .filter(|(u, _)| !self.hidden.contains(u))
            .map(|(_, m)| m)
            .collect();
        // The first page in `joined`, the rest in `members` frames (see
        // `ServerMsg::Members` for why never one big frame).
        let more = members.split_off(members.len().min(PRESENCE_PAGE));
        self.joined.insert(
            id,
            Joined {
                channel,
                event: room.event,
                delivered: 0,
            },
        );
        self.refusals = 0;
        let joined = ServerMsg::Joined {
            room: raw.to_owned(),
            last_seq: room.last_seq,
            closed: room.closed,
            members,
        };
        socket.send_msg(&joined).await?;
        for page in more.chunks(PRESENCE_PAGE) {
            let msg = ServerMsg::Members {
                room: raw.to_owned(),
                members: page.to_vec(),
            };
            socket.send_msg(&msg).await?;
        }
        // A client cannot have seen more than the room holds.
        let mut cursor = last_seq.map(|s| s.min(room.last_seq));
        let batch = match cursor {
            Some(after) => store.messages_after(id, after, 500).await,
            None => store.messages_before(id, u64::MAX, HISTORY_PAGE).await,
        };
        let mut batch = match batch {
            Ok(b) => b,
            Err(e) => return self.internal(socket, e).await,
        };
        let mut upto = cursor.unwrap_or(0);
        loop {
            if batch.is_empty() {
                break;
            }
            for m in &batch {
                upto = m.seq;
                if m.author.is_some_and(|a| self.hidden.contains(&a)) {
                    continue;
                }
                let msg = ServerMsg::Message {
                    room: raw.to_owned(),
                    message: wire_message(m),
                };
                socket.send_msg(&msg).await?;
            }
            if cursor.is_none() {
                break;
            }
            cursor = Some(upto);
            batch = match store.messages_after(id, upto, 500).await {
                Ok(b) => b,
                Err(e) => return self.internal(socket, e).await,
            };
        }
        if let Some(j) = self.joined.get_mut(&id) {
            j.delivered = upto;
        }
        self.streams
            .insert(Topic::Room(id), BroadcastStream::new(rx));
        socket
            .send_msg(&ServerMsg::CaughtUp {
                room: raw.to_owned(),
                seq: upto,
            })
            .await
    }

    async fn post(
        &mut self,
        socket: &mut Wire,
        room: String,
        client_id: String,
        text: String,
    ) -> Flow {
        let refusal = |code, message: String, limit: Option<u64>| ServerMsg::Error {
            code,
            message,
            limit,
            room: Some(room.clone()),
            client_id: Some(client_id.clone()),
        };
        if self.sends.check().is_err() {
            let msg = refusal(
                ErrorCode::RateLimited,
                format!(
                    "Too many messages: at most {SENDS_PER_SECOND} per second (bursts of {SEND_BURST})."
                ),
                Some(u64::from(SENDS_PER_SECOND)),
            );
            return self.refuse(socket, msg).await;
        }
        let Some(id) = self.joined_room(&room) else {
            let msg = refusal(
                ErrorCode::NotJoined,
                "Join the room before posting to it.".into(),
                None,
            );
            return self.refuse(socket, msg).await;
        };
        let Ok(cid) = ClientMessageId::parse(&client_id) else {
            let msg = refusal(
                ErrorCode::BadClientId,
                "A client_id is 8 to 64 letters, digits, '-' or '_'.".into(),
                Some(64),
            );
            return self.refuse(socket, msg).await;
        };
        if text.chars().count() > MAX_MESSAGE_CHARS {
            let msg = refusal(
                ErrorCode::MessageTooLong,
                format!("A message can be at most {MAX_MESSAGE_CHARS} characters long."),
                Some(MAX_MESSAGE_CHARS as u64),
            );
            return self.refuse(socket, msg).await;
        }
        let body = match MessageText::parse("text", &text) {
            Ok(b) => b,
            Err(e) => {
                let msg = refusal(ErrorCode::BadMessage, e.message, None);
                return self.refuse(socket, msg).await;
            }
        };
        let store = self.hub.store().clone();
        match store.muted_until(id, self.me, app::domain::now_utc()).await {
            Ok(Some(until)) => {
                let msg = refusal(
                    ErrorCode::Muted,
                    format!(
                        "A moderator muted you in this room until {} UTC.",
                        until.format("%H:%M")
                    ),
                    None,
                );
                return self.refuse(socket, msg).await;
            }
            Ok(None) => {}
            Err(e) => return self.internal(socket, e).await,
        }
        match store.post_message(id, self.me, &cid, &body).await {
            Ok(posted) => {
                let seq = posted.message().seq;
                // Announced for a repeat too: harmless, and it covers a
                // crash between the first attempt's commit and announcement.
                app::ports::LiveRooms::announce(self.hub.as_ref(), id, seq);
                self.refusals = 0;
                socket
                    .send_msg(&ServerMsg::Ack {
                        room,
                        client_id,
                        seq,
                    })
                    .await
            }
            Err(StoreError::Conflict(_)) => {
                let msg = refusal(
                    ErrorCode::RoomClosed,
                    "This room is closed: no new messages.".into(),
                    None,
                );
                self.refuse(socket, msg).await
            }
            Err(StoreError::NotFound) => {
                let msg = refusal(
                    ErrorCode::UnknownRoom,
                    "That room no longer exists.".into(),
                    None,
                );
                self.refuse(socket, msg).await
            }
            Err(e) => self.internal(socket, e).await,
        }
    }

    async fn history(&mut self, socket: &mut Wire, raw: &str, before: u64) -> Flow {
        let Some(id) = self.joined_room(raw) else {
            let msg = error_in(
                ErrorCode::NotJoined,
                "Join the room to read its history.",
                raw,
                None,
            );
            return self.refuse(socket, msg).await;
        };
        let store = self.hub.store().clone();
        let mut page = match store.messages_before(id, before, HISTORY_PAGE + 1).await {
            Ok(p) => p,
            Err(e) => return self.internal(socket, e).await,
        };
        let mut more = page.len() > HISTORY_PAGE as usize;
        if more {
            page.remove(0);
        }
        // The page must fit the write buffer whatever the messages' length
        // (50 long messages are far bigger than 50 short ones): the newest
        // that fit in half of it are sent, and `more` sends the client back
        // for the rest. One message always fits.
        let budget = self.hub.tuning.max_write_buffer as usize / 2;
        let mut used = 0;
        let mut messages = vec![];
        for m in page.iter().rev() {
            if m.author.is_some_and(|a| self.hidden.contains(&a)) {
                continue;
            }
            let wire = wire_message(m);
            used += serde_json::to_vec(&wire).map_or(0, |j| j.len() + 1);
            if used > budget && !messages.is_empty() {
                more = true;
                break;
            }
            messages.push(wire);
        }
        messages.reverse();
        socket
            .send_msg(&ServerMsg::History {
                room: raw.to_owned(),
                messages,
                more,
            })
            .await
    }

    async fn on_room_frame(
        &mut self,
        socket: &mut Wire,
        room: RoomId,
        item: Result<Frame, BroadcastStreamRecvError>,
    ) -> Flow {
        match item {
            Ok(frame) => {
                if frame
                    .about
                    .is_some_and(|u| self.hidden.contains(&u) || (u == self.me && !frame.to_self))
                {
                    return Ok(());
                }
                if let Some(seq) = frame.seq {
                    let Some(j) = self.joined.get_mut(&room) else {
                        return Ok(());
                    };
                    if seq <= j.delivered {
                        return Ok(());
                    }
                    j.delivered = seq;
                }
                socket.feed(frame.json).await
            }
            Err(BroadcastStreamRecvError::Lagged(missed)) => {
                tracing::info!(%room, missed, "socket fell behind a room; asking it to resync");
                self.leave(room);
                socket
                    .send_msg(&ServerMsg::Resync {
                        room: room.to_string(),
                    })
                    .await
            }
        }
    }

    async fn internal(&mut self, socket: &mut Wire, e: StoreError) -> Flow {
        tracing::error!(error = %e, "store failed on a socket");
        socket
            .send_msg(&error(
                ErrorCode::Internal,
                "Something went wrong on our side. Please try again.",
            ))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::{Connection, Wire};
    use std::mem::size_of;

    /// The size of the future `f` returns, without calling it.
    fn future_size<A, B, F>(_: fn(A, B) -> F) -> usize {
        size_of::<F>()
    }

    /// Every idle socket holds this future for its whole life, so it must
    /// keep the connection and the socket once (an `async fn` taking them
    /// by value would keep each twice) and box everything large it awaits
    /// (handlers, the batch of room frames, the ping). In a debug build
    /// the loop's own state (the ping clock's wait, the select) is ~370
    /// bytes; the connection alone is ~290, a handler inline thousands.
    #[test]
    fn the_socket_future_holds_its_state_once() {
        let state = size_of::<Connection>() + size_of::<Wire>();
        let future = future_size(Connection::run);
        assert!(
            future <= state + 512,
            "the socket future is {future} bytes for {state} bytes of state"
        );
    }
}
