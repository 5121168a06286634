//! Badges, scans and what I keep about a connection: the values that cross
//! the wire when a badge is scanned, and their validation.
//!
//! A badge carries two secrets: a [`BadgeToken`] inside the QR code's URL
//! (128+ random bits, so badges cannot be guessed or walked) and a short
//! [`BadgeCode`] printed under it for typing by hand when a camera fails.
//! Both are random and unrelated to any other identifier.

use super::{
    events::normalise_short_code,
    text::{normalise, Invalid, Lines},
    BoundedText, JoinCode,
};
use serde::{Deserialize, Serialize};

/// The secret in a badge's QR URL (`/b/<token>`): 22 characters of the
/// URL-safe base64 alphabet, i.e. 132 random bits.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BadgeToken(String);

impl BadgeToken {
    pub const LEN: usize = 22;
    pub const ALPHABET: &'static [u8] =
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let value = raw.trim();
        if value.len() == Self::LEN && value.bytes().all(|b| Self::ALPHABET.contains(&b)) {
            Ok(Self(value.to_owned()))
        } else {
            Err(Invalid::new("badge", "That is not a Rapport badge."))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The short code printed under a badge's QR code, typed by hand when a
/// camera cannot read it: eight characters without look-alikes, unique
/// within the event, shown as `ABCD-EFGH`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BadgeCode(String);

impl BadgeCode {
    pub const ALPHABET: &'static [u8] = JoinCode::ALPHABET;
    pub const LEN: usize = JoinCode::LEN;

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        normalise_short_code(raw).map(Self).ok_or_else(|| {
            Invalid::new(
                "code",
                "A badge code has eight letters and digits, like K7PM-Q2XR.",
            )
        })
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// As printed on the badge: `ABCD-EFGH`.
    pub fn display(&self) -> String {
        format!("{}-{}", &self.0[..4], &self.0[4..])
    }
}

/// What a scan or the in-app scanner's text box was given: the QR's URL (or
/// just its token) or a typed short code. Anything else is refused here, at
/// the edge, with a message for the person holding the phone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BadgeRef {
    Token(BadgeToken),
    Code(BadgeCode),
}

impl BadgeRef {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let raw = raw.trim();
        // A URL of any Rapport instance: the token is the segment after `/b/`
        // (an unknown token is then simply unknown, whatever the host).
        let candidate = match raw.rfind("/b/") {
            Some(at) => raw[at + 3..]
                .split(['?', '#', '/'])
                .next()
                .unwrap_or_default(),
            None => raw,
        };
        if let Ok(token) = BadgeToken::parse(candidate) {
            return Ok(BadgeRef::Token(token));
        }
        if let Ok(code) = BadgeCode::parse(candidate) {
            return Ok(BadgeRef::Code(code));
        }
        Err(Invalid::new(
            "code",
            "That is not a Rapport badge. Scan the QR code or type the eight-character code under it.",
        ))
    }
}

/// How a connection came about; kept with the connection ("met at RustConf,
/// scanned with a phone camera") and with every scan attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionMethod {
    /// A phone's own camera opened the badge's URL.
    Camera,
    /// Rapport's in-app scanner read the QR code.
    Scanner,
    /// The short code was typed by hand.
    Code,
    /// Scanned while offline and synced later.
    Offline,
    /// The badge owner approves scans and accepted the request.
    Approved,
    /// Both said "interested" on each other's recommendation.
    Mutual,
}

impl ConnectionMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Camera => "camera",
            Self::Scanner => "scanner",
            Self::Code => "code",
            Self::Offline => "offline",
            Self::Approved => "approved",
            Self::Mutual => "mutual",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        Ok(match raw {
            "camera" => Self::Camera,
            "scanner" => Self::Scanner,
            "code" => Self::Code,
            "offline" => Self::Offline,
            "approved" => Self::Approved,
            "mutual" => Self::Mutual,
            _ => return Err(Invalid::new("method", "Unknown way of connecting.")),
        })
    }

    /// For "my connections": how we met.
    pub fn label(self) -> &'static str {
        match self {
            Self::Camera => "badge scanned with a phone camera",
            Self::Scanner => "badge scanned in Rapport",
            Self::Code => "badge code typed in",
            Self::Offline => "badge scanned offline",
            Self::Approved => "scan approved",
            Self::Mutual => "both were interested",
        }
    }
}

