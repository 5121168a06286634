//! Room values: ids, kinds, titles, tags, message text and the sender's
//! message id, each validated when built.

use super::{BoundedText, Invalid, OneLineText, Tag};
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

/// A room's title ("Rust folks"), on one line.
pub type RoomTitle = OneLineText<1, 80>;
/// Where a meetup happens ("Table 12"), on one line.
pub type RoomPlace = OneLineText<0, 80>;
/// What a room is about (may span lines).
pub type RoomDescription = BoundedText<0, 500>;

/// A room's tags ("rust, hiring"): at most [`RoomTags::MAX`] normalised
/// [`Tag`]s, each once, in the order given. They say what a room is about
/// at a glance, let the rooms list be filtered by subject, and let rooms on
/// my own profile's tags be pointed out to me. Whether an event takes a
/// tag at all is its taxonomy's rule ([`super::Taxonomy::check`]), checked
/// where the event is known.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomTags(Vec<Tag>);

impl RoomTags {
    /// Enough to describe a room; more would turn the chips into noise.
    pub const MAX: usize = 5;

    /// Parses the list typed into a room's tags field (comma-separated, as
    /// everywhere tags are typed: [`Tag::parse_list`]).
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        Self::new(Tag::parse_list(raw, "tags")?)
    }

    /// Checks tags that are already normalised (read back from storage, or
    /// built in code): at most [`Self::MAX`], none twice.
    pub fn new(tags: Vec<Tag>) -> Result<Self, Invalid> {
        if tags.len() > Self::MAX {
            return Err(Invalid::new(
                "tags",
                format!(
                    "A room can have at most {} tags; this one has {}.",
                    Self::MAX,
                    tags.len()
                ),
            ));
        }
        if tags.iter().enumerate().any(|(i, t)| tags[..i].contains(t)) {
            return Err(Invalid::new("tags", "Give each tag once."));
        }
        Ok(Self(tags))
    }

    pub fn iter(&self) -> impl Iterator<Item = &Tag> {
        self.0.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(&self, tag: &Tag) -> bool {
        self.0.contains(tag)
    }

    /// The tags as plain strings, in order (for the wire and the API).
    pub fn names(&self) -> Vec<String> {
        self.0.iter().map(|t| t.as_str().to_owned()).collect()
    }
}

/// The most characters one chat message may have.
pub const MAX_MESSAGE_CHARS: usize = 2000;

/// The text of one chat message: 1 to [`MAX_MESSAGE_CHARS`] characters,
/// line breaks kept, direction overrides refused.
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
    fn room_titles_stay_on_one_line_and_messages_keep_breaks_but_not_overrides() {
        assert!(RoomTitle::parse("title", "Rust\nfolks").is_err());
        assert!(RoomTitle::parse("title", "\u{200b}").is_err());
        assert!(RoomPlace::parse("place", "Table\u{202e}21").is_err());
        assert_eq!(
            MessageText::parse("text", "hi\r\nthere").unwrap().as_str(),
            "hi\nthere"
        );
        assert!(MessageText::parse("text", "look\u{202e}gnp.exe").is_err());
        assert!(MessageText::parse("text", "\u{2800}").is_err());
    }

    #[test]
    fn client_message_ids_are_short_url_safe_tokens() {
        assert!(ClientMessageId::parse("abc-DEF_123").is_ok());
        assert!(ClientMessageId::parse("short").is_err());
        assert!(ClientMessageId::parse("has space in it").is_err());
        assert!(ClientMessageId::parse(&"x".repeat(65)).is_err());
    }

    #[test]
    fn room_tags_are_normalised_deduplicated_and_keep_their_order() {
        let tags = RoomTags::parse("Rust, ML, rust; hiring").unwrap();
        assert_eq!(tags.names(), ["rust", "machine learning", "hiring"]);
        assert!(RoomTags::parse("").unwrap().is_empty());
    }

    #[test]
    fn five_room_tags_are_accepted_and_a_sixth_is_refused_saying_so() {
        assert!(RoomTags::parse("a, b, c, d, e").is_ok());
        let err = RoomTags::parse("a, b, c, d, e, f").unwrap_err();
        assert_eq!(err.field, "tags");
        assert!(err.message.contains("at most 5"), "{}", err.message);
        assert!(
            RoomTags::parse("a, b, c, d, e, a").is_ok(),
            "a repeat is not a sixth tag"
        );
    }

    #[test]
    fn a_bad_room_tag_or_a_stored_duplicate_is_refused() {
        assert_eq!(
            RoomTags::parse(&format!("rust, {}", "x".repeat(41)))
                .unwrap_err()
                .field,
            "tags"
        );
        let rust = Tag::parse("rust").unwrap();
        assert!(RoomTags::new(vec![rust.clone(), rust]).is_err());
    }

    #[test]
    fn room_kinds_read_back_what_they_write() {
        for k in [RoomKind::Topic, RoomKind::Meetup] {
            assert_eq!(RoomKind::parse(k.as_str()).unwrap(), k);
        }
        assert!(RoomKind::parse("party").is_err());
    }
}
