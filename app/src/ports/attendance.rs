//! Who is at the venue: recording arrivals and departures and reading who
//! is here now ([`AttendanceStore`]). Staff check-in and check-out scans go
//! through the badge store's `record_scan`, which applies the same change
//! in the scan's transaction.

use super::error::StoreResult;
use crate::domain::{AttendanceSource, EventId, Movement, UserId};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// One arrival or departure, as the dashboard and a member's history see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttendanceEntry {
    pub user: UserId,
    pub movement: Movement,
    pub source: AttendanceSource,
    pub at: DateTime<Utc>,
}

/// A movement to record: `by` is who recorded it (the member themself, or
/// the staff member who scanned), `today_from` the start of the event's
/// current day (a check-in before it has ended with its day).
#[derive(Clone, Debug)]
pub struct NewMovement {
    pub event: EventId,
    pub user: UserId,
    pub movement: Movement,
    pub source: AttendanceSource,
    pub by: UserId,
    pub at: DateTime<Utc>,
    pub today_from: DateTime<Utc>,
}

#[async_trait]
pub trait AttendanceStore: Send + Sync {
    /// Records the movement if it changes anything (arriving when not here
    /// today, leaving when here), and says whether it did. Atomic: the
    /// member's state and the log change together or not at all. `false`
    /// also when the member is not in the event.
    async fn record_movement(&self, m: &NewMovement) -> StoreResult<bool>;
    /// Since when the member has been here today, if they are.
    async fn here_since(
        &self,
        event: EventId,
        user: UserId,
        today_from: DateTime<Utc>,
    ) -> StoreResult<Option<DateTime<Utc>>>;
    /// Everyone checked in today and not checked out.
    async fn checked_in_now(
        &self,
        event: EventId,
        today_from: DateTime<Utc>,
    ) -> StoreResult<Vec<UserId>>;
    /// Everyone another instance reports live in one of the event's rooms
    /// within the last `fresh_secs` seconds (PostgreSQL scale-out; SQLite
    /// runs one instance, whose hub knows everyone: empty).
    async fn live_in_rooms_elsewhere(
        &self,
        event: EventId,
        fresh_secs: f64,
    ) -> StoreResult<Vec<UserId>>;
    /// Every movement at the event, oldest first.
    async fn attendance_log(&self, event: EventId) -> StoreResult<Vec<AttendanceEntry>>;
}
