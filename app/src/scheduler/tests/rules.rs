//! One test per scheduling rule (each fails if the rule breaks), the value
//! rules, fixed meetings, and the validation of bad input.

use super::*;

#[test]
fn one_meeting_per_person_per_slot() {
    let mut input = event(1, 10, 3);
    wish(&mut input, 0, 1, Priority::Must);
    wish(&mut input, 0, 2, Priority::WouldLike);
    let (_, s) = solve(input);
    assert_eq!(s.assignments.len(), 1);
    assert!(meets(&s, 0, 1).is_some(), "the must wins");
    assert_eq!(reason_of(&s, 0, 2), Some(Unscheduled::NoRoom));
}

#[test]
fn meetings_only_when_both_are_available() {
    let mut input = event(4, 10, 4);
    input.people[0].available = SlotSet::of([2]);
    input.people[1].available = SlotSet::of([1, 2, 3]);
    input.people[3].available = SlotSet::of([0, 1]);
    wish(&mut input, 0, 1, Priority::Must);
    wish(&mut input, 0, 3, Priority::Must);
    let (_, s) = solve(input);
    assert_eq!(meets(&s, 0, 1).map(|m| m.slot), Some(2));
    assert!(meets(&s, 0, 3).is_none());
    assert_eq!(reason_of(&s, 0, 3), Some(Unscheduled::NoCommonSlot));
}

#[test]
fn spots_hold_no_more_than_their_capacity() {
    let mut input = event(2, 1, 8);
    // A second spot open only in slot 1, holding two.
    input.spots.push(Spot {
        name: "Room B".into(),
        capacity: vec![0, 2],
    });
    for i in 0..4 {
        wish(&mut input, 2 * i, 2 * i + 1, Priority::Must);
    }
    let (_, s) = solve(input);
    // Slot 0: one table; slot 1: one table + two in room B.
    assert_eq!(s.assignments.len(), 4);
    assert_eq!(s.assignments.iter().filter(|m| m.slot == 0).count(), 1);
    assert!(s.assignments.iter().all(|m| m.spot == 0 || m.slot == 1));
    assert_eq!(
        s.utilisation[0],
        SpotUse {
            used: 2,
            capacity: 2
        }
    );
    assert_eq!(
        s.utilisation[1],
        SpotUse {
            used: 2,
            capacity: 2
        }
    );
}

#[test]
fn a_pair_meets_at_most_once() {
    let mut input = event(5, 10, 2);
    wish(&mut input, 0, 1, Priority::Must);
    wish(&mut input, 1, 0, Priority::Must);
    let (_, s) = solve(input);
    assert_eq!(s.assignments.len(), 1);
}

#[test]
fn nobody_gets_more_than_their_maximum() {
    let mut input = event(6, 10, 6);
    input.people[0].max_meetings = 2;
    for j in 1..6 {
        wish(&mut input, j, 0, Priority::Must);
    }
    let (_, s) = solve(input);
    assert_eq!(meetings_of(&s, 0), 2);
    assert_eq!(reason_of(&s, 5, 0), Some(Unscheduled::AtMaximum));
}

#[test]
fn at_most_k_in_a_row_and_breaks_reset_the_run() {
    // Four slots, K = 2: without a break the best is 1101 (3 meetings)...
    let mut input = event(4, 10, 5);
    input.max_in_a_row = 2;
    for j in 1..5 {
        wish(&mut input, 0, j, Priority::Must);
    }
    let (_, s) = solve(input.clone());
    assert_eq!(meetings_of(&s, 0), 3);
    // ...and with a break after slot 1 all four fit (11|11).
    input.slots[1].break_after = true;
    let (_, s) = solve(input);
    assert_eq!(meetings_of(&s, 0), 4);
}

