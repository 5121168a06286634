//! Answering "the best k people for this attendee" (see
//! [`MatchIndex::recommend`]) by reading as few posting lists as the result
//! allows, then applying the company rule.
//!
//! # Query: MaxScore pruning
//!
//! Each of the asker's entries is a *term*: a posting list to read (my seek →
//! their offers, my offer → their seeks, my interest → their interests) and a
//! weight (`factor × idf`, see [`crate::matching::score`]). With
//! Zipf-distributed tags the most popular terms have lists covering much of
//! the event, so reading every list is a full scan in disguise. Instead terms are read heaviest
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
//! scanned, heaviest first, while they are the cheaper way
//! ([`MERGE_COST`](super::MERGE_COST)); each scan raises scores and `θ`, so
//! more people drop out before the next.
//!
//! The result is exactly what a full scan would give, because everyone
//! dropped scores strictly below the final k-th score, and everyone kept has
//! their exact score; `engine_agrees_with_a_brute_force_scan` checks this on
//! hundreds of random events, finishing queries each way.

use super::{intent_index, MatchIndex, Posting, Recommendation, Scratch, NO_COMPANY};
use crate::domain::Intent;
use crate::matching::score::{self, ReasonKind, TagProfile, MAX_RAW};
use std::hash::Hash;

/// Raw-score marker for the asker and the people they excluded: larger than
/// any real raw score ([`MAX_RAW`]), so it is skipped when adding.
const EXCLUDED: u32 = u32::MAX;

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

impl<K: Copy + Eq + Hash + Ord> MatchIndex<K> {
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
mod tests;
