//! Meetings: the spots an organizer offers, meeting requests and their
//! replies, and the private calendar feed ([`MeetingStore`]).

use super::error::StoreResult;
use crate::domain::{EventId, MeetingStatus, UserId};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// A place the organizer offers for meetings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeetingSpot {
    pub id: uuid::Uuid,
    pub name: String,
}

/// A meeting request or meeting between two members of an event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Meeting {
    pub id: uuid::Uuid,
    pub event: EventId,
    pub requester: UserId,
    pub invitee: UserId,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub spot: Option<uuid::Uuid>,
    /// The spot's name, or the free text given.
    pub place: String,
    pub message: String,
    pub status: MeetingStatus,
    /// Who must answer next while pending.
    pub awaiting: Option<UserId>,
    /// Either said the meeting took place.
    pub held: bool,
    /// Bumped on every change that calendars must pick up (iCalendar SEQUENCE).
    pub revision: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Meeting {
    /// The other party of the meeting, seen from `me`.
    pub fn other(&self, me: UserId) -> UserId {
        if self.requester == me {
            self.invitee
        } else {
            self.requester
        }
    }

    pub fn involves(&self, user: UserId) -> bool {
        self.requester == user || self.invitee == user
    }
}

/// A meeting request to store.
#[derive(Clone, Debug)]
pub struct NewMeeting {
    pub id: uuid::Uuid,
    pub event: EventId,
    pub requester: UserId,
    pub invitee: UserId,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub spot: Option<uuid::Uuid>,
    pub place: String,
    pub message: String,
}

/// A reply to a meeting request. The caller checks who may do what; the
/// store applies it only if the meeting is still in the state it expects.
#[derive(Clone, Debug)]
pub enum MeetingChange {
    Accept,
    Decline,
    Cancel,
    /// Another time (and place); the other person answers next.
    Counter {
        by: UserId,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        spot: Option<uuid::Uuid>,
        place: String,
    },
    Held,
}

/// Meeting spots, meeting requests and the private calendar feed.
#[async_trait]
pub trait MeetingStore: Send + Sync {
    /// Replaces the event's meeting spots (kept by name, in this order).
    async fn set_spots(&self, event: EventId, names: &[String]) -> StoreResult<()>;
    async fn spots(&self, event: EventId) -> StoreResult<Vec<MeetingSpot>>;
    /// An accepted meeting of `a` or `b` overlapping the time, if any
    /// (`except`: the meeting being changed).
    async fn clashing_meeting(
        &self,
        people: [UserId; 2],
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        except: Option<uuid::Uuid>,
    ) -> StoreResult<Option<Meeting>>;
    /// Stores a pending request, atomically refusing it with
    /// `Conflict("meeting time")` if either person has an accepted meeting
    /// then.
    async fn request_meeting(&self, new: &NewMeeting) -> StoreResult<Meeting>;
    /// Applies a reply if the meeting is in the state it needs (pending for
    /// accept/decline/counter, pending or accepted for cancel, accepted for
    /// held), else `Conflict("meeting state")`; accept and counter refuse a
    /// clash like [`MeetingStore::request_meeting`].
    async fn change_meeting(&self, id: uuid::Uuid, change: &MeetingChange) -> StoreResult<Meeting>;
    async fn meeting(&self, id: uuid::Uuid) -> StoreResult<Option<Meeting>>;
    /// The user's meetings in every state, soonest first; one event's if given.
    async fn meetings_of(&self, user: UserId, event: Option<EventId>) -> StoreResult<Vec<Meeting>>;
    /// The user's calendar feed secret, stored as `fresh` if none yet.
    async fn calendar_token(&self, user: UserId, fresh: &str) -> StoreResult<String>;
    async fn user_by_calendar_token(&self, token: &str) -> StoreResult<Option<UserId>>;
}
