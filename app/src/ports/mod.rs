//! Ports: what the server functions need from the process around them.
//!
//! [`Store`] is the one persistence port, object-safe so the server can pick
//! SQLite or PostgreSQL at start-up and hand out an `Arc<dyn Store>`. Its
//! methods speak the domain (create an event, add a member), never SQL; the
//! two implementations live in `server/src/db/`. Each capability's store
//! trait and the records it needs sit in a file of their own, named like
//! the file that implements it (`ports/rooms.rs`, `server/src/db/rooms.rs`);
//! [`LiveRooms`] (the realtime hub), [`Postman`] (mail) and [`Pusher`] (Web
//! Push) are the other ports. Everything is re-exported here, so `crate::ports::Room` names it.
//! What a request handler can reach, these ports included, is
//! [`AppState`](crate::state::AppState).

mod accounts;
mod announcements;
mod attendance;
mod badges;
mod claims;
mod connections;
mod error;
mod events;
mod follow_up;
mod imports;
mod integrations;
mod invitations;
mod live;
mod mail;
mod matching;
mod meetings;
mod membership;
mod messages;
mod profiles;
mod push;
mod rooms;
mod schedule;
mod sessions;
mod stats;

pub use accounts::*;
pub use announcements::*;
pub use attendance::*;
pub use badges::*;
pub use claims::*;
pub use connections::*;
pub use error::*;
pub use events::*;
pub use follow_up::*;
pub use imports::*;
pub use integrations::*;
pub use invitations::*;
pub use live::*;
pub use mail::*;
pub use matching::*;
pub use meetings::*;
pub use membership::*;
pub use messages::*;
pub use profiles::*;
pub use push::*;
pub use rooms::*;
pub use schedule::*;
pub use sessions::*;
pub use stats::*;

use async_trait::async_trait;

/// The persistence port: every capability's store, plus a health check.
/// One trait object (`Arc<dyn Store>`) reaches them all; each capability's
/// methods sit in a trait of their own so each side keeps one file per
/// capability. Every method is one domain operation and is atomic: it stores
/// all it should or nothing.
#[async_trait]
pub trait Store:
    AccountStore
    + SessionRecordStore
    + EventStore
    + MembershipStore
    + ProfileStore
    + BadgeStore
    + ConnectionStore
    + MatchStore
    + MeetingStore
    + StatsStore
    + AnnouncementStore
    + ClaimStore
    + InvitationStore
    + ImportStore
    + RoomStore
    + IntegrationStore
    + AttendanceStore
    + FollowUpStore
    + ScheduleStore
    + PushStore
    + MessageStore
    + Send
    + Sync
    + 'static
{
    /// Checks that the database answers (for `/healthz`).
    async fn ping(&self) -> StoreResult<()>;
}
