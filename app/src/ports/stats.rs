//! What the organizer's dashboard counts: an event's raw activity, when
//! its members joined, its rooms' recent messages, and who other instances
//! have in its rooms ([`StatsStore`]).

use super::error::StoreResult;
use crate::domain::{EventId, Intent, RoomId, Tag, UserId};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// An event's raw activity, aggregated by the dashboard (in Rust, so both
/// backends count alike and hours follow the event's time zone).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EventActivity {
    /// Connections made at this event: the pair and when.
    pub connections: Vec<(UserId, UserId, DateTime<Utc>)>,
    /// When each scan attempt at this event was recorded.
    pub scan_times: Vec<DateTime<Utc>>,
    /// How many members show each tag with each intent (members whose tags
    /// are public and who did not opt out).
    pub tag_counts: Vec<(Tag, Intent, u64)>,
}

/// What the organizer's dashboard counts.
#[async_trait]
pub trait StatsStore: Send + Sync {
    async fn event_activity(&self, event: EventId) -> StoreResult<EventActivity>;
    /// When each current member joined the event, oldest first (the
    /// "joins over time" chart).
    async fn join_times(&self, event: EventId) -> StoreResult<Vec<DateTime<Utc>>>;
    /// The messages posted in the event's rooms within `hours` hours up
    /// to its newest message (room and when), oldest first. Bounded so a
    /// long chatty event does not send every message's time to each
    /// dashboard refresh: the hourly charts show the last 48 hours anyway.
    async fn recent_messages(
        &self,
        event: EventId,
        hours: u32,
    ) -> StoreResult<Vec<(RoomId, DateTime<Utc>)>>;
    /// Who each instance reported live in the event's rooms within the
    /// last `fresh_secs` seconds: (room, person) pairs, each once. The
    /// PostgreSQL scale-out's presence rows; SQLite runs one instance,
    /// whose hub knows everyone: empty.
    async fn room_presence(
        &self,
        event: EventId,
        fresh_secs: f64,
    ) -> StoreResult<Vec<(RoomId, UserId)>>;
}
