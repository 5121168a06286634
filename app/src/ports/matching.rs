//! Matching's inputs and answers: what the engine knows of each member,
//! "interested" / "not now", and the funnel counts ([`MatchStore`]).

use super::error::StoreResult;
use crate::domain::{EventId, FunnelStage, TagSet, UserId};
use async_trait::async_trait;

/// What the matching engine needs to know about one member of an event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatchMember {
    pub user: UserId,
    pub company: String,
    pub tags: TagSet,
    /// Whether fellow members may see the tags: a match explains itself
    /// with the other's tags, so hidden tags are never matched on.
    pub tags_public: bool,
    pub opted_out: bool,
    pub checked_in: bool,
}

/// Recommendations, "interested" / "not now", and the funnel counts.
#[async_trait]
pub trait MatchStore: Send + Sync {
    /// Every member of the event, for building its matching index.
    async fn match_members(&self, event: EventId) -> StoreResult<Vec<MatchMember>>;
    /// One member, for updating the index; `None` for a non-member.
    async fn match_member(&self, event: EventId, user: UserId) -> StoreResult<Option<MatchMember>>;
    /// Everyone `user` blocked or was blocked by.
    async fn blocked_with(&self, user: UserId) -> StoreResult<Vec<UserId>>;
    /// Idempotent.
    async fn dismiss(&self, event: EventId, user: UserId, other: UserId) -> StoreResult<()>;
    async fn dismissed(&self, event: EventId, user: UserId) -> StoreResult<Vec<UserId>>;
    /// Records that `user` is interested in meeting `other`; when `other`
    /// already was, connects the two (method "mutual") in the same
    /// transaction and returns `true`.
    async fn mark_interested(
        &self,
        event: EventId,
        user: UserId,
        other: UserId,
    ) -> StoreResult<bool>;
    /// The people `user` said they are interested in.
    async fn interested_in(&self, event: EventId, user: UserId) -> StoreResult<Vec<UserId>>;
    /// Counts a funnel stage for `user` with each of `others` (once per pair).
    async fn record_funnel(
        &self,
        event: EventId,
        user: UserId,
        others: &[UserId],
        stage: FunnelStage,
    ) -> StoreResult<()>;
    /// How many pairs reached each stage.
    async fn funnel_counts(&self, event: EventId) -> StoreResult<Vec<(FunnelStage, u64)>>;
}
