//! The `SessionRecordStore` contract (`app/src/ports/sessions.rs`): login
//! sessions created, saved, loaded, expired and deleted.

use crate::user;
use app::ports::{SessionRecord, Store, StoreError};
use chrono::{Duration, Utc};
use std::sync::Arc;

async fn sessions(store: Arc<dyn Store>) {
    let ada = user(store.as_ref(), "Ada").await;
    let now = Utc::now();
    let record = SessionRecord {
        id: "session-one".into(),
        user_id: Some(ada.id),
        data: r#"{"user_id":"x"}"#.into(),
        expires_at: now + Duration::hours(1),
    };
    store.create_session(&record).await.unwrap();
    let loaded = store
        .load_session("session-one", now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(loaded.user_id, Some(ada.id));
    assert_eq!(loaded.data, record.data);
    assert_eq!(loaded.expires_at.timestamp(), record.expires_at.timestamp());

    let dup = store.create_session(&record).await;
    assert!(
        matches!(dup, Err(StoreError::Conflict("session"))),
        "{dup:?}"
    );

    // Saving replaces the data; an anonymous session has no user.
    let changed = SessionRecord {
        data: "{}".into(),
        user_id: None,
        ..record.clone()
    };
    store.save_session(&changed).await.unwrap();
    let loaded = store
        .load_session("session-one", now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((loaded.data.as_str(), loaded.user_id), ("{}", None));
    // Saving an unknown id inserts it.
    store
        .save_session(&SessionRecord {
            id: "session-two".into(),
            ..record.clone()
        })
        .await
        .unwrap();
    assert!(store
        .load_session("session-two", now)
        .await
        .unwrap()
        .is_some());

    // Expired sessions are invisible and swept.
    let old = SessionRecord {
        id: "old".into(),
        expires_at: now - Duration::minutes(1),
        ..record.clone()
    };
    store.create_session(&old).await.unwrap();
    assert!(store.load_session("old", now).await.unwrap().is_none());
    assert_eq!(store.delete_expired_sessions(now).await.unwrap(), 1);
    assert!(
        store
            .load_session("session-one", now)
            .await
            .unwrap()
            .is_some(),
        "live sessions stay"
    );

    store.delete_session("session-one").await.unwrap();
    assert!(store
        .load_session("session-one", now)
        .await
        .unwrap()
        .is_none());
    store.delete_session("never-existed").await.unwrap();
}

on_both_backends!(store: sessions);