#[test]
fn forbidden_pairs_never_meet_even_when_both_must() {
    let mut input = event(3, 10, 3);
    wish(&mut input, 0, 1, Priority::Must);
    wish(&mut input, 1, 0, Priority::Must);
    wish(&mut input, 0, 2, Priority::IfPossible);
    input.scores.push((uid(0), uid(1), 1.0));
    input.forbidden.push((uid(1), uid(0)));
    let (problem, s) = solve(input);
    assert!(meets(&s, 0, 1).is_none());
    assert!(meets(&s, 0, 2).is_some(), "the rest is still scheduled");
    assert_eq!(problem.pair_value(0, 1), 0);
    assert_eq!(reason_of(&s, 0, 1), Some(Unscheduled::Forbidden));
    assert_eq!(reason_of(&s, 1, 0), Some(Unscheduled::Forbidden));
}

#[test]
fn one_sided_wishes_need_the_other_to_accept_being_asked() {
    let mut input = event(3, 10, 3);
    input.people[1].accepts_requests = false;
    wish(&mut input, 0, 1, Priority::Must);
    wish(&mut input, 0, 2, Priority::Must);
    let (_, s) = solve(input.clone());
    assert!(meets(&s, 0, 1).is_none());
    assert_eq!(reason_of(&s, 0, 1), Some(Unscheduled::NotAccepted));
    assert!(meets(&s, 0, 2).is_some());
    // Wishing back counts even without accepting requests.
    wish(&mut input, 1, 0, Priority::IfPossible);
    let (_, s) = solve(input);
    assert!(meets(&s, 0, 1).is_some());
}

#[test]
fn values_follow_priorities_mutuality_and_score() {
    use value::pair_value;
    let (must, like, maybe) = (Priority::Must, Priority::WouldLike, Priority::IfPossible);
    assert_eq!(pair_value(Some(must), None, true, true, 0.0), 1000);
    assert_eq!(pair_value(Some(must), None, true, false, 0.0), 0);
    assert_eq!(pair_value(Some(must), Some(must), false, false, 0.0), 3000);
    assert_eq!(pair_value(Some(like), Some(maybe), true, true, 0.0), 900);
    assert!(
        pair_value(Some(maybe), Some(maybe), true, true, 0.0)
            > pair_value(Some(like), None, true, true, 1.0)
    );
    assert_eq!(pair_value(Some(maybe), None, true, true, 1.0), 299);
    assert_eq!(pair_value(None, None, true, true, 1.0), 0);
    // The score breaks ties only: less than one wish point.
    assert!(
        pair_value(Some(like), None, true, true, 1.0)
            < pair_value(Some(like), None, true, true, 0.0) + value::POINT
    );
}

#[test]
fn fixed_meetings_stay_put_and_count_toward_limits() {
    let mut input = event(3, 1, 4);
    input.spots.push(Spot::uniform("Room B", 1, 3));
    input.people[0].max_meetings = 2;
    input.fixed.push(FixedMeeting {
        a: uid(0),
        b: uid(1),
        slot: 0,
        spot: 1,
    });
    wish(&mut input, 0, 1, Priority::Must);
    wish(&mut input, 0, 2, Priority::Must);
    wish(&mut input, 0, 3, Priority::WouldLike);
    let (_, s) = solve(input);
    let fixed = meets(&s, 0, 1).expect("kept");
    assert_eq!((fixed.slot, fixed.spot, fixed.fixed), (0, 1, true));
    assert_eq!(
        meetings_of(&s, 0),
        2,
        "the fixed meeting counts toward the maximum"
    );
    assert!(meets(&s, 0, 2).is_some());
    assert_eq!(s.assignments.len(), 2);
}

#[test]
fn a_blocking_meeting_moves_to_make_room() {
    // Greedy puts the better pair (0,1) in slot 0, the only slot 2 has;
    // local search must move it to slot 1 and fit (0,2) in slot 0.
    let mut input = event(2, 10, 3);
    input.people[2].available = SlotSet::of([0]);
    wish(&mut input, 0, 1, Priority::Must);
    wish(&mut input, 1, 0, Priority::Must);
    wish(&mut input, 0, 2, Priority::Must);
    let (_, s) = solve(input);
    assert_eq!(meets(&s, 0, 1).map(|m| m.slot), Some(1));
    assert_eq!(meets(&s, 0, 2).map(|m| m.slot), Some(0));
}

