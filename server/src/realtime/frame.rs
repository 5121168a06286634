//! What the hub sends through its channels: a server message serialised
//! once and shared by every socket ([`Frame`]), or an order to the sockets
//! of a personal channel ([`Order`]). A leaf, so the hub, its bus and the
//! connection loop all name it without importing one another.

use app::{
    domain::{ConversationId, EventId, UserId},
    realtime::ServerMsg,
};
use axum::extract::ws::Utf8Bytes;
use std::sync::Arc;

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
    /// For direct messages: their conversation (with `seq`), so a socket
    /// that opened it keeps its stream gap-free (`super::direct`).
    pub direct: Option<ConversationId>,
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
    /// Close with 1001 ("going away"): the server is stopping (to every
    /// socket, see [`super::Hub::go_away`]).
    GoAway,
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
            direct: None,
            json: json.into(),
        }
    }
}

impl Frame {
    /// The frame, but not for the sockets of the person it is about.
    pub(super) fn not_to_self(mut self) -> Self {
        self.to_self = false;
        self
    }
}

/// The frame of a stored direct message: its number and conversation
/// travel beside the JSON, so each socket can keep its stream gap-free.
pub(super) fn dm_frame(m: &app::ports::DirectMessage) -> Frame {
    let msg = ServerMsg::DmMessage {
        conversation: m.conversation.to_string(),
        message: app::service::messages::wire(m),
    };
    let mut frame = Frame::new(Some(m.seq), m.sender, &msg);
    frame.direct = Some(m.conversation);
    frame
}

/// Reads committed message `seq` of `conversation` and builds its frame
/// (`None`, logged, if the read fails: the sockets that opened the
/// conversation catch up at the next message or when they open it again).
pub(super) async fn frame_of(
    store: &std::sync::Arc<dyn app::ports::Store>,
    conversation: uuid::Uuid,
    seq: u64,
) -> Option<Frame> {
    let id = ConversationId(conversation);
    match store.direct_after(id, seq.saturating_sub(1), 1).await {
        Ok(found) => found.iter().find(|m| m.seq == seq).map(dm_frame),
        Err(e) => {
            tracing::warn!(error = %e, %id, "could not read a direct message to deliver");
            None
        }
    }
}
