//! The `BadgeStore` contract (`app/src/ports/badges.rs`): badges issued,
//! reissued and looked up by token and code, scans recorded (check-ins,
//! connections, replays, refusals) and counted, scan approval, and what
//! removing a member does to their badge.

use crate::{other_event, user, world};
use app::{
    domain::{
        now_utc, BadgeCode, BadgeToken, ClientNonce, ConnectionMethod, EventId, ProfileField,
        ProfileForm, ProfileInput, Role, ScanMode, ScanOutcome, TagSet, UserId, Visibility,
        VisibilitySettings,
    },
    ports::{
        Badge, BadgeLookup, ConnectionNote, Event, NewScan, ScanRecord, Store, StoreError, User,
    },
    service::tokens::{badge_code, badge_token},
};
use chrono::{Duration, Utc};
use std::sync::Arc;
use uuid::Uuid;

fn token(raw: &str) -> BadgeToken {
    BadgeToken::parse(raw).unwrap()
}

fn code(raw: &str) -> BadgeCode {
    BadgeCode::parse(raw).unwrap()
}

async fn issue(store: &dyn Store, event: &Event, u: &User) -> Badge {
    store
        .issue_badge(event.id, u.id, &badge_token(), &badge_code())
        .await
        .unwrap()
}

/// A scan now, with no nonce, by the in-app scanner; check-ins of the
/// last day count as today's.
pub(crate) fn scan(event: &Event, scanner: &User, target: &User, outcome: ScanOutcome) -> NewScan {
    let mode = match outcome {
        ScanOutcome::CheckedIn | ScanOutcome::AlreadyCheckedIn => ScanMode::CheckIn,
        ScanOutcome::CheckedOut | ScanOutcome::NotCheckedIn => ScanMode::CheckOut,
        _ => ScanMode::Connect,
    };
    NewScan {
        id: Uuid::new_v4(),
        event: Some(event.id),
        scanner: scanner.id,
        target: Some(target.id),
        method: ConnectionMethod::Scanner,
        mode,
        outcome,
        nonce: None,
        scanned_at: now_utc(),
        today_from: now_utc() - Duration::days(1),
    }
}

pub(crate) async fn record(store: &dyn Store, scan: NewScan) -> ScanRecord {
    store.record_scan(&scan).await.unwrap()
}

/// The event's scan counts as (outcome name, count), sorted by name.
async fn counts(store: &dyn Store, event: EventId) -> Vec<(&'static str, u64)> {
    let mut counts: Vec<_> = store
        .scan_counts(event)
        .await
        .unwrap()
        .into_iter()
        .map(|(o, n)| (o.as_str(), n))
        .collect();
    counts.sort();
    counts
}

async fn a_first_badge_is_stored_and_found_by_token_and_code(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    assert_eq!(s.badge(w.event.id, w.bob.id).await.unwrap(), None);
    let before = now_utc();
    let badge = issue(s, &w.event, &w.bob).await;
    assert_eq!((badge.event, badge.user), (w.event.id, w.bob.id));
    assert!(badge.issued_at >= before && badge.issued_at <= Utc::now());
    assert_eq!(
        s.badge(w.event.id, w.bob.id).await.unwrap(),
        Some(badge.clone())
    );
    assert_eq!(
        s.badge_by_token(&badge.token).await.unwrap(),
        Some(BadgeLookup::Current(badge.clone()))
    );
    assert_eq!(
        s.badge_by_code(w.event.id, &badge.code).await.unwrap(),
        Some(BadgeLookup::Current(badge.clone()))
    );
    assert_eq!(s.badge_by_token(&badge_token()).await.unwrap(), None);
    let elsewhere = other_event(s, &w.ada).await;
    assert_eq!(
        s.badge_by_code(elsewhere.id, &badge.code).await.unwrap(),
        None,
        "a code is looked up within its event"
    );
}

async fn only_members_get_a_badge(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    let outsider = user(s, "Outsider").await;
    let tok = badge_token();
    let res = s
        .issue_badge(w.event.id, outsider.id, &tok, &badge_code())
        .await;
    assert!(matches!(res, Err(StoreError::NotFound)), "{res:?}");
    assert_eq!(s.badge(w.event.id, outsider.id).await.unwrap(), None);
    assert_eq!(s.badge_by_token(&tok).await.unwrap(), None);
}

