//! Rooms: the one place that decides who may enter a room, who may post
//! to it and what is refused, and whose messages and presence a person
//! does not see. The WebSocket (`server/src/realtime/`), the server
//! functions of [`crate::api::rooms`] and `/api/v1` all call these
//! functions; none of them re-implements a rule.
//!
//! Every refusal is a [`RoomError`]: one code (the protocol's
//! [`ErrorCode`], docs/protocol.md) and one message, sent as an `error`
//! frame on the socket ([`RoomError::code`], [`RoomError::message`]) and
//! as an [`AppError`] over HTTP (`From<RoomError>`). Change a rule or its
//! wording here and every path changes with it.
//!
//! One rule is *enforced* in the database as well: a closed room takes no
//! new message. Closing can happen between any check made here and the
//! insert, so the store decides it inside the posting transaction (under
//! the room's lock) and reports `StoreError::Conflict`, which [`post`]
//! turns into [`RoomError::Closed`]; the definition and the wording stay
//! here. The store checks nothing else a rule here decides.
//!
//! Creating a room ([`creation`]) and moderating one ([`moderation`]: remove,
//! mute, close, retag, reports, the log, the transcript) each have a file
//! of their own; their functions are re-exported here, so every caller
//! names them `service::rooms::…`.

mod creation;
mod moderation;

pub use creation::{create, may_create, RoomForm};
pub use moderation::{
    moderated, moderation_log, mute, remove_message, report, retag, set_closed, transcript,
    TranscriptLine,
};

use crate::{
    domain::{
        normalise, ClientMessageId, EventId, Invalid, Lines, MessageText, Role, RoomId, RoomTags,
        UserId, MAX_MESSAGE_CHARS,
    },
    error::AppError,
    ports::{Event, LiveRooms, Posted, Room, RoomMessage, Store, StoreError},
    realtime::{ErrorCode, WireMessage},
    state::AppState,
};
use chrono::{DateTime, Utc};

/// What only members of an event may do with its rooms, for the refusal
/// ([`crate::service::events::member_of`]).
pub const ROOMS: &str = "see its rooms";

/// A room that does not exist, belongs to another event, or to an event
/// the person is not a member of: one answer for all three, so nobody
/// learns which rooms exist elsewhere.
pub const UNKNOWN_ROOM: &str = "There is no such room, or it is in an event you are not part of.";
/// A closed room: no joins on the socket, no new messages anywhere.
pub const CLOSED: &str =
    "This room is closed: no new messages (its history stays readable on its page).";
/// The start of the refusal of a muted member's message (the time follows).
pub const MUTED: &str = "A moderator muted you in this room until";
/// A message id the protocol does not accept.
pub const BAD_CLIENT_ID: &str = "A client_id is 8 to 64 letters, digits, '-' or '_'.";

/// Why a room refused something, or that the store failed.
#[derive(Debug)]
pub enum RoomError {
    /// No such room, or not in one of the person's events ([`UNKNOWN_ROOM`]).
    Unknown,
    /// The room is closed ([`CLOSED`]).
    Closed,
    /// A moderator muted the person in this room until then ([`MUTED`]).
    Muted(DateTime<Utc>),
    /// The text is longer than [`MAX_MESSAGE_CHARS`] once normalised.
    TooLong,
    /// The text is empty, invisible or holds characters that are refused
    /// ([`crate::domain::normalise`] says which and why).
    BadText(Invalid),
    /// The message id is not 8–64 of `A–Z a–z 0–9 - _` ([`BAD_CLIENT_ID`]).
    BadClientId,
    /// The store failed (logged where it is turned into an answer).
    Store(StoreError),
}

impl From<StoreError> for RoomError {
    fn from(e: StoreError) -> Self {
        RoomError::Store(e)
    }
}

impl RoomError {
    /// The protocol's code for this refusal.
    pub fn code(&self) -> ErrorCode {
        match self {
            RoomError::Unknown => ErrorCode::UnknownRoom,
            RoomError::Closed => ErrorCode::RoomClosed,
            RoomError::Muted(_) => ErrorCode::Muted,
            RoomError::TooLong => ErrorCode::MessageTooLong,
            RoomError::BadText(_) => ErrorCode::BadMessage,
            RoomError::BadClientId => ErrorCode::BadClientId,
            RoomError::Store(_) => ErrorCode::Internal,
        }
    }

    /// What the person is told.
    pub fn message(&self) -> String {
        match self {
            RoomError::Unknown => UNKNOWN_ROOM.into(),
            RoomError::Closed => CLOSED.into(),
            RoomError::Muted(until) => format!("{MUTED} {} UTC.", until.format("%H:%M")),
            RoomError::TooLong => {
                format!("A message can be at most {MAX_MESSAGE_CHARS} characters long.")
            }
            RoomError::BadText(e) => e.message.clone(),
            RoomError::BadClientId => BAD_CLIENT_ID.into(),
            RoomError::Store(_) => AppError::Internal.to_string(),
        }
    }