#[test]
fn bad_input_is_rejected() {
    let base = event(2, 1, 3);
    let bad = |f: &dyn Fn(&mut ProblemInput)| {
        let mut input = base.clone();
        f(&mut input);
        Problem::parse(input).expect_err("must be rejected")
    };
    assert!(matches!(
        bad(&|i| wish(i, 0, 9, Priority::Must)),
        ProblemError::UnknownPerson(_)
    ));
    assert!(matches!(
        bad(&|i| wish(i, 1, 1, Priority::Must)),
        ProblemError::SelfPair(_)
    ));
    assert!(matches!(
        bad(&|i| {
            wish(i, 0, 1, Priority::Must);
            wish(i, 0, 1, Priority::IfPossible);
        }),
        ProblemError::DuplicateWish(..)
    ));
    assert!(matches!(
        bad(&|i| i.spots[0].capacity = vec![0, 0]),
        ProblemError::ZeroCapacity(0)
    ));
    assert!(matches!(
        bad(&|i| i.spots[0].capacity = vec![1]),
        ProblemError::CapacityLength(..)
    ));
    assert!(matches!(
        bad(&|i| i.people[2].id = uid(0)),
        ProblemError::DuplicatePerson(_)
    ));
    assert!(matches!(
        bad(&|i| i.people[0].available = SlotSet::of([5])),
        ProblemError::UnknownSlot(_)
    ));
    assert!(matches!(
        bad(&|i| i.max_in_a_row = 0),
        ProblemError::ZeroInARow
    ));
    assert!(matches!(
        bad(&|i| i.slots.clear()),
        ProblemError::SlotCount(0)
    ));
    assert!(matches!(
        bad(&|i| i.scores.push((uid(0), uid(1), 1.5))),
        ProblemError::BadScore(..)
    ));
    assert!(matches!(
        bad(&|i| i.forbidden.push((uid(0), uid(7)))),
        ProblemError::UnknownPerson(_)
    ));
    let fixed = |a, b, slot, spot| FixedMeeting {
        a: uid(a),
        b: uid(b),
        slot,
        spot,
    };
    /// A change to the base event that makes the fixed meetings break a rule.
    type Tweak = fn(&mut ProblemInput);
    let cases: [(&str, Vec<FixedMeeting>, Tweak); 6] = [
        ("unavailable", vec![fixed(0, 1, 0, 0)], |i| {
            i.people[1].available = SlotSet::of([1])
        }),
        (
            "double-booked",
            vec![fixed(0, 1, 0, 0), fixed(0, 2, 0, 0)],
            |i| i.spots[0].capacity = vec![2, 2],
        ),
        (
            "spot full",
            vec![fixed(0, 1, 0, 0), fixed(2, 1, 1, 0), fixed(0, 2, 1, 0)],
            |_| {},
        ),
        ("forbidden", vec![fixed(0, 1, 0, 0)], |i| {
            i.forbidden.push((uid(0), uid(1)))
        }),
        ("twice", vec![fixed(0, 1, 0, 0), fixed(1, 0, 1, 0)], |_| {}),
        (
            "over maximum",
            vec![fixed(0, 1, 0, 0), fixed(0, 2, 1, 0)],
            |i| i.people[0].max_meetings = 1,
        ),
    ];
    for (name, meetings, tweak) in cases {
        let mut input = base.clone();
        input.fixed = meetings;
        tweak(&mut input);
        assert!(
            matches!(Problem::parse(input), Err(ProblemError::BadFixed(..))),
            "{name} accepted"
        );
    }
    let mut input = base.clone();
    input.max_in_a_row = 1;
    input.fixed = vec![fixed(0, 1, 0, 0), fixed(0, 2, 1, 0)];
    assert!(
        matches!(Problem::parse(input), Err(ProblemError::BadFixed(..))),
        "K broken"
    );
}
