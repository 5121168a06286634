//! What a meeting between two people is worth to the schedule: the one rule
//! both the solver and the bound maximise.
//!
//! # The value of a pair
//!
//! Each side's wish counts with its priority's weight: **must 10, would
//! like 5, if possible 2**. A one-sided wish counts only if the other side
//! accepts being asked; a wish made by both sides always counts. When both
//! wished, the pair also earns a **mutual bonus equal to the smaller of the
//! two weights**: two wishes met by one meeting, and nobody is imposed on.
//! So a mutual must is worth 10 + 10 + 10 = 30, three times a one-sided must
//! (10), and a mutual "if possible" (6) beats a one-sided "would like" (5),
//! but not a one-sided must.
//!
//! Values are integers: the wish points times [`POINT`] (100), plus the
//! matching engine's score (0..=1) as 0..=99. The score therefore only
//! breaks ties between pairs with equal wish points and never outweighs a
//! single point of wishes; whole numbers keep sums exact, so the solver, the
//! bound and the brute-force tests compare values without rounding.
//!
//! A pair with no counted wish is worth 0 and is never scheduled: the
//! scheduler places the meetings people asked for, not strangers.

use std::collections::{HashMap, HashSet};

/// How much one side wants a meeting, as the attendee says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Priority {
    /// "Must meet": the reason they came.
    Must,
    /// "Would like to meet".
    WouldLike,
    /// "If possible": only if the schedule has room.
    IfPossible,
}

/// The two indices of a pair, lower first.
pub(crate) fn ordered(x: u32, y: u32) -> (u32, u32) {
    if x < y {
        (x, y)
    } else {
        (y, x)
    }
}

/// The value of one wish point (the score adds at most `POINT - 1`).
pub const POINT: u64 = 100;

impl Priority {
    /// The wish points of one side's wish (see the module documentation).
    pub fn weight(self) -> u64 {
        match self {
            Priority::Must => 10,
            Priority::WouldLike => 5,
            Priority::IfPossible => 2,
        }
    }
}

/// The value of a pair from both sides' wishes (`None` = no wish), whether
/// each side accepts being asked, and the match score.
pub fn pair_value(
    wish_ab: Option<Priority>,
    wish_ba: Option<Priority>,
    a_accepts: bool,
    b_accepts: bool,
    score: f64,
) -> u64 {
    let counted = |wish: Option<Priority>, other_accepts: bool, other_wished: bool| {
        wish.filter(|_| other_accepts || other_wished)
            .map_or(0, Priority::weight)
    };
    let mut points = counted(wish_ab, b_accepts, wish_ba.is_some())
        + counted(wish_ba, a_accepts, wish_ab.is_some());
    if let (Some(x), Some(y)) = (wish_ab, wish_ba) {
        points += x.weight().min(y.weight());
    }
    if points == 0 {
        return 0;
    }
    // The score is checked to be in 0..=1 when the problem is built.
    points * POINT + (score.clamp(0.0, 1.0) * (POINT - 1) as f64).round() as u64
}

/// Every pair worth something, by (lower, higher) person index, from the
/// wishes by (from, to) index. Forbidden pairs are left out whatever they
/// wished: they never meet, so they are worth nothing to the schedule.
pub(crate) fn pair_values(
    wishes: &HashMap<(u32, u32), Priority>,
    accepts: &[bool],
    scores: &HashMap<(u32, u32), f64>,
    forbidden: &HashSet<(u32, u32)>,
) -> HashMap<(u32, u32), u64> {
    let mut values = HashMap::with_capacity(wishes.len());
    for &(from, to) in wishes.keys() {
        let key = ordered(from, to);
        if values.contains_key(&key) || forbidden.contains(&key) {
            continue;
        }
        let (a, b) = key;
        let value = pair_value(
            wishes.get(&(a, b)).copied(),
            wishes.get(&(b, a)).copied(),
            accepts[a as usize],
            accepts[b as usize],
            scores.get(&key).copied().unwrap_or(0.0),
        );
        if value > 0 {
            values.insert(key, value);
        }
    }
    values
}
