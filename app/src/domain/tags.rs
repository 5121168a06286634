//! Profile tags and their intents, normalised so the same thing is one tag.

use super::text::Invalid;
use serde::{Deserialize, Serialize};

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

/// A normalised tag: lower case, single spaces, no surrounding punctuation,
/// common abbreviations expanded ("ML" → "machine learning"). Characters that
/// carry meaning inside names (`c++`, `c#`, `node.js`) are kept.
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
        let lowered = raw.to_lowercase();
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
        if joined.is_empty() {
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
    fn markup_is_not_a_tag() {
        assert_eq!(tag("<script>"), "script");
    }

    #[test]
    fn intents_parse_and_unknown_ones_are_refused() {
        assert_eq!(Intent::parse("Seek").unwrap(), Intent::Seek);
        assert_eq!(Intent::parse("want").unwrap_err().field, "intent");
    }
}
