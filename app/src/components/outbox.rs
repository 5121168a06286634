//! The core both live chats share (a room's, [`super::live_room`], and a
//! direct conversation's, [`super::live_dm`]): the [`Thread`] of messages
//! shown, and the [`Outbox`] of messages typed, with the state of the link
//! it waits on.
//!
//! A thread keeps its messages in number order, each once, and the
//! highest number received, after which a reconnection resumes.
//!
//!
//! A typed message is queued with a fresh client id and kept until the
//! server acknowledges that id. It goes out at once when the chat is
//! caught up on the current connection, else after the next catch-up;
//! after every (re)connection the whole outbox is sent again, in the order
//! typed, with the same client ids (the server stores each id once, so a
//! resend never makes a second message). A refused message stays, marked
//! with the reason, until the next message is typed; one refused for being
//! too fast (or for the server's own failure) stays for the next try.
//!
//! The outbox is kept in the browser's storage under a key the chat gives
//! (per person and chat: on a shared phone a message typed by one person
//! never goes out as the next one's), so a message typed offline survives
//! a reload or a closed tab. The stored format, a JSON array of
//! [`Pending`], is the one earlier versions wrote.
//!
//! Not generic: the chat gives the frame that sends a message as a boxed
//! function, so this code is in the WebAssembly module once.

use crate::realtime::{ClientMsg, ErrorCode, WireMessage};
use leptos::prelude::*;

/// The messages a live chat shows. Copy: signals only.
#[derive(Clone, Copy)]
pub struct Thread {
    /// Messages in number order.
    pub messages: RwSignal<Vec<WireMessage>>,
    /// The highest number received; a rejoin resumes after it (paging
    /// back does not move it).
    pub last_seq: StoredValue<u64>,
}

impl Thread {
    /// The thread of a page rendered with `messages`, the newest, when the
    /// chat's newest number was `head`.
    pub fn new(messages: Vec<WireMessage>, head: u64) -> Self {
        let last = messages.last().map(|m| m.seq).unwrap_or(0).max(head);
        Thread {
            messages: RwSignal::new(messages),
            last_seq: StoredValue::new(last),
        }
    }

    /// Adds a message in number order, once (a repeat replaces it: it may
    /// have been removed since); true if it is new.
    pub fn add(&self, message: WireMessage) -> bool {
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

    /// The numbers of the messages shown, in order (for tests).
    #[cfg(test)]
    pub fn seqs(&self) -> Vec<u64> {
        self.messages
            .with_untracked(|m| m.iter().map(|m| m.seq).collect())
    }
}

/// A message typed here and not yet acknowledged by the server.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Pending {
    pub client_id: String,
    pub text: String,
    /// Why the server refused it (it is then dropped on the next send).
    pub error: Option<String>,
}

/// The state of the link to the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Link {
    /// Opening the socket or joining.
    Connecting,
    /// Joined and caught up: messages arrive live.
    Live,
    /// No connection; typed messages wait in the outbox.
    Offline,
    /// The server refused the chat (closed, or not ours): history only.
    Refused,
}

impl Link {
    pub fn label(self) -> &'static str {
        match self {
            Link::Connecting => "Connecting…",
            Link::Live => "Live",
            Link::Offline => "Offline — messages you send wait and go out when you are back",
            Link::Refused => "Not live",
        }
    }
}

/// The frame that sends one message (client id, text) to the chat.
type SendFrame = Box<dyn Fn(String, String) -> ClientMsg + Send + Sync>;

/// One chat's outbox and link state. Copy: every field is a signal or a
/// stored value.
#[derive(Clone, Copy)]
pub struct Outbox {
    /// Messages not yet acknowledged, in the order typed.
    pub pending: RwSignal<Vec<Pending>>,
    pub link: RwSignal<Link>,
    /// The last refusal or notice from the server, for the status line.
    pub notice: RwSignal<Option<String>>,
    /// Caught up on the current connection: sends go out at once.
    pub caught_up: StoredValue<bool>,
    frame: StoredValue<SendFrame>,
}

impl Outbox {
    /// An empty outbox whose messages go out as `frame(client_id, text)`.
    pub fn new(frame: impl Fn(String, String) -> ClientMsg + Send + Sync + 'static) -> Self {
        Outbox {
            pending: RwSignal::new(Vec::new()),
            link: RwSignal::new(Link::Connecting),
            notice: RwSignal::new(None),
            caught_up: StoredValue::new(false),
            frame: StoredValue::new(Box::new(frame)),
        }
    }

