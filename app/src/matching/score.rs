//! How well two attendees match, and why: the pure scoring rules, with no
//! storage. The engine in [`super::index`] finds the best pairs quickly; the
//! rules themselves, and the explanation shown beside every recommendation,
//! live only here so both the engine and its brute-force test use them.
//!
//! # The score
//!
//! Every attendee has a set of entries `(tag, intent)`. One of my entries
//! matches one of yours when the tag is the same and the intents fit:
//!
//! | mine | yours | kind | factor |
//! | --- | --- | --- | --- |
//! | interest | interest | [`ReasonKind::SharedInterest`] | 1 |
//! | seek | offer | [`ReasonKind::TheyOfferWhatYouSeek`] | 2 |
//! | offer | seek | [`ReasonKind::YouOfferWhatTheySeek`] | 2 |
//!
//! A match is worth `factor × idf(tag)`, with `idf = ln(1 + N / df)`: `N` is
//! the number of attendees who can be matched in the event and `df` the
//! number of them carrying the tag (with any intent). A tag everyone has
//! (`ai` at an AI conference) says little; a rare one says a lot. The `1 +`
//! keeps every weight positive, so even the most common tag counts a little.
//!
//! The pair's raw score is the sum of its matches. It is normalised by the
//! geometric mean of both entry counts: `score = raw / sqrt(n_me × n_you)`.
//! We chose entry *counts* rather than IDF-weighted norms because:
//! - someone who lists 40 tags would otherwise match everyone a little and
//!   fill every list; dividing by `sqrt(n_you)` makes a match count as the
//!   share of their profile it covers, so listing more tags does not help;
//! - a pair's score then changes only through the IDF of its shared tags, not
//!   whenever strangers add unrelated tags (a weight norm moves with every
//!   document-frequency change, and would have to be recomputed for everyone);
//! - the engine can bound a candidate's score from its entry count alone,
//!   which its pruning needs (see [`super::index`]).
//!
//! `n_me` is the same for all of one attendee's candidates: it changes no
//! ranking, and only keeps a pair's score symmetric-looking in size.
//!
//! # Exact arithmetic
//!
//! Tag weights are rounded to fixed point ([`SCALE`], 1/65,536) and raw
//! scores are sums of integers, so adding the same matches in any order gives
//! the same raw score; the engine (which adds tags rarest first) and a plain
//! scan therefore rank candidates identically, ties included. Only the final
//! division is floating point, done by the one function [`normalise`].

use crate::domain::{Intent, Tag};
use serde::{Deserialize, Serialize};

/// Fixed-point scale of tag weights: `weight = round(idf × SCALE)`. 1/65,536
/// is far finer than any difference that matters to a person, and keeps the
/// largest possible match (`2 × ln(1 + 2³²) × SCALE` ≈ 2.9 million) well
/// inside a `u32`, so a sum of a profile's matches fits too.
pub const SCALE: f64 = 65_536.0;

/// Largest raw score. Sums saturate here rather than wrap (it takes well over
/// a thousand matching entries to get there; profiles allow 90), and the
/// engine keeps `u32::MAX` as its "excluded" marker.
pub const MAX_RAW: u32 = u32::MAX - 1;

/// Why two attendees were matched on one tag. The order of the variants is
/// the order reasons of equal weight are listed in: complementary intents
/// first, since they are what a person can act on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonKind {
    /// They offer something I seek.
    TheyOfferWhatYouSeek,
    /// I offer something they seek.
    YouOfferWhatTheySeek,
    /// We both listed it as an interest.
    SharedInterest,
    /// We connected at an earlier event ("meet again"); the reason's tag
    /// is where. The engine never gives it: the people-to-meet list puts
    /// such connections first with this reason.
    MetBefore,
}

