//! Rooms and their messages: creating and listing rooms with their tags,
//! posting with a per-room gap-free sequence number, reading history both
//! ways, joins, and moderation (removing messages, mutes, closing, tags,
//! reports, audit log).
//!
//! A room's tags live in `room_tags`, one row per tag with its position;
//! they are written with the room, or replaced as a whole, in one
//! transaction, and read back in the order given.
//!
//! Posting increments `rooms.last_seq` and inserts the message in one
//! transaction. The `UPDATE ... RETURNING` takes the room row's lock on
//! PostgreSQL, and SQLite has a single writer, so concurrent posters queue
//! on the room and numbers are handed out without gaps; a rolled-back post
//! gives its number back with the rest of its transaction.

use super::{backend, conflict_or_backend, on_read, on_write, Db};
use app::{
    domain::{ClientMessageId, EventId, MessageText, RoomId, RoomKind, RoomTags, Tag, UserId},
    ports::{
        AuditEntry, MessageReport, ModerationAction, NewRoom, Posted, Room, RoomMessage, RoomStore,
        StoreError, StoreResult,
    },
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

fn corrupt(what: &str) -> StoreError {
    StoreError::Backend(format!("stored {what} is invalid").into())
}

/// Sequence numbers are `u64` in Rust and `BIGINT`/`INTEGER` (signed) in SQL.
fn seq_out(raw: i64) -> u64 {
    u64::try_from(raw).unwrap_or(0)
}

fn seq_in(seq: u64) -> i64 {
    i64::try_from(seq).unwrap_or(i64::MAX)
}

#[derive(sqlx::FromRow)]
struct RoomRow {
    id: Uuid,
    event_id: Uuid,
    kind: String,
    title: String,
    description: String,
    place: String,
    starts_at: Option<DateTime<Utc>>,
    ends_at: Option<DateTime<Utc>>,
    created_by: Option<Uuid>,
    closed: bool,
    last_seq: i64,
    created_at: DateTime<Utc>,
}

impl RoomRow {
    /// The room with its tags (as stored, in order).
    fn into_room(self, tags: Vec<String>) -> StoreResult<Room> {
        let r = self;
        let tags = tags
            .iter()
            .map(|t| Tag::parse(t))
            .collect::<Result<Vec<_>, _>>()
            .and_then(RoomTags::new)
            .map_err(|_| corrupt("room tags"))?;
        Ok(Room {
            id: RoomId(r.id),
            event: EventId(r.event_id),
            kind: RoomKind::parse(&r.kind).map_err(|_| corrupt("room kind"))?,
            title: r.title,
            description: r.description,
            place: r.place,
            starts_at: r.starts_at,
            ends_at: r.ends_at,
            created_by: r.created_by.map(UserId),
            closed: r.closed,
            last_seq: seq_out(r.last_seq),
            created_at: r.created_at,
            tags,
        })
    }
}

/// One tag of a room, as the rooms list reads them for a whole event.
#[derive(sqlx::FromRow)]
struct RoomTagRow {
    room_id: Uuid,
    tag: String,
}

/// Inside a write transaction `$tx`: stores `$tags` (a `&RoomTags`) as the
/// tags of room `$room`, numbered in order. The caller removed the old ones.
macro_rules! insert_tags {
    ($tx:ident, $room:expr, $tags:expr) => {
        for (position, tag) in $tags.iter().enumerate() {
            sqlx::query("INSERT INTO room_tags (room_id, tag, position) VALUES ($1, $2, $3)")
                .bind($room.0)
                .bind(tag.as_str())
                .bind(position as i32)
                .execute(&mut *$tx)
                .await
                .map_err(backend)?;
        }
    };
}

const ROOM_SELECT: &str = "SELECT id, event_id, kind, title, description, place, starts_at, \
     ends_at, created_by, closed, last_seq, created_at FROM rooms";

#[derive(sqlx::FromRow)]
struct MessageRow {
    room_id: Uuid,
    seq: i64,
    author_id: Option<Uuid>,
    author_name: Option<String>,
    body: String,
    deleted: bool,
    created_at: DateTime<Utc>,
}

impl From<MessageRow> for RoomMessage {
    fn from(r: MessageRow) -> Self {
        RoomMessage {
            room: RoomId(r.room_id),
            seq: seq_out(r.seq),
            author: r.author_id.map(UserId),
            author_name: r.author_id.and(r.author_name),
            body: if r.deleted { String::new() } else { r.body },
            deleted: r.deleted,
            created_at: r.created_at,
        }
    }
}

/// Messages with their author's current name (none for a deleted account).
const MESSAGE_SELECT: &str =
    "SELECT m.room_id, m.seq, m.author_id, u.display_name AS author_name, m.body, m.deleted, \
     m.created_at FROM room_messages m LEFT JOIN users u ON u.id = m.author_id";

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
        .bind(super::now())
        .execute(&mut *$tx)
        .await
        .map_err(backend)?;
    }};
}

