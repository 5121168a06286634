//! Meetings and the matching funnel: the values that cross the wire when
//! attendees book time together, and their validation.

use super::{text::Invalid, BoundedText, OneLineText};
use serde::{Deserialize, Serialize};

/// Where a meeting request stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeetingStatus {
    /// Waiting for an answer (see `awaiting`).
    Pending,
    Accepted,
    Declined,
    Cancelled,
}

impl MeetingStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Declined => "declined",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        Ok(match raw {
            "pending" => Self::Pending,
            "accepted" => Self::Accepted,
            "declined" => Self::Declined,
            "cancelled" => Self::Cancelled,
            _ => return Err(Invalid::new("status", "Unknown meeting status.")),
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "Waiting for an answer",
            Self::Accepted => "Accepted",
            Self::Declined => "Declined",
            Self::Cancelled => "Cancelled",
        }
    }
}

/// The stages of the networking funnel the organizer sees, each counted
/// once per ordered pair of attendees.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FunnelStage {
    Recommended,
    Interested,
    Mutual,
    MeetingRequested,
    MeetingAccepted,
    Met,
}

impl FunnelStage {
    pub const ALL: [FunnelStage; 6] = [
        Self::Recommended,
        Self::Interested,
        Self::Mutual,
        Self::MeetingRequested,
        Self::MeetingAccepted,
        Self::Met,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Recommended => "recommended",
            Self::Interested => "interested",
            Self::Mutual => "mutual",
            Self::MeetingRequested => "meeting_requested",
            Self::MeetingAccepted => "meeting_accepted",
            Self::Met => "met",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| Invalid::new("stage", "Unknown funnel stage."))
    }
}

/// A short note with a meeting request ("Coffee to talk about sqlx?").
pub type MeetingMessage = BoundedText<0, 500>;

/// A free-text meeting place when the organizer's spots do not fit, on
/// one line.
pub type MeetingPlaceText = OneLineText<1, 100>;

/// How long a meeting lasts: 5 minutes to 4 hours.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingMinutes(u16);

impl MeetingMinutes {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        match raw.trim().parse::<u16>() {
            Ok(m @ 5..=240) => Ok(Self(m)),
            _ => Err(Invalid::new(
                "minutes",
                "A meeting lasts between 5 minutes and 4 hours.",
            )),
        }
    }

    pub fn get(self) -> u16 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_stages_round_trip_through_their_names() {
        for s in [MeetingStatus::Pending, MeetingStatus::Cancelled] {
            assert_eq!(MeetingStatus::parse(s.as_str()).unwrap(), s);
        }
        for s in FunnelStage::ALL {
            assert_eq!(FunnelStage::parse(s.as_str()).unwrap(), s);
        }
        assert!(MeetingStatus::parse("maybe").is_err());
    }

    #[test]
    fn meetings_last_five_minutes_to_four_hours() {
        assert_eq!(MeetingMinutes::parse("30").unwrap().get(), 30);
        for bad in ["0", "4", "241", "half an hour", ""] {
            assert_eq!(
                MeetingMinutes::parse(bad).unwrap_err().field,
                "minutes",
                "{bad}"
            );
        }
    }
}
