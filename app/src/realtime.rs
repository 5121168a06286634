//! The WebSocket protocol, version [`PROTOCOL_VERSION`]: what a client sends
//! ([`ClientMsg`]) and what the server sends ([`ServerMsg`]) on the one
//! socket a browser tab opens at `/ws`. Both sides use these enums, so the
//! server and the WebAssembly client cannot disagree; `docs/protocol.md`
//! describes the same messages for anyone writing another client.
//!
//! Every message is one JSON object in one text frame, with a `"type"`
//! field naming the variant in snake_case. Room ids are UUID strings;
//! sequence numbers are per room, start at 1 and have no gaps.

use serde::{Deserialize, Serialize};

/// The protocol version this build speaks. A client says which version it
/// speaks in `hello`; another version is refused with `unsupported_version`.
pub const PROTOCOL_VERSION: u32 = 1;

/// How many messages a `history` request returns at most.
pub const HISTORY_PAGE: u32 = 50;

/// How many people one `joined` or `members` frame lists at most.
pub const PRESENCE_PAGE: usize = 50;

/// What a client sends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMsg {
    /// First message on a socket: the protocol version the client speaks.
    Hello { version: u32 },
    /// Enter a room (again). With `last_seq`, every message after it is
    /// replayed first, in order, then live ones follow without a gap; with
    /// none, the newest page of history is sent instead.
    Join {
        room: String,
        #[serde(default)]
        last_seq: Option<u64>,
    },
    /// Leave a room: no more messages or presence from it.
    Leave { room: String },
    /// Post `text` to a joined room. `client_id` (8–64 of `A-Za-z0-9-_`) is
    /// the client's id for this message: sending it again (after a lost
    /// `ack` or on reconnect) returns the same `ack` and posts nothing.
    Send {
        room: String,
        client_id: String,
        text: String,
    },
    /// Older messages of a joined room: up to [`HISTORY_PAGE`] before `before`.
    History { room: String, before: u64 },
    /// Keep-alive at the application level; answered with `pong`.
    Ping,
    /// Watch the live dashboard of an event (its slug); organizers and
    /// staff only. Answered with `watching`, then `dashboard_changed`
    /// whenever its numbers move.
    Watch { event: String },
    /// Stop watching an event's dashboard.
    Unwatch { event: String },
    /// Open my conversation with person `with` (their user id) on this
    /// socket, as `join` does for a room: with `last_seq`, every message
    /// after it is replayed in order, then live ones follow without a gap;
    /// with none, the newest page. Answered with `dm_opened`, the
    /// messages, then `dm_caught_up`.
    DmOpen {
        with: String,
        #[serde(default)]
        last_seq: Option<u64>,
    },
    /// Send `text` to person `with`. `client_id` as for `send`: repeating
    /// it returns the same `dm_ack` and stores nothing. The conversation
    /// need not be open on this socket.
    DmSend {
        with: String,
        client_id: String,
        text: String,
    },
    /// I have read my conversation with `with` up to `seq`: my other
    /// devices are told (`dm_read`), their unread counts drop.
    DmRead { with: String, seq: u64 },
    /// Stop the gap-free stream of a conversation opened on this socket
    /// (its messages still arrive as hints, like on any page).
    DmClose { with: String },
}

/// Someone present in a room.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresenceMember {
    pub user_id: String,
    pub name: String,
}

/// One chat message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireMessage {
    pub seq: u64,
    /// `None` when the author deleted their account.
    pub author_id: Option<String>,
    /// "Deleted user" when the author deleted their account.
    pub author_name: String,
    /// Empty when `deleted`.
    pub text: String,
    /// Removed by a moderator.
    pub deleted: bool,
    /// RFC 3339, UTC.
    pub at: String,
}

/// Which limit or rule a refusal is about; clients match on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The frame was not a protocol message (bad JSON, unknown type, binary).
    BadMessage,
    /// `hello` named a version this server does not speak.
    UnsupportedVersion,
    /// The text is longer than `limit` characters (or empty).
    MessageTooLong,
    /// More than `limit` messages per second (after a small burst).
    RateLimited,
    /// The room does not exist, is in another event, or is not visible.
    UnknownRoom,
    /// The room was not joined on this socket.
    NotJoined,
    /// The room is closed: history stays readable, no new messages.
    RoomClosed,
    /// A moderator muted the sender in this room.
    Muted,
    /// More than `limit` rooms joined on one socket.
    TooManyRooms,
    /// The client id is not 8–64 of `A-Za-z0-9-_`.
    BadClientId,
    /// Only organizers and staff of the event may watch its dashboard.
    Forbidden,
    /// There is no conversation with that person for me: not connected,
    /// no meeting, no mutual interest, or no such person.
    UnknownConversation,
    /// One of the two blocked the other: no new messages either way.
    ConversationClosed,
    /// Something failed on the server; try again.
    Internal,
}

