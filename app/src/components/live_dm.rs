//! The browser's side of a live conversation (direct messages): the
//! messages a conversation page shows, the outbox of messages not yet
//! acknowledged, the link's state, and the protocol logic that keeps them
//! (`dm_open` on every welcome with the last number seen, the outbox sent
//! again with the same client ids after each catch-up, `dm_read` for what
//! arrived while the page is shown).
//!
//! Like [`super::live_room`], whose [`Pending`], [`Link`] and outbox
//! storage it shares, the logic is free of the browser so it is
//! unit-tested natively; the outbox is kept in the browser's storage per
//! person and conversation, so a message typed offline survives a reload.

use super::live_room::{store_outbox, stored_outbox, Link, Pending};
use crate::realtime::{ClientMsg, ErrorCode, ServerMsg, WireMessage};
use leptos::prelude::*;

/// The live state of one conversation page. Copy: every field is a signal.
#[derive(Clone, Copy)]
pub struct LiveConversation {
    /// The other person as the URL names them (the protocol's `with`).
    pub with: StoredValue<String>,
    /// The conversation's id, as `dm_message` frames name it.
    pub conversation: StoredValue<String>,
    pub messages: RwSignal<Vec<WireMessage>>,
    pub outbox: RwSignal<Vec<Pending>>,
    pub link: RwSignal<Link>,
    /// The last refusal from the server, for the status line.
    pub notice: RwSignal<Option<String>>,
    /// The highest number received; a reopen resumes after it.
    pub last_seq: StoredValue<u64>,
    /// Caught up on the current connection: sends go out at once.
    pub caught_up: StoredValue<bool>,
}

impl LiveConversation {
    /// The state for a page rendered with `messages`, the newest, when the
    /// conversation's newest number was `head`.
    pub fn new(with: String, conversation: String, messages: Vec<WireMessage>, head: u64) -> Self {
        let last = messages.last().map(|m| m.seq).unwrap_or(0).max(head);
        LiveConversation {
            with: StoredValue::new(with),
            conversation: StoredValue::new(conversation),
            messages: RwSignal::new(messages),
            outbox: RwSignal::new(Vec::new()),
            link: RwSignal::new(Link::Connecting),
            notice: RwSignal::new(None),
            last_seq: StoredValue::new(last),
            caught_up: StoredValue::new(false),
        }
    }

    /// Keeps the outbox in the browser's storage (see `LiveRoom::keep_outbox`).
    pub fn keep_outbox(&self, me: &str) {
        let outbox = self.outbox;
        let key = format!("rapport.dm-outbox.{me}.{}", self.with.get_value());
        Effect::new(move |restored: Option<()>| {
            if restored.is_none() {
                let saved = stored_outbox(&key);
                if !saved.is_empty() {
                    outbox.update(|o| {
                        for p in saved {
                            if !o.iter().any(|q| q.client_id == p.client_id) {
                                o.push(p);
                            }
                        }
                    });
                }
            }
            outbox.with(|o| store_outbox(&key, o));
        });
    }

    fn open(&self) -> ClientMsg {
        ClientMsg::DmOpen {
            with: self.with.get_value(),
            last_seq: Some(self.last_seq.get_value()),
        }
    }

    fn read(&self) -> ClientMsg {
        ClientMsg::DmRead {
            with: self.with.get_value(),
            seq: self.last_seq.get_value(),
        }
    }

    /// What to send for each waiting message.
    pub fn outbox_sends(&self) -> Vec<ClientMsg> {
        let with = self.with.get_value();
        self.outbox.with_untracked(|o| {
            o.iter()
                .filter(|p| p.error.is_none())
                .map(|p| ClientMsg::DmSend {
                    with: with.clone(),
                    client_id: p.client_id.clone(),
                    text: p.text.clone(),
                })
                .collect()
        })
    }

    /// Puts a typed message in the outbox; returns what to send now
    /// (nothing while not caught up: it goes out after the next open).
    pub fn queue(&self, client_id: String, text: String) -> Vec<ClientMsg> {
        self.outbox.update(|o| {
            o.retain(|p| p.error.is_none());
            o.push(Pending {
                client_id: client_id.clone(),
                text: text.clone(),
                error: None,
            });
        });
        if self.caught_up.get_value() {
            vec![ClientMsg::DmSend {
                with: self.with.get_value(),
                client_id,
                text,
            }]
        } else {
            vec![]
        }
    }

    /// Adds a message in number order, once; true if it is new.
    fn add(&self, message: WireMessage) -> bool {
        let seq = message.seq;
        let mut new = false;
        self.messages
            .update(|ms| match ms.binary_search_by_key(&seq, |m| m.seq) {
                Ok(i) => ms[i] = message,
                Err(i) => {
                    new = true;
                    ms.insert(i, message)
                }
            });
        if seq > self.last_seq.get_value() {
            self.last_seq.set_value(seq);
        }
        new
    }
}

impl super::live::Listener for LiveConversation {
    fn opened(&self) {
        self.caught_up.set_value(false);
        self.link.set(Link::Connecting);
    }

    fn closed(&self) {
        self.caught_up.set_value(false);
        if self.link.get_untracked() != Link::Refused {
            self.link.set(Link::Offline);
        }
    }