async fn reissuing_a_badge_revokes_the_old_token_and_code(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    let old = issue(s, &w.event, &w.bob).await;
    let new = issue(s, &w.event, &w.bob).await;
    assert_ne!((&new.token, &new.code), (&old.token, &old.code));
    assert_eq!(
        s.badge(w.event.id, w.bob.id).await.unwrap(),
        Some(new.clone())
    );
    let revoked = BadgeLookup::Revoked {
        event: w.event.id,
        user: w.bob.id,
    };
    assert_eq!(
        s.badge_by_token(&old.token).await.unwrap(),
        Some(revoked.clone())
    );
    assert_eq!(
        s.badge_by_code(w.event.id, &old.code).await.unwrap(),
        Some(revoked.clone())
    );
    assert_eq!(
        s.badge_by_token(&new.token).await.unwrap(),
        Some(BadgeLookup::Current(new.clone()))
    );
    assert_eq!(
        s.badge_by_code(w.event.id, &new.code).await.unwrap(),
        Some(BadgeLookup::Current(new.clone()))
    );
    // A third issue revokes the second as well; the first stays revoked.
    let third = issue(s, &w.event, &w.bob).await;
    for t in [&old.token, &new.token] {
        assert_eq!(s.badge_by_token(t).await.unwrap(), Some(revoked.clone()));
    }
    assert_eq!(
        s.badge_by_token(&third.token).await.unwrap(),
        Some(BadgeLookup::Current(third))
    );
}

async fn a_badge_code_is_unique_within_its_event_only(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    let shared = code("K7PMQ2XR");
    let bobs = s
        .issue_badge(w.event.id, w.bob.id, &badge_token(), &shared)
        .await
        .unwrap();
    let clash = s
        .issue_badge(w.event.id, w.cy.id, &badge_token(), &shared)
        .await;
    assert!(
        matches!(clash, Err(StoreError::Conflict("badge code"))),
        "{clash:?}"
    );
    assert_eq!(s.badge(w.event.id, w.cy.id).await.unwrap(), None);

    // A reissue that clashes changes nothing: the current badge stays.
    let cys = issue(s, &w.event, &w.cy).await;
    let clash = s
        .issue_badge(w.event.id, w.cy.id, &badge_token(), &shared)
        .await;
    assert!(
        matches!(clash, Err(StoreError::Conflict("badge code"))),
        "{clash:?}"
    );
    assert_eq!(
        s.badge_by_token(&cys.token).await.unwrap(),
        Some(BadgeLookup::Current(cys.clone())),
        "a failed reissue does not revoke"
    );

    let elsewhere = other_event(s, &w.ada).await;
    let there = s
        .issue_badge(elsewhere.id, w.ada.id, &badge_token(), &shared)
        .await
        .unwrap();
    assert_eq!(
        s.badge_by_code(elsewhere.id, &shared).await.unwrap(),
        Some(BadgeLookup::Current(there))
    );
    assert_eq!(
        s.badge_by_code(w.event.id, &shared).await.unwrap(),
        Some(BadgeLookup::Current(bobs))
    );
}

async fn a_badge_token_is_unique_everywhere(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    let shared = token("Ab3_-x9ZQ7mK2pR8sT4uVw");
    let bobs = s
        .issue_badge(w.event.id, w.bob.id, &shared, &badge_code())
        .await
        .unwrap();
    let clash = s
        .issue_badge(w.event.id, w.cy.id, &shared, &badge_code())
        .await;
    assert!(
        matches!(clash, Err(StoreError::Conflict("badge token"))),
        "{clash:?}"
    );
    let elsewhere = other_event(s, &w.ada).await;
    let clash = s
        .issue_badge(elsewhere.id, w.ada.id, &shared, &badge_code())
        .await;
    assert!(
        matches!(clash, Err(StoreError::Conflict("badge token"))),
        "{clash:?}"
    );
    assert_eq!(s.badge(w.event.id, w.cy.id).await.unwrap(), None);
    assert_eq!(s.badge(elsewhere.id, w.ada.id).await.unwrap(), None);
    assert_eq!(
        s.badge_by_token(&shared).await.unwrap(),
        Some(BadgeLookup::Current(bobs))
    );
}

