//! The meeting scheduler's storage ([`ScheduleStore`]): an event's meeting
//! sessions (slots, spot capacities, limits), each attendee's availability
//! and wishes, and the schedule itself, draft or published. The rules
//! (who may set what, what a run keeps, what an edit may do) are in
//! `service::schedule`; the store keeps what it is given, scoped to the
//! event it names, and publishes atomically.

use super::error::StoreResult;
use crate::domain::{EventId, MeetingStatus, UserId, WishPriority};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// The scheduler's limits and the figures of its last run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScheduleSettings {
    /// The most meetings one person gets over the whole schedule.
    pub max_meetings: u32,
    /// K: at most this many meetings in a row without a break.
    pub max_in_a_row: u32,
    /// The upper bound on the schedule's value computed by the last run
    /// (0 before any), what the review measures the schedule against.
    pub upper_bound: i64,
    /// When the scheduler last ran.
    pub ran_at: Option<DateTime<Utc>>,
    /// When the schedule was last published.
    pub published_at: Option<DateTime<Utc>>,
}

impl Default for ScheduleSettings {
    /// An event that set nothing up yet: 8 meetings each, 3 in a row.
    fn default() -> Self {
        ScheduleSettings {
            max_meetings: 8,
            max_in_a_row: 3,
            upper_bound: 0,
            ran_at: None,
            published_at: None,
        }
    }
}

/// One time slot of the meeting sessions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScheduleSlot {
    /// Opaque id (availability and meetings refer to it).
    pub id: Uuid,
    /// When it starts.
    pub starts_at: DateTime<Utc>,
    /// When it ends.
    pub ends_at: DateTime<Utc>,
}

/// A meeting spot and how many meetings it holds at once in the sessions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScheduleSpot {
    /// The meeting spot's id.
    pub id: Uuid,
    /// Its name, as agendas show it.
    pub name: String,
    /// Meetings at once (0: not used by the scheduler; default 1).
    pub capacity: u32,
}

/// Everything the organizer set up, in time and spot order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScheduleSetup {
    /// Limits and the last run's figures.
    pub settings: ScheduleSettings,
    /// The slots, in time order.
    pub slots: Vec<ScheduleSlot>,
    /// Every meeting spot of the event, with its capacity.
    pub spots: Vec<ScheduleSpot>,
}

/// A wish: `from` wants to meet `to`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WishRecord {
    /// Who wishes.
    pub from: UserId,
    /// Whom.
    pub to: UserId,
    /// How much.
    pub priority: WishPriority,
}

/// What an attendee said about their time: only people who said something
/// have a record; everyone else is available in every slot and does not
/// accept one-sided wishes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Availability {
    /// Who.
    pub user: UserId,
    /// One-sided wishes towards them count.
    pub accepts_requests: bool,
    /// The slots they cannot meet in.
    pub unavailable: Vec<Uuid>,
}

/// A meeting of the schedule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScheduledMeeting {
    /// Opaque id (the organizer's edit form names it).
    pub id: Uuid,
    /// One side.
    pub a: UserId,
    /// The other side.
    pub b: UserId,
    /// Its slot.
    pub slot: Uuid,
    /// Its spot.
    pub spot: Uuid,
    /// What it is worth to the schedule (the engine's value).
    pub value: i64,
    /// Published: a real meeting exists (`meeting`).
    pub published: bool,
    /// The real meeting, once published.
    pub meeting: Option<Uuid>,
    /// That meeting's status: cancelled means one side declined it.
    pub meeting_status: Option<MeetingStatus>,
}

/// A draft meeting to store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewScheduled {
    /// Its id.
    pub id: Uuid,
    /// One side.
    pub a: UserId,
    /// The other side.
    pub b: UserId,
    /// Its slot.
    pub slot: Uuid,
    /// Its spot.
    pub spot: Uuid,
    /// What it is worth.
    pub value: i64,
}

/// A real meeting to create when publishing a draft one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Publication {
    /// The draft meeting.
    pub scheduled: Uuid,
    /// The new meeting's id.
    pub meeting: Uuid,
    /// Its start (the slot's).
    pub starts_at: DateTime<Utc>,
    /// Its end.
    pub ends_at: DateTime<Utc>,
    /// The spot's name.
    pub place: String,
    /// The note it carries ("Scheduled by the organizers").
    pub message: String,
}

/// Sessions, availability, wishes and the schedule of an event.
#[async_trait]
pub trait ScheduleStore: Send + Sync {
    /// The event's setup (defaults when nothing is stored yet).
    async fn schedule_setup(&self, event: EventId) -> StoreResult<ScheduleSetup>;
    /// Stores the limits, the slots (rows of slots at unchanged times are
    /// kept, with the availability that refers to them; others go) and the
    /// capacity of each spot given. Drops the draft (not published)
    /// meetings: they were built for the old setup.
    async fn save_schedule_setup(
        &self,
        event: EventId,
        max_meetings: u32,
        max_in_a_row: u32,
        slots: &[(DateTime<Utc>, DateTime<Utc>)],
        capacities: &[(Uuid, u32)],
    ) -> StoreResult<()>;
    /// Sets (or with `None` removes) `from`'s wish to meet `to`.
    async fn set_wish(
        &self,
        event: EventId,
        from: UserId,
        to: UserId,
        priority: Option<WishPriority>,
    ) -> StoreResult<()>;
    /// The event's wishes; only `from`'s if given.
    async fn wishes(&self, event: EventId, from: Option<UserId>) -> StoreResult<Vec<WishRecord>>;
    /// Stores what `user` said about their time (slots of other events are
    /// ignored).
    async fn set_availability(
        &self,
        event: EventId,
        user: UserId,
        accepts_requests: bool,
        unavailable: &[Uuid],
    ) -> StoreResult<()>;
    /// What people said about their time; only `user`'s if given.
    async fn availability(
        &self,
        event: EventId,
        user: Option<UserId>,
    ) -> StoreResult<Vec<Availability>>;
    /// Pairs of the event's members where one blocked the other.
    async fn blocked_pairs(&self, event: EventId) -> StoreResult<Vec<(UserId, UserId)>>;
    /// The event's accepted meetings that are not part of the schedule.
    async fn other_accepted_meetings(
        &self,
        event: EventId,
    ) -> StoreResult<Vec<(UserId, UserId, DateTime<Utc>, DateTime<Utc>)>>;
    /// The schedule, draft and published, by slot time.
    async fn scheduled(&self, event: EventId) -> StoreResult<Vec<ScheduledMeeting>>;
    /// Replaces the draft meetings with `drafts` and records the run's
    /// upper bound and time.
    async fn save_draft(
        &self,
        event: EventId,
        drafts: &[NewScheduled],
        upper_bound: i64,
    ) -> StoreResult<()>;
    /// Adds a draft meeting, or moves the draft one with this id.
    /// `Conflict("published meeting")` for a published one.
    async fn put_draft_meeting(&self, event: EventId, meeting: &NewScheduled) -> StoreResult<()>;
    /// Removes a draft meeting; `NotFound` if there is no such draft.
    async fn remove_draft_meeting(&self, event: EventId, id: Uuid) -> StoreResult<()>;
    /// Publishes draft meetings at once: each becomes an accepted meeting
    /// (with `Publication`'s time, place and note) and is marked published.
    /// Nothing is published if one draft is gone (`Conflict("draft")`).
    async fn publish_schedule(
        &self,
        event: EventId,
        publications: &[Publication],
    ) -> StoreResult<()>;
}
