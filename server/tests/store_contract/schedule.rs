//! The meeting scheduler's storage on both backends: sessions kept by
//! slot time, wishes and availability, the draft replaced, edited and
//! published at once, and events kept apart.

use crate::{other_event, user, world};
use app::{
    domain::{MeetingStatus, Role, UserId, WishPriority},
    ports::{NewMeeting, NewScheduled, Publication, ScheduleSettings, Store, StoreError},
};
use chrono::{DateTime, Duration, Utc};
use std::sync::Arc;
use uuid::Uuid;

/// 14 May 2026 at `h:m` UTC.
fn at(h: u32, m: u32) -> DateTime<Utc> {
    format!("2026-05-14T{h:02}:{m:02}:00Z").parse().unwrap()
}

/// Three 20-minute slots from 09:00 UTC.
fn three_slots() -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    (0..3)
        .map(|i| {
            let s = at(9, 0) + Duration::minutes(20 * i);
            (s, s + Duration::minutes(20))
        })
        .collect()
}

/// Sets the event up with two spots and three slots; returns (slot ids,
/// spot ids).
async fn set_up(s: &dyn Store, event: app::domain::EventId) -> (Vec<Uuid>, Vec<Uuid>) {
    s.set_spots(event, &["Table 1".to_owned(), "Table 2".to_owned()])
        .await
        .unwrap();
    let spots: Vec<Uuid> = s.spots(event).await.unwrap().iter().map(|p| p.id).collect();
    s.save_schedule_setup(event, 4, 2, &three_slots(), &[(spots[0], 2), (spots[1], 0)])
        .await
        .unwrap();
    let setup = s.schedule_setup(event).await.unwrap();
    (setup.slots.iter().map(|t| t.id).collect(), spots)
}

fn draft(a: UserId, b: UserId, slot: Uuid, spot: Uuid) -> NewScheduled {
    NewScheduled {
        id: Uuid::new_v4(),
        a,
        b,
        slot,
        spot,
        value: 1500,
    }
}

async fn sessions_are_kept_by_slot_time(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    let empty = s.schedule_setup(w.event.id).await.unwrap();
    assert_eq!(empty.settings, ScheduleSettings::default());
    assert!(empty.slots.is_empty());

    let (slots, spots) = set_up(s, w.event.id).await;
    let setup = s.schedule_setup(w.event.id).await.unwrap();
    assert_eq!(
        (setup.settings.max_meetings, setup.settings.max_in_a_row),
        (4, 2)
    );
    assert_eq!(setup.slots.len(), 3);
    assert_eq!(setup.slots[0].starts_at, at(9, 0), "in time order");
    let caps: Vec<u32> = setup.spots.iter().map(|p| p.capacity).collect();
    assert_eq!(caps, [2, 0]);
    assert_eq!(setup.spots[0].id, spots[0]);

    // Bob cannot meet in the last slot; the plan then drops it and adds
    // one: the first two keep their ids, his answer about the last goes.
    s.set_availability(w.event.id, w.bob.id, true, &[slots[2]])
        .await
        .unwrap();
    let mut plan = three_slots();
    plan[2] = (at(10, 0), at(10, 20));
    s.save_schedule_setup(w.event.id, 4, 2, &plan, &[])
        .await
        .unwrap();
    let again = s.schedule_setup(w.event.id).await.unwrap();
    assert_eq!(again.slots[..2], setup.slots[..2]);
    assert_ne!(again.slots[2].id, slots[2]);
    let bob = s.availability(w.event.id, Some(w.bob.id)).await.unwrap();
    assert_eq!(bob.len(), 1);
    assert!(bob[0].unavailable.is_empty() && bob[0].accepts_requests);
    assert_eq!(
        again.spots.iter().map(|p| p.capacity).collect::<Vec<_>>(),
        [2, 0],
        "capacities not given stay"
    );
}

