//! The `FollowUpStore` contract (`app/src/ports/follow_up.rs`): who I met
//! elsewhere who is at an event too, the scans and meetings between
//! connections, reminders on notes (only on a connection, claimed once
//! when due, mine alone to tick off), and the digest opt-in.

use crate::badges::{record, scan};
use crate::{other_event, user, world};
use app::{
    domain::{ReminderText, Role, ScanOutcome},
    ports::{InteractionKind, NewMeeting, Store, StoreError},
};
use chrono::{Duration, TimeZone, Utc};
use std::sync::Arc;
use uuid::Uuid;

fn text(raw: &str) -> ReminderText {
    ReminderText::parse("text", raw).unwrap()
}

async fn connections_met_elsewhere_are_met_again_at_a_later_event(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    // Ada and Bob connect at Conf; Ada and Cy too, but Cy stays home.
    record(s, scan(&w.event, &w.ada, &w.bob, ScanOutcome::Connected)).await;
    record(s, scan(&w.event, &w.ada, &w.cy, ScanOutcome::Connected)).await;
    let later = other_event(s, &w.ada).await;
    s.add_member(later.id, w.bob.id, Role::Attendee)
        .await
        .unwrap();
    let dee = user(s, "Dee").await;
    s.add_member(later.id, dee.id, Role::Attendee)
        .await
        .unwrap();

    let again = s.met_before_here(later.id, w.ada.id).await.unwrap();
    assert_eq!(again.len(), 1, "{again:?}");
    assert_eq!(again[0].other, w.bob.id);
    assert_eq!(again[0].other_name, "Bob");
    assert_eq!(again[0].met_at_event.as_deref(), Some("Conf"));
    let back = s.met_before_here(later.id, w.bob.id).await.unwrap();
    assert_eq!(back.iter().map(|m| m.other).collect::<Vec<_>>(), [w.ada.id]);
    // Not at the event where we met, nor with strangers.
    assert!(s
        .met_before_here(w.event.id, w.ada.id)
        .await
        .unwrap()
        .is_empty());
    assert!(s
        .met_before_here(later.id, dee.id)
        .await
        .unwrap()
        .is_empty());

    // Bob opting out of networking there hides him.
    s.set_membership_prefs(later.id, w.bob.id, "", true)
        .await
        .unwrap();
    assert!(s
        .met_before_here(later.id, w.ada.id)
        .await
        .unwrap()
        .is_empty());
    s.set_membership_prefs(later.id, w.bob.id, "", false)
        .await
        .unwrap();
    // A block either way ends it.
    s.block(w.bob.id, w.ada.id).await.unwrap();
    assert!(s
        .met_before_here(later.id, w.ada.id)
        .await
        .unwrap()
        .is_empty());
    assert!(s
        .met_before_here(later.id, w.bob.id)
        .await
        .unwrap()
        .is_empty());
}

async fn interactions_are_scans_and_meetings_with_connections_newest_first(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    let mut first = scan(&w.event, &w.bob, &w.ada, ScanOutcome::Connected);
    first.scanned_at = Utc.with_ymd_and_hms(2026, 5, 14, 9, 0, 0).unwrap();
    record(s, first).await;
    let start = Utc.with_ymd_and_hms(2026, 5, 14, 11, 0, 0).unwrap();
    s.request_meeting(&NewMeeting {
        id: Uuid::new_v4(),
        event: w.event.id,
        requester: w.ada.id,
        invitee: w.bob.id,
        starts_at: start,
        ends_at: start + Duration::minutes(30),
        spot: None,
        place: "Table 3".into(),
        message: String::new(),
    })
    .await
    .unwrap();
    // Cy is not Ada's connection: a meeting with Cy is not in her list.
    s.request_meeting(&NewMeeting {
        id: Uuid::new_v4(),
        event: w.event.id,
        requester: w.ada.id,
        invitee: w.cy.id,
        starts_at: start,
        ends_at: start + Duration::minutes(30),
        spot: None,
        place: "Bar".into(),
        message: String::new(),
    })
    .await
    .unwrap();
    // A refused scan is not an interaction.
    record(s, scan(&w.event, &w.cy, &w.ada, ScanOutcome::Blocked)).await;

    let all = s.interactions(w.ada.id, None).await.unwrap();
    assert_eq!(all.len(), 2, "{all:?}");
    assert!(all.iter().all(|i| i.other == w.bob.id));
    assert_eq!(
        all[0].kind,
        InteractionKind::Meeting {
            status: "pending".into(),
            place: "Table 3".into()
        }
    );
    assert_eq!(all[0].at, start);
    assert_eq!(all[0].event, ("Conf".into(), "conf-0001".into()));
    assert_eq!(all[1].kind, InteractionKind::Scan { by_me: false });
    let bobs = s.interactions(w.bob.id, Some(w.ada.id)).await.unwrap();
    assert_eq!(bobs.len(), 2);
    assert_eq!(bobs[1].kind, InteractionKind::Scan { by_me: true });
    assert!(s
        .interactions(w.ada.id, Some(w.cy.id))
        .await
        .unwrap()
        .is_empty());
}