/// What the server sends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMsg {
    /// Answer to `hello`: who the socket belongs to and its limits.
    Welcome {
        version: u32,
        user_id: String,
        limits: SocketLimits,
    },
    /// A room was joined: its current newest sequence number and who is in
    /// it (the first [`PRESENCE_PAGE`]; the rest follow as `members`).
    /// Replayed or recent messages follow as `message`s, then `caught_up`.
    Joined {
        room: String,
        last_seq: u64,
        closed: bool,
        members: Vec<PresenceMember>,
    },
    /// More of who is in a room just joined, right after `joined`, at most
    /// [`PRESENCE_PAGE`] a frame. A big room's list comes in small frames
    /// because a socket keeps a write buffer as large as the largest frame
    /// it ever sent: one frame of 2,000 names would cost every member's
    /// socket ~100 KiB for as long as it stays open.
    Members {
        room: String,
        members: Vec<PresenceMember>,
    },
    /// Everything up to `seq` has been sent; live messages follow.
    CaughtUp { room: String, seq: u64 },
    /// A message of a joined room (replayed, recent or live).
    Message { room: String, message: WireMessage },
    /// The client's `send` is stored as `seq` (also for a repeated `client_id`).
    Ack {
        room: String,
        client_id: String,
        seq: u64,
    },
    /// Answer to `history`, oldest first; `more` when older ones exist.
    History {
        room: String,
        messages: Vec<WireMessage>,
        more: bool,
    },
    /// Someone entered the room.
    PresenceJoined {
        room: String,
        member: PresenceMember,
    },
    /// Someone left the room (their last socket in it closed or left).
    PresenceLeft { room: String, user_id: String },
    /// A moderator removed message `seq`.
    MessageDeleted { room: String, seq: u64 },
    /// The room was closed or reopened.
    RoomState { room: String, closed: bool },
    /// The socket fell behind the room: join it again with the last seq
    /// seen; nothing was skipped silently.
    Resync { room: String },
    /// Left the room (answer to `leave`).
    Left { room: String },
    /// A personal notification (connections, meetings, announcements).
    /// Every socket of the person gets it, whichever rooms it joined.
    Notification(Notice),
    /// Answer to `watch`: dashboard changes of `event` follow.
    Watching { event: String },
    /// The numbers on `event`'s dashboard changed: fetch them again. Sent
    /// at most about once a second per event, however busy it is.
    DashboardChanged { event: String },
    /// Answer to `dm_open`: the conversation's id (it names the
    /// conversation in `dm_message` and `dm_read`), its newest number and
    /// how far I have read it; `closed` when a block ended it.
    DmOpened {
        with: String,
        conversation: String,
        last_seq: u64,
        read_seq: u64,
        closed: bool,
    },
    /// A direct message (replayed or live). Every socket of both people
    /// receives live ones, whatever is open (a hint for unread counts and
    /// notifications); on a socket that opened the conversation they come
    /// in order, exactly once, without gaps.
    DmMessage {
        conversation: String,
        message: WireMessage,
    },
    /// Everything up to `seq` of the conversation with `with` has been sent.
    DmCaughtUp {
        with: String,
        conversation: String,
        seq: u64,
    },
    /// A `dm_send` is stored as `seq` (also for a repeated `client_id`).
    DmAck {
        with: String,
        conversation: String,
        client_id: String,
        seq: u64,
    },
    /// I have read `conversation` up to `seq` (on this or another device);
    /// `unread` is what I have left unread over all my conversations.
    DmRead {
        conversation: String,
        seq: u64,
        unread: u64,
    },
    /// A refusal of a `dm_*` frame about the conversation with `with`.
    DmError {
        with: String,
        code: ErrorCode,
        message: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        limit: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_id: Option<String>,
    },
    /// Answer to `ping`.
    Pong,
    /// A refusal. `limit` is the number the limit allows, where there is one.
    Error {
        code: ErrorCode,
        message: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        limit: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        room: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_id: Option<String>,
    },
}

