//! One WebSocket connection once it is open: the loop that serves the
//! protocol of `app::realtime` until the client leaves, idles out, is too
//! slow or the server stops. The upgrade that opens it is in
//! [`super::upgrade`]; what each client frame does is in
//! [`super::handlers`], its conversations' state in [`super::direct`], the
//! rooms and conversations it is subscribed to in [`super::subscriptions`].
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
//! The loop is generic over the transport ([`Socket`]: a `Sink` and a
//! `Stream` of WebSocket messages), so it runs on axum's `WebSocket` in
//! the server and on an in-memory pair in the unit tests of
//! [`super::handlers`], without TCP or axum.
//!
//! Every idle socket holds its task's future for as long as it is open,
//! so that future is kept small: the loop's state is held once, and
//! whatever large it awaits is boxed (docs/benchmarks.md has the figures).

use super::{
    subscriptions::{JoinedRooms, OpenDm},
    Frame, Hub, Order,
};
use app::{
    domain::{EventId, RoomId, UserId},
    ports::StoreError,
    realtime::{ErrorCode, ServerMsg},
    service::rooms::{self, RoomError},
};
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes};
use futures_util::{FutureExt, Sink, SinkExt, Stream};
use governor::{
    clock::MonotonicClock, middleware::NoOpMiddleware, state::InMemoryState, state::NotKeyed,
    RateLimiter,
};
use std::{
    sync::Arc,
    time::{Duration, Instant},
};
use tokio_stream::{
    wrappers::{errors::BroadcastStreamRecvError, BroadcastStream},
    StreamExt, StreamMap,
};

/// Room frames sent in one batch before the socket flushes and looks at
/// its other sources again (so a busy room cannot starve the client's
/// own requests or the ping).
pub const BATCH: usize = 64;
/// Refusals in a row after which a flooding socket is closed (code 1008).
pub const MAX_REFUSALS: u32 = 100;
/// The close reason (code 1009) for a message over
/// [`super::upgrade::MAX_FRAME_BYTES`]: the whole message counts, however
/// many frames it was sent in.
pub const TOO_LARGE: &str = "message larger than 16384 bytes";
/// The close reason when the server stops (code 1001): the client
/// reconnects and resumes its rooms with `last_seq` (docs/protocol.md).
pub const GOING_AWAY: &str = "server shutting down";

/// What a connection runs on: a sink and a stream of WebSocket messages
/// (axum's `WebSocket` in the server, an in-memory pair in tests). A read
/// error ends the connection; one that says the frame was too large closes
/// it with code 1009 first.
pub trait Socket:
    Sink<Message> + Stream<Item = Result<Message, <Self as Socket>::ReadError>> + Unpin + Send + 'static
{
    type ReadError: std::fmt::Display + Send;
}

impl<T, E> Socket for T
where
    T: Sink<Message> + Stream<Item = Result<Message, E>> + Unpin + Send + 'static,
    E: std::fmt::Display + Send,
{
    type ReadError = E;
}

/// One socket's rate limit. On the standard library's clock: governor's
/// default (quanta) clock carries its calibration in every limiter, about
/// 50 bytes more per limiter, and a socket has two for its whole life.
pub(super) type Limiter =
    RateLimiter<NotKeyed, InMemoryState, MonotonicClock, NoOpMiddleware<Instant>>;

/// What a socket listens to besides the client.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Topic {
    /// A joined room.
    Room(RoomId),
    /// The person's own notifications (sent after `hello`) and orders to
    /// close when their session ends.
    Me,
    /// The dashboard of an event (organizers and staff).
    Dashboard(EventId),
}