    /// The limit the refusal names (the protocol's `limit` field).
    pub fn limit(&self) -> Option<u64> {
        match self {
            RoomError::TooLong => Some(MAX_MESSAGE_CHARS as u64),
            RoomError::BadClientId => Some(64),
            _ => None,
        }
    }
}

impl From<RoomError> for AppError {
    fn from(e: RoomError) -> Self {
        let message = e.message();
        match e {
            RoomError::Unknown => AppError::NotFound(message),
            RoomError::Closed => AppError::Conflict(message),
            RoomError::Muted(_) => AppError::Forbidden(message),
            RoomError::TooLong => AppError::Invalid {
                field: "text".into(),
                message,
            },
            RoomError::BadText(e) => e.into(),
            RoomError::BadClientId => AppError::Invalid {
                field: "client_id".into(),
                message,
            },
            RoomError::Store(e) => e.into(),
        }
    }
}

/// The room `raw` (its id) of `event`, for a caller who may see the event
/// (a member, or the event's API token): rooms of other events do not
/// exist here.
pub async fn room_of_event(
    store: &dyn Store,
    event: EventId,
    raw: &str,
) -> Result<Room, RoomError> {
    let id = RoomId::parse(raw).map_err(|_| RoomError::Unknown)?;
    store
        .room(id)
        .await?
        .filter(|r| r.event == event)
        .ok_or(RoomError::Unknown)
}

/// The room `raw` (its id) if `me` is a member of its event, with my role
/// there (the socket, which is told no event).
pub async fn room_for_member(
    store: &dyn Store,
    me: UserId,
    raw: &str,
) -> Result<(Room, Role), RoomError> {
    let id = RoomId::parse(raw).map_err(|_| RoomError::Unknown)?;
    let room = store.room(id).await?.ok_or(RoomError::Unknown)?;
    let role = store
        .member_role(room.event, me)
        .await?
        .ok_or(RoomError::Unknown)?;
    Ok((room, role))
}

/// Whether a member may enter `room` live (join it on the socket): not
/// when it is closed. Its page, with the history, stays readable.
pub fn may_enter(room: &Room) -> Result<(), RoomError> {
    if room.closed {
        return Err(RoomError::Closed);
    }
    Ok(())
}

/// Whether `role` (or having created the room) lets `me` moderate `room`:
/// remove messages, mute, close, retag, read the transcript.
pub fn may_moderate(role: Role, room: &Room, me: UserId) -> bool {
    role.runs_event() || room.created_by == Some(me)
}

/// A message as sent: its client id and its text, checked in that order.
/// The text is normalised first ([`normalise`]: trimmed, NFC, line breaks
/// as `\n`) and its characters are counted afterwards, so white space
/// around it never makes a message too long.
pub fn message(client_id: &str, text: &str) -> Result<(ClientMessageId, MessageText), RoomError> {
    let client_id = ClientMessageId::parse(client_id).map_err(|_| RoomError::BadClientId)?;
    let text = MessageText::parse("text", text).map_err(|e| {
        let too_long = normalise("text", text, Lines::Many)
            .is_ok_and(|t| t.chars().count() > MAX_MESSAGE_CHARS);
        if too_long {
            RoomError::TooLong
        } else {
            RoomError::BadText(e)
        }
    })?;
    Ok((client_id, text))
}

/// Posts `text` as `me` to `room` and announces it to the live room
/// (`live`), unless a moderator muted me there or the room is closed.
/// A `client_id` I used before in the room returns the stored message
/// (even once the room is closed: the retry of a send that was stored).
pub async fn post(
    store: &dyn Store,
    live: &dyn LiveRooms,
    room: RoomId,
    me: UserId,
    client_id: &ClientMessageId,
    text: &MessageText,
) -> Result<Posted, RoomError> {
    if let Some(until) = store
        .muted_until(room, me, crate::domain::now_utc())
        .await?
    {
        return Err(RoomError::Muted(until));
    }
    let posted = store
        .post_message(room, me, client_id, text)
        .await
        .map_err(|e| match e {
            // Decided in the posting transaction (see the module's note).
            StoreError::Conflict(_) => RoomError::Closed,
            StoreError::NotFound => RoomError::Unknown,
            other => RoomError::Store(other),
        })?;
    // Announced for a repeat too: harmless, and it covers a crash between
    // the first attempt's commit and its announcement.
    live.announce(room, posted.message().seq);
    Ok(posted)
}

