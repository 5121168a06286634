//! Free text as people type it, made safe to show: one normaliser for every
//! text field, and the validation error every parser returns.
//!
//! Text typed into a form is shown to other people: names on badges and
//! in lists, titles in headings, chat messages. So every text field goes
//! through [`normalise`], which NFC-normalises (the same word is the same
//! code points, whatever the keyboard sent), trims, refuses control
//! characters and the invisible characters that reorder text (the
//! right-to-left override and its kin, "Trojan Source"), and refuses a
//! value in which nobody could see anything (zero-width spaces, fillers,
//! combining marks on nothing). One-line fields ([`OneLineText`]: names,
//! titles, places) also refuse line breaks; multi-line fields
//! ([`BoundedText`]: bios, descriptions, messages) keep them, written as
//! `\n` whatever the sender used.

use serde::{Deserialize, Serialize};
use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};

/// Why a value typed into a form field was refused. `field` is the form
/// field's name so the UI can point at it; `message` is written for the
/// person who typed it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct Invalid {
    pub field: String,
    pub message: String,
}

impl Invalid {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

/// Whether a field's text may span several lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lines {
    /// Names, titles, places: shown inline, in headings and on badges, where
    /// a line break would break the layout or fake a second line.
    One,
    /// Bios, descriptions, messages: line breaks are kept.
    Many,
}

/// The Unicode bidirectional formatting characters: embeddings and
/// overrides (U+202A–U+202E), isolates (U+2066–U+2069) and the marks
/// (LRM, RLM, ALM). They are invisible and reorder the text around them,
/// so "Ada\u{202E}nimda" shows as "Adaadmin": nobody types them to write
/// a name.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}') || is_bidi_mark(c)
}

/// The three bidi *marks* (LRM, RLM, ALM). Unlike overrides and isolates
/// they reorder nothing beyond their own position, and people writing
/// Arabic or Hebrew do insert them (some keyboards type them) to place
/// punctuation and numbers; multi-line text keeps them, one-line fields,
/// where a name or title is never mixed-direction prose, refuse them.
fn is_bidi_mark(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Characters that end a line: LF, CR, NEL, and the Unicode line and
/// paragraph separators (browsers and some editors send these).
fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt):
/// characters a renderer shows as nothing (zero-width space, joiners, word
/// joiner, BOM, soft hyphen, Hangul fillers, variation selectors, tag
/// characters). The list is short and stable, so it is written out rather
/// than pulled in with a properties crate.
pub(crate) fn is_default_ignorable(c: char) -> bool {
    matches!(c,
        '\u{AD}' | '\u{34F}' | '\u{61C}' | '\u{115F}'..='\u{1160}' | '\u{17B4}'..='\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
        | '\u{FFA0}' | '\u{FFF0}'..='\u{FFF8}' | '\u{1BCA0}'..='\u{1BCA3}'
        | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E0FFF}')
}

/// Whether `c` puts ink on the screen by itself. Whitespace, controls,
/// default-ignorable characters and combining marks (which only decorate
/// the character before them) do not; nor does the blank Braille pattern,
/// a favourite for "empty" names because it is neither space nor ignorable.
pub fn is_visible(c: char) -> bool {
    !(c.is_whitespace()
        || c.is_control()
        || is_default_ignorable(c)
        || is_combining_mark(c)
        || c == '\u{2800}')
}

/// What may be cut from either end of a value: whitespace and the invisible
/// format characters. Combining marks never are (a trailing virama or accent
/// belongs to the letter before it), nor variation selectors (U+FE0F turns
/// "❤" into the emoji), which are marks too.
fn is_trimmable(c: char) -> bool {
    c.is_whitespace() || (is_default_ignorable(c) && !is_combining_mark(c))
}

/// Normalises one field's text and refuses what cannot be shown safely
/// (see the module documentation); `field` names the form field in the
/// error. Does not check length: callers count the characters of the value
/// returned. An empty result means the field was left empty (only
/// whitespace); text that is there but invisible is refused, so it never
/// passes for an empty optional field either.
pub fn normalise(field: &str, raw: &str, lines: Lines) -> Result<String, Invalid> {
    // Surrounding whitespace (a pasted trailing newline or tab) is not part
    // of the value, so it is cut before line breaks and controls are judged.
    let raw = raw.trim();
    let mut text = String::with_capacity(raw.len());
    let mut chars = raw.nfc().peekable();
    while let Some(c) = chars.next() {
        if is_bidi_control(c) && (lines == Lines::One || !is_bidi_mark(c)) {
            return Err(Invalid::new(
                field,
                format!(
                    "{} contains invisible characters that change the direction of text; type it without them.",
                    label(field)
                ),
            ));
        }
        if is_line_break(c) {
            if lines == Lines::One {
                return Err(Invalid::new(
                    field,
                    format!("{} must fit on one line.", label(field)),
                ));
            }
            // CR LF is one break, not two.
            if c == '\r' && chars.peek() == Some(&'\n') {
                chars.next();
            }
            text.push('\n');
            continue;
        }
        if c.is_control() && !(c == '\t' && lines == Lines::Many) {
            return Err(Invalid::new(
                field,
                format!("{} contains characters that are not allowed.", label(field)),
            ));
        }
        text.push(c);
    }
    let value = text.trim_matches(is_trimmable);
    if !raw.is_empty() && !value.chars().any(is_visible) {
        return Err(Invalid::new(
            field,
            format!("{} needs letters people can see.", label(field)),
        ));
    }
    Ok(value.to_owned())
}

