//! The meeting scheduler's values as people type them: a wish's priority,
//! the organizer's slot plan ("2031-05-14 09:00-10:20/20"), the spots'
//! capacities ("Table 12: 2") and the scheduler's limits. Each validates
//! when built; the service turns them into the engine's problem
//! ([`crate::scheduler`]).

use super::{normalise, text::Invalid, Lines};
use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

/// How much an attendee wants to meet someone, as they say it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WishPriority {
    /// "Must meet": the reason they came.
    Must,
    /// "Would like to meet".
    WouldLike,
    /// "If possible": only if the schedule has room.
    IfPossible,
}

impl WishPriority {
    /// Every priority, the strongest first (the order forms list them in).
    pub const ALL: [WishPriority; 3] = [Self::Must, Self::WouldLike, Self::IfPossible];

    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Must => "must",
            Self::WouldLike => "would_like",
            Self::IfPossible => "if_possible",
        }
    }

    /// A priority from its name (a form's value).
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == raw.trim())
            .ok_or_else(|| {
                Invalid::new(
                    "priority",
                    "Pick must meet, would like to meet or if possible.",
                )
            })
    }

    /// What people read.
    pub fn label(self) -> &'static str {
        match self {
            Self::Must => "Must meet",
            Self::WouldLike => "Would like to meet",
            Self::IfPossible => "If possible",
        }
    }
}

/// One slot of the organizer's plan, in the event's time zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlannedSlot {
    /// The day.
    pub day: NaiveDate,
    /// When it starts.
    pub starts: NaiveTime,
    /// When it ends (the same day).
    pub ends: NaiveTime,
}

/// The time slots of the meeting sessions, typed one block a line:
/// `2031-05-14 09:00-09:20` is one slot, `2031-05-14 09:00-10:20/20` four
/// slots of 20 minutes. Slots that touch follow each other without a
/// break; a gap between two is a break. In time order, never overlapping,
/// at most [`crate::domain::SlotPlan::MAX`] slots.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotPlan(Vec<PlannedSlot>);

impl SlotPlan {
    /// The engine's limit on slots (`scheduler::MAX_SLOTS`).
    pub const MAX: usize = 128;

    /// Reads the plan (see the type's documentation).
    pub fn parse(text: &str) -> Result<Self, Invalid> {
        let bad = |line: &str| {
            Invalid::new(
                "slots",
                format!("Write each block as “2031-05-14 09:00-10:20/20” (day, start-end, optional minutes per slot), not “{line}”."),
            )
        };
        let mut slots: Vec<PlannedSlot> = Vec::new();
        for line in text.lines() {
            let line = normalise("slots", line, Lines::One).unwrap_or_default();
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let shown: String = line.chars().take(40).collect();
            let (day, times) = line.split_once(' ').ok_or_else(|| bad(&shown))?;
            let day: NaiveDate = day.parse().map_err(|_| bad(&shown))?;
            let (range, every) = match times.trim().split_once('/') {
                Some((r, m)) => (r, Some(m.trim().parse::<i64>().map_err(|_| bad(&shown))?)),
                None => (times.trim(), None),
            };
            let (from, to) = range.split_once('-').ok_or_else(|| bad(&shown))?;
            let time =
                |t: &str| NaiveTime::parse_from_str(t.trim(), "%H:%M").map_err(|_| bad(&shown));
            let (from, to) = (time(from)?, time(to)?);
            if to <= from {
                return Err(Invalid::new(
                    "slots",
                    format!("“{shown}” ends before it starts."),
                ));
            }
            let length = every.unwrap_or((to - from).num_minutes());
            if !(5..=240).contains(&length) {
                return Err(Invalid::new(
                    "slots",
                    "A slot lasts between 5 minutes and 4 hours.",
                ));
            }
            let step = chrono::Duration::minutes(length);
            let mut starts = from;
            while starts + step <= to && starts + step > starts {
                if slots.len() == Self::MAX {
                    return Err(Invalid::new("slots", "At most 128 slots."));
                }
                let ends = starts + step;
                if let Some(last) = slots.last() {
                    if (day, starts) < (last.day, last.ends) {
                        return Err(Invalid::new(
                            "slots",
                            format!("“{shown}” overlaps or comes before the block above it: list the blocks in time order."),
                        ));
                    }
                }
                slots.push(PlannedSlot { day, starts, ends });
                starts = ends;
            }
        }
        Ok(Self(slots))
    }

