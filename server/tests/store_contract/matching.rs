//! The `MatchStore` contract (`app/src/ports/matching.rs`): what
//! recommendations are computed from, blocks in both directions,
//! dismissals, mutual interest and the funnel.

use crate::{other_event, user, world};
use app::{
    domain::{
        now_utc, ConnectionMethod, EventId, FunnelStage, ProfileField, ProfileForm, ProfileInput,
        Role, ScanMode, ScanOutcome, TagSet, UserId, Visibility, VisibilitySettings,
    },
    ports::{MatchMember, NewScan, Store},
};
use std::sync::Arc;
use uuid::Uuid;

fn sorted(mut ids: Vec<UserId>) -> Vec<UserId> {
    ids.sort_by_key(|u| u.0);
    ids
}

pub(crate) async fn funnel(store: &dyn Store, event: EventId) -> Vec<(FunnelStage, u64)> {
    store.funnel_counts(event).await.unwrap()
}

async fn match_members_describe_every_member_of_the_event(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    // Bob: a company, tags, checked in.
    let form = ProfileForm {
        display_name: "Bob".into(),
        company: "Engines Ltd".into(),
        ..Default::default()
    };
    s.update_profile(w.bob.id, &ProfileInput::parse(&form).unwrap())
        .await
        .unwrap();
    let bob_tags = TagSet::parse("rust, databases", "mentoring", "").unwrap();
    s.set_tags(w.bob.id, &bob_tags).await.unwrap();
    let checked_in = s
        .record_scan(&NewScan {
            id: Uuid::new_v4(),
            event: Some(w.event.id),
            scanner: w.ada.id,
            target: Some(w.bob.id),
            method: ConnectionMethod::Scanner,
            mode: ScanMode::CheckIn,
            outcome: ScanOutcome::CheckedIn,
            nonce: None,
            scanned_at: now_utc(),
            today_from: now_utc(),
        })
        .await
        .unwrap();
    assert_eq!(checked_in.outcome, ScanOutcome::CheckedIn);
    // Cy: tags hidden from fellow members, opted out of recommendations.
    let cy_tags = TagSet::parse("go", "", "").unwrap();
    s.set_tags(w.cy.id, &cy_tags).await.unwrap();
    let mut hidden = VisibilitySettings::default();
    hidden.set(ProfileField::Tags, Visibility::Connections);
    s.set_visibility(w.cy.id, &hidden).await.unwrap();
    s.set_membership_prefs(w.event.id, w.cy.id, "", true)
        .await
        .unwrap();
    // Dan is a member of another event only.
    let dan = user(s, "Dan").await;
    let elsewhere = other_event(s, &dan).await;

    let mut expected = vec![
        MatchMember {
            user: w.ada.id,
            company: String::new(),
            tags: TagSet::default(),
            tags_public: true,
            opted_out: false,
            checked_in: false,
        },
        MatchMember {
            user: w.bob.id,
            company: "Engines Ltd".into(),
            tags: bob_tags,
            tags_public: true,
            opted_out: false,
            checked_in: true,
        },
        MatchMember {
            user: w.cy.id,
            company: String::new(),
            tags: cy_tags,
            tags_public: false,
            opted_out: true,
            checked_in: false,
        },
    ];
    expected.sort_by_key(|m| m.user.0);
    let mut got = s.match_members(w.event.id).await.unwrap();
    got.sort_by_key(|m| m.user.0);
    assert_eq!(got, expected);
    for m in &expected {
        assert_eq!(
            s.match_member(w.event.id, m.user).await.unwrap().as_ref(),
            Some(m)
        );
    }
    assert_eq!(s.match_member(w.event.id, dan.id).await.unwrap(), None);
    assert_eq!(s.match_member(elsewhere.id, w.bob.id).await.unwrap(), None);
    let there = s.match_members(elsewhere.id).await.unwrap();
    assert_eq!(
        there.iter().map(|m| m.user).collect::<Vec<_>>(),
        [dan.id],
        "members of this event only"
    );
    assert!(!there[0].checked_in, "checked in at the other event only");

    // Showing the tags again makes them matchable again.
    s.set_visibility(w.cy.id, &VisibilitySettings::default())
        .await
        .unwrap();
    assert!(
        s.match_member(w.event.id, w.cy.id)
            .await
            .unwrap()
            .unwrap()
            .tags_public
    );
    assert!(s
        .match_members(EventId(Uuid::new_v4()))
        .await
        .unwrap()
        .is_empty());
}

