//! This instance's matching indexes, one per event ([`Recommender`], held
//! by [`AppState`](crate::state::AppState)). Only the holder is here; how an
//! index is built and kept up to date is in `service/matching.rs`.

use crate::{
    domain::{EventId, UserId},
    matching::MatchIndex,
};
use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
};

/// This instance's matching indexes, one per event, built on first use.
#[derive(Default)]
pub struct Recommender {
    pub(super) events: RwLock<HashMap<EventId, Arc<RwLock<MatchIndex<UserId>>>>>,
}

impl std::fmt::Debug for Recommender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.events.read().map(|e| e.len()).unwrap_or_default();
        write!(f, "Recommender({n} events)")
    }
}

impl Recommender {
    pub(super) fn loaded(&self, event: EventId) -> Option<Arc<RwLock<MatchIndex<UserId>>>> {
        self.events.read().ok()?.get(&event).cloned()
    }

    /// Drops an event's index; the next request rebuilds it (after the
    /// taxonomy changed, or when an update failed).
    pub fn forget(&self, event: EventId) {
        if let Ok(mut events) = self.events.write() {
            events.remove(&event);
        }
    }
}
