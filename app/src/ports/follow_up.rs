//! Following up on connections across events ([`FollowUpStore`]): whom I
//! met before who is at this event too ("meet again"), what happened
//! between me and each connection (scans, meetings) for the timeline and
//! "keep in touch", and reminders on my notes.

use super::error::StoreResult;
use crate::domain::{EventId, ReminderText, UserId};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

/// A connection of mine who is a member of the event I look at, met at
/// another event (or before events kept a record of where).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetBefore {
    pub other: UserId,
    pub other_name: String,
    /// Where we met (`None` if that event was deleted).
    pub met_at_event: Option<String>,
    pub connected_at: DateTime<Utc>,
}

/// What one interaction between me and a connection was.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InteractionKind {
    /// One of us scanned the other's badge (`by_me`: I scanned).
    Scan { by_me: bool },
    /// A meeting between us, in any state (`status` as stored:
    /// pending, accepted, declined, cancelled), at `place`.
    Meeting { status: String, place: String },
}

/// Something that happened between me and a connection at an event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interaction {
    pub other: UserId,
    pub kind: InteractionKind,
    /// The event it happened at: (name, slug).
    pub event: (String, String),
    /// When: the scan's time, or the meeting's start.
    pub at: DateTime<Utc>,
}

/// A reminder on my note about someone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reminder {
    /// Opaque: the page's "done" button names it.
    pub id: Uuid,
    pub owner: UserId,
    pub other: UserId,
    pub text: ReminderText,
    pub due_at: DateTime<Utc>,
    /// When it went out as a notification (`None`: not due yet, or not
    /// sent yet).
    pub notified_at: Option<DateTime<Utc>>,
}

/// A due reminder, with the names the notification needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueReminder {
    pub reminder: Reminder,
    /// The name of the person the reminder is about, as my note keeps it.
    pub other_name: String,
}

/// Meet again, interactions, and reminders.
#[async_trait]
pub trait FollowUpStore: Send + Sync {
    /// My connections who are members of `event` and did not opt out of
    /// networking there, met elsewhere (the connection was not made at
    /// `event`), never across a block; oldest connection first.
    async fn met_before_here(&self, event: EventId, user: UserId) -> StoreResult<Vec<MetBefore>>;
    /// Every scan (that connected, or asked to) and meeting between me and
    /// my connections (only `other` when given), across events, newest
    /// first. People I am no longer connected with are left out.
    async fn interactions(
        &self,
        me: UserId,
        other: Option<UserId>,
    ) -> StoreResult<Vec<Interaction>>;
    /// Adds a reminder on my note about `other`. `NotFound` if we are not
    /// connected.
    async fn add_reminder(
        &self,
        owner: UserId,
        other: UserId,
        text: &ReminderText,
        due_at: DateTime<Utc>,
    ) -> StoreResult<Reminder>;
    /// My open reminders (only about `other` when given), soonest
    /// first.
    async fn reminders_of(
        &self,
        owner: UserId,
        other: Option<UserId>,
    ) -> StoreResult<Vec<Reminder>>;
    /// Ticks off (deletes) one of my reminders. `NotFound` if it is not
    /// mine (or does not exist).
    async fn finish_reminder(&self, owner: UserId, id: Uuid) -> StoreResult<()>;
    /// Claims every reminder due at `now` that was not sent yet:
    /// marks it sent and returns it, so two instances never send one twice.
    async fn claim_due_reminders(&self, now: DateTime<Utc>) -> StoreResult<Vec<DueReminder>>;
    /// Whether `user` wants the digest after each event day.
    async fn digest_opt_in(&self, user: UserId) -> StoreResult<bool>;
    /// Sets whether `user` wants the digest after each event day.
    async fn set_digest_opt_in(&self, user: UserId, on: bool) -> StoreResult<()>;
    /// Everyone who opted in to the digest, has none recorded for `day`
    /// yet, and has something for it: a connection made in `[from, to)`
    /// or an open reminder due then.
    async fn digest_candidates(
        &self,
        day: NaiveDate,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<UserId>>;
    /// Records that `user`'s digest for `day` goes out now; `false` if it
    /// already did (another run or instance got there first).
    async fn claim_digest(&self, user: UserId, day: NaiveDate) -> StoreResult<bool>;
}
