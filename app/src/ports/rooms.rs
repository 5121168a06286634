//! Rooms: the stored room and its messages, posting, and moderation with
//! its audit log and reports ([`RoomStore`]).

use super::error::StoreResult;
use crate::domain::{
    ClientMessageId, EventId, MessageText, RoomDescription, RoomId, RoomKind, RoomPlace, RoomTags,
    RoomTitle, UserId,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// A room of an event as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Room {
    pub id: RoomId,
    pub event: EventId,
    pub kind: RoomKind,
    pub title: String,
    pub description: String,
    /// Where a meetup happens; empty for most topic rooms.
    pub place: String,
    /// When a meetup starts and ends (UTC); `None` for topic rooms.
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    /// Who created it (`None` once their account is gone); a room's creator
    /// may moderate it.
    pub created_by: Option<UserId>,
    /// A closed room keeps its history but takes no new messages.
    pub closed: bool,
    /// The sequence number of the newest message (0: none yet).
    pub last_seq: u64,
    pub created_at: DateTime<Utc>,
    /// What the room is about, in the order its moderators gave: shown as
    /// chips, filtered on, and matched against my profile's tags.
    pub tags: RoomTags,
}

/// What creating a room stores.
#[derive(Clone, Debug)]
pub struct NewRoom {
    pub event: EventId,
    pub kind: RoomKind,
    pub title: RoomTitle,
    pub description: RoomDescription,
    pub place: RoomPlace,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub created_by: UserId,
    /// Stored with the room in one transaction; already checked against the
    /// event's taxonomy by the caller.
    pub tags: RoomTags,
}

/// One stored chat message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoomMessage {
    pub room: RoomId,
    /// Per room, gap-free, increasing from 1.
    pub seq: u64,
    /// `None` when the author deleted their account.
    pub author: Option<UserId>,
    /// The author's current name (`None` with `author`).
    pub author_name: Option<String>,
    /// Empty once a moderator removed the message.
    pub body: String,
    /// Removed by a moderator: shown as removed, text no longer sent.
    pub deleted: bool,
    pub created_at: DateTime<Utc>,
}

/// The result of posting: a new message, or the one stored earlier under
/// the same client id (a retried send).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Posted {
    New(RoomMessage),
    Existing(RoomMessage),
}

impl Posted {
    pub fn message(&self) -> &RoomMessage {
        match self {
            Posted::New(m) | Posted::Existing(m) => m,
        }
    }
}

/// A moderation action on a room, as the audit log records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModerationAction {
    DeleteMessage,
    Mute,
    Close,
    Reopen,
    /// The room's tags were changed (the detail holds the new list).
    Retag,
}

impl ModerationAction {
    pub fn as_str(self) -> &'static str {
        match self {
            ModerationAction::DeleteMessage => "delete_message",
            ModerationAction::Mute => "mute",
            ModerationAction::Close => "close",
            ModerationAction::Reopen => "reopen",
            ModerationAction::Retag => "tags",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "delete_message" => ModerationAction::DeleteMessage,
            "mute" => ModerationAction::Mute,
            "close" => ModerationAction::Close,
            "reopen" => ModerationAction::Reopen,
            "tags" => ModerationAction::Retag,
            _ => return None,
        })
    }
}

/// One entry of an event's moderation audit log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    pub room: Option<RoomId>,
    pub room_title: Option<String>,
    pub actor: Option<UserId>,
    pub actor_name: Option<String>,
    pub action: ModerationAction,
    pub target: Option<UserId>,
    pub target_name: Option<String>,
    pub seq: Option<u64>,
    pub detail: String,
    pub created_at: DateTime<Utc>,
}

/// A member's report of a room message, as the moderators read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageReport {
    pub room: RoomId,
    pub room_title: String,
    pub seq: u64,
    /// `None` when the reporter deleted their account.
    pub reporter_name: Option<String>,
    pub reason: String,
    /// The message as it is now: empty once removed.
    pub text: String,
    /// `None` when the author deleted their account.
    pub author: Option<UserId>,
    pub author_name: Option<String>,
    /// A moderator removed the message already.
    pub removed: bool,
    pub created_at: DateTime<Utc>,
}

/// Rooms, their messages and their moderation.
#[async_trait]
pub trait RoomStore: Send + Sync {
    /// `NotFound` if the event or creator does not exist.
    async fn create_room(&self, new: NewRoom) -> StoreResult<Room>;
    async fn room(&self, id: RoomId) -> StoreResult<Option<Room>>;
    /// The event's rooms: meetups by start time, then topic rooms by age.
    async fn rooms_of_event(&self, event: EventId) -> StoreResult<Vec<Room>>;
    /// Stores a message with the room's next sequence number, in one
    /// transaction, so concurrent posters get gap-free increasing numbers.
    /// A `client_id` the author used before in this room returns the stored
    /// message ([`Posted::Existing`]) and stores nothing. `NotFound` if the
    /// room does not exist, `Conflict("closed room")` if it is closed.
    async fn post_message(
        &self,
        room: RoomId,
        author: UserId,
        client_id: &ClientMessageId,
        text: &MessageText,
    ) -> StoreResult<Posted>;
    /// Up to `limit` messages with `seq > after`, oldest first.
    async fn messages_after(
        &self,
        room: RoomId,
        after: u64,
        limit: u32,
    ) -> StoreResult<Vec<RoomMessage>>;
    /// The newest `limit` messages with `seq < before`, oldest first.
    async fn messages_before(
        &self,
        room: RoomId,
        before: u64,
        limit: u32,
    ) -> StoreResult<Vec<RoomMessage>>;
    /// Remembers that `user` joined the room (idempotent).
    async fn record_join(&self, room: RoomId, user: UserId) -> StoreResult<()>;
    /// Everyone `user` has blocked or is blocked by: hidden from each other
    /// in rooms.
    async fn hidden_users(&self, user: UserId) -> StoreResult<Vec<UserId>>;
    /// Marks a message removed (its text is dropped) and logs it. `NotFound`
    /// if there is no such message.
    async fn delete_message(&self, room: RoomId, seq: u64, actor: UserId) -> StoreResult<()>;
    /// Mutes `user` in the room until `until` and logs it.
    async fn mute(
        &self,
        room: RoomId,
        user: UserId,
        until: DateTime<Utc>,
        actor: UserId,
    ) -> StoreResult<()>;
    /// Until when `user` is muted in the room, if the mute is still running at `now`.
    async fn muted_until(
        &self,
        room: RoomId,
        user: UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<DateTime<Utc>>>;
    /// Replaces the room's tags with `tags` (in their order) in one
    /// transaction. `NotFound` if the room does not exist.
    /// Replaces the room's tags and records who did it in the audit log,
    /// in one transaction.
    async fn set_room_tags(&self, room: RoomId, tags: &RoomTags, actor: UserId) -> StoreResult<()>;
    /// Closes or reopens a room and logs it. `NotFound` if it does not exist.
    async fn set_room_closed(&self, room: RoomId, closed: bool, actor: UserId) -> StoreResult<()>;
    /// A member's report of a message. `NotFound` if there is no such message.
    async fn report_message(
        &self,
        room: RoomId,
        seq: u64,
        reporter: UserId,
        reason: &str,
    ) -> StoreResult<()>;
    /// The event's moderation log, newest first.
    async fn audit_log(&self, event: EventId) -> StoreResult<Vec<AuditEntry>>;
    /// Reports of the event's room messages, newest first.
    async fn message_reports(&self, event: EventId) -> StoreResult<Vec<MessageReport>>;
}
