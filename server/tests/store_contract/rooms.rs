//! The `RoomStore` contract (`app/src/ports/rooms.rs`): rooms, messages
//! numbered without gaps, moderation (removals, mutes, reports, the audit
//! log), closed rooms, and room tags.

use crate::{new_event, user};
use app::{
    domain::{
        ClientMessageId, MessageText, RoomDescription, RoomKind, RoomPlace, RoomTags, RoomTitle,
        UserId,
    },
    ports::{ModerationAction, NewRoom, Posted, Store, StoreError},
};
use chrono::{Duration, Timelike, Utc};
use std::sync::Arc;

fn topic(event: app::domain::EventId, by: UserId, title: &str) -> NewRoom {
    NewRoom {
        event,
        kind: RoomKind::Topic,
        title: RoomTitle::parse("title", title).unwrap(),
        description: RoomDescription::parse("description", "").unwrap(),
        place: RoomPlace::parse("place", "").unwrap(),
        starts_at: None,
        ends_at: None,
        created_by: by,
        tags: RoomTags::default(),
    }
}

fn tags(raw: &str) -> RoomTags {
    RoomTags::parse(raw).unwrap()
}

fn cid(s: &str) -> ClientMessageId {
    ClientMessageId::parse(s).unwrap()
}

fn text(s: &str) -> MessageText {
    MessageText::parse("text", s).unwrap()
}