/// Why the loop stops.
pub(super) enum Stop {
    /// The client went away or a write failed; nothing more can be sent.
    Gone,
    /// Close with this code and reason.
    Close(u16, &'static str),
}

pub(super) type Flow = Result<(), Stop>;

/// What a topic's stream yields.
type TopicItem = Result<Frame, BroadcastStreamRecvError>;

pub struct Connection {
    pub(super) hub: Arc<Hub>,
    pub(super) me: UserId,
    /// The session the socket was opened with: signing out of it closes
    /// the socket.
    pub(super) session_id: Option<String>,
    /// When that session expires (Unix seconds): the socket closes then.
    pub(super) expires: i64,
    pub(super) name: String,
    /// People blocked either way with me: their messages and presence are
    /// not sent to me (reloaded at every join). A boxed slice, not a set:
    /// it is nearly always empty or short, and it sits in every socket.
    pub(super) hidden: Box<[UserId]>,
    /// `hello` with a supported version was received.
    pub(super) greeted: bool,
    pub(super) joined: JoinedRooms,
    /// Conversations opened on this socket (`super::direct`).
    pub(super) dms: Vec<OpenDm>,
    pub(super) streams: StreamMap<Topic, BroadcastStream<Frame>>,
    pub(super) sends: Limiter,
    pub(super) frames: Limiter,
    /// Refusals since the last accepted frame; a flood ends the socket.
    pub(super) refusals: u32,
    /// When the client last sent anything (a pong counts): checked
    /// against the idle timeout at each ping.
    pub(super) last_heard: Instant,
    /// Counts the socket among the server's running tasks until it ends,
    /// so a stopping server waits for its close frame to go out.
    pub(super) _running: tokio_util::task::task_tracker::TaskTrackerToken,
}

/// The socket as the loop writes to it: every write gives up after the
/// configured send timeout, so a client that stopped reading cannot hold
/// its task (or the server's memory) for long.
pub struct Wire<S> {
    pub(super) ws: S,
    pub(super) send_timeout: Duration,
}

impl<S> Wire<S> {
    pub fn new(ws: S, send_timeout: Duration) -> Self {
        Self { ws, send_timeout }
    }
}

/// Runs `writes`, closing the socket as too slow if they take longer
/// than `limit` (the client stopped reading).
async fn within(limit: Duration, writes: impl std::future::Future<Output = Flow>) -> Flow {
    tokio::time::timeout(limit, writes)
        .await
        .unwrap_or(Err(Stop::Close(1008, "too slow: write timed out")))
}

impl<S: Socket> Wire<S> {
    /// Sends one frame now (written and flushed).
    pub(super) async fn send(&mut self, message: Message) -> Flow {
        let write = async { self.ws.send(message).await.map_err(|_| Stop::Gone) };
        within(self.send_timeout, write).await
    }

    pub(super) async fn send_text(&mut self, text: Utf8Bytes) -> Flow {
        self.send(Message::Text(text)).await
    }

    pub(super) async fn send_msg(&mut self, msg: &ServerMsg) -> Flow {
        self.send_text(Frame::new(None, None, msg).json).await
    }

    /// Queues a frame without flushing (the caller's batch flushes and
    /// bounds the time). Waits only while the network is blocked.
    pub(super) async fn feed(&mut self, text: Utf8Bytes) -> Flow {
        self.feed_msg(Message::Text(text)).await
    }