/// The PostgreSQL channel on which committed room changes are announced to
/// every instance (see `server/src/realtime/pg.rs`).
pub const ROOMS_CHANNEL: &str = "rapport_rooms";

/// Inside a write transaction `$tx`, on PostgreSQL only (`$on`): queues a
/// notification on [`ROOMS_CHANNEL`]. PostgreSQL delivers it when the
/// transaction commits, and not at all if it rolls back, so listeners hear
/// only of committed changes.
macro_rules! notify {
    ($on:expr, $tx:ident, $payload:expr) => {
        if $on {
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(ROOMS_CHANNEL)
                .bind($payload)
                .execute(&mut *$tx)
                .await
                .map_err(backend)?;
        }
    };
}

impl Db {
    /// The rooms whose `column` (`id` or `event_id`, never input) is `key`,
    /// each with its tags in order: two statements whatever the number of
    /// rooms, not one per room.
    async fn rooms_where(&self, column: &'static str, key: Uuid) -> StoreResult<Vec<Room>> {
        let rooms_sql = format!("{ROOM_SELECT} WHERE {column} = $1");
        let tags_sql = format!(
            "SELECT t.room_id, t.tag FROM room_tags t JOIN rooms r ON r.id = t.room_id \
             WHERE r.{column} = $1 ORDER BY t.room_id, t.position"
        );
        let (rows, tag_rows): (Vec<RoomRow>, Vec<RoomTagRow>) = on_read!(self, |pool| {
            let rows = sqlx::query_as(&rooms_sql)
                .bind(key)
                .fetch_all(pool)
                .await
                .map_err(backend)?;
            let tags = sqlx::query_as(&tags_sql)
                .bind(key)
                .fetch_all(pool)
                .await
                .map_err(backend)?;
            (rows, tags)
        });
        let mut tags: std::collections::HashMap<Uuid, Vec<String>> = Default::default();
        for t in tag_rows {
            tags.entry(t.room_id).or_default().push(t.tag);
        }
        rows.into_iter()
            .map(|r| {
                let own = tags.remove(&r.id).unwrap_or_default();
                r.into_room(own)
            })
            .collect()
    }

    /// Whether changes are announced to other instances (PostgreSQL).
    fn announces(&self) -> bool {
        matches!(self.pools, super::Pools::Postgres(_))
    }
}

