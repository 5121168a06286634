//! Tests of the MaxScore query: the best match first, strangers and excluded
//! people left out, the company rule, ties, and agreement with a brute-force
//! scan on random events.

use super::super::tests::{ids, meetup, tags};
use super::super::MERGE_COST;
use super::*;
use crate::domain::Tag;
use crate::matching::score::{explain, tag_weight, Explanation};
use std::collections::{HashMap, HashSet};
use Intent::{Interest, Offer, Seek};

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
fn ties_are_broken_by_member_id() {
    let mut index = MatchIndex::new();
    index.upsert(50, &tags(&[("rust", Interest)]), "", false);
    for id in [9, 3, 7, 1, 5] {
        index.upsert(id, &tags(&[("rust", Interest)]), "", false);
    }
    assert_eq!(ids(&index.recommend(&50, 3, &[])), [1, 3, 5]);
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
            let exclude: HashSet<u32> = (0..rng.below(5)).map(|_| rng.below(size) as u32).collect();
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
