//! The browser's side of a live room: the state a room page shows
//! (messages, who is here, the outbox of messages not yet acknowledged,
//! the link's state, why to meet who is here) and, behind `hydrate`, the
//! WebSocket that feeds it.
//!
//! Its [`Listener`](super::live::Listener) implementation is the protocol
//! logic, kept free of the browser so it is unit-tested natively: it takes
//! one server message and returns what to send back. The tab's one socket
//! ([`super::live`]) only moves frames and reconnects; on every welcome
//! the room rejoins with the last sequence number seen so the server
//! replays what was missed, and after each (re)join sends the outbox again
//! ([`super::outbox`], kept in the browser's storage per person and room,
//! as `rapport.room-outbox.<me>.<room>`).

use super::outbox::{Outbox, Thread};
use crate::api::matching::ReasonView;
use crate::realtime::{ClientMsg, ErrorCode, PresenceMember, ServerMsg, WireMessage};
use leptos::prelude::*;
use std::collections::HashMap;

/// The live state of one room page. Copy: every field is a signal.
#[derive(Clone, Copy)]
pub struct LiveRoom {
    pub room: StoredValue<String>,
    /// The messages shown; a rejoin resumes after the last.
    pub thread: Thread,
    pub members: RwSignal<Vec<PresenceMember>>,
    /// What I typed and the server has not stored yet, and the link's state.
    pub outbox: Outbox,
    /// Older messages exist than the first one shown.
    pub more: RwSignal<bool>,
}

impl LiveRoom {
    /// The state for a page rendered with `messages`, the room's newest,
    /// when the room's newest number was `head`.
    pub fn new(room: String, messages: Vec<WireMessage>, head: u64, more: bool) -> Self {
        let to = room.clone();
        let send = move |client_id, text| ClientMsg::Send {
            room: to.clone(),
            client_id,
            text,
        };
        LiveRoom {
            room: StoredValue::new(room),
            thread: Thread::new(messages, head),
            members: RwSignal::new(Vec::new()),
            outbox: Outbox::new(send),
            more: RwSignal::new(more),
        }
    }

    /// Keeps the outbox in the browser's storage (after hydration). `me`
    /// is the signed-in person: each person's outbox is their own.
    pub fn keep_outbox(&self, me: &str) {
        self.outbox.keep(outbox_key(me, &self.room.get_value()));
    }

    /// Asks for the page of messages before the first one shown.
    pub fn older(&self) -> Vec<ClientMsg> {
        let first = self
            .thread
            .messages
            .with_untracked(|m| m.first().map(|m| m.seq))
            .unwrap_or(u64::MAX);
        vec![ClientMsg::History {
            room: self.room.get_value(),
            before: first,
        }]
    }

    fn join(&self) -> ClientMsg {
        ClientMsg::Join {
            room: self.room.get_value(),
            last_seq: Some(self.thread.last_seq.get_value()),
        }
    }
}

impl super::live::Listener for LiveRoom {
    /// The connection opened (the link says hello).
    fn opened(&self) {
        self.outbox.opened();
    }

    /// The connection closed.
    fn closed(&self) {
        self.outbox.closed();
        self.members.set(Vec::new());
    }

