//! Integrations: organizer API tokens, webhooks, and the webhook delivery
//! outbox ([`IntegrationStore`]).

use super::error::StoreResult;
use crate::domain::{EventId, UserId, WebhookKind, WebhookUrl};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// An organizer API token as listed: never the token itself (only its
/// hash is stored), but enough to recognise and revoke it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiToken {
    pub id: uuid::Uuid,
    /// The one event the token reaches.
    pub event: EventId,
    /// What the organizer called it ("Ticketing sync").
    pub name: String,
    /// The token's first characters, to tell tokens apart.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    /// When the API last accepted it (at most once a minute is recorded).
    pub last_used_at: Option<DateTime<Utc>>,
    /// Set once revoked; a revoked token authenticates nothing.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// What creating an API token stores.
#[derive(Clone, Debug)]
pub struct NewApiToken {
    pub event: EventId,
    pub created_by: UserId,
    pub name: String,
    pub prefix: String,
    /// Lower-case hex SHA-256 of the token.
    pub token_hash: String,
}

/// A webhook endpoint of an event, as listed (without its secret).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Webhook {
    pub id: uuid::Uuid,
    pub event: EventId,
    pub url: String,
    /// The notifications it subscribes to.
    pub kinds: Vec<WebhookKind>,
    pub created_at: DateTime<Utc>,
}

/// What registering a webhook stores.
#[derive(Clone, Debug)]
pub struct NewWebhook {
    pub event: EventId,
    pub url: WebhookUrl,
    pub kinds: Vec<WebhookKind>,
    /// Signs every delivery (HMAC-SHA256); kept as is because signing needs it.
    pub secret: String,
}

/// One notification to send to one webhook, written to the outbox.
#[derive(Clone, Debug)]
pub struct NewDelivery {
    /// Also the `id` in the body and the `Rapport-Delivery` header, so a
    /// receiver can drop duplicates.
    pub id: uuid::Uuid,
    pub webhook: uuid::Uuid,
    pub event: EventId,
    pub kind: WebhookKind,
    /// The exact JSON body, the same on every attempt.
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// Where a delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeliveryStatus {
    /// Waiting for its first or next attempt.
    Pending,
    /// The receiver answered 2xx.
    Delivered,
    /// Every attempt failed; no more will be made.
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "pending" => Some(DeliveryStatus::Pending),
            "delivered" => Some(DeliveryStatus::Delivered),
            "failed" => Some(DeliveryStatus::Failed),
            _ => None,
        }
    }
}

/// A delivery as the integrations page lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryRecord {
    pub id: uuid::Uuid,
    pub webhook: uuid::Uuid,
    pub url: String,
    pub kind: WebhookKind,
    pub status: DeliveryStatus,
    /// Attempts made so far.
    pub attempts: u32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

/// A delivery the worker has claimed and must now send.
#[derive(Clone, Debug)]
pub struct DeliveryJob {
    pub id: uuid::Uuid,
    pub url: String,
    pub secret: String,
    pub body: String,
    /// Attempts made before this one.
    pub attempts: u32,
}

/// How an attempt ended.
#[derive(Clone, Debug)]
pub enum AttemptOutcome {
    Delivered {
        at: DateTime<Utc>,
    },
    /// Failed; try again at `next_at`.
    Retry {
        error: String,
        next_at: DateTime<Utc>,
    },
    /// Failed for the last time.
    GaveUp {
        error: String,
    },
}

/// API tokens, webhooks and the webhook delivery outbox of events.
#[async_trait]
pub trait IntegrationStore: Send + Sync {
    async fn create_api_token(&self, new: &NewApiToken) -> StoreResult<ApiToken>;
    /// The event's tokens, newest first, revoked ones included.
    async fn api_tokens(&self, event: EventId) -> StoreResult<Vec<ApiToken>>;
    /// The token whose hash is `hash`, revoked or not.
    async fn api_token_by_hash(&self, hash: &str) -> StoreResult<Option<ApiToken>>;
    /// Records that the token was used at `at`.
    async fn touch_api_token(&self, id: uuid::Uuid, at: DateTime<Utc>) -> StoreResult<()>;
    /// Revokes a token of `event`; `NotFound` if `event` has no such token.
    async fn revoke_api_token(&self, event: EventId, id: uuid::Uuid) -> StoreResult<()>;
    async fn create_webhook(&self, new: &NewWebhook) -> StoreResult<Webhook>;
    /// The event's webhooks, oldest first.
    async fn webhooks(&self, event: EventId) -> StoreResult<Vec<Webhook>>;
    /// Removes a webhook of `event` and its deliveries; `NotFound` otherwise.
    async fn delete_webhook(&self, event: EventId, id: uuid::Uuid) -> StoreResult<()>;
    /// Writes deliveries to the outbox (all or none), due at once.
    async fn enqueue_deliveries(&self, deliveries: &[NewDelivery]) -> StoreResult<()>;
    /// Claims up to `limit` pending deliveries due at `now`: each is pushed to
    /// `lease_until`, so another worker (or this one after a crash) only
    /// retries it once the lease runs out.
    async fn claim_due_deliveries(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<DeliveryJob>>;
    /// Records one attempt's outcome (and counts the attempt).
    async fn finish_attempt(&self, id: uuid::Uuid, outcome: &AttemptOutcome) -> StoreResult<()>;
    /// The event's latest `limit` deliveries, newest first.
    async fn recent_deliveries(
        &self,
        event: EventId,
        limit: u32,
    ) -> StoreResult<Vec<DeliveryRecord>>;
}
