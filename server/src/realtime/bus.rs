//! What reaches people outside rooms: personal notifications, changes of
//! an event's dashboard, and (between instances) matching updates.
//!
//! Each person with an open socket on this instance has a small broadcast
//! channel ([`Personal::user`]) that all their sockets listen to; each
//! event whose dashboard someone watches has one too
//! ([`Personal::dashboard`]). Both are created on first use and dropped
//! with their last listener, like room channels.
//!
//! A [`BusMsg`] says what to deliver. With SQLite (one instance) the hub
//! delivers it at once; with PostgreSQL it is published on
//! [`crate::db::live::LIVE_CHANNEL`] and every instance, this one
//! included, delivers it to its own sockets when it hears it, so a person
//! connected to another instance is reached too.

use super::{Frame, Order};
use app::{
    domain::{EventId, UserId},
    ports::Store,
    realtime::{Notice, ServerMsg},
};
use serde::{Deserialize, Serialize};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};
use tokio::sync::broadcast;

/// Frames a personal or dashboard channel keeps for a slow socket. These
/// are rare, so a socket further behind just misses the oldest; and every
/// connected person has a channel, so its slots are kept few (idle sockets
/// must stay cheap).
const CAPACITY: usize = 8;

/// One thing to deliver, on this instance or (as JSON) on all of them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum BusMsg {
    /// A notification for these people.
    Notify {
        users: Vec<uuid::Uuid>,
        notice: Notice,
    },
    /// A notification for every member of an event (each instance looks
    /// up who of its connected people that is).
    Members { event: uuid::Uuid, notice: Notice },
    /// An event's dashboard numbers changed.
    Dashboard { event: uuid::Uuid, slug: String },
    /// What matching knows about a user changed on instance `from`.
    Member { user: uuid::Uuid, from: uuid::Uuid },
    /// A session of `user` ended (`None`: all of them): close its sockets.
    SessionEnded {
        user: uuid::Uuid,
        session: Option<String>,
    },
    /// `user` was removed from `event`: their sockets leave its rooms.
    MemberRemoved { user: uuid::Uuid, event: uuid::Uuid },
    /// Direct message `seq` of `conversation` is committed: each instance
    /// reads it from the database once and sends it to the sockets of
    /// both `users` it holds.
    Direct {
        conversation: uuid::Uuid,
        seq: u64,
        users: [uuid::Uuid; 2],
    },
    /// `user` read `conversation` up to `seq`; `unread` is left.
    DirectRead {
        user: uuid::Uuid,
        conversation: uuid::Uuid,
        seq: u64,
        unread: u64,
    },
}

/// The personal and dashboard channels of this instance.
#[derive(Default)]
pub struct Personal {
    users: Mutex<HashMap<UserId, broadcast::Sender<Frame>>>,
    dashboards: Mutex<HashMap<EventId, broadcast::Sender<Frame>>>,
}

fn subscribe<K: std::hash::Hash + Eq + Copy>(
    map: &Mutex<HashMap<K, broadcast::Sender<Frame>>>,
    key: K,
) -> broadcast::Receiver<Frame> {
    map.lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry(key)
        .or_insert_with(|| broadcast::channel(CAPACITY).0)
        .subscribe()
}

fn release<K: std::hash::Hash + Eq>(map: &Mutex<HashMap<K, broadcast::Sender<Frame>>>, key: K) {
    let mut map = map.lock().unwrap_or_else(|e| e.into_inner());
    if map.get(&key).is_some_and(|tx| tx.receiver_count() == 0) {
        map.remove(&key);
    }
}

fn send<K: std::hash::Hash + Eq>(
    map: &Mutex<HashMap<K, broadcast::Sender<Frame>>>,
    key: &K,
    frame: &Frame,
) {
    if let Some(tx) = map.lock().unwrap_or_else(|e| e.into_inner()).get(key) {
        let _ = tx.send(frame.clone());
    }
}

impl Personal {
    /// A receiver for everything personal to `user` (one per socket).
    pub fn user(&self, user: UserId) -> broadcast::Receiver<Frame> {
        subscribe(&self.users, user)
    }

    /// Call after dropping a receiver from [`Personal::user`].
    pub fn release_user(&self, user: UserId) {
        release(&self.users, user)
    }

    /// A receiver for the changes of `event`'s dashboard.
    pub fn dashboard(&self, event: EventId) -> broadcast::Receiver<Frame> {
        subscribe(&self.dashboards, event)
    }

    /// Call after dropping a receiver from [`Personal::dashboard`].
    pub fn release_dashboard(&self, event: EventId) {
        release(&self.dashboards, event)
    }