async fn blocked_with_lists_both_directions_once(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    let dan = user(s, "Dan").await;
    assert!(s.blocked_with(w.ada.id).await.unwrap().is_empty());
    s.block(w.ada.id, w.bob.id).await.unwrap();
    s.block(w.bob.id, w.ada.id).await.unwrap();
    s.block(w.cy.id, w.ada.id).await.unwrap();
    assert_eq!(
        sorted(s.blocked_with(w.ada.id).await.unwrap()),
        sorted(vec![w.bob.id, w.cy.id]),
        "blocked and blocked by, each once"
    );
    assert_eq!(s.blocked_with(w.bob.id).await.unwrap(), [w.ada.id]);
    assert_eq!(s.blocked_with(w.cy.id).await.unwrap(), [w.ada.id]);
    assert!(s.blocked_with(dan.id).await.unwrap().is_empty());
    s.unblock(w.ada.id, w.bob.id).await.unwrap();
    assert_eq!(
        sorted(s.blocked_with(w.ada.id).await.unwrap()),
        sorted(vec![w.bob.id, w.cy.id]),
        "Bob still blocks Ada"
    );
    s.unblock(w.bob.id, w.ada.id).await.unwrap();
    assert_eq!(s.blocked_with(w.ada.id).await.unwrap(), [w.cy.id]);
    assert!(s.blocked_with(w.bob.id).await.unwrap().is_empty());
}

async fn dismissals_are_idempotent_and_kept_per_event(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    let elsewhere = other_event(s, &w.ada).await;
    assert!(s.dismissed(w.event.id, w.bob.id).await.unwrap().is_empty());
    s.dismiss(w.event.id, w.bob.id, w.cy.id).await.unwrap();
    s.dismiss(w.event.id, w.bob.id, w.cy.id).await.unwrap();
    s.dismiss(w.event.id, w.bob.id, w.ada.id).await.unwrap();
    assert_eq!(
        sorted(s.dismissed(w.event.id, w.bob.id).await.unwrap()),
        sorted(vec![w.ada.id, w.cy.id])
    );
    assert!(
        s.dismissed(w.event.id, w.cy.id).await.unwrap().is_empty(),
        "a dismissal is one-sided"
    );
    s.dismiss(elsewhere.id, w.cy.id, w.bob.id).await.unwrap();
    assert_eq!(
        s.dismissed(elsewhere.id, w.cy.id).await.unwrap(),
        [w.bob.id]
    );
    assert!(s.dismissed(w.event.id, w.cy.id).await.unwrap().is_empty());
    assert!(s
        .dismissed(elsewhere.id, w.bob.id)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(s.dismissed(w.event.id, w.bob.id).await.unwrap().len(), 2);
}

async fn mutual_interest_connects_the_pair_once(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    let ev = w.event.id;
    assert!(!s.mark_interested(ev, w.bob.id, w.cy.id).await.unwrap());
    assert!(!s.are_connected(w.bob.id, w.cy.id).await.unwrap());
    assert!(s.my_connections(w.bob.id).await.unwrap().is_empty());
    assert_eq!(s.interested_in(ev, w.bob.id).await.unwrap(), [w.cy.id]);
    assert!(s.interested_in(ev, w.cy.id).await.unwrap().is_empty());
    assert_eq!(funnel(s, ev).await, [(FunnelStage::Interested, 1)]);
    // The same side again: still one-sided, counted once.
    assert!(!s.mark_interested(ev, w.bob.id, w.cy.id).await.unwrap());
    assert_eq!(s.interested_in(ev, w.bob.id).await.unwrap(), [w.cy.id]);
    assert_eq!(funnel(s, ev).await, [(FunnelStage::Interested, 1)]);

    assert!(s.mark_interested(ev, w.cy.id, w.bob.id).await.unwrap());
    assert!(s.are_connected(w.bob.id, w.cy.id).await.unwrap());
    let mine = s.my_connections(w.bob.id).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].other.id, w.cy.id);
    assert_eq!(mine[0].method, ConnectionMethod::Mutual);
    assert_eq!(
        mine[0].event,
        Some(("Conf".to_owned(), w.event.slug.clone()))
    );
    let theirs = s.my_connections(w.cy.id).await.unwrap();
    assert_eq!(theirs.len(), 1);
    assert_eq!(
        (theirs[0].other.id, theirs[0].method),
        (w.bob.id, ConnectionMethod::Mutual)
    );
    assert_eq!(s.interested_in(ev, w.cy.id).await.unwrap(), [w.bob.id]);
    let both = [(FunnelStage::Interested, 2), (FunnelStage::Mutual, 2)];
    assert_eq!(funnel(s, ev).await, both);

    // Repeating either side changes nothing.
    assert!(s.mark_interested(ev, w.cy.id, w.bob.id).await.unwrap());
    assert!(s.mark_interested(ev, w.bob.id, w.cy.id).await.unwrap());
    assert_eq!(funnel(s, ev).await, both);
    assert_eq!(s.my_connections(w.bob.id).await.unwrap().len(), 1);
    assert_eq!(s.connections_of(w.cy.id).await.unwrap().len(), 1);
    assert_eq!(s.interested_in(ev, w.bob.id).await.unwrap(), [w.cy.id]);
    assert!(s.interested_in(ev, w.ada.id).await.unwrap().is_empty());
}

