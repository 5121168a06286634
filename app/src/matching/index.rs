//! The matching engine of one event: an in-memory inverted index from
//! `(tag, intent)` to the attendees who list it, kept up to date one profile
//! at a time, that answers "the best k people for this attendee" by reading
//! only the posting lists of the asker's own tags.
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
//! # Query: MaxScore pruning
//!
//! Each of the asker's entries is a *term*: a posting list to read (my seek →
//! their offers, my offer → their seeks, my interest → their interests) and a
//! weight (`factor × idf`, see [`super::score`]). With Zipf-distributed tags
//! the most popular terms have lists covering much of the event, so reading
//! every list is a full scan in disguise. Instead terms are read heaviest
//! (rarest) first and, after each, we compare:
//!
//! - `θ`: the score of the k-th recommendation we would give right now (after
//!   the company rule). Scores only grow as terms are added, and the company
//!   rule's k-th score is monotone in the scores (it is the largest `s` such
//!   that `Σ_company min(cap, #members ≥ s) ≥ k`), so `θ` never exceeds the
//!   final k-th score;
//! - `U`: the best score an attendee *not yet seen* could reach from the
//!   unread terms. Someone with `n` entries matches at most `n` terms (each
//!   of their entries fits one `(tag, intent)` of mine), so their raw score is
//!   at most the sum `S(n)` of the `n` heaviest unread weights, and their score
//!   at most `max over n ≥ L of normalise(S(n), n)`, where `L` is the smallest
//!   entry count anyone in an unread list has (kept per list).
//!
//! Once `U < θ`, nobody unseen can be recommended and the remaining, common
//! terms add no one new. Everyone seen is then finished, or dropped as soon
//! as even all the unread terms could not lift them to `θ` (the same bound,
//! with their own entry count). An unread term is finished either by
//! *scanning* its list, adding its weight to the people still in the running
//! (marked in a bitmap that stays in cache), or at the end by *merging* each
//! survivor's own sorted entries with the unread terms. Scanning costs the
//! list's length, merging a few cache misses per survivor, so lists are
//! scanned, heaviest first, while they are the cheaper way ([`MERGE_COST`]);
//! each scan raises scores and `θ`, so more people drop out before the next.
//!
//! The result is exactly what a full scan would give, because everyone
//! dropped scores strictly below the final k-th score, and everyone kept has
//! their exact score; `engine_agrees_with_a_brute_force_scan` checks this on
//! hundreds of random events, finishing queries each way.
//!
//! Ties are broken by the member id, ascending, so every instance gives the
//! same list for the same data.

use super::score::{self, Explanation, ReasonKind, TagProfile, MAX_RAW};
use crate::domain::{Intent, Tag};
use serde::{Deserialize, Serialize};
use std::{collections::HashMap, hash::Hash, sync::Mutex};

/// How many people from one company a list may hold unless the engine was
/// built with another cap: an attendee should meet an event, not one sponsor's
/// booth staff.
pub const DEFAULT_PER_COMPANY: usize = 2;

/// Raw-score marker for the asker and the people they excluded: larger than
/// any real raw score ([`MAX_RAW`]), so it is skipped when adding.
const EXCLUDED: u32 = u32::MAX;

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
    /// Slots marked [`EXCLUDED`], to reset them.
    marked: Vec<u32>,
    /// (score, slot) buffer for ranking.
    ranked: Vec<(f64, u32)>,
}

/// One of the asker's entries, as a posting list to read.
struct Term<'a> {
    /// `factor × tag weight`, fixed point.
    weight: u32,
    /// Interned tag.
    tag: u32,
    /// The intent a candidate's entry must have to match.
    theirs: Intent,
    /// The matching candidates.
    posting: &'a Posting,
}

/// Where a member's list for `intent` is in [`TagEntry::postings`].
fn intent_index(intent: Intent) -> usize {
    match intent {
        Intent::Interest => 0,
        Intent::Offer => 1,
        Intent::Seek => 2,
    }
}

/// The form of a company name compared by the company rule: trimmed, inner
/// spaces collapsed, lower case. `None` when nothing is left.
fn company_key(raw: &str) -> Option<String> {
    let key = raw
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    (!key.is_empty()).then_some(key)
}

