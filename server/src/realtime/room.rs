//! One live room on this instance ([`RoomChannel`]): its broadcast
//! channel, who is present here and on other instances, and the fan-out
//! task that broadcasts committed messages in sequence order
//! ([`fan_out`]). The hub (`super`) keeps the map of them.

use super::frame::Frame;
use crate::shutdown::Shutdown;
use app::{
    api::rooms::wire as wire_message,
    domain::{RoomId, UserId},
    ports::Store,
    realtime::{PresenceMember, ServerMsg},
};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};
use tokio::sync::{broadcast, watch};

/// How many messages the fan-out task reads from the database at once.
const FAN_OUT_BATCH: u32 = 256;

/// The shortest time between two fan-out rounds of one room (see
/// [`fan_out`]): short enough that a message rarely waits for it, long
/// enough that a busy room's sockets write several messages per wake.
/// 10 ms measured best-or-equal of 0, 5, 10 and 20 ms at ~100,000 and
/// ~400,000 deliveries a second (docs/benchmarks.md).
const FAN_OUT_PACE: Duration = Duration::from_millis(10);

/// Someone present in a room on this instance, with how many of their
/// sockets are in it.
#[derive(Clone, Debug)]
struct Present {
    name: String,
    sockets: usize,
}

/// A live room on this instance.
pub struct RoomChannel {
    pub room: RoomId,
    /// Frames for every subscribed socket.
    pub tx: broadcast::Sender<Frame>,
    /// The highest sequence number known to be committed; the fan-out task
    /// catches up to it.
    pub(super) announced: watch::Sender<u64>,
    /// Who is in the room on this instance.
    presence: Mutex<HashMap<UserId, Present>>,
    /// Who is in the room on other instances (PostgreSQL scale-out), by name;
    /// refreshed every few seconds by [`super::pg`]. Locked after `presence`.
    remote: Mutex<HashMap<UserId, String>>,
}

impl RoomChannel {
    /// Who is in the room on any instance, by name (ties by id), as
    /// protocol members.
    pub fn members(&self) -> Vec<(UserId, PresenceMember)> {
        let presence = self.presence.lock().unwrap_or_else(|e| e.into_inner());
        let remote = self.remote.lock().unwrap_or_else(|e| e.into_inner());
        let mut all: HashMap<UserId, String> = remote.clone();
        all.extend(presence.iter().map(|(id, p)| (*id, p.name.clone())));
        let mut members: Vec<(UserId, PresenceMember)> = all
            .into_iter()
            .map(|(id, name)| {
                (
                    id,
                    PresenceMember {
                        user_id: id.to_string(),
                        name,
                    },
                )
            })
            .collect();
        members.sort_by(|a, b| (&a.1.name, a.0 .0).cmp(&(&b.1.name, b.0 .0)));
        members
    }

    /// Counts one more socket of `user` in the room; tells the others when
    /// it is the first.
    pub fn arrive(&self, user: UserId, name: &str) {
        let first = {
            let mut presence = self.presence.lock().unwrap_or_else(|e| e.into_inner());
            let entry = presence.entry(user).or_insert_with(|| Present {
                name: name.to_owned(),
                sockets: 0,
            });
            entry.sockets += 1;
            // Already shown as present from another instance?
            let elsewhere = self
                .remote
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .contains_key(&user);
            entry.sockets == 1 && !elsewhere
        };
        if first {
            let msg = ServerMsg::PresenceJoined {
                room: self.room.to_string(),
                member: PresenceMember {
                    user_id: user.to_string(),
                    name: name.to_owned(),
                },
            };
            let _ = self
                .tx
                .send(Frame::new(None, Some(user), &msg).not_to_self());
        }
    }

    /// Counts one socket of `user` fewer; tells the others when it was the last.
    pub fn depart(&self, user: UserId) {
        let last = {
            let mut presence = self.presence.lock().unwrap_or_else(|e| e.into_inner());
            match presence.get_mut(&user) {
                Some(p) if p.sockets > 1 => {
                    p.sockets -= 1;
                    false
                }
                Some(_) => {
                    presence.remove(&user);
                    !self
                        .remote
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .contains_key(&user)
                }
                None => false,
            }
        };
        if last {
            let msg = ServerMsg::PresenceLeft {
                room: self.room.to_string(),
                user_id: user.to_string(),
            };
            let _ = self
                .tx
                .send(Frame::new(None, Some(user), &msg).not_to_self());
        }
    }
}

