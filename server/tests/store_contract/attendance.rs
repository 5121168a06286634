//! Who is here: a member's own check-in and check-out, a staff scan at the
//! door, the end of the day, and the log the dashboard reads, on both
//! backends.

use crate::badges::{record, scan};
use crate::{user, world};
use app::{
    domain::{now_utc, AttendanceSource, Movement, ScanOutcome, UserId},
    ports::{AttendanceEntry, NewMovement, Store},
};
use chrono::{DateTime, Duration, SubsecRound, Utc};
use std::sync::Arc;

fn movement(
    event: &app::ports::Event,
    user: UserId,
    movement: Movement,
    at: DateTime<Utc>,
    today_from: DateTime<Utc>,
) -> NewMovement {
    NewMovement {
        event: event.id,
        user,
        movement,
        source: AttendanceSource::Myself,
        by: user,
        at,
        today_from,
    }
}

async fn a_member_checks_in_and_out_once_each(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    let now = now_utc().trunc_subsecs(6);
    let today = now - Duration::hours(2);
    let arrive = movement(&w.event, w.bob.id, Movement::In, now, today);
    assert!(s.record_movement(&arrive).await.unwrap(), "arrives");
    assert!(
        !s.record_movement(&NewMovement {
            at: now + Duration::minutes(5),
            ..arrive.clone()
        })
        .await
        .unwrap(),
        "arriving again the same day changes nothing"
    );
    assert_eq!(
        s.here_since(w.event.id, w.bob.id, today).await.unwrap(),
        Some(now),
        "here since the first arrival"
    );
    assert_eq!(
        s.checked_in_now(w.event.id, today).await.unwrap(),
        vec![w.bob.id]
    );
    // The first check-in ever is what badge pages and exports show.
    let m = s.membership(w.event.id, w.bob.id).await.unwrap().unwrap();
    assert_eq!(m.checked_in_at, Some(now));

    let leave = movement(
        &w.event,
        w.bob.id,
        Movement::Out,
        now + Duration::hours(1),
        today,
    );
    assert!(s.record_movement(&leave).await.unwrap(), "leaves");
    assert!(!s.record_movement(&leave).await.unwrap(), "leaving twice");
    assert_eq!(
        s.here_since(w.event.id, w.bob.id, today).await.unwrap(),
        None
    );
    assert!(s
        .checked_in_now(w.event.id, today)
        .await
        .unwrap()
        .is_empty());

    // Back again later: a new stay, and the first check-in is kept.
    let back = now + Duration::hours(2);
    assert!(s
        .record_movement(&movement(&w.event, w.bob.id, Movement::In, back, today))
        .await
        .unwrap());
    let m = s.membership(w.event.id, w.bob.id).await.unwrap().unwrap();
    assert_eq!(m.checked_in_at, Some(now));
    let log = s.attendance_log(w.event.id).await.unwrap();
    let moves: Vec<(Movement, DateTime<Utc>)> = log.iter().map(|e| (e.movement, e.at)).collect();
    assert_eq!(
        moves,
        vec![
            (Movement::In, now),
            (Movement::Out, now + Duration::hours(1)),
            (Movement::In, back)
        ],
        "only the changes are logged, oldest first"
    );
    assert!(log
        .iter()
        .all(|e| e.user == w.bob.id && e.source == AttendanceSource::Myself));
}

async fn a_check_in_ends_with_its_day(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    let yesterday = now_utc().trunc_subsecs(6) - Duration::days(1);
    let today = yesterday + Duration::hours(12);
    s.record_movement(&movement(
        &w.event,
        w.cy.id,
        Movement::In,
        yesterday,
        yesterday - Duration::hours(1),
    ))
    .await
    .unwrap();
    assert!(
        s.checked_in_now(w.event.id, today)
            .await
            .unwrap()
            .is_empty(),
        "yesterday's check-in does not count today"
    );
    assert_eq!(
        s.here_since(w.event.id, w.cy.id, today).await.unwrap(),
        None
    );
    let leave = movement(&w.event, w.cy.id, Movement::Out, today, today);
    assert!(
        !s.record_movement(&leave).await.unwrap(),
        "nobody to check out today"
    );
    let again = movement(&w.event, w.cy.id, Movement::In, today, today);
    assert!(
        s.record_movement(&again).await.unwrap(),
        "a new day, a new check-in"
    );
    assert_eq!(
        s.checked_in_now(w.event.id, today).await.unwrap(),
        vec![w.cy.id]
    );
}

async fn only_members_move_and_events_stay_apart(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    let stranger = user(s, "Stranger").await;
    let now = now_utc();
    let today = now - Duration::hours(1);
    assert!(
        !s.record_movement(&movement(&w.event, stranger.id, Movement::In, now, today))
            .await
            .unwrap(),
        "not a member: nothing recorded"
    );
    let other = crate::other_event(s, &w.ada).await;
    s.record_movement(&movement(&w.event, w.ada.id, Movement::In, now, today))
        .await
        .unwrap();
    assert!(s.checked_in_now(other.id, today).await.unwrap().is_empty());
    assert!(s.attendance_log(other.id).await.unwrap().is_empty());
    assert_eq!(s.attendance_log(w.event.id).await.unwrap().len(), 1);
}

async fn staff_scans_check_in_and_out(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    let outcome = |r: app::ports::ScanRecord| r.outcome;
    let (event, ada, bob) = (&w.event, &w.ada, &w.bob);
    assert_eq!(
        outcome(record(s, scan(event, ada, bob, ScanOutcome::CheckedIn)).await),
        ScanOutcome::CheckedIn
    );
    let again = record(s, scan(event, ada, bob, ScanOutcome::CheckedIn)).await;
    assert_eq!(again.outcome, ScanOutcome::AlreadyCheckedIn);
    assert!(again.checked_in_at.is_some(), "says since when");
    assert_eq!(
        outcome(record(s, scan(event, ada, bob, ScanOutcome::CheckedOut)).await),
        ScanOutcome::CheckedOut
    );
    assert_eq!(
        outcome(record(s, scan(event, ada, bob, ScanOutcome::CheckedOut)).await),
        ScanOutcome::NotCheckedIn
    );
    let log: Vec<AttendanceEntry> = s.attendance_log(event.id).await.unwrap();
    assert_eq!(
        log.iter()
            .map(|e| (e.user, e.movement, e.source))
            .collect::<Vec<_>>(),
        vec![
            (bob.id, Movement::In, AttendanceSource::Staff),
            (bob.id, Movement::Out, AttendanceSource::Staff)
        ]
    );
    let today = now_utc() - Duration::days(1);
    assert!(s.checked_in_now(event.id, today).await.unwrap().is_empty());
}

on_both_backends!(store:
    a_member_checks_in_and_out_once_each,
    a_check_in_ends_with_its_day,
    only_members_move_and_events_stay_apart,
    staff_scans_check_in_and_out,
);
