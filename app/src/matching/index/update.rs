//! Keeping the index in step with profiles, one member at a time: adding,
//! changing and removing a member touches only the posting lists, document
//! frequencies and counts that changed, and interns new tags and companies.

use super::{intent_index, MatchIndex, Member, Posting, TagEntry, NO_COMPANY};
use crate::domain::{Intent, Tag};
use crate::matching::score::TagProfile;
use std::hash::Hash;

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

impl<K: Copy + Eq + Hash + Ord> MatchIndex<K> {
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

#[cfg(test)]
mod tests {
    use super::super::tests::{ids, meetup, tags};
    use super::*;
    use crate::matching::ReasonKind;
    use Intent::{Interest, Offer, Seek};

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
}
