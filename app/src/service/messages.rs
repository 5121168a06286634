//! Direct messages: the one place that decides who may talk to whom, what
//! a message may be, and how read marks and reports work. The socket
//! (`server/src/realtime/direct.rs`), the server functions of
//! [`crate::api::messages`] (pages, the form that posts without
//! JavaScript) and "download my data" all call these functions.
//!
//! Two people may write to each other when they are *tied*: connected (at
//! any event), a meeting between them (pending or accepted), or interest
//! both ways at an event; and neither has blocked the other. A block ends
//! the conversation both ways: no new message, and its page says it is
//! closed (the history stays readable for both). A conversation, once
//! opened, stays readable to its two people even if the tie goes (a
//! connection removed); only writing needs the tie.
//!
//! A conversation is found by the other person's id, or by its own id (so
//! one whose other side deleted their account stays reachable from the
//! inbox, where the messages show as "Deleted user").
//!
//! Every refusal is a [`DmError`]: one protocol code and one sentence, sent
//! as a `dm_error` frame on the socket and as an [`AppError`] over HTTP.

use super::limits::Limits;
use crate::{
    domain::{
        normalise, ClientMessageId, ConversationId, Invalid, Lines, MessageText, Pair, UserId,
        MAX_MESSAGE_CHARS,
    },
    error::AppError,
    ports::{
        Conversation, ConversationSummary, DirectMessage, DirectPosted, LiveRooms, Store,
        StoreError,
    },
    realtime::{ErrorCode, WireMessage},
};

/// No conversation for me with that person (or no such person): one
/// answer for all, so nobody learns who exists or whom someone knows.
pub const UNKNOWN: &str = "There is no conversation with that person. You can message people you \
     are connected with, have a meeting with, or both want to meet.";
/// A block ended the conversation.
pub const CLOSED: &str =
    "This conversation is closed: one of you blocked the other. No new messages can be sent.";
/// A message id the protocol does not accept.
pub const BAD_CLIENT_ID: &str = "A client_id is 8 to 64 letters, digits, '-' or '_'.";
/// How many messages a conversation's page shows at first.
pub const PAGE: u32 = 50;

/// Why a direct message was refused, or that the store failed.
#[derive(Debug)]
pub enum DmError {
    /// No conversation for me with that person ([`UNKNOWN`]).
    Unknown,
    /// A block ended it ([`CLOSED`]).
    Closed,
    /// Longer than [`MAX_MESSAGE_CHARS`] once normalised.
    TooLong,
    /// Empty, invisible, or holding refused characters.
    BadText(Invalid),
    BadClientId,
    /// Too many messages; try again in this many seconds.
    RateLimited(u64),
    /// The store failed (logged where it is turned into an answer).
    Store(StoreError),
}

impl From<StoreError> for DmError {
    fn from(e: StoreError) -> Self {
        DmError::Store(e)
    }
}

impl DmError {
    /// The protocol's code for this refusal.
    pub fn code(&self) -> ErrorCode {
        match self {
            DmError::Unknown => ErrorCode::UnknownConversation,
            DmError::Closed => ErrorCode::ConversationClosed,
            DmError::TooLong => ErrorCode::MessageTooLong,
            DmError::BadText(_) => ErrorCode::BadMessage,
            DmError::BadClientId => ErrorCode::BadClientId,
            DmError::RateLimited(_) => ErrorCode::RateLimited,
            DmError::Store(_) => ErrorCode::Internal,
        }
    }

    /// What the person is told.
    pub fn message(&self) -> String {
        match self {
            DmError::Unknown => UNKNOWN.into(),
            DmError::Closed => CLOSED.into(),
            DmError::TooLong => {
                format!("A message can be at most {MAX_MESSAGE_CHARS} characters long.")
            }
            DmError::BadText(e) => e.message.clone(),
            DmError::BadClientId => BAD_CLIENT_ID.into(),
            DmError::RateLimited(secs) => format!(
                "You are sending messages too fast. Your message is kept: it will be sent when \
                 you try again in {secs} seconds."
            ),
            DmError::Store(_) => AppError::Internal.to_string(),
        }
    }

    /// The limit the refusal names, where there is one.
    pub fn limit(&self) -> Option<u64> {
        match self {
            DmError::TooLong => Some(MAX_MESSAGE_CHARS as u64),
            DmError::BadClientId => Some(64),
            DmError::RateLimited(secs) => Some(*secs),
            _ => None,
        }
    }
}

impl From<DmError> for AppError {
    fn from(e: DmError) -> Self {
        let message = e.message();
        match e {
            DmError::Unknown => AppError::NotFound(message),
            DmError::Closed => AppError::Forbidden(message),
            DmError::TooLong => AppError::Invalid {
                field: "text".into(),
                message,
            },
            DmError::BadText(e) => e.into(),
            DmError::BadClientId => AppError::Invalid {
                field: "client_id".into(),
                message,
            },
            DmError::RateLimited(secs) => AppError::RateLimited {
                retry_after_secs: secs,
            },
            DmError::Store(e) => e.into(),
        }
    }
}

