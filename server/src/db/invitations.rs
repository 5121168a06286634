//! Personal invitations of imported attendees and what delivery did with
//! them (mailed, written to the outbox, failed with a reason).

use super::{
    support::{backend, conflict_or_backend, now, on_read, on_write},
    Db,
};
use app::{
    domain::{EventId, InvitationStatus, UserId},
    ports::{Invitation, InvitationStore, NewInvitation, StoreError, StoreResult},
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

const COLUMNS: &str = "id, event_id, user_id, name, email, link, status, detail, updated_at";

#[derive(sqlx::FromRow)]
struct InvitationRow {
    id: Uuid,
    event_id: Uuid,
    user_id: Uuid,
    name: String,
    email: String,
    link: String,
    status: String,
    detail: String,
    updated_at: DateTime<Utc>,
}

impl TryFrom<InvitationRow> for Invitation {
    type Error = StoreError;

    fn try_from(r: InvitationRow) -> Result<Self, Self::Error> {
        Ok(Invitation {
            status: InvitationStatus::parse(&r.status).map_err(|_| {
                StoreError::Backend(
                    format!("stored status of invitation {} is invalid", r.id).into(),
                )
            })?,
            id: r.id,
            event: EventId(r.event_id),
            user: UserId(r.user_id),
            name: r.name,
            email: r.email,
            link: r.link,
            detail: r.detail,
            updated_at: r.updated_at,
        })
    }
}

#[async_trait]
impl InvitationStore for Db {
    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn save_invitation(&self, new: &NewInvitation) -> StoreResult<Invitation> {
        let now = now();
        // One row per person and event: a new import of the same person
        // replaces the link and starts delivery over, under the same id.
        let sql = format!(
            "INSERT INTO invitations (id, event_id, user_id, name, email, link, status, detail, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'pending', '', $7, $7) \
             ON CONFLICT (event_id, user_id) DO UPDATE SET name = excluded.name, \
             email = excluded.email, link = excluded.link, status = 'pending', detail = '', \
             updated_at = excluded.updated_at RETURNING {COLUMNS}"
        );
        let row: InvitationRow = on_write!(self, |pool| sqlx::query_as(&sql)
            .bind(Uuid::new_v4())
            .bind(new.event.0)
            .bind(new.user.0)
            .bind(&new.name)
            .bind(&new.email)
            .bind(&new.link)
            .bind(now)
            .fetch_one(pool)
            .await)
        .map_err(|e| conflict_or_backend(e, &[]))?;
        row.try_into()
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn invitations(&self, event: EventId) -> StoreResult<Vec<Invitation>> {
        let sql = format!("SELECT {COLUMNS} FROM invitations WHERE event_id = $1");
        let rows: Vec<InvitationRow> = on_read!(self, |pool| sqlx::query_as(&sql)
            .bind(event.0)
            .fetch_all(pool)
            .await)
        .map_err(backend)?;
        let mut list = rows
            .into_iter()
            .map(Invitation::try_from)
            .collect::<StoreResult<Vec<_>>>()?;
        // Sorted here so both backends agree (collations differ).
        list.sort_by_cached_key(|i| (i.name.to_lowercase(), i.email.clone()));
        Ok(list)
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn invitation(&self, event: EventId, id: Uuid) -> StoreResult<Option<Invitation>> {
        let sql = format!("SELECT {COLUMNS} FROM invitations WHERE event_id = $1 AND id = $2");
        let row: Option<InvitationRow> = on_read!(self, |pool| sqlx::query_as(&sql)
            .bind(event.0)
            .bind(id)
            .fetch_optional(pool)
            .await)
        .map_err(backend)?;
        row.map(Invitation::try_from).transpose()
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn set_invitation_status(
        &self,
        id: Uuid,
        status: InvitationStatus,
        detail: &str,
    ) -> StoreResult<()> {
        let changed = on_write!(self, |pool| sqlx::query(
            "UPDATE invitations SET status = $2, detail = $3, updated_at = $4 WHERE id = $1"
        )
        .bind(id)
        .bind(status.as_str())
        .bind(detail)
        .bind(now())
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
