//! Browser sessions: the records behind the session cookie
//! ([`SessionRecordStore`]).

use super::error::StoreResult;
use crate::domain::UserId;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// A stored browser session (the tower-sessions record, serialised).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRecord {
    /// The session id from the cookie.
    pub id: String,
    /// The signed-in account, kept in a column so an account's sessions can
    /// be found (and ended) without decoding every record.
    pub user_id: Option<UserId>,
    /// The session data as JSON.
    pub data: String,
    pub expires_at: DateTime<Utc>,
}

/// Browser sessions (the records behind the session cookie).
#[async_trait]
pub trait SessionRecordStore: Send + Sync {
    /// Inserts a new session; `Conflict("session")` if the id exists.
    async fn create_session(&self, record: &SessionRecord) -> StoreResult<()>;
    /// Inserts or replaces a session.
    async fn save_session(&self, record: &SessionRecord) -> StoreResult<()>;
    /// A session that exists and has not expired at `now`.
    async fn load_session(
        &self,
        id: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<SessionRecord>>;
    async fn delete_session(&self, id: &str) -> StoreResult<()>;
    /// Removes sessions expired at `now`; returns how many.
    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> StoreResult<u64>;
}
