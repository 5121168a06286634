//! The `PushStore` contract (`app/src/ports/push.rs`): a device is stored
//! once by endpoint and belongs to whoever subscribed on it last; removing
//! is the owner's alone; the cap drops the least recently used device; a
//! gone endpoint is forgotten; deleting the account removes every device.

use crate::user;
use app::{
    domain::{PushAuth, PushEndpoint, PushKey},
    ports::{NewPushSubscription, Store, StoreError},
};
use base64::Engine;
use std::sync::Arc;

/// A device whose endpoint ends in `n`, with keys `k` (the keys' bytes).
fn device(n: usize, k: u8) -> NewPushSubscription {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut point = [k; 65];
    point[0] = 4;
    NewPushSubscription {
        endpoint: PushEndpoint::parse(&format!("https://push.example.org/send/{n}"), false)
            .unwrap(),
        p256dh: PushKey::parse(&b64.encode(point)).unwrap(),
        auth: PushAuth::parse(&b64.encode([k; 16])).unwrap(),
    }
}

async fn a_device_is_stored_once_and_moves_to_whoever_subscribed_last(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let (ada, bob) = (user(s, "Ada").await, user(s, "Bob").await);
    let first = s
        .save_push_subscription(ada.id, &device(1, 1), 10)
        .await
        .unwrap();
    assert_eq!(first.user, ada.id);
    assert_eq!(first.endpoint, "https://push.example.org/send/1");
    assert!(first.last_used_at.is_none());
    // The same browser subscribing again, with new keys: one row, updated.
    let again = s
        .save_push_subscription(ada.id, &device(1, 2), 10)
        .await
        .unwrap();
    assert_eq!(again.id, first.id);
    let mine = s.push_subscriptions(ada.id).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].p256dh, device(1, 2).p256dh.as_str());
    assert_eq!(mine[0].auth, device(1, 2).auth.as_str());
    // A shared phone: Bob signs in on it and turns notifications on. It
    // is his now, and Ada's notifications stop going there.
    let moved = s
        .save_push_subscription(bob.id, &device(1, 3), 10)
        .await
        .unwrap();
    assert_eq!(moved.user, bob.id);
    assert!(s.push_subscriptions(ada.id).await.unwrap().is_empty());
    assert_eq!(s.push_subscriptions(bob.id).await.unwrap().len(), 1);
}

async fn only_the_owner_removes_a_device(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let (ada, bob) = (user(s, "Ada").await, user(s, "Bob").await);
    s.save_push_subscription(ada.id, &device(1, 1), 10)
        .await
        .unwrap();
    s.save_push_subscription(ada.id, &device(2, 1), 10)
        .await
        .unwrap();
    let endpoint = device(1, 1).endpoint.as_str().to_owned();
    assert!(matches!(
        s.delete_push_subscription(bob.id, &endpoint).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(s.push_subscriptions(ada.id).await.unwrap().len(), 2);
    s.delete_push_subscription(ada.id, &endpoint).await.unwrap();
    let left = s.push_subscriptions(ada.id).await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].endpoint, "https://push.example.org/send/2");
    assert!(matches!(
        s.delete_push_subscription(ada.id, &endpoint).await,
        Err(StoreError::NotFound)
    ));
}

async fn past_the_cap_the_least_recently_used_device_is_dropped(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let ada = user(s, "Ada").await;
    let mut ids = Vec::new();
    for n in 0..3 {
        ids.push(
            s.save_push_subscription(ada.id, &device(n, 1), 3)
                .await
                .unwrap()
                .id,
        );
        // Distinct creation times on both backends.
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    // Device 0 is the oldest, but it was used just now; device 1 was not.
    s.push_delivered(ids[0], chrono::Utc::now()).await.unwrap();
    s.save_push_subscription(ada.id, &device(3, 1), 3)
        .await
        .unwrap();
    let left: Vec<String> = s
        .push_subscriptions(ada.id)
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.endpoint)
        .collect();
    assert_eq!(left.len(), 3, "{left:?}");
    assert!(
        !left.contains(&"https://push.example.org/send/1".to_owned()),
        "{left:?}"
    );
    assert!(left.contains(&"https://push.example.org/send/0".to_owned()));
    assert!(left.contains(&"https://push.example.org/send/3".to_owned()));
    // Re-subscribing a device already stored never drops another.
    s.save_push_subscription(ada.id, &device(3, 2), 3)
        .await
        .unwrap();
    assert_eq!(s.push_subscriptions(ada.id).await.unwrap().len(), 3);
}

async fn a_gone_endpoint_is_forgotten_and_delivery_is_recorded(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let ada = user(s, "Ada").await;
    let d = s
        .save_push_subscription(ada.id, &device(1, 1), 10)
        .await
        .unwrap();
    let at = chrono::Utc::now();
    s.push_delivered(d.id, at).await.unwrap();
    let seen = s.push_subscriptions(ada.id).await.unwrap()[0]
        .last_used_at
        .unwrap();
    assert!((seen - at).num_milliseconds().abs() < 2, "{seen} vs {at}");
    s.forget_push_endpoint(&d.endpoint).await.unwrap();
    assert!(s.push_subscriptions(ada.id).await.unwrap().is_empty());
    // Idempotent: the push service may say "gone" twice.
    s.forget_push_endpoint(&d.endpoint).await.unwrap();
}

async fn deleting_the_account_removes_its_devices(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let (ada, bob) = (user(s, "Ada").await, user(s, "Bob").await);
    s.save_push_subscription(ada.id, &device(1, 1), 10)
        .await
        .unwrap();
    s.save_push_subscription(ada.id, &device(2, 1), 10)
        .await
        .unwrap();
    s.save_push_subscription(bob.id, &device(3, 1), 10)
        .await
        .unwrap();
    s.delete_user(ada.id).await.unwrap();
    assert!(s.push_subscriptions(ada.id).await.unwrap().is_empty());
    assert_eq!(s.push_subscriptions(bob.id).await.unwrap().len(), 1);
    // Ada's old endpoint is free for someone else now.
    s.save_push_subscription(bob.id, &device(1, 1), 10)
        .await
        .unwrap();
    assert_eq!(s.push_subscriptions(bob.id).await.unwrap().len(), 2);
}

on_both_backends!(store:
    a_device_is_stored_once_and_moves_to_whoever_subscribed_last,
    only_the_owner_removes_a_device,
    past_the_cap_the_least_recently_used_device_is_dropped,
    a_gone_endpoint_is_forgotten_and_delivery_is_recorded,
    deleting_the_account_removes_its_devices,
);