    /// Applies one server message; returns what to send back.
    fn apply(&self, msg: ServerMsg) -> Vec<ClientMsg> {
        let mine = |room: &str| self.room.with_value(|r| r == room);
        match msg {
            ServerMsg::Welcome { .. } => vec![self.join()],
            ServerMsg::Joined { room, members, .. } if mine(&room) => {
                self.members.set(members);
                vec![]
            }
            ServerMsg::Members { room, members } if mine(&room) => {
                self.members.update(|m| {
                    for member in members {
                        if !m.iter().any(|x| x.user_id == member.user_id) {
                            m.push(member);
                        }
                    }
                    m.sort_by(|a, b| a.name.cmp(&b.name));
                });
                vec![]
            }
            ServerMsg::Message { room, message } if mine(&room) => {
                self.thread.add(message);
                vec![]
            }
            ServerMsg::History {
                room,
                messages,
                more,
            } if mine(&room) => {
                for m in messages {
                    self.thread.add(m);
                }
                self.more.set(more);
                vec![]
            }
            ServerMsg::CaughtUp { room, .. } if mine(&room) => self.outbox.caught_up(),
            ServerMsg::Ack {
                room, client_id, ..
            } if mine(&room) => {
                self.outbox.acked(&client_id);
                vec![]
            }
            ServerMsg::PresenceJoined { room, member } if mine(&room) => {
                self.members.update(|m| {
                    if !m.iter().any(|x| x.user_id == member.user_id) {
                        m.push(member);
                        m.sort_by(|a, b| a.name.cmp(&b.name));
                    }
                });
                vec![]
            }
            ServerMsg::PresenceLeft { room, user_id } if mine(&room) => {
                self.members.update(|m| m.retain(|x| x.user_id != user_id));
                vec![]
            }
            ServerMsg::MessageDeleted { room, seq } if mine(&room) => {
                self.thread.messages.update(|ms| {
                    if let Some(m) = ms.iter_mut().find(|m| m.seq == seq) {
                        m.deleted = true;
                        m.text.clear();
                    }
                });
                vec![]
            }
            ServerMsg::RoomState { room, closed } if mine(&room) => {
                self.outbox
                    .notice
                    .set(closed.then(|| "A moderator closed this room.".to_owned()));
                vec![]
            }
            ServerMsg::Resync { room } if mine(&room) => {
                self.outbox.caught_up.set_value(false);
                vec![self.join()]
            }
            ServerMsg::Error {
                code,
                message,
                client_id,
                room,
                ..
            } => {
                // Forbidden: removed from the event (`left` follows).
                let ends = matches!(
                    code,
                    ErrorCode::UnknownRoom | ErrorCode::RoomClosed | ErrorCode::Forbidden
                ) && room.as_deref().is_some_and(mine);
                self.outbox.refused(client_id, code, message, ends);
                vec![]
            }
            _ => vec![],
        }
    }
}

/// The browser storage key of a person's outbox in a room.
fn outbox_key(me: &str, room: &str) -> String {
    format!("rapport.room-outbox.{me}.{room}")
}