/// Whether a scan connects two attendees, or checks one in or out at the
/// door (organizers and staff only).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScanMode {
    #[default]
    Connect,
    CheckIn,
    CheckOut,
}

impl ScanMode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Connect => "connect",
            Self::CheckIn => "check_in",
            Self::CheckOut => "check_out",
        }
    }

    /// Checking in or out: staff work at the door.
    pub fn at_the_door(self) -> bool {
        matches!(self, Self::CheckIn | Self::CheckOut)
    }

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        match raw.trim() {
            "" | "connect" => Ok(Self::Connect),
            "check_in" => Ok(Self::CheckIn),
            "check_out" => Ok(Self::CheckOut),
            _ => Err(Invalid::new(
                "mode",
                "A scan connects, checks in or checks out.",
            )),
        }
    }
}

/// What became of a scan attempt. Every attempt is recorded with one of
/// these, and each has its own page text, so nobody is left guessing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScanOutcome {
    Connected,
    AlreadyConnected,
    /// The owner approves scans: a request is waiting for them.
    Requested,
    CheckedIn,
    AlreadyCheckedIn,
    CheckedOut,
    /// Check-out mode for someone who is not checked in today.
    NotCheckedIn,
    /// Scanning one's own badge.
    OwnBadge,
    /// The badge was reissued; this one no longer works.
    Revoked,
    /// No badge has this token or code (or its owner left the event).
    Unknown,
    /// One of the two blocked the other.
    Blocked,
    /// The owner opted out of networking at this event.
    OptedOut,
    /// The scanner is not a member of the badge's event.
    NotMember,
    /// Check-in mode without being an organizer or staff member.
    NotStaff,
    /// The in-app scanner of one event read a badge of another.
    OtherEvent,
}

impl ScanOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Connected => "connected",
            Self::AlreadyConnected => "already_connected",
            Self::Requested => "requested",
            Self::CheckedIn => "checked_in",
            Self::AlreadyCheckedIn => "already_checked_in",
            Self::CheckedOut => "checked_out",
            Self::NotCheckedIn => "not_checked_in",
            Self::OwnBadge => "own_badge",
            Self::Revoked => "revoked",
            Self::Unknown => "unknown",
            Self::Blocked => "blocked",
            Self::OptedOut => "opted_out",
            Self::NotMember => "not_member",
            Self::NotStaff => "not_staff",
            Self::OtherEvent => "other_event",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        [
            Self::Connected,
            Self::AlreadyConnected,
            Self::Requested,
            Self::CheckedIn,
            Self::AlreadyCheckedIn,
            Self::CheckedOut,
            Self::NotCheckedIn,
            Self::OwnBadge,
            Self::Revoked,
            Self::Unknown,
            Self::Blocked,
            Self::OptedOut,
            Self::NotMember,
            Self::NotStaff,
            Self::OtherEvent,
        ]
        .into_iter()
        .find(|o| o.as_str() == raw)
        .ok_or_else(|| Invalid::new("outcome", "Unknown scan outcome."))
    }

    /// Whether the scan did what the scanner wanted (or had already done it).
    pub fn succeeded(self) -> bool {
        matches!(
            self,
            Self::Connected
                | Self::AlreadyConnected
                | Self::Requested
                | Self::CheckedIn
                | Self::AlreadyCheckedIn
                | Self::CheckedOut
                | Self::NotCheckedIn
        )
    }

    /// The headline shown to the person who scanned. Refusals say what
    /// happened without revealing anything about the badge's owner.
    pub fn headline(self) -> &'static str {
        match self {
            Self::Connected => "You are connected.",
            Self::AlreadyConnected => "You were already connected.",
            Self::Requested => "Connection requested.",
            Self::CheckedIn => "Checked in.",
            Self::AlreadyCheckedIn => "Already checked in.",
            Self::CheckedOut => "Checked out.",
            Self::NotCheckedIn => "Was not checked in.",
            Self::OwnBadge => "That is your own badge.",
            Self::Revoked => "This badge has been replaced.",
            Self::Unknown => "This badge is not valid.",
            Self::Blocked => "You cannot connect with this person.",
            Self::OptedOut => "This attendee is not networking at this event.",
            Self::NotMember => "Join the event to connect.",
            Self::NotStaff => "Only organizers and staff can check people in or out.",
            Self::OtherEvent => "This badge is for another event.",
        }
    }

    /// One more sentence of explanation and what to do next.
    pub fn detail(self) -> &'static str {
        match self {
            Self::Connected | Self::AlreadyConnected => {
                "Add a private note so you remember what you talked about."
            }
            Self::Requested => {
                "This attendee approves connections first; you will be connected when they accept."
            }
            Self::CheckedIn
            | Self::AlreadyCheckedIn
            | Self::CheckedOut
            | Self::NotCheckedIn => "Scan the next badge when ready.",
            Self::OwnBadge => "Show it to someone else, or scan theirs.",
            Self::Revoked => "Its owner has a new badge; ask them to show you that one.",
            Self::Unknown => {
                "Check the code and try again. Its owner may have left the event or have a new badge."
            }
            Self::Blocked => "Nothing was shared with either of you.",
            Self::OptedOut => "They can still be reached in the event's rooms.",
            Self::NotMember => {
                "This badge belongs to an attendee of an event you have not joined yet."
            }
            Self::NotStaff => "Switch the scanner back to connecting.",
            Self::OtherEvent => "Open the scanner of that event to scan it.",
        }
    }
}

