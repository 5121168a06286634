//! Meetings: the organizer's meeting spots, meeting requests and their
//! replies, and each person's private calendar feed secret.
//!
//! No double-booking: a request, an acceptance or a counter-proposal is
//! refused when either person has an accepted meeting at that time. The
//! check and the write share a transaction; on PostgreSQL the two people's
//! rows are locked first (`FOR UPDATE`) so two concurrent acceptances
//! cannot both pass, while SQLite's single writer serialises them anyway.

use super::{
    pools::Pools,
    support::{backend, conflict_or_backend, now, on_read, on_write},
    Db,
};
use app::{
    domain::{EventId, MeetingStatus, UserId},
    ports::{
        Meeting, MeetingChange, MeetingSpot, MeetingStore, NewMeeting, StoreError, StoreResult,
    },
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct MeetingRow {
    id: Uuid,
    event_id: Uuid,
    requester_id: Uuid,
    invitee_id: Uuid,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    spot_id: Option<Uuid>,
    place: String,
    message: String,
    status: String,
    awaiting: Option<Uuid>,
    held: bool,
    revision: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<MeetingRow> for Meeting {
    type Error = StoreError;
    fn try_from(r: MeetingRow) -> StoreResult<Self> {
        Ok(Meeting {
            id: r.id,
            event: EventId(r.event_id),
            requester: UserId(r.requester_id),
            invitee: UserId(r.invitee_id),
            starts_at: r.starts_at,
            ends_at: r.ends_at,
            spot: r.spot_id,
            place: r.place,
            message: r.message,
            status: MeetingStatus::parse(&r.status)
                .map_err(|_| StoreError::Backend("stored meeting status is invalid".into()))?,
            awaiting: r.awaiting.map(UserId),
            held: r.held,
            revision: r.revision,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

const COLUMNS: &str =
    "id, event_id, requester_id, invitee_id, starts_at, ends_at, spot_id, place, \
     message, status, awaiting, held, revision, created_at, updated_at";

/// An accepted meeting of either person overlapping [$3, $4), except $5.
const CLASH: &str = "status = 'accepted' AND (requester_id IN ($1, $2) OR invitee_id IN ($1, $2)) \
     AND starts_at < $4 AND ends_at > $3 AND ($5 IS NULL OR id <> $5)";

/// Locks the two people's rows on PostgreSQL (see the module docs).
const LOCK_PEOPLE: &str = "SELECT id FROM users WHERE id IN ($1, $2) ORDER BY id FOR UPDATE";

fn time_taken() -> StoreError {
    StoreError::Conflict("meeting time")
}

fn wrong_state() -> StoreError {
    StoreError::Conflict("meeting state")
}

/// Inside a write transaction `$tx`: replaces the meeting spots of
/// `$event` with `$names` (in that order), keeping the rows of spots that
/// stay so meetings keep referring to them. Shared by [`MeetingStore::set_spots`]
/// and the settings page's save (`events.rs`), which must be one transaction.
macro_rules! write_spots {
    ($tx:ident, $event:expr, $names:expr) => {{
        let event: app::domain::EventId = $event;
        let names: &[String] = $names;
        let tx = &mut $tx;
        // Keep spots that stay (meetings refer to them), drop the others.
        let existing: Vec<(uuid::Uuid, String)> =
            sqlx::query_as("SELECT id, name FROM meeting_spots WHERE event_id = $1")
                .bind(event.0)
                .fetch_all(&mut **tx)
                .await
                .map_err($crate::db::support::backend)?;
        for (id, name) in &existing {
            if !names.contains(name) {
                sqlx::query("DELETE FROM meeting_spots WHERE id = $1")
                    .bind(id)
                    .execute(&mut **tx)
                    .await
                    .map_err($crate::db::support::backend)?;
            }
        }
        for (position, name) in names.iter().enumerate() {
            let position = i32::try_from(position).unwrap_or(i32::MAX);
            match existing.iter().find(|(_, n)| n == name) {
                Some((id, _)) => {
                    sqlx::query("UPDATE meeting_spots SET position = $2 WHERE id = $1")
                        .bind(id)
                        .bind(position)
                        .execute(&mut **tx)
                        .await
                        .map_err($crate::db::support::backend)?;
                }
                None => {
                    sqlx::query(
                        "INSERT INTO meeting_spots (id, event_id, name, position) VALUES ($1, $2, $3, $4)",
                    )
                    .bind(uuid::Uuid::new_v4())
                    .bind(event.0)
                    .bind(name)
                    .bind(position)
                    .execute(&mut **tx)
                    .await
                    .map_err(|e| $crate::db::support::conflict_or_backend(e, &[("name", "meeting spot")]))?;
                }
            }
        }
    }};
}

pub(crate) use write_spots;

#[async_trait]
impl MeetingStore for Db {
    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn set_spots(&self, event: EventId, names: &[String]) -> StoreResult<()> {
        on_write!(self, |pool| {
            let mut tx = pool.begin().await.map_err(backend)?;
            write_spots!(tx, event, names);
            tx.commit().await.map_err(backend)?;
        });
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn spots(&self, event: EventId) -> StoreResult<Vec<MeetingSpot>> {
        let rows: Vec<(Uuid, String)> = on_read!(self, |pool| sqlx::query_as(
            "SELECT id, name FROM meeting_spots WHERE event_id = $1 ORDER BY position, name"
        )
        .bind(event.0)
        .fetch_all(pool)
        .await)
        .map_err(backend)?;
        Ok(rows
            .into_iter()
            .map(|(id, name)| MeetingSpot { id, name })
            .collect())
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn clashing_meeting(
        &self,
        people: [UserId; 2],
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        except: Option<Uuid>,
    ) -> StoreResult<Option<Meeting>> {
        let sql =
            format!("SELECT {COLUMNS} FROM meetings WHERE {CLASH} ORDER BY starts_at LIMIT 1");
        let row: Option<MeetingRow> = on_read!(self, |pool| sqlx::query_as(&sql)
            .bind(people[0].0)
            .bind(people[1].0)
            .bind(starts_at)
            .bind(ends_at)
            .bind(except)
            .fetch_optional(pool)
            .await)
        .map_err(backend)?;
        row.map(Meeting::try_from).transpose()
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn request_meeting(&self, new: &NewMeeting) -> StoreResult<Meeting> {
        let lock = matches!(self.pools, Pools::Postgres(_));
        let clash = format!("SELECT COUNT(*) FROM meetings WHERE {CLASH}");
        let now = now();
        on_write!(self, |pool| {
            let mut tx = pool.begin().await.map_err(backend)?;
            if lock {
                sqlx::query(LOCK_PEOPLE)
                    .bind(new.requester.0)
                    .bind(new.invitee.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend)?;
            }
            let clashes: i64 = sqlx::query_scalar(&clash)
                .bind(new.requester.0)
                .bind(new.invitee.0)
                .bind(new.starts_at)
                .bind(new.ends_at)
                .bind(None::<Uuid>)
                .fetch_one(&mut *tx)
                .await
                .map_err(backend)?;
            if clashes > 0 {
                return Err(time_taken());
            }
            sqlx::query(
                "INSERT INTO meetings (id, event_id, requester_id, invitee_id, starts_at, ends_at, \
                 spot_id, place, message, status, awaiting, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', $4, $10, $10)",
            )
            .bind(new.id)
            .bind(new.event.0)
            .bind(new.requester.0)
            .bind(new.invitee.0)
            .bind(new.starts_at)
            .bind(new.ends_at)
            .bind(new.spot)
            .bind(&new.place)
            .bind(&new.message)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|e| conflict_or_backend(e, &[]))?;
            tx.commit().await.map_err(backend)?;
        });
        self.meeting(new.id).await?.ok_or(StoreError::NotFound)
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn change_meeting(&self, id: Uuid, change: &MeetingChange) -> StoreResult<Meeting> {
        let lock = matches!(self.pools, Pools::Postgres(_));
        let select = format!("SELECT {COLUMNS} FROM meetings WHERE id = $1");
        let clash = format!("SELECT COUNT(*) FROM meetings WHERE {CLASH}");
        let now = now();
        on_write!(self, |pool| {
            let mut tx = pool.begin().await.map_err(backend)?;
            let row: Option<MeetingRow> = sqlx::query_as(&select)
                .bind(id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend)?;
            let meeting: Meeting = row.ok_or(StoreError::NotFound)?.try_into()?;
            if lock {
                sqlx::query(LOCK_PEOPLE)
                    .bind(meeting.requester.0)
                    .bind(meeting.invitee.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend)?;
                // Read again under the lock: another reply may have landed.
            }
            let row: MeetingRow = sqlx::query_as(&select)
                .bind(id)
                .fetch_one(&mut *tx)
                .await
                .map_err(backend)?;
            let meeting: Meeting = row.try_into()?;
            let pending = meeting.status == MeetingStatus::Pending;
            let (status, starts_at, ends_at) = match change {
                MeetingChange::Accept if pending => {
                    (MeetingStatus::Accepted, meeting.starts_at, meeting.ends_at)
                }
                MeetingChange::Counter {
                    starts_at, ends_at, ..
                } if pending => (MeetingStatus::Pending, *starts_at, *ends_at),
                MeetingChange::Decline if pending => {
                    (MeetingStatus::Declined, meeting.starts_at, meeting.ends_at)
                }
                MeetingChange::Cancel if pending || meeting.status == MeetingStatus::Accepted => {
                    (MeetingStatus::Cancelled, meeting.starts_at, meeting.ends_at)
                }
                MeetingChange::Held if meeting.status == MeetingStatus::Accepted => {
                    sqlx::query("UPDATE meetings SET held = TRUE, updated_at = $2 WHERE id = $1")
                        .bind(id)
                        .bind(now)
                        .execute(&mut *tx)
                        .await
                        .map_err(backend)?;
                    tx.commit().await.map_err(backend)?;
                    return self.meeting(id).await?.ok_or(StoreError::NotFound);
                }
                _ => return Err(wrong_state()),
            };
            if matches!(
                change,
                MeetingChange::Accept | MeetingChange::Counter { .. }
            ) {
                let clashes: i64 = sqlx::query_scalar(&clash)
                    .bind(meeting.requester.0)
                    .bind(meeting.invitee.0)
                    .bind(starts_at)
                    .bind(ends_at)
                    .bind(Some(id))
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(backend)?;
                if clashes > 0 {
                    return Err(time_taken());
                }
            }
            let (spot, place, awaiting) = match change {
                MeetingChange::Counter {
                    by, spot, place, ..
                } => (*spot, place.clone(), Some(meeting.other(*by).0)),
                _ => (meeting.spot, meeting.place.clone(), None),
            };
            sqlx::query(
                "UPDATE meetings SET status = $2, starts_at = $3, ends_at = $4, spot_id = $5, \
                 place = $6, awaiting = $7, revision = revision + 1, updated_at = $8 WHERE id = $1",
            )
            .bind(id)
            .bind(status.as_str())
            .bind(starts_at)
            .bind(ends_at)
            .bind(spot)
            .bind(place)
            .bind(awaiting)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
            tx.commit().await.map_err(backend)?;
        });
        self.meeting(id).await?.ok_or(StoreError::NotFound)
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn meeting(&self, id: Uuid) -> StoreResult<Option<Meeting>> {
        let sql = format!("SELECT {COLUMNS} FROM meetings WHERE id = $1");
        // Read from the writer so a change is seen right after it is made.
        let row: Option<MeetingRow> = on_write!(self, |pool| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(pool)
            .await)
        .map_err(backend)?;
        row.map(Meeting::try_from).transpose()
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn meetings_of(&self, user: UserId, event: Option<EventId>) -> StoreResult<Vec<Meeting>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM meetings WHERE (requester_id = $1 OR invitee_id = $1) \
             AND ($2 IS NULL OR event_id = $2) ORDER BY starts_at, id"
        );
        let rows: Vec<MeetingRow> = on_read!(self, |pool| sqlx::query_as(&sql)
            .bind(user.0)
            .bind(event.map(|e| e.0))
            .fetch_all(pool)
            .await)
        .map_err(backend)?;
        rows.into_iter().map(Meeting::try_from).collect()
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn calendar_token(&self, user: UserId, fresh: &str) -> StoreResult<String> {
        on_write!(self, |pool| {
            sqlx::query(
                "INSERT INTO calendar_feeds (user_id, token) VALUES ($1, $2) \
                 ON CONFLICT (user_id) DO NOTHING",
            )
            .bind(user.0)
            .bind(fresh)
            .execute(pool)
            .await
            .map_err(|e| conflict_or_backend(e, &[("token", "calendar token")]))?;
            sqlx::query_scalar("SELECT token FROM calendar_feeds WHERE user_id = $1")
                .bind(user.0)
                .fetch_one(pool)
                .await
                .map_err(backend)
        })
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn user_by_calendar_token(&self, token: &str) -> StoreResult<Option<UserId>> {
        let id: Option<Uuid> = on_read!(self, |pool| sqlx::query_scalar(
            "SELECT user_id FROM calendar_feeds WHERE token = $1"
        )
        .bind(token)
        .fetch_optional(pool)
        .await)
        .map_err(backend)?;
        Ok(id.map(UserId))
    }
}
