//! Tests of the scheduler: one per rule (each fails if the rule breaks), the
//! value rules, validation, the re-run, and a brute-force optimum on tiny
//! random instances. Every schedule goes through [`check::violations`].
//! This module holds the shared builders; `rules` checks each rule and the
//! input's validation, `optimum` the value reached against brute force and
//! the bound, determinism, the re-run and the checker itself.

use super::*;
use crate::domain::UserId;
use uuid::Uuid;

mod optimum;
mod rules;

fn uid(n: u32) -> UserId {
    UserId(Uuid::from_u128(u128::from(n) + 1))
}

/// An event of `slots` slots (no breaks), one spot of capacity `capacity`,
/// people 0..n available everywhere, max 10, accepting requests, K = 10.
fn event(slots: usize, capacity: u32, n: u32) -> ProblemInput {
    ProblemInput {
        slots: vec![Slot { break_after: false }; slots],
        spots: vec![Spot::uniform("Table 1", capacity, slots)],
        people: (0..n)
            .map(|i| Person {
                id: uid(i),
                available: SlotSet::all(slots),
                max_meetings: 10,
                accepts_requests: true,
            })
            .collect(),
        max_in_a_row: 10,
        ..ProblemInput::default()
    }
}

fn wish(input: &mut ProblemInput, from: u32, to: u32, priority: Priority) {
    input.wishes.push(Wish {
        from: uid(from),
        to: uid(to),
        priority,
    });
}

/// Solves with default options and checks every rule.
fn solve(input: ProblemInput) -> (Problem, Schedule) {
    let problem = Problem::parse(input).expect("valid problem");
    let schedule = schedule(&problem, &SolveOptions::default());
    let v = check::violations(&problem, &schedule);
    assert!(v.is_empty(), "rules broken: {v:?}");
    (problem, schedule)
}

fn meets(s: &Schedule, x: u32, y: u32) -> Option<&Assignment> {
    s.assignments
        .iter()
        .find(|m| (m.a, m.b) == (uid(x), uid(y)) || (m.a, m.b) == (uid(y), uid(x)))
}

fn meetings_of(s: &Schedule, x: u32) -> usize {
    s.assignments
        .iter()
        .filter(|m| m.a == uid(x) || m.b == uid(x))
        .count()
}

fn reason_of(s: &Schedule, from: u32, to: u32) -> Option<Unscheduled> {
    s.unscheduled
        .iter()
        .find(|u| u.wish.from == uid(from) && u.wish.to == uid(to))
        .map(|u| u.reason)
}
