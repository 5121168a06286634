//! The `ConnectionStore` contract (`app/src/ports/connections.rs`):
//! connection requests (a scan that asks first) and their answers, and the
//! private notes kept about a connection.

use crate::badges::{record, scan};
use crate::{other_event, world};
use app::{
    domain::{
        ConnectionMethod, ConnectionNoteText, Labels, ProfileForm, ProfileInput, Rating,
        ScanOutcome,
    },
    ports::{ConnectionNote, NewScan, Store, StoreError},
};
use std::sync::Arc;

fn note(text: &str, rating: &str, labels: &str) -> ConnectionNote {
    ConnectionNote {
        note: ConnectionNoteText::parse("note", text).unwrap(),
        rating: Rating::parse(rating).unwrap(),
        labels: Labels::parse(labels).unwrap(),
    }
}

async fn a_requested_scan_waits_for_the_target_and_a_connection_settles_it(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    let form = ProfileForm {
        display_name: "Ada".into(),
        headline: "Programmer".into(),
        ..Default::default()
    };
    s.update_profile(w.ada.id, &ProfileInput::parse(&form).unwrap())
        .await
        .unwrap();
    let asked = scan(&w.event, &w.ada, &w.bob, ScanOutcome::Requested);
    let rec = record(
        s,
        NewScan {
            method: ConnectionMethod::Code,
            ..asked.clone()
        },
    )
    .await;
    assert_eq!(rec.outcome, ScanOutcome::Requested);
    assert!(!s.are_connected(w.ada.id, w.bob.id).await.unwrap());
    let waiting = s.incoming_requests(w.bob.id).await.unwrap();
    assert_eq!(waiting.len(), 1, "{waiting:?}");
    let r = &waiting[0];
    assert_eq!((r.event, r.from), (w.event.id, w.ada.id));
    assert_eq!(
        (
            r.event_name.as_str(),
            r.from_name.as_str(),
            r.from_headline.as_str()
        ),
        ("Conf", "Ada", "Programmer")
    );
    assert_eq!(r.method, ConnectionMethod::Code);
    assert!(s.incoming_requests(w.ada.id).await.unwrap().is_empty());

    // Bob scans Ada back: they are connected and the request is settled.
    let back = record(s, scan(&w.event, &w.bob, &w.ada, ScanOutcome::Connected)).await;
    assert_eq!(back.outcome, ScanOutcome::Connected);
    assert!(s.are_connected(w.ada.id, w.bob.id).await.unwrap());
    assert!(s.incoming_requests(w.bob.id).await.unwrap().is_empty());
    let answer = s.answer_request(w.event.id, w.ada.id, w.bob.id, true).await;
    assert!(matches!(answer, Err(StoreError::NotFound)), "{answer:?}");
}

async fn accepting_a_request_connects_with_method_approved(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    record(s, scan(&w.event, &w.ada, &w.bob, ScanOutcome::Requested)).await;
    assert!(s
        .answer_request(w.event.id, w.ada.id, w.bob.id, true)
        .await
        .unwrap());
    assert!(s.are_connected(w.ada.id, w.bob.id).await.unwrap());
    let mine = s.my_connections(w.bob.id).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].other.id, w.ada.id);
    assert_eq!(mine[0].method, ConnectionMethod::Approved);
    assert_eq!(
        mine[0].event,
        Some(("Conf".to_owned(), w.event.slug.clone()))
    );
    assert!(s.incoming_requests(w.bob.id).await.unwrap().is_empty());
    let again = s.answer_request(w.event.id, w.ada.id, w.bob.id, true).await;
    assert!(matches!(again, Err(StoreError::NotFound)), "{again:?}");
}

async fn a_declined_request_stays_declined_after_another_scan(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    record(s, scan(&w.event, &w.ada, &w.bob, ScanOutcome::Requested)).await;
    assert!(!s
        .answer_request(w.event.id, w.ada.id, w.bob.id, false)
        .await
        .unwrap());
    assert!(!s.are_connected(w.ada.id, w.bob.id).await.unwrap());
    assert!(s.incoming_requests(w.bob.id).await.unwrap().is_empty());
    let rec = record(s, scan(&w.event, &w.ada, &w.bob, ScanOutcome::Requested)).await;
    assert_eq!(rec.outcome, ScanOutcome::Requested);
    assert!(
        s.incoming_requests(w.bob.id).await.unwrap().is_empty(),
        "scanning again does not nag"
    );
    let again = s.answer_request(w.event.id, w.ada.id, w.bob.id, true).await;
    assert!(matches!(again, Err(StoreError::NotFound)), "{again:?}");
    assert!(!s.are_connected(w.ada.id, w.bob.id).await.unwrap());
}