    /// Orders every socket of this instance to ping its client (the hub's
    /// ping clock, see [`super::Hub::start_ping_clock`]).
    pub fn ping_all(&self) {
        self.tell_all(Order::Ping);
    }

    /// Gives every socket of this instance the same order (each has its
    /// person's channel from its start).
    pub fn tell_all(&self, what: Order) {
        let frame = order(what);
        for tx in self
            .users
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .values()
        {
            let _ = tx.send(frame.clone());
        }
    }

    /// Gives the sockets of `user` on this instance an order.
    pub fn tell(&self, user: UserId, what: Order) {
        send(&self.users, &user, &order(what));
    }

    /// Whether `user` has a socket on this instance.
    fn is_connected(&self, user: &UserId) -> bool {
        self.users
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains_key(user)
    }

    /// Who has a socket on this instance.
    fn connected(&self) -> Vec<UserId> {
        self.users
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .keys()
            .copied()
            .collect()
    }

    /// Delivers `msg` to the sockets of this instance. Matching updates
    /// are not for sockets; the caller handles them.
    pub async fn deliver(&self, store: &Arc<dyn Store>, msg: BusMsg) {
        match msg {
            BusMsg::Notify { users, notice } => {
                let frame = Frame::new(None, None, &ServerMsg::Notification(notice));
                for user in users {
                    send(&self.users, &UserId(user), &frame);
                }
            }
            BusMsg::Members { event, notice } => {
                let here = self.connected();
                if here.is_empty() {
                    return;
                }
                let members = match store.list_members(EventId(event)).await {
                    Ok(m) => m,
                    Err(e) => {
                        tracing::warn!(error = %e, "could not read who to notify");
                        return;
                    }
                };
                let members: std::collections::HashSet<UserId> =
                    members.into_iter().map(|m| m.user_id).collect();
                let frame = Frame::new(None, None, &ServerMsg::Notification(notice));
                for user in here.iter().filter(|u| members.contains(u)) {
                    send(&self.users, user, &frame);
                }
            }
            BusMsg::Dashboard { event, slug } => {
                let frame = Frame::new(None, None, &ServerMsg::DashboardChanged { event: slug });
                send(&self.dashboards, &EventId(event), &frame);
            }
            BusMsg::SessionEnded { user, session } => {
                let ended = Order::EndSession(session.unwrap_or_default().into());
                send(&self.users, &UserId(user), &order(ended));
            }
            BusMsg::MemberRemoved { user, event } => {
                let leave = Order::LeaveEvent(EventId(event));
                send(&self.users, &UserId(user), &order(leave));
            }
            BusMsg::Direct {
                conversation,
                seq,
                users,
            } => {
                let users = users.map(UserId);
                if !users.iter().any(|u| self.is_connected(u)) {
                    return;
                }
                let Some(frame) = super::frame::frame_of(store, conversation, seq).await else {
                    return;
                };
                for user in &users {
                    send(&self.users, user, &frame);
                }
            }
            BusMsg::DirectRead {
                user,
                conversation,
                seq,
                unread,
            } => {
                let msg = ServerMsg::DmRead {
                    conversation: conversation.to_string(),
                    seq,
                    unread,
                };
                send(&self.users, &UserId(user), &Frame::new(None, None, &msg));
            }
            BusMsg::Member { .. } => {}
        }
    }
}

/// A frame that carries only an order (its text is never sent).
fn order(order: Order) -> Frame {
    let mut frame = Frame::new(None, None, &ServerMsg::Pong);
    frame.order = Some(order);
    frame
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::realtime::NotificationKind;

    #[test]
    fn bus_messages_round_trip_as_small_json() {
        let msg = BusMsg::Notify {
            users: vec![uuid::Uuid::nil()],
            notice: Notice {
                kind: NotificationKind::Connection,
                text: "Ben connected with you.".into(),
                link: Some("/connections".into()),
                event: Some("demo".into()),
            },
        };
        let json = serde_json::to_string(&msg).unwrap();
        assert!(json.len() < 300, "{json}");
        assert_eq!(serde_json::from_str::<BusMsg>(&json).unwrap(), msg);
    }

    #[test]
    fn channels_are_dropped_with_their_last_listener() {
        let p = Personal::default();
        let me = UserId(uuid::Uuid::new_v4());
        let a = p.user(me);
        let b = p.user(me);
        drop(a);
        p.release_user(me);
        assert_eq!(p.connected(), vec![me], "one socket still listens");
        drop(b);
        p.release_user(me);
        assert!(p.connected().is_empty());
    }
}