    fn apply(&self, msg: ServerMsg) -> Vec<ClientMsg> {
        let mine = |with: &str| self.with.with_value(|w| w == with);
        let ours = |c: &str| self.conversation.with_value(|x| x == c);
        match msg {
            ServerMsg::Welcome { .. } => vec![self.open()],
            ServerMsg::DmOpened {
                with, conversation, ..
            } if mine(&with) => {
                self.conversation.set_value(conversation);
                vec![]
            }
            ServerMsg::DmMessage {
                conversation,
                message,
            } if ours(&conversation) => {
                let new = self.add(message);
                // Shown on screen: read (my other devices' counts drop).
                if new && self.caught_up.get_value() {
                    vec![self.read()]
                } else {
                    vec![]
                }
            }
            ServerMsg::DmCaughtUp { with, .. } if mine(&with) => {
                self.caught_up.set_value(true);
                self.link.set(Link::Live);
                self.notice.set(None);
                let mut out = vec![self.read()];
                out.extend(self.outbox_sends());
                out
            }
            ServerMsg::DmAck {
                with, client_id, ..
            } if mine(&with) => {
                self.outbox
                    .update(|o| o.retain(|p| p.client_id != client_id));
                vec![]
            }
            ServerMsg::DmError {
                with,
                code,
                message,
                client_id,
                ..
            } if mine(&with) => {
                match (client_id, code) {
                    // Try again later: it stays in the outbox.
                    (Some(_), ErrorCode::RateLimited | ErrorCode::Internal) => {}
                    (Some(id), _) => self.outbox.update(|o| {
                        if let Some(p) = o.iter_mut().find(|p| p.client_id == id) {
                            p.error = Some(message.clone());
                        }
                    }),
                    (None, ErrorCode::UnknownConversation | ErrorCode::ConversationClosed) => {
                        self.link.set(Link::Refused);
                    }
                    _ => {}
                }
                self.notice.set(Some(message));
                vec![]
            }
            _ => vec![],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::components::live::Listener;

    fn msg(seq: u64, text: &str) -> WireMessage {
        WireMessage {
            seq,
            author_id: Some("b".into()),
            author_name: "Ben".into(),
            text: text.into(),
            deleted: false,
            at: "2026-05-14T13:00:00.000Z".into(),
        }
    }

    #[test]
    fn welcome_reopens_the_conversation_after_the_last_message_shown() {
        let owner = Owner::new();
        owner.with(|| {
            let live = LiveConversation::new("b".into(), "c".into(), vec![msg(1, "hi")], 1);
            let out = live.apply(ServerMsg::Welcome {
                version: 1,
                user_id: "a".into(),
                limits: crate::realtime::SocketLimits::sample(),
            });
            assert_eq!(
                out,
                vec![ClientMsg::DmOpen {
                    with: "b".into(),
                    last_seq: Some(1)
                }]
            );
        });
    }

    #[test]
    fn messages_of_other_conversations_are_ignored_and_ours_kept_once_in_order() {
        let owner = Owner::new();
        owner.with(|| {
            let live = LiveConversation::new("b".into(), "c".into(), vec![], 0);
            let dm = |c: &str, seq| ServerMsg::DmMessage {
                conversation: c.into(),
                message: msg(seq, "x"),
            };
            live.apply(dm("other", 1));
            live.apply(dm("c", 2));
            live.apply(dm("c", 1));
            live.apply(dm("c", 2));
            let seqs: Vec<u64> = live
                .messages
                .get_untracked()
                .iter()
                .map(|m| m.seq)
                .collect();
            assert_eq!(seqs, [1, 2]);
        });
    }

    #[test]
    fn the_outbox_goes_out_after_catching_up_and_an_ack_clears_it() {
        let owner = Owner::new();
        owner.with(|| {
            let live = LiveConversation::new("b".into(), "c".into(), vec![], 0);
            assert!(live.queue("id-00000001".into(), "hello".into()).is_empty());
            let out = live.apply(ServerMsg::DmCaughtUp {
                with: "b".into(),
                conversation: "c".into(),
                seq: 0,
            });
            assert!(out.contains(&ClientMsg::DmSend {
                with: "b".into(),
                client_id: "id-00000001".into(),
                text: "hello".into()
            }));
            live.apply(ServerMsg::DmAck {
                with: "b".into(),
                conversation: "c".into(),
                client_id: "id-00000001".into(),
                seq: 1,
            });
            assert!(live.outbox.get_untracked().is_empty());
        });
    }

    #[test]
    fn a_rate_limited_message_stays_in_the_outbox_for_the_next_try() {
        let owner = Owner::new();
        owner.with(|| {
            let live = LiveConversation::new("b".into(), "c".into(), vec![], 0);
            live.queue("id-00000001".into(), "x".into());
            live.apply(ServerMsg::DmError {
                with: "b".into(),
                code: ErrorCode::RateLimited,
                message: "slow down".into(),
                limit: Some(3),
                client_id: Some("id-00000001".into()),
            });
            assert_eq!(live.outbox_sends().len(), 1);
            assert_eq!(live.notice.get_untracked().as_deref(), Some("slow down"));
        });
    }
}
