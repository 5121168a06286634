//! Moderating a room: removing messages, mutes, closing and reopening,
//! reports, and the audit log every moderation writes to
//! ([`RoomStore`](app::ports::RoomStore)'s moderation methods, to which
//! `db/rooms.rs` delegates; retagging is there, with the tags).

use super::{
    super::{
        support::{backend, conflict_or_backend, corrupt, now, on_read, on_write},
        Db,
    },
    announce::notify,
    messages::{seq_in, seq_out},
};
use app::{
    domain::{EventId, RoomId, UserId},
    ports::{AuditEntry, MessageReport, ModerationAction, StoreError, StoreResult},
};
use chrono::{DateTime, Utc};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct AuditRow {
    room_id: Option<Uuid>,
    room_title: Option<String>,
    actor_id: Option<Uuid>,
    actor_name: Option<String>,
    action: String,
    target_id: Option<Uuid>,
    target_name: Option<String>,
    seq: Option<i64>,
    detail: String,
    created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct ReportRow {
    room_id: Uuid,
    room_title: String,
    seq: i64,
    reporter_name: Option<String>,
    reason: String,
    body: Option<String>,
    author_id: Option<Uuid>,
    author_name: Option<String>,
    deleted: Option<bool>,
    created_at: DateTime<Utc>,
}

/// Inside a write transaction `$tx`: appends one moderation entry for the
/// room `$room` (its event is looked up from the room).
macro_rules! audit {
    ($tx:ident, $room:expr, $actor:expr, $action:expr, $target:expr, $seq:expr, $detail:expr) => {{
        sqlx::query(
            "INSERT INTO room_audit (id, event_id, room_id, actor_id, action, target_id, seq, \
             detail, created_at) \
             SELECT $1, event_id, id, $3, $4, $5, $6, $7, $8 FROM rooms WHERE id = $2",
        )
        .bind(Uuid::new_v4())
        .bind($room.0)
        .bind($actor.0)
        .bind($action.as_str())
        .bind($target)
        .bind($seq)
        .bind($detail)
        .bind(now())
        .execute(&mut *$tx)
        .await
        .map_err(backend)?;
    }};
}

pub(super) use audit;

/// Removes a message (its text is gone, its place in the sequence stays) and logs who did.
pub(super) async fn delete_message(
    db: &Db,
    room: RoomId,
    seq: u64,
    actor: UserId,
) -> StoreResult<()> {
    let announce = db.announces();
    on_write!(db, |pool| {
        let mut tx = pool.begin().await.map_err(backend)?;
        let author: Option<Option<Uuid>> = sqlx::query_scalar(
            "UPDATE room_messages SET deleted = TRUE, body = '' \
             WHERE room_id = $1 AND seq = $2 RETURNING author_id",
        )
        .bind(room.0)
        .bind(seq_in(seq))
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend)?;
        let Some(author) = author else {
            return Err(StoreError::NotFound);
        };
        audit!(
            tx,
            room,
            actor,
            ModerationAction::DeleteMessage,
            author,
            Some(seq_in(seq)),
            ""
        );
        notify!(announce, tx, format!("d:{}:{seq}", room.0));
        tx.commit().await.map_err(backend)?;
    });
    Ok(())
}

/// Mutes `user` in the room until `until`, replacing an earlier mute, and logs it.
pub(super) async fn mute(
    db: &Db,
    room: RoomId,
    user: UserId,
    until: DateTime<Utc>,
    actor: UserId,
) -> StoreResult<()> {
    on_write!(db, |pool| {
        let mut tx = pool.begin().await.map_err(backend)?;
        sqlx::query(
            "INSERT INTO room_mutes (room_id, user_id, until, muted_by) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (room_id, user_id) DO UPDATE SET until = excluded.until, \
             muted_by = excluded.muted_by",
        )
        .bind(room.0)
        .bind(user.0)
        .bind(until)
        .bind(actor.0)
        .execute(&mut *tx)
        .await
        .map_err(|e| conflict_or_backend(e, &[]))?;
        audit!(
            tx,
            room,
            actor,
            ModerationAction::Mute,
            Some(user.0),
            None::<i64>,
            until.to_rfc3339()
        );
        tx.commit().await.map_err(backend)?;
    });
    Ok(())
}

/// Until when `user` is muted in the room, if still at `now`.
pub(super) async fn muted_until(
    db: &Db,
    room: RoomId,
    user: UserId,
    now: DateTime<Utc>,
) -> StoreResult<Option<DateTime<Utc>>> {
    let until: Option<DateTime<Utc>> = on_read!(db, |pool| sqlx::query_scalar(
        "SELECT until FROM room_mutes WHERE room_id = $1 AND user_id = $2"
    )
    .bind(room.0)
    .bind(user.0)
    .fetch_optional(pool)
    .await)
    .map_err(backend)?;
    Ok(until.filter(|u| *u > now))
}

