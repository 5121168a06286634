//! Who may see which part of a profile, and the tags a profile carries.

use super::tags::{Intent, Tag, Taxonomy};
use super::text::Invalid;
use super::Role;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How far a profile field is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Everyone in an event I am in.
    Event,
    /// Only people I am connected with.
    Connections,
    /// Nobody but me.
    OnlyMe,
}

impl Visibility {
    pub const ALL: [Visibility; 3] = [
        Visibility::Event,
        Visibility::Connections,
        Visibility::OnlyMe,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Event => "event",
            Visibility::Connections => "connections",
            Visibility::OnlyMe => "only_me",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, Invalid> {
        match raw.trim() {
            "event" => Ok(Visibility::Event),
            "connections" => Ok(Visibility::Connections),
            "only_me" => Ok(Visibility::OnlyMe),
            _ => Err(Invalid::new(
                field,
                "Visibility must be event, connections or only_me.",
            )),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Visibility::Event => "Everyone in my events",
            Visibility::Connections => "My connections",
            Visibility::OnlyMe => "Only me",
        }
    }
}

/// A profile field whose visibility the owner chooses. Name, pronouns and
/// photo are always shown to fellow members: people need them to meet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProfileField {
    Headline,
    Company,
    JobTitle,
    Bio,
    Location,
    Languages,
    AskMeAbout,
    Tags,
    Email,
    Phone,
    Links,
}

impl ProfileField {
    pub const ALL: [ProfileField; 11] = [
        ProfileField::Headline,
        ProfileField::Company,
        ProfileField::JobTitle,
        ProfileField::Bio,
        ProfileField::Location,
        ProfileField::Languages,
        ProfileField::AskMeAbout,
        ProfileField::Tags,
        ProfileField::Email,
        ProfileField::Phone,
        ProfileField::Links,
    ];

    /// The form field name (`vis_<name>`) and JSON key.
    pub fn as_str(self) -> &'static str {
        match self {
            ProfileField::Headline => "headline",
            ProfileField::Company => "company",
            ProfileField::JobTitle => "job_title",
            ProfileField::Bio => "bio",
            ProfileField::Location => "location",
            ProfileField::Languages => "languages",
            ProfileField::AskMeAbout => "ask_me_about",
            ProfileField::Tags => "tags",
            ProfileField::Email => "email",
            ProfileField::Phone => "phone",
            ProfileField::Links => "links",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ProfileField::Headline => "Headline",
            ProfileField::Company => "Company",
            ProfileField::JobTitle => "Job title",
            ProfileField::Bio => "Bio",
            ProfileField::Location => "Location",
            ProfileField::Languages => "Languages",
            ProfileField::AskMeAbout => "Ask me about",
            ProfileField::Tags => "Tags",
            ProfileField::Email => "Email",
            ProfileField::Phone => "Phone",
            ProfileField::Links => "Links",
        }
    }

    /// Contact details are for connections unless the owner says otherwise.
    pub fn default_visibility(self) -> Visibility {
        match self {
            ProfileField::Email | ProfileField::Phone | ProfileField::Links => {
                Visibility::Connections
            }
            _ => Visibility::Event,
        }
    }
}

/// The owner's choice per field; fields not set use their default.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisibilitySettings(BTreeMap<ProfileField, Visibility>);

/// How the viewer relates to the profile's owner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Viewer {
    /// The owner.
    Myself,
    /// Connected with the owner.
    Connection,
    /// Shares an event with the owner, not connected.
    FellowMember,
}

impl VisibilitySettings {
    pub fn get(&self, field: ProfileField) -> Visibility {
        self.0
            .get(&field)
            .copied()
            .unwrap_or_else(|| field.default_visibility())
    }

    pub fn set(&mut self, field: ProfileField, visibility: Visibility) {
        self.0.insert(field, visibility);
    }

    /// Whether `viewer` may see `field`.
    pub fn allows(&self, field: ProfileField, viewer: Viewer) -> bool {
        matches!(
            (viewer, self.get(field)),
            (Viewer::Myself, _)
                | (_, Visibility::Event)
                | (Viewer::Connection, Visibility::Connections)
        )
    }

