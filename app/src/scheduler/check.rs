//! The independent checker: every rule a schedule must keep, verified from
//! the problem as it was given ([`ProblemInput`]), not from the solver's own
//! bookkeeping. The tests run it on every answer; the service can run it
//! before publishing a schedule edited by hand.

use super::{Problem, ProblemInput, Schedule};
use crate::domain::UserId;
use std::collections::{HashMap, HashSet};

/// Every rule `schedule` breaks, in words (empty = valid).
pub fn violations(problem: &Problem, schedule: &Schedule) -> Vec<String> {
    let input: &ProblemInput = problem.input();
    let mut out = Vec::new();
    let slots = input.slots.len();
    let person: HashMap<UserId, usize> = input
        .people
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id, i))
        .collect();
    let key = |x: UserId, y: UserId| if x < y { (x, y) } else { (y, x) };
    let forbidden: HashSet<(UserId, UserId)> =
        input.forbidden.iter().map(|&(x, y)| key(x, y)).collect();

    let mut busy: HashMap<UserId, Vec<bool>> = HashMap::new();
    let mut used: HashMap<(usize, usize), u32> = HashMap::new();
    let mut pairs = HashSet::new();
    for (i, m) in schedule.assignments.iter().enumerate() {
        let what = format!("meeting {i} ({} and {}, slot {})", m.a, m.b, m.slot);
        let (Some(&pa), Some(&pb)) = (person.get(&m.a), person.get(&m.b)) else {
            out.push(format!("{what}: unknown person"));
            continue;
        };
        if m.a == m.b {
            out.push(format!("{what}: a person meets themselves"));
        }
        if m.slot >= slots || m.spot >= input.spots.len() {
            out.push(format!("{what}: no such slot or spot"));
            continue;
        }
        for p in [pa, pb] {
            let p = &input.people[p];
            if !p.available.contains(m.slot) {
                out.push(format!("{what}: {} is not available", p.id));
            }
            let row = busy.entry(p.id).or_insert_with(|| vec![false; slots]);
            if row[m.slot] {
                out.push(format!("{what}: {} has two meetings in the slot", p.id));
            }
            row[m.slot] = true;
        }
        *used.entry((m.spot, m.slot)).or_default() += 1;
        if !pairs.insert(key(m.a, m.b)) {
            out.push(format!("{what}: the pair meets twice"));
        }
        if forbidden.contains(&key(m.a, m.b)) {
            out.push(format!("{what}: the pair must never meet"));
        }
        let value = problem.pair_value(pa as u32, pb as u32);
        if m.value != value {
            out.push(format!("{what}: value {} instead of {value}", m.value));
        }
        if value == 0 && !m.fixed {
            out.push(format!("{what}: nobody asked for it"));
        }
    }
    for (&(spot, slot), &n) in &used {
        if n > input.spots[spot].capacity[slot] {
            out.push(format!("spot {spot} holds {n} meetings in slot {slot}"));
        }
    }
    for p in &input.people {
        let Some(row) = busy.get(&p.id) else { continue };
        let n = row.iter().filter(|&&b| b).count() as u32;
        if n > p.max_meetings {
            out.push(format!(
                "{} has {n} meetings, more than {}",
                p.id, p.max_meetings
            ));
        }
        let mut run = 0;
        for (t, &b) in row.iter().enumerate() {
            run = if b { run + 1 } else { 0 };
            if run > input.max_in_a_row {
                out.push(format!("{} has {run} meetings in a row at slot {t}", p.id));
            }
            if input.slots[t].break_after {
                run = 0;
            }
        }
    }
    for f in &input.fixed {
        let kept = schedule.assignments.iter().any(|m| {
            key(m.a, m.b) == key(f.a, f.b) && m.slot == f.slot && m.spot == f.spot && m.fixed
        });
        if !kept {
            out.push(format!(
                "fixed meeting of {} and {} moved or lost",
                f.a, f.b
            ));
        }
    }
    let total: u64 = schedule.assignments.iter().map(|m| m.value).sum();
    if total != schedule.total_value {
        out.push(format!(
            "total {} but meetings sum to {total}",
            schedule.total_value
        ));
    }
    if schedule.total_value > schedule.upper_bound {
        out.push(format!(
            "total {} above the upper bound {}",
            schedule.total_value, schedule.upper_bound
        ));
    }
    for (s, u) in schedule.utilisation.iter().enumerate() {
        let placed: u32 = used
            .iter()
            .filter(|((sp, _), _)| *sp == s)
            .map(|(_, n)| n)
            .sum();
        if u.used != placed {
            out.push(format!("spot {s} reported {} used, holds {placed}", u.used));
        }
    }
    out
}