/// Walks `ranked` (best first) and keeps at most `per_company` slots of each
/// company, stopping at `k` kept; pushes the kept positions in `ranked` to
/// `kept`.
fn pick_diverse(
    ranked: &[(f64, u32)],
    company_of: &[u32],
    per_company: usize,
    k: usize,
    kept: &mut Vec<usize>,
) {
    // (company, count) of the companies kept so far: at most k of them, so
    // a linear search stays cheap.
    let mut counts: Vec<(u32, usize)> = Vec::new();
    for (position, &(_, slot)) in ranked.iter().enumerate() {
        if kept.len() == k {
            return;
        }
        let company = company_of[slot as usize];
        if company != NO_COMPANY {
            match counts.iter_mut().find(|(c, _)| *c == company) {
                Some((_, n)) if *n >= per_company => continue,
                Some((_, n)) => *n += 1,
                None => counts.push((company, 1)),
            }
        }
        kept.push(position);
    }
}

/// Descending by score; the slot is only a placeholder tie-break here
/// (ranking ties by member id happens when the final list is sorted).
fn by_score_desc(a: &(f64, u32), b: &(f64, u32)) -> std::cmp::Ordering {
    b.0.total_cmp(&a.0).then(a.1.cmp(&b.1))
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

    /// Adds `member` or replaces what the index knows about them: their tags
    /// with intents, their company (compared trimmed and case-insensitively;
    /// empty for none) and whether they opted out of matching. Only the
    /// posting lists that changed are touched.
    pub fn upsert<'t>(
        &mut self,
        member: K,
        tags: impl IntoIterator<Item = &'t (Tag, Intent)>,
        company: &str,
        opted_out: bool,
    ) {
        let profile = TagProfile::new(
            tags.into_iter()
                .map(|(tag, intent)| (self.intern(tag), *intent))
                .collect::<Vec<_>>(),
        );
        let company = self.company_id(company);
        let slot = match self.slot_of.get(&member) {
            Some(&slot) => slot,
            None => {
                let slot = self.allocate();
                self.slot_of.insert(member, slot);
                slot
            }
        };
        let old = self.members[slot as usize].take();
        let new = Member {
            key: member,
            profile,
            opted_out,
        };
        self.reindex(slot, old.as_ref(), Some(&new));
        self.entry_counts[slot as usize] = new.profile.len() as u32;
        self.company_of[slot as usize] = company;
        self.members[slot as usize] = Some(new);
    }

    /// Forgets `member` (they left the event or were removed). Returns
    /// whether they were there.
    pub fn remove(&mut self, member: &K) -> bool {
        let Some(slot) = self.slot_of.remove(member) else {
            return false;
        };
        let old = self.members[slot as usize].take();
        self.reindex(slot, old.as_ref(), None);
        self.entry_counts[slot as usize] = 0;
        self.company_of[slot as usize] = NO_COMPANY;
        self.free.push(slot);
        true
    }

    /// The best `k` people for `asker`, best first, each with its
    /// explanation. Never recommends the asker, anyone in `exclude` (the
    /// caller's existing connections, blocked pairs and dismissed people),
    /// anyone who opted out, or anyone with a score of zero; gives an asker
    /// who opted out (or is unknown) nothing; keeps at most the company cap
    /// from any one company.
    pub fn recommend<'e>(
        &self,
        asker: &K,
        k: usize,
        exclude: impl IntoIterator<Item = &'e K>,
    ) -> Vec<Recommendation<K>>
    where
        K: 'e,
    {
        let Some(&me_slot) = self.slot_of.get(asker) else {
            return Vec::new();
        };
        let Some(me) = &self.members[me_slot as usize] else {
            return Vec::new();
        };
        if me.opted_out || k == 0 || me.profile.is_empty() {
            return Vec::new();
        }

        let mut scratch = self
            .scratch
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .pop()
            .unwrap_or_default();
        if scratch.acc.len() < self.members.len() {
            scratch.acc.resize(self.members.len(), 0);
            scratch.seen.resize(self.members.len().div_ceil(64), 0);
        }
        let chosen = self.rank(me_slot, &me.profile, k, exclude, &mut scratch);
        // Leave the scratch all zero for the next query.
        for &slot in scratch.touched.iter().chain(&scratch.marked) {
            scratch.acc[slot as usize] = 0;
        }
        scratch.touched.clear();
        scratch.alive.clear();
        scratch.marked.clear();
        scratch.ranked.clear();
        self.scratch
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(scratch);

        let weight = |tag: &u32| self.weight(*tag);
        let name = |tag: &u32| self.tags[*tag as usize].tag.clone();
        chosen
            .into_iter()
            .map(|(score, slot)| {
                let them = self.members[slot as usize]
                    .as_ref()
                    .expect("ranked slots are occupied");
                let explanation = score::explain(&me.profile, &them.profile, weight, name);
                debug_assert_eq!(explanation.score, score, "engine and scorer agree");
                Recommendation {
                    member: them.key,
                    explanation,
                }
            })
            .collect()
    }

    /// The ranking proper (see the module documentation): returns the chosen
    /// (score, slot) pairs, best first. Leaves `scratch` for the caller to
    /// reset.
    fn rank<'e>(
        &self,
        me_slot: u32,
        me: &TagProfile<u32>,
        k: usize,
        exclude: impl IntoIterator<Item = &'e K>,
        scratch: &mut Scratch,
    ) -> Vec<(f64, u32)>
    where
        K: 'e,
    {
        let my_len = me.len();
        let Scratch {
            acc,
            seen,
            touched,
            alive,
            marked,
            ranked,
        } = scratch;

        // The asker's terms, heaviest first; ties by list length so a
        // cheaper list is read first (the order changes no result).
        let mut terms: Vec<Term> = me
            .entries()
            .iter()
            .filter_map(|&(tag, mine)| {
                let (kind, theirs) = ReasonKind::for_my_intent(mine);
                let posting = &self.tags[tag as usize].postings[intent_index(theirs)];
                (!posting.slots.is_empty()).then(|| Term {
                    weight: kind.factor().saturating_mul(self.weight(tag)),
                    tag,
                    theirs,
                    posting,
                })
            })
            .collect();
        terms.sort_by(|a, b| {
            b.weight
                .cmp(&a.weight)
                .then(a.posting.slots.len().cmp(&b.posting.slots.len()))
        });
        let bounds = unseen_bounds(&terms, my_len);

        for &slot in std::iter::once(&me_slot)
            .chain(exclude.into_iter().filter_map(|key| self.slot_of.get(key)))
        {
            if acc[slot as usize] != EXCLUDED {
                acc[slot as usize] = EXCLUDED;
                marked.push(slot);
            }
        }

        // Phase 1: read terms while someone unseen could still make the list.
        let mut theta = f64::NEG_INFINITY;
        let mut max_raw = 0u32;
        let mut min_entries_read = u32::MAX;
        let mut read = 0;
        while read < terms.len() && bounds[read] >= theta {
            let term = &terms[read];
            for &slot in &term.posting.slots {
                let raw = &mut acc[slot as usize];
                if *raw == EXCLUDED {
                    continue;
                }
                if *raw == 0 {
                    touched.push(slot);
                }
                *raw = raw.saturating_add(term.weight).min(MAX_RAW);
                max_raw = max_raw.max(*raw);
            }
            min_entries_read = min_entries_read.min(term.posting.min_entries.max(1));
            read += 1;
            // θ can only be as high as the best score so far; computing it
            // costs a pass over everyone seen, so skip it when it could not
            // stop the loop anyway.
            if read < terms.len()
                && touched.len() >= k
                && bounds[read] < score::normalise(max_raw, my_len, min_entries_read as usize)
            {
                theta = self.kth_score(touched, acc, my_len, k, ranked);
            }
        }

        // Phase 2: complete or drop everyone seen. `sums[i]` is the sum of
        // the weights of terms[..i], so the n heaviest of terms[j..] weigh
        // `sums[j + n] - sums[j]` (u64: no saturation before the final min).
        let mut sums = Vec::with_capacity(terms.len() + 1);
        sums.push(0u64);
        for term in &terms {
            sums.push(sums[sums.len() - 1] + u64::from(term.weight));
        }
        let best_case = |slot: u32, raw: u32, next: usize| {
            let entries = self.entry_counts[slot as usize] as usize;
            let left = (terms.len() - next).min(entries);
            let raw = (u64::from(raw) + sums[next + left] - sums[next]).min(u64::from(MAX_RAW));
            score::normalise(raw as u32, my_len, entries)
        };
        alive.clear();
        alive.extend_from_slice(touched);
        for &slot in alive.iter() {
            seen[slot as usize / 64] |= 1 << (slot % 64);
        }
        // Each unread term is either scanned, adding its weight to the
        // people still alive (a sequential pass over its list, testing a
        // bitmap that fits in cache), or left to the final merge, which
        // reads each survivor's own profile (a couple of cache misses per
        // person). Scan while the lists are cheaper than the survivors;
        // every scan tightens the bounds, so more people drop out.
        let mut next = read;
        while next < terms.len() {
            alive.retain(|&slot| {
                let keep = best_case(slot, acc[slot as usize], next) >= theta;
                if !keep {
                    seen[slot as usize / 64] &= !(1 << (slot % 64));
                }
                keep
            });
            let scan_cost: usize = terms[next..].iter().map(|t| t.posting.slots.len()).sum();
            if alive.len().saturating_mul(self.merge_cost) <= scan_cost {
                break;
            }
            let term = &terms[next];
            for &slot in &term.posting.slots {
                if seen[slot as usize / 64] & (1 << (slot % 64)) != 0 {
                    let raw = &mut acc[slot as usize];
                    *raw = raw.saturating_add(term.weight).min(MAX_RAW);
                }
            }
            next += 1;
            if alive.len() >= k {
                theta = theta.max(self.kth_score(alive, acc, my_len, k, ranked));
            }
        }
        for &slot in touched.iter() {
            seen[slot as usize / 64] = 0;
        }

        // The terms neither read nor scanned as (tag, their intent,
        // weight), sorted to merge with survivors' sorted entries.
        let mut lookup: Vec<(u32, Intent, u32)> = terms[next..]
            .iter()
            .map(|t| (t.tag, t.theirs, t.weight))
            .collect();
        lookup.sort_unstable();
        ranked.clear();
        for &slot in alive.iter() {
            let mut raw = acc[slot as usize];
            if !lookup.is_empty() {
                if best_case(slot, raw, next) < theta {
                    continue;
                }
                let them = self.members[slot as usize]
                    .as_ref()
                    .expect("posted slots are occupied");
                raw = raw
                    .saturating_add(merge_weights(them.profile.entries(), &lookup))
                    .min(MAX_RAW);
            }
            let score = score::normalise(raw, my_len, self.entry_counts[slot as usize] as usize);
            if score >= theta {
                ranked.push((score, slot));
            }
        }

        // Best first, ties by member id; then the company rule.
        ranked.sort_unstable_by(|a, b| {
            b.0.total_cmp(&a.0)
                .then_with(|| self.key_of(a.1).cmp(&self.key_of(b.1)))
        });
        let mut kept = Vec::with_capacity(k);
        pick_diverse(ranked, &self.company_of, self.per_company, k, &mut kept);
        kept.into_iter().map(|position| ranked[position]).collect()
    }

    /// θ: the k-th score of the list we would give if the terms read so far
    /// were all there is (company rule included), or −∞ when fewer than k
    /// people could be listed. Ties do not matter: the k-th score after the
    /// company rule is the same whichever of equal scores is taken first.
    fn kth_score(
        &self,
        touched: &[u32],
        acc: &[u32],
        my_len: usize,
        k: usize,
        ranked: &mut Vec<(f64, u32)>,
    ) -> f64 {
        ranked.clear();
        ranked.extend(touched.iter().map(|&slot| {
            let entries = self.entry_counts[slot as usize] as usize;
            (score::normalise(acc[slot as usize], my_len, entries), slot)
        }));
        let mut kept = Vec::with_capacity(k);
        // Usually the company rule skips few people: try the best 4k first
        // and look further only if they do not fill the list.
        let head = (4 * k).min(ranked.len());
        if head < ranked.len() {
            ranked.select_nth_unstable_by(head - 1, by_score_desc);
        }
        ranked[..head].sort_unstable_by(by_score_desc);
        pick_diverse(
            &ranked[..head],
            &self.company_of,
            self.per_company,
            k,
            &mut kept,
        );
        if kept.len() < k && head < ranked.len() {
            kept.clear();
            ranked.sort_unstable_by(by_score_desc);
            pick_diverse(ranked, &self.company_of, self.per_company, k, &mut kept);
        }
        if kept.len() < k {
            f64::NEG_INFINITY
        } else {
            ranked[kept[k - 1]].0
        }
    }

    /// The member id in `slot`.
    fn key_of(&self, slot: u32) -> K {
        self.members[slot as usize]
            .as_ref()
            .expect("ranked slots are occupied")
            .key
    }

    /// Fixed-point IDF weight of an interned tag, from live frequencies.
    fn weight(&self, tag: u32) -> u32 {
        score::tag_weight(self.matchable, self.tags[tag as usize].df as usize)
    }

    /// The interned id of `tag`, interning it on first sight.
    fn intern(&mut self, tag: &Tag) -> u32 {
        if let Some(&id) = self.tag_ids.get(tag) {
            return id;
        }
        let id = u32::try_from(self.tags.len()).expect("fewer than 2³² tags");
        self.tags.push(TagEntry {
            tag: tag.clone(),
            df: 0,
            postings: std::array::from_fn(|_| Posting {
                slots: Vec::new(),
                min_entries: u32::MAX,
            }),
        });
        self.tag_ids.insert(tag.clone(), id);
        id
    }

    /// The company id of `raw` (see [`company_key`]), interning it.
    fn company_id(&mut self, raw: &str) -> u32 {
        let Some(key) = company_key(raw) else {
            return NO_COMPANY;
        };
        let next = self.company_ids.len() as u32 + 1;
        *self.company_ids.entry(key).or_insert(next)
    }

    /// A free slot, reusing a freed one first.
    fn allocate(&mut self) -> u32 {
        if let Some(slot) = self.free.pop() {
            return slot;
        }
        let slot = u32::try_from(self.members.len()).expect("fewer than 2³² members");
        self.members.push(None);
        self.entry_counts.push(0);
        self.company_of.push(NO_COMPANY);
        slot
    }

    /// Moves `slot` from indexing `old` to indexing `new` (either may be
    /// absent; opted-out profiles index nothing): posting lists, document
    /// frequencies and the matchable count.
    fn reindex(&mut self, slot: u32, old: Option<&Member<K>>, new: Option<&Member<K>>) {
        let indexed = |m: Option<&Member<K>>| -> Vec<(u32, Intent)> {
            match m {
                Some(m) if !m.opted_out => m.profile.entries().to_vec(),
                _ => Vec::new(),
            }
        };
        let (before, after) = (indexed(old), indexed(new));
        let matchable = |m: Option<&Member<K>>| m.is_some_and(|m| !m.opted_out);
        self.matchable = self.matchable + usize::from(matchable(new)) - usize::from(matchable(old));

        // Entries are sorted, so `contains` is a binary search.
        let has = |list: &[(u32, Intent)], e: &(u32, Intent)| list.binary_search(e).is_ok();
        for entry in before.iter().filter(|e| !has(&after, e)) {
            let posting = &mut self.tags[entry.0 as usize].postings[intent_index(entry.1)];
            if let Ok(at) = posting.slots.binary_search(&slot) {
                posting.slots.remove(at);
            }
        }
        let new_len = after.len() as u32;
        for entry in &after {
            let posting = &mut self.tags[entry.0 as usize].postings[intent_index(entry.1)];
            if let Err(at) = posting.slots.binary_search(&slot) {
                posting.slots.insert(at, slot);
            }
            // Also for entries that stayed: the member's count may have
            // shrunk, and the bound must stay below it.
            posting.min_entries = posting.min_entries.min(new_len);
        }

        // Document frequency counts members, whatever the intents.
        let distinct = |list: &[(u32, Intent)]| {
            let mut tags: Vec<u32> = list.iter().map(|e| e.0).collect();
            tags.dedup(); // sorted by tag already
            tags
        };
        let (tags_before, tags_after) = (distinct(&before), distinct(&after));
        for tag in tags_before
            .iter()
            .filter(|t| tags_after.binary_search(t).is_err())
        {
            self.tags[*tag as usize].df -= 1;
        }
        for tag in tags_after
            .iter()
            .filter(|t| tags_before.binary_search(t).is_err())
        {
            self.tags[*tag as usize].df += 1;
        }
    }
}