/// A message as sent: its client id and its text (the rooms' rule:
/// normalised, then 1 to [`MAX_MESSAGE_CHARS`] characters).
pub fn message(client_id: &str, text: &str) -> Result<(ClientMessageId, MessageText), DmError> {
    let client_id = ClientMessageId::parse(client_id).map_err(|_| DmError::BadClientId)?;
    let text = MessageText::parse("text", text).map_err(|e| {
        let too_long = normalise("text", text, Lines::Many)
            .is_ok_and(|t| t.chars().count() > MAX_MESSAGE_CHARS);
        if too_long {
            DmError::TooLong
        } else {
            DmError::BadText(e)
        }
    })?;
    Ok((client_id, text))
}

/// The pair of me and the person `raw` names (their id).
fn pair_with(me: UserId, raw: &str) -> Result<Pair, DmError> {
    let other = raw
        .trim()
        .parse()
        .map(UserId)
        .map_err(|_| DmError::Unknown)?;
    Pair::new(me, other).map_err(|_| DmError::Unknown)
}

/// Whether the two may write to each other now: tied, and no block.
pub async fn may_write(store: &dyn Store, pair: Pair) -> Result<(), DmError> {
    if !store.tied(pair).await? {
        return Err(DmError::Unknown);
    }
    if store.blocked_either_way(pair.low(), pair.high()).await? {
        return Err(DmError::Closed);
    }
    Ok(())
}

/// A conversation as I open it.
#[derive(Debug)]
pub struct Opened {
    pub conversation: Conversation,
    /// The other person (`None` once their account is gone).
    pub other: Option<UserId>,
    /// Why no new message can be sent, if none can (shown on the page).
    pub closed: Option<DmError>,
}

/// Opens my conversation with the person `raw` names (or the conversation
/// `raw` names, if it is mine), creating it when we may write to each
/// other and have none yet. Anyone else's conversation, or a person I
/// have no tie with and no history, is [`DmError::Unknown`].
pub async fn open(store: &dyn Store, me: UserId, raw: &str) -> Result<Opened, DmError> {
    if let Ok(id) = ConversationId::parse(raw) {
        if let Some(c) = store.conversation(id).await?.filter(|c| c.has(me)) {
            let other = if c.low == Some(me) { c.high } else { c.low };
            let closed = match other {
                Some(other) => may_write(store, pair_with(me, &other.to_string())?)
                    .await
                    .err(),
                None => Some(DmError::Unknown),
            };
            return Ok(Opened {
                conversation: c,
                other,
                closed,
            });
        }
    }
    let pair = pair_with(me, raw)?;
    let writable = may_write(store, pair).await;
    if let Err(DmError::Store(e)) = writable {
        return Err(DmError::Store(e));
    }
    let conversation = match store.conversation_of(pair).await? {
        Some(c) => c,
        None => match &writable {
            Ok(()) => store.open_conversation(pair).await.map_err(|e| match e {
                StoreError::NotFound => DmError::Unknown,
                other => DmError::Store(other),
            })?,
            // A block before any message: nothing to show either.
            Err(_) => return Err(DmError::Unknown),
        },
    };
    Ok(Opened {
        conversation,
        other: Some(pair.other(me)),
        closed: writable.err(),
    })
}

/// Where a new message is announced: the live sockets of both people on
/// every instance, and the recipient's devices by Web Push when there is a
/// push path (everywhere but the hub's own unit tests).
#[derive(Clone, Copy)]
pub struct Announce<'a> {
    /// The realtime hub: both people's sockets, on every instance.
    pub live: &'a dyn LiveRooms,
    /// The recipient's devices.
    pub push: Option<&'a super::push::PushPath>,
}

/// Sends `text` from me to the person `raw` names, if we may write to
/// each other and I am within my budget, and announces it to both of us
/// on every instance. A `client_id` I used before in this conversation
/// returns the stored message (announced again: harmless, and it covers a
/// crash between a first attempt's commit and its announcement).
pub async fn send(
    store: &dyn Store,
    announce: Announce<'_>,
    limits: &Limits,
    me: UserId,
    raw: &str,
    client_id: &ClientMessageId,
    text: &MessageText,
) -> Result<(DirectPosted, Opened), DmError> {
    let opened = open(store, me, raw).await?;
    if let Some(refusal) = opened.closed {
        return Err(refusal);
    }
    let Some(other) = opened.other else {
        return Err(DmError::Unknown);
    };
    limits.direct(me).map_err(|e| match e {
        AppError::RateLimited { retry_after_secs } => DmError::RateLimited(retry_after_secs),
        _ => DmError::RateLimited(1),
    })?;
    let posted = store
        .send_direct(opened.conversation.id, me, client_id, text)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => DmError::Unknown,
            other => DmError::Store(other),
        })?;
    let seq = posted.message().seq;
    announce
        .live
        .direct(opened.conversation.id, seq, [me, other]);
    if let DirectPosted::New(m) = &posted {
        let name = m.sender_name.as_deref().unwrap_or(DELETED);
        super::notify::message(announce.live, announce.push, other, me, name, &m.body);
    }
    let mut conversation = opened.conversation;
    conversation.last_seq = conversation.last_seq.max(seq);
    Ok((
        posted,
        Opened {
            conversation,
            other: Some(other),
            closed: None,
        },
    ))
}

