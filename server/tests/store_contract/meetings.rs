//! The `MeetingStore` contract (`app/src/ports/meetings.rs`): meeting
//! spots, meeting requests and their answers, clashes, and the calendar
//! feed's token.

use crate::matching::funnel;
use crate::{other_event, user, world};
use app::{
    domain::{now_utc, EventId, FunnelStage, MeetingStatus, UserId},
    ports::{Event, Meeting, MeetingChange, NewMeeting, Store, StoreError, User},
};
use chrono::{DateTime, Duration, TimeZone, Utc};
use std::sync::Arc;
use uuid::Uuid;

/// A far-future instant: 10 March 2031 at `h:m` UTC.
fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2031, 3, 10, h, m, 0).unwrap()
}

/// A meeting request from `from` to `to` in the lobby.
fn request(
    event: &Event,
    from: &User,
    to: &User,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
) -> NewMeeting {
    NewMeeting {
        id: Uuid::new_v4(),
        event: event.id,
        requester: from.id,
        invitee: to.id,
        starts_at,
        ends_at,
        spot: None,
        place: "Lobby".into(),
        message: "Coffee to talk about sqlx?".into(),
    }
}

async fn ask(store: &dyn Store, new: NewMeeting) -> Meeting {
    store.request_meeting(&new).await.unwrap()
}

/// A request, accepted.
async fn book(store: &dyn Store, new: NewMeeting) -> Meeting {
    let m = ask(store, new).await;
    store
        .change_meeting(m.id, &MeetingChange::Accept)
        .await
        .unwrap()
}

