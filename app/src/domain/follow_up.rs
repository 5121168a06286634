//! Following up: what a reminder on a note says and the day it is due,
//! and the views that cross the wire: a connection's timeline across
//! events and the "keep in touch" list.

use super::{
    badges::ConnectionCard,
    text::{Invalid, OneLineText},
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What a reminder on my note asks me to do ("send the slides").
pub type ReminderText = OneLineText<1, 200>;

/// The day a reminder is due, as a date field sends it (`YYYY-MM-DD`).
/// Days before today are refused by the service, which knows the clock.
pub fn parse_due_day(raw: &str) -> Result<NaiveDate, Invalid> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| Invalid::new("due_on", "Pick the day the reminder is due."))
}

/// What a line of a connection's timeline is, for its icon and style.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimelineKind {
    /// We connected (where, how).
    Connected,
    /// One of us scanned the other's badge.
    Scan,
    /// A meeting between us (any state).
    Meeting,
    /// I wrote or changed my note.
    Note,
    /// A direct message between us (issue 16 part 1; none yet).
    Message,
}

impl TimelineKind {
    /// A short word shown before the line ("Met", "Meeting", …).
    pub fn label(self) -> &'static str {
        match self {
            Self::Connected => "Connected",
            Self::Scan => "Scan",
            Self::Meeting => "Meeting",
            Self::Note => "Note",
            Self::Message => "Message",
        }
    }
}

/// One line of a connection's timeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineItem {
    pub kind: TimelineKind,
    /// When, RFC 3339 (UTC), for `<time datetime>` and sorting.
    pub at: String,
    /// The same, for reading: "May 14, 2026, 10:30 UTC".
    pub on: String,
    /// One sentence: "You scanned their badge", "Meeting at Table 3 (accepted)".
    pub text: String,
    /// The event it happened at: (name, slug).
    pub event: Option<(String, String)>,
}

/// A reminder on my note, as the timeline lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReminderView {
    /// Opaque id for the "done" button.
    pub id: String,
    pub text: String,
    /// `YYYY-MM-DD`.
    pub due_on: String,
    /// Already due (and notified).
    pub due: bool,
}

/// A connection's page: who they are (as they let connections see), what
/// happened between us across events (newest first), my note and my open
/// reminders.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineView {
    pub card: ConnectionCard,
    pub items: Vec<TimelineItem>,
    pub reminders: Vec<ReminderView>,
    /// Today (UTC), `YYYY-MM-DD`: the reminder form's earliest day.
    pub today: String,
}

/// A connection I have not been in touch with for a while.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeepInTouchItem {
    pub user_id: String,
    pub display_name: String,
    pub photo_url: Option<String>,
    /// What happened last between us ("Meeting at Table 3 at RustConf").
    pub last_text: String,
    /// When, for reading: "May 14, 2026".
    pub last_on: String,
    /// Whole days since.
    pub days_ago: i64,
}

/// The "keep in touch" page: connections not contacted in `days` days,
/// oldest contact first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeepInTouchView {
    pub days: u32,
    pub people: Vec<KeepInTouchItem>,
    /// How many connections I have in all.
    pub total: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_due_day_is_an_iso_date_and_nothing_else() {
        assert_eq!(
            parse_due_day(" 2026-12-24 ").unwrap(),
            NaiveDate::from_ymd_opt(2026, 12, 24).unwrap()
        );
        for bad in ["", "24/12/2026", "2026-13-01", "tomorrow"] {
            assert!(parse_due_day(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_reminder_says_something_on_one_line() {
        assert!(ReminderText::parse("text", "Send the slides").is_ok());
        assert!(ReminderText::parse("text", "  ").is_err());
        assert!(ReminderText::parse("text", &"x".repeat(201)).is_err());
    }
}
