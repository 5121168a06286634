//! The `MembershipStore` contract (`app/src/ports/membership.rs`): removals
//! that stick and memberships offered for consent (and what they change in
//! `add_member` and `change_member`), and the promotions waiting in an
//! event (`offers_to_members`), which the settings page shows beside each
//! member as "offered: staff (waiting)".

use crate::{new_event, user};
use app::{
    domain::Role,
    ports::{Event, MemberChange, Store, StoreError, User},
};
use std::sync::Arc;

async fn event(store: &dyn Store, organizer: &User, n: u32) -> Event {
    store
        .create_event(
            new_event(
                "Conf",
                &format!("conf-r{n:03}"),
                &format!("t-r{n}"),
                // Codes avoid 0 and 1 (read as O and I): "RMVQ2222" ….
                &format!("RMVQ{0}{0}{0}{0}", n + 1),
                "2026-05-14",
            ),
            organizer.id,
        )
        .await
        .unwrap()
}

async fn a_removed_member_stays_out_until_readmitted(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let ada = user(s, "Ada").await;
    let ben = user(s, "Ben").await;
    let e = event(s, &ada, 1).await;
    let other = event(s, &ada, 2).await;
    s.add_member(e.id, ben.id, Role::Attendee).await.unwrap();
    assert!(!s.was_removed(e.id, ben.id).await.unwrap());

    s.change_member(e.id, ben.id, MemberChange::Remove)
        .await
        .unwrap();
    assert!(s.was_removed(e.id, ben.id).await.unwrap());
    assert!(!s.was_removed(other.id, ben.id).await.unwrap(), "per event");
    assert_eq!(s.member_role(e.id, ben.id).await.unwrap(), None);
    let listed = s.removed_members(e.id).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].user_id, listed[0].display_name.as_str()),
        (ben.id, "Ben")
    );
    assert!(s.removed_members(other.id).await.unwrap().is_empty());

    // No way back in while the removal stands, whatever the role.
    for role in [Role::Attendee, Role::Organizer] {
        assert!(matches!(
            s.add_member(e.id, ben.id, role).await,
            Err(StoreError::Conflict("removed"))
        ));
    }
    assert!(matches!(
        s.offer_membership("offer-r1", e.id, ben.id, Role::Attendee)
            .await,
        Err(StoreError::Conflict("removed"))
    ));
    s.add_member(other.id, ben.id, Role::Attendee)
        .await
        .unwrap();

    // Letting him back in does not make him a member; he may join again.
    s.readmit(e.id, ben.id).await.unwrap();
    assert!(!s.was_removed(e.id, ben.id).await.unwrap());
    assert_eq!(s.member_role(e.id, ben.id).await.unwrap(), None);
    assert!(matches!(
        s.readmit(e.id, ben.id).await,
        Err(StoreError::NotFound)
    ));
    s.add_member(e.id, ben.id, Role::Attendee).await.unwrap();

    // A plain remove_member (not an organizer's removal) records nothing.
    s.remove_member(other.id, ben.id).await.unwrap();
    assert!(!s.was_removed(other.id, ben.id).await.unwrap());
}

async fn an_offer_is_nothing_until_accepted_and_gives_exactly_its_role(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let ada = user(s, "Ada").await;
    let ben = user(s, "Ben").await;
    let e = event(s, &ada, 3).await;

    let offer = s
        .offer_membership("offer-a1", e.id, ben.id, Role::Staff)
        .await
        .unwrap();
    assert_eq!(
        (offer.event, offer.user, offer.role),
        (e.id, ben.id, Role::Staff)
    );
    assert_eq!(s.member_role(e.id, ben.id).await.unwrap(), None, "not yet");
    assert_eq!(s.list_members(e.id).await.unwrap().len(), 1);
    assert!(s.events_of_user(ben.id).await.unwrap().is_empty());
    // A second offer changes the role and keeps the link already sent.
    let again = s
        .offer_membership("offer-a2", e.id, ben.id, Role::Organizer)
        .await
        .unwrap();
    assert_eq!(
        (again.token.as_str(), again.role),
        ("offer-a1", Role::Organizer)
    );
    assert_eq!(
        s.offer_by_token("offer-a1").await.unwrap(),
        Some(again.clone())
    );
    assert_eq!(s.offer_by_token("offer-a2").await.unwrap(), None);
    let pending = s.pending_offers(ben.id).await.unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!((pending[0].0.id, pending[0].1.clone()), (e.id, again));
    assert!(s.pending_offers(ada.id).await.unwrap().is_empty());

    assert_eq!(
        s.answer_offer(e.id, ben.id, true).await.unwrap(),
        Some(Role::Organizer)
    );
    assert_eq!(
        s.member_role(e.id, ben.id).await.unwrap(),
        Some(Role::Organizer)
    );
    assert!(
        s.pending_offers(ben.id).await.unwrap().is_empty(),
        "answered once"
    );
    assert!(matches!(
        s.answer_offer(e.id, ben.id, true).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        s.offer_membership("offer-a3", e.id, ben.id, Role::Organizer)
            .await,
        Err(StoreError::Conflict("membership"))
    ));
}