impl ReasonKind {
    /// The reason one of my entries with intent `mine` can give, and the
    /// intent the other person's entry must have for it.
    pub fn for_my_intent(mine: Intent) -> (ReasonKind, Intent) {
        match mine {
            Intent::Interest => (ReasonKind::SharedInterest, Intent::Interest),
            Intent::Seek => (ReasonKind::TheyOfferWhatYouSeek, Intent::Offer),
            Intent::Offer => (ReasonKind::YouOfferWhatTheySeek, Intent::Seek),
        }
    }

    /// How many times a tag's weight this kind of match is worth:
    /// complementary intents are what makes a conversation useful, so they
    /// count double a shared interest.
    pub fn factor(self) -> u32 {
        match self {
            ReasonKind::SharedInterest => 1,
            ReasonKind::TheyOfferWhatYouSeek | ReasonKind::YouOfferWhatTheySeek => 2,
            ReasonKind::MetBefore => 0,
        }
    }
}

/// One line of an explanation: a tag that produced part of the score.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    /// Which intents met, so the UI can say "offers what you seek".
    pub kind: ReasonKind,
    /// The tag they met on.
    pub tag: Tag,
    /// This reason's share of [`Explanation::score`] (the shares add up to
    /// it, up to rounding), so the UI can show or sort by weight.
    pub contribution: f64,
}

/// Why someone is recommended: the score and the reasons behind it, the
/// strongest first. It crosses the wire to the UI with the recommendation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// The normalised pair score (see the module documentation); higher is a
    /// better match. Only comparable within one event at one time, as IDF
    /// moves when people join.
    pub score: f64,
    /// Every match between the two profiles, by contribution (largest first),
    /// then kind, then tag.
    pub reasons: Vec<Reason>,
}

/// One attendee's entries as the scorer sees them: sorted and without
/// duplicates, so a tag listed twice counts once, the entry count used for
/// normalisation is the number of distinct entries, and lookups can use
/// binary search. Generic over the tag's representation: the engine uses
/// interned `u32` ids, tests and callers can use [`Tag`] itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TagProfile<T>(Box<[(T, Intent)]>);

impl<T: Ord> TagProfile<T> {
    /// Sorts and deduplicates `entries`.
    pub fn new(entries: impl IntoIterator<Item = (T, Intent)>) -> Self {
        let mut entries: Vec<(T, Intent)> = entries.into_iter().collect();
        entries.sort_unstable();
        entries.dedup();
        Self(entries.into_boxed_slice())
    }

    /// The distinct entries, sorted by tag then intent.
    pub fn entries(&self) -> &[(T, Intent)] {
        &self.0
    }

    /// Number of distinct entries: the `n` of the normalisation.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether the profile has `tag` with `intent`.
    pub fn contains(&self, tag: &T, intent: Intent) -> bool {
        self.0
            .binary_search_by(|(t, i)| t.cmp(tag).then(i.cmp(&intent)))
            .is_ok()
    }
}

/// Inverse document frequency of a tag carried by `df` of `members`
/// attendees: `ln(1 + members / df)`. `df` of 0 is treated as 1 (a tag only
/// the asker has cannot match anyone anyway).
pub fn idf(members: usize, df: usize) -> f64 {
    (1.0 + members as f64 / df.max(1) as f64).ln()
}

/// [`idf`] in fixed point: the weight of one tag in raw scores. At least 1,
/// so every match adds something.
pub fn tag_weight(members: usize, df: usize) -> u32 {
    // `as` saturates for floats; idf ≤ ln(1 + usize::MAX) ≈ 44, so this is
    // at most ~2.9 million anyway.
    ((idf(members, df) * SCALE).round() as u32).max(1)
}

/// The normalised score of a raw score between profiles of `my_len` and
/// `their_len` distinct entries. Every score and every bound on a score goes
/// through this one function, so equal inputs give bit-identical results.
/// It is monotone: never smaller for a larger `raw`, never larger for a
/// larger `their_len`, which the engine's pruning relies on.
pub fn normalise(raw: u32, my_len: usize, their_len: usize) -> f64 {
    if raw == 0 || my_len == 0 || their_len == 0 {
        return 0.0;
    }
    raw as f64 / SCALE / (my_len as f64 * their_len as f64).sqrt()
}