    /// The slots, in time order.
    pub fn slots(&self) -> &[PlannedSlot] {
        &self.0
    }
}

/// How many meetings each spot holds at once, typed `Table 12: 2`, one
/// spot a line (`Table 12` alone holds one). Names follow the meeting
/// spots' rules ([`crate::domain::SpotList`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpotCapacities(Vec<(String, u32)>);

impl SpotCapacities {
    /// The most meetings one spot holds at once (a hall of tables).
    pub const MAX_CAPACITY: u32 = 500;

    /// Reads the list (see the type's documentation).
    pub fn parse(text: &str) -> Result<Self, Invalid> {
        let mut out: Vec<(String, u32)> = Vec::new();
        let mut names = String::new();
        for line in text.lines() {
            let line = normalise("spots", line, Lines::One).unwrap_or_default();
            let (name, capacity) = match line.rsplit_once(':') {
                Some((name, n)) if !n.trim().is_empty() => {
                    let n = n
                        .trim()
                        .parse::<u32>()
                        .ok()
                        .filter(|n| *n <= Self::MAX_CAPACITY);
                    let n = n.ok_or_else(|| {
                        Invalid::new("spots", "After the colon, say how many meetings the spot holds at once (0 to 500).")
                    })?;
                    (name.to_owned(), n)
                }
                Some((name, _)) => (name.to_owned(), 1),
                None => (line.clone(), 1),
            };
            let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
            if name.is_empty() || out.iter().any(|(n, _)| *n == name) {
                continue;
            }
            names.push_str(&name);
            names.push('\n');
            out.push((name, capacity));
        }
        // The names themselves obey the meeting spots' rules.
        super::SpotList::parse(&names)?;
        Ok(Self(out))
    }

    /// (spot name, capacity), in the order given.
    pub fn spots(&self) -> &[(String, u32)] {
        &self.0
    }
}

/// A whole number typed in a form, within `min..=max`, or a message
/// naming `field`.
pub fn count_in(field: &str, raw: &str, min: u32, max: u32) -> Result<u32, Invalid> {
    raw.trim()
        .parse::<u32>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| Invalid::new(field, format!("Give a number from {min} to {max}.")))
}

/// The scheduler's figures: what the dashboard and the review show.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleFigures {
    /// Time slots of the sessions.
    pub slots: u32,
    /// Meetings the sessions hold at most (capacity times slots).
    pub capacity: u32,
    /// People who stated at least one wish.
    pub people_wishing: u32,
    /// Wishes stated.
    pub wishes: u32,
    /// Wishes with a meeting in the schedule.
    pub wishes_met: u32,
    /// Meetings in the schedule (draft and published, not declined).
    pub meetings: u32,
    /// Of those, published.
    pub published: u32,
    /// Published meetings one side declined.
    pub declined: u32,
    /// The schedule's value (the engine's points).
    pub value: i64,
    /// No schedule of the last run's problem is worth more.
    pub upper_bound: i64,
    /// When the scheduler last ran ("Thu 14 May, 09:12"), if ever.
    pub ran_at: Option<String>,
    /// When the schedule was last published, if ever.
    pub published_at: Option<String>,
}

impl ScheduleFigures {
    /// The value as a share of the upper bound, in whole per cent (`None`
    /// before a run).
    pub fn percent_of_bound(&self) -> Option<i64> {
        (self.upper_bound > 0).then(|| self.value * 100 / self.upper_bound)
    }
}

