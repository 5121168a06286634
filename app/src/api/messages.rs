//! Direct messages over HTTP: my inbox, one conversation's page with its
//! recent history (server-rendered, so it reads without JavaScript; opening
//! it marks it read), sending from a plain form (idempotent through a
//! hidden client id), reporting a message, and my unread count for the
//! navigation. Live delivery goes over the WebSocket (`dm_*` frames,
//! `server/src/realtime/direct.rs`); a message sent here is announced to it.
//!
//! Thin server functions: every rule is decided in `service/messages.rs`.

#[cfg(feature = "ssr")]
use crate::{
    api::context,
    service::messages::{self, DELETED, PAGE},
};
use crate::{error::AppError, realtime::WireMessage};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One conversation in my inbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxItem {
    /// What the conversation's URL names: the other person's id, or the
    /// conversation's own id once their account is gone.
    pub with: String,
    /// The other person's name ("Deleted user" once gone).
    pub name: String,
    pub unread: u64,
    /// The newest message, cut short ("" when none yet).
    pub preview: String,
    /// When it was last active, RFC 3339 (UTC).
    pub at: String,
}

/// My conversations, most recently active first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxView {
    pub items: Vec<InboxItem>,
    /// Unread over all of them.
    pub unread: u64,
}

/// A conversation's page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationView {
    /// What the URL and the protocol's `with` name (see [`InboxItem::with`]).
    pub with: String,
    /// The other person's id (`None` once their account is gone).
    pub other_id: Option<String>,
    pub name: String,
    /// The conversation's id, as `dm_message` frames name it.
    pub conversation: String,
    /// My own id: my messages are shown as mine, my outbox is my own.
    pub my_id: String,
    /// The newest messages, oldest first.
    pub messages: Vec<WireMessage>,
    /// Older messages exist than the first one here.
    pub more: bool,
    pub last_seq: u64,
    /// Why no message can be sent, when none can (a block).
    pub closed: Option<String>,
    /// A fresh client id for the plain form (a resubmitted form posts once).
    pub client_id: String,
}

/// My inbox.
#[server(prefix = "/api", endpoint = "my_conversations")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn my_conversations() -> Result<InboxView, AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let list = messages::inbox(state.store.as_ref(), me.id).await?;
    let unread = list.iter().map(|c| c.unread()).sum();
    let items = list
        .into_iter()
        .map(|c| InboxItem {
            with: c.other.map_or_else(|| c.id.to_string(), |o| o.to_string()),
            name: c.other_name.clone().unwrap_or_else(|| DELETED.to_owned()),
            unread: c.unread(),
            preview: preview(&c.last_body),
            at: c
                .updated_at
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        })
        .collect();
    Ok(InboxView { items, unread })
}

/// The first line of a message, at most 80 characters.
#[cfg(feature = "ssr")]
fn preview(body: &str) -> String {
    let line = body.lines().next().unwrap_or_default();
    let mut cut: String = line.chars().take(80).collect();
    if line.chars().count() > 80 || body.lines().nth(1).is_some() {
        cut.push('…');
    }
    cut
}

/// How many messages I have not read (the navigation's count).
#[server(prefix = "/api", endpoint = "unread_messages")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn unread_messages() -> Result<u64, AppError> {
    let Some(me) = context::current_user().await? else {
        return Ok(0);
    };
    let state = context::state()?;
    Ok(messages::unread(state.store.as_ref(), me.id).await?)
}

/// My conversation with `with` (a person's id, or the conversation's own
/// id): its newest messages. Opening it marks it read on all my devices.
#[server(prefix = "/api", endpoint = "conversation_page")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn conversation_page(with: String) -> Result<ConversationView, AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let store = state.store.as_ref();
    let opened = messages::open(store, me.id, &with).await?;
    let id = opened.conversation.id;
    let mut page = store.direct_before(id, u64::MAX, PAGE + 1).await?;
    let more = page.len() > PAGE as usize;
    if more {
        page.remove(0);
    }
    let name = match opened.other {
        Some(other) => store
            .user_by_id(other)
            .await?
            .map(|u| u.display_name)
            .unwrap_or_else(|| DELETED.to_owned()),
        None => DELETED.to_owned(),
    };
    let last_seq = page
        .last()
        .map(|m| m.seq)
        .unwrap_or(0)
        .max(opened.conversation.last_seq);
    if last_seq > 0 {
        messages::mark_read(store, state.live.as_ref(), me.id, &with, last_seq).await?;
    }
    Ok(ConversationView {
        with,
        other_id: opened.other.map(|o| o.to_string()),
        name,
        conversation: id.to_string(),
        my_id: me.id.to_string(),
        messages: page.iter().map(messages::wire).collect(),
        more,
        last_seq,
        closed: opened.closed.map(|e| e.message()),
        client_id: uuid::Uuid::new_v4().simple().to_string(),
    })
}

/// Sends a message without the socket (the conversation page's form when
/// JavaScript is off). `client_id` makes a resubmitted form send once.
/// Returns the message's number.
#[server(prefix = "/api", endpoint = "send_direct_message")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn send_direct_message(
    with: String,
    client_id: String,
    text: String,
) -> Result<u64, AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let (client_id, text) = messages::message(&client_id, &text)?;
    let (posted, _) = messages::send(
        state.store.as_ref(),
        messages::Announce {
            live: state.live.as_ref(),
            push: Some(&crate::service::push::PushPath::of(&state)),
        },
        &state.limits,
        me.id,
        &with,
        &client_id,
        &text,
    )
    .await?;
    let seq = posted.message().seq;
    if context::is_plain_form_post() {
        leptos_axum::redirect(&format!("/messages/{}#m{seq}", urlencode(&with)));
    }
    Ok(seq)
}

/// Path-safe form of an id from the client (ids are UUIDs; anything else
/// is refused before this, but a redirect never carries raw input).
#[cfg(feature = "ssr")]
fn urlencode(raw: &str) -> String {
    raw.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect()
}

/// Reports message `seq` of my conversation with `with` to the organizers
/// of the most recent event we share. Returns that event's name.
#[server(prefix = "/api", endpoint = "report_direct_message")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn report_direct_message(
    with: String,
    seq: u64,
    reason: Option<String>,
) -> Result<String, AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let event = messages::report(
        state.store.as_ref(),
        me.id,
        &with,
        seq,
        reason.as_deref().unwrap_or_default(),
    )
    .await?;
    let name = state
        .store
        .event_by_id(event)
        .await?
        .map(|e| e.name)
        .unwrap_or_default();
    if context::is_plain_form_post() {
        leptos_axum::redirect(&format!("/messages/{}?reported={seq}", urlencode(&with)));
    }
    Ok(name)
}
