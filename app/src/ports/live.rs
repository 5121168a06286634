//! The live side of rooms and notifications, as the server functions see
//! it ([`LiveRooms`]); the hub in `server/src/realtime/` implements it.

use crate::domain::{ConversationId, EventId, RoomId, UserId};

/// The live side of rooms, as the server functions see it (the hub in
/// `server/src/realtime/` implements it).
pub trait LiveRooms: Send + Sync + 'static {
    /// How many people are in the room right now.
    fn occupancy(&self, room: RoomId) -> usize;
    /// Tells subscribers that messages up to `seq` are committed (after a
    /// post that did not come through a socket).
    fn announce(&self, room: RoomId, seq: u64);
    /// Tells subscribers that the room changed (a message removed, closed
    /// or reopened); they are sent what changed.
    fn room_changed(&self, room: RoomId, change: crate::realtime::ServerMsg);
    /// Sends a personal notification to every open socket of each of
    /// `users`, on every instance. Fire and forget: never fails the caller.
    fn notify(&self, users: &[UserId], notice: crate::realtime::Notice);
    /// Sends a notification to every member of `event` who is connected.
    fn notify_members(&self, event: EventId, notice: crate::realtime::Notice);
    /// Tells whoever watches `event`'s dashboard (slug `slug`) that its
    /// numbers changed; bursts are coalesced.
    fn dashboard_changed(&self, event: EventId, slug: &str);
    /// Tells the other instances that what matching knows about `user`
    /// changed (this instance has updated its own indexes already).
    fn member_changed(&self, user: UserId);
    /// The people in a live room with `user` right now (on any instance),
    /// not counting `user`.
    fn in_rooms_with(&self, user: UserId) -> std::collections::HashSet<UserId>;
    /// Everyone live in any of `rooms` right now, as this instance knows
    /// it (its own sockets, and other instances' people in the rooms it
    /// has open).
    fn present_in(&self, rooms: &[RoomId]) -> std::collections::HashSet<UserId>;
    /// Closes the sockets opened with session `session` of `user` (signed
    /// out), or all of `user`'s sockets when `None` (account deleted).
    fn session_ended(&self, user: UserId, session: Option<String>);
    /// `user` was removed from `event`: their sockets (on every instance)
    /// leave its rooms at once, told why.
    fn member_removed(&self, event: EventId, user: UserId);
    /// Tells both people's sockets, on every instance, that message `seq`
    /// of `conversation` is committed (after a send). Fire and forget.
    fn direct(&self, _conversation: ConversationId, _seq: u64, _users: [UserId; 2]) {}
    /// Tells `user`'s sockets, on every instance, that they read
    /// `conversation` up to `seq` and have `unread` messages left unread.
    fn direct_read(&self, _user: UserId, _conversation: ConversationId, _seq: u64, _unread: u64) {}
}
