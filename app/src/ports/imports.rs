//! Import files uploaded in the browser, kept between the dry run and the
//! import ([`ImportStore`]).

use super::error::StoreResult;
use crate::domain::{EventId, UserId};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// A CSV file uploaded in the browser, between dry run and import.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportUpload {
    pub id: uuid::Uuid,
    pub event: EventId,
    pub file_name: String,
    pub file: Vec<u8>,
    /// The report (JSON) once imported; `None` while waiting for confirmation.
    pub report: Option<String>,
    /// Being imported right now (a second confirmation is refused).
    pub running: bool,
    pub created_at: DateTime<Utc>,
}

/// Uploaded import files.
#[async_trait]
pub trait ImportStore: Send + Sync {
    /// Keeps an uploaded file until it is confirmed.
    async fn save_upload(
        &self,
        id: uuid::Uuid,
        event: EventId,
        uploaded_by: UserId,
        file_name: &str,
        file: &[u8],
    ) -> StoreResult<()>;
    /// One upload of `event` (never another event's).
    async fn upload(&self, event: EventId, id: uuid::Uuid) -> StoreResult<Option<ImportUpload>>;
    /// Marks a waiting upload as running; `false` if it was already
    /// started (a double click imports once).
    async fn start_upload(&self, event: EventId, id: uuid::Uuid) -> StoreResult<bool>;
    /// Stores the report of a finished import, or (`None`) puts a failed
    /// run back to waiting.
    async fn finish_upload(&self, id: uuid::Uuid, report: Option<&str>) -> StoreResult<()>;
}
