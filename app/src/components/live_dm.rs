//! The browser's side of a live conversation (direct messages): the
//! messages a conversation page shows, the outbox of messages not yet
//! acknowledged, the link's state, and the protocol logic that keeps them
//! (`dm_open` on every welcome with the last number seen, the outbox sent
//! again with the same client ids after each catch-up, `dm_read` for what
//! arrived while the page is shown).
//!
//! Like [`super::live_room`] the logic is free of the browser so it is
//! unit-tested natively; the outbox is the rooms' ([`super::outbox`]),
//! kept in the browser's storage per person and conversation, as
//! `rapport.dm-outbox.<me>.<with>`.

use super::outbox::Outbox;
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
    /// What I typed and the server has not stored yet, and the link's state.
    pub outbox: Outbox,
    /// The highest number received; a reopen resumes after it.
    pub last_seq: StoredValue<u64>,
}

impl LiveConversation {
    /// The state for a page rendered with `messages`, the newest, when the
    /// conversation's newest number was `head`.
    pub fn new(with: String, conversation: String, messages: Vec<WireMessage>, head: u64) -> Self {
        let last = messages.last().map(|m| m.seq).unwrap_or(0).max(head);
        let to = with.clone();
        LiveConversation {
            with: StoredValue::new(with),
            conversation: StoredValue::new(conversation),
            messages: RwSignal::new(messages),
            outbox: Outbox::new(move |client_id, text| ClientMsg::DmSend {
                with: to.clone(),
                client_id,
                text,
            }),
            last_seq: StoredValue::new(last),
        }
    }

    /// Keeps the outbox in the browser's storage (after hydration). `me`
    /// is the signed-in person: each person's outbox is their own.
    pub fn keep_outbox(&self, me: &str) {
        self.outbox.keep(outbox_key(me, &self.with.get_value()));
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
        self.outbox.opened();
    }

    fn closed(&self) {
        self.outbox.closed();
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
                if new && self.outbox.caught_up.get_value() {
                    vec![self.read()]
                } else {
                    vec![]
                }
            }
            ServerMsg::DmCaughtUp { with, .. } if mine(&with) => {
                let sends = self.outbox.caught_up();
                // Read first: the number it marks is what is on screen.
                let mut out = vec![self.read()];
                out.extend(sends);
                out
            }
            ServerMsg::DmAck {
                with, client_id, ..
            } if mine(&with) => {
                self.outbox.acked(&client_id);
                vec![]
            }
            ServerMsg::DmError {
                with,
                code,
                message,
                client_id,
                ..
            } if mine(&with) => {
                let ends = matches!(
                    code,
                    ErrorCode::UnknownConversation | ErrorCode::ConversationClosed
                );
                self.outbox.refused(client_id, code, message, ends);
                vec![]
            }
            _ => vec![],
        }
    }
}

/// The browser storage key of a person's outbox in a conversation.
fn outbox_key(me: &str, with: &str) -> String {
    format!("rapport.dm-outbox.{me}.{with}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::components::live::Listener;
    use crate::components::outbox::Link;

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
            assert!(live
                .outbox
                .queue("id-00000001".into(), "hello".into())
                .is_empty());
            let out = live.apply(ServerMsg::DmCaughtUp {
                with: "b".into(),
                conversation: "c".into(),
                seq: 0,
            });
            assert_eq!(
                out,
                vec![
                    ClientMsg::DmRead {
                        with: "b".into(),
                        seq: 0
                    },
                    ClientMsg::DmSend {
                        with: "b".into(),
                        client_id: "id-00000001".into(),
                        text: "hello".into()
                    }
                ]
            );
            live.apply(ServerMsg::DmAck {
                with: "b".into(),
                conversation: "c".into(),
                client_id: "id-00000001".into(),
                seq: 1,
            });
            assert!(live.outbox.pending.get_untracked().is_empty());
        });
    }

    #[test]
    fn a_closed_conversation_ends_the_chat_and_a_refused_message_is_marked() {
        let owner = Owner::new();
        owner.with(|| {
            let live = LiveConversation::new("b".into(), "c".into(), vec![], 0);
            live.outbox.queue("id-00000001".into(), "x".into());
            let refusal = |with: &str, client_id: Option<&str>, code| ServerMsg::DmError {
                with: with.into(),
                code,
                message: "no".into(),
                limit: None,
                client_id: client_id.map(Into::into),
            };
            live.apply(refusal("b", Some("id-00000001"), ErrorCode::MessageTooLong));
            assert!(live.outbox.sends().is_empty());
            live.apply(refusal("someone-else", None, ErrorCode::ConversationClosed));
            assert_ne!(live.outbox.link.get_untracked(), Link::Refused);
            live.apply(refusal("b", None, ErrorCode::ConversationClosed));
            assert_eq!(live.outbox.link.get_untracked(), Link::Refused);
        });
    }

    #[test]
    fn each_person_keeps_an_outbox_of_their_own_in_a_conversation() {
        assert_ne!(outbox_key("ann", "b"), outbox_key("ben", "b"));
        assert_eq!(outbox_key("ann", "b"), "rapport.dm-outbox.ann.b");
    }
}
