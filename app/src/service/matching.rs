//! Matching on the server: the per-event matching indexes
//! ([`MatchIndex`]) live in this instance's memory ([`Recommender`]), built
//! from the store on first use and updated whenever something they know
//! changes: a member's tags, company, tag visibility or opt-out, a member
//! joining or leaving, the event's taxonomy ([`member_changed`]).
//! Connections, blocks and dismissals are not in the index; they are read
//! per request and passed as exclusions, so they are never stale.

mod indexes;

pub use indexes::Recommender;

use crate::{
    domain::{EventId, Taxonomy, UserId},
    error::AppError,
    matching::MatchIndex,
    ports::MatchMember,
    state::AppState,
};
use std::sync::{Arc, RwLock};

/// Puts one member into an index as matching sees them: hidden tags, or
/// tags the event does not show, are never matched on (the explanation
/// would reveal them).
fn upsert(index: &mut MatchIndex<UserId>, m: MatchMember, taxonomy: &Taxonomy, free_tags: bool) {
    let tags = if m.tags_public {
        m.tags.for_event(taxonomy, free_tags)
    } else {
        crate::domain::TagSet::default()
    };
    let pairs: Vec<_> = tags.iter().cloned().collect();
    index.upsert(m.user, pairs.iter(), &m.company, m.opted_out);
}

impl Recommender {
    /// The event's index, built from the store if this instance has none.
    pub async fn index(
        &self,
        state: &AppState,
        event: EventId,
    ) -> Result<Arc<RwLock<MatchIndex<UserId>>>, AppError> {
        if let Some(index) = self.loaded(event) {
            return Ok(index);
        }
        let (taxonomy, free_tags) = state.store.taxonomy(event).await?;
        let members = state.store.match_members(event).await?;
        let mut index = MatchIndex::new();
        for m in members {
            upsert(&mut index, m, &taxonomy, free_tags);
        }
        let mut events = self.events.write().map_err(|_| poisoned())?;
        // Another request may have built it meanwhile; keep the first.
        Ok(events
            .entry(event)
            .or_insert_with(|| Arc::new(RwLock::new(index)))
            .clone())
    }

    /// Brings `user` up to date in every index this instance holds.
    pub async fn refresh_user(&self, state: &AppState, user: UserId) {
        let loaded: Vec<EventId> = match self.events.read() {
            Ok(events) => events.keys().copied().collect(),
            Err(_) => return,
        };
        for event in loaded {
            if let Err(e) = self.refresh_member(state, event, user).await {
                tracing::warn!(error = %e, %event, "matching index update failed; rebuilding it later");
                self.forget(event);
            }
        }
    }

    async fn refresh_member(
        &self,
        state: &AppState,
        event: EventId,
        user: UserId,
    ) -> Result<(), AppError> {
        let Some(index) = self.loaded(event) else {
            return Ok(());
        };
        let member = state.store.match_member(event, user).await?;
        let (taxonomy, free_tags) = state.store.taxonomy(event).await?;
        let mut index = index.write().map_err(|_| poisoned())?;
        match member {
            Some(m) => upsert(&mut index, m, &taxonomy, free_tags),
            None => {
                index.remove(&user);
            }
        }
        Ok(())
    }
}

/// What a request gets when a matching index lock was poisoned.
pub fn poisoned() -> AppError {
    tracing::error!("a matching index lock was poisoned");
    AppError::Internal
}

/// Tells the matching indexes that `user` changed (profile, tags,
/// visibility, membership). Never fails the caller's request.
pub async fn member_changed(state: &AppState, user: UserId) {
    state.matching.refresh_user(state, user).await;
    state.live.member_changed(user);
}
