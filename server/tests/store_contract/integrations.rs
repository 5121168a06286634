//! The `IntegrationStore` contract (`app/src/ports/integrations.rs`): API
//! tokens, webhooks and the webhook delivery outbox.

use crate::{new_event, user};
use app::{
    domain::{EventId, UserId, WebhookKind, WebhookUrl},
    ports::{
        AttemptOutcome, DeliveryStatus, NewApiToken, NewDelivery, NewWebhook, Store, StoreError,
    },
};
use chrono::{Duration, Utc};
use std::sync::Arc;

fn token(event: EventId, by: UserId, name: &str, hash: &str) -> NewApiToken {
    NewApiToken {
        event,
        created_by: by,
        name: name.into(),
        prefix: format!("rpt_{name}"),
        token_hash: hash.into(),
    }
}

async fn api_tokens(store: Arc<dyn Store>) {
    let ada = user(store.as_ref(), "Ada").await;
    let conf = store
        .create_event(
            new_event("Conf", "conf-0101", "t-101", "ABCD2347", "2026-05-14"),
            ada.id,
        )
        .await
        .unwrap();
    let other = store
        .create_event(
            new_event("Other", "other-0102", "t-102", "ABCD2348", "2026-05-14"),
            ada.id,
        )
        .await
        .unwrap();
    let a = store
        .create_api_token(&token(conf.id, ada.id, "a", "h-a"))
        .await
        .unwrap();
    assert_eq!(
        (a.event, a.name.as_str(), a.prefix.as_str()),
        (conf.id, "a", "rpt_a")
    );
    assert_eq!((a.last_used_at, a.revoked_at), (None, None));
    let b = store
        .create_api_token(&token(conf.id, ada.id, "b", "h-b"))
        .await
        .unwrap();
    store
        .create_api_token(&token(other.id, ada.id, "c", "h-c"))
        .await
        .unwrap();
    // A hash is unique.
    assert!(matches!(
        store
            .create_api_token(&token(conf.id, ada.id, "dup", "h-a"))
            .await,
        Err(StoreError::Conflict(_))
    ));

    let listed = store.api_tokens(conf.id).await.unwrap();
    let ids: Vec<_> = listed.iter().map(|t| t.id).collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&a.id) && ids.contains(&b.id));
    assert_eq!(
        store.api_token_by_hash("h-a").await.unwrap(),
        Some(a.clone())
    );
    assert_eq!(store.api_token_by_hash("nope").await.unwrap(), None);

    let at = Utc::now();
    store.touch_api_token(a.id, at).await.unwrap();
    let used = store.api_token_by_hash("h-a").await.unwrap().unwrap();
    assert!((used.last_used_at.unwrap() - at).num_milliseconds().abs() < 2);

    // Another event cannot revoke it; its own event can, once.
    assert!(matches!(
        store.revoke_api_token(other.id, a.id).await,
        Err(StoreError::NotFound)
    ));
    store.revoke_api_token(conf.id, a.id).await.unwrap();
    let revoked = store.api_token_by_hash("h-a").await.unwrap().unwrap();
    let first = revoked.revoked_at.expect("revoked");
    store.revoke_api_token(conf.id, a.id).await.unwrap();
    assert_eq!(
        store
            .api_token_by_hash("h-a")
            .await
            .unwrap()
            .unwrap()
            .revoked_at,
        Some(first)
    );
    assert_eq!(
        store
            .api_token_by_hash("h-b")
            .await
            .unwrap()
            .unwrap()
            .revoked_at,
        None
    );
}

fn delivery(
    event: EventId,
    webhook: uuid::Uuid,
    body: &str,
    at: chrono::DateTime<Utc>,
) -> NewDelivery {
    NewDelivery {
        id: uuid::Uuid::new_v4(),
        webhook,
        event,
        kind: WebhookKind::Checkin,
        body: body.into(),
        created_at: at,
    }
}