async fn rooms_and_messages(store: Arc<dyn Store>) {
    let ada = user(store.as_ref(), "Ada").await;
    let ben = user(store.as_ref(), "Ben").await;
    let event = store
        .create_event(
            new_event("Conf", "conf-0001", "t-1", "ABCD2345", "2026-05-14"),
            ada.id,
        )
        .await
        .unwrap();
    let talk = store
        .create_room(topic(event.id, ada.id, "Rust"))
        .await
        .unwrap();
    assert_eq!(store.room(talk.id).await.unwrap().as_ref(), Some(&talk));
    let start = Utc::now().with_nanosecond(0).unwrap() + Duration::hours(1);
    let meetup = store
        .create_room(NewRoom {
            kind: RoomKind::Meetup,
            place: RoomPlace::parse("place", "Table 12").unwrap(),
            starts_at: Some(start),
            ends_at: Some(start + Duration::minutes(30)),
            ..topic(event.id, ben.id, "Rust folks")
        })
        .await
        .unwrap();
    let listed: Vec<_> = store
        .rooms_of_event(event.id)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.title)
        .collect();
    assert_eq!(listed, ["Rust folks", "Rust"], "meetups first");
    assert_eq!(
        store.room(meetup.id).await.unwrap().unwrap().starts_at,
        Some(start)
    );

    // Gap-free numbers; a retried client id returns the stored message.
    let first = store
        .post_message(talk.id, ada.id, &cid("msg-00001"), &text("one"))
        .await
        .unwrap();
    let Posted::New(first) = first else {
        panic!("new")
    };
    assert_eq!(first.seq, 1);
    assert_eq!(first.author_name.as_deref(), Some("Ada"));
    let again = store
        .post_message(talk.id, ada.id, &cid("msg-00001"), &text("one"))
        .await
        .unwrap();
    assert_eq!(again, Posted::Existing(first.clone()));
    let second = store
        .post_message(talk.id, ben.id, &cid("msg-00001"), &text("two"))
        .await
        .unwrap();
    assert_eq!(
        second.message().seq,
        2,
        "ids are per author; no number lost to the retry"
    );
    assert_eq!(store.room(talk.id).await.unwrap().unwrap().last_seq, 2);

    let after: Vec<u64> = store
        .messages_after(talk.id, 0, 10)
        .await
        .unwrap()
        .iter()
        .map(|m| m.seq)
        .collect();
    assert_eq!(after, [1, 2]);
    assert_eq!(
        store.messages_after(talk.id, 0, 10).await.unwrap()[0],
        first
    );
    let before = store.messages_before(talk.id, 2, 10).await.unwrap();
    assert_eq!(before, vec![first.clone()]);
    assert!(store
        .messages_after(meetup.id, 0, 10)
        .await
        .unwrap()
        .is_empty());

    // Unknown rooms; closed rooms take no messages but keep history.
    let ghost = app::domain::RoomId(uuid::Uuid::new_v4());
    assert!(matches!(
        store
            .post_message(ghost, ada.id, &cid("msg-00002"), &text("x"))
            .await,
        Err(StoreError::NotFound)
    ));
    store.set_room_closed(talk.id, true, ada.id).await.unwrap();
    assert!(matches!(
        store
            .post_message(talk.id, ada.id, &cid("msg-00003"), &text("x"))
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        store
            .post_message(talk.id, ada.id, &cid("msg-00001"), &text("one"))
            .await
            .unwrap(),
        Posted::Existing(first.clone()),
        "a retry of a stored send is answered even once the room closed"
    );
    assert_eq!(
        store.room(talk.id).await.unwrap().unwrap().last_seq,
        2,
        "no number used"
    );
    store.set_room_closed(talk.id, false, ada.id).await.unwrap();

    // Moderation: removal, mutes, reports, the audit log.
    store.delete_message(talk.id, 2, ada.id).await.unwrap();
    let removed = &store.messages_after(talk.id, 1, 10).await.unwrap()[0];
    assert!(removed.deleted);
    assert_eq!(removed.body, "");
    assert!(matches!(
        store.delete_message(talk.id, 99, ada.id).await,
        Err(StoreError::NotFound)
    ));
    let now = app::domain::now_utc();
    let until = now + Duration::minutes(10);
    store.mute(talk.id, ben.id, until, ada.id).await.unwrap();
    assert_eq!(
        store.muted_until(talk.id, ben.id, now).await.unwrap(),
        Some(until)
    );
    assert_eq!(
        store
            .muted_until(talk.id, ben.id, until + Duration::seconds(1))
            .await
            .unwrap(),
        None,
        "a mute ends"
    );
    store
        .report_message(talk.id, 1, ben.id, "rude")
        .await
        .unwrap();
    assert!(matches!(
        store.report_message(talk.id, 42, ben.id, "").await,
        Err(StoreError::NotFound)
    ));
    store.report_message(talk.id, 2, ben.id, "").await.unwrap();
    let reports = store.message_reports(event.id).await.unwrap();
    assert_eq!(reports.len(), 2);
    let one = reports.iter().find(|r| r.seq == 1).unwrap();
    assert_eq!(one.reason, "rude");
    assert_eq!(one.text, "one");
    assert_eq!(one.author, Some(ada.id));
    assert_eq!(
        one.reporter_name.as_deref(),
        Some(ben.display_name.as_str())
    );
    assert_eq!(one.room, talk.id);
    assert!(!one.removed);
    let two = reports.iter().find(|r| r.seq == 2).unwrap();
    assert!(two.removed, "removed before it was reported");
    assert_eq!(two.text, "", "a removed text is not shown again");
    let log: Vec<ModerationAction> = store
        .audit_log(event.id)
        .await
        .unwrap()
        .iter()
        .map(|a| a.action)
        .collect();
    assert_eq!(log.len(), 4);
    for action in [
        ModerationAction::Close,
        ModerationAction::Reopen,
        ModerationAction::DeleteMessage,
        ModerationAction::Mute,
    ] {
        assert!(log.contains(&action), "{action:?} logged");
    }

    // Joins are idempotent; blocks hide both ways.
    store.record_join(talk.id, ben.id).await.unwrap();
    store.record_join(talk.id, ben.id).await.unwrap();
    store.block(ben.id, ada.id).await.unwrap();
    assert_eq!(store.hidden_users(ada.id).await.unwrap(), vec![ben.id]);
    assert_eq!(store.hidden_users(ben.id).await.unwrap(), vec![ada.id]);

    // A deleted account's messages stay, without an author.
    store.delete_user(ada.id).await.unwrap();
    let orphan = &store.messages_after(talk.id, 0, 1).await.unwrap()[0];
    assert_eq!(orphan.author, None);
    assert_eq!(orphan.author_name, None);
    assert_eq!(orphan.body, "one");
}

async fn concurrent_posts_are_numbered_without_gaps(store: Arc<dyn Store>) {
    let ada = user(store.as_ref(), "Ada").await;
    let event = store
        .create_event(
            new_event("Conf", "conf-0002", "t-2", "ABCD2346", "2026-05-14"),
            ada.id,
        )
        .await
        .unwrap();
    let room = store
        .create_room(topic(event.id, ada.id, "Busy"))
        .await
        .unwrap();
    let mut tasks = vec![];
    for i in 0..40 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store
                .post_message(room.id, ada.id, &cid(&format!("conc-{i:04}")), &text("hi"))
                .await
                .unwrap()
                .message()
                .seq
        }));
    }
    let mut seqs = vec![];
    for t in tasks {
        seqs.push(t.await.unwrap());
    }
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=40).collect::<Vec<u64>>());
}

