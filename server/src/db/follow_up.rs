//! Following up on connections across events: connections met elsewhere
//! who are at an event too ("meet again"), the scans and meetings between
//! two connected people (timeline, "keep in touch"), reminders on notes
//! (claimed once when due, so two instances never send one twice), and
//! the digest opt-in.

use super::{
    connections::pair,
    support::{backend, conflict_or_backend, corrupt, now, on_read, on_write},
    Db,
};
use app::{
    domain::{EventId, ReminderText, UserId},
    ports::{
        DueReminder, FollowUpStore, Interaction, InteractionKind, MetBefore, Reminder, StoreError,
        StoreResult,
    },
};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct MetBeforeRow {
    other_id: Uuid,
    other_name: String,
    met_at_event: Option<String>,
    connected_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct InteractionRow {
    other_id: Uuid,
    kind: String,
    by_me: bool,
    status: String,
    place: String,
    event_name: String,
    event_slug: String,
    at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct ReminderRow {
    id: Uuid,
    owner_id: Uuid,
    other_id: Uuid,
    text: String,
    due_at: DateTime<Utc>,
    notified_at: Option<DateTime<Utc>>,
}

impl From<ReminderRow> for Reminder {
    fn from(r: ReminderRow) -> Self {
        Reminder {
            id: r.id,
            owner: UserId(r.owner_id),
            other: UserId(r.other_id),
            text: ReminderText::from_stored(r.text),
            due_at: r.due_at,
            notified_at: r.notified_at,
        }
    }
}

const REMINDER_COLUMNS: &str = "id, owner_id, other_id, text, due_at, notified_at";

/// Scans that connected us (or asked to) and meetings between `$1` and
/// anyone, kept to people `$1` is connected with (and only `$2` when it is
/// not NULL), newest first.
const INTERACTIONS: &str = "SELECT * FROM ( \
     SELECT CASE WHEN s.scanner_id = $1 THEN s.target_id ELSE s.scanner_id END AS other_id, \
            'scan' AS kind, (s.scanner_id = $1) AS by_me, '' AS status, '' AS place, \
            e.name AS event_name, e.slug AS event_slug, s.scanned_at AS at \
     FROM scans s JOIN events e ON e.id = s.event_id \
     WHERE ((s.scanner_id = $1 AND s.target_id IS NOT NULL) \
            OR (s.target_id = $1 AND s.scanner_id IS NOT NULL)) \
       AND s.outcome IN ('connected', 'already_connected', 'requested') \
     UNION ALL \
     SELECT CASE WHEN m.requester_id = $1 THEN m.invitee_id ELSE m.requester_id END, \
            'meeting', (m.requester_id = $1), m.status, m.place, e.name, e.slug, m.starts_at \
     FROM meetings m JOIN events e ON e.id = m.event_id \
     WHERE m.requester_id = $1 OR m.invitee_id = $1 \
   ) i \
   WHERE EXISTS (SELECT 1 FROM connections c WHERE (c.user_a = $1 AND c.user_b = i.other_id) \
                 OR (c.user_b = $1 AND c.user_a = i.other_id)) \
     AND ($2 IS NULL OR i.other_id = $2) \
   ORDER BY i.at DESC, i.other_id";

#[async_trait]
impl FollowUpStore for Db {
    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn met_before_here(&self, event: EventId, user: UserId) -> StoreResult<Vec<MetBefore>> {
        let rows: Vec<MetBeforeRow> = on_read!(self, |pool| sqlx::query_as(
            "SELECT u.id AS other_id, u.display_name AS other_name, e.name AS met_at_event, \
             c.created_at AS connected_at \
             FROM connections c \
             JOIN users u ON u.id = (CASE WHEN c.user_a = $1 THEN c.user_b ELSE c.user_a END) \
             JOIN memberships m ON m.event_id = $2 AND m.user_id = u.id AND m.opted_out = FALSE \
             LEFT JOIN events e ON e.id = c.event_id \
             WHERE (c.user_a = $1 OR c.user_b = $1) \
               AND (c.event_id IS NULL OR c.event_id <> $2) \
               AND NOT EXISTS (SELECT 1 FROM blocks x \
                   WHERE (x.blocker_id = $1 AND x.blocked_id = u.id) \
                      OR (x.blocker_id = u.id AND x.blocked_id = $1)) \
             ORDER BY c.created_at, u.id"
        )
        .bind(user.0)
        .bind(event.0)
        .fetch_all(pool)
        .await)
        .map_err(backend)?;
        Ok(rows
            .into_iter()
            .map(|r| MetBefore {
                other: UserId(r.other_id),
                other_name: r.other_name,
                met_at_event: r.met_at_event,
                connected_at: r.connected_at,
            })
            .collect())
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn interactions(
        &self,
        me: UserId,
        other: Option<UserId>,
    ) -> StoreResult<Vec<Interaction>> {
        let rows: Vec<InteractionRow> = on_read!(self, |pool| sqlx::query_as(INTERACTIONS)
            .bind(me.0)
            .bind(other.map(|o| o.0))
            .fetch_all(pool)
            .await)
        .map_err(backend)?;
        rows.into_iter()
            .map(|r| {
                let kind = match r.kind.as_str() {
                    "scan" => InteractionKind::Scan { by_me: r.by_me },
                    "meeting" => InteractionKind::Meeting {
                        status: r.status,
                        place: r.place,
                    },
                    _ => return Err(corrupt("interaction kind")),
                };
                Ok(Interaction {
                    other: UserId(r.other_id),
                    kind,
                    event: (r.event_name, r.event_slug),
                    at: r.at,
                })
            })
            .collect()
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn add_reminder(
        &self,
        owner: UserId,
        other: UserId,
        text: &ReminderText,
        due_at: DateTime<Utc>,
    ) -> StoreResult<Reminder> {
        let (low, high) = pair(owner, other);
        let id = Uuid::new_v4();
        on_write!(self, |pool| {
            let mut tx = pool.begin().await.map_err(backend)?;
            let connected: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM connections WHERE user_a = $1 AND user_b = $2",
            )
            .bind(low)
            .bind(high)
            .fetch_one(&mut *tx)
            .await
            .map_err(backend)?;
            if connected == 0 {
                return Err(StoreError::NotFound);
            }
            sqlx::query(
                "INSERT INTO note_reminders (id, owner_id, other_id, text, due_at, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(owner.0)
            .bind(other.0)
            .bind(text.as_str())
            .bind(due_at)
            .bind(now())
            .execute(&mut *tx)
            .await
            .map_err(|e| conflict_or_backend(e, &[]))?;
            tx.commit().await.map_err(backend)?;
        });
        Ok(Reminder {
            id,
            owner,
            other,
            text: text.clone(),
            due_at,
            notified_at: None,
        })
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn reminders_of(
        &self,
        owner: UserId,
        other: Option<UserId>,
    ) -> StoreResult<Vec<Reminder>> {
        let sql = format!(
            "SELECT {REMINDER_COLUMNS} FROM note_reminders \
             WHERE owner_id = $1 AND ($2 IS NULL OR other_id = $2) \
             ORDER BY due_at, id"
        );
        let rows: Vec<ReminderRow> = on_read!(self, |pool| sqlx::query_as(&sql)
            .bind(owner.0)
            .bind(other.map(|o| o.0))
            .fetch_all(pool)
            .await)
        .map_err(backend)?;
        Ok(rows.into_iter().map(Reminder::from).collect())
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn finish_reminder(&self, owner: UserId, id: Uuid) -> StoreResult<()> {
        self.delete_for_pair(
            "DELETE FROM note_reminders WHERE id = $1 AND owner_id = $2",
            id,
            owner.0,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn claim_due_reminders(&self, at: DateTime<Utc>) -> StoreResult<Vec<DueReminder>> {
        let sql = format!(
            "UPDATE note_reminders SET notified_at = $1 \
             WHERE notified_at IS NULL AND due_at <= $1 \
             RETURNING {REMINDER_COLUMNS}"
        );
        let rows: Vec<ReminderRow> = on_write!(self, |pool| sqlx::query_as(&sql)
            .bind(at)
            .fetch_all(pool)
            .await)
        .map_err(backend)?;
        let mut due = Vec::with_capacity(rows.len());
        for r in rows {
            let reminder = Reminder::from(r);
            // Their name now, else as my note kept it.
            let name: Option<String> = on_read!(self, |pool| {
                sqlx::query_scalar(
                "SELECT COALESCE( \
                   (SELECT display_name FROM users WHERE id = $2), \
                   (SELECT other_name FROM connection_notes WHERE owner_id = $1 AND other_id = $2))"
            )
            .bind(reminder.owner.0)
            .bind(reminder.other.0)
            .fetch_one(pool)
            .await
            })
            .map_err(backend)?;
            due.push(DueReminder {
                reminder,
                other_name: name.unwrap_or_else(|| "a connection".into()),
            });
        }
        due.sort_by(|a, b| {
            (a.reminder.due_at, a.reminder.id).cmp(&(b.reminder.due_at, b.reminder.id))
        });
        Ok(due)
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn digest_opt_in(&self, user: UserId) -> StoreResult<bool> {
        let on: Option<bool> = on_read!(self, |pool| sqlx::query_scalar(
            "SELECT follow_up_digest FROM users WHERE id = $1"
        )
        .bind(user.0)
        .fetch_optional(pool)
        .await)
        .map_err(backend)?;
        on.ok_or(StoreError::NotFound)
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn set_digest_opt_in(&self, user: UserId, on: bool) -> StoreResult<()> {
        let changed = on_write!(self, |pool| sqlx::query(
            "UPDATE users SET follow_up_digest = $2 WHERE id = $1"
        )
        .bind(user.0)
        .bind(on)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
        .map_err(backend)?;
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn digest_candidates(
        &self,
        day: NaiveDate,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<UserId>> {
        let ids: Vec<Uuid> = on_read!(self, |pool| sqlx::query_scalar(
            "SELECT u.id FROM users u \
             WHERE u.follow_up_digest = TRUE \
               AND NOT EXISTS (SELECT 1 FROM follow_up_digests d WHERE d.user_id = u.id AND d.day = $1) \
               AND (EXISTS (SELECT 1 FROM connections c WHERE (c.user_a = u.id OR c.user_b = u.id) \
                            AND c.created_at >= $2 AND c.created_at < $3) \
                    OR EXISTS (SELECT 1 FROM note_reminders r WHERE r.owner_id = u.id \
                            AND r.due_at >= $2 AND r.due_at < $3)) \
             ORDER BY u.id"
        )
        .bind(day.format("%Y-%m-%d").to_string())
        .bind(from)
        .bind(to)
        .fetch_all(pool)
        .await)
        .map_err(backend)?;
        Ok(ids.into_iter().map(UserId).collect())
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn claim_digest(&self, user: UserId, day: NaiveDate) -> StoreResult<bool> {
        let added = on_write!(self, |pool| sqlx::query(
            "INSERT INTO follow_up_digests (user_id, day, sent_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id, day) DO NOTHING"
        )
        .bind(user.0)
        .bind(day.format("%Y-%m-%d").to_string())
        .bind(now())
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
        .map_err(|e| conflict_or_backend(e, &[]))?;
        Ok(added == 1)
    }
}
