//! The organizer dashboard's raw numbers: connections made at an event,
//! its scan attempts, and its members' public tags. Aggregation happens in
//! Rust (`app::api::dashboard`), so the two backends cannot disagree on
//! hour boundaries or rounding.

use super::{backend, on_read, Db};
use app::{
    domain::{EventId, Intent, Tag, UserId},
    ports::{EventActivity, StatsStore, StoreError, StoreResult},
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

#[async_trait]
impl StatsStore for Db {
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
}