/// A meeting of the schedule as the organizer reviews it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduledLine {
    /// Its id (the edit forms send it).
    pub id: String,
    /// Its slot's id and time.
    pub slot_id: String,
    /// "Thu 14 May, 09:00–09:20".
    pub when: String,
    /// Its spot's id and name.
    pub spot_id: String,
    /// The spot's name.
    pub spot: String,
    /// The two people's names.
    pub people: (String, String),
    /// Published (a real meeting), not just a draft.
    pub published: bool,
    /// Published, then declined by one side.
    pub declined: bool,
}

/// A wish the schedule does not meet, and why as far as one can tell.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnmetLine {
    /// Who wished.
    pub from: String,
    /// Whom.
    pub to: String,
    /// How much.
    pub priority: WishPriority,
    /// Why, in words.
    pub reason: String,
}

/// One person's share of the schedule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonLine {
    /// Their name.
    pub name: String,
    /// Wishes they stated.
    pub wishes: u32,
    /// Of those, met by a meeting.
    pub met: u32,
    /// Meetings they have in the schedule.
    pub meetings: u32,
}

/// How full a spot is over the sessions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpotLine {
    /// The spot's name.
    pub name: String,
    /// Meetings placed there.
    pub used: u32,
    /// Meetings it holds over all slots.
    pub capacity: u32,
}

/// The organizer's review of the schedule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleReview {
    /// The figures.
    pub figures: ScheduleFigures,
    /// Every meeting, by slot.
    pub meetings: Vec<ScheduledLine>,
    /// Wishes without a meeting.
    pub unmet: Vec<UnmetLine>,
    /// Each person who wished or was wished, by name.
    pub people: Vec<PersonLine>,
    /// Each spot that holds meetings.
    pub spots: Vec<SpotLine>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_splits_into_slots_and_gaps_are_breaks() {
        let plan =
            SlotPlan::parse("2031-05-14 09:00-10:00/20\n\n2031-05-14 10:30-10:50\n").unwrap();
        let times: Vec<String> = plan
            .slots()
            .iter()
            .map(|s| format!("{}-{}", s.starts.format("%H:%M"), s.ends.format("%H:%M")))
            .collect();
        assert_eq!(
            times,
            ["09:00-09:20", "09:20-09:40", "09:40-10:00", "10:30-10:50"]
        );
    }

    #[test]
    fn plans_out_of_order_or_malformed_are_refused() {
        for bad in [
            "2031-05-14 10:00-11:00\n2031-05-14 09:00-09:20",
            "2031-05-14 09:00",
            "14 May 09:00-10:00",
            "2031-05-14 10:00-09:00",
            "2031-05-14 09:00-10:00/2",
            "2031-05-14 00:00-23:59/5\n2031-05-15 00:00-23:59/5",
        ] {
            assert_eq!(SlotPlan::parse(bad).unwrap_err().field, "slots", "{bad}");
        }
    }

    #[test]
    fn capacities_default_to_one_and_are_bounded() {
        let c = SpotCapacities::parse("Table 1: 2\nLounge\nTable 1: 5\nBooth 3:0").unwrap();
        assert_eq!(
            c.spots(),
            [
                ("Table 1".to_owned(), 2),
                ("Lounge".to_owned(), 1),
                ("Booth 3".to_owned(), 0)
            ]
        );
        assert!(SpotCapacities::parse("Hall: 501").is_err());
        assert!(SpotCapacities::parse("Hall: many").is_err());
    }

    #[test]
    fn priorities_round_trip_through_their_names() {
        for p in WishPriority::ALL {
            assert_eq!(WishPriority::parse(p.as_str()).unwrap(), p);
        }
        assert!(WishPriority::parse("whenever").is_err());
        assert_eq!(count_in("k", " 3 ", 1, 8).unwrap(), 3);
        assert!(count_in("k", "0", 1, 8).is_err());
    }
}