async fn members_without_badge_lists_exactly_those_lacking_one(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    let dan = user(s, "Dan").await;
    let elsewhere = other_event(s, &dan).await;
    let sorted = |mut ids: Vec<UserId>| {
        ids.sort_by_key(|u| u.0);
        ids
    };
    assert_eq!(
        sorted(s.members_without_badge(w.event.id).await.unwrap()),
        sorted(vec![w.ada.id, w.bob.id, w.cy.id])
    );
    issue(s, &w.event, &w.bob).await;
    assert_eq!(
        sorted(s.members_without_badge(w.event.id).await.unwrap()),
        sorted(vec![w.ada.id, w.cy.id])
    );
    issue(s, &w.event, &w.ada).await;
    issue(s, &w.event, &w.cy).await;
    assert!(s
        .members_without_badge(w.event.id)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        s.members_without_badge(elsewhere.id).await.unwrap(),
        [dan.id]
    );
}

async fn badge_holders_come_by_name_with_role_filter_tags_and_visibility(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    let zoe = user(s, "Zoë").await;
    s.add_member(w.event.id, zoe.id, Role::Staff).await.unwrap();
    let form = ProfileForm {
        display_name: "bob".into(),
        pronouns: "he/him".into(),
        headline: "Builds engines".into(),
        company: "Crab Corp".into(),
        ..Default::default()
    };
    s.update_profile(w.bob.id, &ProfileInput::parse(&form).unwrap())
        .await
        .unwrap();
    let tags = TagSet::parse("rust", "mentoring", "").unwrap();
    s.set_tags(w.bob.id, &tags).await.unwrap();
    let mut vis = VisibilitySettings::default();
    vis.set(ProfileField::Company, Visibility::OnlyMe);
    s.set_visibility(w.bob.id, &vis).await.unwrap();
    // Cy has no badge and is left out.
    let zoes = issue(s, &w.event, &zoe).await;
    let bobs = issue(s, &w.event, &w.bob).await;
    let adas = issue(s, &w.event, &w.ada).await;

    let all = s.badge_holders(w.event.id, None).await.unwrap();
    let names: Vec<_> = all.iter().map(|h| h.display_name.as_str()).collect();
    assert_eq!(names, ["Ada", "bob", "Zoë"]);
    assert_eq!(
        all.iter().map(|h| h.badge.clone()).collect::<Vec<_>>(),
        [adas, bobs, zoes]
    );
    let bob = &all[1];
    assert_eq!(bob.role, Role::Attendee);
    assert_eq!(
        (
            bob.pronouns.as_str(),
            bob.headline.as_str(),
            bob.company.as_str()
        ),
        ("he/him", "Builds engines", "Crab Corp")
    );
    assert_eq!(bob.tags, tags);
    assert_eq!(bob.visibility, vis);
    assert!(all[0].tags.is_empty());
    assert_eq!(all[0].role, Role::Organizer);

    let roles = |r: Role| async move {
        s.badge_holders(w.event.id, Some(r))
            .await
            .unwrap()
            .into_iter()
            .map(|h| h.display_name)
            .collect::<Vec<_>>()
    };
    assert_eq!(roles(Role::Staff).await, ["Zoë"]);
    assert_eq!(roles(Role::Attendee).await, ["bob"]);
    assert_eq!(roles(Role::Organizer).await, ["Ada"]);
}