fn counter(by: &User, starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> MeetingChange {
    MeetingChange::Counter {
        by: by.id,
        starts_at,
        ends_at,
        spot: None,
        place: "Bar".into(),
    }
}

fn ids(meetings: &[Meeting]) -> Vec<Uuid> {
    meetings.iter().map(|m| m.id).collect()
}

#[track_caller]
fn assert_conflict<T: std::fmt::Debug>(res: Result<T, StoreError>, what: &str) {
    assert!(
        matches!(&res, Err(StoreError::Conflict(w)) if *w == what),
        "expected Conflict({what:?}), got {res:?}"
    );
}

async fn spots_are_replaced_keeping_those_that_stay(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    let elsewhere = other_event(s, &w.ada).await;
    let names = |v: &[&str]| v.iter().map(|n| n.to_string()).collect::<Vec<_>>();
    assert!(s.spots(w.event.id).await.unwrap().is_empty());
    s.set_spots(w.event.id, &names(&["Table 1", "Table 2", "Lounge"]))
        .await
        .unwrap();
    let first = s.spots(w.event.id).await.unwrap();
    assert_eq!(
        first.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
        ["Table 1", "Table 2", "Lounge"],
        "in the order given"
    );
    assert!(first[0].id != first[1].id && first[1].id != first[2].id);
    let m = ask(
        s,
        NewMeeting {
            spot: Some(first[1].id),
            place: "Table 2".into(),
            ..request(&w.event, &w.bob, &w.cy, at(10, 0), at(10, 30))
        },
    )
    .await;
    assert_eq!(m.spot, Some(first[1].id));

    s.set_spots(w.event.id, &names(&["Lounge", "Table 2", "Bar"]))
        .await
        .unwrap();
    let second = s.spots(w.event.id).await.unwrap();
    assert_eq!(
        second.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
        ["Lounge", "Table 2", "Bar"]
    );
    assert_eq!(second[0].id, first[2].id, "Lounge kept its id");
    assert_eq!(second[1].id, first[1].id, "Table 2 kept its id");
    assert!(first.iter().all(|p| p.id != second[2].id), "Bar is new");
    assert_eq!(
        s.meeting(m.id).await.unwrap().unwrap().spot,
        Some(first[1].id),
        "the meeting still points at Table 2"
    );

    s.set_spots(elsewhere.id, &names(&["Table 1"]))
        .await
        .unwrap();
    let there = s.spots(elsewhere.id).await.unwrap();
    assert_eq!(there.len(), 1);
    assert_eq!(there[0].name, "Table 1");
    assert!(first.iter().all(|p| p.id != there[0].id));
    assert_eq!(s.spots(w.event.id).await.unwrap(), second, "per event");

    s.set_spots(w.event.id, &names(&["Bar"])).await.unwrap();
    assert_eq!(s.spots(w.event.id).await.unwrap(), [second[2].clone()]);
    let after = s.meeting(m.id).await.unwrap().unwrap();
    assert_eq!(after.spot, None, "its spot is gone");
    assert_eq!(after.place, "Table 2", "the place text stays");

    s.set_spots(w.event.id, &[]).await.unwrap();
    assert!(s.spots(w.event.id).await.unwrap().is_empty());
    assert_eq!(s.spots(elsewhere.id).await.unwrap(), there);
}

async fn a_request_is_pending_for_the_invitee(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    let new = request(&w.event, &w.bob, &w.cy, at(10, 0), at(10, 30));
    let before = now_utc();
    let m = ask(s, new.clone()).await;
    assert_eq!(m.id, new.id);
    assert_eq!(m.event, w.event.id);
    assert_eq!((m.requester, m.invitee), (w.bob.id, w.cy.id));
    assert_eq!((m.starts_at, m.ends_at), (at(10, 0), at(10, 30)));
    assert_eq!(m.spot, None);
    assert_eq!(m.place, "Lobby");
    assert_eq!(m.message, "Coffee to talk about sqlx?");
    assert_eq!(m.status, MeetingStatus::Pending);
    assert_eq!(m.awaiting, Some(w.cy.id));
    assert!(!m.held);
    assert_eq!(m.revision, 0);
    assert!(m.created_at >= before && m.created_at <= Utc::now());
    assert_eq!(m.updated_at, m.created_at);
    assert_eq!(m.other(w.bob.id), w.cy.id);
    assert_eq!(s.meeting(m.id).await.unwrap(), Some(m.clone()));
    assert_eq!(s.meeting(Uuid::new_v4()).await.unwrap(), None);
    assert_eq!(s.meetings_of(w.cy.id, None).await.unwrap(), [m]);
}

async fn only_an_accepted_overlapping_meeting_refuses_a_request(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    let dan = user(s, "Dan").await;
    let booked = book(s, request(&w.event, &w.bob, &w.cy, at(10, 0), at(10, 30))).await;
    assert_eq!(booked.status, MeetingStatus::Accepted);
    // Overlapping a meeting of either person, in either role.
    for (from, to, start, end) in [
        (&w.ada, &w.bob, at(10, 15), at(10, 45)),
        (&w.bob, &w.ada, at(10, 0), at(10, 30)),
        (&w.cy, &w.ada, at(9, 45), at(10, 15)),
        (&w.ada, &w.cy, at(9, 0), at(11, 0)),
        (&w.ada, &w.bob, at(10, 10), at(10, 20)),
        (&w.bob, &w.cy, at(10, 29), at(10, 31)),
    ] {
        let new = request(&w.event, from, to, start, end);
        assert_conflict(s.request_meeting(&new).await, "meeting time");
        assert_eq!(s.meeting(new.id).await.unwrap(), None, "nothing stored");
    }
    assert!(s.meetings_of(w.ada.id, None).await.unwrap().is_empty());
    // Back to back is no clash: meetings are half-open intervals.
    ask(s, request(&w.event, &w.ada, &w.bob, at(10, 30), at(11, 0))).await;
    ask(s, request(&w.event, &w.cy, &w.ada, at(9, 30), at(10, 0))).await;
    // Others may meet then; pending meetings block nobody.
    let p = ask(s, request(&w.event, &w.ada, &dan, at(10, 0), at(10, 30))).await;
    let q = ask(s, request(&w.event, &dan, &w.ada, at(10, 0), at(10, 30))).await;
    assert_eq!(
        (p.status, q.status),
        (MeetingStatus::Pending, MeetingStatus::Pending)
    );
    // A cancelled meeting frees its time.
    s.change_meeting(booked.id, &MeetingChange::Cancel)
        .await
        .unwrap();
    ask(s, request(&w.event, &w.ada, &w.bob, at(10, 15), at(10, 45))).await;
}

async fn sub_second_times_round_trip_and_compare_half_open(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    // Microseconds from the clock, far in the future; the end has a
    // fractional second while a whole-second time meets it.
    let micros = i64::from(now_utc().timestamp_subsec_micros()) + 1;
    let start = at(10, 0) - Duration::microseconds(micros);
    let end = at(10, 30) + Duration::milliseconds(500);
    let m = book(s, request(&w.event, &w.bob, &w.cy, start, end)).await;
    assert_eq!((m.starts_at, m.ends_at), (start, end));
    let listed = s.meetings_of(w.bob.id, None).await.unwrap();
    assert_eq!((listed[0].starts_at, listed[0].ends_at), (start, end));
    let us = Duration::microseconds(1);
    for clash in [at(10, 30), end - us] {
        let new = request(&w.event, &w.ada, &w.bob, clash, at(11, 0));
        assert_conflict(s.request_meeting(&new).await, "meeting time");
        assert_eq!(
            s.clashing_meeting([w.ada.id, w.bob.id], clash, at(11, 0), None)
                .await
                .unwrap(),
            Some(m.clone()),
            "{clash}"
        );
    }
    assert_conflict(
        s.request_meeting(&request(
            &w.event,
            &w.cy,
            &w.ada,
            start - Duration::hours(1),
            start + us,
        ))
        .await,
        "meeting time",
    );
    ask(s, request(&w.event, &w.ada, &w.bob, end, at(11, 0))).await;
    ask(
        s,
        request(&w.event, &w.cy, &w.ada, start - Duration::hours(1), start),
    )
    .await;
    assert_eq!(
        s.clashing_meeting([w.ada.id, w.bob.id], end, end + us, None)
            .await
            .unwrap(),
        None
    );
}

async fn accept_decline_cancel_and_held_follow_the_state(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    let m = ask(s, request(&w.event, &w.bob, &w.cy, at(10, 0), at(10, 30))).await;
    let a = s
        .change_meeting(m.id, &MeetingChange::Accept)
        .await
        .unwrap();
    assert_eq!(a.status, MeetingStatus::Accepted);
    assert_eq!(a.awaiting, None);
    assert_eq!(a.revision, m.revision + 1);
    assert_eq!(
        (a.starts_at, a.ends_at, &a.place),
        (m.starts_at, m.ends_at, &m.place)
    );
    assert!(!a.held);
    assert!(a.updated_at >= m.updated_at);
    assert_eq!(a.created_at, m.created_at);
    assert_eq!(s.meeting(m.id).await.unwrap(), Some(a.clone()));
    for change in [
        MeetingChange::Accept,
        MeetingChange::Decline,
        counter(&w.cy, at(11, 0), at(11, 30)),
    ] {
        assert_conflict(s.change_meeting(m.id, &change).await, "meeting state");
    }
    assert_eq!(s.meeting(m.id).await.unwrap(), Some(a.clone()), "unchanged");

    let held = s.change_meeting(m.id, &MeetingChange::Held).await.unwrap();
    assert!(held.held);
    assert_eq!(held.status, MeetingStatus::Accepted);
    assert_eq!(s.meeting(m.id).await.unwrap(), Some(held.clone()));
    let cancelled = s
        .change_meeting(m.id, &MeetingChange::Cancel)
        .await
        .unwrap();
    assert_eq!(cancelled.status, MeetingStatus::Cancelled);
    assert_eq!(cancelled.awaiting, None);
    assert!(
        cancelled.revision > held.revision,
        "calendars see the cancel"
    );
    for change in [
        MeetingChange::Accept,
        MeetingChange::Decline,
        MeetingChange::Cancel,
        MeetingChange::Held,
        counter(&w.cy, at(11, 0), at(11, 30)),
    ] {
        assert_conflict(s.change_meeting(m.id, &change).await, "meeting state");
    }
    assert_eq!(s.meeting(m.id).await.unwrap(), Some(cancelled));

    // Cancelled while pending; held needs an accepted meeting.
    let p = ask(s, request(&w.event, &w.cy, &w.ada, at(12, 0), at(12, 30))).await;
    assert_conflict(
        s.change_meeting(p.id, &MeetingChange::Held).await,
        "meeting state",
    );
    assert_eq!(s.meeting(p.id).await.unwrap(), Some(p.clone()));
    let c = s
        .change_meeting(p.id, &MeetingChange::Cancel)
        .await
        .unwrap();
    assert_eq!((c.status, c.awaiting), (MeetingStatus::Cancelled, None));
    assert_eq!(c.revision, p.revision + 1);
    assert!(!c.held);

    // Declined: final.
    let d = ask(s, request(&w.event, &w.ada, &w.bob, at(13, 0), at(13, 30))).await;
    let declined = s
        .change_meeting(d.id, &MeetingChange::Decline)
        .await
        .unwrap();
    assert_eq!(
        (declined.status, declined.awaiting),
        (MeetingStatus::Declined, None)
    );
    assert_eq!(declined.revision, d.revision + 1);
    for change in [
        MeetingChange::Accept,
        MeetingChange::Decline,
        MeetingChange::Cancel,
        MeetingChange::Held,
        counter(&w.bob, at(14, 0), at(14, 30)),
    ] {
        assert_conflict(s.change_meeting(d.id, &change).await, "meeting state");
    }
    assert_eq!(s.meeting(d.id).await.unwrap(), Some(declined));

    for change in [
        MeetingChange::Accept,
        MeetingChange::Decline,
        MeetingChange::Cancel,
        MeetingChange::Held,
        counter(&w.bob, at(14, 0), at(14, 30)),
    ] {
        let res = s.change_meeting(Uuid::new_v4(), &change).await;
        assert!(matches!(res, Err(StoreError::NotFound)), "{res:?}");
    }
}

async fn a_counter_proposal_moves_the_meeting_and_passes_the_turn(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    s.set_spots(w.event.id, &["Table 1".to_owned()])
        .await
        .unwrap();
    let table = s.spots(w.event.id).await.unwrap().remove(0);
    let m = ask(s, request(&w.event, &w.bob, &w.cy, at(10, 0), at(10, 30))).await;
    let c = s
        .change_meeting(
            m.id,
            &MeetingChange::Counter {
                by: w.cy.id,
                starts_at: at(14, 0),
                ends_at: at(14, 45),
                spot: Some(table.id),
                place: "Table 1".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(c.status, MeetingStatus::Pending);
    assert_eq!((c.starts_at, c.ends_at), (at(14, 0), at(14, 45)));
    assert_eq!((c.spot, c.place.as_str()), (Some(table.id), "Table 1"));
    assert_eq!(c.awaiting, Some(w.bob.id), "the requester answers next");
    assert_eq!(c.revision, m.revision + 1);
    assert_eq!(c.message, m.message);
    assert_eq!((c.requester, c.invitee), (w.bob.id, w.cy.id));
    assert_eq!(s.meeting(m.id).await.unwrap(), Some(c.clone()));

    let back = s
        .change_meeting(m.id, &counter(&w.bob, at(15, 0), at(15, 30)))
        .await
        .unwrap();
    assert_eq!(back.awaiting, Some(w.cy.id));
    assert_eq!((back.starts_at, back.ends_at), (at(15, 0), at(15, 30)));
    assert_eq!((back.spot, back.place.as_str()), (None, "Bar"));
    assert_eq!(back.revision, c.revision + 1);

    let a = s
        .change_meeting(m.id, &MeetingChange::Accept)
        .await
        .unwrap();
    assert_eq!(a.status, MeetingStatus::Accepted);
    assert_eq!(a.awaiting, None);
    assert_eq!(
        (a.starts_at, a.ends_at, a.place.as_str()),
        (at(15, 0), at(15, 30), "Bar")
    );
    assert_eq!(a.revision, back.revision + 1);
    // The accepted meeting blocks its new time, not the old one.
    assert_conflict(
        s.request_meeting(&request(&w.event, &w.ada, &w.cy, at(15, 15), at(15, 45)))
            .await,
        "meeting time",
    );
    ask(s, request(&w.event, &w.ada, &w.cy, at(10, 0), at(10, 30))).await;
}

async fn accept_and_counter_refuse_a_clash(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    // Both pending and overlapping (Bob is in both): allowed while pending.
    let first = ask(s, request(&w.event, &w.bob, &w.cy, at(10, 0), at(10, 30))).await;
    let second = ask(s, request(&w.event, &w.ada, &w.bob, at(10, 15), at(10, 45))).await;
    s.change_meeting(first.id, &MeetingChange::Accept)
        .await
        .unwrap();
    assert_conflict(
        s.change_meeting(second.id, &MeetingChange::Accept).await,
        "meeting time",
    );
    assert_eq!(
        s.meeting(second.id).await.unwrap(),
        Some(second.clone()),
        "unchanged"
    );

    // A counter onto the accepted time is refused; back to back is fine.
    let third = ask(s, request(&w.event, &w.ada, &w.cy, at(12, 0), at(12, 30))).await;
    assert_conflict(
        s.change_meeting(third.id, &counter(&w.cy, at(10, 20), at(10, 50)))
            .await,
        "meeting time",
    );
    assert_eq!(
        s.meeting(third.id).await.unwrap(),
        Some(third.clone()),
        "unchanged"
    );
    let moved = s
        .change_meeting(third.id, &counter(&w.cy, at(10, 30), at(11, 0)))
        .await
        .unwrap();
    assert_eq!(moved.starts_at, at(10, 30));
    s.change_meeting(third.id, &MeetingChange::Accept)
        .await
        .unwrap();

    // With the first cancelled, the second still clashes with Ada's
    // meeting at 10:30; with that cancelled too it can be accepted.
    s.change_meeting(first.id, &MeetingChange::Cancel)
        .await
        .unwrap();
    assert_conflict(
        s.change_meeting(second.id, &MeetingChange::Accept).await,
        "meeting time",
    );
    s.change_meeting(third.id, &MeetingChange::Cancel)
        .await
        .unwrap();
    let ok = s
        .change_meeting(second.id, &MeetingChange::Accept)
        .await
        .unwrap();
    assert_eq!(ok.status, MeetingStatus::Accepted);
    assert_eq!(ok.revision, second.revision + 1);
}

async fn clashing_meeting_finds_an_accepted_overlap_of_either_person(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    let dan = user(s, "Dan").await;
    let clash =
        |a: &User, b: &User, start: DateTime<Utc>, end: DateTime<Utc>, except: Option<Uuid>| {
            let people = [a.id, b.id];
            async move {
                s.clashing_meeting(people, start, end, except)
                    .await
                    .unwrap()
            }
        };
    assert_eq!(clash(&w.bob, &w.cy, at(0, 0), at(23, 0), None).await, None);
    let m = book(s, request(&w.event, &w.bob, &w.cy, at(10, 0), at(10, 30))).await;
    ask(s, request(&w.event, &w.ada, &dan, at(11, 0), at(11, 30))).await;
    assert_eq!(
        clash(&w.ada, &w.bob, at(10, 15), at(10, 45), None).await,
        Some(m.clone())
    );
    assert_eq!(
        clash(&w.cy, &w.ada, at(9, 0), at(12, 0), None).await,
        Some(m.clone())
    );
    assert_eq!(
        clash(&w.ada, &w.cy, at(10, 5), at(10, 10), None).await,
        Some(m.clone())
    );
    assert_eq!(
        clash(&w.bob, &w.cy, at(10, 0), at(10, 30), Some(Uuid::new_v4())).await,
        Some(m.clone())
    );
    assert_eq!(
        clash(&w.bob, &w.cy, at(10, 0), at(10, 30), Some(m.id)).await,
        None,
        "except the meeting being changed"
    );
    assert_eq!(clash(&w.ada, &dan, at(10, 0), at(10, 30), None).await, None);
    assert_eq!(
        clash(&w.ada, &w.bob, at(10, 30), at(11, 0), None).await,
        None
    );
    assert_eq!(
        clash(&w.ada, &w.bob, at(9, 30), at(10, 0), None).await,
        None
    );
    assert_eq!(
        clash(&w.ada, &dan, at(11, 0), at(11, 30), None).await,
        None,
        "a pending meeting is no clash"
    );
    s.change_meeting(m.id, &MeetingChange::Cancel)
        .await
        .unwrap();
    assert_eq!(
        clash(&w.bob, &w.cy, at(10, 0), at(10, 30), None).await,
        None
    );
}

async fn meetings_of_lists_both_roles_soonest_first(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    let dan = user(s, "Dan").await;
    let elsewhere = other_event(s, &w.ada).await;
    let as_requester = ask(s, request(&w.event, &w.bob, &w.cy, at(15, 0), at(15, 30))).await;
    let as_invitee = ask(s, request(&w.event, &w.ada, &w.bob, at(9, 0), at(9, 30))).await;
    let there = ask(s, request(&elsewhere, &w.cy, &w.bob, at(12, 0), at(12, 30))).await;
    let not_bobs = ask(s, request(&w.event, &w.ada, &w.cy, at(8, 0), at(8, 30))).await;
    let declined = s
        .change_meeting(as_invitee.id, &MeetingChange::Decline)
        .await
        .unwrap();
    assert_eq!(
        ids(&s.meetings_of(w.bob.id, None).await.unwrap()),
        [as_invitee.id, there.id, as_requester.id],
        "every state, soonest first"
    );
    assert_eq!(
        s.meetings_of(w.bob.id, Some(w.event.id)).await.unwrap(),
        [declined, as_requester.clone()]
    );
    assert_eq!(
        s.meetings_of(w.bob.id, Some(elsewhere.id)).await.unwrap(),
        std::slice::from_ref(&there)
    );
    assert_eq!(
        ids(&s.meetings_of(w.cy.id, None).await.unwrap()),
        [not_bobs.id, there.id, as_requester.id]
    );
    assert_eq!(
        ids(&s.meetings_of(w.ada.id, Some(w.event.id)).await.unwrap()),
        [not_bobs.id, as_invitee.id]
    );
    assert!(s.meetings_of(dan.id, None).await.unwrap().is_empty());
    assert!(s
        .meetings_of(w.cy.id, Some(EventId(Uuid::new_v4())))
        .await
        .unwrap()
        .is_empty());
}

async fn the_calendar_token_is_stored_once(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    assert_eq!(s.user_by_calendar_token("cal-ada-1").await.unwrap(), None);
    assert_eq!(
        s.calendar_token(w.ada.id, "cal-ada-1").await.unwrap(),
        "cal-ada-1"
    );
    assert_eq!(
        s.calendar_token(w.ada.id, "cal-ada-2").await.unwrap(),
        "cal-ada-1",
        "the first token stays"
    );
    assert_eq!(
        s.user_by_calendar_token("cal-ada-1").await.unwrap(),
        Some(w.ada.id)
    );
    assert_eq!(s.user_by_calendar_token("cal-ada-2").await.unwrap(), None);
    assert_eq!(
        s.calendar_token(w.bob.id, "cal-bob-1").await.unwrap(),
        "cal-bob-1"
    );
    assert_eq!(
        s.user_by_calendar_token("cal-bob-1").await.unwrap(),
        Some(w.bob.id)
    );
    assert_eq!(s.user_by_calendar_token("").await.unwrap(), None);
    assert_eq!(s.user_by_calendar_token("CAL-ADA-1").await.unwrap(), None);
    // A token is never handed to two people.
    assert_conflict(
        s.calendar_token(w.cy.id, "cal-ada-1").await,
        "calendar token",
    );
    assert_eq!(
        s.user_by_calendar_token("cal-ada-1").await.unwrap(),
        Some(w.ada.id)
    );
    assert_eq!(
        s.calendar_token(w.cy.id, "cal-cy-1").await.unwrap(),
        "cal-cy-1"
    );
    assert_eq!(
        s.calendar_token(w.ada.id, "cal-bob-1").await.unwrap(),
        "cal-ada-1",
        "a later fresh value is ignored even when it is taken"
    );
}

async fn deleting_a_user_removes_their_meetings_feed_and_answers(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    let ev = w.event.id;
    let with_cy = book(s, request(&w.event, &w.bob, &w.cy, at(10, 0), at(10, 30))).await;
    let awaiting_bob = ask(s, request(&w.event, &w.ada, &w.bob, at(11, 0), at(11, 30))).await;
    let unrelated = ask(s, request(&w.event, &w.ada, &w.cy, at(12, 0), at(12, 30))).await;
    s.calendar_token(w.bob.id, "cal-bob").await.unwrap();
    s.calendar_token(w.cy.id, "cal-cy").await.unwrap();
    s.mark_interested(ev, w.bob.id, w.cy.id).await.unwrap();
    s.mark_interested(ev, w.cy.id, w.bob.id).await.unwrap();
    s.dismiss(ev, w.cy.id, w.bob.id).await.unwrap();
    s.dismiss(ev, w.cy.id, w.ada.id).await.unwrap();
    s.record_funnel(ev, w.ada.id, &[w.bob.id, w.cy.id], FunnelStage::Recommended)
        .await
        .unwrap();

    s.delete_user(w.bob.id).await.unwrap();
    assert_eq!(s.meeting(with_cy.id).await.unwrap(), None);
    assert_eq!(s.meeting(awaiting_bob.id).await.unwrap(), None);
    assert_eq!(
        s.meeting(unrelated.id).await.unwrap(),
        Some(unrelated.clone())
    );
    assert_eq!(
        ids(&s.meetings_of(w.cy.id, None).await.unwrap()),
        [unrelated.id]
    );
    assert_eq!(
        ids(&s.meetings_of(w.ada.id, None).await.unwrap()),
        [unrelated.id]
    );
    assert!(s.meetings_of(w.bob.id, None).await.unwrap().is_empty());
    assert_eq!(s.user_by_calendar_token("cal-bob").await.unwrap(), None);
    assert_eq!(
        s.user_by_calendar_token("cal-cy").await.unwrap(),
        Some(w.cy.id)
    );
    assert!(s.interested_in(ev, w.cy.id).await.unwrap().is_empty());
    assert_eq!(s.dismissed(ev, w.cy.id).await.unwrap(), [w.ada.id]);
    assert_eq!(funnel(s, ev).await, [(FunnelStage::Recommended, 1)]);
    assert!(s
        .match_members(ev)
        .await
        .unwrap()
        .iter()
        .all(|m| m.user != w.bob.id));
    assert_eq!(s.match_member(ev, w.bob.id).await.unwrap(), None);
    // Bob's time is free again for Cy.
    ask(s, request(&w.event, &w.ada, &w.cy, at(10, 0), at(10, 30))).await;
}

async fn requests_for_unknown_people_or_events_are_not_found(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    let ghost = User {
        id: UserId(Uuid::new_v4()),
        ..w.cy.clone()
    };
    let res = s
        .request_meeting(&request(&w.event, &w.bob, &ghost, at(10, 0), at(10, 30)))
        .await;
    assert!(matches!(res, Err(StoreError::NotFound)), "{res:?}");
    let res = s
        .request_meeting(&NewMeeting {
            event: EventId(Uuid::new_v4()),
            ..request(&w.event, &w.bob, &w.cy, at(10, 0), at(10, 30))
        })
        .await;
    assert!(matches!(res, Err(StoreError::NotFound)), "{res:?}");
    assert!(s.meetings_of(w.bob.id, None).await.unwrap().is_empty());
}

on_both_backends!(store:
    spots_are_replaced_keeping_those_that_stay,
    a_request_is_pending_for_the_invitee,
    only_an_accepted_overlapping_meeting_refuses_a_request,
    sub_second_times_round_trip_and_compare_half_open,
    accept_decline_cancel_and_held_follow_the_state,
    a_counter_proposal_moves_the_meeting_and_passes_the_turn,
    accept_and_counter_refuse_a_clash,
    clashing_meeting_finds_an_accepted_overlap_of_either_person,
    meetings_of_lists_both_roles_soonest_first,
    the_calendar_token_is_stored_once,
    deleting_a_user_removes_their_meetings_feed_and_answers,
    requests_for_unknown_people_or_events_are_not_found,
);