/// A random id the in-app scanner gives each scan, so a scan replayed after
/// a lost response or an offline sync is recorded once.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ClientNonce(String);

impl ClientNonce {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let value = raw.trim();
        if (8..=64).contains(&value.len())
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            Ok(Self(value.to_owned()))
        } else {
            Err(Invalid::new("nonce", "That scan cannot be synced."))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// My private note about a connection.
pub type ConnectionNoteText = BoundedText<0, 2000>;

/// My 1–5 rating of a connection (lead retrieval), or none.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating(u8);

impl Rating {
    /// An empty field is "no rating".
    pub fn parse(raw: &str) -> Result<Option<Self>, Invalid> {
        match raw.trim() {
            "" => Ok(None),
            n => match n.parse::<u8>() {
                Ok(v @ 1..=5) => Ok(Some(Self(v))),
                _ => Err(Invalid::new("rating", "A rating is 1 to 5 stars.")),
            },
        }
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

/// My own labels on a connection ("lead", "hiring", "follow up"): at most
/// [`Labels::MAX`], each at most [`Labels::MAX_CHARS`], no duplicates, each
/// normalised like every one-line text ([`normalise`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Labels(Vec<String>);

impl Labels {
    pub const MAX: usize = 10;
    pub const MAX_CHARS: usize = 30;

    /// Comma-separated, as typed.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let mut labels: Vec<String> = Vec::new();
        for part in raw.split(',') {
            let label = normalise("labels", part, Lines::One)?;
            let label = label.split_whitespace().collect::<Vec<_>>().join(" ");
            if label.is_empty() {
                continue;
            }
            if label.chars().count() > Self::MAX_CHARS {
                return Err(Invalid::new(
                    "labels",
                    format!("A label can be at most {} characters.", Self::MAX_CHARS),
                ));
            }
            if !labels.iter().any(|l| l.eq_ignore_ascii_case(&label)) {
                labels.push(label);
            }
        }
        if labels.len() > Self::MAX {
            return Err(Invalid::new(
                "labels",
                format!("Use at most {} labels.", Self::MAX),
            ));
        }
        Ok(Self(labels))
    }

    /// Labels read back from the store (already validated when saved).
    pub fn from_stored(labels: Vec<String>) -> Self {
        Self(labels)
    }

    pub fn as_slice(&self) -> &[String] {
        &self.0
    }
}

/// My note about a connection as its form shows and sends it (the text
/// as typed; saving parses it into [`ConnectionNoteText`], [`Rating`] and
/// [`Labels`]). Crosses the wire with a scan's result and with my
/// connections.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteView {
    pub note: String,
    pub rating: Option<u8>,
    /// Comma-separated, as typed.
    pub labels: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "Ab3_-x9ZQ7mK2pR8sT4uVw";

    #[test]
    fn badge_tokens_are_22_url_safe_characters() {
        assert_eq!(BadgeToken::parse(TOKEN).unwrap().as_str(), TOKEN);
        assert!(BadgeToken::parse("too-short").is_err());
        assert!(BadgeToken::parse("Ab3_-x9ZQ7mK2pR8sT4uV!").is_err());
    }

    #[test]
    fn a_scanned_url_a_bare_token_and_a_typed_code_are_all_understood() {
        let token = BadgeToken::parse(TOKEN).unwrap();
        for raw in [
            format!("https://rapport.example/b/{TOKEN}"),
            format!("http://127.0.0.1:3000/b/{TOKEN}?utm=x"),
            format!("  {TOKEN} "),
        ] {
            assert_eq!(
                BadgeRef::parse(&raw).unwrap(),
                BadgeRef::Token(token.clone())
            );
        }
        assert_eq!(
            BadgeRef::parse("k7pm-q2xr").unwrap(),
            BadgeRef::Code(BadgeCode::parse("K7PMQ2XR").unwrap())
        );
    }

    #[test]
    fn anything_else_is_not_a_badge() {
        for raw in [
            "",
            "hello",
            "https://evil.example/",
            "https://x/b/short",
            "O0I1L000",
        ] {
            assert_eq!(BadgeRef::parse(raw).unwrap_err().field, "code", "{raw}");
        }
    }

    #[test]
    fn every_outcome_round_trips_through_its_stored_name() {
        for o in [
            ScanOutcome::Connected,
            ScanOutcome::AlreadyCheckedIn,
            ScanOutcome::OtherEvent,
            ScanOutcome::NotStaff,
        ] {
            assert_eq!(ScanOutcome::parse(o.as_str()).unwrap(), o);
        }
        assert!(ScanOutcome::parse("exploded").is_err());
    }

    #[test]
    fn nonces_are_short_url_safe_strings() {
        assert!(ClientNonce::parse("3f2a9c1e-0b7d-4a55").is_ok());
        assert!(ClientNonce::parse("short").is_err());
        assert!(ClientNonce::parse("has space in it").is_err());
        assert!(ClientNonce::parse(&"x".repeat(65)).is_err());
    }

    #[test]
    fn ratings_are_one_to_five_or_none() {
        assert_eq!(Rating::parse("").unwrap(), None);
        assert_eq!(Rating::parse("4").unwrap().unwrap().get(), 4);
        assert!(Rating::parse("0").is_err());
        assert!(Rating::parse("6").is_err());
        assert!(Rating::parse("five").is_err());
    }

    #[test]
    fn labels_are_trimmed_deduplicated_and_bounded() {
        let labels = Labels::parse(" lead ,follow   up, Lead,, ").unwrap();
        assert_eq!(labels.as_slice(), ["lead", "follow up"]);
        assert!(Labels::parse(&"x".repeat(31)).is_err());
        let many: Vec<String> = (0..11).map(|i| format!("l{i}")).collect();
        assert!(Labels::parse(&many.join(",")).is_err());
    }

    #[test]
    fn labels_refuse_direction_overrides_line_breaks_and_invisible_text() {
        for bad in ["lead\u{202e}x", "lead\nx", "\u{200b}", "lead, \u{2060}"] {
            assert_eq!(Labels::parse(bad).unwrap_err().field, "labels", "{bad:?}");
        }
    }
}

/// One of my connections.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionCard {
    pub user_id: String,
    pub display_name: String,
    pub pronouns: String,
    pub headline: Option<String>,
    pub company: Option<String>,
    pub job_title: Option<String>,
    /// Contact details, as the person lets connections see them.
    pub email: Option<String>,
    pub phone: Option<String>,
    pub links: Vec<String>,
    pub photo_url: Option<String>,
    /// Where we met: (event name, slug).
    pub event: Option<(String, String)>,
    pub method: ConnectionMethod,
    /// When we connected, RFC 3339 (UTC), for exports and sorting.
    pub connected_at: String,
    /// The same, for reading: "May 14, 2026".
    pub connected_on: String,
    pub note: NoteView,
}
