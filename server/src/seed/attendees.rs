//! The generated attendees: a fixed pseudo-random generator ([`Rng`]) that
//! makes the `index`-th attendee a pure function of `index`
//! ([`attendee`]), so the demo is the same on every machine and every run,
//! with Zipf-like tag popularity drawn from the tables of `data.rs`.

use super::data::{
    ASK_ME_ABOUT, COMPANIES, EVENT_LINES, FIRST_NAMES, HEADLINES, JOB_TITLES, LANGUAGES,
    LAST_NAMES, LOCATIONS, PRONOUNS, TAGS,
};
use app::domain::{Intent, ProfileForm, Tag, TagSet};

/// A small, fixed pseudo-random generator (SplitMix64): no dependency, and
/// the same sequence everywhere.
struct Rng(u64);

impl Rng {
    /// A generator for item `index` of a stream, independent of the others,
    /// so skipping an existing attendee does not change the next one.
    fn for_index(seed: u64, index: u64) -> Self {
        let mut rng = Rng(seed ^ index.wrapping_mul(0xA076_1D64_78BD_642F));
        rng.next();
        rng
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True with probability `percent`/100.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    /// An index drawn with the given weights.
    fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = (self.next() >> 11) as f64 / (1u64 << 53) as f64 * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }
}

const SEED: u64 = 0x5241_5050_4F52_5421; // "RAPPORT!"

/// One generated attendee, ready to store.
pub(super) struct Attendee {
    pub(super) email: String,
    pub(super) profile: ProfileForm,
    pub(super) tags: TagSet,
    pub(super) event_line: String,
    pub(super) opted_out: bool,
}

/// The `index`-th generated attendee (0-based); a pure function of `index`.
pub(super) fn attendee(index: usize) -> anyhow::Result<Attendee> {
    let mut rng = Rng::for_index(SEED, index as u64);
    let first = rng.pick(FIRST_NAMES);
    let last = rng.pick(LAST_NAMES);
    let title = rng.pick(JOB_TITLES);
    let company = rng.pick(COMPANIES);
    let location = rng.pick(LOCATIONS);

    // 5 to 12 distinct tags, Zipf-like popularity, intents by each tag's odds.
    let mut weights: Vec<f64> = (0..TAGS.len()).map(|r| 1.0 / (r + 1) as f64).collect();
    let count = 5 + rng.below(8);
    let mut pairs: Vec<(Tag, Intent)> = Vec::with_capacity(count);
    for _ in 0..count {
        let i = rng.weighted(&weights);
        weights[i] = 0.0;
        let (tag, odds) = TAGS[i];
        let odds = odds.map(f64::from);
        let intent = Intent::ALL[rng.weighted(&odds)];
        pairs.push((Tag::parse(tag)?, intent));
    }
    // Stored grouped by intent, the way the profile form saves them.
    pairs.sort_by_key(|(_, intent)| *intent);
    let favourite = pairs[0].0.as_str().to_owned();

    let headline = rng
        .pick(HEADLINES)
        .replace("{title}", title)
        .replace("{company}", company)
        .replace("{location}", location)
        .replace("{tag}", &favourite);
    let bio = if rng.chance(40) {
        format!(
            "{title} based in {location}. Spends most days on {favourite}; \
             happy to talk about it over coffee."
        )
    } else {
        String::new()
    };
    let event_line = if rng.chance(20) {
        rng.pick(EVENT_LINES).to_owned()
    } else {
        String::new()
    };
    Ok(Attendee {
        email: format!("attendee{:03}@demo.rapport.dev", index + 1),
        profile: ProfileForm {
            display_name: format!("{first} {last}"),
            pronouns: rng.pick(PRONOUNS).into(),
            headline,
            company: company.into(),
            job_title: title.into(),
            bio,
            location: location.into(),
            languages: rng.pick(LANGUAGES).into(),
            ask_me_about: rng.pick(ASK_ME_ABOUT).into(),
            ..Default::default()
        },
        tags: TagSet::from_pairs(pairs),
        event_line,
        opted_out: rng.chance(3),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::DEMO_ATTENDEES;
    use app::domain::{Email, ProfileInput};

    #[test]
    fn generated_attendees_are_valid_and_the_same_every_time() {
        for index in 0..DEMO_ATTENDEES {
            let a = attendee(index).unwrap();
            ProfileInput::parse(&a.profile).unwrap();
            Email::parse(&a.email).unwrap();
            assert!((5..=12).contains(&a.tags.len()), "{} tags", a.tags.len());
            let b = attendee(index).unwrap();
            assert_eq!((a.email, a.profile, a.tags), (b.email, b.profile, b.tags));
        }
    }

    #[test]
    fn tag_popularity_is_skewed_and_opt_outs_are_few() {
        let all: Vec<Attendee> = (0..DEMO_ATTENDEES).map(|i| attendee(i).unwrap()).collect();
        let with = |tag: &str| {
            let tag = Tag::parse(tag).unwrap();
            all.iter()
                .filter(|a| a.tags.iter().any(|(t, _)| *t == tag))
                .count()
        };
        assert!(
            with("rust") > DEMO_ATTENDEES / 3,
            "rust on {}",
            with("rust")
        );
        assert!(with("embedded") < with("rust") / 3);
        assert!(with("co-founder") > 0);
        let opted_out = all.iter().filter(|a| a.opted_out).count();
        assert!((1..DEMO_ATTENDEES / 10).contains(&opted_out), "{opted_out}");
        let with_line = all.iter().filter(|a| !a.event_line.is_empty()).count();
        assert!(with_line > 10, "{with_line}");
        let names: std::collections::HashSet<_> =
            all.iter().map(|a| &a.profile.display_name).collect();
        assert!(
            names.len() > DEMO_ATTENDEES * 9 / 10,
            "names repeat too often"
        );
    }
}