async fn a_connected_scan_connects_the_pair_once(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    let first = record(s, scan(&w.event, &w.bob, &w.cy, ScanOutcome::Connected)).await;
    assert_eq!(first.outcome, ScanOutcome::Connected);
    assert!(s.are_connected(w.cy.id, w.bob.id).await.unwrap());
    assert_eq!(
        s.connections_of(w.bob.id).await.unwrap(),
        [(w.cy.id, "Cy".to_owned())]
    );
    let mine = s.my_connections(w.cy.id).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].other.id, w.bob.id);
    assert_eq!(
        mine[0].event,
        Some(("Conf".to_owned(), w.event.slug.clone()))
    );
    assert_eq!(mine[0].method, ConnectionMethod::Scanner);
    assert_eq!(mine[0].note, ConnectionNote::default());

    // Again, either way round: settled as already connected, one row.
    let again = record(s, scan(&w.event, &w.cy, &w.bob, ScanOutcome::Connected)).await;
    assert_eq!(again.outcome, ScanOutcome::AlreadyConnected);
    assert_eq!(s.my_connections(w.cy.id).await.unwrap().len(), 1);
    assert_eq!(s.connections_of(w.bob.id).await.unwrap().len(), 1);
    assert_eq!(
        counts(s, w.event.id).await,
        [("already_connected", 1), ("connected", 1)]
    );
}

async fn a_scan_record_keeps_what_was_given_and_reads_back_the_same(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    // An offline scan synced an hour later keeps its device time.
    let scanned_at = now_utc() - Duration::hours(1);
    let new = NewScan {
        method: ConnectionMethod::Offline,
        nonce: Some(ClientNonce::parse("offline-0001").unwrap()),
        scanned_at,
        ..scan(&w.event, &w.bob, &w.cy, ScanOutcome::Connected)
    };
    let before = now_utc();
    let rec = record(s, new.clone()).await;
    let after = Utc::now();
    assert_eq!(rec.id, new.id);
    assert_eq!(rec.event, Some(w.event.id));
    assert_eq!((rec.scanner, rec.target), (Some(w.bob.id), Some(w.cy.id)));
    assert_eq!(
        (rec.method, rec.mode, rec.outcome),
        (
            ConnectionMethod::Offline,
            ScanMode::Connect,
            ScanOutcome::Connected
        )
    );
    assert_eq!(rec.scanned_at, scanned_at);
    assert!(
        rec.recorded_at >= before && rec.recorded_at <= after,
        "{rec:?}"
    );
    assert_eq!(rec.checked_in_at, None);
    assert_eq!(s.scan(rec.id).await.unwrap(), Some(rec.clone()));
    assert_eq!(s.scan(Uuid::new_v4()).await.unwrap(), None);
    assert_eq!(
        s.my_connections(w.bob.id).await.unwrap()[0].method,
        ConnectionMethod::Offline
    );
}

async fn a_replayed_nonce_returns_the_first_record_and_changes_nothing(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    let nonce = ClientNonce::parse("3f2a9c1e-0b7d-4a55").unwrap();
    let first = record(
        s,
        NewScan {
            nonce: Some(nonce.clone()),
            ..scan(&w.event, &w.bob, &w.cy, ScanOutcome::Connected)
        },
    )
    .await;
    assert_eq!(first.outcome, ScanOutcome::Connected);
    let counted = counts(s, w.event.id).await;

    // The same scan sent again (lost response) and a different attempt
    // under the same nonce both answer with the first record.
    for outcome in [ScanOutcome::Connected, ScanOutcome::Requested] {
        let replay = NewScan {
            nonce: Some(nonce.clone()),
            ..scan(&w.event, &w.bob, &w.ada, outcome)
        };
        let again = record(s, replay.clone()).await;
        assert_eq!(again, first, "{outcome:?}");
        assert_eq!(s.scan(replay.id).await.unwrap(), None);
    }
    assert_eq!(counts(s, w.event.id).await, counted);
    assert!(!s.are_connected(w.bob.id, w.ada.id).await.unwrap());
    assert!(s.incoming_requests(w.ada.id).await.unwrap().is_empty());
}

async fn the_same_nonce_from_another_scanner_is_another_scan(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    let nonce = ClientNonce::parse("same-nonce-01").unwrap();
    let bobs = record(
        s,
        NewScan {
            nonce: Some(nonce.clone()),
            ..scan(&w.event, &w.bob, &w.cy, ScanOutcome::Connected)
        },
    )
    .await;
    let adas = record(
        s,
        NewScan {
            nonce: Some(nonce),
            ..scan(&w.event, &w.ada, &w.cy, ScanOutcome::Connected)
        },
    )
    .await;
    assert_ne!(adas.id, bobs.id);
    assert_eq!(adas.scanner, Some(w.ada.id));
    assert_eq!(adas.outcome, ScanOutcome::Connected);
    assert!(s.are_connected(w.ada.id, w.cy.id).await.unwrap());
    assert_eq!(counts(s, w.event.id).await, [("connected", 2)]);
}

