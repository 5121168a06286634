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

use super::outbox::{Outbox, Thread};
use crate::realtime::{ClientMsg, ErrorCode, ServerMsg, WireMessage};
use leptos::prelude::*;

/// The live state of one conversation page. Copy: every field is a signal.
#[derive(Clone, Copy)]
pub struct LiveConversation {
    /// The other person as the URL names them (the protocol's `with`).
    pub with: StoredValue<String>,
    /// The conversation's id, as `dm_message` frames name it.
    pub conversation: StoredValue<String>,
    /// The messages shown; a reopen resumes after the last.
    pub thread: Thread,
    /// What I typed and the server has not stored yet, and the link's state.
    pub outbox: Outbox,
}

impl LiveConversation {
    /// The state for a page rendered with `messages`, the newest, when the
    /// conversation's newest number was `head`.
    pub fn new(with: String, conversation: String, messages: Vec<WireMessage>, head: u64) -> Self {
        let to = with.clone();
        LiveConversation {
            outbox: Outbox::new(move |client_id, text| ClientMsg::DmSend {
                with: to.clone(),
                client_id,
                text,
            }),
            with: StoredValue::new(with),
            conversation: StoredValue::new(conversation),
            thread: Thread::new(messages, head),
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
            last_seq: Some(self.thread.last_seq.get_value()),
        }
    }

    fn read(&self) -> ClientMsg {
        ClientMsg::DmRead {
            with: self.with.get_value(),
            seq: self.thread.last_seq.get_value(),
        }
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
                let new = self.thread.add(message);
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
    use crate::components::outbox::{sample, welcome, Link};

    fn live() -> LiveConversation {
        LiveConversation::new("b".into(), "c".into(), vec![sample(1, "hi")], 1)
    }

    #[test]
    fn welcome_reopens_the_conversation_after_the_last_message_shown() {
        Owner::new().with(|| {
            let reopen = ClientMsg::DmOpen {
                with: "b".into(),
                last_seq: Some(1),
            };
            assert_eq!(live().apply(welcome()), vec![reopen]);
        });
    }

    #[test]
    fn messages_of_other_conversations_are_ignored_and_ours_kept_once_in_order() {
        Owner::new().with(|| {
            let live = live();
            for (c, seq) in [("other", 2), ("c", 3), ("c", 2), ("c", 3)] {
                live.apply(ServerMsg::DmMessage {
                    conversation: c.into(),
                    message: sample(seq, "x"),
                });
            }
            assert_eq!(live.thread.seqs(), [1, 2, 3]);
        });
    }

    #[test]
    fn catching_up_marks_what_is_shown_read_then_sends_the_outbox_and_an_ack_clears_it() {
        Owner::new().with(|| {
            let live = live();
            assert!(live.outbox.queue("id-1".into(), "hello".into()).is_empty());
            let caught_up = ServerMsg::DmCaughtUp {
                with: "b".into(),
                conversation: "c".into(),
                seq: 1,
            };
            let read = ClientMsg::DmRead {
                with: "b".into(),
                seq: 1,
            };
            let send = ClientMsg::DmSend {
                with: "b".into(),
                client_id: "id-1".into(),
                text: "hello".into(),
            };
            assert_eq!(live.apply(caught_up), vec![read, send]);
            live.apply(ServerMsg::DmAck {
                with: "b".into(),
                conversation: "c".into(),
                client_id: "id-1".into(),
                seq: 2,
            });
            assert!(live.outbox.pending.get_untracked().is_empty());
        });
    }

    #[test]
    fn only_this_conversations_closing_ends_the_chat() {
        Owner::new().with(|| {
            let live = live();
            for (with, refused) in [("someone-else", false), ("b", true)] {
                live.apply(ServerMsg::DmError {
                    with: with.into(),
                    code: ErrorCode::ConversationClosed,
                    message: "closed".into(),
                    limit: None,
                    client_id: None,
                });
                assert_eq!(live.outbox.link.get_untracked() == Link::Refused, refused);
            }
        });
    }

    #[test]
    fn each_person_keeps_an_outbox_of_their_own_in_a_conversation() {
        assert_ne!(outbox_key("ann", "b"), outbox_key("ben", "b"));
        // The key outboxes already in people's browsers are stored under.
        assert_eq!(outbox_key("ann", "b"), "rapport.dm-outbox.ann.b");
    }
}
