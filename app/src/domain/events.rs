//! Event values: name, dates, time zone, role, slug and join code.

use super::text::{normalise, Invalid, Lines, OneLineText};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// An event's public name, on one line (it heads pages, mails and badges).
pub type EventName = OneLineText<2, 120>;

/// Where an event takes place, on one line (it sits under the name on
/// pages and badges); may be empty for an online event.
pub type Venue = OneLineText<0, 200>;

/// The days an event runs, first and last day inclusive, as calendar dates in
/// the event's own time zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventDates {
    starts_on: NaiveDate,
    ends_on: NaiveDate,
}

impl EventDates {
    /// Longest event we accept; longer is almost always a typo in the year.
    pub const MAX_DAYS: i64 = 60;

    /// Parses two `YYYY-MM-DD` dates (what `<input type="date">` sends).
    pub fn parse(starts_on: &str, ends_on: &str) -> Result<Self, Invalid> {
        let date = |field: &str, raw: &str| {
            NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| {
                Invalid::new(
                    field,
                    format!(
                        "{} must be a date like 2026-05-14.",
                        super::text::label(field)
                    ),
                )
            })
        };
        Self::new(date("starts_on", starts_on)?, date("ends_on", ends_on)?)
    }

    /// Checks two dates already parsed (e.g. read back from the database).
    pub fn new(starts_on: NaiveDate, ends_on: NaiveDate) -> Result<Self, Invalid> {
        if ends_on < starts_on {
            return Err(Invalid::new(
                "ends_on",
                "The event cannot end before it starts.",
            ));
        }
        if (ends_on - starts_on).num_days() >= Self::MAX_DAYS {
            return Err(Invalid::new(
                "ends_on",
                format!("An event can last at most {} days.", Self::MAX_DAYS),
            ));
        }
        Ok(Self { starts_on, ends_on })
    }

    pub fn starts_on(&self) -> NaiveDate {
        self.starts_on
    }

    pub fn ends_on(&self) -> NaiveDate {
        self.ends_on
    }
}

/// An IANA time zone name such as `Europe/Berlin`, in which the event's times
/// are shown. Checked against the tz database on the server only, so the
/// WebAssembly bundle does not carry the database.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeZoneName(String);

impl TimeZoneName {
    #[cfg(feature = "ssr")]
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let value = raw.trim();
        let tz: chrono_tz::Tz = value.parse().map_err(|_| {
            Invalid::new(
                "time_zone",
                "Time zone must be a name like Europe/Berlin or America/New_York.",
            )
        })?;
        Ok(Self(tz.name().to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A time in an event's time zone (`time_zone`, a tz database name), as
/// people at the event read it ("14:05 on Mar 3"); said in UTC if the zone
/// is unknown.
#[cfg(feature = "ssr")]
pub fn local_time(time_zone: &str, at: chrono::DateTime<chrono::Utc>) -> String {
    match time_zone.parse::<chrono_tz::Tz>() {
        Ok(tz) => at.with_timezone(&tz).format("%H:%M on %b %-d").to_string(),
        Err(_) => at.format("%H:%M UTC on %b %-d").to_string(),
    }
}

/// What a member may do in an event. Stored as its lower-case name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Created the event or was made an organizer: runs it.
    Organizer,
    /// Helps run the event on site (check-in, moderation).
    Staff,
    /// Everyone else.
    Attendee,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Organizer => "organizer",
            Role::Staff => "staff",
            Role::Attendee => "attendee",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "organizer" => Ok(Role::Organizer),
            "staff" => Ok(Role::Staff),
            "attendee" => Ok(Role::Attendee),
            _ => Err(Invalid::new(
                "role",
                "Role must be organizer, staff or attendee.",
            )),
        }
    }

    /// Organizers and staff run the event; they see its settings and codes.
    pub fn runs_event(self) -> bool {
        matches!(self, Role::Organizer | Role::Staff)
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Organizer => "Organizer",
            Role::Staff => "Staff",
            Role::Attendee => "Attendee",
        }
    }
}

/// The URL name of an event: lower-case letters, digits and dashes, derived
/// from its name plus a random suffix so two "RustConf"s never collide and
/// slugs cannot be guessed in sequence.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Slug(String);

