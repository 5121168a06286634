//! Domain types that cross the wire and validate when built.
//!
//! Every value a person types reaches the server as a plain string and is
//! turned into one of these types by its `parse` function before anything else
//! touches it; the private field means a value of the type is always valid, so
//! the store and the UI never re-check. A failed parse is a [`Invalid`] naming
//! the form field, which the API turns into a 422 and the UI shows beside the
//! form.

mod account;
mod badge;
mod event;
mod integrations;
mod meeting;
mod profile;
mod room;
mod tags;
mod text;

pub use account::{Email, Password, PersonName, Phone, ProfileForm, ProfileInput, WebLink};
pub use badge::{
    BadgeCode, BadgeRef, BadgeToken, ClientNonce, ConnectionMethod, ConnectionNoteText, Labels,
    Rating, ScanMode, ScanOutcome,
};
pub use event::{
    EventDates, EventName, InvitationStatus, JoinCode, JoinPolicy, Role, Slug, SpotList,
    TimeZoneName,
};
pub use integrations::{is_public_ip, WebhookKind, WebhookUrl};
pub use meeting::{FunnelStage, MeetingMessage, MeetingMinutes, MeetingPlaceText, MeetingStatus};
pub use profile::{
    intent_field, search_document, search_words, ProfileField, TagSet, Viewer, Visibility,
    VisibilitySettings,
};
pub use room::{
    ClientMessageId, MessageText, RoomDescription, RoomId, RoomKind, RoomPlace, RoomTags,
    RoomTitle, MAX_MESSAGE_CHARS,
};
pub use tags::{Intent, Tag, Taxonomy};
pub use text::{BoundedText, Invalid};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Opaque identifier of an account. UUIDs (never row numbers) leave the server,
/// so nobody can count or walk our users.
/// Ordered so matching can break ties between equal scores stably.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct UserId(pub Uuid);

/// Opaque identifier of an event; URLs use the event's [`Slug`] instead.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EventId(pub Uuid);

impl std::fmt::Display for UserId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::fmt::Display for EventId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Now, at the precision both databases keep (microseconds; PostgreSQL
/// drops nanoseconds), so a time written and read back compares equal.
pub fn now_utc() -> chrono::DateTime<chrono::Utc> {
    use chrono::SubsecRound;
    chrono::Utc::now().trunc_subsecs(6)
}
