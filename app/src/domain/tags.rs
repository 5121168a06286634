//! Profile tags and their intents, normalised so the same thing is one tag.

use super::text::{is_visible, normalise, Invalid, Lines};
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

/// Why a tag is on a profile: matching rewards shared interests and, more
/// strongly, one person's `Seek` meeting another's `Offer`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Intent {
    /// A topic I care about.
    Interest,
    /// Something I can help others with (mentoring, hiring, a skill, investment).
    Offer,
    /// Something I am looking for (a job, a co-founder, advice, customers).
    Seek,
}

impl Intent {
    pub const ALL: [Intent; 3] = [Intent::Interest, Intent::Offer, Intent::Seek];

    pub fn as_str(self) -> &'static str {
        match self {
            Intent::Interest => "interest",
            Intent::Offer => "offer",
            Intent::Seek => "seek",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "interest" => Ok(Intent::Interest),
            "offer" => Ok(Intent::Offer),
            "seek" => Ok(Intent::Seek),
            _ => Err(Invalid::new(
                "intent",
                "A tag's intent must be interest, offer or seek.",
            )),
        }
    }

    /// Heading for the profile form and pages.
    pub fn label(self) -> &'static str {
        match self {
            Intent::Interest => "Interests",
            Intent::Offer => "I can offer",
            Intent::Seek => "I am looking for",
        }
    }
}

/// A normalised tag: NFC, lower case, single spaces, no surrounding
/// punctuation, common abbreviations expanded ("ML" → "machine learning").
/// Characters that carry meaning inside names (`c++`, `c#`, `node.js`) are
/// kept; invisible ones never are (only letters, digits and those symbols
/// are kept at all).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Tag(String);

/// Abbreviations people type for the same thing. Kept small and
/// uncontroversial; organizers' taxonomies cover the rest.
const ALIASES: &[(&str, &str)] = &[
    ("ml", "machine learning"),
    ("ai", "artificial intelligence"),
    ("dl", "deep learning"),
    ("nlp", "natural language processing"),
    ("js", "javascript"),
    ("ts", "typescript"),
    ("k8s", "kubernetes"),
    ("golang", "go"),
    ("rustlang", "rust"),
    ("postgres", "postgresql"),
    ("vc", "venture capital"),
    ("ux", "user experience"),
    ("pm", "product management"),
];