#[async_trait]
impl RoomStore for Db {
    async fn create_room(&self, new: NewRoom) -> StoreResult<Room> {
        let room = Room {
            id: RoomId(Uuid::new_v4()),
            event: new.event,
            kind: new.kind,
            title: new.title.into_inner(),
            description: new.description.into_inner(),
            place: new.place.into_inner(),
            starts_at: new.starts_at,
            ends_at: new.ends_at,
            created_by: Some(new.created_by),
            closed: false,
            last_seq: 0,
            created_at: super::now(),
            tags: new.tags,
        };
        on_write!(self, |pool| {
            // The room and its tags together, or neither.
            let mut tx = pool.begin().await.map_err(backend)?;
            sqlx::query(
                "INSERT INTO rooms (id, event_id, kind, title, description, place, starts_at, \
                 ends_at, created_by, closed, last_seq, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, FALSE, 0, $10)",
            )
            .bind(room.id.0)
            .bind(room.event.0)
            .bind(room.kind.as_str())
            .bind(&room.title)
            .bind(&room.description)
            .bind(&room.place)
            .bind(room.starts_at)
            .bind(room.ends_at)
            .bind(new.created_by.0)
            .bind(room.created_at)
            .execute(&mut *tx)
            .await
            .map_err(|e| conflict_or_backend(e, &[]))?;
            insert_tags!(tx, room.id, room.tags);
            tx.commit().await.map_err(backend)?;
        });
        Ok(room)
    }

    async fn room(&self, id: RoomId) -> StoreResult<Option<Room>> {
        Ok(self.rooms_where("id", id.0).await?.pop())
    }

    async fn rooms_of_event(&self, event: EventId) -> StoreResult<Vec<Room>> {
        let mut rooms = self.rooms_where("event_id", event.0).await?;
        // Ordered in Rust so both backends agree: meetups by start, then
        // topic rooms oldest first, ties by id.
        rooms.sort_by(|a, b| {
            let key = |r: &Room| (r.kind != RoomKind::Meetup, r.starts_at, r.created_at, r.id);
            key(a).cmp(&key(b))
        });
        Ok(rooms)
    }