async fn wishes_and_availability_round_trip(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    let (slots, _) = set_up(s, w.event.id).await;
    let e = w.event.id;
    s.set_wish(e, w.bob.id, w.cy.id, Some(WishPriority::Must))
        .await
        .unwrap();
    s.set_wish(e, w.bob.id, w.ada.id, Some(WishPriority::IfPossible))
        .await
        .unwrap();
    s.set_wish(e, w.cy.id, w.bob.id, Some(WishPriority::WouldLike))
        .await
        .unwrap();
    s.set_wish(e, w.bob.id, w.cy.id, Some(WishPriority::WouldLike))
        .await
        .unwrap();
    let bobs = s.wishes(e, Some(w.bob.id)).await.unwrap();
    assert_eq!(bobs.len(), 2);
    assert!(
        bobs.iter()
            .any(|x| x.to == w.cy.id && x.priority == WishPriority::WouldLike),
        "updated"
    );
    assert_eq!(s.wishes(e, None).await.unwrap().len(), 3);
    s.set_wish(e, w.bob.id, w.ada.id, None).await.unwrap();
    assert_eq!(s.wishes(e, Some(w.bob.id)).await.unwrap().len(), 1);

    // Availability: only this event's slots are stored.
    let other = other_event(s, &w.ada).await;
    s.save_schedule_setup(other.id, 4, 2, &three_slots(), &[])
        .await
        .unwrap();
    let foreign = s.schedule_setup(other.id).await.unwrap().slots[0].id;
    s.set_availability(e, w.cy.id, false, &[slots[1], foreign])
        .await
        .unwrap();
    let cy = s.availability(e, Some(w.cy.id)).await.unwrap();
    assert_eq!(cy[0].unavailable, [slots[1]]);
    assert!(!cy[0].accepts_requests);
    s.set_availability(e, w.cy.id, true, &[]).await.unwrap();
    let all = s.availability(e, None).await.unwrap();
    assert_eq!(all.len(), 1);
    assert!(all[0].unavailable.is_empty() && all[0].accepts_requests);
    assert!(s.wishes(other.id, None).await.unwrap().is_empty());
}

