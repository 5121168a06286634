//! Announcements organizers post to everyone at their event.

use super::{
    support::{backend, conflict_or_backend, now, on_read, on_write},
    Db,
};
use app::{
    domain::{EventId, UserId},
    ports::{Announcement, AnnouncementStore, StoreResult},
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct AnnouncementRow {
    id: Uuid,
    event_id: Uuid,
    author_id: Option<Uuid>,
    author_name: Option<String>,
    body: String,
    created_at: DateTime<Utc>,
}

impl From<AnnouncementRow> for Announcement {
    fn from(r: AnnouncementRow) -> Self {
        Announcement {
            id: r.id,
            event: EventId(r.event_id),
            author: r.author_id.map(UserId),
            author_name: r.author_name,
            body: r.body,
            created_at: r.created_at,
        }
    }
}

const SELECT: &str =
    "SELECT a.id, a.event_id, a.author_id, u.display_name AS author_name, a.body, \
     a.created_at FROM announcements a LEFT JOIN users u ON u.id = a.author_id";

#[async_trait]
impl AnnouncementStore for Db {
    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn post_announcement(
        &self,
        event: EventId,
        author: UserId,
        body: &str,
    ) -> StoreResult<Announcement> {
        let id = Uuid::new_v4();
        on_write!(self, |pool| sqlx::query(
            "INSERT INTO announcements (id, event_id, author_id, body, created_at) \
             VALUES ($1, $2, $3, $4, $5)"
        )
        .bind(id)
        .bind(event.0)
        .bind(author.0)
        .bind(body)
        .bind(now())
        .execute(pool)
        .await
        .map(|_| ()))
        .map_err(|e| conflict_or_backend(e, &[]))?;
        let sql = format!("{SELECT} WHERE a.id = $1");
        let row: AnnouncementRow = on_write!(self, |pool| sqlx::query_as(&sql)
            .bind(id)
            .fetch_one(pool)
            .await)
        .map_err(backend)?;
        Ok(row.into())
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn announcements(&self, event: EventId, limit: u32) -> StoreResult<Vec<Announcement>> {
        let sql =
            format!("{SELECT} WHERE a.event_id = $1 ORDER BY a.created_at DESC, a.id LIMIT $2");
        let rows: Vec<AnnouncementRow> = on_read!(self, |pool| sqlx::query_as(&sql)
            .bind(event.0)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await)
        .map_err(backend)?;
        Ok(rows.into_iter().map(Announcement::from).collect())
    }
}
