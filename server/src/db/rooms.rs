//! Rooms: creating and listing rooms with their tags, joins, and the one
//! implementation of [`RoomStore`] for [`Db`]. Its message methods are in
//! `rooms/messages.rs` (posting, history) and its moderation methods in
//! `rooms/moderation.rs` (removing messages, mutes, closing, reports, the
//! audit log); the methods here delegate to them. How changes are
//! announced to other instances is in `rooms/announce.rs`.
//!
//! A room's tags live in `room_tags`, one row per tag with its position;
//! they are written with the room, or replaced as a whole, in one
//! transaction, and read back in the order given.

mod announce;
mod messages;
mod moderation;

pub use announce::ROOMS_CHANNEL;

use super::{
    support::{backend, conflict_or_backend, corrupt, now, on_read, on_write},
    Db,
};
use app::{
    domain::{ClientMessageId, EventId, MessageText, RoomId, RoomKind, RoomTags, Tag, UserId},
    ports::{
        AuditEntry, MessageReport, ModerationAction, NewRoom, Posted, Room, RoomMessage, RoomStore,
        StoreError, StoreResult,
    },
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use messages::seq_out;
use moderation::audit;
use uuid::Uuid;

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
}

#[async_trait]
impl RoomStore for Db {
    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
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
            created_at: now(),
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

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn room(&self, id: RoomId) -> StoreResult<Option<Room>> {
        Ok(self.rooms_where("id", id.0).await?.pop())
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
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

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn post_message(
        &self,
        room: RoomId,
        author: UserId,
        client_id: &ClientMessageId,
        text: &MessageText,
    ) -> StoreResult<Posted> {
        messages::post_message(self, room, author, client_id, text).await
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn messages_after(
        &self,
        room: RoomId,
        after: u64,
        limit: u32,
    ) -> StoreResult<Vec<RoomMessage>> {
        messages::messages_after(self, room, after, limit).await
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn messages_before(
        &self,
        room: RoomId,
        before: u64,
        limit: u32,
    ) -> StoreResult<Vec<RoomMessage>> {
        messages::messages_before(self, room, before, limit).await
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn record_join(&self, room: RoomId, user: UserId) -> StoreResult<()> {
        on_write!(self, |pool| sqlx::query(
            "INSERT INTO room_members (room_id, user_id, joined_at) VALUES ($1, $2, $3) \
             ON CONFLICT (room_id, user_id) DO NOTHING"
        )
        .bind(room.0)
        .bind(user.0)
        .bind(now())
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
        .map_err(|e| conflict_or_backend(e, &[]))?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
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

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn delete_message(&self, room: RoomId, seq: u64, actor: UserId) -> StoreResult<()> {
        moderation::delete_message(self, room, seq, actor).await
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn mute(
        &self,
        room: RoomId,
        user: UserId,
        until: DateTime<Utc>,
        actor: UserId,
    ) -> StoreResult<()> {
        moderation::mute(self, room, user, until, actor).await
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn muted_until(
        &self,
        room: RoomId,
        user: UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<DateTime<Utc>>> {
        moderation::muted_until(self, room, user, now).await
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
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

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn set_room_closed(&self, room: RoomId, closed: bool, actor: UserId) -> StoreResult<()> {
        moderation::set_room_closed(self, room, closed, actor).await
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn report_message(
        &self,
        room: RoomId,
        seq: u64,
        reporter: UserId,
        reason: &str,
    ) -> StoreResult<()> {
        moderation::report_message(self, room, seq, reporter, reason).await
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn audit_log(&self, event: EventId) -> StoreResult<Vec<AuditEntry>> {
        moderation::audit_log(self, event).await
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn message_reports(&self, event: EventId) -> StoreResult<Vec<MessageReport>> {
        moderation::message_reports(self, event).await
    }
}
