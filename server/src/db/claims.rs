//! Personal invitations of imported attendees: a token that lets the
//! account's owner set a password once.

use super::{
    support::{backend, conflict_or_backend, now, on_read, on_write},
    Db,
};
use app::{
    domain::{EventId, UserId},
    ports::{ClaimStore, PasswordHash, StoreError, StoreResult},
};
use async_trait::async_trait;
use uuid::Uuid;

#[async_trait]
impl ClaimStore for Db {
    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn create_claim(&self, token: &str, user: UserId, event: EventId) -> StoreResult<()> {
        on_write!(self, |pool| sqlx::query(
            "INSERT INTO account_claims (token, user_id, event_id, created_at) VALUES ($1, $2, $3, $4)"
        )
        .bind(token)
        .bind(user.0)
        .bind(event.0)
        .bind(now())
        .execute(pool)
        .await
        .map(|_| ()))
        .map_err(|e| conflict_or_backend(e, &[("token", "claim token")]))
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn claim(&self, token: &str) -> StoreResult<Option<(UserId, EventId)>> {
        let row: Option<(Uuid, Uuid)> = on_read!(self, |pool| sqlx::query_as(
            "SELECT user_id, event_id FROM account_claims WHERE token = $1"
        )
        .bind(token)
        .fetch_optional(pool)
        .await)
        .map_err(backend)?;
        Ok(row.map(|(u, e)| (UserId(u), EventId(e))))
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn complete_claim(&self, token: &str, hash: &PasswordHash) -> StoreResult<UserId> {
        on_write!(self, |pool| {
            let mut tx = pool.begin().await.map_err(backend)?;
            let user: Option<Uuid> =
                sqlx::query_scalar("SELECT user_id FROM account_claims WHERE token = $1")
                    .bind(token)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(backend)?;
            let user = user.ok_or(StoreError::NotFound)?;
            sqlx::query("UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1")
                .bind(user)
                .bind(&hash.0)
                .bind(now())
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
            sqlx::query("DELETE FROM account_claims WHERE user_id = $1")
                .bind(user)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
            tx.commit().await.map_err(backend)?;
            Ok(UserId(user))
        })
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn unclaimed(&self, user: UserId) -> StoreResult<bool> {
        let found: Option<i32> = on_read!(self, |pool| sqlx::query_scalar(
            "SELECT 1 FROM account_claims WHERE user_id = $1 LIMIT 1"
        )
        .bind(user.0)
        .fetch_optional(pool)
        .await)
        .map_err(backend)?;
        Ok(found.is_some())
    }
}