async fn a_check_in_keeps_the_first_time(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    let first_at = now_utc() - Duration::minutes(10);
    let first = record(
        s,
        NewScan {
            scanned_at: first_at,
            ..scan(&w.event, &w.ada, &w.bob, ScanOutcome::CheckedIn)
        },
    )
    .await;
    assert_eq!(first.outcome, ScanOutcome::CheckedIn);
    assert_eq!(first.mode, ScanMode::CheckIn);
    assert_eq!(first.checked_in_at, Some(first_at));
    let m = s.membership(w.event.id, w.bob.id).await.unwrap().unwrap();
    assert_eq!(m.checked_in_at, Some(first_at));
    assert_eq!(
        s.membership(w.event.id, w.cy.id)
            .await
            .unwrap()
            .unwrap()
            .checked_in_at,
        None
    );

    let second = record(s, scan(&w.event, &w.ada, &w.bob, ScanOutcome::CheckedIn)).await;
    assert_eq!(second.outcome, ScanOutcome::AlreadyCheckedIn);
    assert_eq!(second.checked_in_at, Some(first_at), "the original time");
    assert!(second.scanned_at > first_at);
    assert_eq!(
        s.membership(w.event.id, w.bob.id)
            .await
            .unwrap()
            .unwrap()
            .checked_in_at,
        Some(first_at)
    );
    assert_eq!(s.scan(second.id).await.unwrap(), Some(second));
    assert!(!s.are_connected(w.ada.id, w.bob.id).await.unwrap());
    assert_eq!(
        counts(s, w.event.id).await,
        [("already_checked_in", 1), ("checked_in", 1)]
    );
}

async fn refused_scans_are_recorded_without_effect(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    for outcome in [
        ScanOutcome::Blocked,
        ScanOutcome::OptedOut,
        ScanOutcome::OwnBadge,
        ScanOutcome::NotStaff,
    ] {
        let rec = record(s, scan(&w.event, &w.ada, &w.bob, outcome)).await;
        assert_eq!(rec.outcome, outcome);
        assert_eq!(rec.checked_in_at, None);
        assert_eq!(s.scan(rec.id).await.unwrap(), Some(rec));
    }
    let unknown = NewScan {
        event: None,
        target: None,
        ..scan(&w.event, &w.cy, &w.bob, ScanOutcome::Unknown)
    };
    let rec = record(s, unknown).await;
    assert_eq!((rec.event, rec.target), (None, None));
    assert_eq!(rec.scanner, Some(w.cy.id));
    assert_eq!(rec.outcome, ScanOutcome::Unknown);
    assert_eq!(s.scan(rec.id).await.unwrap(), Some(rec));

    assert!(!s.are_connected(w.ada.id, w.bob.id).await.unwrap());
    assert!(s.incoming_requests(w.bob.id).await.unwrap().is_empty());
    assert_eq!(
        s.membership(w.event.id, w.bob.id)
            .await
            .unwrap()
            .unwrap()
            .checked_in_at,
        None
    );
    assert_eq!(
        counts(s, w.event.id).await,
        [
            ("blocked", 1),
            ("not_staff", 1),
            ("opted_out", 1),
            ("own_badge", 1)
        ],
        "a scan of no event is in no event's counts"
    );
}

