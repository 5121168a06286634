//! Direct messages: conversations between two people, their messages, read
//! marks and reports (the [`MessageStore`] implementation, both backends).
//!
//! Sending increments `conversations.last_seq` and inserts the message in
//! one transaction, the way a room post does (`db/rooms/messages.rs`): the
//! `UPDATE ... RETURNING` takes the conversation row's lock on PostgreSQL,
//! and SQLite has a single writer, so two people typing at once (or one on
//! two devices) get gap-free increasing numbers; a rolled-back send gives
//! its number back with the rest of its transaction. A conversation has two
//! writers at most, so unlike rooms there is no stored function: the
//! statements are the same on both backends.
//!
//! Nothing here decides who may talk to whom; `app::service::messages`
//! does, from the facts [`MessageStore::tied`] and the blocks give.

use super::{
    support::{backend, conflict_or_backend, now, on_read, on_write},
    Db,
};
use app::{
    domain::{ClientMessageId, ConversationId, EventId, MessageText, Pair, UserId},
    ports::{
        Conversation, ConversationSummary, DirectMessage, DirectPosted, DirectReport, MessageStore,
        StoreError, StoreResult,
    },
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// Sequence numbers are `u64` in Rust and signed in SQL.
fn seq_out(raw: i64) -> u64 {
    u64::try_from(raw).unwrap_or(0)
}

fn seq_in(seq: u64) -> i64 {
    i64::try_from(seq).unwrap_or(i64::MAX)
}

#[derive(sqlx::FromRow)]
struct ConversationRow {
    id: Uuid,
    user_low: Option<Uuid>,
    user_high: Option<Uuid>,
    last_seq: i64,
}

impl From<ConversationRow> for Conversation {
    fn from(r: ConversationRow) -> Self {
        Conversation {
            id: ConversationId(r.id),
            low: r.user_low.map(UserId),
            high: r.user_high.map(UserId),
            last_seq: seq_out(r.last_seq),
        }
    }
}

#[derive(sqlx::FromRow)]
struct MessageRow {
    conversation_id: Uuid,
    seq: i64,
    sender_id: Option<Uuid>,
    sender_name: Option<String>,
    body: String,
    sent_at: DateTime<Utc>,
}

impl From<MessageRow> for DirectMessage {
    fn from(r: MessageRow) -> Self {
        DirectMessage {
            conversation: ConversationId(r.conversation_id),
            seq: seq_out(r.seq),
            sender: r.sender_id.map(UserId),
            sender_name: r.sender_id.and(r.sender_name),
            body: r.body,
            sent_at: r.sent_at,
        }
    }
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: Uuid,
    other_id: Option<Uuid>,
    other_name: Option<String>,
    last_seq: i64,
    last_read: Option<i64>,
    updated_at: DateTime<Utc>,
    last_body: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ReportRow {
    seq: i64,
    reporter_name: Option<String>,
    sender_name: Option<String>,
    body: String,
    reason: String,
    created_at: DateTime<Utc>,
}

const CONVERSATION_SELECT: &str = "SELECT id, user_low, user_high, last_seq FROM conversations";

/// Messages with their sender's current name (none for a deleted account).
const MESSAGE_SELECT: &str = "SELECT m.conversation_id, m.seq, m.sender_id, \
     u.display_name AS sender_name, m.body, m.sent_at \
     FROM direct_messages m LEFT JOIN users u ON u.id = m.sender_id";

/// Moves a read mark up, never down (portable: no GREATEST in SQLite).
const MARK_READ: &str =
    "INSERT INTO conversation_reads (conversation_id, user_id, last_read_seq) VALUES ($1, $2, $3) \
     ON CONFLICT (conversation_id, user_id) DO UPDATE SET last_read_seq = \
     CASE WHEN excluded.last_read_seq > conversation_reads.last_read_seq \
     THEN excluded.last_read_seq ELSE conversation_reads.last_read_seq END";

/// What a send found inside its transaction.
enum Sent {
    New(i64, String),
    Existing(MessageRow),
    Missing,
}

#[async_trait]
impl MessageStore for Db {
    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn conversation_of(&self, pair: Pair) -> StoreResult<Option<Conversation>> {
        let sql = format!("{CONVERSATION_SELECT} WHERE user_low = $1 AND user_high = $2");
        let row: Option<ConversationRow> = on_read!(self, |pool| sqlx::query_as(&sql)
            .bind(pair.low().0)
            .bind(pair.high().0)
            .fetch_optional(pool)
            .await)
        .map_err(backend)?;
        Ok(row.map(Conversation::from))
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn open_conversation(&self, pair: Pair) -> StoreResult<Conversation> {
        let at = now();
        on_write!(self, |pool| {
            sqlx::query(
            "INSERT INTO conversations (id, user_low, user_high, last_seq, created_at, updated_at) \
             VALUES ($1, $2, $3, 0, $4, $4) ON CONFLICT (user_low, user_high) DO NOTHING"
        )
        .bind(Uuid::new_v4())
        .bind(pair.low().0)
        .bind(pair.high().0)
        .bind(at)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
        })
        .map_err(|e| conflict_or_backend(e, &[]))?;
        // Read on the writer: the row just written (or found) is there.
        let sql = format!("{CONVERSATION_SELECT} WHERE user_low = $1 AND user_high = $2");
        let row: Option<ConversationRow> = on_write!(self, |pool| sqlx::query_as(&sql)
            .bind(pair.low().0)
            .bind(pair.high().0)
            .fetch_optional(pool)
            .await)
        .map_err(backend)?;
        row.map(Conversation::from).ok_or(StoreError::NotFound)
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn conversation(&self, id: ConversationId) -> StoreResult<Option<Conversation>> {
        let sql = format!("{CONVERSATION_SELECT} WHERE id = $1");
        let row: Option<ConversationRow> = on_read!(self, |pool| sqlx::query_as(&sql)
            .bind(id.0)
            .fetch_optional(pool)
            .await)
        .map_err(backend)?;
        Ok(row.map(Conversation::from))
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn send_direct(
        &self,
        conversation: ConversationId,
        sender: UserId,
        client_id: &ClientMessageId,
        text: &MessageText,
    ) -> StoreResult<DirectPosted> {
        let at = now();
        let existing_sql = format!(
            "{MESSAGE_SELECT} WHERE m.conversation_id = $1 AND m.sender_id = $2 AND m.client_id = $3"
        );
        let sent: Result<Sent, sqlx::Error> = on_write!(self, |pool| async {
            let mut tx = pool.begin().await?;
            // Takes the conversation's row (PostgreSQL: its lock; SQLite:
            // the single writer), numbering the message.
            let seq: Option<i64> = sqlx::query_scalar(
                "UPDATE conversations SET last_seq = last_seq + 1, updated_at = $2 \
                 WHERE id = $1 RETURNING last_seq",
            )
            .bind(conversation.0)
            .bind(at)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(seq) = seq else {
                return Ok(Sent::Missing);
            };
            // Nothing is stored when this client id is (a retried send),
            // or the sender is gone.
            let name: Option<Option<String>> = sqlx::query_scalar(
                "INSERT INTO direct_messages (conversation_id, seq, sender_id, client_id, body, \
                 sent_at) SELECT $1, $2, u.id, $4, $5, $6 FROM users u WHERE u.id = $3 \
                 ON CONFLICT (conversation_id, sender_id, client_id) DO NOTHING \
                 RETURNING (SELECT display_name FROM users WHERE id = $3)",
            )
            .bind(conversation.0)
            .bind(seq)
            .bind(sender.0)
            .bind(client_id.as_str())
            .bind(text.as_str())
            .bind(at)
            .fetch_optional(&mut *tx)
            .await?;
            match name.flatten() {
                Some(name) => {
                    // Whoever writes has read everything before it.
                    sqlx::query(MARK_READ)
                        .bind(conversation.0)
                        .bind(sender.0)
                        .bind(seq)
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await?;
                    Ok(Sent::New(seq, name))
                }
                None => {
                    let row: Option<MessageRow> = sqlx::query_as(&existing_sql)
                        .bind(conversation.0)
                        .bind(sender.0)
                        .bind(client_id.as_str())
                        .fetch_optional(&mut *tx)
                        .await?;
                    // Gives the number back.
                    tx.rollback().await?;
                    Ok(row.map_or(Sent::Missing, Sent::Existing))
                }
            }
        }
        .await);
        match sent.map_err(backend)? {
            Sent::New(seq, name) => Ok(DirectPosted::New(DirectMessage {
                conversation,
                seq: seq_out(seq),
                sender: Some(sender),
                sender_name: Some(name),
                body: text.as_str().to_owned(),
                sent_at: at,
            })),
            Sent::Existing(row) => Ok(DirectPosted::Existing(row.into())),
            Sent::Missing => Err(StoreError::NotFound),
        }
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn direct_after(
        &self,
        conversation: ConversationId,
        after: u64,
        limit: u32,
    ) -> StoreResult<Vec<DirectMessage>> {
        let sql = format!(
            "{MESSAGE_SELECT} WHERE m.conversation_id = $1 AND m.seq > $2 ORDER BY m.seq LIMIT $3"
        );
        let rows: Vec<MessageRow> = on_read!(self, |pool| sqlx::query_as(&sql)
            .bind(conversation.0)
            .bind(seq_in(after))
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await)
        .map_err(backend)?;
        Ok(rows.into_iter().map(DirectMessage::from).collect())
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn direct_before(
        &self,
        conversation: ConversationId,
        before: u64,
        limit: u32,
    ) -> StoreResult<Vec<DirectMessage>> {
        let sql = format!(
            "{MESSAGE_SELECT} WHERE m.conversation_id = $1 AND m.seq < $2 \
             ORDER BY m.seq DESC LIMIT $3"
        );
        let rows: Vec<MessageRow> = on_read!(self, |pool| sqlx::query_as(&sql)
            .bind(conversation.0)
            .bind(seq_in(before))
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await)
        .map_err(backend)?;
        let mut messages: Vec<DirectMessage> = rows.into_iter().map(DirectMessage::from).collect();
        messages.reverse();
        Ok(messages)
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn mark_read(
        &self,
        conversation: ConversationId,
        user: UserId,
        seq: u64,
    ) -> StoreResult<u64> {
        on_write!(self, |pool| sqlx::query(MARK_READ)
            .bind(conversation.0)
            .bind(user.0)
            .bind(seq_in(seq))
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .map_err(|e| conflict_or_backend(e, &[]))?;
        let mark: Option<i64> = on_write!(self, |pool| sqlx::query_scalar(
            "SELECT last_read_seq FROM conversation_reads WHERE conversation_id = $1 AND user_id = $2"
        )
        .bind(conversation.0)
        .bind(user.0)
        .fetch_optional(pool)
        .await)
        .map_err(backend)?;
        Ok(mark.map_or(0, seq_out))
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn read_mark(&self, conversation: ConversationId, user: UserId) -> StoreResult<u64> {
        let mark: Option<i64> = on_read!(self, |pool| sqlx::query_scalar(
            "SELECT last_read_seq FROM conversation_reads WHERE conversation_id = $1 AND user_id = $2"
        )
        .bind(conversation.0)
        .bind(user.0)
        .fetch_optional(pool)
        .await)
        .map_err(backend)?;
        Ok(mark.map_or(0, seq_out))
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn conversations_of(&self, user: UserId) -> StoreResult<Vec<ConversationSummary>> {
        let rows: Vec<SummaryRow> = on_read!(self, |pool| sqlx::query_as(
            "SELECT c.id, o.id AS other_id, o.display_name AS other_name, c.last_seq, \
             r.last_read_seq AS last_read, c.updated_at, \
             (SELECT m.body FROM direct_messages m WHERE m.conversation_id = c.id \
              ORDER BY m.seq DESC LIMIT 1) AS last_body \
             FROM conversations c \
             LEFT JOIN users o ON o.id = (CASE WHEN c.user_low = $1 THEN c.user_high ELSE c.user_low END) \
             LEFT JOIN conversation_reads r ON r.conversation_id = c.id AND r.user_id = $1 \
             WHERE c.user_low = $1 OR c.user_high = $1 \
             ORDER BY c.updated_at DESC, c.id"
        )
        .bind(user.0)
        .fetch_all(pool)
        .await)
        .map_err(backend)?;
        Ok(rows
            .into_iter()
            .map(|r| ConversationSummary {
                id: ConversationId(r.id),
                other: r.other_id.map(UserId),
                other_name: r.other_id.and(r.other_name),
                last_seq: seq_out(r.last_seq),
                last_read: r.last_read.map_or(0, seq_out),
                updated_at: r.updated_at,
                last_body: r.last_body.unwrap_or_default(),
            })
            .collect())
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn unread_total(&self, user: UserId) -> StoreResult<u64> {
        let n: i64 = on_read!(self, |pool| {
            sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(c.last_seq - COALESCE(r.last_read_seq, 0)), 0) AS BIGINT) \
             FROM conversations c \
             LEFT JOIN conversation_reads r ON r.conversation_id = c.id AND r.user_id = $1 \
             WHERE c.user_low = $1 OR c.user_high = $1"
        )
        .bind(user.0)
        .fetch_one(pool)
        .await
        })
        .map_err(backend)?;
        Ok(seq_out(n))
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn tied(&self, pair: Pair) -> StoreResult<bool> {
        self.any_for_pair(
            "SELECT (SELECT COUNT(*) FROM connections WHERE user_a = $1 AND user_b = $2) \
             + (SELECT COUNT(*) FROM meetings WHERE status IN ('pending', 'accepted') \
                AND ((requester_id = $1 AND invitee_id = $2) \
                  OR (requester_id = $2 AND invitee_id = $1))) \
             + (SELECT COUNT(*) FROM match_interests a JOIN match_interests b \
                ON b.event_id = a.event_id AND b.user_id = a.other_id AND b.other_id = a.user_id \
                WHERE a.user_id = $1 AND a.other_id = $2)",
            pair.low().0,
            pair.high().0,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn shared_event(&self, pair: Pair) -> StoreResult<Option<EventId>> {
        let id: Option<Uuid> = on_read!(self, |pool| sqlx::query_scalar(
            "SELECT e.id FROM events e \
             JOIN memberships a ON a.event_id = e.id AND a.user_id = $1 \
             JOIN memberships b ON b.event_id = e.id AND b.user_id = $2 \
             ORDER BY e.starts_on DESC, e.created_at DESC LIMIT 1"
        )
        .bind(pair.low().0)
        .bind(pair.high().0)
        .fetch_optional(pool)
        .await)
        .map_err(backend)?;
        Ok(id.map(EventId))
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn report_direct(
        &self,
        event: EventId,
        conversation: ConversationId,
        seq: u64,
        reporter: UserId,
        reason: &str,
    ) -> StoreResult<()> {
        let filed = on_write!(self, |pool| sqlx::query(
            "INSERT INTO direct_reports (id, event_id, conversation_id, seq, reporter_id, \
             sender_id, body, reason, created_at) \
             SELECT $1, $2, m.conversation_id, m.seq, $5, m.sender_id, m.body, $6, $7 \
             FROM direct_messages m WHERE m.conversation_id = $3 AND m.seq = $4"
        )
        .bind(Uuid::new_v4())
        .bind(event.0)
        .bind(conversation.0)
        .bind(seq_in(seq))
        .bind(reporter.0)
        .bind(reason)
        .bind(now())
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
        .map_err(|e| conflict_or_backend(e, &[("direct_reports", "report")]))?;
        if filed == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn direct_reports(&self, event: EventId) -> StoreResult<Vec<DirectReport>> {
        let rows: Vec<ReportRow> = on_read!(self, |pool| sqlx::query_as(
            "SELECT d.seq, ur.display_name AS reporter_name, us.display_name AS sender_name, \
             d.body, d.reason, d.created_at FROM direct_reports d \
             LEFT JOIN users ur ON ur.id = d.reporter_id \
             LEFT JOIN users us ON us.id = d.sender_id \
             WHERE d.event_id = $1 ORDER BY d.created_at DESC, d.id"
        )
        .bind(event.0)
        .fetch_all(pool)
        .await)
        .map_err(backend)?;
        Ok(rows
            .into_iter()
            .map(|r| DirectReport {
                seq: seq_out(r.seq),
                reporter_name: r.reporter_name,
                sender_name: r.sender_name,
                body: r.body,
                reason: r.reason,
                created_at: r.created_at,
            })
            .collect())
    }
}