impl Slug {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let ok = (3..=100).contains(&raw.len())
            && raw
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !raw.starts_with('-')
            && !raw.ends_with('-');
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(Invalid::new("slug", "That is not an event address."))
        }
    }

    /// "RustConf Europe 2026!" + "k3p9" -> "rustconf-europe-2026-k3p9".
    pub fn from_name(name: &str, suffix: &str) -> Self {
        let mut slug = String::new();
        for c in name.to_lowercase().chars() {
            if c.is_ascii_alphanumeric() {
                slug.push(c);
            } else if !slug.is_empty() && !slug.ends_with('-') {
                slug.push('-');
            }
            if slug.len() >= 60 {
                break;
            }
        }
        let mut slug = slug.trim_end_matches('-').to_owned();
        if slug.is_empty() {
            slug.push_str("event");
        }
        slug.push('-');
        slug.push_str(&suffix.to_ascii_lowercase());
        Self(slug)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Who may join an event on their own. Stored as its snake-case name.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JoinPolicy {
    /// Anyone with the invite link or the join code.
    #[default]
    Open,
    /// Only the invite link and organizer imports; the printed join code is
    /// refused (it is easy to share beyond the guest list).
    InviteOnly,
}

impl JoinPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            JoinPolicy::Open => "open",
            JoinPolicy::InviteOnly => "invite_only",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        match raw.trim() {
            "open" => Ok(JoinPolicy::Open),
            "invite_only" => Ok(JoinPolicy::InviteOnly),
            _ => Err(Invalid::new(
                "join_policy",
                "Choose whether people may join with the code or by invitation only.",
            )),
        }
    }
}

/// What became of a personal invitation. Stored as its lower-case name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InvitationStatus {
    /// Created; delivery has not finished yet.
    Pending,
    /// Accepted by the configured SMTP server.
    Mailed,
    /// Written as a `.eml` file to the outbox (no SMTP configured): the
    /// organizer passes the link on.
    Outbox,
    /// Delivery failed; the invitation's detail says why.
    Failed,
}

impl InvitationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            InvitationStatus::Pending => "pending",
            InvitationStatus::Mailed => "mailed",
            InvitationStatus::Outbox => "outbox",
            InvitationStatus::Failed => "failed",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        match raw {
            "pending" => Ok(InvitationStatus::Pending),
            "mailed" => Ok(InvitationStatus::Mailed),
            "outbox" => Ok(InvitationStatus::Outbox),
            "failed" => Ok(InvitationStatus::Failed),
            _ => Err(Invalid::new("status", "Unknown invitation status.")),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            InvitationStatus::Pending => "Being sent",
            InvitationStatus::Mailed => "Sent by mail",
            InvitationStatus::Outbox => "Not sent by mail (in the outbox)",
            InvitationStatus::Failed => "Sending failed",
        }
    }
}

/// An event's meeting spots, one per line as organizers type them: names
/// normalised like every one-line text ([`normalise`]), spaces collapsed,
/// de-duplicated, at most 60 characters each, at most 100.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SpotList(Vec<String>);

impl SpotList {
    pub const MAX_SPOTS: usize = 100;
    pub const MAX_NAME: usize = 60;

    pub fn parse(text: &str) -> Result<Self, Invalid> {
        let mut names: Vec<String> = Vec::new();
        for line in text.lines() {
            let name = normalise("spots", line, Lines::One)?;
            let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
            if name.is_empty() || names.contains(&name) {
                continue;
            }
            if name.chars().count() > Self::MAX_NAME {
                return Err(Invalid::new(
                    "spots",
                    "A meeting spot's name can be at most 60 characters.",
                ));
            }
            names.push(name);
        }
        if names.len() > Self::MAX_SPOTS {
            return Err(Invalid::new(
                "spots",
                "An event can have at most 100 meeting spots.",
            ));
        }
        Ok(Self(names))
    }

    pub fn names(&self) -> &[String] {
        &self.0
    }
}

/// The short code people type to join an event: eight characters from an
/// alphabet without look-alikes (no 0/O, 1/I/L), shown as `ABCD-EFGH`.
/// Typing it in lower case, with spaces or without the dash is fine.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct JoinCode(String);

impl JoinCode {
    pub const ALPHABET: &'static [u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    pub const LEN: usize = 8;

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        if let Some(value) = normalise_short_code(raw) {
            Ok(Self(value))
        } else {
            Err(Invalid::new(
                "code",
                "A join code has eight letters and digits, like K7PM-Q2XR.",
            ))
        }
    }

    /// The code as stored (no dash).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The code as printed for people: `ABCD-EFGH`.
    pub fn display(&self) -> String {
        format!("{}-{}", &self.0[..4], &self.0[4..])
    }
}

