//! CSV files uploaded in the browser, kept between the dry run and the
//! organizer's confirmation, then their report. In the database rather than
//! in memory so any instance can serve the confirmation.

use super::{
    support::{backend, conflict_or_backend, now, on_read, on_write},
    Db,
};
use app::{
    domain::{EventId, UserId},
    ports::{ImportStore, ImportUpload, StoreError, StoreResult},
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct UploadRow {
    id: Uuid,
    event_id: Uuid,
    file_name: String,
    file: Vec<u8>,
    status: String,
    report: Option<String>,
    created_at: DateTime<Utc>,
}

#[async_trait]
impl ImportStore for Db {
    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn save_upload(
        &self,
        id: Uuid,
        event: EventId,
        uploaded_by: UserId,
        file_name: &str,
        file: &[u8],
    ) -> StoreResult<()> {
        on_write!(self, |pool| sqlx::query(
            "INSERT INTO import_uploads (id, event_id, uploaded_by, file_name, file, status, created_at) \
             VALUES ($1, $2, $3, $4, $5, 'planned', $6)"
        )
        .bind(id)
        .bind(event.0)
        .bind(uploaded_by.0)
        .bind(file_name)
        .bind(file)
        .bind(now())
        .execute(pool)
        .await
        .map(|_| ()))
        .map_err(|e| conflict_or_backend(e, &[]))
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn upload(&self, event: EventId, id: Uuid) -> StoreResult<Option<ImportUpload>> {
        let row: Option<UploadRow> = on_read!(self, |pool| sqlx::query_as(
            "SELECT id, event_id, file_name, file, status, report, created_at \
             FROM import_uploads WHERE event_id = $1 AND id = $2"
        )
        .bind(event.0)
        .bind(id)
        .fetch_optional(pool)
        .await)
        .map_err(backend)?;
        Ok(row.map(|r| ImportUpload {
            id: r.id,
            event: EventId(r.event_id),
            file_name: r.file_name,
            file: r.file,
            running: r.status == "running",
            report: r.report,
            created_at: r.created_at,
        }))
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn start_upload(&self, event: EventId, id: Uuid) -> StoreResult<bool> {
        let started = on_write!(self, |pool| sqlx::query(
            "UPDATE import_uploads SET status = 'running' \
             WHERE event_id = $1 AND id = $2 AND status = 'planned'"
        )
        .bind(event.0)
        .bind(id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
        .map_err(backend)?;
        Ok(started == 1)
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn finish_upload(&self, id: Uuid, report: Option<&str>) -> StoreResult<()> {
        let changed = on_write!(self, |pool| sqlx::query(
            "UPDATE import_uploads SET status = $2, report = $3 WHERE id = $1"
        )
        .bind(id)
        .bind(if report.is_some() { "done" } else { "planned" })
        .bind(report)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
        .map_err(backend)?;
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}
