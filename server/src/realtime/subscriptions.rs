//! What one socket is subscribed to, as the connection keeps it: the rooms
//! it has joined and the conversations it has open, each with the last
//! sequence number delivered (live frames at or below it were replayed
//! already and are dropped). A module of its own, below the connection and
//! the handlers that extend it, so that both can name these types without
//! the connection naming a module that builds on it.

use super::RoomChannel;
use app::domain::{EventId, RoomId};
use std::sync::Arc;

/// A room joined on this socket.
pub(super) struct Joined {
    pub(super) channel: Arc<RoomChannel>,
    /// The room's event: removal from it ends the subscription.
    pub(super) event: EventId,
    /// The highest sequence number sent to the client; live messages at or
    /// below it were replayed already and are dropped.
    pub(super) delivered: u64,
}

/// The rooms joined on this socket, by id. A short vector, not a map: a
/// socket is in one room or a few (at most [`super::handlers::MAX_ROOMS`]), and a map's
/// smallest table has four slots, ~170 bytes more in every idle socket.
#[derive(Default)]
pub(super) struct JoinedRooms(Vec<(RoomId, Joined)>);

impl JoinedRooms {
    pub(super) fn get_mut(&mut self, room: &RoomId) -> Option<&mut Joined> {
        self.0.iter_mut().find(|(id, _)| id == room).map(|(_, j)| j)
    }

    pub(super) fn contains_key(&self, room: &RoomId) -> bool {
        self.0.iter().any(|(id, _)| id == room)
    }

    pub(super) fn len(&self) -> usize {
        self.0.len()
    }

    /// Adds the room, or replaces it when joined again. The first room
    /// reserves one slot only (a vector would reserve four).
    pub(super) fn insert(&mut self, room: RoomId, joined: Joined) {
        if let Some(j) = self.get_mut(&room) {
            *j = joined;
            return;
        }
        if self.0.capacity() == 0 {
            self.0.reserve_exact(1);
        }
        self.0.push((room, joined));
    }

    pub(super) fn remove(&mut self, room: &RoomId) -> Option<Joined> {
        let at = self.0.iter().position(|(id, _)| id == room)?;
        Some(self.0.swap_remove(at).1)
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = (&RoomId, &Joined)> {
        self.0.iter().map(|(id, j)| (id, j))
    }

    pub(super) fn keys(&self) -> impl Iterator<Item = &RoomId> {
        self.0.iter().map(|(id, _)| id)
    }
}

/// A conversation opened on this socket (kept in `Connection::dms`, a
/// short vector: `super::direct::MAX_OPEN` at most).
pub(super) struct OpenDm {
    pub(super) id: app::domain::ConversationId,
    /// The other person's id as the client named it (echoed in frames).
    pub(super) with: String,
    /// The highest number sent to the client; live frames at or below it
    /// were replayed already and are dropped.
    pub(super) delivered: u64,
}
