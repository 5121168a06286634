//! My connections with where and how we met, my private notes about them,
//! and the requests waiting for me when I approve scans.

use super::{
    accounts::UserRow,
    support::{backend, conflict_or_backend, corrupt, now, on_read, on_write},
    Db,
};
use app::{
    domain::{ConnectionMethod, ConnectionNoteText, EventId, Labels, Rating, Slug, UserId},
    ports::{
        ConnectionEntry, ConnectionNote, ConnectionRequest, ConnectionStore, NoteRecord,
        StoreError, StoreResult,
    },
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// The note columns as stored (absent when I never wrote one).
fn note_from(
    note: Option<String>,
    rating: Option<i32>,
    labels: Option<String>,
) -> StoreResult<ConnectionNote> {
    Ok(ConnectionNote {
        note: ConnectionNoteText::from_stored(note.unwrap_or_default()),
        rating: rating
            .map(|r| Rating::parse(&r.to_string()).map_err(|_| corrupt("rating")))
            .transpose()?
            .flatten(),
        labels: Labels::from_stored(match labels {
            Some(l) => serde_json::from_str(&l).map_err(|_| corrupt("labels"))?,
            None => Vec::new(),
        }),
    })
}

#[derive(sqlx::FromRow)]
struct ConnectionRow {
    #[sqlx(flatten)]
    user: UserRow,
    event_name: Option<String>,
    event_slug: Option<String>,
    method: String,
    connected_at: DateTime<Utc>,
    note: Option<String>,
    rating: Option<i32>,
    labels: Option<String>,
}

#[derive(sqlx::FromRow)]
struct NoteRow {
    other_id: Uuid,
    other_name: String,
    note: String,
    rating: Option<i32>,
    labels: String,
    updated_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct RequestRow {
    event_id: Uuid,
    event_name: String,
    from_id: Uuid,
    from_name: String,
    from_headline: String,
    method: String,
    created_at: DateTime<Utc>,
}

#[async_trait]
impl ConnectionStore for Db {
    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn my_connections(&self, user: UserId) -> StoreResult<Vec<ConnectionEntry>> {
        let columns = super::accounts::USER_COLUMNS
            .split(',')
            .map(|c| format!("u.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {columns}, e.name AS event_name, e.slug AS event_slug, c.method, \
             c.created_at AS connected_at, n.note, n.rating, n.labels \
             FROM connections c \
             JOIN users u ON u.id = (CASE WHEN c.user_a = $1 THEN c.user_b ELSE c.user_a END) \
             LEFT JOIN events e ON e.id = c.event_id \
             LEFT JOIN connection_notes n ON n.owner_id = $1 AND n.other_id = u.id \
             WHERE c.user_a = $1 OR c.user_b = $1 \
             ORDER BY c.created_at DESC, u.id"
        );
        let rows: Vec<ConnectionRow> = on_read!(self, |pool| sqlx::query_as(&sql)
            .bind(user.0)
            .fetch_all(pool)
            .await)
        .map_err(backend)?;
        rows.into_iter()
            .map(|r| {
                let event = match (r.event_name, r.event_slug) {
                    (Some(name), Some(slug)) => {
                        Some((name, Slug::parse(&slug).map_err(|_| corrupt("slug"))?))
                    }
                    _ => None,
                };
                Ok(ConnectionEntry {
                    other: r.user.try_into()?,
                    event,
                    method: ConnectionMethod::parse(&r.method).map_err(|_| corrupt("method"))?,
                    connected_at: r.connected_at,
                    note: note_from(r.note, r.rating, r.labels)?,
                })
            })
            .collect()
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn set_connection_note(
        &self,
        owner: UserId,
        other: UserId,
        note: &ConnectionNote,
    ) -> StoreResult<()> {
        let (low, high) = pair(owner, other);
        let labels = serde_json::to_string(note.labels.as_slice())
            .map_err(|e| StoreError::Backend(e.into()))?;
        on_write!(self, |pool| {
            let mut tx = pool.begin().await.map_err(backend)?;
            // Only about someone I am connected with; their current name is
            // kept with the note in case they leave.
            let name: Option<String> = sqlx::query_scalar(
                "SELECT u.display_name FROM connections c JOIN users u ON u.id = $3 \
                 WHERE c.user_a = $1 AND c.user_b = $2",
            )
            .bind(low)
            .bind(high)
            .bind(other.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
            let Some(name) = name else {
                return Err(StoreError::NotFound);
            };
            sqlx::query(
                "INSERT INTO connection_notes (owner_id, other_id, other_name, note, rating, labels, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (owner_id, other_id) DO UPDATE SET other_name = excluded.other_name, \
                 note = excluded.note, rating = excluded.rating, labels = excluded.labels, \
                 updated_at = excluded.updated_at",
            )
            .bind(owner.0)
            .bind(other.0)
            .bind(name)
            .bind(note.note.as_str())
            .bind(note.rating.map(|r| i32::from(r.get())))
            .bind(&labels)
            .bind(now())
            .execute(&mut *tx)
            .await
            .map_err(|e| conflict_or_backend(e, &[]))?;
            tx.commit().await.map_err(backend)?;
        });
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn notes_by(&self, owner: UserId) -> StoreResult<Vec<NoteRecord>> {
        let rows: Vec<NoteRow> = on_read!(self, |pool| {
            sqlx::query_as(
            "SELECT other_id, other_name, note, rating, labels, updated_at FROM connection_notes \
             WHERE owner_id = $1 ORDER BY updated_at DESC, other_id"
        )
        .bind(owner.0)
        .fetch_all(pool)
        .await
        })
        .map_err(backend)?;
        rows.into_iter()
            .map(|r| {
                Ok(NoteRecord {
                    other: UserId(r.other_id),
                    other_name: r.other_name,
                    note: note_from(Some(r.note), r.rating, Some(r.labels))?,
                    updated_at: r.updated_at,
                })
            })
            .collect()
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn incoming_requests(&self, user: UserId) -> StoreResult<Vec<ConnectionRequest>> {
        let rows: Vec<RequestRow> = on_read!(self, |pool| sqlx::query_as(
            "SELECT r.event_id, e.name AS event_name, r.from_id, u.display_name AS from_name, \
             u.headline AS from_headline, r.method, r.created_at \
             FROM connection_requests r JOIN events e ON e.id = r.event_id \
             JOIN users u ON u.id = r.from_id \
             WHERE r.to_id = $1 AND r.declined = FALSE \
             AND NOT EXISTS (SELECT 1 FROM blocks x WHERE (x.blocker_id = r.to_id AND x.blocked_id = r.from_id) \
                             OR (x.blocker_id = r.from_id AND x.blocked_id = r.to_id)) \
             ORDER BY r.created_at, r.from_id"
        )
        .bind(user.0)
        .fetch_all(pool)
        .await)
        .map_err(backend)?;
        rows.into_iter()
            .map(|r| {
                Ok(ConnectionRequest {
                    event: EventId(r.event_id),
                    event_name: r.event_name,
                    from: UserId(r.from_id),
                    from_name: r.from_name,
                    from_headline: r.from_headline,
                    method: ConnectionMethod::parse(&r.method).map_err(|_| corrupt("method"))?,
                    created_at: r.created_at,
                })
            })
            .collect()
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn answer_request(
        &self,
        event: EventId,
        from: UserId,
        to: UserId,
        accept: bool,
    ) -> StoreResult<bool> {
        let (low, high) = pair(from, to);
        let now = now();
        let added = on_write!(self, |pool| {
            let mut tx = pool.begin().await.map_err(backend)?;
            let pending: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM connection_requests \
                 WHERE event_id = $1 AND from_id = $2 AND to_id = $3 AND declined = FALSE",
            )
            .bind(event.0)
            .bind(from.0)
            .bind(to.0)
            .fetch_one(&mut *tx)
            .await
            .map_err(backend)?;
            if pending == 0 {
                return Err(StoreError::NotFound);
            }
            let added = if accept {
                let added = sqlx::query(
                    "INSERT INTO connections (user_a, user_b, event_id, created_at, method) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_a, user_b) DO NOTHING",
                )
                .bind(low)
                .bind(high)
                .bind(event.0)
                .bind(now)
                .bind(ConnectionMethod::Approved.as_str())
                .execute(&mut *tx)
                .await
                .map_err(|e| conflict_or_backend(e, &[]))?
                .rows_affected();
                sqlx::query(
                    "DELETE FROM connection_requests WHERE (from_id = $1 AND to_id = $2) \
                     OR (from_id = $2 AND to_id = $1)",
                )
                .bind(from.0)
                .bind(to.0)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
                added == 1
            } else {
                sqlx::query(
                    "UPDATE connection_requests SET declined = TRUE \
                     WHERE event_id = $1 AND from_id = $2 AND to_id = $3",
                )
                .bind(event.0)
                .bind(from.0)
                .bind(to.0)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
                false
            };
            tx.commit().await.map_err(backend)?;
            added
        });
        Ok(added)
    }
}

/// Orders a pair so it is stored as one row (`user_a < user_b`).
pub(super) fn pair(a: UserId, b: UserId) -> (Uuid, Uuid) {
    if a.0 < b.0 {
        (a.0, b.0)
    } else {
        (b.0, a.0)
    }
}

/// Connects two people (one row per pair); `true` if the connection is new.
pub(super) async fn connect(
    db: &Db,
    a: UserId,
    b: UserId,
    event: Option<EventId>,
) -> StoreResult<bool> {
    let (low, high) = pair(a, b);
    let added = on_write!(db, |pool| sqlx::query(
        "INSERT INTO connections (user_a, user_b, event_id, created_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (user_a, user_b) DO NOTHING"
    )
    .bind(low)
    .bind(high)
    .bind(event.map(|e| e.0))
    .bind(now())
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))
    .map_err(|e| conflict_or_backend(e, &[]))?;
    Ok(added == 1)
}

/// Whether the two are connected.
pub(super) async fn are_connected(db: &Db, a: UserId, b: UserId) -> StoreResult<bool> {
    let (low, high) = pair(a, b);
    db.any_for_pair(
        "SELECT COUNT(*) FROM connections WHERE user_a = $1 AND user_b = $2",
        low,
        high,
    )
    .await
}

/// The people `user` is connected with, by name.
pub(super) async fn connections_of(db: &Db, user: UserId) -> StoreResult<Vec<(UserId, String)>> {
    db.people_for(
        "SELECT u.id, u.display_name FROM connections c \
         JOIN users u ON u.id = (CASE WHEN c.user_a = $1 THEN c.user_b ELSE c.user_a END) \
         WHERE c.user_a = $1 OR c.user_b = $1",
        user,
    )
    .await
}
