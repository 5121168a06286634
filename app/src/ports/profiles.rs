//! Profiles: tags, visibility, blocking, photos, the directory search, the
//! data export's messages and deleting an account ([`ProfileStore`]).

use super::{error::StoreResult, membership::Membership};
use crate::domain::{EventId, Intent, Role, Tag, TagSet, UserId, VisibilitySettings};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// A stored profile photo.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Photo {
    pub content_type: String,
    pub bytes: Vec<u8>,
    /// Changes with every upload; used for HTTP caching and cache-busting URLs.
    pub etag: String,
}

/// A room message of mine, as my data export lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MyMessage {
    pub event_name: String,
    pub room_title: String,
    pub seq: i64,
    pub text: String,
    pub sent_at: DateTime<Utc>,
    pub removed: bool,
}

/// A directory search. Every condition narrows the result (AND).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DirectoryQuery {
    /// Words matched as prefixes against name and event-visible fields and tags.
    pub words: Vec<String>,
    /// Each tag must be on the profile (with the intent, when given).
    pub tags: Vec<(Tag, Option<Intent>)>,
    pub role: Option<Role>,
    /// Only these people (the "here now" filter: the attendance service
    /// knows who is here, including people live in rooms on other
    /// instances, which no single query can see).
    pub only: Option<Vec<UserId>>,
    /// Continue after this entry (from [`DirectoryPage::next`]).
    pub after: Option<DirectoryCursor>,
    pub limit: u32,
}

/// Position in the directory's stable order (name, then id).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirectoryCursor {
    pub sort_name: String,
    pub user_id: UserId,
}

/// One person in the directory, with their stored fields and visibility;
/// the caller shows only what the visibility allows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirectoryEntry {
    pub user_id: UserId,
    pub display_name: String,
    pub pronouns: String,
    pub headline: String,
    pub company: String,
    pub job_title: String,
    pub visibility: VisibilitySettings,
    pub role: Role,
    pub event_line: String,
    pub tags: TagSet,
    pub photo_etag: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirectoryPage {
    pub entries: Vec<DirectoryEntry>,
    /// Where the next page starts, if there is one.
    pub next: Option<DirectoryCursor>,
}

/// Profiles beyond the basics: tags, visibility, per-event settings,
/// blocking, connections, photos, the directory, and deleting an account.
#[async_trait]
pub trait ProfileStore: Send + Sync {
    /// Replaces the profile's tags and refreshes its search entry.
    async fn set_tags(&self, user: UserId, tags: &TagSet) -> StoreResult<()>;
    async fn tags_of(&self, user: UserId) -> StoreResult<TagSet>;
    /// Replaces the visibility settings and refreshes the search entry (hidden
    /// fields are not searchable).
    async fn set_visibility(
        &self,
        user: UserId,
        visibility: &VisibilitySettings,
    ) -> StoreResult<()>;
    /// The member's settings in an event, or `None` for a non-member.
    async fn membership(&self, event: EventId, user: UserId) -> StoreResult<Option<Membership>>;
    /// `NotFound` if `user` is not a member.
    async fn set_membership_prefs(
        &self,
        event: EventId,
        user: UserId,
        event_line: &str,
        opted_out: bool,
    ) -> StoreResult<()>;
    /// Idempotent.
    async fn block(&self, blocker: UserId, blocked: UserId) -> StoreResult<()>;
    async fn unblock(&self, blocker: UserId, blocked: UserId) -> StoreResult<()>;
    /// Whether either has blocked the other.
    async fn blocked_either_way(&self, a: UserId, b: UserId) -> StoreResult<bool>;
    /// The people `user` has blocked, with their names.
    async fn blocked_by(&self, user: UserId) -> StoreResult<Vec<(UserId, String)>>;
    /// Connects two people (one row per pair). Returns `true` if new.
    async fn connect(&self, a: UserId, b: UserId, event: Option<EventId>) -> StoreResult<bool>;
    async fn are_connected(&self, a: UserId, b: UserId) -> StoreResult<bool>;
    /// The people `user` is connected with, with their names.
    async fn connections_of(&self, user: UserId) -> StoreResult<Vec<(UserId, String)>>;
    /// Whether the two share at least one event.
    async fn share_an_event(&self, a: UserId, b: UserId) -> StoreResult<bool>;
    /// Members of `event` visible to `viewer`: not opted out, not blocked
    /// either way, not the viewer, in (sort name, id) order.
    async fn search_directory(
        &self,
        event: EventId,
        viewer: UserId,
        query: &DirectoryQuery,
    ) -> StoreResult<DirectoryPage>;
    async fn set_photo(&self, user: UserId, photo: &Photo) -> StoreResult<()>;
    async fn photo(&self, user: UserId) -> StoreResult<Option<Photo>>;
    async fn delete_photo(&self, user: UserId) -> StoreResult<()>;
    /// Every room message `user` wrote, for their data export: (event
    /// name, room title, sequence, text, sent at, removed by a moderator).
    async fn messages_by(&self, user: UserId) -> StoreResult<Vec<MyMessage>>;
    /// Deletes the account and everything that is only its own (profile,
    /// tags, memberships, sessions, photo, blocks, search entry).
    async fn delete_user(&self, user: UserId) -> StoreResult<()>;
}