    async fn post_message(
        &self,
        room: RoomId,
        author: UserId,
        client_id: &ClientMessageId,
        text: &MessageText,
    ) -> StoreResult<Posted> {
        let now = super::now();
        let existing_sql = format!(
            "{MESSAGE_SELECT} WHERE m.room_id = $1 AND m.author_id = $2 AND m.client_id = $3"
        );
        let stored = |seq: i64, name: String| RoomMessage {
            room,
            seq: seq_out(seq),
            author: Some(author),
            author_name: Some(name),
            body: text.as_str().to_owned(),
            deleted: false,
            created_at: now,
        };
        let pool = match &self.pools {
            super::Pools::Postgres(pool) => {
                // One call holding the room's lock only inside the database
                // (see migrations/postgres/20261129000001_post_room_message.sql).
                let (outcome, seq, name): (String, Option<i64>, Option<String>) = sqlx::query_as(
                    "SELECT outcome, message_seq, author_name \
                     FROM post_room_message($1, $2, $3, $4, $5, $6)",
                )
                .bind(room.0)
                .bind(author.0)
                .bind(client_id.as_str())
                .bind(text.as_str())
                .bind(now)
                .bind(ROOMS_CHANNEL)
                .fetch_one(pool)
                .await
                .map_err(backend)?;
                return match (outcome.as_str(), seq, name) {
                    ("new", Some(seq), Some(name)) => Ok(Posted::New(stored(seq, name))),
                    ("existing", ..) => sqlx::query_as::<_, MessageRow>(&existing_sql)
                        .bind(room.0)
                        .bind(author.0)
                        .bind(client_id.as_str())
                        .fetch_optional(pool)
                        .await
                        .map_err(backend)?
                        .map(|row| Posted::Existing(row.into()))
                        .ok_or(StoreError::NotFound),
                    ("closed", ..) => Err(StoreError::Conflict("closed room")),
                    _ => Err(StoreError::NotFound),
                };
            }
            super::Pools::Sqlite { write, .. } => write,
        };
        let mut tx = pool.begin().await.map_err(backend)?;
        // Takes the room (SQLite has one writer: concurrent posters queue
        // for it), numbering the message.
        let head: Option<(i64, bool)> = sqlx::query_as(
            "UPDATE rooms SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq, closed",
        )
        .bind(room.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend)?;
        let Some((seq, closed)) = head else {
            return Err(StoreError::NotFound);
        };
        // The common case in one statement (each statement is a round trip
        // to SQLite's connection thread, and under load every trip waits its
        // turn): store the message with the author's name, or nothing when
        // this client id is already stored (a retried send) or the author
        // is gone.
        let name = if closed {
            None
        } else {
            sqlx::query_scalar::<_, Option<String>>(
                "INSERT INTO room_messages (room_id, seq, author_id, client_id, body, deleted, \
                 created_at) SELECT $1, $2, u.id, $4, $5, FALSE, $6 FROM users u WHERE u.id = $3 \
                 ON CONFLICT (room_id, author_id, client_id) DO NOTHING \
                 RETURNING (SELECT display_name FROM users WHERE id = $3)",
            )
            .bind(room.0)
            .bind(seq)
            .bind(author.0)
            .bind(client_id.as_str())
            .bind(text.as_str())
            .bind(now)
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?
            .flatten()
        };
        let Some(name) = name else {
            // Nothing stored: the earlier copy of a retried send wins (even
            // in a room closed since), else the room is closed or the author
            // gone. The rollback gives the sequence number back.
            let existing: Option<MessageRow> = sqlx::query_as(&existing_sql)
                .bind(room.0)
                .bind(author.0)
                .bind(client_id.as_str())
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend)?;
            tx.rollback().await.map_err(backend)?;
            return match existing {
                Some(row) => Ok(Posted::Existing(row.into())),
                None if closed => Err(StoreError::Conflict("closed room")),
                None => Err(StoreError::NotFound),
            };
        };
        tx.commit().await.map_err(backend)?;
        Ok(Posted::New(stored(seq, name)))
    }

    async fn messages_after(
        &self,
        room: RoomId,
        after: u64,
        limit: u32,
    ) -> StoreResult<Vec<RoomMessage>> {
        let sql =
            format!("{MESSAGE_SELECT} WHERE m.room_id = $1 AND m.seq > $2 ORDER BY m.seq LIMIT $3");
        let rows: Vec<MessageRow> = on_read!(self, |pool| sqlx::query_as(&sql)
            .bind(room.0)
            .bind(seq_in(after))
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await)
        .map_err(backend)?;
        Ok(rows.into_iter().map(RoomMessage::from).collect())
    }

    async fn messages_before(
        &self,
        room: RoomId,
        before: u64,
        limit: u32,
    ) -> StoreResult<Vec<RoomMessage>> {
        let sql = format!(
            "{MESSAGE_SELECT} WHERE m.room_id = $1 AND m.seq < $2 ORDER BY m.seq DESC LIMIT $3"
        );
        let rows: Vec<MessageRow> = on_read!(self, |pool| sqlx::query_as(&sql)
            .bind(room.0)
            .bind(seq_in(before))
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await)
        .map_err(backend)?;
        let mut messages: Vec<RoomMessage> = rows.into_iter().map(RoomMessage::from).collect();
        messages.reverse();
        Ok(messages)
    }

    async fn record_join(&self, room: RoomId, user: UserId) -> StoreResult<()> {
        on_write!(self, |pool| sqlx::query(
            "INSERT INTO room_members (room_id, user_id, joined_at) VALUES ($1, $2, $3) \
             ON CONFLICT (room_id, user_id) DO NOTHING"
        )
        .bind(room.0)
        .bind(user.0)
        .bind(super::now())
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
        .map_err(|e| conflict_or_backend(e, &[]))?;
        Ok(())
    }

    async fn hidden_users(&self, user: UserId) -> StoreResult<Vec<UserId>> {
        let ids: Vec<Uuid> = on_read!(self, |pool| sqlx::query_scalar(
            "SELECT blocked_id FROM blocks WHERE blocker_id = $1 \
             UNION SELECT blocker_id FROM blocks WHERE blocked_id = $1"
        )
        .bind(user.0)
        .fetch_all(pool)
        .await)
        .map_err(backend)?;
        Ok(ids.into_iter().map(UserId).collect())
    }

    async fn delete_message(&self, room: RoomId, seq: u64, actor: UserId) -> StoreResult<()> {
        let announce = self.announces();
        on_write!(self, |pool| {
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

    async fn mute(
        &self,
        room: RoomId,
        user: UserId,
        until: DateTime<Utc>,
        actor: UserId,
    ) -> StoreResult<()> {
        on_write!(self, |pool| {
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

    async fn muted_until(
        &self,
        room: RoomId,
        user: UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<DateTime<Utc>>> {
        let until: Option<DateTime<Utc>> = on_read!(self, |pool| sqlx::query_scalar(
            "SELECT until FROM room_mutes WHERE room_id = $1 AND user_id = $2"
        )
        .bind(room.0)
        .bind(user.0)
        .fetch_optional(pool)
        .await)
        .map_err(backend)?;
        Ok(until.filter(|u| *u > now))
    }

    async fn set_room_tags(&self, room: RoomId, tags: &RoomTags, actor: UserId) -> StoreResult<()> {
        let detail = tags.names().join(", ");
        on_write!(self, |pool| {
            let mut tx = pool.begin().await.map_err(backend)?;
            // A no-op update that finds the room and, on PostgreSQL, locks its
            // row until commit: two moderators saving tags at once queue
            // here instead of both deleting, then both inserting (which
            // would break the key). SQLite has one writer anyway.
            let n = sqlx::query("UPDATE rooms SET closed = closed WHERE id = $1")
                .bind(room.0)
                .execute(&mut *tx)
                .await
                .map_err(backend)?
                .rows_affected();
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            sqlx::query("DELETE FROM room_tags WHERE room_id = $1")
                .bind(room.0)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
            insert_tags!(tx, room, tags);
            audit!(
                tx,
                room,
                actor,
                ModerationAction::Retag,
                None::<Uuid>,
                None::<i64>,
                &detail
            );
            tx.commit().await.map_err(backend)?;
        });
        Ok(())
    }

    async fn set_room_closed(&self, room: RoomId, closed: bool, actor: UserId) -> StoreResult<()> {
        let action = if closed {
            ModerationAction::Close
        } else {
            ModerationAction::Reopen
        };
        let announce = self.announces();
        on_write!(self, |pool| {
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

    async fn report_message(
        &self,
        room: RoomId,
        seq: u64,
        reporter: UserId,
        reason: &str,
    ) -> StoreResult<()> {
        let n = on_write!(self, |pool| {
            sqlx::query(
            "INSERT INTO room_reports (id, room_id, seq, reporter_id, reason, created_at) \
             SELECT $1, room_id, seq, $4, $5, $6 FROM room_messages WHERE room_id = $2 AND seq = $3"
        )
        .bind(Uuid::new_v4())
        .bind(room.0)
        .bind(seq_in(seq))
        .bind(reporter.0)
        .bind(reason)
        .bind(super::now())
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

    async fn audit_log(&self, event: EventId) -> StoreResult<Vec<AuditEntry>> {
        let rows: Vec<AuditRow> = on_read!(self, |pool| {
            sqlx::query_as(
            "SELECT a.room_id, r.title AS room_title, a.actor_id, ua.display_name AS actor_name, \
             a.action, a.target_id, ut.display_name AS target_name, a.seq, a.detail, a.created_at \
             FROM room_audit a LEFT JOIN rooms r ON r.id = a.room_id \
             LEFT JOIN users ua ON ua.id = a.actor_id LEFT JOIN users ut ON ut.id = a.target_id \
             WHERE a.event_id = $1 ORDER BY a.created_at DESC, a.id"
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

    async fn message_reports(&self, event: EventId) -> StoreResult<Vec<MessageReport>> {
        let rows: Vec<ReportRow> = on_read!(self, |pool| {
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
}
