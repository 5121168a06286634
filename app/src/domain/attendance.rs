//! Who is at the venue: arrivals and departures ([`Movement`]), how they
//! were recorded ([`AttendanceSource`]), and the two rules every reader of
//! them shares: a check-in counts only on the event day it was made
//! ([`day_start`]), and how many people were here hour by hour
//! ([`here_per_hour`]).
//!
//! "The end of the event day" checks everyone out by this rule, not by a
//! job: a check-in made before today's local midnight no longer counts, so
//! nothing is left "here" overnight when a server was down at midnight.

use super::Invalid;
#[cfg(feature = "ssr")]
use super::{Bar, HOURS};
#[cfg(feature = "ssr")]
use chrono::{DateTime, NaiveTime, TimeDelta, TimeZone, Utc};
use serde::{Deserialize, Serialize};

/// Which way someone moved through the door.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Movement {
    In,
    Out,
}

impl Movement {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::In => "in",
            Self::Out => "out",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        match raw {
            "in" => Ok(Self::In),
            "out" => Ok(Self::Out),
            _ => Err(Invalid::new("movement", "Either in or out.")),
        }
    }
}

/// Who recorded a movement: staff scanning a badge at the door, or the
/// attendee with their own button.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttendanceSource {
    Staff,
    /// The attendee themself ("I'm here" / "I'm leaving").
    Myself,
}

impl AttendanceSource {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Staff => "staff",
            Self::Myself => "self",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        match raw {
            "staff" => Ok(Self::Staff),
            "self" => Ok(Self::Myself),
            _ => Err(Invalid::new("source", "Unknown source.")),
        }
    }
}

#[cfg(feature = "ssr")]
/// The start of `now`'s day in `tz`: a check-in made before it no longer
/// counts (the day it was made has ended).
pub fn day_start(tz: chrono_tz::Tz, now: DateTime<Utc>) -> DateTime<Utc> {
    let date = now.with_timezone(&tz).date_naive();
    // Midnight can be skipped by a daylight-saving change in a few zones:
    // then the day starts at the first instant that exists.
    (0..24)
        .find_map(|h| {
            tz.from_local_datetime(&date.and_time(NaiveTime::from_hms_opt(h, 0, 0)?))
                .earliest()
        })
        .map_or(now, |t| t.with_timezone(&Utc))
}

