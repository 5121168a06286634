//! The `InvitationStore` contract (`app/src/ports/invitations.rs`): one
//! invitation per person, scoped to its event, and its delivery status.

use crate::{event, new_event, user};
use app::{
    domain::InvitationStatus,
    ports::{NewInvitation, Store, StoreError, User},
};
use std::sync::Arc;
use uuid::Uuid;

async fn invitations_are_one_per_person_and_scoped_to_their_event(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let ada = user(s, "Ada").await;
    let (ben, cy) = (user(s, "Ben").await, user(s, "Cy").await);
    let e = event(s, &ada).await;
    let other = s
        .create_event(
            new_event("Other", "other-0009", "t-10", "ABCD2357", "2026-05-14"),
            ada.id,
        )
        .await
        .unwrap();
    let new = |who: &User, link: &str| NewInvitation {
        event: e.id,
        user: who.id,
        name: who.display_name.clone(),
        email: who.email.as_str().to_owned(),
        link: link.into(),
    };
    let first = s
        .save_invitation(&new(&ben, "https://x/claim/1"))
        .await
        .unwrap();
    assert_eq!(first.status, InvitationStatus::Pending);
    assert_eq!(first.link, "https://x/claim/1");
    s.save_invitation(&new(&cy, "https://x/claim/2"))
        .await
        .unwrap();
    s.set_invitation_status(first.id, InvitationStatus::Failed, "refused")
        .await
        .unwrap();
    let failed = s.invitation(e.id, first.id).await.unwrap().unwrap();
    assert_eq!(
        (failed.status, failed.detail.as_str()),
        (InvitationStatus::Failed, "refused")
    );
    assert_eq!(
        s.invitation(other.id, first.id).await.unwrap(),
        None,
        "scoped"
    );

    // A second invitation of the same person replaces the first.
    let again = s
        .save_invitation(&new(&ben, "https://x/claim/3"))
        .await
        .unwrap();
    assert_eq!(again.id, first.id);
    assert_eq!(
        (again.status, again.detail.as_str()),
        (InvitationStatus::Pending, "")
    );
    assert_eq!(again.link, "https://x/claim/3");
    let all = s.invitations(e.id).await.unwrap();
    assert_eq!(
        all.iter().map(|i| i.name.as_str()).collect::<Vec<_>>(),
        ["Ben", "Cy"]
    );
    assert!(s.invitations(other.id).await.unwrap().is_empty());
    s.set_invitation_status(again.id, InvitationStatus::Outbox, "")
        .await
        .unwrap();
    assert_eq!(
        s.invitation(e.id, again.id).await.unwrap().unwrap().status,
        InvitationStatus::Outbox
    );
    assert!(matches!(
        s.set_invitation_status(Uuid::new_v4(), InvitationStatus::Mailed, "")
            .await,
        Err(StoreError::NotFound)
    ));
}

on_both_backends!(store: invitations_are_one_per_person_and_scoped_to_their_event);
