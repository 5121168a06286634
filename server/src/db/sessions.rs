//! Session records behind the session cookie.

use super::{
    support::{backend, conflict_or_backend, on_read, on_write},
    Db,
};
use app::{
    domain::UserId,
    ports::{SessionRecord, SessionRecordStore, StoreError, StoreResult},
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct SessionRow {
    id: String,
    user_id: Option<Uuid>,
    data: String,
    expires_at: DateTime<Utc>,
}

impl From<SessionRow> for SessionRecord {
    fn from(r: SessionRow) -> Self {
        SessionRecord {
            id: r.id,
            user_id: r.user_id.map(UserId),
            data: r.data,
            expires_at: r.expires_at,
        }
    }
}

impl Db {
    /// Runs an insert-like statement taking a session's four columns in
    /// table order; returns the number of rows written.
    async fn write_session(&self, sql: &str, r: &SessionRecord) -> StoreResult<u64> {
        on_write!(self, |pool| sqlx::query(sql)
            .bind(&r.id)
            .bind(r.user_id.map(|u| u.0))
            .bind(&r.data)
            .bind(r.expires_at)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .map_err(|e| conflict_or_backend(e, &[]))
    }
}

#[async_trait]
impl SessionRecordStore for Db {
    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn create_session(&self, r: &SessionRecord) -> StoreResult<()> {
        let written = self
            .write_session(
                "INSERT INTO sessions (id, user_id, data, expires_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (id) DO NOTHING",
                r,
            )
            .await?;
        if written == 0 {
            return Err(StoreError::Conflict("session"));
        }
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn save_session(&self, r: &SessionRecord) -> StoreResult<()> {
        self.write_session(
            "INSERT INTO sessions (id, user_id, data, expires_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id, data = excluded.data, \
             expires_at = excluded.expires_at",
            r,
        )
        .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn load_session(
        &self,
        id: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<SessionRecord>> {
        let row: Option<SessionRow> = on_read!(self, |pool| {
            sqlx::query_as(
            "SELECT id, user_id, data, expires_at FROM sessions WHERE id = $1 AND expires_at > $2"
        )
        .bind(id)
        .bind(now)
        .fetch_optional(pool)
        .await
        })
        .map_err(backend)?;
        Ok(row.map(Into::into))
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn delete_session(&self, id: &str) -> StoreResult<()> {
        on_write!(self, |pool| sqlx::query(
            "DELETE FROM sessions WHERE id = $1"
        )
        .bind(id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
        .map_err(backend)?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        let done = on_write!(self, |pool| sqlx::query(
            "DELETE FROM sessions WHERE expires_at <= $1"
        )
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
        .map_err(backend)?;
        Ok(done)
    }
}