    /// Keeps the outbox in the browser's storage under `key`: what a
    /// closed or reloaded page left unsent is put back (it goes out after
    /// the next catch-up, with its client ids, so nothing is stored twice),
    /// and every change is written. Runs after hydration only, so the
    /// server-rendered page and the hydrated one agree.
    pub fn keep(&self, key: String) {
        let pending = self.pending;
        Effect::new(move |restored: Option<()>| {
            if restored.is_none() {
                let saved = stored(&key);
                if !saved.is_empty() {
                    pending.update(|o| {
                        for p in saved {
                            if !o.iter().any(|q| q.client_id == p.client_id) {
                                o.push(p);
                            }
                        }
                    });
                }
            }
            pending.with(|o| store(&key, o));
        });
    }

    /// The socket opened: nothing goes out until the chat is caught up.
    pub fn opened(&self) {
        self.caught_up.set_value(false);
        self.link.set(Link::Connecting);
    }

    /// The socket closed (a refused chat stays refused).
    pub fn closed(&self) {
        self.caught_up.set_value(false);
        if self.link.get_untracked() != Link::Refused {
            self.link.set(Link::Offline);
        }
    }

    /// The server replayed what was missed: the chat is live; returns the
    /// waiting messages to send.
    pub fn caught_up(&self) -> Vec<ClientMsg> {
        self.caught_up.set_value(true);
        self.link.set(Link::Live);
        self.notice.set(None);
        self.sends()
    }

    /// What to send for each waiting message (the refused ones stay back).
    pub fn sends(&self) -> Vec<ClientMsg> {
        self.pending.with_untracked(|o| {
            self.frame.with_value(|frame| {
                o.iter()
                    .filter(|p| p.error.is_none())
                    .map(|p| frame(p.client_id.clone(), p.text.clone()))
                    .collect()
            })
        })
    }

    /// Puts a typed message in the outbox (the refused ones give way);
    /// returns what to send now (nothing while not caught up: it goes out
    /// after the next catch-up).
    pub fn queue(&self, client_id: String, text: String) -> Vec<ClientMsg> {
        self.pending.update(|o| {
            o.retain(|p| p.error.is_none());
            o.push(Pending {
                client_id: client_id.clone(),
                text: text.clone(),
                error: None,
            });
        });
        if self.caught_up.get_value() {
            vec![self.frame.with_value(|frame| frame(client_id, text))]
        } else {
            vec![]
        }
    }

    /// The server stored the message `client_id`.
    pub fn acked(&self, client_id: &str) {
        self.pending
            .update(|o| o.retain(|p| p.client_id != client_id));
    }

    /// The server refused something: the message `client_id` if given
    /// (kept for later if the refusal is a passing one), else the chat
    /// itself when `ends_chat` (then history only). The message is shown.
    pub fn refused(
        &self,
        client_id: Option<String>,
        code: ErrorCode,
        message: String,
        ends_chat: bool,
    ) {
        match client_id {
            // Try again later: it stays in the outbox.
            Some(_) if matches!(code, ErrorCode::RateLimited | ErrorCode::Internal) => {}
            Some(id) => self.pending.update(|o| {
                if let Some(p) = o.iter_mut().find(|p| p.client_id == id) {
                    p.error = Some(message.clone());
                }
            }),
            None if ends_chat => self.link.set(Link::Refused),
            None => {}
        }
        self.notice.set(Some(message));
    }
}