impl LiveRoom {
    /// Why I should meet each person here (by account id), asked again in
    /// the browser whenever who is here changes. A signal filled by an
    /// effect, not a resource: a resource read inside the room page's
    /// `<Suspense>` put the whole room, its history too, back to
    /// "Loading…" each time an answer was on its way.
    pub fn why_meet(&self, slug: String) -> RwSignal<HashMap<String, Vec<ReasonView>>> {
        let why = RwSignal::new(HashMap::new());
        let members = self.members;
        // Only the newest question's answer is shown (answers may cross).
        let asked = StoredValue::new(0u64);
        Effect::new(move |_| {
            let ids: Vec<String> = members.get().into_iter().map(|m| m.user_id).collect();
            if ids.is_empty() {
                return;
            }
            let n = asked.get_value() + 1;
            asked.set_value(n);
            let slug = slug.clone();
            leptos::task::spawn_local(async move {
                if let Ok(people) = crate::api::matching::why_meet(slug, ids).await {
                    if asked.try_get_value() == Some(n) {
                        let _ = why
                            .try_set(people.into_iter().map(|p| (p.user_id, p.reasons)).collect());
                    }
                }
            });
        });
        why
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::components::live::Listener;
    use crate::components::outbox::{sample as msg, welcome, Link};

    fn message(seq: u64, text: &str) -> ServerMsg {
        ServerMsg::Message {
            room: "r".into(),
            message: msg(seq, text),
        }
    }

    #[test]
    fn welcome_is_answered_with_a_join_resuming_after_the_last_message_shown() {
        let owner = Owner::new();
        owner.with(|| {
            let live = LiveRoom::new("r".into(), vec![msg(1, "a"), msg(2, "b")], 2, false);
            assert_eq!(
                live.apply(welcome()),
                vec![ClientMsg::Join {
                    room: "r".into(),
                    last_seq: Some(2)
                }]
            );
        });
    }

    #[test]
    fn a_big_rooms_member_list_arrives_in_pages_and_is_merged_once() {
        let owner = Owner::new();
        owner.with(|| {
            let live = LiveRoom::new("r".into(), vec![], 0, false);
            let person = |id: &str, name: &str| crate::realtime::PresenceMember {
                user_id: id.into(),
                name: name.into(),
            };
            live.apply(ServerMsg::Joined {
                room: "r".into(),
                last_seq: 0,
                closed: false,
                members: vec![person("1", "Cleo"), person("2", "Ana")],
            });
            live.apply(ServerMsg::Members {
                room: "other".into(),
                members: vec![person("9", "Zed")],
            });
            live.apply(ServerMsg::Members {
                room: "r".into(),
                members: vec![person("3", "Bo"), person("1", "Cleo")],
            });
            let names: Vec<String> = live
                .members
                .get_untracked()
                .into_iter()
                .map(|m| m.name)
                .collect();
            assert_eq!(names, ["Ana", "Bo", "Cleo"]);
        });
    }

    #[test]
    fn messages_are_kept_in_order_once_and_advance_the_resume_point() {
        let owner = Owner::new();
        owner.with(|| {
            let live = LiveRoom::new("r".into(), vec![], 0, false);
            live.apply(message(2, "two"));
            live.apply(message(1, "one"));
            live.apply(message(2, "two"));
            assert_eq!(live.thread.seqs(), [1, 2]);
            assert_eq!(live.thread.last_seq.get_value(), 2);
        });
    }

    #[test]
    fn typed_messages_wait_while_offline_and_go_out_with_the_same_ids_after_rejoining() {
        let owner = Owner::new();
        owner.with(|| {
            let live = LiveRoom::new("r".into(), vec![], 0, false);
            assert!(live
                .outbox
                .queue("id-00000001".into(), "hello".into())
                .is_empty());
            let out = live.apply(ServerMsg::CaughtUp {
                room: "r".into(),
                seq: 0,
            });
            assert_eq!(
                out,
                vec![ClientMsg::Send {
                    room: "r".into(),
                    client_id: "id-00000001".into(),
                    text: "hello".into()
                }]
            );
            assert_eq!(live.outbox.link.get_untracked(), Link::Live);
            live.apply(ServerMsg::Ack {
                room: "r".into(),
                client_id: "id-00000001".into(),
                seq: 1,
            });
            assert!(live.outbox.pending.get_untracked().is_empty());
        });
    }

    #[test]
    fn earlier_pages_are_asked_for_before_the_first_message_and_merged_in_order() {
        let owner = Owner::new();
        owner.with(|| {
            let live = LiveRoom::new("r".into(), vec![msg(51, "x"), msg(52, "y")], 52, true);
            assert_eq!(
                live.older(),
                vec![ClientMsg::History {
                    room: "r".into(),
                    before: 51
                }]
            );
            live.apply(ServerMsg::History {
                room: "r".into(),
                messages: vec![msg(49, "a"), msg(50, "b")],
                more: false,
            });
            assert_eq!(live.thread.seqs(), [49, 50, 51, 52]);
            assert!(!live.more.get_untracked());
            assert_eq!(
                live.thread.last_seq.get_value(),
                52,
                "paging back does not move the resume point"
            );
        });
    }

    #[test]
    fn each_person_keeps_an_outbox_of_their_own_in_a_room() {
        assert_ne!(outbox_key("ann", "r"), outbox_key("ben", "r"));
        assert_ne!(outbox_key("ann", "r"), outbox_key("ann", "s"));
        // The key outboxes already in people's browsers are stored under.
        assert_eq!(outbox_key("ann", "r"), "rapport.room-outbox.ann.r");
    }

    /// A refused message is the outbox's business ([`super::super::outbox`]);
    /// the room ends on its own refusal only, removal from the event too.
    #[test]
    fn only_this_rooms_refusal_ends_the_room() {
        let owner = Owner::new();
        owner.with(|| {
            let cases = [
                ("other", ErrorCode::RoomClosed, false),
                ("r", ErrorCode::RateLimited, false),
                ("r", ErrorCode::Forbidden, true),
            ];
            for (room, code, ends) in cases {
                let live = LiveRoom::new("r".into(), vec![], 0, false);
                live.apply(ServerMsg::Error {
                    code,
                    message: "no".into(),
                    limit: None,
                    room: Some(room.into()),
                    client_id: None,
                });
                assert_eq!(
                    live.outbox.link.get_untracked() == Link::Refused,
                    ends,
                    "{room} {code:?}"
                );
            }
        });
    }
}
