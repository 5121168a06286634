//! Bounded, trimmed free text and the validation error every parser returns.

use serde::{Deserialize, Serialize};

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

/// Trimmed text of at most `MAX` characters, with no control characters other
/// than line breaks. `MIN` of 1 makes it required. The many short profile and
/// event fields share this one type instead of one newtype each.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct BoundedText<const MIN: usize, const MAX: usize>(String);

impl<const MIN: usize, const MAX: usize> BoundedText<MIN, MAX> {
    /// Validates `raw` for the form field `field`.
    pub fn parse(field: &str, raw: &str) -> Result<Self, Invalid> {
        let value = raw.trim();
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
        if value
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
        {
            return Err(Invalid::new(
                field,
                format!("{} contains characters that are not allowed.", label(field)),
            ));
        }
        Ok(Self(value.replace("\r\n", "\n")))
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

impl<const MIN: usize, const MAX: usize> AsRef<str> for BoundedText<MIN, MAX> {
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

    type Name = BoundedText<1, 10>;

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
    }

    #[test]
    fn optional_text_may_be_empty() {
        assert!(BoundedText::<0, 5>::parse("bio", "").unwrap().is_empty());
    }
}
