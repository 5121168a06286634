//! Web Push: the devices people asked to be notified on ([`PushStore`]) and
//! the way out to their push services ([`Pusher`], implemented by the
//! server with VAPID signing and RFC 8291 encryption). Which notices are
//! pushed, to whom, and what happens after a push service answered is
//! decided in `service/push.rs`.

use super::error::StoreResult;
use crate::domain::{PushAuth, PushEndpoint, PushKey, UserId};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::{future::Future, pin::Pin};
use uuid::Uuid;

/// One device's subscription, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PushSubscription {
    /// Opaque row id (never shown: people name a device by its endpoint).
    pub id: Uuid,
    /// Whose device it is: the person who subscribed on it last.
    pub user: UserId,
    /// The push service's URL for the device (validated when stored).
    pub endpoint: String,
    /// The device's public key and auth secret (base64url), which every
    /// payload is encrypted to.
    pub p256dh: String,
    pub auth: String,
    pub created_at: DateTime<Utc>,
    /// The last delivery the push service accepted, if any.
    pub last_used_at: Option<DateTime<Utc>>,
}

/// What a browser sent to subscribe one device, validated.
#[derive(Clone, Debug)]
pub struct NewPushSubscription {
    pub endpoint: PushEndpoint,
    pub p256dh: PushKey,
    pub auth: PushAuth,
}

/// The devices people asked to be notified on.
#[async_trait]
pub trait PushStore: Send + Sync {
    /// Stores `sub` as `user`'s. An endpoint already stored (the same
    /// device subscribing again, perhaps for someone else now: a shared
    /// phone) is updated and moved to `user`. When `user` then has more
    /// than `cap` devices, the least recently used are dropped, in the
    /// same transaction.
    async fn save_push_subscription(
        &self,
        user: UserId,
        sub: &NewPushSubscription,
        cap: usize,
    ) -> StoreResult<PushSubscription>;
    /// `user`'s devices, oldest first.
    async fn push_subscriptions(&self, user: UserId) -> StoreResult<Vec<PushSubscription>>;
    /// Removes `user`'s device `endpoint`; `NotFound` if `user` has no such
    /// device (someone else's stays as it is).
    async fn delete_push_subscription(&self, user: UserId, endpoint: &str) -> StoreResult<()>;
    /// Forgets `endpoint` whoever it belongs to: its push service said it
    /// is gone (HTTP 404 or 410). Idempotent.
    async fn forget_push_endpoint(&self, endpoint: &str) -> StoreResult<()>;
    /// Records that a push to subscription `id` was accepted at `at`.
    async fn push_delivered(&self, id: Uuid, at: DateTime<Utc>) -> StoreResult<()>;
}

/// How urgent a push is (the `Urgency` header, RFC 8030 §5.3): a phone in
/// power-saving mode delivers `High` at once and may hold `Normal` back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PushUrgency {
    Normal,
    High,
}

/// What a push service answered to one push.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PushOutcome {
    /// Accepted (2xx): the service will deliver it when it can.
    Delivered,
    /// The subscription is gone for good (404, 410): forget it.
    Gone,
    /// Anything else (refused, timed out, unreachable, not allowed); the
    /// text is for the log only.
    Failed(String),
}

/// A background task the server keeps track of (so shutdown waits for it).
pub type PushTask = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// The way out to push services.
#[async_trait]
pub trait Pusher: Send + Sync + 'static {
    /// The VAPID public key (base64url of the uncompressed P-256 point),
    /// which a browser needs to subscribe (`applicationServerKey`).
    fn public_key(&self) -> String;
    /// Whether subscriptions may point at loopback addresses (tests' own
    /// push service); never any other private address.
    fn allow_loopback(&self) -> bool;
    /// Runs `task` in the background, tracked by the server's shutdown.
    fn spawn(&self, task: PushTask);
    /// Encrypts `payload` to `sub`'s keys, signs with the VAPID key, and
    /// POSTs it to the endpoint once (bounded by a timeout).
    async fn send(
        &self,
        sub: &PushSubscription,
        payload: &[u8],
        ttl_secs: u32,
        urgency: PushUrgency,
    ) -> PushOutcome;
}