    /// Parses `(field, level)` pairs from the profile form; unknown fields
    /// and levels are refused.
    pub fn parse<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Self, Invalid> {
        let mut settings = Self::default();
        for (name, level) in pairs {
            let field = ProfileField::ALL
                .into_iter()
                .find(|f| f.as_str() == name)
                .ok_or_else(|| {
                    Invalid::new("visibility", format!("“{name}” is not a profile field."))
                })?;
            settings.set(field, Visibility::parse(&format!("vis_{name}"), level)?);
        }
        Ok(settings)
    }
}

/// A profile's tags, each with one intent, without duplicates, at most
/// [`TagSet::MAX_PER_INTENT`] per intent. The order people gave is kept.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagSet(Vec<(Tag, Intent)>);

impl TagSet {
    pub const MAX_PER_INTENT: usize = 30;

    /// Parses one comma- or line-separated list per intent.
    pub fn parse(interests: &str, offers: &str, seeks: &str) -> Result<Self, Invalid> {
        let mut set = Vec::new();
        for (intent, raw) in [
            (Intent::Interest, interests),
            (Intent::Offer, offers),
            (Intent::Seek, seeks),
        ] {
            let tags = Tag::parse_list(raw, intent_field(intent))?;
            if tags.len() > Self::MAX_PER_INTENT {
                return Err(Invalid::new(
                    intent_field(intent),
                    format!(
                        "Add at most {} tags to “{}”.",
                        Self::MAX_PER_INTENT,
                        intent.label()
                    ),
                ));
            }
            set.extend(tags.into_iter().map(|tag| (tag, intent)));
        }
        Ok(Self(set))
    }

    /// Builds a set from stored pairs (already normalised).
    pub fn from_pairs(pairs: Vec<(Tag, Intent)>) -> Self {
        Self(pairs)
    }

