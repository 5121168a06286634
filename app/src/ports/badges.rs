//! Badges and scans: issuing, reissuing and looking up badges, and the
//! scans made of them with their effects ([`BadgeStore`]).

use super::error::StoreResult;
use crate::domain::{
    BadgeCode, BadgeToken, ClientNonce, ConnectionMethod, EventId, Role, ScanMode, ScanOutcome,
    TagSet, UserId, VisibilitySettings,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// A member's current badge in one event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Badge {
    pub event: EventId,
    pub user: UserId,
    pub token: BadgeToken,
    pub code: BadgeCode,
    pub issued_at: DateTime<Utc>,
}

/// What a token or code names: a badge in use, or one that was replaced
/// (so the scanner can say "replaced" instead of "unknown").
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BadgeLookup {
    Current(Badge),
    Revoked { event: EventId, user: UserId },
}

/// A badge with what is printed on it, for the organizer's badge sheets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadgeHolder {
    pub badge: Badge,
    pub role: Role,
    pub display_name: String,
    pub pronouns: String,
    pub headline: String,
    pub company: String,
    pub tags: TagSet,
    /// The holder's visibility settings: a badge is seen by everyone at the
    /// event, so it prints only what fellow members may see.
    pub visibility: VisibilitySettings,
}

/// A scan attempt to record. `outcome` is what the caller decided from the
/// badge and the two people; the store applies its effect (connect, request,
/// check in) in the same transaction and may settle it as "already".
#[derive(Clone, Debug)]
pub struct NewScan {
    pub id: uuid::Uuid,
    /// `None` when the token named no event at all.
    pub event: Option<EventId>,
    pub scanner: UserId,
    pub target: Option<UserId>,
    pub method: ConnectionMethod,
    pub mode: ScanMode,
    pub outcome: ScanOutcome,
    /// The scanner's id for this scan; a nonce seen before returns the first
    /// record instead of recording again.
    pub nonce: Option<ClientNonce>,
    /// When the device scanned (earlier than now for an offline scan).
    pub scanned_at: DateTime<Utc>,
    /// The start of the event's day at `scanned_at`: for check-in and
    /// check-out, a check-in made before it has ended with its day.
    pub today_from: DateTime<Utc>,
}

/// A recorded scan attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScanRecord {
    pub id: uuid::Uuid,
    pub event: Option<EventId>,
    pub scanner: Option<UserId>,
    pub target: Option<UserId>,
    pub method: ConnectionMethod,
    pub mode: ScanMode,
    pub outcome: ScanOutcome,
    pub scanned_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    /// For check-in outcomes: since when the attendee is here (or when they
    /// were first checked in, once they left).
    pub checked_in_at: Option<DateTime<Utc>>,
}

/// Scan counts of an event for the organizer: (outcome, how many).
pub type ScanCounts = Vec<(ScanOutcome, u64)>;

/// Badges (issue, reissue, look up) and the scans made of them.
#[async_trait]
pub trait BadgeStore: Send + Sync {
    /// The member's badge, or `None` if none was issued yet.
    async fn badge(&self, event: EventId, user: UserId) -> StoreResult<Option<Badge>>;
    /// Issues a badge with these fresh secrets, replacing (revoking) the
    /// current one in the same transaction. `NotFound` for a non-member,
    /// `Conflict("badge token")`/`Conflict("badge code")` on a clash.
    async fn issue_badge(
        &self,
        event: EventId,
        user: UserId,
        token: &BadgeToken,
        code: &BadgeCode,
    ) -> StoreResult<Badge>;
    async fn badge_by_token(&self, token: &BadgeToken) -> StoreResult<Option<BadgeLookup>>;
    async fn badge_by_code(
        &self,
        event: EventId,
        code: &BadgeCode,
    ) -> StoreResult<Option<BadgeLookup>>;
    /// Members of the event that have no badge yet.
    async fn members_without_badge(&self, event: EventId) -> StoreResult<Vec<UserId>>;
    /// Every badge of the event with its holder, by name; only `role` if given.
    async fn badge_holders(
        &self,
        event: EventId,
        role: Option<Role>,
    ) -> StoreResult<Vec<BadgeHolder>>;
    /// Records a scan attempt and applies its effect atomically (see
    /// [`NewScan`]). A nonce already recorded for the scanner returns the
    /// earlier record unchanged.
    async fn record_scan(&self, scan: &NewScan) -> StoreResult<ScanRecord>;
    async fn scan(&self, id: uuid::Uuid) -> StoreResult<Option<ScanRecord>>;
    /// How the event's scan attempts turned out.
    async fn scan_counts(&self, event: EventId) -> StoreResult<ScanCounts>;
    /// `NotFound` for a non-member.
    async fn set_approve_scans(&self, event: EventId, user: UserId, on: bool) -> StoreResult<()>;
}
