//! Web Push subscriptions ([`PushStore`]): one row per device, unique by
//! endpoint, dropped with the account (foreign key cascade).

use super::{
    support::{backend, now, on_read, on_write},
    Db,
};
use app::{
    domain::UserId,
    ports::{NewPushSubscription, PushStore, PushSubscription, StoreError, StoreResult},
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

type Row = (
    Uuid,
    Uuid,
    String,
    String,
    String,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
);

const COLUMNS: &str = "id, user_id, endpoint, p256dh, auth, created_at, last_used_at";

fn record((id, user, endpoint, p256dh, auth, created_at, last_used_at): Row) -> PushSubscription {
    PushSubscription {
        id,
        user: UserId(user),
        endpoint,
        p256dh,
        auth,
        created_at,
        last_used_at,
    }
}

#[async_trait]
impl PushStore for Db {
    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn save_push_subscription(
        &self,
        user: UserId,
        sub: &NewPushSubscription,
        cap: usize,
    ) -> StoreResult<PushSubscription> {
        let upsert = format!(
            "INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (endpoint) DO UPDATE SET user_id = excluded.user_id, \
             p256dh = excluded.p256dh, auth = excluded.auth, created_at = excluded.created_at, \
             last_used_at = NULL \
             RETURNING {COLUMNS}"
        );
        // The least recently used of the person's other devices beyond the
        // cap (never the one just saved).
        let trim = "DELETE FROM push_subscriptions WHERE id IN (\
             SELECT id FROM push_subscriptions WHERE user_id = $1 AND id <> $2 \
             ORDER BY COALESCE(last_used_at, created_at), created_at LIMIT $3)";
        on_write!(self, |pool| {
            let mut tx = pool.begin().await.map_err(backend)?;
            let row: Row = sqlx::query_as(&upsert)
                .bind(Uuid::new_v4())
                .bind(user.0)
                .bind(sub.endpoint.as_str())
                .bind(sub.p256dh.as_str())
                .bind(sub.auth.as_str())
                .bind(now())
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| super::support::conflict_or_backend(e, &[]))?;
            let count: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM push_subscriptions WHERE user_id = $1")
                    .bind(user.0)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(backend)?;
            let over = count - i64::try_from(cap).unwrap_or(i64::MAX);
            if over > 0 {
                sqlx::query(trim)
                    .bind(user.0)
                    .bind(row.0)
                    .bind(over)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend)?;
            }
            tx.commit().await.map_err(backend)?;
            Ok(record(row))
        })
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn push_subscriptions(&self, user: UserId) -> StoreResult<Vec<PushSubscription>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM push_subscriptions WHERE user_id = $1 ORDER BY created_at, id"
        );
        let rows: Vec<Row> = on_read!(self, |pool| sqlx::query_as(&sql)
            .bind(user.0)
            .fetch_all(pool)
            .await)
        .map_err(backend)?;
        Ok(rows.into_iter().map(record).collect())
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn delete_push_subscription(&self, user: UserId, endpoint: &str) -> StoreResult<()> {
        let gone = on_write!(self, |pool| sqlx::query(
            "DELETE FROM push_subscriptions WHERE user_id = $1 AND endpoint = $2"
        )
        .bind(user.0)
        .bind(endpoint)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
        .map_err(backend)?;
        if gone == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn forget_push_endpoint(&self, endpoint: &str) -> StoreResult<()> {
        on_write!(self, |pool| sqlx::query(
            "DELETE FROM push_subscriptions WHERE endpoint = $1"
        )
        .bind(endpoint)
        .execute(pool)
        .await
        .map(|_| ()))
        .map_err(backend)
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn push_delivered(&self, id: Uuid, at: DateTime<Utc>) -> StoreResult<()> {
        on_write!(self, |pool| sqlx::query(
            "UPDATE push_subscriptions SET last_used_at = $2 WHERE id = $1"
        )
        .bind(id)
        .bind(at)
        .execute(pool)
        .await
        .map(|_| ()))
        .map_err(backend)
    }
}
