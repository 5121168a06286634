//! tower-sessions storage on top of the [`Store`]: the session crate handles
//! cookies, expiry and id cycling; this adapter only moves records in and
//! out of the `sessions` table of whichever database is configured.

use app::{
    api::context::SESSION_USER_KEY,
    domain::UserId,
    ports::{SessionRecord, Store, StoreError},
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Arc;
use tower_sessions::{
    session::{Id, Record},
    session_store::{self, SessionStore},
};

/// The adapter. Cheap to clone.
#[derive(Clone)]
pub struct StoreSessions(pub Arc<dyn Store>);

impl std::fmt::Debug for StoreSessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoreSessions")
    }
}

fn to_row(record: &Record) -> session_store::Result<SessionRecord> {
    let user_id = record
        .data
        .get(SESSION_USER_KEY)
        .and_then(|v| serde_json::from_value::<UserId>(v.clone()).ok());
    let expires_at = DateTime::<Utc>::from_timestamp(
        record.expiry_date.unix_timestamp(),
        record.expiry_date.nanosecond(),
    )
    .ok_or_else(|| session_store::Error::Encode("expiry out of range".into()))?;
    Ok(SessionRecord {
        id: record.id.to_string(),
        user_id,
        data: serde_json::to_string(&record.data)
            .map_err(|e| session_store::Error::Encode(e.to_string()))?,
        expires_at,
    })
}

fn backend(e: StoreError) -> session_store::Error {
    tracing::error!(error = %e, "session storage failed");
    session_store::Error::Backend("session storage failed".into())
}

#[async_trait]
impl SessionStore for StoreSessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // A clash of 128-bit random ids is next to impossible; draw again if it happens.
        loop {
            match self.0.create_session(&to_row(record)?).await {
                Err(StoreError::Conflict(_)) => record.id = Id::default(),
                other => return other.map_err(backend),
            }
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.0.save_session(&to_row(record)?).await.map_err(backend)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let Some(row) = self
            .0
            .load_session(&id.to_string(), Utc::now())
            .await
            .map_err(backend)?
        else {
            return Ok(None);
        };
        let data = serde_json::from_str(&row.data)
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let expiry_date = time::OffsetDateTime::from_unix_timestamp(row.expires_at.timestamp())
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.0
            .delete_session(&id.to_string())
            .await
            .map_err(backend)
    }
}
