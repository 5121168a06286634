//! Direct messages: conversations between two people, their messages
//! numbered without gaps, how far each person has read, and reports of a
//! message to an event's organizers ([`MessageStore`]).
//!
//! The store keeps facts (is there a tie between these two, a shared
//! event, a message with this number); whether two people may talk is
//! decided in `app::service::messages`.

use super::error::StoreResult;
use crate::domain::{ClientMessageId, ConversationId, EventId, MessageText, Pair, UserId};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// A conversation as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conversation {
    pub id: ConversationId,
    /// The lower and the higher id of the pair; `None` for a side whose
    /// account was deleted (its messages stay for the other).
    pub low: Option<UserId>,
    pub high: Option<UserId>,
    /// The newest message's number (0: none yet).
    pub last_seq: u64,
}

impl Conversation {
    /// Whether `user` is one of the two.
    pub fn has(&self, user: UserId) -> bool {
        self.low == Some(user) || self.high == Some(user)
    }
}

/// One stored direct message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirectMessage {
    pub conversation: ConversationId,
    /// Per conversation, gap-free, increasing from 1.
    pub seq: u64,
    /// `None` when the sender deleted their account.
    pub sender: Option<UserId>,
    /// The sender's current name (`None` with `sender`).
    pub sender_name: Option<String>,
    pub body: String,
    pub sent_at: DateTime<Utc>,
}

/// The result of sending: a new message, or the one stored earlier under
/// the same client id (a retried send).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DirectPosted {
    New(DirectMessage),
    Existing(DirectMessage),
}

impl DirectPosted {
    pub fn message(&self) -> &DirectMessage {
        match self {
            DirectPosted::New(m) | DirectPosted::Existing(m) => m,
        }
    }
}

/// One of my conversations, as my inbox lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConversationSummary {
    pub id: ConversationId,
    /// The other person (`None` once their account is gone).
    pub other: Option<UserId>,
    pub other_name: Option<String>,
    pub last_seq: u64,
    /// How far I have read it.
    pub last_read: u64,
    /// When the newest message was sent (or the conversation opened).
    pub updated_at: DateTime<Utc>,
    /// The newest message's text, for a preview ("" when none).
    pub last_body: String,
}

impl ConversationSummary {
    /// Messages I have not read.
    pub fn unread(&self) -> u64 {
        self.last_seq.saturating_sub(self.last_read)
    }
}

/// A recipient's report of a direct message, as the organizers read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirectReport {
    pub seq: u64,
    /// `None` when the account is gone.
    pub reporter_name: Option<String>,
    pub sender_name: Option<String>,
    /// The message's text when it was reported.
    pub body: String,
    pub reason: String,
    pub created_at: DateTime<Utc>,
}

/// Conversations, their messages, read state and reports.
#[async_trait]
pub trait MessageStore: Send + Sync {
    /// The pair's conversation, if one was ever opened.
    async fn conversation_of(&self, pair: Pair) -> StoreResult<Option<Conversation>>;
    /// The pair's conversation, created if there is none (safe against two
    /// opening it at once: both get the same one). `NotFound` if either
    /// account does not exist.
    async fn open_conversation(&self, pair: Pair) -> StoreResult<Conversation>;
    async fn conversation(&self, id: ConversationId) -> StoreResult<Option<Conversation>>;
    /// Stores a message with the conversation's next number, in one
    /// transaction, so concurrent senders get gap-free increasing numbers;
    /// the sender's own read mark moves to it. A `client_id` the sender used
    /// before in this conversation returns the stored message and stores
    /// nothing. `NotFound` if the conversation or the sender does not exist.
    async fn send_direct(
        &self,
        conversation: ConversationId,
        sender: UserId,
        client_id: &ClientMessageId,
        text: &MessageText,
    ) -> StoreResult<DirectPosted>;
    /// Up to `limit` messages with `seq > after`, oldest first.
    async fn direct_after(
        &self,
        conversation: ConversationId,
        after: u64,
        limit: u32,
    ) -> StoreResult<Vec<DirectMessage>>;
    /// The newest `limit` messages with `seq < before`, oldest first.
    async fn direct_before(
        &self,
        conversation: ConversationId,
        before: u64,
        limit: u32,
    ) -> StoreResult<Vec<DirectMessage>>;
    /// Moves `user`'s read mark up to `seq` (never down); returns the mark.
    async fn mark_read(
        &self,
        conversation: ConversationId,
        user: UserId,
        seq: u64,
    ) -> StoreResult<u64>;
    /// How far `user` has read the conversation (0: nothing).
    async fn read_mark(&self, conversation: ConversationId, user: UserId) -> StoreResult<u64>;
    /// My conversations, the most recently active first.
    async fn conversations_of(&self, user: UserId) -> StoreResult<Vec<ConversationSummary>>;
    /// How many messages I have not read, over all my conversations.
    async fn unread_total(&self, user: UserId) -> StoreResult<u64>;
    /// Whether the two are tied: connected, a meeting (pending or
    /// accepted) between them, or interest both ways at some event.
    async fn tied(&self, pair: Pair) -> StoreResult<bool>;
    /// The most recent event (by start date) both belong to.
    async fn shared_event(&self, pair: Pair) -> StoreResult<Option<EventId>>;
    /// Files `reporter`'s report of message `seq` with `event`'s
    /// organizers, copying its text. `NotFound` if there is no such message,
    /// `Conflict("report")` if this reporter reported it already.
    async fn report_direct(
        &self,
        event: EventId,
        conversation: ConversationId,
        seq: u64,
        reporter: UserId,
        reason: &str,
    ) -> StoreResult<()>;
    /// Reports of direct messages filed with `event`, newest first.
    async fn direct_reports(&self, event: EventId) -> StoreResult<Vec<DirectReport>>;
}
