//! Arrivals and departures: `memberships.here_since` (the current check-in)
//! and the `attendance` log, changed together by one statement pair that
//! both the member's own button ([`AttendanceStore::record_movement`]) and a
//! staff scan (`record_scan`, inside its transaction) run through
//! [`move_person!`].

use super::{
    support::{backend, corrupt, on_read, on_write},
    Db, Pools,
};
use app::{
    domain::{AttendanceSource, EventId, Movement, UserId},
    ports::{AttendanceEntry, AttendanceStore, NewMovement, StoreResult},
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// Applies `$m` (a [`NewMovement`]) on `$tx`, an open transaction on either
/// backend, and evaluates to whether it changed anything
/// (`Result<bool, sqlx::Error>`). Arriving counts when the member is not
/// here today; leaving, when they are. The first check-in ever is kept in
/// `checked_in_at`/`checked_in_by` (badge pages and exports show it).
macro_rules! move_person {
    ($tx:expr, $m:expr) => {
        async {
            let m: &app::ports::NewMovement = $m;
            let changed = match m.movement {
                app::domain::Movement::In => sqlx::query(
                    "UPDATE memberships SET here_since = $3, \
                     checked_in_at = COALESCE(checked_in_at, $3), \
                     checked_in_by = COALESCE(checked_in_by, $4) \
                     WHERE event_id = $1 AND user_id = $2 \
                     AND (here_since IS NULL OR here_since < $5)",
                )
                .bind(m.event.0)
                .bind(m.user.0)
                .bind(m.at)
                .bind(m.by.0)
                .bind(m.today_from),
                app::domain::Movement::Out => sqlx::query(
                    "UPDATE memberships SET here_since = NULL \
                     WHERE event_id = $1 AND user_id = $2 AND here_since >= $3",
                )
                .bind(m.event.0)
                .bind(m.user.0)
                .bind(m.today_from),
            }
            .execute(&mut *$tx)
            .await?
            .rows_affected()
                == 1;
            if changed {
                sqlx::query(
                    "INSERT INTO attendance (event_id, user_id, movement, source, by_id, at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(m.event.0)
                .bind(m.user.0)
                .bind(m.movement.as_str())
                .bind(m.source.as_str())
                .bind(m.by.0)
                .bind(m.at)
                .execute(&mut *$tx)
                .await?;
            }
            Ok::<bool, sqlx::Error>(changed)
        }
    };
}
pub(super) use move_person;

#[derive(sqlx::FromRow)]
struct EntryRow {
    user_id: Uuid,
    movement: String,
    source: String,
    at: DateTime<Utc>,
}

#[async_trait]
impl AttendanceStore for Db {
    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn record_movement(&self, m: &NewMovement) -> StoreResult<bool> {
        on_write!(self, |pool| {
            let mut tx = pool.begin().await.map_err(backend)?;
            let changed = move_person!(tx, m).await.map_err(backend)?;
            tx.commit().await.map_err(backend)?;
            Ok(changed)
        })
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn here_since(
        &self,
        event: EventId,
        user: UserId,
        today_from: DateTime<Utc>,
    ) -> StoreResult<Option<DateTime<Utc>>> {
        let since: Option<Option<DateTime<Utc>>> = on_read!(self, |pool| sqlx::query_scalar(
            "SELECT here_since FROM memberships \
             WHERE event_id = $1 AND user_id = $2 AND here_since >= $3"
        )
        .bind(event.0)
        .bind(user.0)
        .bind(today_from)
        .fetch_optional(pool)
        .await)
        .map_err(backend)?;
        Ok(since.flatten())
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn checked_in_now(
        &self,
        event: EventId,
        today_from: DateTime<Utc>,
    ) -> StoreResult<Vec<UserId>> {
        let ids: Vec<Uuid> = on_read!(self, |pool| sqlx::query_scalar(
            "SELECT user_id FROM memberships WHERE event_id = $1 AND here_since >= $2"
        )
        .bind(event.0)
        .bind(today_from)
        .fetch_all(pool)
        .await)
        .map_err(backend)?;
        Ok(ids.into_iter().map(UserId).collect())
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn live_in_rooms_elsewhere(
        &self,
        event: EventId,
        fresh_secs: f64,
    ) -> StoreResult<Vec<UserId>> {
        let Pools::Postgres(pool) = &self.pools else {
            return Ok(Vec::new());
        };
        let ids: Vec<Uuid> = sqlx::query_scalar(
            "SELECT DISTINCT p.user_id FROM room_presence p JOIN rooms r ON r.id = p.room_id \
             WHERE r.event_id = $1 AND p.seen_at > now() - make_interval(secs => $2)",
        )
        .bind(event.0)
        .bind(fresh_secs)
        .fetch_all(pool)
        .await
        .map_err(backend)?;
        Ok(ids.into_iter().map(UserId).collect())
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn attendance_log(&self, event: EventId) -> StoreResult<Vec<AttendanceEntry>> {
        let rows: Vec<EntryRow> = on_read!(self, |pool| sqlx::query_as(
            "SELECT user_id, movement, source, at FROM attendance \
             WHERE event_id = $1 ORDER BY at, id"
        )
        .bind(event.0)
        .fetch_all(pool)
        .await)
        .map_err(backend)?;
        rows.into_iter()
            .map(|r| {
                Ok(AttendanceEntry {
                    user: UserId(r.user_id),
                    movement: Movement::parse(&r.movement).map_err(|_| corrupt("movement"))?,
                    source: AttendanceSource::parse(&r.source)
                        .map_err(|_| corrupt("attendance source"))?,
                    at: r.at,
                })
            })
            .collect()
    }
}
