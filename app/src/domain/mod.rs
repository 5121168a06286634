//! Domain types that cross the wire and validate when built.
//!
//! Every value a person types reaches the server as a plain string and is
//! turned into one of these types by its `parse` function before anything else
//! touches it; the private field means a value of the type is always valid, so
//! the store and the UI never re-check. A failed parse is a [`Invalid`] naming
//! the form field, which the API turns into a 422 and the UI shows beside the
//! form. Every free-text field goes through one normaliser
//! ([`normalise`]: NFC, no controls, no direction overrides, something
//! visible), as [`OneLineText`] or multi-line [`BoundedText`], so a name or
//! title that spoofs another cannot be built anywhere.

mod accounts;
mod attendance;
mod badges;
mod dashboard;
mod events;
mod follow_up;
mod imports;
mod integrations;
mod meetings;
mod messages;
mod profiles;
mod push;
mod rooms;
mod schedule;
mod tags;
mod text;

pub use accounts::{Email, Password, PersonName, Phone, ProfileForm, ProfileInput, WebLink};
#[cfg(feature = "ssr")]
pub use attendance::{day_start, here_per_hour};
pub use attendance::{AttendanceSource, Movement};
pub use badges::{
    BadgeCode, BadgeRef, BadgeToken, ClientNonce, ConnectionCard, ConnectionMethod,
    ConnectionNoteText, Labels, NoteView, Rating, ScanMode, ScanOutcome,
};
pub use dashboard::{
    Bar, BusyRoom, DashboardView, Lead, LeadsView, NetworkHealth, BUSIEST_ROOMS, HOURS,
};
#[cfg(feature = "ssr")]
pub use events::local_time;
pub use events::{
    EventDates, EventName, InvitationStatus, JoinCode, JoinPolicy, Role, Slug, SpotList,
    TimeZoneName, Venue,
};
pub use follow_up::{
    parse_due_day, KeepInTouchItem, KeepInTouchView, ReminderText, ReminderView, TimelineItem,
    TimelineKind, TimelineView,
};
pub use imports::ImportReport;
pub use integrations::{is_public_ip, WebhookKind, WebhookUrl};
pub use meetings::{FunnelStage, MeetingMessage, MeetingMinutes, MeetingPlaceText, MeetingStatus};
pub use messages::{ConversationId, Pair};
pub use profiles::{
    highlights, intent_field, search_document, search_words, Highlight, PersonCard, ProfileField,
    TagSet, TagView, Viewer, Visibility, VisibilitySettings,
};
pub use push::{endpoint_host, PushAuth, PushEndpoint, PushKey, PushNotice};
pub use rooms::{
    ClientMessageId, MessageText, RoomDescription, RoomId, RoomKind, RoomPlace, RoomTags,
    RoomTitle, MAX_MESSAGE_CHARS,
};
pub use schedule::{
    count_in, PersonLine, PlannedSlot, ScheduleFigures, ScheduleReview, ScheduledLine, SlotPlan,
    SpotCapacities, SpotLine, UnmetLine, WishPriority,
};
pub use tags::{Intent, Tag, Taxonomy};
pub use text::{
    is_bidi_control, is_visible, normalise, BoundedText, Invalid, Lines, OneLineText, Text,
};

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