    /// The tags as an event with this taxonomy shows them: all of them, or
    /// only its suggested ones when free tags are off.
    pub fn for_event(self, taxonomy: &Taxonomy, free_tags: bool) -> TagSet {
        if free_tags {
            self
        } else {
            TagSet::from_pairs(
                self.iter()
                    .filter(|(t, _)| taxonomy.contains(t))
                    .cloned()
                    .collect(),
            )
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &(Tag, Intent)> {
        self.0.iter()
    }

    /// The tags with one intent, in order.
    pub fn with(&self, intent: Intent) -> impl Iterator<Item = &Tag> {
        self.0
            .iter()
            .filter(move |(_, i)| *i == intent)
            .map(|(t, _)| t)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }
}

/// The form field holding one intent's tag list.
pub fn intent_field(intent: Intent) -> &'static str {
    match intent {
        Intent::Interest => "tags_interest",
        Intent::Offer => "tags_offer",
        Intent::Seek => "tags_seek",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_details_default_to_connections_only() {
        let v = VisibilitySettings::default();
        assert!(!v.allows(ProfileField::Email, Viewer::FellowMember));
        assert!(v.allows(ProfileField::Email, Viewer::Connection));
        assert!(v.allows(ProfileField::Headline, Viewer::FellowMember));
    }

    #[test]
    fn the_visibility_matrix_holds_for_every_field() {
        for field in ProfileField::ALL {
            for level in Visibility::ALL {
                let mut v = VisibilitySettings::default();
                v.set(field, level);
                assert!(
                    v.allows(field, Viewer::Myself),
                    "owner always sees {field:?}"
                );
                assert_eq!(
                    v.allows(field, Viewer::Connection),
                    level != Visibility::OnlyMe,
                    "{field:?} {level:?}"
                );
                assert_eq!(
                    v.allows(field, Viewer::FellowMember),
                    level == Visibility::Event,
                    "{field:?} {level:?}"
                );
            }
        }
    }

    #[test]
    fn unknown_fields_and_levels_are_refused() {
        assert!(VisibilitySettings::parse([("email", "everyone")]).is_err());
        assert!(VisibilitySettings::parse([("password", "event")]).is_err());
        let v = VisibilitySettings::parse([("email", "event")]).unwrap();
        assert!(v.allows(ProfileField::Email, Viewer::FellowMember));
    }

    #[test]
    fn tags_are_normalised_deduplicated_and_kept_per_intent() {
        let set = TagSet::parse("Rust, rust , ML", "Mentoring", "rust\njob").unwrap();
        let interests: Vec<_> = set.with(Intent::Interest).map(|t| t.as_str()).collect();
        assert_eq!(interests, ["rust", "machine learning"]);
        assert_eq!(
            set.with(Intent::Seek).count(),
            2,
            "the same tag may carry two intents"
        );
        assert_eq!(set.len(), 5);
    }

    #[test]
    fn too_many_tags_per_intent_are_refused_naming_the_list() {
        let many = (0..31)
            .map(|i| format!("topic {i}"))
            .collect::<Vec<_>>()
            .join(",");
        let err = TagSet::parse("", &many, "").unwrap_err();
        assert_eq!(err.field, "tags_offer");
    }

    #[test]
    fn an_empty_tag_in_a_list_is_skipped_but_a_bad_one_is_refused() {
        assert!(TagSet::parse("rust,,", "", "").is_ok());
        let err = TagSet::parse(&"x".repeat(50), "", "").unwrap_err();
        assert_eq!(err.field, "tags_interest");
    }
}

/// Splits text into lower-case search words (runs of letters and digits).
/// The same function prepares stored documents and queries, so both
/// databases see identical words.
pub fn search_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The searchable text of a profile: the name, the fields and tags that
/// everyone in an event may see, never the hidden ones.
pub fn search_document(
    display_name: &str,
    fields: &[(ProfileField, &str)],
    tags: &TagSet,
    visibility: &VisibilitySettings,
) -> String {
    let mut text = String::from(display_name);
    for (field, value) in fields {
        if visibility.get(*field) == Visibility::Event {
            text.push(' ');
            text.push_str(value);
        }
    }
    if visibility.get(ProfileField::Tags) == Visibility::Event {
        for (tag, _) in tags.iter() {
            text.push(' ');
            text.push_str(tag.as_str());
        }
    }
    search_words(&text).join(" ")
}

#[cfg(test)]
mod search_tests {
    use super::*;

    #[test]
    fn hidden_fields_are_not_searchable() {
        let mut v = VisibilitySettings::default();
        v.set(ProfileField::Company, Visibility::OnlyMe);
        let tags = TagSet::parse("Rust", "Mentoring", "").unwrap();
        let doc = search_document(
            "Ada Lovelace",
            &[
                (ProfileField::Headline, "Engine programmer"),
                (ProfileField::Company, "Secret Corp"),
            ],
            &tags,
            &v,
        );
        assert_eq!(doc, "ada lovelace engine programmer rust mentoring");
    }

    #[test]
    fn queries_are_split_into_words() {
        assert_eq!(
            search_words("Node.js, C++ & Zoë!"),
            ["node", "js", "c", "zoë"]
        );
    }
}

/// A tag as pages show it: the text and its intent.
pub type TagView = (String, Intent);

/// Why two people should talk, from their tags.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Highlight {
    /// We both have this tag.
    Shared(String),
    /// I seek it, they offer it.
    TheyOffer(String),
    /// They seek it, I offer it.
    YouOffer(String),
}

/// Another member's profile with only what its owner lets me see; hidden
/// fields are `None` and never leave the server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonCard {
    pub user_id: String,
    pub display_name: String,
    pub pronouns: String,
    pub role: Role,
    pub event_line: String,
    pub photo_url: Option<String>,
    pub headline: Option<String>,
    pub company: Option<String>,
    pub job_title: Option<String>,
    pub bio: Option<String>,
    pub location: Option<String>,
    pub languages: Option<String>,
    pub ask_me_about: Option<String>,
    pub tags: Option<Vec<TagView>>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub links: Option<Vec<String>>,
    pub highlights: Vec<Highlight>,
    pub connected: bool,
    pub is_me: bool,
}

/// Shared tags and complementary intents between me and them, most
/// useful first: what they offer that I seek, then what I offer that they
/// seek, then shared topics.
pub fn highlights(mine: &TagSet, theirs: &TagSet) -> Vec<Highlight> {
    let has =
        |set: &TagSet, tag: &Tag, intent: Intent| set.iter().any(|(t, i)| t == tag && *i == intent);
    let mut out = Vec::new();
    for tag in mine.with(Intent::Seek) {
        if has(theirs, tag, Intent::Offer) {
            out.push(Highlight::TheyOffer(tag.as_str().to_owned()));
        }
    }
    for tag in mine.with(Intent::Offer) {
        if has(theirs, tag, Intent::Seek) {
            out.push(Highlight::YouOffer(tag.as_str().to_owned()));
        }
    }
    for tag in mine.with(Intent::Interest) {
        if has(theirs, tag, Intent::Interest) {
            out.push(Highlight::Shared(tag.as_str().to_owned()));
        }
    }
    out
}