impl RoomChannel {
    /// A channel for `room` with nobody present yet; `announced` is the
    /// sending half of what its fan-out task watches.
    pub(super) fn new(
        room: RoomId,
        tx: broadcast::Sender<Frame>,
        announced: watch::Sender<u64>,
    ) -> Self {
        RoomChannel {
            room,
            tx,
            announced,
            presence: Mutex::new(HashMap::new()),
            remote: Mutex::new(HashMap::new()),
        }
    }

    /// Who is here on this instance: (user, name).
    pub fn local_members(&self) -> Vec<(UserId, String)> {
        self.presence
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .map(|(id, p)| (*id, p.name.clone()))
            .collect()
    }

    /// Replaces who is here on other instances, telling subscribers who
    /// came and went (people also here on this instance did neither).
    pub fn set_remote(&self, now: HashMap<UserId, String>) {
        let mut news = vec![];
        {
            let presence = self.presence.lock().unwrap_or_else(|e| e.into_inner());
            let mut remote = self.remote.lock().unwrap_or_else(|e| e.into_inner());
            for (user, name) in &now {
                if !remote.contains_key(user) && !presence.contains_key(user) {
                    news.push(ServerMsg::PresenceJoined {
                        room: self.room.to_string(),
                        member: PresenceMember {
                            user_id: user.to_string(),
                            name: name.clone(),
                        },
                    });
                }
            }
            for user in remote.keys() {
                if !now.contains_key(user) && !presence.contains_key(user) {
                    news.push(ServerMsg::PresenceLeft {
                        room: self.room.to_string(),
                        user_id: user.to_string(),
                    });
                }
            }
            *remote = now;
        }
        for msg in news {
            let about = match &msg {
                ServerMsg::PresenceJoined { member, .. } => member.user_id.parse().ok(),
                ServerMsg::PresenceLeft { user_id, .. } => user_id.parse().ok(),
                _ => None,
            };
            let _ = self
                .tx
                .send(Frame::new(None, about.map(UserId), &msg).not_to_self());
        }
    }
}

/// Broadcasts a room's committed messages in sequence order: whenever a
/// higher sequence number is announced, reads everything after the last
/// one sent from the database. Ends when the channel is gone, or at the
/// shutdown (its sockets are closing; they resume from the database).
pub(super) async fn fan_out(
    store: Arc<dyn Store>,
    channel: std::sync::Weak<RoomChannel>,
    mut sent: u64,
    mut announced: watch::Receiver<u64>,
    shutdown: Shutdown,
) {
    let mut last_round = tokio::time::Instant::now() - FAN_OUT_PACE;
    loop {
        tokio::select! {
            changed = announced.changed() => if changed.is_err() { return },
            () = shutdown.cancelled() => return,
        }
        // A busy room is fanned out at most once per pace: what was
        // committed meanwhile goes out together, so each socket wakes and
        // writes once for several messages. A quiet room is not delayed.
        tokio::time::sleep_until(last_round + FAN_OUT_PACE).await;
        last_round = tokio::time::Instant::now();
        loop {
            let target = *announced.borrow_and_update();
            if target <= sent {
                break;
            }
            let Some(ch) = channel.upgrade() else { return };
            match store.messages_after(ch.room, sent, FAN_OUT_BATCH).await {
                Ok(messages) if messages.is_empty() => break,
                Ok(messages) => {
                    for m in messages {
                        sent = m.seq;
                        let msg = ServerMsg::Message {
                            room: ch.room.to_string(),
                            message: wire_message(&m),
                        };
                        let _ = ch.tx.send(Frame::new(Some(m.seq), m.author, &msg));
                    }
                }
                Err(e) => {
                    if shutdown.is_stopping() {
                        return;
                    }
                    tracing::warn!(error = %e, room = %ch.room, "fan-out read failed; retrying");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        }
    }
}
