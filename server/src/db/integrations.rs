//! Integrations of an event: organizer API tokens (stored as their SHA-256),
//! webhook endpoints, and the webhook delivery outbox the background worker
//! drains.

use super::{
    support::{backend, conflict_or_backend, now, on_read, on_write},
    Db,
};
use app::{
    domain::{EventId, WebhookKind, WebhookUrl},
    ports::{
        ApiToken, AttemptOutcome, DeliveryJob, DeliveryRecord, DeliveryStatus, IntegrationStore,
        NewApiToken, NewDelivery, NewWebhook, StoreError, StoreResult, Webhook,
    },
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct TokenRow {
    id: Uuid,
    event_id: Uuid,
    name: String,
    prefix: String,
    created_at: DateTime<Utc>,
    last_used_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
}

impl From<TokenRow> for ApiToken {
    fn from(r: TokenRow) -> Self {
        ApiToken {
            id: r.id,
            event: EventId(r.event_id),
            name: r.name,
            prefix: r.prefix,
            created_at: r.created_at,
            last_used_at: r.last_used_at,
            revoked_at: r.revoked_at,
        }
    }
}

const TOKEN_COLUMNS: &str =
    "SELECT id, event_id, name, prefix, created_at, last_used_at, revoked_at FROM api_tokens";

#[derive(sqlx::FromRow)]
struct WebhookRow {
    id: Uuid,
    event_id: Uuid,
    url: String,
    kinds: String,
    created_at: DateTime<Utc>,
}

/// Kinds are stored comma-separated; an unknown name (from a newer
/// version) is skipped rather than failing the whole list.
fn kinds_of(raw: &str) -> Vec<WebhookKind> {
    raw.split(',')
        .filter_map(|k| WebhookKind::parse(k).ok())
        .collect()
}

impl From<WebhookRow> for Webhook {
    fn from(r: WebhookRow) -> Self {
        Webhook {
            id: r.id,
            event: EventId(r.event_id),
            url: r.url,
            kinds: kinds_of(&r.kinds),
            created_at: r.created_at,
        }
    }
}

#[derive(sqlx::FromRow)]
struct DeliveryRow {
    id: Uuid,
    webhook_id: Uuid,
    url: String,
    kind: String,
    status: String,
    attempts: i64,
    next_attempt_at: Option<DateTime<Utc>>,
    last_error: Option<String>,
    created_at: DateTime<Utc>,
    delivered_at: Option<DateTime<Utc>>,
}

impl TryFrom<DeliveryRow> for DeliveryRecord {
    type Error = StoreError;
    fn try_from(r: DeliveryRow) -> Result<Self, StoreError> {
        let corrupt = |what: &str| StoreError::Backend(format!("unknown delivery {what}").into());
        Ok(DeliveryRecord {
            id: r.id,
            webhook: r.webhook_id,
            url: r.url,
            kind: WebhookKind::parse(&r.kind).map_err(|_| corrupt("kind"))?,
            status: DeliveryStatus::parse(&r.status).ok_or_else(|| corrupt("status"))?,
            attempts: r.attempts.max(0) as u32,
            next_attempt_at: r.next_attempt_at,
            last_error: r.last_error,
            created_at: r.created_at,
            delivered_at: r.delivered_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct JobRow {
    id: Uuid,
    url: String,
    secret: String,
    body: String,
    attempts: i64,
}

#[async_trait]
impl IntegrationStore for Db {
    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn create_api_token(&self, new: &NewApiToken) -> StoreResult<ApiToken> {
        let id = Uuid::new_v4();
        let now = now();
        on_write!(self, |pool| sqlx::query(
            "INSERT INTO api_tokens (id, event_id, created_by, name, prefix, token_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)"
        )
        .bind(id)
        .bind(new.event.0)
        .bind(new.created_by.0)
        .bind(&new.name)
        .bind(&new.prefix)
        .bind(&new.token_hash)
        .bind(now)
        .execute(pool)
        .await
        .map(|_| ()))
        .map_err(|e| conflict_or_backend(e, &[("token_hash", "token")]))?;
        Ok(ApiToken {
            id,
            event: new.event,
            name: new.name.clone(),
            prefix: new.prefix.clone(),
            created_at: now,
            last_used_at: None,
            revoked_at: None,
        })
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn api_tokens(&self, event: EventId) -> StoreResult<Vec<ApiToken>> {
        let sql = format!("{TOKEN_COLUMNS} WHERE event_id = $1 ORDER BY created_at DESC, id");
        let rows: Vec<TokenRow> = on_read!(self, |pool| sqlx::query_as(&sql)
            .bind(event.0)
            .fetch_all(pool)
            .await)
        .map_err(backend)?;
        Ok(rows.into_iter().map(ApiToken::from).collect())
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn api_token_by_hash(&self, hash: &str) -> StoreResult<Option<ApiToken>> {
        let sql = format!("{TOKEN_COLUMNS} WHERE token_hash = $1");
        let row: Option<TokenRow> = on_read!(self, |pool| sqlx::query_as(&sql)
            .bind(hash)
            .fetch_optional(pool)
            .await)
        .map_err(backend)?;
        Ok(row.map(ApiToken::from))
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn touch_api_token(&self, id: Uuid, at: DateTime<Utc>) -> StoreResult<()> {
        on_write!(self, |pool| sqlx::query(
            "UPDATE api_tokens SET last_used_at = $2 WHERE id = $1"
        )
        .bind(id)
        .bind(at)
        .execute(pool)
        .await
        .map(|_| ()))
        .map_err(backend)
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn revoke_api_token(&self, event: EventId, id: Uuid) -> StoreResult<()> {
        // COALESCE keeps the first revocation time when revoked twice.
        let done = on_write!(self, |pool| sqlx::query(
            "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $3) \
             WHERE id = $1 AND event_id = $2"
        )
        .bind(id)
        .bind(event.0)
        .bind(now())
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
        .map_err(backend)?;
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn create_webhook(&self, new: &NewWebhook) -> StoreResult<Webhook> {
        let id = Uuid::new_v4();
        let now = now();
        let kinds = new
            .kinds
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join(",");
        on_write!(self, |pool| sqlx::query(
            "INSERT INTO webhooks (id, event_id, url, kinds, secret, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)"
        )
        .bind(id)
        .bind(new.event.0)
        .bind(new.url.as_str())
        .bind(&kinds)
        .bind(&new.secret)
        .bind(now)
        .execute(pool)
        .await
        .map(|_| ()))
        .map_err(|e| conflict_or_backend(e, &[]))?;
        Ok(Webhook {
            id,
            event: new.event,
            url: WebhookUrl::as_str(&new.url).to_owned(),
            kinds: new.kinds.clone(),
            created_at: now,
        })
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn webhooks(&self, event: EventId) -> StoreResult<Vec<Webhook>> {
        let rows: Vec<WebhookRow> = on_read!(self, |pool| sqlx::query_as(
            "SELECT id, event_id, url, kinds, created_at FROM webhooks \
             WHERE event_id = $1 ORDER BY created_at, id"
        )
        .bind(event.0)
        .fetch_all(pool)
        .await)
        .map_err(backend)?;
        Ok(rows.into_iter().map(Webhook::from).collect())
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn delete_webhook(&self, event: EventId, id: Uuid) -> StoreResult<()> {
        // Deliveries go with it (ON DELETE CASCADE).
        self.delete_for_pair(
            "DELETE FROM webhooks WHERE id = $1 AND event_id = $2",
            id,
            event.0,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn enqueue_deliveries(&self, deliveries: &[NewDelivery]) -> StoreResult<()> {
        if deliveries.is_empty() {
            return Ok(());
        }
        on_write!(self, |pool| {
            let mut tx = pool.begin().await.map_err(backend)?;
            for d in deliveries {
                sqlx::query(
                    "INSERT INTO webhook_deliveries (id, webhook_id, event_id, kind, body, status, \
                     attempts, next_attempt_at, created_at) \
                     SELECT $1, w.id, w.event_id, $4, $5, 'pending', 0, $6, $6 \
                     FROM webhooks w WHERE w.id = $2 AND w.event_id = $3",
                )
                .bind(d.id)
                .bind(d.webhook)
                .bind(d.event.0)
                .bind(d.kind.as_str())
                .bind(&d.body)
                .bind(d.created_at)
                .execute(&mut *tx)
                .await
                .map_err(|e| conflict_or_backend(e, &[]))?;
            }
            tx.commit().await.map_err(backend)
        })
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn claim_due_deliveries(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<DeliveryJob>> {
        // The outer `next_attempt_at <= $1` is checked again on the locked
        // row (PostgreSQL re-evaluates it after waiting for a concurrent
        // claim), so two instances never claim the same delivery.
        let claimed: Vec<Uuid> = on_write!(self, |pool| sqlx::query_scalar(
            "UPDATE webhook_deliveries SET next_attempt_at = $2 \
             WHERE status = 'pending' AND next_attempt_at <= $1 AND id IN ( \
               SELECT id FROM webhook_deliveries WHERE status = 'pending' \
               AND next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT $3) \
             RETURNING id"
        )
        .bind(now)
        .bind(lease_until)
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await)
        .map_err(backend)?;
        let mut jobs = Vec::with_capacity(claimed.len());
        for id in claimed {
            let row: Option<JobRow> = on_write!(self, |pool| sqlx::query_as(
                "SELECT d.id, w.url, w.secret, d.body, d.attempts FROM webhook_deliveries d \
                 JOIN webhooks w ON w.id = d.webhook_id WHERE d.id = $1"
            )
            .bind(id)
            .fetch_optional(pool)
            .await)
            .map_err(backend)?;
            if let Some(r) = row {
                jobs.push(DeliveryJob {
                    id: r.id,
                    url: r.url,
                    secret: r.secret,
                    body: r.body,
                    attempts: r.attempts.max(0) as u32,
                });
            }
        }
        Ok(jobs)
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn finish_attempt(&self, id: Uuid, outcome: &AttemptOutcome) -> StoreResult<()> {
        let (status, next_at, error, delivered_at) = match outcome {
            AttemptOutcome::Delivered { at } => (DeliveryStatus::Delivered, None, None, Some(*at)),
            AttemptOutcome::Retry { error, next_at } => (
                DeliveryStatus::Pending,
                Some(*next_at),
                Some(error.as_str()),
                None,
            ),
            AttemptOutcome::GaveUp { error } => {
                (DeliveryStatus::Failed, None, Some(error.as_str()), None)
            }
        };
        // A delivered attempt keeps the error of the attempt before it, so the
        // page can still say why earlier ones failed.
        let done = on_write!(self, |pool| sqlx::query(
            "UPDATE webhook_deliveries SET status = $2, attempts = attempts + 1, \
             next_attempt_at = $3, last_error = COALESCE($4, last_error), delivered_at = $5 \
             WHERE id = $1"
        )
        .bind(id)
        .bind(status.as_str())
        .bind(next_at)
        .bind(error)
        .bind(delivered_at)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
        .map_err(backend)?;
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn recent_deliveries(
        &self,
        event: EventId,
        limit: u32,
    ) -> StoreResult<Vec<DeliveryRecord>> {
        let rows: Vec<DeliveryRow> = on_read!(self, |pool| {
            sqlx::query_as(
            "SELECT d.id, d.webhook_id, w.url, d.kind, d.status, d.attempts, d.next_attempt_at, \
             d.last_error, d.created_at, d.delivered_at FROM webhook_deliveries d \
             JOIN webhooks w ON w.id = d.webhook_id \
             WHERE d.event_id = $1 ORDER BY d.created_at DESC, d.id LIMIT $2"
        )
        .bind(event.0)
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await
        })
        .map_err(backend)?;
        rows.into_iter().map(DeliveryRecord::try_from).collect()
    }
}
