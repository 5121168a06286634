//! Membership beyond joining: removals that stick, memberships offered to
//! wait for consent, and a member's own settings in one event
//! ([`MembershipStore`], [`Membership`]).

use super::{error::StoreResult, events::Event};
use crate::domain::{EventId, Role, UserId};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// Removals that stick, and memberships that wait for consent. A removal
/// by an organizer ([`MemberChange::Remove`](super::MemberChange::Remove)) is recorded with the
/// membership's deletion, in the same transaction, and also withdraws
/// any pending offer; while it stands, [`EventStore::add_member`](super::EventStore::add_member) and
/// [`MembershipStore::answer_offer`] refuse that person with
/// `Conflict("removed")`, so no join path can forget to check.
#[async_trait]
pub trait MembershipStore: Send + Sync {
    /// Whether the organizers removed `user` from `event` (and have not let
    /// them back in).
    async fn was_removed(&self, event: EventId, user: UserId) -> StoreResult<bool>;
    /// The people removed from `event`, by name.
    async fn removed_members(&self, event: EventId) -> StoreResult<Vec<RemovedMember>>;
    /// Lifts a removal: `user` may join again (they are not made a member).
    /// `NotFound` if they were not removed.
    async fn readmit(&self, event: EventId, user: UserId) -> StoreResult<()>;
    /// Offers `user` a membership of `event` with `role`, to accept or
    /// decline (to a member: that role instead of theirs). A second offer
    /// to the same person changes the role and keeps the first token (the
    /// link already mailed stays good). `Conflict("membership")` if they
    /// are a member with this role already,
    /// `Conflict("removed")` if they were removed, `NotFound` if the event
    /// or account does not exist.
    async fn offer_membership(
        &self,
        token: &str,
        event: EventId,
        user: UserId,
        role: Role,
    ) -> StoreResult<MembershipOffer>;
    /// The offer behind a personal link.
    async fn offer_by_token(&self, token: &str) -> StoreResult<Option<MembershipOffer>>;
    /// The offers `user` has not answered yet, with their events, soonest
    /// event first.
    async fn pending_offers(&self, user: UserId) -> StoreResult<Vec<(Event, MembershipOffer)>>;
    /// The offers waiting in `event` for people who are members of it
    /// already (another role: a promotion the organizers offered), in no
    /// particular order.
    async fn offers_to_members(&self, event: EventId) -> StoreResult<Vec<MembershipOffer>>;
    /// Answers an offer in one transaction. Accepting makes `user` a member
    /// with exactly the offered role (a member already, e.g. an imported
    /// attendee, gets that role) and returns it; declining returns `None`.
    /// Either way the offer is gone. `NotFound` if there is no offer,
    /// `Conflict("removed")` if the organizers removed them.
    async fn answer_offer(
        &self,
        event: EventId,
        user: UserId,
        accept: bool,
    ) -> StoreResult<Option<Role>>;
}

/// Someone the organizers removed from an event, as the settings page lists
/// them until they are let back in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemovedMember {
    pub user_id: UserId,
    pub display_name: String,
    pub removed_at: DateTime<Utc>,
}

/// A membership offered to someone (by an organizer's import) that waits
/// for their answer: until they accept, they are not a member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MembershipOffer {
    /// Secret of the personal link that leads to the answer.
    pub token: String,
    pub event: EventId,
    pub user: UserId,
    /// The role accepting gives.
    pub role: Role,
    pub created_at: DateTime<Utc>,
}

/// A member's own settings in one event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Membership {
    pub role: Role,
    /// "Here to find a co-founder": shown with the profile in this event.
    pub event_line: String,
    /// Hidden from the directory and recommendations in this event.
    pub opted_out: bool,
    /// A scan of my badge asks me first instead of connecting at once.
    pub approve_scans: bool,
    /// When staff checked me in at the entrance.
    pub checked_in_at: Option<DateTime<Utc>>,
    /// A sponsor or exhibitor (set by an organizer): sees the leads page.
    pub exhibitor: bool,
}