#[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
fn stored(key: &str) -> Vec<Pending> {
    #[cfg(feature = "hydrate")]
    {
        window()
            .local_storage()
            .ok()
            .flatten()
            .and_then(|s| s.get_item(key).ok().flatten())
            .and_then(|json| super::resource::read_json(&json).ok())
            .unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    Vec::new()
}

#[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
fn store(key: &str, outbox: &[Pending]) {
    #[cfg(feature = "hydrate")]
    if let Some(s) = window().local_storage().ok().flatten() {
        let _ = match serde_json::to_string(outbox) {
            Ok(_) if outbox.is_empty() => s.remove_item(key),
            Ok(json) => s.set_item(key, &json),
            Err(_) => Ok(()),
        };
    }
}

/// A fresh client id for a message: 20 random base-36 characters.
pub fn new_client_id() -> String {
    #[cfg(feature = "hydrate")]
    {
        let mut id = String::with_capacity(20);
        while id.len() < 20 {
            let n = (js_sys::Math::random() * 36.0) as u32;
            id.push(char::from_digit(n.min(35), 36).unwrap_or('0'));
        }
        id
    }
    #[cfg(not(feature = "hydrate"))]
    {
        String::from("server-rendered-id")
    }
}

/// A message numbered `seq` saying `text`, for the live clients' tests.
#[cfg(test)]
pub fn sample(seq: u64, text: &str) -> WireMessage {
    WireMessage {
        seq,
        author_id: Some("a".into()),
        author_name: "Ada".into(),
        text: text.into(),
        deleted: false,
        at: "2026-05-14T13:00:00.000Z".into(),
    }
}

/// The server's greeting, for the live clients' tests.
#[cfg(test)]
pub fn welcome() -> crate::realtime::ServerMsg {
    crate::realtime::ServerMsg::Welcome {
        version: 1,
        user_id: "me".into(),
        limits: crate::realtime::SocketLimits::sample(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thread_keeps_messages_in_order_once_and_resumes_after_the_highest() {
        let owner = Owner::new();
        owner.with(|| {
            let t = Thread::new(vec![sample(3, "c")], 4);
            assert_eq!(t.last_seq.get_value(), 4, "the page's head counts");
            assert!(t.add(sample(6, "f")));
            assert!(t.add(sample(5, "e")));
            assert!(!t.add(sample(6, "f")));
            assert!(t.add(sample(1, "a")));
            assert_eq!(t.seqs(), [1, 3, 5, 6]);
            assert_eq!(t.last_seq.get_value(), 6);
        });
    }

    fn outbox() -> Outbox {
        Outbox::new(|client_id, text| ClientMsg::Send {
            room: "r".into(),
            client_id,
            text,
        })
    }

    fn send(id: &str, text: &str) -> ClientMsg {
        ClientMsg::Send {
            room: "r".into(),
            client_id: id.into(),
            text: text.into(),
        }
    }

    #[test]
    fn messages_wait_until_caught_up_then_go_out_in_order_and_at_once_after() {
        let owner = Owner::new();
        owner.with(|| {
            let o = outbox();
            assert!(o.queue("id-1".into(), "one".into()).is_empty());
            assert!(o.queue("id-2".into(), "two".into()).is_empty());
            assert_eq!(
                o.caught_up(),
                vec![send("id-1", "one"), send("id-2", "two")]
            );
            assert_eq!(o.link.get_untracked(), Link::Live);
            assert_eq!(
                o.queue("id-3".into(), "three".into()),
                vec![send("id-3", "three")]
            );
        });
    }

    #[test]
    fn a_reconnection_resends_what_is_unacknowledged_with_the_same_ids() {
        let owner = Owner::new();
        owner.with(|| {
            let o = outbox();
            o.caught_up();
            o.queue("id-1".into(), "one".into());
            o.queue("id-2".into(), "two".into());
            o.acked("id-1");
            o.closed();
            assert_eq!(o.link.get_untracked(), Link::Offline);
            assert!(
                o.queue("id-3".into(), "three".into()).is_empty(),
                "offline: it waits"
            );
            o.opened();
            assert_eq!(
                o.caught_up(),
                vec![send("id-2", "two"), send("id-3", "three")]
            );
        });
    }

    #[test]
    fn a_refused_message_is_marked_and_dropped_by_the_next_while_a_rate_limited_one_stays() {
        let owner = Owner::new();
        owner.with(|| {
            let o = outbox();
            o.queue("id-1".into(), "x".into());
            o.queue("id-2".into(), "y".into());
            o.refused(
                Some("id-1".into()),
                ErrorCode::MessageTooLong,
                "too long".into(),
                true,
            );
            o.refused(
                Some("id-2".into()),
                ErrorCode::RateLimited,
                "slow down".into(),
                true,
            );
            let pending = o.pending.get_untracked();
            assert_eq!(pending[0].error.as_deref(), Some("too long"));
            assert!(pending[1].error.is_none());
            assert_eq!(
                o.link.get_untracked(),
                Link::Connecting,
                "a message's refusal is not the chat's"
            );
            assert_eq!(o.notice.get_untracked().as_deref(), Some("slow down"));
            assert_eq!(o.sends(), vec![send("id-2", "y")]);
            o.queue("id-3".into(), "z".into());
            let ids: Vec<String> = o
                .pending
                .get_untracked()
                .into_iter()
                .map(|p| p.client_id)
                .collect();
            assert_eq!(ids, ["id-2", "id-3"]);
        });
    }

    #[test]
    fn a_refused_chat_stays_refused_when_the_socket_closes() {
        let owner = Owner::new();
        owner.with(|| {
            let o = outbox();
            o.refused(None, ErrorCode::RoomClosed, "closed".into(), false);
            assert_eq!(o.link.get_untracked(), Link::Connecting);
            o.refused(None, ErrorCode::RoomClosed, "closed".into(), true);
            o.closed();
            assert_eq!(o.link.get_untracked(), Link::Refused);
        });
    }

    /// Outboxes already in people's browsers must still load.
    #[test]
    fn the_stored_format_is_the_one_earlier_versions_wrote() {
        let saved = r#"[{"client_id":"abc","text":"hi","error":null}]"#;
        let read: Vec<Pending> = crate::components::resource::read_json(saved).unwrap();
        assert_eq!(
            read,
            [Pending {
                client_id: "abc".into(),
                text: "hi".into(),
                error: None
            }]
        );
        assert_eq!(serde_json::to_string(&read).unwrap(), saved);
    }
}
