//! Account and profile values: email, password, names and links.

use super::text::{is_default_ignorable, BoundedText, Invalid, OneLineText};
use serde::{Deserialize, Serialize};

/// An email address, trimmed and lower-cased so that one person cannot hold
/// two accounts by changing case. Deliberately permissive (RFC 5322 is larger
/// than any regex); it only refuses what cannot be delivered.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    /// An address the store wrote earlier, taken as it is: it was valid when
    /// stored, and a stricter rule since must not lock its owner out.
    pub fn from_stored(stored: String) -> Self {
        Self(stored)
    }

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let value = raw.trim().to_lowercase();
        let bad = || Invalid::new("email", "Enter an email address like name@example.com.");
        if value.is_empty() {
            return Err(Invalid::new("email", "Email is required."));
        }
        if value.len() > 254 {
            return Err(Invalid::new(
                "email",
                "Email can be at most 254 characters long.",
            ));
        }
        let (local, domain) = value.split_once('@').ok_or_else(bad)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '.');
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || "<>()[]\\,;:\"@".contains(c))
            // Invisible characters (zero-width spaces, direction overrides)
            // would make two addresses that look the same.
            && !local.chars().any(is_default_ignorable);
        if !domain_ok || !local_ok {
            return Err(bad());
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A password as typed. It never derives `Serialize`, and its `Debug` is
/// redacted so it cannot reach a log line by accident.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    /// The shortest password we accept; length matters more than symbols
    /// (NIST SP 800-63B), so there are no composition rules.
    pub const MIN_CHARS: usize = 10;
    /// Long enough for any passphrase, short enough that hashing is bounded.
    pub const MAX_CHARS: usize = 256;

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let len = raw.chars().count();
        if len < Self::MIN_CHARS {
            return Err(Invalid::new(
                "password",
                format!("Password needs at least {} characters.", Self::MIN_CHARS),
            ));
        }
        if len > Self::MAX_CHARS {
            return Err(Invalid::new(
                "password",
                format!(
                    "Password can be at most {} characters long.",
                    Self::MAX_CHARS
                ),
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password([redacted])")
    }
}

/// The name shown to other attendees: one line, something visible, no
/// direction overrides (see [`super::normalise`]).
pub type PersonName = OneLineText<1, 80>;

/// An `http(s)` link on a profile. Other schemes (`javascript:`, `data:`) are
/// refused because the link is rendered as a clickable anchor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebLink(String);

impl WebLink {
    pub const MAX_CHARS: usize = 300;

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let value = raw.trim();
        let bad = || {
            Invalid::new(
                "links",
                format!("“{value}” is not a web address starting with https://."),
            )
        };
        if value.chars().count() > Self::MAX_CHARS {
            return Err(Invalid::new(
                "links",
                format!("Links can be at most {} characters long.", Self::MAX_CHARS),
            ));
        }
        let lower = value.to_ascii_lowercase();
        let rest = lower
            .strip_prefix("https://")
            .or_else(|| lower.strip_prefix("http://"))
            .ok_or_else(bad)?;
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if host.is_empty()
            || !host.contains('.')
            || value.chars().any(|c| {
                c.is_whitespace()
                    || c.is_control()
                    || is_default_ignorable(c)
                    || "<>\"'`".contains(c)
            })
        {
            return Err(bad());
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The profile form as submitted: every field a plain string.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileForm {
    pub display_name: String,
    #[serde(default)]
    pub pronouns: String,
    #[serde(default)]
    pub headline: String,
    #[serde(default)]
    pub company: String,
    #[serde(default)]
    pub job_title: String,
    #[serde(default)]
    pub bio: String,
    /// One link per line.
    #[serde(default)]
    pub links: String,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub languages: String,
    #[serde(default)]
    pub ask_me_about: String,
    #[serde(default)]
    pub phone: String,
}

/// A phone number as people write it: digits with `+`, spaces, dashes,
/// dots and brackets; 6 to 20 digits.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phone(String);

impl Phone {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let value = raw.trim();
        if value.is_empty() {
            return Ok(Self::default());
        }
        let digits = value.chars().filter(char::is_ascii_digit).count();
        let allowed = value
            .chars()
            .all(|c| c.is_ascii_digit() || " +-.()/".contains(c));
        if !allowed || !(6..=20).contains(&digits) || value.len() > 40 {
            return Err(Invalid::new(
                "phone",
                "Enter a phone number like +49 30 1234567.",
            ));
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A validated profile edit: what the account page submits, checked as a
/// whole so that one bad field stores nothing. The bio is the only field
/// that may span lines; the others are shown inline on cards and badges.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileInput {
    pub display_name: PersonName,
    pub pronouns: OneLineText<0, 40>,
    pub headline: OneLineText<0, 120>,
    pub company: OneLineText<0, 100>,
    pub job_title: OneLineText<0, 100>,
    pub bio: BoundedText<0, 1000>,
    pub links: Vec<WebLink>,
    pub location: OneLineText<0, 100>,
    pub languages: OneLineText<0, 100>,
    pub ask_me_about: OneLineText<0, 200>,
    pub phone: Phone,
}

impl ProfileInput {
    /// At most this many links; a profile is not a link farm.
    pub const MAX_LINKS: usize = 5;

    pub fn parse(form: &ProfileForm) -> Result<Self, Invalid> {
        let links = form
            .links
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(WebLink::parse)
            .collect::<Result<Vec<_>, _>>()?;
        if links.len() > Self::MAX_LINKS {
            return Err(Invalid::new(
                "links",
                format!("Add at most {} links.", Self::MAX_LINKS),
            ));
        }
        Ok(Self {
            display_name: PersonName::parse("display_name", &form.display_name)?,
            pronouns: OneLineText::parse("pronouns", &form.pronouns)?,
            headline: OneLineText::parse("headline", &form.headline)?,
            company: OneLineText::parse("company", &form.company)?,
            job_title: OneLineText::parse("job_title", &form.job_title)?,
            bio: BoundedText::parse("bio", &form.bio)?,
            links,
            location: OneLineText::parse("location", &form.location)?,
            languages: OneLineText::parse("languages", &form.languages)?,
            ask_me_about: OneLineText::parse("ask_me_about", &form.ask_me_about)?,
            phone: Phone::parse(&form.phone)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_lowercased_and_trimmed() {
        assert_eq!(
            Email::parse("  Ada@Example.ORG ").unwrap().as_str(),
            "ada@example.org"
        );
    }

    #[test]
    fn email_without_at_or_domain_dot_is_refused() {
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.org",
            "ada@example",
            "a da@example.org",
            "ada@exa mple.org",
            "ada@@example.org",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn emails_and_links_with_invisible_characters_are_refused() {
        assert!(Email::parse("ada\u{200b}@example.org").is_err());
        assert!(Email::parse("ada\u{202e}gro@example.org").is_err());
        assert!(WebLink::parse("https://example.org/\u{202e}gpj.exe").is_err());
        assert!(WebLink::parse("https://exam\u{200b}ple.org").is_err());
    }

    #[test]
    fn every_one_line_profile_field_refuses_line_breaks_but_the_bio_keeps_them() {
        let with = |set: fn(&mut ProfileForm)| {
            let mut f = form("");
            set(&mut f);
            ProfileInput::parse(&f)
        };
        assert_eq!(
            with(|f| f.company = "Acme\nInc".into()).unwrap_err().field,
            "company"
        );
        assert_eq!(
            with(|f| f.ask_me_about = "x\ny".into()).unwrap_err().field,
            "ask_me_about"
        );
        assert_eq!(
            with(|f| f.bio = "one\ntwo".into()).unwrap().bio.as_str(),
            "one\ntwo"
        );
        assert_eq!(
            with(|f| f.bio = "one\u{202e}two".into()).unwrap_err().field,
            "bio"
        );
    }

    #[test]
    fn short_password_is_refused_and_names_the_minimum() {
        let err = Password::parse("short").unwrap_err();
        assert_eq!(err.field, "password");
        assert!(err.message.contains("10"));
    }

    #[test]
    fn password_debug_never_shows_the_password() {
        let p = Password::parse("correct horse battery").unwrap();
        assert!(!format!("{p:?}").contains("horse"));
    }

    #[test]
    fn links_must_be_http_or_https() {
        assert!(WebLink::parse("https://example.org/me").is_ok());
        assert!(WebLink::parse("javascript:alert(1)").is_err());
        assert!(WebLink::parse("JAVASCRIPT://example.org/%0aalert(1)").is_err());
        assert!(WebLink::parse("data:text/html,hi").is_err());
        assert!(WebLink::parse("https://exa mple.org").is_err());
        assert!(WebLink::parse("https://\"onmouseover=x.org").is_err());
    }

    fn form(links: &str) -> ProfileForm {
        ProfileForm {
            display_name: "Ada".into(),
            links: links.into(),
            ..Default::default()
        }
    }

    #[test]
    fn profile_with_one_bad_field_is_refused_whole() {
        let err = ProfileInput::parse(&form("https://ok.org\nftp://nope.org")).unwrap_err();
        assert_eq!(err.field, "links");
    }

    #[test]
    fn profile_with_too_many_links_is_refused() {
        let links = (0..6)
            .map(|i| format!("https://e{i}.org"))
            .collect::<Vec<_>>()
            .join("\n");
        assert!(ProfileInput::parse(&form(&links)).is_err());
    }

    #[test]
    fn phone_numbers_are_checked_but_written_freely() {
        assert_eq!(
            Phone::parse(" +49 (30) 123-4567 ").unwrap().as_str(),
            "+49 (30) 123-4567"
        );
        assert!(Phone::parse("").unwrap().as_str().is_empty());
        assert_eq!(Phone::parse("call me").unwrap_err().field, "phone");
        assert!(Phone::parse("12").is_err());
    }
}