async fn webhooks_and_deliveries(store: Arc<dyn Store>) {
    let ada = user(store.as_ref(), "Ada").await;
    let conf = store
        .create_event(
            new_event("Conf", "conf-0103", "t-103", "ABCD2349", "2026-05-14"),
            ada.id,
        )
        .await
        .unwrap();
    let other = store
        .create_event(
            new_event("Other", "other-0104", "t-104", "ABCD2352", "2026-05-14"),
            ada.id,
        )
        .await
        .unwrap();
    let hook = store
        .create_webhook(&NewWebhook {
            event: conf.id,
            url: WebhookUrl::parse("https://crm.example/hook").unwrap(),
            kinds: vec![WebhookKind::Checkin, WebhookKind::MemberJoined],
            secret: "whsec_1".into(),
        })
        .await
        .unwrap();
    assert_eq!(
        hook.kinds,
        vec![WebhookKind::Checkin, WebhookKind::MemberJoined]
    );
    assert_eq!(store.webhooks(conf.id).await.unwrap(), vec![hook.clone()]);
    assert!(store.webhooks(other.id).await.unwrap().is_empty());

    // Enqueued deliveries are due at once and claimed once.
    let t0 = Utc::now() - Duration::seconds(1);
    let d1 = delivery(conf.id, hook.id, r#"{"n":1}"#, t0);
    let d2 = delivery(
        conf.id,
        hook.id,
        r#"{"n":2}"#,
        t0 + Duration::milliseconds(5),
    );
    // A delivery naming another event's webhook is not written.
    let stray = delivery(other.id, hook.id, r#"{"n":3}"#, t0);
    store
        .enqueue_deliveries(&[d1.clone(), d2.clone(), stray.clone()])
        .await
        .unwrap();
    let now = Utc::now();
    let lease = now + Duration::seconds(60);
    let jobs = store.claim_due_deliveries(now, lease, 10).await.unwrap();
    let mut ids: Vec<_> = jobs.iter().map(|j| j.id).collect();
    ids.sort();
    let mut want = vec![d1.id, d2.id];
    want.sort();
    assert_eq!(ids, want);
    let j1 = jobs.iter().find(|j| j.id == d1.id).unwrap();
    assert_eq!(
        (
            j1.url.as_str(),
            j1.secret.as_str(),
            j1.body.as_str(),
            j1.attempts
        ),
        ("https://crm.example/hook", "whsec_1", r#"{"n":1}"#, 0)
    );
    // Leased: not claimable again until the lease runs out.
    assert!(store
        .claim_due_deliveries(now, lease, 10)
        .await
        .unwrap()
        .is_empty());

    // d1 fails and is retried later; d2 is delivered.
    let retry_at = now + Duration::seconds(120);
    store
        .finish_attempt(
            d1.id,
            &AttemptOutcome::Retry {
                error: "HTTP 500".into(),
                next_at: retry_at,
            },
        )
        .await
        .unwrap();
    store
        .finish_attempt(d2.id, &AttemptOutcome::Delivered { at: now })
        .await
        .unwrap();
    assert!(store
        .claim_due_deliveries(
            now + Duration::seconds(119),
            now + Duration::seconds(200),
            10
        )
        .await
        .unwrap()
        .is_empty());
    let again = store
        .claim_due_deliveries(
            now + Duration::seconds(121),
            now + Duration::seconds(200),
            10,
        )
        .await
        .unwrap();
    assert_eq!(
        again.iter().map(|j| (j.id, j.attempts)).collect::<Vec<_>>(),
        vec![(d1.id, 1)]
    );
    store
        .finish_attempt(
            d1.id,
            &AttemptOutcome::GaveUp {
                error: "HTTP 502".into(),
            },
        )
        .await
        .unwrap();
    assert!(store
        .claim_due_deliveries(now + Duration::days(1), now + Duration::days(2), 10)
        .await
        .unwrap()
        .is_empty());

    let recent = store.recent_deliveries(conf.id, 10).await.unwrap();
    assert_eq!(recent.len(), 2);
    assert_eq!(recent[0].id, d2.id, "newest first");
    assert_eq!(recent[0].status, DeliveryStatus::Delivered);
    assert_eq!(recent[0].attempts, 1);
    assert!(recent[0].delivered_at.is_some());
    assert_eq!(recent[1].status, DeliveryStatus::Failed);
    assert_eq!(recent[1].attempts, 2);
    assert_eq!(recent[1].last_error.as_deref(), Some("HTTP 502"));
    assert_eq!(recent[1].url, "https://crm.example/hook");
    assert_eq!(recent[1].kind, WebhookKind::Checkin);
    assert!(store
        .recent_deliveries(other.id, 10)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(store.recent_deliveries(conf.id, 1).await.unwrap().len(), 1);
    assert!(matches!(
        store
            .finish_attempt(
                uuid::Uuid::new_v4(),
                &AttemptOutcome::GaveUp { error: "x".into() }
            )
            .await,
        Err(StoreError::NotFound)
    ));

    // Removing a webhook: only from its own event, and its deliveries go too.
    assert!(matches!(
        store.delete_webhook(other.id, hook.id).await,
        Err(StoreError::NotFound)
    ));
    store.delete_webhook(conf.id, hook.id).await.unwrap();
    assert!(store.webhooks(conf.id).await.unwrap().is_empty());
    assert!(store
        .recent_deliveries(conf.id, 10)
        .await
        .unwrap()
        .is_empty());
}

on_both_backends!(store: api_tokens, webhooks_and_deliveries);