async fn scan_counts_group_by_outcome_per_event(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    assert!(s.scan_counts(w.event.id).await.unwrap().is_empty());
    record(s, scan(&w.event, &w.ada, &w.bob, ScanOutcome::Connected)).await;
    record(s, scan(&w.event, &w.ada, &w.cy, ScanOutcome::Connected)).await;
    record(s, scan(&w.event, &w.bob, &w.cy, ScanOutcome::Blocked)).await;
    record(s, scan(&w.event, &w.cy, &w.ada, ScanOutcome::Connected)).await;
    let elsewhere = other_event(s, &w.ada).await;
    s.add_member(elsewhere.id, w.bob.id, Role::Attendee)
        .await
        .unwrap();
    record(s, scan(&elsewhere, &w.bob, &w.ada, ScanOutcome::Connected)).await;
    assert_eq!(
        counts(s, w.event.id).await,
        [("already_connected", 1), ("blocked", 1), ("connected", 2)]
    );
    assert_eq!(counts(s, elsewhere.id).await, [("already_connected", 1)]);
}

async fn approve_scans_toggles_for_members_only(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    let approves = |u: UserId| async move {
        s.membership(w.event.id, u)
            .await
            .unwrap()
            .unwrap()
            .approve_scans
    };
    assert!(!approves(w.bob.id).await, "off by default");
    s.set_approve_scans(w.event.id, w.bob.id, true)
        .await
        .unwrap();
    assert!(approves(w.bob.id).await);
    assert!(!approves(w.cy.id).await, "only Bob's");
    s.set_approve_scans(w.event.id, w.bob.id, false)
        .await
        .unwrap();
    assert!(!approves(w.bob.id).await);
    let outsider = user(s, "Outsider").await;
    let res = s.set_approve_scans(w.event.id, outsider.id, true).await;
    assert!(matches!(res, Err(StoreError::NotFound)), "{res:?}");
}

async fn removing_a_member_stops_their_badge(store: Arc<dyn Store>) {
    let w = world(store).await;
    let s = w.store.as_ref();
    let old = issue(s, &w.event, &w.bob).await;
    let current = issue(s, &w.event, &w.bob).await;
    let cys = issue(s, &w.event, &w.cy).await;
    s.remove_member(w.event.id, w.bob.id).await.unwrap();
    assert_eq!(s.membership(w.event.id, w.bob.id).await.unwrap(), None);
    assert_eq!(s.member_role(w.event.id, w.bob.id).await.unwrap(), None);
    assert_eq!(s.badge(w.event.id, w.bob.id).await.unwrap(), None);
    for t in [&old.token, &current.token] {
        assert_eq!(s.badge_by_token(t).await.unwrap(), None);
    }
    for c in [&old.code, &current.code] {
        assert_eq!(s.badge_by_code(w.event.id, c).await.unwrap(), None);
    }
    assert_eq!(
        s.badge_by_token(&cys.token).await.unwrap(),
        Some(BadgeLookup::Current(cys)),
        "other badges stay"
    );
    let res = s.remove_member(w.event.id, w.bob.id).await;
    assert!(matches!(res, Err(StoreError::NotFound)), "{res:?}");
    let outsider = user(s, "Outsider").await;
    let res = s.remove_member(w.event.id, outsider.id).await;
    assert!(matches!(res, Err(StoreError::NotFound)), "{res:?}");
    // Rejoining starts without a badge.
    s.add_member(w.event.id, w.bob.id, Role::Attendee)
        .await
        .unwrap();
    assert_eq!(s.badge(w.event.id, w.bob.id).await.unwrap(), None);
    assert_eq!(s.badge_by_token(&old.token).await.unwrap(), None);
}

on_both_backends!(store:
    a_first_badge_is_stored_and_found_by_token_and_code,
    only_members_get_a_badge,
    reissuing_a_badge_revokes_the_old_token_and_code,
    a_badge_code_is_unique_within_its_event_only,
    a_badge_token_is_unique_everywhere,
    members_without_badge_lists_exactly_those_lacking_one,
    badge_holders_come_by_name_with_role_filter_tags_and_visibility,
    a_connected_scan_connects_the_pair_once,
    a_scan_record_keeps_what_was_given_and_reads_back_the_same,
    a_replayed_nonce_returns_the_first_record_and_changes_nothing,
    the_same_nonce_from_another_scanner_is_another_scan,
    a_check_in_keeps_the_first_time,
    refused_scans_are_recorded_without_effect,
    scan_counts_group_by_outcome_per_event,
    approve_scans_toggles_for_members_only,
    removing_a_member_stops_their_badge,
);