async fn drafts_are_replaced_edited_and_published_at_once(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    let e = w.event.id;
    let (slots, spots) = set_up(s, e).await;
    let first = draft(w.bob.id, w.cy.id, slots[0], spots[0]);
    let second = draft(w.ada.id, w.bob.id, slots[1], spots[0]);
    s.save_draft(e, &[first.clone(), second.clone()], 4000)
        .await
        .unwrap();
    let rows = s.scheduled(e).await.unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (rows[0].id, rows[0].published, rows[0].meeting),
        (first.id, false, None)
    );
    let setup = s.schedule_setup(e).await.unwrap();
    assert_eq!(setup.settings.upper_bound, 4000);
    assert!(setup.settings.ran_at.is_some());

    // Move one, remove the other, add one.
    s.put_draft_meeting(
        e,
        &NewScheduled {
            slot: slots[2],
            ..first.clone()
        },
    )
    .await
    .unwrap();
    s.remove_draft_meeting(e, second.id).await.unwrap();
    assert!(matches!(
        s.remove_draft_meeting(e, second.id).await,
        Err(StoreError::NotFound)
    ));
    let third = draft(w.ada.id, w.cy.id, slots[0], spots[0]);
    s.put_draft_meeting(e, &third).await.unwrap();
    let rows = s.scheduled(e).await.unwrap();
    assert_eq!(
        rows.iter().map(|r| r.id).collect::<Vec<_>>(),
        [third.id, first.id],
        "by slot time"
    );
    assert_eq!(rows[1].slot, slots[2]);

    // Publishing a draft that is gone publishes nothing.
    let publication = |id: Uuid, slot: usize| Publication {
        scheduled: id,
        meeting: Uuid::new_v4(),
        starts_at: setup.slots[slot].starts_at,
        ends_at: setup.slots[slot].ends_at,
        place: "Table 1".into(),
        message: "Scheduled".into(),
    };
    let bad = [publication(third.id, 0), publication(second.id, 1)];
    assert!(matches!(
        s.publish_schedule(e, &bad).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(s.scheduled(e).await.unwrap().iter().all(|r| !r.published));
    assert!(s.meetings_of(w.ada.id, Some(e)).await.unwrap().is_empty());

    let good = [publication(third.id, 0), publication(first.id, 2)];
    s.publish_schedule(e, &good).await.unwrap();
    let rows = s.scheduled(e).await.unwrap();
    assert!(rows
        .iter()
        .all(|r| r.published && r.meeting_status == Some(MeetingStatus::Accepted)));
    let ada = s.meetings_of(w.ada.id, Some(e)).await.unwrap();
    assert_eq!(ada.len(), 1);
    assert_eq!(
        (ada[0].status, ada[0].place.as_str()),
        (MeetingStatus::Accepted, "Table 1")
    );
    assert_eq!(ada[0].spot, Some(spots[0]));
    assert!(s
        .schedule_setup(e)
        .await
        .unwrap()
        .settings
        .published_at
        .is_some());

    // Published meetings stay: no move, and a new run's draft keeps them.
    assert!(matches!(
        s.put_draft_meeting(
            e,
            &NewScheduled {
                slot: slots[1],
                ..third.clone()
            }
        )
        .await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        s.remove_draft_meeting(e, third.id).await,
        Err(StoreError::NotFound)
    ));
    s.save_draft(e, &[], 3000).await.unwrap();
    assert_eq!(s.scheduled(e).await.unwrap().len(), 2);

    // A declined (cancelled) published meeting reads as such.
    s.change_meeting(ada[0].id, &app::ports::MeetingChange::Cancel)
        .await
        .unwrap();
    let rows = s.scheduled(e).await.unwrap();
    let cancelled = rows.iter().find(|r| r.id == third.id).unwrap();
    assert_eq!(cancelled.meeting_status, Some(MeetingStatus::Cancelled));
    // Changing the setup drops drafts only.
    s.put_draft_meeting(e, &draft(w.bob.id, w.ada.id, slots[1], spots[0]))
        .await
        .unwrap();
    s.save_schedule_setup(e, 4, 2, &three_slots(), &[])
        .await
        .unwrap();
    assert_eq!(s.scheduled(e).await.unwrap().len(), 2);
}

async fn events_stay_apart(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    let e = w.event.id;
    let (slots, spots) = set_up(s, e).await;
    let other = other_event(s, &w.ada).await;
    let (their_slots, their_spots) = set_up(s, other.id).await;

    // Another event's slot or spot is refused, and so is their draft.
    for (slot, spot) in [(their_slots[0], spots[0]), (slots[0], their_spots[0])] {
        assert!(matches!(
            s.save_draft(e, &[draft(w.bob.id, w.cy.id, slot, spot)], 0)
                .await,
            Err(StoreError::NotFound)
        ));
    }
    let mine = draft(w.bob.id, w.cy.id, slots[0], spots[0]);
    s.put_draft_meeting(e, &mine).await.unwrap();
    assert!(
        matches!(
            s.put_draft_meeting(
                e,
                &NewScheduled {
                    slot: their_slots[1],
                    ..mine.clone()
                }
            )
            .await,
            Err(StoreError::NotFound)
        ),
        "not moved into another event's slot"
    );
    assert_eq!(s.scheduled(e).await.unwrap()[0].slot, slots[0]);
    s.remove_draft_meeting(e, mine.id).await.unwrap();
    let theirs = draft(w.bob.id, w.cy.id, their_slots[0], their_spots[0]);
    s.put_draft_meeting(other.id, &theirs).await.unwrap();
    assert!(matches!(
        s.remove_draft_meeting(e, theirs.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(s.scheduled(e).await.unwrap().is_empty());
    // Their setup changes nothing here.
    s.save_schedule_setup(other.id, 1, 1, &[], &[(spots[0], 9)])
        .await
        .unwrap();
    assert_eq!(s.schedule_setup(e).await.unwrap().spots[0].capacity, 2);

    // Blocks between this event's members only.
    let stranger = user(s, "Stranger").await;
    s.block(w.bob.id, w.cy.id).await.unwrap();
    s.block(w.bob.id, stranger.id).await.unwrap();
    assert_eq!(s.blocked_pairs(e).await.unwrap(), [(w.bob.id, w.cy.id)]);

    // Accepted meetings outside the schedule, this event's only.
    s.add_member(other.id, w.bob.id, Role::Attendee)
        .await
        .unwrap();
    for event in [e, other.id] {
        let m = s
            .request_meeting(&NewMeeting {
                id: Uuid::new_v4(),
                event,
                requester: w.ada.id,
                invitee: w.bob.id,
                starts_at: at(12, 0) + Duration::hours(if event == e { 0 } else { 2 }),
                ends_at: at(12, 30) + Duration::hours(if event == e { 0 } else { 2 }),
                spot: None,
                place: "Bar".into(),
                message: String::new(),
            })
            .await
            .unwrap();
        s.change_meeting(m.id, &app::ports::MeetingChange::Accept)
            .await
            .unwrap();
    }
    let busy = s.other_accepted_meetings(e).await.unwrap();
    assert_eq!(busy.len(), 1);
    assert_eq!(
        (busy[0].0, busy[0].1, busy[0].2),
        (w.ada.id, w.bob.id, at(12, 0))
    );
}

on_both_backends!(store:
    sessions_are_kept_by_slot_time,
    wishes_and_availability_round_trip,
    drafts_are_replaced_edited_and_published_at_once,
    events_stay_apart,
);
