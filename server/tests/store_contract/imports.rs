//! The `ImportStore` contract (`app/src/ports/imports.rs`): uploaded member
//! lists, kept per event and imported once.

use crate::{event, new_event, user};
use app::ports::{Store, StoreError};
use std::sync::Arc;
use uuid::Uuid;

async fn uploads_are_kept_scoped_and_imported_once(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let ada = user(s, "Ada").await;
    let e = event(s, &ada).await;
    let other = s
        .create_event(
            new_event("Other", "other-0009", "t-10", "ABCD2357", "2026-05-14"),
            ada.id,
        )
        .await
        .unwrap();
    let id = Uuid::new_v4();
    let bytes = b"name,email\nJos\xc3\xa9,j@example.org\n\x00";
    s.save_upload(id, e.id, ada.id, "list.csv", bytes)
        .await
        .unwrap();
    let up = s.upload(e.id, id).await.unwrap().unwrap();
    assert_eq!(
        (up.file.as_slice(), up.file_name.as_str()),
        (&bytes[..], "list.csv")
    );
    assert_eq!((up.report.clone(), up.running), (None, false));
    assert_eq!(s.upload(other.id, id).await.unwrap(), None, "scoped");
    assert!(!s.start_upload(other.id, id).await.unwrap());

    assert!(s.start_upload(e.id, id).await.unwrap());
    assert!(s.upload(e.id, id).await.unwrap().unwrap().running);
    assert!(!s.start_upload(e.id, id).await.unwrap(), "once");
    // A failed run goes back to waiting and may be started again.
    s.finish_upload(id, None).await.unwrap();
    assert!(s.start_upload(e.id, id).await.unwrap());
    s.finish_upload(id, Some("{\"created\":1}")).await.unwrap();
    let done = s.upload(e.id, id).await.unwrap().unwrap();
    assert_eq!(done.report.as_deref(), Some("{\"created\":1}"));
    assert!(!done.running);
    assert!(!s.start_upload(e.id, id).await.unwrap(), "done stays done");
    assert!(matches!(
        s.finish_upload(Uuid::new_v4(), None).await,
        Err(StoreError::NotFound)
    ));
}

on_both_backends!(store: uploads_are_kept_scoped_and_imported_once);