async fn answering_a_missing_request_is_not_found(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    record(s, scan(&w.event, &w.ada, &w.bob, ScanOutcome::Requested)).await;
    for (from, to) in [(w.cy.id, w.bob.id), (w.bob.id, w.ada.id)] {
        for accept in [true, false] {
            let res = s.answer_request(w.event.id, from, to, accept).await;
            assert!(matches!(res, Err(StoreError::NotFound)), "{res:?}");
        }
    }
    let elsewhere = other_event(s, &w.ada).await;
    let res = s
        .answer_request(elsewhere.id, w.ada.id, w.bob.id, true)
        .await;
    assert!(matches!(res, Err(StoreError::NotFound)), "{res:?}");
    assert!(!s.are_connected(w.ada.id, w.bob.id).await.unwrap());
    assert_eq!(s.incoming_requests(w.bob.id).await.unwrap().len(), 1);
}

async fn requests_from_someone_blocked_are_hidden(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    record(s, scan(&w.event, &w.ada, &w.bob, ScanOutcome::Requested)).await;
    record(s, scan(&w.event, &w.cy, &w.bob, ScanOutcome::Requested)).await;
    let from = |list: Vec<app::ports::ConnectionRequest>| {
        list.into_iter().map(|r| r.from_name).collect::<Vec<_>>()
    };
    assert_eq!(
        from(s.incoming_requests(w.bob.id).await.unwrap()),
        ["Ada", "Cy"],
        "oldest first"
    );
    s.block(w.bob.id, w.ada.id).await.unwrap();
    assert_eq!(from(s.incoming_requests(w.bob.id).await.unwrap()), ["Cy"]);
    s.unblock(w.bob.id, w.ada.id).await.unwrap();
    assert_eq!(
        from(s.incoming_requests(w.bob.id).await.unwrap()),
        ["Ada", "Cy"]
    );
}

async fn a_note_needs_a_connection_and_is_replaced_on_save(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    let first = note("Talked about engines", "4", "lead, hiring");
    let res = s.set_connection_note(w.ada.id, w.bob.id, &first).await;
    assert!(matches!(res, Err(StoreError::NotFound)), "{res:?}");
    assert!(s.notes_by(w.ada.id).await.unwrap().is_empty());

    record(s, scan(&w.event, &w.bob, &w.ada, ScanOutcome::Connected)).await;
    s.set_connection_note(w.ada.id, w.bob.id, &first)
        .await
        .unwrap();
    assert_eq!(s.my_connections(w.ada.id).await.unwrap()[0].note, first);
    let second = note("Follow up in June", "", "follow up");
    s.set_connection_note(w.ada.id, w.bob.id, &second)
        .await
        .unwrap();
    let mine = s.my_connections(w.ada.id).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].note, second, "replaced, not merged");
    assert_eq!(
        s.my_connections(w.bob.id).await.unwrap()[0].note,
        ConnectionNote::default(),
        "a note is its owner's only"
    );
    let notes = s.notes_by(w.ada.id).await.unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(
        (notes[0].other, notes[0].other_name.as_str(), &notes[0].note),
        (w.bob.id, "Bob", &second)
    );
    assert!(s.notes_by(w.bob.id).await.unwrap().is_empty());
}

async fn notes_outlive_their_subject_but_not_their_owner(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    record(s, scan(&w.event, &w.bob, &w.ada, ScanOutcome::Connected)).await;
    record(s, scan(&w.event, &w.cy, &w.ada, ScanOutcome::Connected)).await;
    let about_bob = note("Met at the booth", "5", "lead");
    s.set_connection_note(w.ada.id, w.bob.id, &about_bob)
        .await
        .unwrap();
    s.set_connection_note(w.ada.id, w.cy.id, &note("Cy", "", ""))
        .await
        .unwrap();

    s.delete_user(w.bob.id).await.unwrap();
    let notes = s.notes_by(w.ada.id).await.unwrap();
    let kept = notes.iter().find(|n| n.other == w.bob.id).expect("kept");
    assert_eq!((kept.other_name.as_str(), &kept.note), ("Bob", &about_bob));
    let others: Vec<_> = s
        .my_connections(w.ada.id)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.other.id)
        .collect();
    assert_eq!(others, [w.cy.id]);

    s.delete_user(w.ada.id).await.unwrap();
    assert!(s.notes_by(w.ada.id).await.unwrap().is_empty());
}

on_both_backends!(store:
    a_requested_scan_waits_for_the_target_and_a_connection_settles_it,
    accepting_a_request_connects_with_method_approved,
    a_declined_request_stays_declined_after_another_scan,
    answering_a_missing_request_is_not_found,
    requests_from_someone_blocked_are_hidden,
    a_note_needs_a_connection_and_is_replaced_on_save,
    notes_outlive_their_subject_but_not_their_owner,
);
