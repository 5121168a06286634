//! The `MessageStore` contract (`app/src/ports/messages.rs`): one
//! conversation per pair whichever opens it, gap-free numbers under
//! concurrent senders, idempotent client ids, read marks that only move
//! up, ties (connected, meeting, mutual interest), reports, and a deleted
//! account's messages kept for the other person.

use crate::world;
use app::{
    domain::{ClientMessageId, MessageText, Pair},
    ports::{DirectPosted, Store, StoreError},
};
use std::sync::Arc;

fn cid(raw: &str) -> ClientMessageId {
    ClientMessageId::parse(raw).unwrap()
}

fn text(raw: &str) -> MessageText {
    MessageText::parse("text", raw).unwrap()
}

async fn a_pair_has_one_conversation_whoever_opens_it(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    let ab = Pair::new(w.bob.id, w.cy.id).unwrap();
    let ba = Pair::new(w.cy.id, w.bob.id).unwrap();
    assert!(s.conversation_of(ab).await.unwrap().is_none());
    let first = s.open_conversation(ab).await.unwrap();
    let again = s.open_conversation(ba).await.unwrap();
    assert_eq!(first, again);
    assert_eq!(first.last_seq, 0);
    assert!(first.has(w.bob.id) && first.has(w.cy.id) && !first.has(w.ada.id));
    assert_eq!(s.conversation_of(ba).await.unwrap(), Some(first.clone()));
    assert_eq!(s.conversation(first.id).await.unwrap(), Some(first));
    // Opened at once from both sides: still one.
    let (x, y) = tokio::join!(
        s.open_conversation(Pair::new(w.ada.id, w.bob.id).unwrap()),
        s.open_conversation(Pair::new(w.bob.id, w.ada.id).unwrap())
    );
    assert_eq!(x.unwrap().id, y.unwrap().id);
}

async fn concurrent_senders_get_gap_free_numbers(store: Arc<dyn Store>) {
    let w = world(store).await;
    let c = w
        .store
        .open_conversation(Pair::new(w.bob.id, w.cy.id).unwrap())
        .await
        .unwrap();
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let store = w.store.clone();
            let who = if i % 2 == 0 { w.bob.id } else { w.cy.id };
            tokio::spawn(async move {
                store
                    .send_direct(c.id, who, &cid(&format!("client-{i:04}")), &text("hi"))
                    .await
                    .unwrap()
                    .message()
                    .seq
            })
        })
        .collect();
    let mut seqs = vec![];
    for t in tasks {
        seqs.push(t.await.unwrap());
    }
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=40).collect::<Vec<u64>>());
    let all = w.store.direct_after(c.id, 0, 100).await.unwrap();
    assert_eq!(all.len(), 40);
    assert!(all.windows(2).all(|p| p[1].seq == p[0].seq + 1));
    assert_eq!(
        w.store.conversation(c.id).await.unwrap().unwrap().last_seq,
        40
    );
    let page = w.store.direct_before(c.id, 11, 5).await.unwrap();
    assert_eq!(
        page.iter().map(|m| m.seq).collect::<Vec<_>>(),
        [6, 7, 8, 9, 10]
    );
}

async fn a_retried_client_id_stores_one_message(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    let c = s
        .open_conversation(Pair::new(w.bob.id, w.cy.id).unwrap())
        .await
        .unwrap();
    let first = s
        .send_direct(c.id, w.bob.id, &cid("same-id-01"), &text("hello"))
        .await
        .unwrap();
    assert!(matches!(first, DirectPosted::New(_)));
    let again = s
        .send_direct(c.id, w.bob.id, &cid("same-id-01"), &text("hello"))
        .await
        .unwrap();
    let DirectPosted::Existing(m) = again else {
        panic!("a retry stores nothing new");
    };
    assert_eq!(m.seq, first.message().seq);
    assert_eq!(m.body, "hello");
    assert_eq!(m.sender_name.as_deref(), Some("Bob"));
    // The other person may use the same id for their own message.
    let theirs = s
        .send_direct(c.id, w.cy.id, &cid("same-id-01"), &text("hey"))
        .await
        .unwrap();
    assert_eq!(theirs.message().seq, 2);
    // The retry gave its number back: the next is 3, no gap.
    let next = s
        .send_direct(c.id, w.bob.id, &cid("other-id-1"), &text("?"))
        .await
        .unwrap();
    assert_eq!(next.message().seq, 3);
    assert_eq!(s.direct_after(c.id, 0, 10).await.unwrap().len(), 3);
}