/// A short code as people type it (any case, spaces, dashes) in its stored
/// form: eight characters of [`JoinCode::ALPHABET`], or `None`. Badge codes
/// use the same shape, so one rule reads both.
pub(crate) fn normalise_short_code(raw: &str) -> Option<String> {
    let value: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (value.len() == JoinCode::LEN && value.bytes().all(|b| JoinCode::ALPHABET.contains(&b)))
        .then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_order_are_accepted() {
        let d = EventDates::parse("2026-05-14", "2026-05-15").unwrap();
        assert_eq!(d.starts_on().to_string(), "2026-05-14");
    }

    #[test]
    fn an_event_cannot_end_before_it_starts() {
        assert_eq!(
            EventDates::parse("2026-05-14", "2026-05-13")
                .unwrap_err()
                .field,
            "ends_on"
        );
    }

    #[test]
    fn malformed_dates_name_their_field() {
        assert_eq!(
            EventDates::parse("14/05/2026", "2026-05-13")
                .unwrap_err()
                .field,
            "starts_on"
        );
    }

    #[test]
    fn a_year_long_event_is_refused() {
        assert!(EventDates::parse("2026-01-01", "2026-12-31").is_err());
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn time_zones_come_from_the_tz_database() {
        assert_eq!(
            TimeZoneName::parse(" Europe/Berlin ").unwrap().as_str(),
            "Europe/Berlin"
        );
        assert!(TimeZoneName::parse("Mars/Olympus").is_err());
    }

    #[test]
    fn join_codes_forgive_case_spaces_and_dashes() {
        let code = JoinCode::parse("k7pm-q2xr").unwrap();
        assert_eq!(code.as_str(), "K7PMQ2XR");
        assert_eq!(code.display(), "K7PM-Q2XR");
        assert_eq!(JoinCode::parse(" K7PM Q2XR ").unwrap(), code);
    }

    #[test]
    fn join_codes_refuse_ambiguous_characters() {
        assert!(JoinCode::parse("O0I1L000").is_err());
        assert!(JoinCode::parse("ABC").is_err());
    }

    #[test]
    fn slugs_are_made_from_names() {
        assert_eq!(
            Slug::from_name("RustConf Europe 2026!", "k3p9").as_str(),
            "rustconf-europe-2026-k3p9"
        );
        assert_eq!(Slug::from_name("¡¡!!", "ab12").as_str(), "event-ab12");
        assert!(Slug::parse(Slug::from_name("Ünïcode Days", "zz99").as_str()).is_ok());
    }

    #[test]
    fn join_policies_and_invitation_states_round_trip_through_their_names() {
        for p in [JoinPolicy::Open, JoinPolicy::InviteOnly] {
            assert_eq!(JoinPolicy::parse(p.as_str()).unwrap(), p);
        }
        assert!(JoinPolicy::parse("closed").is_err());
        for s in [
            InvitationStatus::Pending,
            InvitationStatus::Mailed,
            InvitationStatus::Outbox,
            InvitationStatus::Failed,
        ] {
            assert_eq!(InvitationStatus::parse(s.as_str()).unwrap(), s);
        }
    }

    #[test]
    fn spot_lists_are_trimmed_deduplicated_and_bounded() {
        let spots = SpotList::parse("  Table 12 \n\nTable  12\nLobby\n").unwrap();
        assert_eq!(spots.names(), ["Table 12", "Lobby"]);
        assert!(SpotList::parse(&"x".repeat(61)).is_err());
        let many: String = (0..101).map(|i| format!("T{i}\n")).collect();
        assert!(SpotList::parse(&many).is_err());
    }

    #[test]
    fn event_names_and_spots_refuse_spoofing_characters() {
        assert!(EventName::parse("name", "RustConf\u{202e}2026").is_err());
        assert!(EventName::parse("name", "RustConf\n2026").is_err());
        assert!(EventName::parse("name", "\u{200b}\u{200b}\u{200b}").is_err());
        let err = SpotList::parse("Table 1\nLobby\u{2066}x").unwrap_err();
        assert_eq!(err.field, "spots");
        assert!(SpotList::parse("Table 1\n\u{200b}\n").is_err());
    }

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in [Role::Organizer, Role::Staff, Role::Attendee] {
            assert_eq!(Role::parse(role.as_str()).unwrap(), role);
        }
        assert!(Role::parse("admin").is_err());
    }
}