/// Normalised text ([`normalise`]) of `MIN` to `MAX` characters. `MIN` of 1
/// makes it required. The many short profile and event fields share this
/// one type instead of one newtype each; use it through [`BoundedText`]
/// (multi-line) or [`OneLineText`]. Deserialising validates too (field
/// name `text`), so no path builds an unchecked value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(try_from = "String")]
pub struct Text<const MIN: usize, const MAX: usize, const ONE_LINE: bool>(String);

/// Multi-line text: line breaks kept, see [`Text`].
pub type BoundedText<const MIN: usize, const MAX: usize> = Text<MIN, MAX, false>;

/// Text on one line (names, titles, places): see [`Text`].
pub type OneLineText<const MIN: usize, const MAX: usize> = Text<MIN, MAX, true>;

impl<const MIN: usize, const MAX: usize, const ONE_LINE: bool> Text<MIN, MAX, ONE_LINE> {
    /// Validates `raw` for the form field `field`.
    pub fn parse(field: &str, raw: &str) -> Result<Self, Invalid> {
        let lines = if ONE_LINE { Lines::One } else { Lines::Many };
        let value = normalise(field, raw, lines)?;
        let len = value.chars().count();
        if len < MIN {
            return Err(if MIN == 1 {
                Invalid::new(field, format!("{} is required.", label(field)))
            } else {
                Invalid::new(
                    field,
                    format!("{} needs at least {MIN} characters.", label(field)),
                )
            });
        }
        if len > MAX {
            return Err(Invalid::new(
                field,
                format!("{} can be at most {MAX} characters long.", label(field)),
            ));
        }
        Ok(Self(value))
    }

