//! The organizer dashboard's raw numbers: connections made at an event,
//! its scan attempts, its members' public tags, when they joined, its
//! rooms' recent messages and the scale-out's room presence rows.
//! Aggregation happens in
//! Rust (`app::service::dashboard`), so the two backends cannot disagree on
//! hour boundaries or rounding.

use super::{
    support::{backend, on_read},
    Db, Pools,
};
use app::{
    domain::{EventId, Intent, RoomId, Tag, UserId},
    ports::{EventActivity, StatsStore, StoreError, StoreResult},
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

#[async_trait]
impl StatsStore for Db {
    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn event_activity(&self, event: EventId) -> StoreResult<EventActivity> {
        let connections: Vec<(Uuid, Uuid, DateTime<Utc>)> = on_read!(self, |pool| sqlx::query_as(
            "SELECT user_a, user_b, created_at FROM connections WHERE event_id = $1 ORDER BY created_at"
        )
        .bind(event.0)
        .fetch_all(pool)
        .await)
        .map_err(backend)?;
        let scan_times: Vec<DateTime<Utc>> = on_read!(self, |pool| sqlx::query_scalar(
            "SELECT recorded_at FROM scans WHERE event_id = $1 ORDER BY recorded_at"
        )
        .bind(event.0)
        .fetch_all(pool)
        .await)
        .map_err(backend)?;
        let tags: Vec<(String, String, i64)> = on_read!(self, |pool| sqlx::query_as(
            "SELECT t.tag, t.intent, COUNT(*) FROM user_tags t \
             JOIN memberships m ON m.user_id = t.user_id JOIN users u ON u.id = t.user_id \
             WHERE m.event_id = $1 AND m.opted_out = FALSE AND u.tags_public = TRUE \
             GROUP BY t.tag, t.intent"
        )
        .bind(event.0)
        .fetch_all(pool)
        .await)
        .map_err(backend)?;
        let corrupt = || StoreError::Backend("stored tag is invalid".into());
        Ok(EventActivity {
            connections: connections
                .into_iter()
                .map(|(a, b, at)| (UserId(a), UserId(b), at))
                .collect(),
            scan_times,
            tag_counts: tags
                .into_iter()
                .map(|(tag, intent, n)| {
                    Ok((
                        Tag::parse(&tag).map_err(|_| corrupt())?,
                        Intent::parse(&intent).map_err(|_| corrupt())?,
                        u64::try_from(n).unwrap_or_default(),
                    ))
                })
                .collect::<StoreResult<_>>()?,
        })
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn join_times(&self, event: EventId) -> StoreResult<Vec<DateTime<Utc>>> {
        on_read!(self, |pool| sqlx::query_scalar(
            "SELECT joined_at FROM memberships WHERE event_id = $1 ORDER BY joined_at"
        )
        .bind(event.0)
        .fetch_all(pool)
        .await)
        .map_err(backend)
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn recent_messages(
        &self,
        event: EventId,
        hours: u32,
    ) -> StoreResult<Vec<(RoomId, DateTime<Utc>)>> {
        // Two statements rather than date arithmetic in SQL, which the two
        // dialects spell differently: the newest message, then the window
        // before it (both read the primary key's room and `created_at`).
        let newest: Option<DateTime<Utc>> = on_read!(self, |pool| sqlx::query_scalar(
            "SELECT MAX(m.created_at) FROM room_messages m \
             JOIN rooms r ON r.id = m.room_id WHERE r.event_id = $1"
        )
        .bind(event.0)
        .fetch_one(pool)
        .await)
        .map_err(backend)?;
        let Some(newest) = newest else {
            return Ok(Vec::new());
        };
        let from = newest - chrono::TimeDelta::hours(i64::from(hours));
        let rows: Vec<(Uuid, DateTime<Utc>)> = on_read!(self, |pool| sqlx::query_as(
            "SELECT m.room_id, m.created_at FROM room_messages m \
             JOIN rooms r ON r.id = m.room_id \
             WHERE r.event_id = $1 AND m.created_at >= $2 ORDER BY m.created_at"
        )
        .bind(event.0)
        .bind(from)
        .fetch_all(pool)
        .await)
        .map_err(backend)?;
        Ok(rows.into_iter().map(|(r, at)| (RoomId(r), at)).collect())
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn room_presence(
        &self,
        event: EventId,
        fresh_secs: f64,
    ) -> StoreResult<Vec<(RoomId, UserId)>> {
        let Pools::Postgres(pool) = &self.pools else {
            return Ok(Vec::new());
        };
        let rows: Vec<(Uuid, Uuid)> = sqlx::query_as(
            "SELECT DISTINCT p.room_id, p.user_id FROM room_presence p \
             JOIN rooms r ON r.id = p.room_id \
             WHERE r.event_id = $1 AND p.seen_at > now() - make_interval(secs => $2)",
        )
        .bind(event.0)
        .bind(fresh_secs)
        .fetch_all(pool)
        .await
        .map_err(backend)?;
        Ok(rows
            .into_iter()
            .map(|(r, u)| (RoomId(r), UserId(u)))
            .collect())
    }
}