/// Kinds of personal notification.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// We are connected now (a scan, an approved request, mutual interest).
    Connection,
    /// Someone scanned my badge and waits for my approval.
    ConnectionRequest,
    /// Someone proposed a meeting (or another time for one).
    MeetingRequest,
    /// A meeting I take part in was accepted, declined or cancelled.
    MeetingUpdate,
    /// We both marked the other as interesting (and are connected now).
    MutualInterest,
    /// The organizers of one of my events announced something.
    Announcement,
    /// Someone I connected with at another event is a member of this one
    /// too ("meet again").
    MetAgain,
    /// A reminder on my note about a connection is due.
    Reminder,
    /// A direct message from someone, while I am not reading that
    /// conversation.
    Message,
}

/// A personal notification: what happened, in a sentence, and where to
/// look at it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub kind: NotificationKind,
    /// One sentence for people ("Ben Okafor connected with you.").
    pub text: String,
    /// A path on this server to open (the connection, the agenda, …).
    #[serde(default)]
    pub link: Option<String>,
    /// The event it belongs to (its slug), when it belongs to one.
    #[serde(default)]
    pub event: Option<String>,
}

/// The limits of one socket, sent in `welcome` so clients can respect them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SocketLimits {
    /// Characters per message text.
    pub max_message_chars: u32,
    /// Sustained messages per second.
    pub messages_per_second: u32,
    /// Messages that may be sent at once before the rate applies.
    pub burst: u32,
    /// Bytes per frame; a larger frame closes the socket (code 1009).
    pub max_frame_bytes: u32,
    /// Rooms joined at once on one socket.
    pub max_rooms: u32,
    /// Seconds without any frame from the client before the socket is closed.
    pub idle_timeout_secs: u32,
}

#[cfg(test)]
impl SocketLimits {
    /// Limits as a server sends them, for client tests.
    pub fn sample() -> Self {
        SocketLimits {
            max_message_chars: 2000,
            messages_per_second: 5,
            burst: 10,
            max_frame_bytes: 16384,
            max_rooms: 32,
            idle_timeout_secs: 60,
        }
    }
}

impl ServerMsg {
    /// A refusal naming its code and, where there is one, the limit.
    pub fn error(code: ErrorCode, message: impl Into<String>) -> Self {
        ServerMsg::Error {
            code,
            message: message.into(),
            limit: None,
            room: None,
            client_id: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_messages_are_tagged_with_a_snake_case_type() {
        let m: ClientMsg =
            serde_json::from_str(r#"{"type":"join","room":"r","last_seq":4}"#).unwrap();
        assert_eq!(
            m,
            ClientMsg::Join {
                room: "r".into(),
                last_seq: Some(4)
            }
        );
        let m: ClientMsg = serde_json::from_str(r#"{"type":"join","room":"r"}"#).unwrap();
        assert_eq!(
            m,
            ClientMsg::Join {
                room: "r".into(),
                last_seq: None
            }
        );
    }

    #[test]
    fn an_unknown_type_does_not_parse() {
        assert!(serde_json::from_str::<ClientMsg>(r#"{"type":"shout"}"#).is_err());
    }

    #[test]
    fn notifications_are_flat_objects_tagged_notification() {
        let json = serde_json::to_value(ServerMsg::Notification(Notice {
            kind: NotificationKind::MutualInterest,
            text: "You and Ben are interested in meeting.".into(),
            link: Some("/connections".into()),
            event: Some("demo".into()),
        }))
        .unwrap();
        assert_eq!(json["type"], "notification");
        assert_eq!(json["kind"], "mutual_interest");
        assert_eq!(json["event"], "demo");
        let back: ServerMsg = serde_json::from_value(json).unwrap();
        assert!(
            matches!(back, ServerMsg::Notification(n) if n.link.as_deref() == Some("/connections"))
        );
    }

    #[test]
    fn errors_name_their_code_and_limit() {
        let json = serde_json::to_value(ServerMsg::Error {
            code: ErrorCode::MessageTooLong,
            message: "too long".into(),
            limit: Some(2000),
            room: None,
            client_id: None,
        })
        .unwrap();
        assert_eq!(json["type"], "error");
        assert_eq!(json["code"], "message_too_long");
        assert_eq!(json["limit"], 2000);
        assert!(json.get("room").is_none());
    }
}