#[cfg(feature = "ssr")]
/// How many people were here at the end of each hour (in `tz`), from the
/// first movement to `now`, keeping the most recent [`HOURS`]. `log` holds
/// each person's movements (any order); a check-in left open at the end of
/// its day counts until that day's end only.
pub fn here_per_hour<P: Ord + Copy>(
    log: &[(P, Movement, DateTime<Utc>)],
    tz: chrono_tz::Tz,
    now: DateTime<Utc>,
) -> Vec<Bar> {
    use chrono::DurationRound;
    let hour = |t: DateTime<Utc>| t.duration_trunc(TimeDelta::hours(1)).unwrap_or(t);
    let Some(first) = log.iter().map(|(_, _, t)| hour(*t)).min() else {
        return Vec::new();
    };
    let last = hour(now).max(first);
    let span = ((last - first).num_hours().max(0) as usize + 1).min(HOURS);
    let start = last - TimeDelta::hours(span as i64 - 1);
    // Each person's stays, as [arrival, departure) intervals.
    let mut sorted: Vec<_> = log.to_vec();
    sorted.sort_by_key(|(p, _, t)| (*p, *t));
    let mut stays: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::new();
    let mut open: Option<(P, DateTime<Utc>)> = None;
    let close = |person_open: Option<(P, DateTime<Utc>)>, until: Option<DateTime<Utc>>| {
        person_open.map(|(_, since)| {
            // The day's end closes any stay; so does a departure before it.
            let day_end = day_start(tz, since) + TimeDelta::days(1);
            let end = until.map_or(day_end, |u| u.min(day_end));
            (since, end)
        })
    };
    for (person, movement, at) in sorted {
        if open.is_some_and(|(p, _)| p != person) {
            stays.extend(close(open.take(), None));
        }
        match movement {
            Movement::In if open.is_none() => open = Some((person, at)),
            Movement::In => {}
            Movement::Out => stays.extend(close(open.take(), Some(at))),
        }
    }
    stays.extend(close(open.take(), None));
    (0..span)
        .map(|i| {
            let from = start + TimeDelta::hours(i as i64);
            // At the end of the hour, or now for the hour in progress.
            let at = (from + TimeDelta::hours(1)).min(now);
            let here = stays.iter().filter(|(s, e)| *s <= at && at < *e).count();
            (
                from.with_timezone(&tz).format("%-d %b %H:00").to_string(),
                here as u64,
            )
        })
        .collect()
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use Movement::{In, Out};

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn the_day_starts_at_local_midnight() {
        let berlin: chrono_tz::Tz = "Europe/Berlin".parse().unwrap();
        // 00:30 in Berlin on 7 Dec is 23:30 UTC on 6 Dec.
        assert_eq!(
            day_start(berlin, t("2026-12-06T23:30:00Z")),
            t("2026-12-06T23:00:00Z")
        );
        assert_eq!(
            day_start(berlin, t("2026-12-06T22:59:00Z")),
            t("2026-12-05T23:00:00Z")
        );
        // Santiago skips midnight when summer time begins (6 Sep 2026).
        let santiago: chrono_tz::Tz = "America/Santiago".parse().unwrap();
        let start = day_start(santiago, t("2026-09-06T15:00:00Z"));
        assert_eq!(
            start,
            t("2026-09-06T04:00:00Z"),
            "01:00 local, the first hour that exists"
        );
    }

    #[test]
    fn people_are_here_between_arrival_and_departure_or_the_days_end() {
        let utc = chrono_tz::UTC;
        let log = [
            (1, In, t("2026-12-06T09:10:00Z")),
            (1, Out, t("2026-12-06T11:30:00Z")),
            (2, In, t("2026-12-06T10:05:00Z")),
            // Person 3 comes, goes and comes back.
            (3, In, t("2026-12-06T09:40:00Z")),
            (3, Out, t("2026-12-06T09:50:00Z")),
            (3, In, t("2026-12-06T11:20:00Z")),
        ];
        let bars = here_per_hour(&log, utc, t("2026-12-06T12:15:00Z"));
        let counts: Vec<u64> = bars.iter().map(|(_, n)| *n).collect();
        // At 10:00 only 1 (3 came and went); at 11:00 1 and 2; at 12:00 2
        // and 3 (1 left, 3 came back); now, 12:15, the same two.
        assert_eq!(counts, vec![1, 2, 2, 2], "{bars:?}");
        assert_eq!(bars[0].0, "6 Dec 09:00");
    }

    #[test]
    fn a_check_in_left_open_ends_with_its_day() {
        let utc = chrono_tz::UTC;
        let log = [(7, In, t("2026-12-05T22:00:00Z"))];
        let bars = here_per_hour(&log, utc, t("2026-12-06T01:30:00Z"));
        let counts: Vec<u64> = bars.iter().map(|(_, n)| *n).collect();
        // Here at 23:00; midnight ends the stay.
        assert_eq!(counts, vec![1, 0, 0, 0], "{bars:?}");
    }

    #[test]
    fn names_of_movements_and_sources_round_trip() {
        for m in [In, Out] {
            assert_eq!(Movement::parse(m.as_str()).unwrap(), m);
        }
        for s in [AttendanceSource::Staff, AttendanceSource::Myself] {
            assert_eq!(AttendanceSource::parse(s.as_str()).unwrap(), s);
        }
        assert!(Movement::parse("sideways").is_err());
    }
}