async fn read_marks_move_up_only_and_count_unread(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    let c = s
        .open_conversation(Pair::new(w.bob.id, w.cy.id).unwrap())
        .await
        .unwrap();
    for i in 0..3 {
        s.send_direct(c.id, w.bob.id, &cid(&format!("bob-msg-{i}")), &text("x"))
            .await
            .unwrap();
    }
    // The sender has read what they sent.
    assert_eq!(s.read_mark(c.id, w.bob.id).await.unwrap(), 3);
    assert_eq!(s.unread_total(w.bob.id).await.unwrap(), 0);
    assert_eq!(s.read_mark(c.id, w.cy.id).await.unwrap(), 0);
    assert_eq!(s.unread_total(w.cy.id).await.unwrap(), 3);
    assert_eq!(s.mark_read(c.id, w.cy.id, 2).await.unwrap(), 2);
    assert_eq!(s.unread_total(w.cy.id).await.unwrap(), 1);
    assert_eq!(
        s.mark_read(c.id, w.cy.id, 1).await.unwrap(),
        2,
        "never moves down"
    );
    let inbox = s.conversations_of(w.cy.id).await.unwrap();
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0].other, Some(w.bob.id));
    assert_eq!(inbox[0].other_name.as_deref(), Some("Bob"));
    assert_eq!(inbox[0].unread(), 1);
    assert_eq!(inbox[0].last_body, "x");
    assert!(s.conversations_of(w.ada.id).await.unwrap().is_empty());
}

async fn ties_are_connections_meetings_or_mutual_interest(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    let bc = Pair::new(w.bob.id, w.cy.id).unwrap();
    assert!(!s.tied(bc).await.unwrap());
    s.connect(w.cy.id, w.bob.id, Some(w.event.id))
        .await
        .unwrap();
    assert!(s.tied(bc).await.unwrap());
    assert!(!s
        .tied(Pair::new(w.ada.id, w.bob.id).unwrap())
        .await
        .unwrap());
    assert_eq!(s.shared_event(bc).await.unwrap(), Some(w.event.id));
}

async fn a_report_copies_the_message_once(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    let c = s
        .open_conversation(Pair::new(w.bob.id, w.cy.id).unwrap())
        .await
        .unwrap();
    s.send_direct(c.id, w.bob.id, &cid("rude-msg-1"), &text("rude"))
        .await
        .unwrap();
    s.report_direct(w.event.id, c.id, 1, w.cy.id, "spam")
        .await
        .unwrap();
    assert!(matches!(
        s.report_direct(w.event.id, c.id, 1, w.cy.id, "again").await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        s.report_direct(w.event.id, c.id, 9, w.cy.id, "").await,
        Err(StoreError::NotFound)
    ));
    let reports = s.direct_reports(w.event.id).await.unwrap();
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].body, "rude");
    assert_eq!(reports[0].reason, "spam");
    assert_eq!(reports[0].sender_name.as_deref(), Some("Bob"));
    assert_eq!(reports[0].reporter_name.as_deref(), Some("Cy"));
}

async fn a_deleted_accounts_messages_stay_for_the_other(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    let c = s
        .open_conversation(Pair::new(w.bob.id, w.cy.id).unwrap())
        .await
        .unwrap();
    s.send_direct(c.id, w.bob.id, &cid("bye-msg-01"), &text("bye"))
        .await
        .unwrap();
    s.delete_user(w.bob.id).await.unwrap();
    let inbox = s.conversations_of(w.cy.id).await.unwrap();
    assert_eq!(inbox.len(), 1);
    assert_eq!((inbox[0].other, inbox[0].other_name.clone()), (None, None));
    let kept = s.direct_after(c.id, 0, 10).await.unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!((kept[0].sender, kept[0].sender_name.clone()), (None, None));
    assert_eq!(kept[0].body, "bye");
    // Nobody can send as the deleted account.
    assert!(matches!(
        s.send_direct(c.id, w.bob.id, &cid("ghost-msg1"), &text("boo"))
            .await,
        Err(StoreError::NotFound)
    ));
}

on_both_backends!(
    store: a_pair_has_one_conversation_whoever_opens_it,
    concurrent_senders_get_gap_free_numbers,
    a_retried_client_id_stores_one_message,
    read_marks_move_up_only_and_count_unread,
    ties_are_connections_meetings_or_mutual_interest,
    a_report_copies_the_message_once,
    a_deleted_accounts_messages_stay_for_the_other
);