async fn room_tags_are_stored_with_the_room_in_the_order_given(store: Arc<dyn Store>) {
    let ada = user(store.as_ref(), "Ada").await;
    let event = store
        .create_event(
            new_event("Conf", "conf-0003", "t-3", "ABCD2347", "2026-05-14"),
            ada.id,
        )
        .await
        .unwrap();
    let other = store
        .create_event(
            new_event("Other", "conf-0004", "t-4", "ABCD2348", "2026-05-14"),
            ada.id,
        )
        .await
        .unwrap();
    // Not alphabetical: the order given is the order read back.
    let given = tags("webassembly, rust, hiring");
    let rust = store
        .create_room(NewRoom {
            tags: given.clone(),
            ..topic(event.id, ada.id, "Rust")
        })
        .await
        .unwrap();
    assert_eq!(rust.tags, given);
    let read = store.room(rust.id).await.unwrap().unwrap();
    assert_eq!(read, rust);
    assert_eq!(read.tags.names(), ["webassembly", "rust", "hiring"]);
    let plain = store
        .create_room(topic(event.id, ada.id, "Plain"))
        .await
        .unwrap();
    let elsewhere = store
        .create_room(NewRoom {
            tags: tags("rust, go"),
            ..topic(other.id, ada.id, "Elsewhere")
        })
        .await
        .unwrap();

    // The list gives each room its own tags, and none of another event's.
    let listed = store.rooms_of_event(event.id).await.unwrap();
    assert_eq!(listed.len(), 2);
    let of = |id| listed.iter().find(|r| r.id == id).unwrap().tags.clone();
    assert_eq!(of(rust.id), given);
    assert!(of(plain.id).is_empty());
    assert_eq!(
        store.rooms_of_event(other.id).await.unwrap()[0].tags,
        elsewhere.tags
    );
}

async fn room_tags_are_replaced_whole(store: Arc<dyn Store>) {
    let ada = user(store.as_ref(), "Ada").await;
    let event = store
        .create_event(
            new_event("Conf", "conf-0005", "t-5", "ABCD2349", "2026-05-14"),
            ada.id,
        )
        .await
        .unwrap();
    let room = store
        .create_room(NewRoom {
            tags: tags("rust, hiring, go"),
            ..topic(event.id, ada.id, "Rust")
        })
        .await
        .unwrap();
    let neighbour = store
        .create_room(NewRoom {
            tags: tags("rust"),
            ..topic(event.id, ada.id, "Neighbour")
        })
        .await
        .unwrap();

    // Fewer, one kept, the order changed: exactly the new list.
    let new = tags("go, observability");
    store.set_room_tags(room.id, &new, ada.id).await.unwrap();
    assert_eq!(store.room(room.id).await.unwrap().unwrap().tags, new);
    store.set_room_tags(room.id, &new, ada.id).await.unwrap();
    assert_eq!(
        store.room(room.id).await.unwrap().unwrap().tags,
        new,
        "saving the same tags again changes nothing"
    );
    assert_eq!(
        store.room(neighbour.id).await.unwrap().unwrap().tags,
        tags("rust"),
        "other rooms keep theirs"
    );

    // Cleared.
    store
        .set_room_tags(room.id, &RoomTags::default(), ada.id)
        .await
        .unwrap();
    assert!(store.room(room.id).await.unwrap().unwrap().tags.is_empty());

    // Each change is in the moderation log: who, which room, the list.
    let log = store.audit_log(event.id).await.unwrap();
    let mut details: Vec<&str> = log
        .iter()
        .filter(|a| a.action == ModerationAction::Retag)
        .inspect(|a| assert_eq!((a.room, a.actor), (Some(room.id), Some(ada.id))))
        .map(|a| a.detail.as_str())
        .collect();
    details.sort_unstable();
    assert_eq!(details, ["", "go, observability", "go, observability"]);

    // Two saves at once both succeed, and one of them wins whole.
    let (a, b) = (tags("rust, go"), tags("go, rust, hiring"));
    let (ra, rb) = tokio::join!(
        store.set_room_tags(room.id, &a, ada.id),
        store.set_room_tags(room.id, &b, ada.id)
    );
    ra.unwrap();
    rb.unwrap();
    let now = store.room(room.id).await.unwrap().unwrap().tags;
    assert!(now == a || now == b, "{now:?}");

    assert!(matches!(
        store
            .set_room_tags(app::domain::RoomId(uuid::Uuid::new_v4()), &a, ada.id)
            .await,
        Err(StoreError::NotFound)
    ));
}

on_both_backends!(store:
    rooms_and_messages,
    concurrent_posts_are_numbered_without_gaps,
    room_tags_are_stored_with_the_room_in_the_order_given,
    room_tags_are_replaced_whole,
);