async fn declining_an_offer_leaves_nothing(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let ada = user(s, "Ada").await;
    let ben = user(s, "Ben").await;
    let e = event(s, &ada, 4).await;
    s.offer_membership("offer-d1", e.id, ben.id, Role::Organizer)
        .await
        .unwrap();
    assert_eq!(s.answer_offer(e.id, ben.id, false).await.unwrap(), None);
    assert_eq!(s.member_role(e.id, ben.id).await.unwrap(), None);
    assert!(s.pending_offers(ben.id).await.unwrap().is_empty());
    assert_eq!(s.offer_by_token("offer-d1").await.unwrap(), None);
    assert!(matches!(
        s.answer_offer(e.id, ben.id, false).await,
        Err(StoreError::NotFound)
    ));
}

async fn a_member_offered_another_role_gets_it_on_accepting(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let ada = user(s, "Ada").await;
    let ben = user(s, "Ben").await;
    let e = event(s, &ada, 5).await;
    s.add_member(e.id, ben.id, Role::Attendee).await.unwrap();
    s.offer_membership("offer-m1", e.id, ben.id, Role::Staff)
        .await
        .unwrap();
    assert_eq!(
        s.member_role(e.id, ben.id).await.unwrap(),
        Some(Role::Attendee)
    );
    s.answer_offer(e.id, ben.id, true).await.unwrap();
    assert_eq!(
        s.member_role(e.id, ben.id).await.unwrap(),
        Some(Role::Staff)
    );
}

async fn removing_someone_withdraws_their_offer_and_refuses_its_acceptance(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let ada = user(s, "Ada").await;
    let ben = user(s, "Ben").await;
    let e = event(s, &ada, 6).await;
    s.add_member(e.id, ben.id, Role::Attendee).await.unwrap();
    s.offer_membership("offer-w1", e.id, ben.id, Role::Staff)
        .await
        .unwrap();
    s.change_member(e.id, ben.id, MemberChange::Remove)
        .await
        .unwrap();
    assert!(s.pending_offers(ben.id).await.unwrap().is_empty());
    assert!(matches!(
        s.answer_offer(e.id, ben.id, true).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(s.member_role(e.id, ben.id).await.unwrap(), None);
}

async fn only_offers_to_members_of_that_event_are_listed(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let ada = user(s, "Ada").await;
    let ben = user(s, "Ben").await;
    let cy = user(s, "Cy").await;
    let e = s
        .create_event(
            new_event("Conf", "conf-p001", "t-p1", "PRMQ2222", "2026-05-14"),
            ada.id,
        )
        .await
        .unwrap();
    let other = s
        .create_event(
            new_event("Conf", "conf-p002", "t-p2", "PRMQ3333", "2026-05-14"),
            ada.id,
        )
        .await
        .unwrap();
    assert!(s.offers_to_members(e.id).await.unwrap().is_empty());
    s.add_member(e.id, ben.id, Role::Attendee).await.unwrap();
    s.add_member(other.id, ben.id, Role::Attendee)
        .await
        .unwrap();
    s.offer_membership("offer-p1", e.id, ben.id, Role::Staff)
        .await
        .unwrap();
    // An import's offer to someone outside is no promotion.
    s.offer_membership("offer-p2", e.id, cy.id, Role::Staff)
        .await
        .unwrap();
    let waiting = s.offers_to_members(e.id).await.unwrap();
    assert_eq!(waiting.len(), 1, "{waiting:?}");
    assert_eq!(
        (waiting[0].user, waiting[0].role, waiting[0].token.as_str()),
        (ben.id, Role::Staff, "offer-p1")
    );
    assert!(s.offers_to_members(other.id).await.unwrap().is_empty());

    // Answered or withdrawn by a removal: no longer waiting.
    s.answer_offer(e.id, ben.id, false).await.unwrap();
    assert!(s.offers_to_members(e.id).await.unwrap().is_empty());
    s.offer_membership("offer-p3", e.id, ben.id, Role::Organizer)
        .await
        .unwrap();
    s.change_member(e.id, ben.id, MemberChange::Remove)
        .await
        .unwrap();
    assert!(s.offers_to_members(e.id).await.unwrap().is_empty());
}

on_both_backends!(store:
    a_removed_member_stays_out_until_readmitted,
    an_offer_is_nothing_until_accepted_and_gives_exactly_its_role,
    declining_an_offer_leaves_nothing,
    a_member_offered_another_role_gets_it_on_accepting,
    removing_someone_withdraws_their_offer_and_refuses_its_acceptance,
    only_offers_to_members_of_that_event_are_listed,
);
