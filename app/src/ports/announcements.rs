//! Announcements: messages from the organizers to everyone at an event
//! ([`AnnouncementStore`]).

use super::error::StoreResult;
use crate::domain::{EventId, UserId};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// A message from the organizers to everyone at an event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Announcement {
    pub id: uuid::Uuid,
    pub event: EventId,
    /// `None` once the author deleted their account.
    pub author: Option<UserId>,
    pub author_name: Option<String>,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// Event announcements.
#[async_trait]
pub trait AnnouncementStore: Send + Sync {
    async fn post_announcement(
        &self,
        event: EventId,
        author: UserId,
        body: &str,
    ) -> StoreResult<Announcement>;
    /// The latest `limit` announcements, newest first.
    async fn announcements(&self, event: EventId, limit: u32) -> StoreResult<Vec<Announcement>>;
}