/// Closes or reopens the room, logs it and announces it.
pub(super) async fn set_room_closed(
    db: &Db,
    room: RoomId,
    closed: bool,
    actor: UserId,
) -> StoreResult<()> {
    let action = if closed {
        ModerationAction::Close
    } else {
        ModerationAction::Reopen
    };
    let announce = db.announces();
    on_write!(db, |pool| {
        let mut tx = pool.begin().await.map_err(backend)?;
        let n = sqlx::query("UPDATE rooms SET closed = $2 WHERE id = $1")
            .bind(room.0)
            .bind(closed)
            .execute(&mut *tx)
            .await
            .map_err(backend)?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        audit!(tx, room, actor, action, None::<Uuid>, None::<i64>, "");
        notify!(announce, tx, format!("s:{}:{}", room.0, u8::from(closed)));
        tx.commit().await.map_err(backend)?;
    });
    Ok(())
}

/// Records a report of a message (not found if the message is not).
pub(super) async fn report_message(
    db: &Db,
    room: RoomId,
    seq: u64,
    reporter: UserId,
    reason: &str,
) -> StoreResult<()> {
    let n = on_write!(db, |pool| {
        sqlx::query(
            "INSERT INTO room_reports (id, room_id, seq, reporter_id, reason, created_at) \
         SELECT $1, room_id, seq, $4, $5, $6 FROM room_messages WHERE room_id = $2 AND seq = $3",
        )
        .bind(Uuid::new_v4())
        .bind(room.0)
        .bind(seq_in(seq))
        .bind(reporter.0)
        .bind(reason)
        .bind(now())
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })
    .map_err(|e| conflict_or_backend(e, &[]))?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// The moderation entries of an event, newest first.
pub(super) async fn audit_log(db: &Db, event: EventId) -> StoreResult<Vec<AuditEntry>> {
    let rows: Vec<AuditRow> = on_read!(db, |pool| {
        sqlx::query_as(
            "SELECT a.room_id, r.title AS room_title, a.actor_id, ua.display_name AS actor_name, \
         a.action, a.target_id, ut.display_name AS target_name, a.seq, a.detail, a.created_at \
         FROM room_audit a LEFT JOIN rooms r ON r.id = a.room_id \
         LEFT JOIN users ua ON ua.id = a.actor_id LEFT JOIN users ut ON ut.id = a.target_id \
         WHERE a.event_id = $1 ORDER BY a.created_at DESC, a.id",
        )
        .bind(event.0)
        .fetch_all(pool)
        .await
    })
    .map_err(backend)?;
    rows.into_iter()
        .map(|r| {
            Ok(AuditEntry {
                room: r.room_id.map(RoomId),
                room_title: r.room_title,
                actor: r.actor_id.map(UserId),
                actor_name: r.actor_name,
                action: ModerationAction::parse(&r.action)
                    .ok_or_else(|| corrupt("moderation action"))?,
                target: r.target_id.map(UserId),
                target_name: r.target_name,
                seq: r.seq.map(seq_out),
                detail: r.detail,
                created_at: r.created_at,
            })
        })
        .collect()
}

/// The reports of an event's messages, newest first, with the message as it is now.
pub(super) async fn message_reports(db: &Db, event: EventId) -> StoreResult<Vec<MessageReport>> {
    let rows: Vec<ReportRow> = on_read!(db, |pool| {
        sqlx::query_as(
            "SELECT rr.room_id, r.title AS room_title, rr.seq, \
             ur.display_name AS reporter_name, rr.reason, m.body, m.author_id, \
             ua.display_name AS author_name, m.deleted, rr.created_at \
             FROM room_reports rr JOIN rooms r ON r.id = rr.room_id \
             LEFT JOIN room_messages m ON m.room_id = rr.room_id AND m.seq = rr.seq \
             LEFT JOIN users ur ON ur.id = rr.reporter_id \
             LEFT JOIN users ua ON ua.id = m.author_id \
             WHERE r.event_id = $1 ORDER BY rr.created_at DESC, rr.id",
        )
        .bind(event.0)
        .fetch_all(pool)
        .await
    })
    .map_err(backend)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let removed = r.deleted.unwrap_or(true);
            MessageReport {
                room: RoomId(r.room_id),
                room_title: r.room_title,
                seq: seq_out(r.seq),
                reporter_name: r.reporter_name,
                reason: r.reason,
                text: if removed {
                    String::new()
                } else {
                    r.body.unwrap_or_default()
                },
                author: r.author_id.map(UserId),
                author_name: r.author_name,
                removed,
                created_at: r.created_at,
            }
        })
        .collect())
}