    /// Text the store wrote earlier, taken as it is. It was valid when it was
    /// written; a rule made stricter since must not make what people
    /// already saved unreadable (it is checked again when next edited).
    /// Only the store's read path calls this.
    pub fn from_stored(stored: String) -> Self {
        Self(stored)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<const MIN: usize, const MAX: usize, const ONE_LINE: bool> TryFrom<String>
    for Text<MIN, MAX, ONE_LINE>
{
    type Error = Invalid;

    fn try_from(raw: String) -> Result<Self, Invalid> {
        Self::parse("text", &raw)
    }
}

impl<const MIN: usize, const MAX: usize, const ONE_LINE: bool> AsRef<str>
    for Text<MIN, MAX, ONE_LINE>
{
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// "job_title" -> "Job title", for messages that name a field.
pub(crate) fn label(field: &str) -> String {
    let spaced = field.replace('_', " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Name = OneLineText<1, 10>;
    type Bio = BoundedText<0, 50>;

    #[test]
    fn text_is_trimmed_and_kept() {
        assert_eq!(Name::parse("name", "  Ada  ").unwrap().as_str(), "Ada");
    }

    #[test]
    fn empty_required_text_is_refused_with_the_field_named() {
        let err = Name::parse("job_title", "   ").unwrap_err();
        assert_eq!(err.field, "job_title");
        assert_eq!(err.message, "Job title is required.");
    }

    #[test]
    fn overlong_text_is_refused() {
        let err = Name::parse("name", "abcdefghijk").unwrap_err();
        assert!(err.message.contains("at most 10"), "{}", err.message);
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        assert!(Name::parse("name", "éééééééééé").is_ok());
    }

    #[test]
    fn control_characters_are_refused() {
        assert!(Name::parse("name", "a\u{0}b").is_err());
        assert!(Bio::parse("bio", "a\u{7}b").is_err());
        assert!(Bio::parse("bio", "a\u{1b}[31mred").is_err());
    }

    #[test]
    fn optional_text_may_be_empty() {
        assert!(Bio::parse("bio", "").unwrap().is_empty());
        assert!(Bio::parse("bio", " \n ").unwrap().is_empty());
    }

    #[test]
    fn text_is_nfc_normalised_so_the_same_word_is_the_same_string() {
        let decomposed = Name::parse("name", "Jose\u{301}").unwrap();
        let composed = Name::parse("name", "Jos\u{e9}").unwrap();
        assert_eq!(decomposed, composed);
        assert_eq!(decomposed.as_str(), "Jos\u{e9}");
        assert!(
            Name::parse("name", "Jose\u{301}phine").is_ok(),
            "length counts the composed characters"
        );
    }

    #[test]
    fn a_name_of_only_invisible_characters_is_refused_asking_for_visible_letters() {
        for invisible in [
            "\u{200b}\u{200b}",
            "\u{200b} \u{200d}",
            "\u{2060}",
            "\u{feff}",
            "\u{ad}",
            "\u{3164}",
            "\u{115f}\u{1160}",
            "\u{2800}",
            "\u{301}\u{301}",
            "\u{e0041}",
        ] {
            let err = Name::parse("display_name", invisible).unwrap_err();
            assert_eq!(err.field, "display_name");
            assert_eq!(
                err.message, "Display name needs letters people can see.",
                "{invisible:?}"
            );
            assert!(
                Bio::parse("bio", invisible).is_err(),
                "an optional field is not left empty by invisible text either: {invisible:?}"
            );
        }
    }

    #[test]
    fn invisible_characters_around_visible_text_are_cut_but_marks_are_kept() {
        assert_eq!(
            Name::parse("name", "\u{200b}Ada\u{feff}").unwrap().as_str(),
            "Ada"
        );
        // A trailing combining mark belongs to its letter (Devanagari virama),
        // and VS16 makes the heart an emoji: neither is trimmed.
        assert_eq!(
            Name::parse("name", "\u{915}\u{94d}").unwrap().as_str(),
            "\u{915}\u{94d}"
        );
        assert_eq!(
            Name::parse("name", "\u{2764}\u{fe0f}").unwrap().as_str(),
            "\u{2764}\u{fe0f}"
        );
        // Joiners inside emoji sequences and Persian words stay.
        assert!(Name::parse("name", "\u{1f469}\u{200d}\u{1f4bb}").is_ok());
        assert!(Name::parse("name", "\u{645}\u{6cc}\u{200c}\u{62e}").is_ok());
    }

    #[test]
    fn bidi_overrides_and_isolates_are_refused_in_every_field() {
        for spoof in [
            "Ada\u{202e}nimda",
            "\u{202d}Ada",
            "A\u{202a}da",
            "Ada\u{2066}x\u{2069}",
            "Ada\u{2067}",
            "Ada\u{2068}",
        ] {
            let err = Name::parse("display_name", spoof).unwrap_err();
            assert!(
                err.message.contains("change the direction of text"),
                "{spoof:?}: {}",
                err.message
            );
            assert!(Bio::parse("bio", spoof).is_err(), "{spoof:?}");
        }
    }

    #[test]
    fn bidi_marks_are_refused_on_one_line_but_kept_in_prose() {
        for mark in ['\u{200e}', '\u{200f}', '\u{61c}'] {
            let text = format!("\u{5e9}\u{5dc}\u{5d5}\u{5dd}{mark} 42");
            assert!(Name::parse("name", &text).is_err(), "{mark:?}");
            assert_eq!(Bio::parse("bio", &text).unwrap().as_str(), text);
        }
    }

    #[test]
    fn line_breaks_are_refused_on_one_line() {
        for broken in [
            "Ada\nAdmin",
            "Ada\rAdmin",
            "Ada\r\nAdmin",
            "Ada\u{2028}Admin",
            "Ada\u{2029}Admin",
            "Ada\u{85}Admin",
        ] {
            let err = Name::parse("title", broken).unwrap_err();
            assert_eq!(err.message, "Title must fit on one line.", "{broken:?}");
        }
        assert!(Name::parse("name", "Ada\tL").is_err(), "a tab is a control");
        assert_eq!(
            Name::parse("name", "Ada\n").unwrap().as_str(),
            "Ada",
            "a pasted trailing newline is only trimmed"
        );
    }

    #[test]
    fn multi_line_text_keeps_its_breaks_written_as_newlines() {
        assert_eq!(
            Bio::parse(
                "bio",
                "one\r\ntwo\rthree\u{2028}four\u{2029}five\u{85}six\tcol"
            )
            .unwrap()
            .as_str(),
            "one\ntwo\nthree\nfour\nfive\nsix\tcol"
        );
    }

    #[test]
    fn deserialising_validates_like_parse() {
        let ok: Name = serde_json::from_str("\"  Ada \"").unwrap();
        assert_eq!(ok.as_str(), "Ada");
        assert!(serde_json::from_str::<Name>("\"\\u200b\"").is_err());
        assert!(serde_json::from_str::<Name>("\"Ada\\u202eevil\"").is_err());
        assert!(serde_json::from_str::<Name>("\"Ada\\nAdmin\"").is_err());
        assert_eq!(
            serde_json::to_string(&ok).unwrap(),
            "\"Ada\"",
            "written as the plain string it is read from"
        );
    }
}
