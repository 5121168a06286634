//! What each client frame does: one function per `ClientMsg` type
//! (`hello`, `join`, `leave`, `send`, `history`, `ping`, `watch`,
//! `unwatch`), called by the connection loop ([`super::connection`]) for
//! every text frame that passed the frame rate limit. The room rules
//! themselves (who may enter, post, what is refused) are decided by
//! `app::service::rooms`; these functions turn its answers into frames.

use super::{
    connection::{error, error_in, Connection, Flow, Socket, Stop, Topic, Wire},
    subscriptions::Joined,
    upgrade::{FRAMES_PER_SECOND, MAX_FRAME_BYTES, SENDS_PER_SECOND, SEND_BURST},
    wire_message,
};
use app::{
    domain::{Role, RoomId, Slug, MAX_MESSAGE_CHARS},
    realtime::{
        ClientMsg, ErrorCode, ServerMsg, SocketLimits, HISTORY_PAGE, PRESENCE_PAGE,
        PROTOCOL_VERSION,
    },
    service::rooms::{self, RoomError},
};
use axum::extract::ws::Message;
use tokio_stream::wrappers::BroadcastStream;

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

/// The `room` and `client_id` of a frame that was refused before it was
/// read as a protocol message (too many frames, or a field of the wrong
/// type), when it is a JSON object holding them: so the client can tell
/// which outbox entry the refusal is about. A number is given as its
/// decimal text (the protocol's ids are strings).
fn ids_of(text: &str) -> (Option<String>, Option<String>) {
    let Ok(serde_json::Value::Object(fields)) = serde_json::from_str(text) else {
        return (None, None);
    };
    let field = |name: &str| match fields.get(name)? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    (field("room"), field("client_id"))
}

impl Connection {
    /// Answers one frame of the client. A frame answered without a refusal
    /// ends a run of refusals: [`super::connection::MAX_REFUSALS`] counts
    /// refusals *in a row*, so a `ping` between two refusals starts the
    /// count again (the frame rate limit bounds a flood either way).
    pub(super) async fn on_client_frame<S: Socket>(
        &mut self,
        socket: &mut Wire<S>,
        frame: Message,
    ) -> Flow {
        let refused = self.refusals;
        let flow = self.answer(socket, frame).await;
        if self.refusals == refused {
            self.refusals = 0;
        }
        flow
    }

    async fn answer<S: Socket>(&mut self, socket: &mut Wire<S>, frame: Message) -> Flow {
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
            let (room, client_id) = ids_of(text.as_str());
            let msg = ServerMsg::Error {
                code: ErrorCode::RateLimited,
                message: format!(
                    "Too many messages: at most {FRAMES_PER_SECOND} frames per second."
                ),
                limit: Some(u64::from(FRAMES_PER_SECOND)),
                room,
                client_id,
            };
            return self.refuse(socket, msg).await;
        }
        let msg: ClientMsg = match serde_json::from_str(text.as_str()) {
            Ok(m) => m,
            Err(e) => {
                let (room, client_id) = ids_of(text.as_str());
                let msg = ServerMsg::Error {
                    code: ErrorCode::BadMessage,
                    message: format!("Not a protocol message: {e}."),
                    limit: None,
                    room,
                    client_id,
                };
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
            ClientMsg::DmOpen { with, last_seq } => self.dm_open(socket, with, last_seq).await,
            ClientMsg::DmSend {
                with,
                client_id,
                text,
            } => self.dm_send(socket, with, client_id, text).await,
            ClientMsg::DmRead { with, seq } => self.dm_read(socket, with, seq).await,
            ClientMsg::DmClose { with } => self.dm_close(socket, with).await,
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
    async fn watch<S: Socket>(&mut self, socket: &mut Wire<S>, event: String) -> Flow {
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

    /// The room `raw` names if this socket joined it.
    fn joined_room(&self, raw: &str) -> Option<RoomId> {
        RoomId::parse(raw)
            .ok()
            .filter(|id| self.joined.contains_key(id))
    }

    async fn join<S: Socket>(
        &mut self,
        socket: &mut Wire<S>,
        raw: &str,
        last_seq: Option<u64>,
    ) -> Flow {
        if RoomId::parse(raw).is_ok_and(|id| !self.joined.contains_key(&id))
            && self.joined.len() >= MAX_ROOMS
        {
            let msg = error_in(
                ErrorCode::TooManyRooms,
                format!("At most {MAX_ROOMS} rooms at once on one connection."),
                raw,
                Some(MAX_ROOMS as u64),
            );
            return self.refuse(socket, msg).await;
        }
        let store = self.hub.store().clone();
        let entered = match rooms::room_for_member(store.as_ref(), self.me, raw).await {
            Ok((room, _)) => rooms::may_enter(&room).map(|()| room),
            Err(e) => Err(e),
        };
        let room = match entered {
            Ok(room) => room,
            Err(e) => return self.refuse_room(socket, e, raw, None).await,
        };
        let id = room.id;
        match rooms::hidden_from(store.as_ref(), self.me).await {
            Ok(h) => self.hidden = h,
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
            .filter(|(u, _)| rooms::shown(&self.hidden, Some(*u)))
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
                if !rooms::shown(&self.hidden, m.author) {
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

    async fn post<S: Socket>(
        &mut self,
        socket: &mut Wire<S>,
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
        let store = self.hub.store().clone();
        let posted = match rooms::message(&client_id, &text) {
            Ok((cid, body)) => {
                rooms::post(store.as_ref(), self.hub.as_ref(), id, self.me, &cid, &body).await
            }
            Err(e) => Err(e),
        };
        match posted {
            Ok(posted) => {
                self.refusals = 0;
                let seq = posted.message().seq;
                socket
                    .send_msg(&ServerMsg::Ack {
                        room,
                        client_id,
                        seq,
                    })
                    .await
            }
            Err(RoomError::Store(e)) => self.internal(socket, e).await,
            Err(e) => {
                let msg = refusal(e.code(), e.message(), e.limit());
                self.refuse(socket, msg).await
            }
        }
    }

    async fn history<S: Socket>(&mut self, socket: &mut Wire<S>, raw: &str, before: u64) -> Flow {
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
            if !rooms::shown(&self.hidden, m.author) {
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
}

#[cfg(test)]
mod tests;