async fn interest_is_mutual_only_within_one_event(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    let elsewhere = other_event(s, &w.ada).await;
    for u in [&w.bob, &w.cy] {
        s.add_member(elsewhere.id, u.id, Role::Attendee)
            .await
            .unwrap();
    }
    assert!(!s
        .mark_interested(w.event.id, w.bob.id, w.cy.id)
        .await
        .unwrap());
    assert!(!s
        .mark_interested(elsewhere.id, w.cy.id, w.bob.id)
        .await
        .unwrap());
    assert!(!s.are_connected(w.bob.id, w.cy.id).await.unwrap());
    assert_eq!(
        s.interested_in(w.event.id, w.bob.id).await.unwrap(),
        [w.cy.id]
    );
    assert!(s
        .interested_in(elsewhere.id, w.bob.id)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        s.interested_in(elsewhere.id, w.cy.id).await.unwrap(),
        [w.bob.id]
    );
    assert!(s
        .interested_in(w.event.id, w.cy.id)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(funnel(s, w.event.id).await, [(FunnelStage::Interested, 1)]);
    assert_eq!(
        funnel(s, elsewhere.id).await,
        [(FunnelStage::Interested, 1)]
    );

    // Mutual in the event where both said so; an existing connection
    // (Ada scanned Bob) is not doubled.
    s.connect(w.ada.id, w.bob.id, Some(w.event.id))
        .await
        .unwrap();
    assert!(!s
        .mark_interested(w.event.id, w.ada.id, w.bob.id)
        .await
        .unwrap());
    assert!(s
        .mark_interested(w.event.id, w.bob.id, w.ada.id)
        .await
        .unwrap());
    assert_eq!(s.my_connections(w.ada.id).await.unwrap().len(), 1);
    assert_eq!(
        funnel(s, w.event.id).await,
        [(FunnelStage::Interested, 3), (FunnelStage::Mutual, 2)]
    );
    assert_eq!(
        funnel(s, elsewhere.id).await,
        [(FunnelStage::Interested, 1)]
    );
}

async fn the_funnel_counts_each_pair_and_stage_once_in_stage_order(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    let dan = user(s, "Dan").await;
    let elsewhere = other_event(s, &w.ada).await;
    let ev = w.event.id;
    assert!(funnel(s, ev).await.is_empty());
    // Recorded out of stage order on purpose.
    s.record_funnel(ev, w.bob.id, &[w.cy.id, w.ada.id], FunnelStage::Met)
        .await
        .unwrap();
    s.record_funnel(ev, w.bob.id, &[w.cy.id], FunnelStage::Recommended)
        .await
        .unwrap();
    s.record_funnel(
        ev,
        w.bob.id,
        &[w.cy.id, w.ada.id, dan.id],
        FunnelStage::Recommended,
    )
    .await
    .unwrap();
    s.record_funnel(ev, w.cy.id, &[w.bob.id], FunnelStage::Recommended)
        .await
        .unwrap();
    s.record_funnel(ev, w.ada.id, &[], FunnelStage::MeetingRequested)
        .await
        .unwrap();
    s.record_funnel(
        ev,
        w.ada.id,
        &[w.cy.id, w.cy.id],
        FunnelStage::MeetingAccepted,
    )
    .await
    .unwrap();
    s.record_funnel(elsewhere.id, w.bob.id, &[w.cy.id], FunnelStage::Mutual)
        .await
        .unwrap();
    assert_eq!(
        funnel(s, ev).await,
        [
            (FunnelStage::Recommended, 4),
            (FunnelStage::MeetingAccepted, 1),
            (FunnelStage::Met, 2),
        ]
    );
    assert_eq!(funnel(s, elsewhere.id).await, [(FunnelStage::Mutual, 1)]);
    // Recording everything again counts nothing new.
    s.record_funnel(ev, w.bob.id, &[w.ada.id, w.cy.id], FunnelStage::Met)
        .await
        .unwrap();
    s.record_funnel(ev, w.cy.id, &[w.bob.id], FunnelStage::Recommended)
        .await
        .unwrap();
    assert_eq!(
        funnel(s, ev).await,
        [
            (FunnelStage::Recommended, 4),
            (FunnelStage::MeetingAccepted, 1),
            (FunnelStage::Met, 2),
        ]
    );
    assert!(funnel(s, EventId(Uuid::new_v4())).await.is_empty());
}

on_both_backends!(store:
    match_members_describe_every_member_of_the_event,
    blocked_with_lists_both_directions_once,
    dismissals_are_idempotent_and_kept_per_event,
    mutual_interest_connects_the_pair_once,
    interest_is_mutual_only_within_one_event,
    the_funnel_counts_each_pair_and_stage_once_in_stage_order,
);
