//! A room's messages: posting with a per-room gap-free sequence number,
//! and reading history both ways ([`RoomStore`](app::ports::RoomStore)'s
//! message methods, to which `db/rooms.rs` delegates).
//!
//! Posting increments `rooms.last_seq` and inserts the message in one
//! transaction. The `UPDATE ... RETURNING` takes the room row's lock on
//! PostgreSQL, and SQLite has a single writer, so concurrent posters queue
//! on the room and numbers are handed out without gaps; a rolled-back post
//! gives its number back with the rest of its transaction.
//!
//! Posting decides no rule of its own but one: a closed room takes no new
//! message. That check must stay here, inside the transaction holding the
//! room, because a moderator may close the room between the rules
//! service's checks and the insert; the rule itself, its code and its
//! wording belong to `app::service::rooms` (`RoomError::Closed`), which
//! turns the `Conflict("closed room")` reported here into its refusal.
//! Membership, mutes and the message's text are decided there, never here.

use super::{
    super::{
        pools::Pools,
        support::{backend, now, on_read},
        Db,
    },
    announce::ROOMS_CHANNEL,
};
use app::{
    domain::{ClientMessageId, MessageText, RoomId, UserId},
    ports::{Posted, RoomMessage, StoreError, StoreResult},
};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// Sequence numbers are `u64` in Rust and `BIGINT`/`INTEGER` (signed) in SQL.
pub(super) fn seq_out(raw: i64) -> u64 {
    u64::try_from(raw).unwrap_or(0)
}

pub(super) fn seq_in(seq: u64) -> i64 {
    i64::try_from(seq).unwrap_or(i64::MAX)
}

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

/// Posts `text` as the room's next message, or finds the copy this client id already stored (see the module doc).
pub(super) async fn post_message(
    db: &Db,
    room: RoomId,
    author: UserId,
    client_id: &ClientMessageId,
    text: &MessageText,
) -> StoreResult<Posted> {
    let now = now();
    let existing_sql =
        format!("{MESSAGE_SELECT} WHERE m.room_id = $1 AND m.author_id = $2 AND m.client_id = $3");
    let stored = |seq: i64, name: String| RoomMessage {
        room,
        seq: seq_out(seq),
        author: Some(author),
        author_name: Some(name),
        body: text.as_str().to_owned(),
        deleted: false,
        created_at: now,
    };
    let pool = match &db.pools {
        Pools::Postgres(pool) => {
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
        Pools::Sqlite { write, .. } => write,
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

/// Up to `limit` messages after sequence number `after`, oldest first (the live stream catching up).
pub(super) async fn messages_after(
    db: &Db,
    room: RoomId,
    after: u64,
    limit: u32,
) -> StoreResult<Vec<RoomMessage>> {
    let sql =
        format!("{MESSAGE_SELECT} WHERE m.room_id = $1 AND m.seq > $2 ORDER BY m.seq LIMIT $3");
    let rows: Vec<MessageRow> = on_read!(db, |pool| sqlx::query_as(&sql)
        .bind(room.0)
        .bind(seq_in(after))
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await)
    .map_err(backend)?;
    Ok(rows.into_iter().map(RoomMessage::from).collect())
}

/// Up to `limit` messages before sequence number `before`, oldest first (scrolling back).
pub(super) async fn messages_before(
    db: &Db,
    room: RoomId,
    before: u64,
    limit: u32,
) -> StoreResult<Vec<RoomMessage>> {
    let sql = format!(
        "{MESSAGE_SELECT} WHERE m.room_id = $1 AND m.seq < $2 ORDER BY m.seq DESC LIMIT $3"
    );
    let rows: Vec<MessageRow> = on_read!(db, |pool| sqlx::query_as(&sql)
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
