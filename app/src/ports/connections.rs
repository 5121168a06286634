//! Connections: who I am connected with, my private notes about them, and
//! the requests waiting for me ([`ConnectionStore`]).

use super::{accounts::User, error::StoreResult};
use crate::domain::{ConnectionMethod, ConnectionNoteText, EventId, Labels, Rating, Slug, UserId};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// A waiting request to connect with me (I approve scans).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectionRequest {
    pub event: EventId,
    pub event_name: String,
    pub from: UserId,
    pub from_name: String,
    pub from_headline: String,
    pub method: ConnectionMethod,
    pub created_at: DateTime<Utc>,
}

/// My private note, rating and labels about someone.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConnectionNote {
    pub note: ConnectionNoteText,
    pub rating: Option<Rating>,
    pub labels: Labels,
}

/// One of my connections with where and how we met and my note; the
/// caller shows the other's fields as their visibility allows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectionEntry {
    pub other: User,
    /// The event we met at (`None` if it was deleted): (name, slug).
    pub event: Option<(String, Slug)>,
    pub method: ConnectionMethod,
    pub connected_at: DateTime<Utc>,
    pub note: ConnectionNote,
}

/// A note I wrote, kept even when its subject deleted their account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoteRecord {
    pub other: UserId,
    /// The name when the note was last saved.
    pub other_name: String,
    pub note: ConnectionNote,
    pub updated_at: DateTime<Utc>,
}

/// My connections, my notes about them, and requests waiting for me.
#[async_trait]
pub trait ConnectionStore: Send + Sync {
    /// Everyone I am connected with, newest first.
    async fn my_connections(&self, user: UserId) -> StoreResult<Vec<ConnectionEntry>>;
    /// Saves my note about a connection. `NotFound` if we are not connected.
    async fn set_connection_note(
        &self,
        owner: UserId,
        other: UserId,
        note: &ConnectionNote,
    ) -> StoreResult<()>;
    /// Every note I wrote, including about people who left.
    async fn notes_by(&self, owner: UserId) -> StoreResult<Vec<NoteRecord>>;
    /// Pending requests to connect with me, oldest first.
    async fn incoming_requests(&self, user: UserId) -> StoreResult<Vec<ConnectionRequest>>;
    /// Accepts (connects, returns `true` if new) or declines a pending
    /// request. `NotFound` if there is none.
    async fn answer_request(
        &self,
        event: EventId,
        from: UserId,
        to: UserId,
        accept: bool,
    ) -> StoreResult<bool>;
}
