//! The matching engine of one event: an in-memory inverted index from
//! `(tag, intent)` to the attendees who list it, kept up to date one profile
//! at a time, that answers "the best k people for this attendee" by reading
//! only the posting lists of the asker's own tags.
//!
//! The engine is in three files: this one holds the index's data (members
//! in slots, interned tags with their posting lists) and what reads it
//! directly; [`update`] keeps it in step with profiles one member at a
//! time; [`query`] answers "the best k people" without reading every list.
//!
//! # Layout
//!
//! Attendees get a dense `u32` slot and tags an interned `u32` id, so a query
//! adds into a plain `Vec<u32>` of raw scores indexed by slot (borrowed from
//! a small pool, since queries take `&self`) and posting lists are sorted
//! `Vec<u32>` of slots. Freed slots are reused. Interned tags and companies
//! are never forgotten: an event's vocabulary is small next to its postings.
//!
//! Attendees who opted out of matching keep their slot (so we know to give
//! them nothing) but are in no posting list and are not counted in the
//! document frequencies: IDF describes the people who can be matched.
//!
//! Ties are broken by the member id, ascending, so every instance gives the
//! same list for the same data.

mod query;
mod update;

use super::score::{self, Explanation, TagProfile};
use crate::domain::{Intent, Tag};
use serde::{Deserialize, Serialize};
use std::{collections::HashMap, hash::Hash, sync::Mutex};

/// How many people from one company a list may hold unless the engine was
/// built with another cap: an attendee should meet an event, not one sponsor's
/// booth staff.
pub const DEFAULT_PER_COMPANY: usize = 2;

/// How many posting entries scanned cost as much as completing one
/// candidate from its own profile. A scan step is a sequential read and a bit
/// test; a completion is a couple of cache misses and a merge. Tried from 10
/// to 100,000 on the benchmark (100k and 1M attendees): 300–3,000 are all
/// close, 1,000 was best at 1M.
const MERGE_COST: usize = 1_000;

/// Company id meaning "no company given": never limits anyone.
const NO_COMPANY: u32 = 0;

/// One recommended attendee and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Recommendation<K> {
    /// Who is recommended.
    pub member: K,
    /// The score and the tags behind it, shown to the asker.
    pub explanation: Explanation,
}

/// The matching engine of one event. `K` is the member id (the server uses
/// the user's UUID); ties between equal scores are broken by `K`'s order.
///
/// Queries take `&self` and may run in parallel (the server keeps the index
/// behind an `RwLock`); updates take `&mut self`.
pub struct MatchIndex<K> {
    /// Slot → member; `None` for a freed slot waiting in `free`.
    members: Vec<Option<Member<K>>>,
    /// Entry count of each slot's profile (0 when freed or untagged), kept
    /// apart from `members` so the hot loops read a dense array.
    entry_counts: Vec<u32>,
    /// Company id of each slot, dense for the same reason.
    company_of: Vec<u32>,
    /// Member id → slot.
    slot_of: HashMap<K, u32>,
    /// Freed slots, reused before the slot vector grows.
    free: Vec<u32>,
    /// Interned tag id → its text, document frequency and posting lists.
    tags: Vec<TagEntry>,
    /// Tag → interned id.
    tag_ids: HashMap<Tag, u32>,
    /// Normalised company name → company id (from 1; 0 is "none").
    company_ids: HashMap<String, u32>,
    /// Members who can be matched (present and not opted out): the `N` of IDF.
    matchable: usize,
    /// At most this many recommendations from one company.
    per_company: usize,
    /// [`MERGE_COST`]; a field so tests can force either way of finishing
    /// a query.
    merge_cost: usize,
    /// Query scratch buffers, taken and put back by each query so queries
    /// need only `&self`. Holds at most as many as ran at the same time.
    scratch: Mutex<Vec<Scratch>>,
}

/// What the index keeps about one member.
struct Member<K> {
    /// The caller's id, returned in recommendations and used for tie-breaks.
    key: K,
    /// Distinct entries with interned tags: what the member is matched on.
    profile: TagProfile<u32>,
    /// Opted out of matching: in no posting list, given no recommendations.
    opted_out: bool,
}

/// An interned tag.
struct TagEntry {
    /// The tag's text, for explanations.
    tag: Tag,
    /// Matchable members carrying this tag with any intent: the `df` of IDF.
    df: u32,
    /// Members carrying it, one list per intent ([`intent_index`]).
    postings: [Posting; 3],
}

/// The members carrying one `(tag, intent)`.
struct Posting {
    /// Their slots, sorted ascending (binary-search updates, and queries
    /// walk the score array in address order).
    slots: Vec<u32>,
    /// No member in `slots` has fewer entries than this. Lowered on every
    /// insert, never raised on removal: a stale value is still a valid lower
    /// bound, only a less tight one. Feeds the pruning bound.
    min_entries: u32,
}

/// Per-query working memory, reused across queries.
#[derive(Default)]
struct Scratch {
    /// Raw score per slot; all zero between queries.
    acc: Vec<u32>,
    /// One bit per slot: still a candidate in phase 2; all zero between
    /// queries.
    seen: Vec<u64>,
    /// Slots with a non-zero score in `acc`, to visit and reset them.
    touched: Vec<u32>,
    /// The touched slots still in the running in phase 2.
    alive: Vec<u32>,
    /// Slots marked `EXCLUDED` by the query, to reset them.
    marked: Vec<u32>,
    /// (score, slot) buffer for ranking.
    ranked: Vec<(f64, u32)>,
}