/// Marks my conversation `raw` read up to `seq` (at most its newest
/// message) and tells my other devices. Returns the conversation, my read
/// mark and what I have left unread over all conversations.
pub async fn mark_read(
    store: &dyn Store,
    live: &dyn LiveRooms,
    me: UserId,
    raw: &str,
    seq: u64,
) -> Result<(ConversationId, u64, u64), DmError> {
    let opened = open(store, me, raw).await?;
    let id = opened.conversation.id;
    // A client cannot have read more than the conversation holds.
    let mark = store
        .mark_read(id, me, seq.min(opened.conversation.last_seq))
        .await?;
    let unread = store.unread_total(me).await?;
    live.direct_read(me, id, mark, unread);
    Ok((id, mark, unread))
}

/// My conversations, most recently active first.
pub async fn inbox(store: &dyn Store, me: UserId) -> Result<Vec<ConversationSummary>, DmError> {
    Ok(store.conversations_of(me).await?)
}

/// How many messages I have not read.
pub async fn unread(store: &dyn Store, me: UserId) -> Result<u64, DmError> {
    Ok(store.unread_total(me).await?)
}

/// Reports message `seq` of my conversation `raw` to the organizers of
/// the most recent event we both belong to. Only its recipient may report
/// it, once. `Ok(event)` names the event it went to.
pub async fn report(
    store: &dyn Store,
    me: UserId,
    raw: &str,
    seq: u64,
    reason: &str,
) -> Result<crate::domain::EventId, AppError> {
    let opened = open(store, me, raw).await?;
    let id = opened.conversation.id;
    let found = store.direct_after(id, seq.saturating_sub(1), 1).await?;
    let Some(message) = found.into_iter().find(|m| m.seq == seq) else {
        return Err(AppError::NotFound("There is no such message.".into()));
    };
    if message.sender == Some(me) {
        return Err(AppError::Forbidden(
            "Only the person who received a message can report it.".into(),
        ));
    }
    let Some(other) = opened.other else {
        return Err(AppError::Conflict(
            "This person deleted their account; there is nobody left to report.".into(),
        ));
    };
    let pair = Pair::new(me, other)?;
    let Some(event) = store.shared_event(pair).await? else {
        return Err(AppError::Conflict(
            "You and this person share no event, so there are no organizers to report to. \
             You can block them instead."
                .into(),
        ));
    };
    let reason = crate::domain::normalise("reason", reason, Lines::Many).unwrap_or_default();
    let reason: String = reason.chars().take(500).collect();
    store
        .report_direct(event, id, seq, me, &reason)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => {
                AppError::Conflict("You reported this message already.".into())
            }
            StoreError::NotFound => AppError::NotFound("There is no such message.".into()),
            other => other.into(),
        })?;
    Ok(event)
}

/// Every message of every conversation of mine, with the other's name
/// ("Deleted user" once gone), oldest first: "download my data".
pub async fn export(
    store: &dyn Store,
    me: UserId,
) -> Result<Vec<(String, Vec<DirectMessage>)>, AppError> {
    let mut all = vec![];
    for c in store.conversations_of(me).await? {
        let mut messages = vec![];
        let mut after = 0;
        loop {
            let page = store.direct_after(c.id, after, 500).await?;
            let Some(last) = page.last() else { break };
            after = last.seq;
            messages.extend(page);
        }
        let name = c.other_name.unwrap_or_else(|| DELETED.to_owned());
        all.push((name, messages));
    }
    Ok(all)
}

/// How a deleted account is named wherever its messages show.
pub const DELETED: &str = "Deleted user";

/// The wire form of a stored message, the same on the socket and the page.
pub fn wire(m: &DirectMessage) -> WireMessage {
    WireMessage {
        seq: m.seq,
        author_id: m.sender.map(|a| a.to_string()),
        author_name: m.sender_name.clone().unwrap_or_else(|| DELETED.to_owned()),
        text: m.body.clone(),
        deleted: false,
        at: m
            .sent_at
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
    }
}