    pub(super) async fn feed_msg(&mut self, message: Message) -> Flow {
        self.ws.feed(message).await.map_err(|_| Stop::Gone)
    }
}

pub(super) fn error(code: ErrorCode, message: impl Into<String>) -> ServerMsg {
    ServerMsg::error(code, message)
}

pub(super) fn error_in(
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
    pub fn run<S: Socket>(
        self: Box<Self>,
        mut socket: Wire<S>,
    ) -> impl std::future::Future<Output = ()> + Send {
        async move {
            let mut this = {
                let boxed = self;
                *boxed
            };
            this.serve(&mut socket).await;
        }
    }

    async fn serve<S: Socket>(&mut self, socket: &mut Wire<S>) {
        // From the start, so signing out closes even a socket that never
        // said hello; notifications are sent only after it did.
        let rx = self.hub.personal.user(self.me);
        self.streams.insert(Topic::Me, BroadcastStream::new(rx));
        // The hub's clock pings through the personal channel just joined.
        self.hub.start_ping_clock();
        // Opened as the server began to stop, perhaps after the hub told
        // every socket to go away: this one tells itself.
        if self.hub.shutdown.is_stopping() {
            self.hub.personal.tell(self.me, Order::GoAway);
        }
        let stop = loop {
            let flow = tokio::select! {
                incoming = socket.ws.next() => match incoming {
                    None => Err(Stop::Gone),
                    Some(Err(e)) => {
                        // tungstenite reports an oversized frame as a capacity error.
                        let text = e.to_string();
                        if text.contains("too long") || text.contains("Space limit") {
                            Err(Stop::Close(1009, TOO_LARGE))
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
    async fn on_topics<S: Socket>(
        &mut self,
        socket: &mut Wire<S>,
        topic: Topic,
        item: TopicItem,
    ) -> Flow {
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
    pub(super) fn drop_topic(&mut self, topic: Topic) -> bool {
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

    pub(super) fn leave(&mut self, room: RoomId) -> bool {
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
    async fn leave_event<S: Socket>(&mut self, socket: &mut Wire<S>, event: EventId) -> Flow {
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

    pub(super) async fn refuse<S: Socket>(&mut self, socket: &mut Wire<S>, msg: ServerMsg) -> Flow {
        // Every refusal is answered, the last one before the close too.
        self.refusals += 1;
        socket.send_msg(&msg).await?;
        if self.refusals > MAX_REFUSALS {
            return Err(Stop::Close(1008, "too many refused messages"));
        }
        Ok(())
    }

    /// Answers a room's refusal ([`RoomError`], decided by the rooms
    /// service) about room `raw`, or the store's failure.
    pub(super) async fn refuse_room<S: Socket>(
        &mut self,
        socket: &mut Wire<S>,
        e: RoomError,
        raw: &str,
        client_id: Option<String>,
    ) -> Flow {
        if let RoomError::Store(e) = e {
            return self.internal(socket, e).await;
        }
        let msg = ServerMsg::Error {
            code: e.code(),
            message: e.message(),
            limit: e.limit(),
            room: Some(raw.to_owned()),
            client_id,
        };
        self.refuse(socket, msg).await
    }

    /// Queues a personal or dashboard frame (the batch flushes); one missed
    /// because the socket was behind is not worth a resync (they are hints,
    /// not history).
    async fn on_other_frame<S: Socket>(
        &mut self,
        socket: &mut Wire<S>,
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
                order: Some(Order::GoAway),
                ..
            }) => Err(Stop::Close(1001, GOING_AWAY)),
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
            Ok(frame) => self.on_personal_frame(socket, frame).await,
            Err(BroadcastStreamRecvError::Lagged(missed)) => {
                tracing::info!(?topic, missed, "socket missed notifications");
                self.catch_up_direct(socket).await
            }
        }
    }

    async fn on_room_frame<S: Socket>(
        &mut self,
        socket: &mut Wire<S>,
        room: RoomId,
        item: Result<Frame, BroadcastStreamRecvError>,
    ) -> Flow {
        match item {
            Ok(frame) => {
                if !rooms::shown(&self.hidden, frame.about)
                    || (frame.about == Some(self.me) && !frame.to_self)
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

    pub(super) async fn internal<S: Socket>(
        &mut self,
        socket: &mut Wire<S>,
        e: StoreError,
    ) -> Flow {
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
    use axum::extract::ws::WebSocket;
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
        let state = size_of::<Connection>() + size_of::<Wire<WebSocket>>();
        let future = future_size(Connection::run::<WebSocket>);
        assert!(
            future <= state + 512,
            "the socket future is {future} bytes for {state} bytes of state"
        );
    }
}