impl Tag {
    pub const MAX_CHARS: usize = 40;

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        // NFC first, so "café" typed with a combining accent is the same
        // tag as the precomposed one (the filter below would otherwise drop
        // the accent and make it "cafe").
        let lowered = raw.nfc().collect::<String>().to_lowercase();
        let mut words = Vec::new();
        for word in lowered.split(|c: char| c.is_whitespace() || c == '_' || c == '/' || c == ',') {
            let word = word.trim_matches(|c: char| !(c.is_alphanumeric() || c == '+' || c == '#'));
            let kept: String = word
                .chars()
                .filter(|c| c.is_alphanumeric() || matches!(c, '+' | '#' | '.' | '-' | '\'' | '&'))
                .collect();
            if !kept.is_empty() {
                words.push(kept);
            }
        }
        let joined = words.join(" ");
        // Hangul fillers count as letters but show nothing.
        if !joined.chars().any(is_visible) {
            return Err(Invalid::new(
                "tags",
                "A tag needs at least one letter or digit.",
            ));
        }
        let value = ALIASES
            .iter()
            .find(|(alias, _)| *alias == joined)
            .map_or(joined, |(_, full)| (*full).to_owned());
        if value.chars().count() > Self::MAX_CHARS {
            return Err(Invalid::new(
                "tags",
                format!("Tags can be at most {} characters long.", Self::MAX_CHARS),
            ));
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Parses a comma-, semicolon- or line-separated list ("rust, ML;
    /// go"), as people type tags into one field. Empty pieces are skipped,
    /// a tag given twice is kept once, the order given is kept; a bad tag
    /// fails the whole list with its message under `field`. Profile tags
    /// (one list per intent) and room tags share this, so a list means the
    /// same wherever it is typed.
    pub fn parse_list(raw: &str, field: &str) -> Result<Vec<Tag>, Invalid> {
        let mut tags: Vec<Tag> = Vec::new();
        for piece in raw
            .split([',', '\n', ';'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let tag = Tag::parse(piece).map_err(|e| Invalid::new(field, e.message))?;
            if !tags.contains(&tag) {
                tags.push(tag);
            }
        }
        Ok(tags)
    }
}

impl std::fmt::Display for Tag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(s: &str) -> String {
        Tag::parse(s).unwrap().as_str().to_owned()
    }

    #[test]
    fn case_spacing_and_punctuation_do_not_make_new_tags() {
        assert_eq!(tag("  Machine   Learning! "), "machine learning");
        assert_eq!(tag("machine_learning"), "machine learning");
        assert_eq!(tag("\"Rust\""), "rust");
    }

    #[test]
    fn abbreviations_become_the_full_tag() {
        assert_eq!(tag("ML"), "machine learning");
        assert_eq!(tag("K8s"), "kubernetes");
        assert_eq!(tag("GoLang"), "go");
    }

    #[test]
    fn meaningful_symbols_inside_names_are_kept() {
        assert_eq!(tag("C++"), "c++");
        assert_eq!(tag("C#"), "c#");
        assert_eq!(tag("Node.js"), "node.js");
        assert_eq!(tag("R&D"), "r&d");
    }

    #[test]
    fn empty_and_overlong_tags_are_refused() {
        assert!(Tag::parse("  !!! ").is_err());
        assert!(Tag::parse(&"a".repeat(41)).is_err());
    }

    #[test]
    fn a_tag_is_the_same_whichever_way_its_accents_were_typed() {
        assert_eq!(tag("Cafe\u{301}"), "caf\u{e9}");
        assert_eq!(tag("Caf\u{e9}"), "caf\u{e9}");
    }

    #[test]
    fn invisible_and_direction_characters_never_make_or_change_a_tag() {
        assert_eq!(tag("ru\u{200b}st\u{202e}"), "rust");
        for invisible in ["\u{200b}\u{200b}", "\u{3164}", "\u{202e}", "\u{301}"] {
            assert!(Tag::parse(invisible).is_err(), "{invisible:?}");
        }
    }

    #[test]
    fn markup_is_not_a_tag() {
        assert_eq!(tag("<script>"), "script");
    }

    #[test]
    fn a_list_is_split_normalised_and_deduplicated_in_order() {
        let list = Tag::parse_list("Go, ML;\n rust,, go, machine learning", "tags").unwrap();
        let names: Vec<_> = list.iter().map(Tag::as_str).collect();
        assert_eq!(names, ["go", "machine learning", "rust"]);
        assert!(Tag::parse_list("  , ;", "tags").unwrap().is_empty());
    }

    #[test]
    fn a_bad_tag_in_a_list_fails_it_under_the_given_field() {
        let err = Tag::parse_list(&format!("rust, {}", "x".repeat(41)), "room_tags").unwrap_err();
        assert_eq!(err.field, "room_tags");
        assert!(err.message.contains("40"), "{}", err.message);
    }

    #[test]
    fn intents_parse_and_unknown_ones_are_refused() {
        assert_eq!(Intent::parse("Seek").unwrap(), Intent::Seek);
        assert_eq!(Intent::parse("want").unwrap_err().field, "intent");
    }
}

/// An event's suggested tags, grouped in categories ("Skills: rust, go").
/// Each tag appears once; the order given is kept.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Taxonomy(Vec<(String, Vec<Tag>)>);

impl Taxonomy {
    pub const MAX_CATEGORIES: usize = 30;
    pub const MAX_TAGS: usize = 300;

    /// Parses one category per line: `Category: tag, tag, tag`. A line
    /// without a colon is a list of tags in the category "Topics".
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let mut categories: Vec<(String, Vec<Tag>)> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for line in raw.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let (name, list) = line.split_once(':').unwrap_or(("Topics", line));
            let name = normalise("taxonomy", name, Lines::One)?;
            let name = name.as_str();
            if name.is_empty() || name.chars().count() > 60 {
                return Err(Invalid::new(
                    "taxonomy",
                    "Category names need 1 to 60 characters.",
                ));
            }
            let mut tags = Vec::new();
            for piece in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                let tag = Tag::parse(piece).map_err(|e| Invalid::new("taxonomy", e.message))?;
                if seen.insert(tag.clone()) {
                    tags.push(tag);
                }
            }
            match categories.iter_mut().find(|(n, _)| n == name) {
                Some((_, existing)) => existing.extend(tags),
                None => categories.push((name.to_owned(), tags)),
            }
        }
        if categories.len() > Self::MAX_CATEGORIES {
            return Err(Invalid::new(
                "taxonomy",
                format!("Use at most {} categories.", Self::MAX_CATEGORIES),
            ));
        }
        if seen.len() > Self::MAX_TAGS {
            return Err(Invalid::new(
                "taxonomy",
                format!("Suggest at most {} tags.", Self::MAX_TAGS),
            ));
        }
        Ok(Self(categories))
    }

    /// Builds a taxonomy from stored rows (category, tag) in order.
    pub fn from_rows(rows: impl IntoIterator<Item = (String, Tag)>) -> Self {
        let mut categories: Vec<(String, Vec<Tag>)> = Vec::new();
        for (name, tag) in rows {
            match categories.iter_mut().find(|(n, _)| *n == name) {
                Some((_, tags)) => tags.push(tag),
                None => categories.push((name, vec![tag])),
            }
        }
        Self(categories)
    }

    pub fn categories(&self) -> &[(String, Vec<Tag>)] {
        &self.0
    }

    pub fn contains(&self, tag: &Tag) -> bool {
        self.0.iter().any(|(_, tags)| tags.contains(tag))
    }

    /// Whether an event with this taxonomy takes `tag`: any tag while free
    /// tags are on (the taxonomy only suggests), else only its own.
    pub fn admits(&self, tag: &Tag, free_tags: bool) -> bool {
        free_tags || self.contains(tag)
    }

    /// Refuses the first of `tags` the event does not take ([`Self::admits`]),
    /// naming it. One rule for every place tags are chosen within an event
    /// (the directory's tag filter, room tags).
    pub fn check<'a>(
        &self,
        tags: impl IntoIterator<Item = &'a Tag>,
        free_tags: bool,
    ) -> Result<(), Invalid> {
        match tags.into_iter().find(|t| !self.admits(t, free_tags)) {
            Some(tag) => Err(Invalid::new(
                "tags",
                format!("“{tag}” is not one of this event's tags."),
            )),
            None => Ok(()),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The text form the organizer edits (inverse of `parse`).
    pub fn to_text(&self) -> String {
        self.0
            .iter()
            .map(|(name, tags)| {
                format!(
                    "{name}: {}",
                    tags.iter().map(Tag::as_str).collect::<Vec<_>>().join(", ")
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

#[cfg(test)]
mod taxonomy_tests {
    use super::*;

    #[test]
    fn categories_are_parsed_normalised_and_deduplicated() {
        let t = Taxonomy::parse("Skills: Rust, ML, rust\n\nLooking for: Co-founder\nSkills: Go")
            .unwrap();
        assert_eq!(
            t.to_text(),
            "Skills: rust, machine learning, go\nLooking for: co-founder"
        );
        assert!(t.contains(&Tag::parse("ml").unwrap()));
        assert_eq!(
            Taxonomy::parse(&t.to_text()).unwrap(),
            t,
            "the text form round-trips"
        );
    }

    #[test]
    fn without_free_tags_only_the_taxonomys_own_tags_are_admitted() {
        let t = Taxonomy::parse("Skills: rust, go").unwrap();
        let (rust, cobol) = (Tag::parse("Rust").unwrap(), Tag::parse("cobol").unwrap());
        assert!(
            t.check([&rust, &cobol], true).is_ok(),
            "free tags: anything"
        );
        assert!(t.check([&rust], false).is_ok());
        let err = t.check([&rust, &cobol], false).unwrap_err();
        assert_eq!(err.field, "tags");
        assert!(err.message.contains("“cobol”"), "{}", err.message);
    }

    #[test]
    fn category_names_refuse_direction_overrides_and_invisible_text() {
        assert!(Taxonomy::parse("Skills\u{202e}: rust").is_err());
        assert!(Taxonomy::parse("\u{200b}: rust").is_err());
        assert_eq!(
            Taxonomy::parse("Cafe\u{301}s: rust").unwrap().to_text(),
            "Caf\u{e9}s: rust"
        );
    }

    #[test]
    fn a_line_without_a_category_goes_to_topics() {
        assert_eq!(
            Taxonomy::parse("rust, go").unwrap().to_text(),
            "Topics: rust, go"
        );
    }

    #[test]
    fn bad_tags_and_too_many_tags_are_refused() {
        assert_eq!(
            Taxonomy::parse(&format!("Skills: {}", "x".repeat(50)))
                .unwrap_err()
                .field,
            "taxonomy"
        );
        let many = (0..301)
            .map(|i| format!("t{i}"))
            .collect::<Vec<_>>()
            .join(",");
        assert!(Taxonomy::parse(&many).is_err());
    }
}