/// Best possible score of someone seen in none of `terms[..i]`, for every
/// `i` (see the module documentation); `bounds[terms.len()]` is −∞ since
/// someone in no list scores nothing.
fn unseen_bounds(terms: &[Term], my_len: usize) -> Vec<f64> {
    let mut bounds = vec![f64::NEG_INFINITY; terms.len() + 1];
    let mut fewest = u32::MAX;
    for i in (0..terms.len()).rev() {
        fewest = fewest.min(terms[i].posting.min_entries.max(1));
        let unread = &terms[i..];
        let smallest = fewest as usize;
        let mut best = 0f64;
        let mut sum = 0u32;
        // Someone with n entries gets at most the n heaviest weights, which
        // come first since terms are sorted heaviest first. Past n =
        // unread.len() the sum stops growing and the score only falls, so
        // n = max(smallest, unread.len()) is the last worth trying.
        for n in 1..=smallest.max(unread.len()) {
            if let Some(term) = unread.get(n - 1) {
                sum = sum.saturating_add(term.weight).min(MAX_RAW);
            }
            if n >= smallest {
                best = best.max(score::normalise(sum, my_len, n));
            }
        }
        bounds[i] = best;
    }
    bounds
}

/// Sum of the weights in `lookup` (sorted `(tag, intent, weight)`) whose
/// `(tag, intent)` is among `entries` (sorted): one merge pass.
fn merge_weights(entries: &[(u32, Intent)], lookup: &[(u32, Intent, u32)]) -> u32 {
    let (mut i, mut j, mut sum) = (0, 0, 0u32);
    while i < entries.len() && j < lookup.len() {
        let (tag, intent, weight) = lookup[j];
        match entries[i].cmp(&(tag, intent)) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                sum = sum.saturating_add(weight);
                i += 1;
                j += 1;
            }
        }
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::score::{explain, tag_weight};
    use std::collections::{HashMap, HashSet};
    use Intent::{Interest, Offer, Seek};

    fn tags(list: &[(&str, Intent)]) -> Vec<(Tag, Intent)> {
        list.iter()
            .map(|(t, i)| (Tag::parse(t).unwrap(), *i))
            .collect()
    }

    fn ids(recs: &[Recommendation<u32>]) -> Vec<u32> {
        recs.iter().map(|r| r.member).collect()
    }

    /// Ten people around a Rust meetup; 1 is the asker.
    fn meetup() -> MatchIndex<u32> {
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
    fn the_best_match_comes_first_and_strangers_are_left_out() {
        let index = meetup();
        let recs = index.recommend(&1, 10, &[]);
        // 2 offers what 1 seeks, 4 seeks what 1 offers and shares an
        // interest, 3 only shares an interest; 5–10 share nothing.
        assert_eq!(ids(&recs), [4, 2, 3]);
        assert!(recs
            .windows(2)
            .all(|w| w[0].explanation.score >= w[1].explanation.score));
        assert_eq!(
            recs[1].explanation.reasons[0].kind,
            ReasonKind::TheyOfferWhatYouSeek
        );
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
    fn excluded_people_are_never_recommended() {
        let index = meetup();
        assert!(ids(&index.recommend(&1, 10, &[])).contains(&2));
        let exclude: HashSet<u32> = [2, 4, 99].into();
        let recs = index.recommend(&1, 10, &exclude);
        assert_eq!(ids(&recs), [3]);
        assert!(
            !ids(&index.recommend(&2, 10, &[])).contains(&2),
            "never oneself"
        );
    }

    #[test]
    fn one_company_cannot_fill_the_list() {
        let mut index = MatchIndex::with_per_company(2);
        index.upsert(0, &tags(&[("rust", Seek)]), "", false);
        // Five from one company, written five ways, all better matches than
        // anyone else; then two independents and two people from elsewhere.
        let names = ["Acme", " acme", "ACME ", "Acme", "  acme  "];
        for (id, name) in (1..=5).zip(names) {
            index.upsert(id, &tags(&[("rust", Offer)]), name, false);
        }
        for id in 6..=9 {
            let company = if id <= 7 { "" } else { "Initech" };
            index.upsert(
                id,
                &tags(&[("rust", Offer), ("filler", Interest)]),
                company,
                false,
            );
        }
        let recs = index.recommend(&0, 6, &[]);
        assert_eq!(ids(&recs), [1, 2, 6, 7, 8, 9]);
        // With only Acme left, the list is shorter rather than all Acme.
        let recs = index.recommend(&0, 6, &[6, 7, 8, 9]);
        assert_eq!(ids(&recs), [1, 2]);
    }

    #[test]
    fn people_without_a_company_are_never_limited() {
        let mut index = MatchIndex::with_per_company(1);
        index.upsert(0, &tags(&[("rust", Seek)]), "", false);
        for id in 1..=4 {
            index.upsert(id, &tags(&[("rust", Offer)]), "   ", false);
        }
        assert_eq!(ids(&index.recommend(&0, 10, &[])), [1, 2, 3, 4]);
    }

    #[test]
    fn removing_a_member_updates_the_index() {
        let mut index = meetup();
        let score_of = |index: &MatchIndex<u32>, asker, id| {
            let recs = index.recommend(&asker, 10, &[]);
            recs.iter()
                .find(|r| r.member == id)
                .unwrap()
                .explanation
                .score
        };
        let python_fan_before = score_of(&index, 5, 3);
        assert_eq!(index.matchable(), 10);
        assert!(index.remove(&2));
        assert!(!index.remove(&2), "removing twice is a no-op");
        assert!(!index.contains(&2));
        assert_eq!(index.matchable(), 9);
        assert_eq!(ids(&index.recommend(&1, 10, &[])), [4, 3]);
        assert!(index.recommend(&2, 10, &[]).is_empty());
        // IDF follows: python is rarer without 2, so sharing it counts more.
        assert!(score_of(&index, 5, 3) > python_fan_before);
        // The freed slot goes to a newcomer, who inherits nothing from 2.
        index.upsert(11, &tags(&[("django", Seek)]), "", false);
        assert_eq!(ids(&index.recommend(&1, 10, &[])), [4, 3]);
        assert_eq!(ids(&index.recommend(&11, 10, &[])), [5]);
    }

    #[test]
    fn changing_a_profile_updates_the_index() {
        let mut index = meetup();
        // 3 stops being interested in go and starts offering rust.
        index.upsert(
            3,
            &tags(&[("rust", Offer), ("python", Interest)]),
            "Gopher Inc",
            false,
        );
        let recs = index.recommend(&1, 10, &[]);
        assert_eq!(ids(&recs), [4, 2, 3]);
        assert_eq!(
            recs[2]
                .explanation
                .reasons
                .iter()
                .map(|r| r.kind)
                .collect::<Vec<_>>(),
            [ReasonKind::TheyOfferWhatYouSeek]
        );
        // And 4 clears their tags: no longer a match for anyone.
        index.upsert(4, &[], "", false);
        assert_eq!(ids(&index.recommend(&1, 10, &[])), [2, 3]);
        assert!(index.recommend(&4, 10, &[]).is_empty());
    }

    #[test]
    fn opted_out_members_are_neither_recommended_nor_given_recommendations() {
        let mut index = meetup();
        index.upsert(
            2,
            &tags(&[("rust", Offer), ("python", Interest)]),
            "Ferrous",
            true,
        );
        assert_eq!(index.matchable(), 9);
        assert!(!ids(&index.recommend(&1, 10, &[])).contains(&2));
        assert!(index.recommend(&2, 10, &[]).is_empty());
        // Opting back in restores both.
        index.upsert(
            2,
            &tags(&[("rust", Offer), ("python", Interest)]),
            "Ferrous",
            false,
        );
        assert!(ids(&index.recommend(&1, 10, &[])).contains(&2));
        assert!(!index.recommend(&2, 10, &[]).is_empty());
    }

    #[test]
    fn idf_follows_the_live_document_frequencies() {
        let mut index = MatchIndex::new();
        index.upsert(
            0,
            &tags(&[("rust", Interest), ("ocaml", Interest)]),
            "",
            false,
        );
        index.upsert(1, &tags(&[("rust", Interest)]), "", false);
        index.upsert(2, &tags(&[("ocaml", Interest)]), "", false);
        // Equal so far; ties go to the smaller id.
        assert_eq!(ids(&index.recommend(&0, 2, &[])), [1, 2]);
        // Rust becomes common: the ocaml match is now the rarer, better one.
        for id in 3..10 {
            index.upsert(id, &tags(&[("rust", Offer)]), "", false);
        }
        assert_eq!(ids(&index.recommend(&0, 2, &[])), [2, 1]);
    }

    #[test]
    fn ties_are_broken_by_member_id() {
        let mut index = MatchIndex::new();
        index.upsert(50, &tags(&[("rust", Interest)]), "", false);
        for id in [9, 3, 7, 1, 5] {
            index.upsert(id, &tags(&[("rust", Interest)]), "", false);
        }
        assert_eq!(ids(&index.recommend(&50, 3, &[])), [1, 3, 5]);
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

    /// splitmix64: a seeded generator without a dependency.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
        /// Rank in 0..n, skewed towards 0 (roughly Zipf): popular tags have
        /// long posting lists, which is what pruning is about.
        fn skewed(&mut self, n: usize) -> usize {
            let a = self.below(n) + 1;
            self.below(a)
        }
    }

    #[derive(Clone)]
    struct Person {
        tags: Vec<(Tag, Intent)>,
        company: String,
        opted_out: bool,
    }

    /// The reference: score everyone with the pure scorer, sort, apply the
    /// company rule. Shares no code with the engine but `score`.
    fn brute_force(
        people: &HashMap<u32, Person>,
        asker: u32,
        k: usize,
        exclude: &HashSet<u32>,
        per_company: usize,
    ) -> Vec<(u32, Explanation)> {
        let me = &people[&asker];
        if me.opted_out {
            return Vec::new();
        }
        let matchable: Vec<(&u32, &Person)> = people.iter().filter(|(_, p)| !p.opted_out).collect();
        let mut df: HashMap<&Tag, usize> = HashMap::new();
        for (_, p) in &matchable {
            let distinct: HashSet<&Tag> = p.tags.iter().map(|(t, _)| t).collect();
            for tag in distinct {
                *df.entry(tag).or_default() += 1;
            }
        }
        let weight = |t: &Tag| tag_weight(matchable.len(), df.get(t).copied().unwrap_or(0));
        let mine = TagProfile::new(me.tags.iter().cloned());
        let mut scored: Vec<(u32, Explanation, String)> = matchable
            .iter()
            .filter(|(id, _)| **id != asker && !exclude.contains(id))
            .map(|(id, p)| {
                let theirs = TagProfile::new(p.tags.iter().cloned());
                (
                    **id,
                    explain(&mine, &theirs, weight, Tag::clone),
                    p.company.trim().to_lowercase(),
                )
            })
            .filter(|(_, e, _)| e.score > 0.0)
            .collect();
        scored.sort_by(|a, b| b.1.score.total_cmp(&a.1.score).then(a.0.cmp(&b.0)));
        let mut per: HashMap<String, usize> = HashMap::new();
        let mut out = Vec::new();
        for (id, e, company) in scored {
            if out.len() == k {
                break;
            }
            if !company.is_empty() {
                let n = per.entry(company).or_default();
                if *n == per_company {
                    continue;
                }
                *n += 1;
            }
            out.push((id, e));
        }
        out
    }

    #[test]
    fn engine_agrees_with_a_brute_force_scan() {
        let companies = ["", "Acme", " acme ", "Globex", "GLOBEX", "Initech", "  "];
        let mut rng = Rng(0x5EED);
        let mut compared = 0;
        for event in 0..300 {
            let size = 2 + rng.below(if event % 3 == 0 { 400 } else { 40 });
            let vocabulary = 1 + rng.below(30);
            let per_company = 1 + rng.below(3);
            let mut index = MatchIndex::with_per_company(per_company);
            // Finish queries by merging only, scanning only, or the mix.
            index.merge_cost = [0, 1, 10, MERGE_COST, usize::MAX][event % 5];
            let mut people: HashMap<u32, Person> = HashMap::new();
            let random_person = |rng: &mut Rng| {
                let count = rng.below(9);
                Person {
                    tags: (0..count)
                        .map(|_| {
                            let tag = Tag::parse(&format!("t{}", rng.skewed(vocabulary))).unwrap();
                            (tag, Intent::ALL[rng.below(3)])
                        })
                        .collect(),
                    company: companies[rng.below(companies.len())].to_owned(),
                    opted_out: rng.below(10) == 0,
                }
            };
            // Build, then churn: changes and removals exercise the updates.
            for id in 0..size as u32 {
                let p = random_person(&mut rng);
                index.upsert(id, &p.tags, &p.company, p.opted_out);
                people.insert(id, p);
            }
            for _ in 0..size / 4 {
                let id = rng.below(size) as u32;
                if rng.below(3) == 0 {
                    index.remove(&id);
                    people.remove(&id);
                } else {
                    let p = random_person(&mut rng);
                    index.upsert(id, &p.tags, &p.company, p.opted_out);
                    people.insert(id, p);
                }
            }
            assert_eq!(index.len(), people.len());
            for _ in 0..10 {
                let asker = rng.below(size) as u32;
                if !people.contains_key(&asker) {
                    assert!(index.recommend(&asker, 5, &[]).is_empty());
                    continue;
                }
                let k = 1 + rng.below(12);
                let exclude: HashSet<u32> =
                    (0..rng.below(5)).map(|_| rng.below(size) as u32).collect();
                let expected = brute_force(&people, asker, k, &exclude, per_company);
                let got: Vec<(u32, Explanation)> = index
                    .recommend(&asker, k, &exclude)
                    .into_iter()
                    .map(|r| (r.member, r.explanation))
                    .collect();
                assert_eq!(got, expected, "event {event}, asker {asker}, k {k}");
                compared += 1;
            }
        }
        assert!(compared > 2000, "only {compared} queries compared");
    }
}