async fn reminders_need_a_connection_and_are_claimed_once_when_due(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    let now = Utc.with_ymd_and_hms(2026, 5, 20, 8, 0, 0).unwrap();
    assert!(matches!(
        s.add_reminder(w.ada.id, w.bob.id, &text("Send the slides"), now)
            .await,
        Err(StoreError::NotFound)
    ));
    record(s, scan(&w.event, &w.ada, &w.bob, ScanOutcome::Connected)).await;
    record(s, scan(&w.event, &w.ada, &w.cy, ScanOutcome::Connected)).await;
    let due = s
        .add_reminder(w.ada.id, w.bob.id, &text("Send the slides"), now)
        .await
        .unwrap();
    let later = s
        .add_reminder(
            w.ada.id,
            w.cy.id,
            &text("Ask about the job"),
            now + Duration::days(3),
        )
        .await
        .unwrap();
    let open = s.reminders_of(w.ada.id, None).await.unwrap();
    assert_eq!(open, [due.clone(), later.clone()]);
    assert_eq!(
        s.reminders_of(w.ada.id, Some(w.cy.id)).await.unwrap(),
        std::slice::from_ref(&later)
    );
    assert!(s.reminders_of(w.bob.id, None).await.unwrap().is_empty());

    let claimed = s.claim_due_reminders(now).await.unwrap();
    assert_eq!(claimed.len(), 1, "{claimed:?}");
    assert_eq!(claimed[0].reminder.id, due.id);
    assert_eq!(claimed[0].other_name, "Bob");
    assert_eq!(claimed[0].reminder.notified_at, Some(now));
    assert!(s.claim_due_reminders(now).await.unwrap().is_empty());

    // Only the author ticks a reminder off (it is gone, never sent).
    assert!(matches!(
        s.finish_reminder(w.bob.id, later.id).await,
        Err(StoreError::NotFound)
    ));
    s.finish_reminder(w.ada.id, later.id).await.unwrap();
    assert!(matches!(
        s.finish_reminder(w.ada.id, later.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(s
        .claim_due_reminders(now + Duration::days(5))
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        s.reminders_of(w.ada.id, None)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect::<Vec<_>>(),
        [due.id]
    );
}

async fn the_digest_is_opt_in(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    assert!(!s.digest_opt_in(w.bob.id).await.unwrap());
    s.set_digest_opt_in(w.bob.id, true).await.unwrap();
    assert!(s.digest_opt_in(w.bob.id).await.unwrap());
    assert!(!s.digest_opt_in(w.cy.id).await.unwrap());
    s.set_digest_opt_in(w.bob.id, false).await.unwrap();
    assert!(!s.digest_opt_in(w.bob.id).await.unwrap());
    let ghost = app::domain::UserId(Uuid::new_v4());
    assert!(matches!(
        s.digest_opt_in(ghost).await,
        Err(StoreError::NotFound)
    ));
}

on_both_backends!(store:
    connections_met_elsewhere_are_met_again_at_a_later_event,
    interactions_are_scans_and_meetings_with_connections_newest_first,
    reminders_need_a_connection_and_are_claimed_once_when_due,
    the_digest_is_opt_in,
);