/// Where a member's list for `intent` is in [`TagEntry::postings`].
fn intent_index(intent: Intent) -> usize {
    match intent {
        Intent::Interest => 0,
        Intent::Offer => 1,
        Intent::Seek => 2,
    }
}

impl<K: Copy + Eq + Hash + Ord> Default for MatchIndex<K> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K> std::fmt::Debug for MatchIndex<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MatchIndex")
            .field("members", &(self.members.len() - self.free.len()))
            .field("matchable", &self.matchable)
            .field("tags", &self.tags.len())
            .field("per_company", &self.per_company)
            .finish_non_exhaustive()
    }
}

impl<K: Copy + Eq + Hash + Ord> MatchIndex<K> {
    /// An empty index with the [`DEFAULT_PER_COMPANY`] cap.
    pub fn new() -> Self {
        Self::with_per_company(DEFAULT_PER_COMPANY)
    }

    /// An empty index that recommends at most `per_company` people (at
    /// least 1) from one company.
    pub fn with_per_company(per_company: usize) -> Self {
        Self {
            members: Vec::new(),
            entry_counts: Vec::new(),
            company_of: Vec::new(),
            slot_of: HashMap::new(),
            free: Vec::new(),
            tags: Vec::new(),
            tag_ids: HashMap::new(),
            company_ids: HashMap::new(),
            matchable: 0,
            per_company: per_company.max(1),
            merge_cost: MERGE_COST,
            scratch: Mutex::new(Vec::new()),
        }
    }

    /// Members in the index, opted out or not.
    pub fn len(&self) -> usize {
        self.slot_of.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slot_of.is_empty()
    }

    /// Members who can be matched: the `N` of IDF.
    pub fn matchable(&self) -> usize {
        self.matchable
    }

    /// Whether `member` is in the index.
    pub fn contains(&self, member: &K) -> bool {
        self.slot_of.contains_key(member)
    }

    /// Why `asker` and `other` should meet, as a recommendation would say
    /// it (whether or not `other` made the asker's top list); `None` when
    /// either is unknown or opted out.
    pub fn explain_pair(&self, asker: &K, other: &K) -> Option<Explanation> {
        let member = |k: &K| {
            let slot = *self.slot_of.get(k)?;
            self.members[slot as usize]
                .as_ref()
                .filter(|m| !m.opted_out)
        };
        let (me, them) = (member(asker)?, member(other)?);
        Some(score::explain(
            &me.profile,
            &them.profile,
            |tag: &u32| self.weight(*tag),
            |tag: &u32| self.tags[*tag as usize].tag.clone(),
        ))
    }

    /// Fixed-point IDF weight of an interned tag, from live frequencies.
    fn weight(&self, tag: u32) -> u32 {
        score::tag_weight(self.matchable, self.tags[tag as usize].df as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Intent::{Interest, Offer, Seek};

    pub(super) fn tags(list: &[(&str, Intent)]) -> Vec<(Tag, Intent)> {
        list.iter()
            .map(|(t, i)| (Tag::parse(t).unwrap(), *i))
            .collect()
    }

    pub(super) fn ids(recs: &[Recommendation<u32>]) -> Vec<u32> {
        recs.iter().map(|r| r.member).collect()
    }

    /// Ten people around a Rust meetup; 1 is the asker.
    pub(super) fn meetup() -> MatchIndex<u32> {
        let mut index = MatchIndex::new();
        index.upsert(
            1,
            &tags(&[("rust", Seek), ("go", Interest), ("hiring", Offer)]),
            "",
            false,
        );
        index.upsert(
            2,
            &tags(&[("rust", Offer), ("python", Interest)]),
            "Ferrous",
            false,
        );
        index.upsert(
            3,
            &tags(&[("go", Interest), ("python", Interest)]),
            "Gopher Inc",
            false,
        );
        index.upsert(4, &tags(&[("hiring", Seek), ("go", Interest)]), "", false);
        index.upsert(
            5,
            &tags(&[("python", Interest), ("django", Offer)]),
            "",
            false,
        );
        for id in 6..=10 {
            index.upsert(
                id,
                &tags(&[("python", Interest), ("databases", Seek)]),
                "Big Co",
                false,
            );
        }
        index
    }

    #[test]
    fn a_pair_is_explained_as_its_recommendation_is() {
        let index = meetup();
        for rec in index.recommend(&1, 10, &[]) {
            assert_eq!(index.explain_pair(&1, &rec.member), Some(rec.explanation));
        }
        let stranger = index.explain_pair(&1, &6).unwrap();
        assert!(stranger.reasons.is_empty(), "nothing in common, no reasons");
        assert_eq!(index.explain_pair(&1, &99), None);
    }

    #[test]
    fn the_index_can_be_shared_between_threads() {
        fn shareable<T: Send + Sync>() {}
        shareable::<MatchIndex<u32>>();
        let index = std::sync::Arc::new(meetup());
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let index = index.clone();
                std::thread::spawn(move || ids(&index.recommend(&1, 10, &[])))
            })
            .collect();
        for thread in threads {
            assert_eq!(thread.join().unwrap(), [4, 2, 3]);
        }
    }
}