/// Every match between `me` and `them`: the reason, the tag (borrowed from
/// `me`), and its fixed-point worth (`factor × weight(tag)`). In `me`'s
/// entry order.
pub fn matches<'a, T: Ord>(
    me: &'a TagProfile<T>,
    them: &'a TagProfile<T>,
    weight: impl Fn(&T) -> u32,
) -> impl Iterator<Item = (ReasonKind, &'a T, u32)> {
    me.entries().iter().filter_map(move |(tag, intent)| {
        let (kind, theirs) = ReasonKind::for_my_intent(*intent);
        them.contains(tag, theirs)
            .then(|| (kind, tag, kind.factor().saturating_mul(weight(tag))))
    })
}

/// The raw (fixed-point, unnormalised) score of the pair: the sum of
/// [`matches`], saturating at [`MAX_RAW`].
pub fn raw_score<T: Ord>(
    me: &TagProfile<T>,
    them: &TagProfile<T>,
    weight: impl Fn(&T) -> u32,
) -> u32 {
    matches(me, them, weight)
        .fold(0u32, |sum, (_, _, worth)| sum.saturating_add(worth))
        .min(MAX_RAW)
}

/// The pair's normalised score, as the asker `me` sees candidate `them`.
pub fn score<T: Ord>(me: &TagProfile<T>, them: &TagProfile<T>, weight: impl Fn(&T) -> u32) -> f64 {
    normalise(raw_score(me, them, weight), me.len(), them.len())
}