/// The tags typed for a room of `event`: parsed ([`RoomTags`]: at most 5)
/// and checked against the event's taxonomy the way profile tags are
/// ([`crate::domain::Taxonomy::check`]).
pub async fn room_tags(state: &AppState, event: &Event, raw: &str) -> Result<RoomTags, AppError> {
    let tags = RoomTags::parse(raw)?;
    let (taxonomy, free_tags) = state.store.taxonomy(event.id).await?;
    taxonomy.check(tags.iter(), free_tags)?;
    Ok(tags)
}

/// The wire form of a stored message, the same on the socket and on the
/// room's page.
pub fn wire(m: &RoomMessage) -> WireMessage {
    WireMessage {
        seq: m.seq,
        author_id: m.author.map(|a| a.to_string()),
        author_name: m
            .author_name
            .clone()
            .unwrap_or_else(|| "Deleted user".to_owned()),
        text: m.body.clone(),
        deleted: m.deleted,
        at: m
            .created_at
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
    }
}

/// The newest `count` messages of `room` as `me` sees them (oldest first,
/// without the people hidden from me, [`shown`]), and whether older ones
/// exist: a room's page.
pub async fn latest(
    state: &AppState,
    room: &Room,
    me: UserId,
    count: u32,
) -> Result<(Vec<WireMessage>, bool), AppError> {
    let hidden = hidden_from(state.store.as_ref(), me).await?;
    let mut page = state
        .store
        .messages_before(room.id, u64::MAX, count + 1)
        .await?;
    let more = page.len() > count as usize;
    if more {
        page.remove(0);
    }
    let messages = page
        .iter()
        .filter(|m| shown(&hidden, m.author))
        .map(wire)
        .collect();
    Ok((messages, more))
}

/// The people `me` does not see in rooms, nor they me: blocked either way.
pub async fn hidden_from(store: &dyn Store, me: UserId) -> Result<Box<[UserId]>, StoreError> {
    Ok(store.hidden_users(me).await?.into_iter().collect())
}

/// Whether a message or presence of `author` is shown to someone who does
/// not see `hidden` ([`hidden_from`]). A deleted account's messages are.
pub fn shown(hidden: &[UserId], author: Option<UserId>) -> bool {
    !author.is_some_and(|a| hidden.contains(&a))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_has_one_code_and_one_message_on_the_socket_and_over_http() {
        let until = DateTime::parse_from_rfc3339("2026-05-14T13:05:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let cases = [
            (RoomError::Unknown, ErrorCode::UnknownRoom, 404),
            (RoomError::Closed, ErrorCode::RoomClosed, 409),
            (RoomError::Muted(until), ErrorCode::Muted, 403),
            (RoomError::TooLong, ErrorCode::MessageTooLong, 422),
            (RoomError::BadClientId, ErrorCode::BadClientId, 422),
        ];
        for (refusal, code, status) in cases {
            assert_eq!(refusal.code(), code);
            let message = refusal.message();
            let http = AppError::from(refusal);
            assert_eq!(http.status(), status);
            assert_eq!(http.to_string(), message, "the same words both ways");
        }
        assert_eq!(
            RoomError::Muted(until).message(),
            format!("{MUTED} 13:05 UTC.")
        );
        assert_eq!(RoomError::Closed.message(), CLOSED);
    }

    #[test]
    fn a_message_is_counted_after_its_surrounding_white_space_is_cut() {
        let padded = format!("  {}  ", "x".repeat(MAX_MESSAGE_CHARS));
        let (_, text) = message("client-0001", &padded).unwrap();
        assert_eq!(text.as_str().chars().count(), MAX_MESSAGE_CHARS);
        let long = "é".repeat(MAX_MESSAGE_CHARS + 1);
        assert!(matches!(
            message("client-0001", &long),
            Err(RoomError::TooLong)
        ));
    }

    #[test]
    fn the_client_id_is_judged_before_the_text() {
        assert!(matches!(message("bad id", ""), Err(RoomError::BadClientId)));
        assert!(matches!(
            message("client-0001", "   "),
            Err(RoomError::BadText(_))
        ));
        assert!(matches!(
            message("client-0001", "look\u{202e}gnp.exe"),
            Err(RoomError::BadText(_))
        ));
    }

    #[test]
    fn blocked_authors_are_hidden_and_deleted_accounts_are_not() {
        let blocked = UserId(uuid::Uuid::new_v4());
        let other = UserId(uuid::Uuid::new_v4());
        assert!(!shown(&[blocked], Some(blocked)));
        assert!(shown(&[blocked], Some(other)));
        assert!(shown(&[blocked], None));
    }
}
