//! Room values: ids, kinds, titles, message text and the sender's message
//! id, each validated when built.

use super::{BoundedText, Invalid};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Opaque identifier of a room (a UUID, shown in room URLs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RoomId(pub Uuid);

impl RoomId {
    /// Parses the id part of a room URL or protocol message.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        raw.trim()
            .parse()
            .map(RoomId)
            .map_err(|_| Invalid::new("room", "That room does not exist."))
    }
}

impl std::fmt::Display for RoomId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// What a room is for: a subject to talk about, or a meeting at a place
/// and time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoomKind {
    Topic,
    Meetup,
}

impl RoomKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RoomKind::Topic => "topic",
            RoomKind::Meetup => "meetup",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        match raw.trim() {
            "" | "topic" => Ok(RoomKind::Topic),
            "meetup" => Ok(RoomKind::Meetup),
            _ => Err(Invalid::new("kind", "A room is a topic or a meetup.")),
        }
    }
}

/// A room's title ("Rust folks").
pub type RoomTitle = BoundedText<1, 80>;
/// Where a meetup happens ("Table 12").
pub type RoomPlace = BoundedText<0, 80>;
/// What a room is about.
pub type RoomDescription = BoundedText<0, 500>;

/// The most characters one chat message may have.
pub const MAX_MESSAGE_CHARS: usize = 2000;

/// The text of one chat message: 1 to [`MAX_MESSAGE_CHARS`] characters.
pub type MessageText = BoundedText<1, MAX_MESSAGE_CHARS>;

/// The sender's own id for one message (8–64 characters of letters,
/// digits, `-` and `_`), so a send retried after a lost acknowledgement
/// is stored once.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ClientMessageId(String);

impl ClientMessageId {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        if (8..=64).contains(&raw.len())
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            Ok(Self(raw.to_owned()))
        } else {
            Err(Invalid::new(
                "client_id",
                "A message id is 8 to 64 letters, digits, '-' or '_'.",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_of_exactly_the_limit_is_accepted_and_one_more_is_not() {
        let ok = "é".repeat(MAX_MESSAGE_CHARS);
        assert!(MessageText::parse("text", &ok).is_ok());
        let too_long = "é".repeat(MAX_MESSAGE_CHARS + 1);
        assert!(MessageText::parse("text", &too_long).is_err());
    }

    #[test]
    fn client_message_ids_are_short_url_safe_tokens() {
        assert!(ClientMessageId::parse("abc-DEF_123").is_ok());
        assert!(ClientMessageId::parse("short").is_err());
        assert!(ClientMessageId::parse("has space in it").is_err());
        assert!(ClientMessageId::parse(&"x".repeat(65)).is_err());
    }

    #[test]
    fn room_kinds_read_back_what_they_write() {
        for k in [RoomKind::Topic, RoomKind::Meetup] {
            assert_eq!(RoomKind::parse(k.as_str()).unwrap(), k);
        }
        assert!(RoomKind::parse("party").is_err());
    }
}
