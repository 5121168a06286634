//! The meeting scheduler's SQL: sessions (settings, slots, spot
//! capacities), availability and wishes, and the schedule (draft rows, and
//! published ones pointing at the real meeting each became). Every
//! statement names the event, so one event never reads or changes
//! another's rows. Publishing is one transaction: every draft becomes an
//! accepted meeting, or none does.

use super::{
    support::{backend, conflict_or_backend, corrupt, now, on_read, on_write},
    Db,
};
use app::{
    domain::{EventId, MeetingStatus, UserId, WishPriority},
    ports::{
        Availability, NewScheduled, Publication, ScheduleSettings, ScheduleSetup, ScheduleSlot,
        ScheduleSpot, ScheduleStore, ScheduledMeeting, StoreError, StoreResult, WishRecord,
    },
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use uuid::Uuid;

type SettingsRow = (i32, i32, i64, Option<DateTime<Utc>>, Option<DateTime<Utc>>);

#[derive(sqlx::FromRow)]
struct ScheduledRow {
    id: Uuid,
    a_id: Uuid,
    b_id: Uuid,
    slot_id: Uuid,
    spot_id: Uuid,
    value: i64,
    published: bool,
    meeting_id: Option<Uuid>,
    status: Option<String>,
}

fn count(n: i32) -> u32 {
    u32::try_from(n).unwrap_or(0)
}

/// Inside the write transaction `$tx`: inserts the draft meeting `$d` of
/// `$event`, refusing slots and spots of another event (`NotFound`).
macro_rules! insert_draft {
    ($tx:ident, $event:expr, $d:expr) => {{
        let d: &NewScheduled = $d;
        let done = sqlx::query(
            "INSERT INTO schedule_meetings (id, event_id, a_id, b_id, slot_id, spot_id, value) \
             SELECT $1, $2, $3, $4, t.id, p.id, $7 FROM schedule_slots t, meeting_spots p \
             WHERE t.id = $5 AND t.event_id = $2 AND p.id = $6 AND p.event_id = $2",
        )
        .bind(d.id)
        .bind($event.0)
        .bind(d.a.0)
        .bind(d.b.0)
        .bind(d.slot)
        .bind(d.spot)
        .bind(d.value)
        .execute(&mut *$tx)
        .await
        .map_err(|e| conflict_or_backend(e, &[]))?
        .rows_affected();
        if done == 0 {
            return Err(StoreError::NotFound);
        }
    }};
}

#[async_trait]
impl ScheduleStore for Db {
    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn schedule_setup(&self, event: EventId) -> StoreResult<ScheduleSetup> {
        let (settings, slots, spots) = on_read!(self, |pool| {
            let settings: Option<SettingsRow> = sqlx::query_as(
                "SELECT max_meetings, max_in_a_row, upper_bound, ran_at, published_at \
                 FROM schedule_settings WHERE event_id = $1",
            )
            .bind(event.0)
            .fetch_optional(pool)
            .await
            .map_err(backend)?;
            let slots: Vec<(Uuid, DateTime<Utc>, DateTime<Utc>)> = sqlx::query_as(
                "SELECT id, starts_at, ends_at FROM schedule_slots WHERE event_id = $1 \
                 ORDER BY starts_at",
            )
            .bind(event.0)
            .fetch_all(pool)
            .await
            .map_err(backend)?;
            let spots: Vec<(Uuid, String, Option<i32>)> = sqlx::query_as(
                "SELECT s.id, s.name, c.capacity FROM meeting_spots s \
                 LEFT JOIN schedule_spots c ON c.spot_id = s.id \
                 WHERE s.event_id = $1 ORDER BY s.position, s.name",
            )
            .bind(event.0)
            .fetch_all(pool)
            .await
            .map_err(backend)?;
            (settings, slots, spots)
        });
        Ok(ScheduleSetup {
            settings: settings.map_or_else(ScheduleSettings::default, |s| ScheduleSettings {
                max_meetings: count(s.0),
                max_in_a_row: count(s.1),
                upper_bound: s.2,
                ran_at: s.3,
                published_at: s.4,
            }),
            slots: slots
                .into_iter()
                .map(|(id, starts_at, ends_at)| ScheduleSlot {
                    id,
                    starts_at,
                    ends_at,
                })
                .collect(),
            spots: spots
                .into_iter()
                .map(|(id, name, capacity)| ScheduleSpot {
                    id,
                    name,
                    capacity: capacity.map_or(1, count),
                })
                .collect(),
        })
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn save_schedule_setup(
        &self,
        event: EventId,
        max_meetings: u32,
        max_in_a_row: u32,
        slots: &[(DateTime<Utc>, DateTime<Utc>)],
        capacities: &[(Uuid, u32)],
    ) -> StoreResult<()> {
        let as_i32 = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
        on_write!(self, |pool| {
            let mut tx = pool.begin().await.map_err(backend)?;
            sqlx::query(
                "INSERT INTO schedule_settings (event_id, max_meetings, max_in_a_row) \
                 VALUES ($1, $2, $3) ON CONFLICT (event_id) DO UPDATE \
                 SET max_meetings = excluded.max_meetings, max_in_a_row = excluded.max_in_a_row",
            )
            .bind(event.0)
            .bind(as_i32(max_meetings))
            .bind(as_i32(max_in_a_row))
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
            sqlx::query("DELETE FROM schedule_meetings WHERE event_id = $1 AND NOT published")
                .bind(event.0)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
            let existing: Vec<(Uuid, DateTime<Utc>, DateTime<Utc>)> = sqlx::query_as(
                "SELECT id, starts_at, ends_at FROM schedule_slots WHERE event_id = $1",
            )
            .bind(event.0)
            .fetch_all(&mut *tx)
            .await
            .map_err(backend)?;
            for (id, starts, ends) in &existing {
                if !slots.contains(&(*starts, *ends)) {
                    sqlx::query("DELETE FROM schedule_slots WHERE id = $1")
                        .bind(id)
                        .execute(&mut *tx)
                        .await
                        .map_err(backend)?;
                }
            }
            for (starts, ends) in slots {
                if existing.iter().any(|(_, s, e)| s == starts && e == ends) {
                    continue;
                }
                sqlx::query(
                    "INSERT INTO schedule_slots (id, event_id, starts_at, ends_at) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(Uuid::new_v4())
                .bind(event.0)
                .bind(starts)
                .bind(ends)
                .execute(&mut *tx)
                .await
                .map_err(|e| conflict_or_backend(e, &[("starts_at", "slot time")]))?;
            }
            for (spot, capacity) in capacities {
                // Only the event's own spots.
                sqlx::query(
                    "INSERT INTO schedule_spots (spot_id, capacity) \
                     SELECT id, $3 FROM meeting_spots WHERE id = $1 AND event_id = $2 \
                     ON CONFLICT (spot_id) DO UPDATE SET capacity = excluded.capacity",
                )
                .bind(spot)
                .bind(event.0)
                .bind(as_i32(*capacity))
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
            }
            tx.commit().await.map_err(backend)?;
        });
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn set_wish(
        &self,
        event: EventId,
        from: UserId,
        to: UserId,
        priority: Option<WishPriority>,
    ) -> StoreResult<()> {
        on_write!(self, |pool| {
            match priority {
            Some(p) => sqlx::query(
                "INSERT INTO schedule_wishes (event_id, user_id, other_id, priority, created_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id, user_id, other_id) \
                 DO UPDATE SET priority = excluded.priority",
            )
            .bind(event.0)
            .bind(from.0)
            .bind(to.0)
            .bind(p.as_str())
            .bind(now())
            .execute(pool)
            .await
            .map(|_| ())
            .map_err(|e| conflict_or_backend(e, &[])),
            None => sqlx::query(
                "DELETE FROM schedule_wishes WHERE event_id = $1 AND user_id = $2 AND other_id = $3",
            )
            .bind(event.0)
            .bind(from.0)
            .bind(to.0)
            .execute(pool)
            .await
            .map(|_| ())
            .map_err(backend),
        }
        })?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn wishes(&self, event: EventId, from: Option<UserId>) -> StoreResult<Vec<WishRecord>> {
        let rows: Vec<(Uuid, Uuid, String)> = on_read!(self, |pool| sqlx::query_as(
            "SELECT user_id, other_id, priority FROM schedule_wishes \
             WHERE event_id = $1 AND ($2 IS NULL OR user_id = $2) ORDER BY created_at, other_id"
        )
        .bind(event.0)
        .bind(from.map(|u| u.0))
        .fetch_all(pool)
        .await)
        .map_err(backend)?;
        rows.into_iter()
            .map(|(from, to, p)| {
                Ok(WishRecord {
                    from: UserId(from),
                    to: UserId(to),
                    priority: WishPriority::parse(&p).map_err(|_| corrupt("wish priority"))?,
                })
            })
            .collect()
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn set_availability(
        &self,
        event: EventId,
        user: UserId,
        accepts_requests: bool,
        unavailable: &[Uuid],
    ) -> StoreResult<()> {
        on_write!(self, |pool| {
            let mut tx = pool.begin().await.map_err(backend)?;
            sqlx::query(
                "INSERT INTO schedule_people (event_id, user_id, accepts_requests) \
                 VALUES ($1, $2, $3) ON CONFLICT (event_id, user_id) \
                 DO UPDATE SET accepts_requests = excluded.accepts_requests",
            )
            .bind(event.0)
            .bind(user.0)
            .bind(accepts_requests)
            .execute(&mut *tx)
            .await
            .map_err(|e| conflict_or_backend(e, &[]))?;
            sqlx::query(
                "DELETE FROM schedule_unavailable WHERE user_id = $1 \
                 AND slot_id IN (SELECT id FROM schedule_slots WHERE event_id = $2)",
            )
            .bind(user.0)
            .bind(event.0)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
            for slot in unavailable {
                sqlx::query(
                    "INSERT INTO schedule_unavailable (slot_id, user_id) \
                     SELECT id, $2 FROM schedule_slots WHERE id = $1 AND event_id = $3 \
                     ON CONFLICT (slot_id, user_id) DO NOTHING",
                )
                .bind(slot)
                .bind(user.0)
                .bind(event.0)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
            }
            tx.commit().await.map_err(backend)?;
        });
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn availability(
        &self,
        event: EventId,
        user: Option<UserId>,
    ) -> StoreResult<Vec<Availability>> {
        let (people, slots) = on_read!(self, |pool| {
            let people: Vec<(Uuid, bool)> = sqlx::query_as(
                "SELECT user_id, accepts_requests FROM schedule_people \
                 WHERE event_id = $1 AND ($2 IS NULL OR user_id = $2) ORDER BY user_id",
            )
            .bind(event.0)
            .bind(user.map(|u| u.0))
            .fetch_all(pool)
            .await
            .map_err(backend)?;
            let slots: Vec<(Uuid, Uuid)> = sqlx::query_as(
                "SELECT u.user_id, u.slot_id FROM schedule_unavailable u \
                 JOIN schedule_slots s ON s.id = u.slot_id \
                 WHERE s.event_id = $1 AND ($2 IS NULL OR u.user_id = $2) ORDER BY s.starts_at",
            )
            .bind(event.0)
            .bind(user.map(|u| u.0))
            .fetch_all(pool)
            .await
            .map_err(backend)?;
            (people, slots)
        });
        let mut by_user: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
        for (user, slot) in slots {
            by_user.entry(user).or_default().push(slot);
        }
        Ok(people
            .into_iter()
            .map(|(user, accepts_requests)| Availability {
                user: UserId(user),
                accepts_requests,
                unavailable: by_user.remove(&user).unwrap_or_default(),
            })
            .collect())
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn blocked_pairs(&self, event: EventId) -> StoreResult<Vec<(UserId, UserId)>> {
        let rows: Vec<(Uuid, Uuid)> = on_read!(self, |pool| sqlx::query_as(
            "SELECT b.blocker_id, b.blocked_id FROM blocks b \
             JOIN memberships m1 ON m1.user_id = b.blocker_id AND m1.event_id = $1 \
             JOIN memberships m2 ON m2.user_id = b.blocked_id AND m2.event_id = $1"
        )
        .bind(event.0)
        .fetch_all(pool)
        .await)
        .map_err(backend)?;
        Ok(rows
            .into_iter()
            .map(|(a, b)| (UserId(a), UserId(b)))
            .collect())
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn other_accepted_meetings(
        &self,
        event: EventId,
    ) -> StoreResult<Vec<(UserId, UserId, DateTime<Utc>, DateTime<Utc>)>> {
        let rows: Vec<(Uuid, Uuid, DateTime<Utc>, DateTime<Utc>)> = on_read!(self, |pool| {
            sqlx::query_as(
                "SELECT requester_id, invitee_id, starts_at, ends_at FROM meetings m \
                 WHERE event_id = $1 AND status = 'accepted' AND NOT EXISTS \
                 (SELECT 1 FROM schedule_meetings s WHERE s.meeting_id = m.id)",
            )
            .bind(event.0)
            .fetch_all(pool)
            .await
        })
        .map_err(backend)?;
        Ok(rows
            .into_iter()
            .map(|(a, b, s, e)| (UserId(a), UserId(b), s, e))
            .collect())
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn scheduled(&self, event: EventId) -> StoreResult<Vec<ScheduledMeeting>> {
        // From the writer: an edit or a publication is seen right after it.
        let rows: Vec<ScheduledRow> = on_write!(self, |pool| sqlx::query_as(
            "SELECT s.id, s.a_id, s.b_id, s.slot_id, s.spot_id, s.value, s.published, \
             s.meeting_id, m.status FROM schedule_meetings s \
             JOIN schedule_slots t ON t.id = s.slot_id \
             LEFT JOIN meetings m ON m.id = s.meeting_id \
             WHERE s.event_id = $1 ORDER BY t.starts_at, s.spot_id, s.id"
        )
        .bind(event.0)
        .fetch_all(pool)
        .await)
        .map_err(backend)?;
        rows.into_iter()
            .map(|r| {
                Ok(ScheduledMeeting {
                    id: r.id,
                    a: UserId(r.a_id),
                    b: UserId(r.b_id),
                    slot: r.slot_id,
                    spot: r.spot_id,
                    value: r.value,
                    published: r.published,
                    meeting: r.meeting_id,
                    meeting_status: r
                        .status
                        .map(|s| MeetingStatus::parse(&s).map_err(|_| corrupt("meeting status")))
                        .transpose()?,
                })
            })
            .collect()
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn save_draft(
        &self,
        event: EventId,
        drafts: &[NewScheduled],
        upper_bound: i64,
    ) -> StoreResult<()> {
        on_write!(self, |pool| {
            let mut tx = pool.begin().await.map_err(backend)?;
            sqlx::query(
                "INSERT INTO schedule_settings (event_id, max_meetings, max_in_a_row, upper_bound, ran_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id) DO UPDATE \
                 SET upper_bound = excluded.upper_bound, ran_at = excluded.ran_at",
            )
            .bind(event.0)
            .bind(ScheduleSettings::default().max_meetings as i32)
            .bind(ScheduleSettings::default().max_in_a_row as i32)
            .bind(upper_bound)
            .bind(now())
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
            sqlx::query("DELETE FROM schedule_meetings WHERE event_id = $1 AND NOT published")
                .bind(event.0)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
            for d in drafts {
                insert_draft!(tx, event, d);
            }
            tx.commit().await.map_err(backend)?;
        });
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn put_draft_meeting(&self, event: EventId, meeting: &NewScheduled) -> StoreResult<()> {
        on_write!(self, |pool| {
            let mut tx = pool.begin().await.map_err(backend)?;
            let published: Option<bool> = sqlx::query_scalar(
                "SELECT published FROM schedule_meetings WHERE id = $1 AND event_id = $2",
            )
            .bind(meeting.id)
            .bind(event.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
            match published {
                Some(true) => return Err(StoreError::Conflict("published meeting")),
                Some(false) => {
                    // Only to a slot and spot of the same event.
                    let moved = sqlx::query(
                        "UPDATE schedule_meetings SET slot_id = $3, spot_id = $4 \
                         WHERE id = $1 AND event_id = $2 \
                         AND EXISTS (SELECT 1 FROM schedule_slots WHERE id = $3 AND event_id = $2) \
                         AND EXISTS (SELECT 1 FROM meeting_spots WHERE id = $4 AND event_id = $2)",
                    )
                    .bind(meeting.id)
                    .bind(event.0)
                    .bind(meeting.slot)
                    .bind(meeting.spot)
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| conflict_or_backend(e, &[]))?
                    .rows_affected();
                    if moved == 0 {
                        return Err(StoreError::NotFound);
                    }
                }
                None => insert_draft!(tx, event, meeting),
            }
            tx.commit().await.map_err(backend)?;
        });
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn remove_draft_meeting(&self, event: EventId, id: Uuid) -> StoreResult<()> {
        self.delete_for_pair(
            "DELETE FROM schedule_meetings WHERE id = $1 AND event_id = $2 AND NOT published",
            id,
            event.0,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn publish_schedule(
        &self,
        event: EventId,
        publications: &[Publication],
    ) -> StoreResult<()> {
        let now = now();
        on_write!(self, |pool| {
            let mut tx = pool.begin().await.map_err(backend)?;
            for p in publications {
                let made = sqlx::query(
                    "INSERT INTO meetings (id, event_id, requester_id, invitee_id, starts_at, \
                     ends_at, spot_id, place, message, status, awaiting, created_at, updated_at) \
                     SELECT $1, event_id, a_id, b_id, $3, $4, spot_id, $5, $6, 'accepted', NULL, \
                     $7, $7 FROM schedule_meetings WHERE id = $2 AND event_id = $8 AND NOT published",
                )
                .bind(p.meeting)
                .bind(p.scheduled)
                .bind(p.starts_at)
                .bind(p.ends_at)
                .bind(&p.place)
                .bind(&p.message)
                .bind(now)
                .bind(event.0)
                .execute(&mut *tx)
                .await
                .map_err(|e| conflict_or_backend(e, &[]))?
                .rows_affected();
                if made == 0 {
                    return Err(StoreError::Conflict("draft"));
                }
                sqlx::query(
                    "UPDATE schedule_meetings SET published = TRUE, meeting_id = $2 WHERE id = $1",
                )
                .bind(p.scheduled)
                .bind(p.meeting)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
            }
            sqlx::query("UPDATE schedule_settings SET published_at = $2 WHERE event_id = $1")
                .bind(event.0)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
            tx.commit().await.map_err(backend)?;
        });
        Ok(())
    }
}