/// The pair's score with its reasons, strongest first. `name` turns the
/// profile's tag representation back into a [`Tag`] for the wire.
pub fn explain<T: Ord>(
    me: &TagProfile<T>,
    them: &TagProfile<T>,
    weight: impl Fn(&T) -> u32,
    name: impl Fn(&T) -> Tag,
) -> Explanation {
    // Sorted by the tag's text, not its representation (interned ids are in
    // order of first sight), so every caller lists ties the same way.
    let mut found: Vec<(u32, ReasonKind, Tag)> = matches(me, them, weight)
        .map(|(kind, tag, worth)| (worth, kind, name(tag)))
        .collect();
    let raw = found
        .iter()
        .fold(0u32, |sum, (worth, _, _)| sum.saturating_add(*worth))
        .min(MAX_RAW);
    found.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let reasons = found
        .into_iter()
        .map(|(worth, kind, tag)| Reason {
            kind,
            tag,
            contribution: normalise(worth, me.len(), them.len()),
        })
        .collect();
    Explanation {
        score: normalise(raw, me.len(), them.len()),
        reasons,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn profile(entries: &[(&str, Intent)]) -> TagProfile<Tag> {
        TagProfile::new(entries.iter().map(|(t, i)| (Tag::parse(t).unwrap(), *i)))
    }

    /// Weights for an event of `members` people where `df` says how many
    /// carry each tag (10 unless listed).
    fn weights(members: usize, df: &[(&str, usize)]) -> impl Fn(&Tag) -> u32 {
        let df: HashMap<Tag, usize> = df
            .iter()
            .map(|(t, n)| (Tag::parse(t).unwrap(), *n))
            .collect();
        move |tag| tag_weight(members, df.get(tag).copied().unwrap_or(10))
    }

    use Intent::{Interest, Offer, Seek};

    #[test]
    fn complementary_intents_outrank_a_shared_interest() {
        let w = weights(100, &[]);
        let me = profile(&[("rust", Seek), ("go", Interest)]);
        let mentor = profile(&[("rust", Offer), ("python", Interest)]);
        let fan = profile(&[("go", Interest), ("python", Interest)]);
        assert!(score(&me, &mentor, &w) > score(&me, &fan, &w));
        assert!(score(&me, &fan, &w) > 0.0);
        // And the other way round: what I offer meets what they seek.
        let me = profile(&[("rust", Offer), ("go", Interest)]);
        let learner = profile(&[("rust", Seek), ("python", Interest)]);
        assert!(score(&me, &learner, &w) > score(&me, &fan, &w));
    }

    #[test]
    fn intents_that_do_not_fit_do_not_match() {
        let w = weights(100, &[]);
        let me = profile(&[("rust", Seek), ("go", Offer)]);
        let other_seeker = profile(&[("rust", Seek), ("go", Offer), ("rust", Interest)]);
        assert_eq!(score(&me, &other_seeker, &w), 0.0);
    }

    #[test]
    fn rare_tags_weigh_more_than_common_ones() {
        let w = weights(1000, &[("ai", 900), ("haskell", 5)]);
        let me = profile(&[("ai", Interest), ("haskell", Interest)]);
        let common = profile(&[("ai", Interest), ("x", Interest)]);
        let rare = profile(&[("haskell", Interest), ("x", Interest)]);
        assert!(score(&me, &rare, &w) > 3.0 * score(&me, &common, &w));
        assert!(idf(1000, 5) > idf(1000, 900));
        assert!(idf(1000, 1000) > 0.0, "even a tag everyone has counts");
    }

    #[test]
    fn long_tag_lists_do_not_dominate() {
        let w = weights(100, &[]);
        let me = profile(&[("rust", Interest), ("go", Interest)]);
        // Matches both my tags, but lists 40 more: most of their profile is
        // not about me.
        let mut long: Vec<(String, Intent)> =
            (0..40).map(|i| (format!("topic {i}"), Interest)).collect();
        long.push(("rust".into(), Interest));
        long.push(("go".into(), Interest));
        let long = TagProfile::new(long.iter().map(|(t, i)| (Tag::parse(t).unwrap(), *i)));
        let focused = profile(&[("rust", Interest), ("go", Interest), ("c", Interest)]);
        assert!(raw_score(&me, &long, &w) == raw_score(&me, &focused, &w));
        assert!(score(&me, &focused, &w) > 2.0 * score(&me, &long, &w));
    }

    #[test]
    fn duplicate_entries_count_once() {
        let w = weights(100, &[]);
        let me = profile(&[("rust", Interest)]);
        let twice = profile(&[("rust", Interest), ("Rust", Interest)]);
        let once = profile(&[("rust", Interest)]);
        assert_eq!(twice.len(), 1);
        assert_eq!(score(&me, &twice, &w), score(&me, &once, &w));
    }

    #[test]
    fn explanation_lists_the_strongest_reason_first() {
        let w = weights(1000, &[("web", 900), ("haskell", 5), ("funding", 50)]);
        let me = profile(&[("web", Interest), ("haskell", Interest), ("funding", Seek)]);
        let them = profile(&[("web", Interest), ("haskell", Interest), ("funding", Offer)]);
        let e = explain(&me, &them, &w, Tag::clone);
        let got: Vec<(ReasonKind, &str)> =
            e.reasons.iter().map(|r| (r.kind, r.tag.as_str())).collect();
        // haskell: 1 × ln(201) ≈ 5.3; funding: 2 × ln(21) ≈ 6.1; web: ≈ 0.75.
        assert_eq!(
            got,
            [
                (ReasonKind::TheyOfferWhatYouSeek, "funding"),
                (ReasonKind::SharedInterest, "haskell"),
                (ReasonKind::SharedInterest, "web"),
            ]
        );
        let total: f64 = e.reasons.iter().map(|r| r.contribution).sum();
        assert!((total - e.score).abs() < 1e-9);
        assert_eq!(e.score, score(&me, &them, &w));
    }

    #[test]
    fn explanations_survive_the_wire() {
        let w = weights(100, &[]);
        let me = profile(&[("rust", Offer)]);
        let them = profile(&[("rust", Seek)]);
        let e = explain(&me, &them, &w, Tag::clone);
        let json = serde_json::to_string(&e).unwrap();
        assert!(json.contains("\"you_offer_what_they_seek\""), "{json}");
        assert_eq!(serde_json::from_str::<Explanation>(&json).unwrap(), e);
    }
}
