//! Ports: what the server functions need from the process around them.
//!
//! [`Store`] is the one persistence port, object-safe so the server can pick
//! SQLite or PostgreSQL at start-up and hand out an `Arc<dyn Store>`. Its
//! methods speak the domain (create an event, add a member), never SQL; the
//! two implementations live in `server/src/db/`. [`AppState`] is everything a
//! request handler or server function can reach.

use crate::domain::{
    BadgeCode, BadgeToken, ClientNonce, ConnectionMethod, ConnectionNoteText, Email, EventDates,
    EventId, EventName, FunnelStage, Intent, InvitationStatus, JoinCode, JoinPolicy, Labels,
    MeetingStatus, PersonName, ProfileInput, Rating, Role, ScanMode, ScanOutcome, Slug, SpotList,
    Tag, TagSet, Taxonomy, TimeZoneName, UserId, VisibilitySettings, WebhookKind, WebhookUrl,
};
use crate::domain::{
    ClientMessageId, MessageText, RoomDescription, RoomId, RoomKind, RoomPlace, RoomTags, RoomTitle,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// Why a store call failed. Only `Conflict` and `NotFound` are expected
/// outcomes; `Backend` carries the driver's error for the log, never for
/// the client.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule was hit; the text names which (e.g. "email").
    #[error("conflict on {0}")]
    Conflict(&'static str),
    /// The row to change does not exist.
    #[error("not found")]
    NotFound,
    /// The database failed or is unreachable.
    #[error("database error: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// An account as stored, without its password hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub email: Email,
    pub display_name: String,
    pub pronouns: String,
    pub headline: String,
    pub company: String,
    pub job_title: String,
    pub bio: String,
    /// One link per entry, already validated when saved.
    pub links: Vec<String>,
    pub location: String,
    pub languages: String,
    pub ask_me_about: String,
    pub phone: String,
    /// Who may see which field.
    pub visibility: VisibilitySettings,
    pub created_at: DateTime<Utc>,
}

/// What sign-up stores. The hash is a PHC string (Argon2id).
#[derive(Clone, Debug)]
pub struct NewUser {
    pub email: Email,
    pub display_name: PersonName,
    pub password_hash: PasswordHash,
}

/// A PHC-format password hash. `Debug` is redacted: a hash is still a secret.
#[derive(Clone)]
pub struct PasswordHash(pub String);

impl std::fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHash([redacted])")
    }
}

/// What login needs to check a password.
#[derive(Clone, Debug)]
pub struct Credentials {
    pub user_id: UserId,
    pub password_hash: PasswordHash,
}

/// A stored browser session (the tower-sessions record, serialised).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRecord {
    /// The session id from the cookie.
    pub id: String,
    /// The signed-in account, kept in a column so an account's sessions can
    /// be found (and ended) without decoding every record.
    pub user_id: Option<UserId>,
    /// The session data as JSON.
    pub data: String,
    pub expires_at: DateTime<Utc>,
}

/// An event as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub id: EventId,
    pub slug: Slug,
    pub name: String,
    pub description: String,
    pub venue: String,
    pub dates: EventDates,
    pub time_zone: String,
    /// Secret part of the invite link (`/join/<token>`); 128 random bits.
    pub invite_token: String,
    pub join_code: JoinCode,
    /// Whether the join code works, or only invitations.
    pub join_policy: JoinPolicy,
    /// Whether attendees may create rooms (organizers and staff always may).
    pub attendees_create_rooms: bool,
    /// The `approve_scans` a new member starts with.
    pub approve_scans_default: bool,
    pub created_at: DateTime<Utc>,
}

/// Everything the settings page saves at once (one transaction): the
/// event's description, its rules, its tag taxonomy and its meeting spots.
#[derive(Clone, Debug)]
pub struct EventSettings {
    pub name: EventName,
    pub description: String,
    pub venue: String,
    pub dates: EventDates,
    pub time_zone: TimeZoneName,
    pub join_policy: JoinPolicy,
    pub attendees_create_rooms: bool,
    pub approve_scans_default: bool,
    pub taxonomy: Taxonomy,
    /// Whether attendees may show tags outside the taxonomy.
    pub free_tags: bool,
    pub spots: SpotList,
}

/// An organizer's change to someone's membership.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberChange {
    /// Promote or demote.
    SetRole(Role),
    /// Remove from the event (their badge stops working).
    Remove,
    /// Mark or unmark as a sponsor or exhibitor (their leads page).
    SetExhibitor(bool),
}

/// What creating an event stores. Tokens are generated by the caller so the
/// store stays free of policy.
#[derive(Clone, Debug)]
pub struct NewEvent {
    pub slug: Slug,
    pub name: EventName,
    pub description: String,
    pub venue: String,
    pub dates: EventDates,
    pub time_zone: TimeZoneName,
    pub invite_token: String,
    pub join_code: JoinCode,
}

/// One member of an event as the member list shows them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub user_id: UserId,
    pub display_name: String,
    pub headline: String,
    pub company: String,
    pub role: Role,
    /// A sponsor or exhibitor: has a leads page with the event's counts.
    pub exhibitor: bool,
    pub joined_at: DateTime<Utc>,
}

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
    + Send
    + Sync
    + 'static
{
    /// Checks that the database answers (for `/healthz`).
    async fn ping(&self) -> StoreResult<()>;
}

/// Accounts and their global profile.
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Creates an account. `Conflict("email")` if the email is taken.
    async fn create_user(&self, new: NewUser) -> StoreResult<User>;
    async fn user_by_id(&self, id: UserId) -> StoreResult<Option<User>>;
    async fn user_by_email(&self, email: &Email) -> StoreResult<Option<User>>;
    async fn credentials(&self, email: &Email) -> StoreResult<Option<Credentials>>;
    /// Replaces the editable profile fields. `NotFound` if the account is gone.
    async fn update_profile(&self, id: UserId, profile: &ProfileInput) -> StoreResult<User>;
}

/// Browser sessions (the records behind the session cookie).
#[async_trait]
pub trait SessionRecordStore: Send + Sync {
    /// Inserts a new session; `Conflict("session")` if the id exists.
    async fn create_session(&self, record: &SessionRecord) -> StoreResult<()>;
    /// Inserts or replaces a session.
    async fn save_session(&self, record: &SessionRecord) -> StoreResult<()>;
    /// A session that exists and has not expired at `now`.
    async fn load_session(
        &self,
        id: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<SessionRecord>>;
    async fn delete_session(&self, id: &str) -> StoreResult<()>;
    /// Removes sessions expired at `now`; returns how many.
    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> StoreResult<u64>;
}

/// Events and their membership.
#[async_trait]
pub trait EventStore: Send + Sync {
    /// Creates an event with `organizer` as its first member, in one transaction.
    /// `Conflict("slug")`, `Conflict("invite token")` or `Conflict("join code")` on a clash.
    async fn create_event(&self, new: NewEvent, organizer: UserId) -> StoreResult<Event>;
    async fn event_by_id(&self, id: EventId) -> StoreResult<Option<Event>>;
    async fn event_by_slug(&self, slug: &Slug) -> StoreResult<Option<Event>>;
    async fn event_by_invite_token(&self, token: &str) -> StoreResult<Option<Event>>;
    async fn event_by_join_code(&self, code: &JoinCode) -> StoreResult<Option<Event>>;
    /// Adds a member (starting with the event's default for approving
    /// scans). `Conflict("membership")` if already a member,
    /// `NotFound` if the event or account does not exist.
    async fn add_member(&self, event: EventId, user: UserId, role: Role) -> StoreResult<()>;
    /// Removes a member; their badge stops working at once. `NotFound` if
    /// they were not a member.
    async fn remove_member(&self, event: EventId, user: UserId) -> StoreResult<()>;
    /// Changes a member's role or removes them, atomically refusing with
    /// `Conflict("last organizer")` what would leave the event without an
    /// organizer. `NotFound` if `user` is not a member. Removal takes their
    /// badges with the membership, like [`EventStore::remove_member`].
    async fn change_member(
        &self,
        event: EventId,
        user: UserId,
        change: MemberChange,
    ) -> StoreResult<()>;
    /// Saves the settings page in one transaction and returns the event as
    /// stored. `NotFound` if the event does not exist,
    /// `Conflict("meeting spot")` on a clash.
    async fn update_event_settings(
        &self,
        event: EventId,
        settings: &EventSettings,
    ) -> StoreResult<Event>;
    /// The caller's role in the event, or `None` for a non-member.
    async fn member_role(&self, event: EventId, user: UserId) -> StoreResult<Option<Role>>;
    /// Members ordered by role (organizers first, then staff), then name.
    async fn list_members(&self, event: EventId) -> StoreResult<Vec<Member>>;
    /// The events a user belongs to with their role, soonest first.
    async fn events_of_user(&self, user: UserId) -> StoreResult<Vec<(Event, Role)>>;
    /// Replaces the event's suggested tags and whether attendees may show
    /// other tags in it. `NotFound` if the event does not exist.
    async fn set_taxonomy(
        &self,
        event: EventId,
        taxonomy: &Taxonomy,
        free_tags: bool,
    ) -> StoreResult<()>;
    /// The event's suggested tags and its free-tags switch (`true` by default).
    async fn taxonomy(&self, event: EventId) -> StoreResult<(Taxonomy, bool)>;
}

/// A member's own settings in one event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Membership {
    pub role: Role,
    /// "Here to find a co-founder": shown with the profile in this event.
    pub event_line: String,
    /// Hidden from the directory and recommendations in this event.
    pub opted_out: bool,
    /// A scan of my badge asks me first instead of connecting at once.
    pub approve_scans: bool,
    /// When staff checked me in at the entrance.
    pub checked_in_at: Option<DateTime<Utc>>,
    /// A sponsor or exhibitor (set by an organizer): sees the leads page.
    pub exhibitor: bool,
}

/// A stored profile photo.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Photo {
    pub content_type: String,
    pub bytes: Vec<u8>,
    /// Changes with every upload; used for HTTP caching and cache-busting URLs.
    pub etag: String,
}

/// A room message of mine, as my data export lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MyMessage {
    pub event_name: String,
    pub room_title: String,
    pub seq: i64,
    pub text: String,
    pub sent_at: DateTime<Utc>,
    pub removed: bool,
}

/// A directory search. Every condition narrows the result (AND).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DirectoryQuery {
    /// Words matched as prefixes against name and event-visible fields and tags.
    pub words: Vec<String>,
    /// Each tag must be on the profile (with the intent, when given).
    pub tags: Vec<(Tag, Option<Intent>)>,
    pub role: Option<Role>,
    /// Continue after this entry (from [`DirectoryPage::next`]).
    pub after: Option<DirectoryCursor>,
    pub limit: u32,
}

/// Position in the directory's stable order (name, then id).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirectoryCursor {
    pub sort_name: String,
    pub user_id: UserId,
}

/// One person in the directory, with their stored fields and visibility;
/// the caller shows only what the visibility allows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirectoryEntry {
    pub user_id: UserId,
    pub display_name: String,
    pub pronouns: String,
    pub headline: String,
    pub company: String,
    pub job_title: String,
    pub visibility: VisibilitySettings,
    pub role: Role,
    pub event_line: String,
    pub tags: TagSet,
    pub photo_etag: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirectoryPage {
    pub entries: Vec<DirectoryEntry>,
    /// Where the next page starts, if there is one.
    pub next: Option<DirectoryCursor>,
}

/// Profiles beyond the basics: tags, visibility, per-event settings,
/// blocking, connections, photos, the directory, and deleting an account.
#[async_trait]
pub trait ProfileStore: Send + Sync {
    /// Replaces the profile's tags and refreshes its search entry.
    async fn set_tags(&self, user: UserId, tags: &TagSet) -> StoreResult<()>;
    async fn tags_of(&self, user: UserId) -> StoreResult<TagSet>;
    /// Replaces the visibility settings and refreshes the search entry (hidden
    /// fields are not searchable).
    async fn set_visibility(
        &self,
        user: UserId,
        visibility: &VisibilitySettings,
    ) -> StoreResult<()>;
    /// The member's settings in an event, or `None` for a non-member.
    async fn membership(&self, event: EventId, user: UserId) -> StoreResult<Option<Membership>>;
    /// `NotFound` if `user` is not a member.
    async fn set_membership_prefs(
        &self,
        event: EventId,
        user: UserId,
        event_line: &str,
        opted_out: bool,
    ) -> StoreResult<()>;
    /// Idempotent.
    async fn block(&self, blocker: UserId, blocked: UserId) -> StoreResult<()>;
    async fn unblock(&self, blocker: UserId, blocked: UserId) -> StoreResult<()>;
    /// Whether either has blocked the other.
    async fn blocked_either_way(&self, a: UserId, b: UserId) -> StoreResult<bool>;
    /// The people `user` has blocked, with their names.
    async fn blocked_by(&self, user: UserId) -> StoreResult<Vec<(UserId, String)>>;
    /// Connects two people (one row per pair). Returns `true` if new.
    async fn connect(&self, a: UserId, b: UserId, event: Option<EventId>) -> StoreResult<bool>;
    async fn are_connected(&self, a: UserId, b: UserId) -> StoreResult<bool>;
    /// The people `user` is connected with, with their names.
    async fn connections_of(&self, user: UserId) -> StoreResult<Vec<(UserId, String)>>;
    /// Whether the two share at least one event.
    async fn share_an_event(&self, a: UserId, b: UserId) -> StoreResult<bool>;
    /// Members of `event` visible to `viewer`: not opted out, not blocked
    /// either way, not the viewer, in (sort name, id) order.
    async fn search_directory(
        &self,
        event: EventId,
        viewer: UserId,
        query: &DirectoryQuery,
    ) -> StoreResult<DirectoryPage>;
    async fn set_photo(&self, user: UserId, photo: &Photo) -> StoreResult<()>;
    async fn photo(&self, user: UserId) -> StoreResult<Option<Photo>>;
    async fn delete_photo(&self, user: UserId) -> StoreResult<()>;
    /// Every room message `user` wrote, for their data export: (event
    /// name, room title, sequence, text, sent at, removed by a moderator).
    async fn messages_by(&self, user: UserId) -> StoreResult<Vec<MyMessage>>;
    /// Deletes the account and everything that is only its own (profile,
    /// tags, memberships, sessions, photo, blocks, search entry).
    async fn delete_user(&self, user: UserId) -> StoreResult<()>;
}

/// A member's current badge in one event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Badge {
    pub event: EventId,
    pub user: UserId,
    pub token: BadgeToken,
    pub code: BadgeCode,
    pub issued_at: DateTime<Utc>,
}

/// What a token or code names: a badge in use, or one that was replaced
/// (so the scanner can say "replaced" instead of "unknown").
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BadgeLookup {
    Current(Badge),
    Revoked { event: EventId, user: UserId },
}

/// A badge with what is printed on it, for the organizer's badge sheets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadgeHolder {
    pub badge: Badge,
    pub role: Role,
    pub display_name: String,
    pub pronouns: String,
    pub headline: String,
    pub company: String,
    pub tags: TagSet,
    /// The holder's visibility settings: a badge is seen by everyone at the
    /// event, so it prints only what fellow members may see.
    pub visibility: VisibilitySettings,
}

/// A scan attempt to record. `outcome` is what the caller decided from the
/// badge and the two people; the store applies its effect (connect, request,
/// check in) in the same transaction and may settle it as "already".
#[derive(Clone, Debug)]
pub struct NewScan {
    pub id: uuid::Uuid,
    /// `None` when the token named no event at all.
    pub event: Option<EventId>,
    pub scanner: UserId,
    pub target: Option<UserId>,
    pub method: ConnectionMethod,
    pub mode: ScanMode,
    pub outcome: ScanOutcome,
    /// The scanner's id for this scan; a nonce seen before returns the first
    /// record instead of recording again.
    pub nonce: Option<ClientNonce>,
    /// When the device scanned (earlier than now for an offline scan).
    pub scanned_at: DateTime<Utc>,
}

/// A recorded scan attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScanRecord {
    pub id: uuid::Uuid,
    pub event: Option<EventId>,
    pub scanner: Option<UserId>,
    pub target: Option<UserId>,
    pub method: ConnectionMethod,
    pub mode: ScanMode,
    pub outcome: ScanOutcome,
    pub scanned_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    /// For check-in outcomes: when the attendee was (first) checked in.
    pub checked_in_at: Option<DateTime<Utc>>,
}

/// Scan counts of an event for the organizer: (outcome, how many).
pub type ScanCounts = Vec<(ScanOutcome, u64)>;

/// A waiting request to connect with me (I approve scans).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectionRequest {
    pub event: EventId,
    pub event_name: String,
    pub from: UserId,
    pub from_name: String,
    pub from_headline: String,
    pub method: ConnectionMethod,
    pub created_at: DateTime<Utc>,
}

/// My private note, rating and labels about someone.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConnectionNote {
    pub note: ConnectionNoteText,
    pub rating: Option<Rating>,
    pub labels: Labels,
}

/// One of my connections with where and how we met and my note; the
/// caller shows the other's fields as their visibility allows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectionEntry {
    pub other: User,
    /// The event we met at (`None` if it was deleted): (name, slug).
    pub event: Option<(String, Slug)>,
    pub method: ConnectionMethod,
    pub connected_at: DateTime<Utc>,
    pub note: ConnectionNote,
}

/// A note I wrote, kept even when its subject deleted their account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoteRecord {
    pub other: UserId,
    /// The name when the note was last saved.
    pub other_name: String,
    pub note: ConnectionNote,
    pub updated_at: DateTime<Utc>,
}

/// Badges (issue, reissue, look up) and the scans made of them.
#[async_trait]
pub trait BadgeStore: Send + Sync {
    /// The member's badge, or `None` if none was issued yet.
    async fn badge(&self, event: EventId, user: UserId) -> StoreResult<Option<Badge>>;
    /// Issues a badge with these fresh secrets, replacing (revoking) the
    /// current one in the same transaction. `NotFound` for a non-member,
    /// `Conflict("badge token")`/`Conflict("badge code")` on a clash.
    async fn issue_badge(
        &self,
        event: EventId,
        user: UserId,
        token: &BadgeToken,
        code: &BadgeCode,
    ) -> StoreResult<Badge>;
    async fn badge_by_token(&self, token: &BadgeToken) -> StoreResult<Option<BadgeLookup>>;
    async fn badge_by_code(
        &self,
        event: EventId,
        code: &BadgeCode,
    ) -> StoreResult<Option<BadgeLookup>>;
    /// Members of the event that have no badge yet.
    async fn members_without_badge(&self, event: EventId) -> StoreResult<Vec<UserId>>;
    /// Every badge of the event with its holder, by name; only `role` if given.
    async fn badge_holders(
        &self,
        event: EventId,
        role: Option<Role>,
    ) -> StoreResult<Vec<BadgeHolder>>;
    /// Records a scan attempt and applies its effect atomically (see
    /// [`NewScan`]). A nonce already recorded for the scanner returns the
    /// earlier record unchanged.
    async fn record_scan(&self, scan: &NewScan) -> StoreResult<ScanRecord>;
    async fn scan(&self, id: uuid::Uuid) -> StoreResult<Option<ScanRecord>>;
    /// How the event's scan attempts turned out.
    async fn scan_counts(&self, event: EventId) -> StoreResult<ScanCounts>;
    /// `NotFound` for a non-member.
    async fn set_approve_scans(&self, event: EventId, user: UserId, on: bool) -> StoreResult<()>;
}

/// My connections, my notes about them, and requests waiting for me.
#[async_trait]
pub trait ConnectionStore: Send + Sync {
    /// Everyone I am connected with, newest first.
    async fn my_connections(&self, user: UserId) -> StoreResult<Vec<ConnectionEntry>>;
    /// Saves my note about a connection. `NotFound` if we are not connected.
    async fn set_connection_note(
        &self,
        owner: UserId,
        other: UserId,
        note: &ConnectionNote,
    ) -> StoreResult<()>;
    /// Every note I wrote, including about people who left.
    async fn notes_by(&self, owner: UserId) -> StoreResult<Vec<NoteRecord>>;
    /// Pending requests to connect with me, oldest first.
    async fn incoming_requests(&self, user: UserId) -> StoreResult<Vec<ConnectionRequest>>;
    /// Accepts (connects, returns `true` if new) or declines a pending
    /// request. `NotFound` if there is none.
    async fn answer_request(
        &self,
        event: EventId,
        from: UserId,
        to: UserId,
        accept: bool,
    ) -> StoreResult<bool>;
}

/// What the matching engine needs to know about one member of an event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatchMember {
    pub user: UserId,
    pub company: String,
    pub tags: TagSet,
    /// Whether fellow members may see the tags: a match explains itself
    /// with the other's tags, so hidden tags are never matched on.
    pub tags_public: bool,
    pub opted_out: bool,
    pub checked_in: bool,
}

/// Recommendations, "interested" / "not now", and the funnel counts.
#[async_trait]
pub trait MatchStore: Send + Sync {
    /// Every member of the event, for building its matching index.
    async fn match_members(&self, event: EventId) -> StoreResult<Vec<MatchMember>>;
    /// One member, for updating the index; `None` for a non-member.
    async fn match_member(&self, event: EventId, user: UserId) -> StoreResult<Option<MatchMember>>;
    /// Everyone `user` blocked or was blocked by.
    async fn blocked_with(&self, user: UserId) -> StoreResult<Vec<UserId>>;
    /// Idempotent.
    async fn dismiss(&self, event: EventId, user: UserId, other: UserId) -> StoreResult<()>;
    async fn dismissed(&self, event: EventId, user: UserId) -> StoreResult<Vec<UserId>>;
    /// Records that `user` is interested in meeting `other`; when `other`
    /// already was, connects the two (method "mutual") in the same
    /// transaction and returns `true`.
    async fn mark_interested(
        &self,
        event: EventId,
        user: UserId,
        other: UserId,
    ) -> StoreResult<bool>;
    /// The people `user` said they are interested in.
    async fn interested_in(&self, event: EventId, user: UserId) -> StoreResult<Vec<UserId>>;
    /// Counts a funnel stage for `user` with each of `others` (once per pair).
    async fn record_funnel(
        &self,
        event: EventId,
        user: UserId,
        others: &[UserId],
        stage: FunnelStage,
    ) -> StoreResult<()>;
    /// How many pairs reached each stage.
    async fn funnel_counts(&self, event: EventId) -> StoreResult<Vec<(FunnelStage, u64)>>;
}

/// A place the organizer offers for meetings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeetingSpot {
    pub id: uuid::Uuid,
    pub name: String,
}

/// A meeting request or meeting between two members of an event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Meeting {
    pub id: uuid::Uuid,
    pub event: EventId,
    pub requester: UserId,
    pub invitee: UserId,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub spot: Option<uuid::Uuid>,
    /// The spot's name, or the free text given.
    pub place: String,
    pub message: String,
    pub status: MeetingStatus,
    /// Who must answer next while pending.
    pub awaiting: Option<UserId>,
    /// Either said the meeting took place.
    pub held: bool,
    /// Bumped on every change that calendars must pick up (iCalendar SEQUENCE).
    pub revision: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Meeting {
    /// The other party of the meeting, seen from `me`.
    pub fn other(&self, me: UserId) -> UserId {
        if self.requester == me {
            self.invitee
        } else {
            self.requester
        }
    }

    pub fn involves(&self, user: UserId) -> bool {
        self.requester == user || self.invitee == user
    }
}

/// A meeting request to store.
#[derive(Clone, Debug)]
pub struct NewMeeting {
    pub id: uuid::Uuid,
    pub event: EventId,
    pub requester: UserId,
    pub invitee: UserId,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub spot: Option<uuid::Uuid>,
    pub place: String,
    pub message: String,
}

/// A reply to a meeting request. The caller checks who may do what; the
/// store applies it only if the meeting is still in the state it expects.
#[derive(Clone, Debug)]
pub enum MeetingChange {
    Accept,
    Decline,
    Cancel,
    /// Another time (and place); the other person answers next.
    Counter {
        by: UserId,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        spot: Option<uuid::Uuid>,
        place: String,
    },
    Held,
}

/// Meeting spots, meeting requests and the private calendar feed.
#[async_trait]
pub trait MeetingStore: Send + Sync {
    /// Replaces the event's meeting spots (kept by name, in this order).
    async fn set_spots(&self, event: EventId, names: &[String]) -> StoreResult<()>;
    async fn spots(&self, event: EventId) -> StoreResult<Vec<MeetingSpot>>;
    /// An accepted meeting of `a` or `b` overlapping the time, if any
    /// (`except`: the meeting being changed).
    async fn clashing_meeting(
        &self,
        people: [UserId; 2],
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        except: Option<uuid::Uuid>,
    ) -> StoreResult<Option<Meeting>>;
    /// Stores a pending request, atomically refusing it with
    /// `Conflict("meeting time")` if either person has an accepted meeting
    /// then.
    async fn request_meeting(&self, new: &NewMeeting) -> StoreResult<Meeting>;
    /// Applies a reply if the meeting is in the state it needs (pending for
    /// accept/decline/counter, pending or accepted for cancel, accepted for
    /// held), else `Conflict("meeting state")`; accept and counter refuse a
    /// clash like [`MeetingStore::request_meeting`].
    async fn change_meeting(&self, id: uuid::Uuid, change: &MeetingChange) -> StoreResult<Meeting>;
    async fn meeting(&self, id: uuid::Uuid) -> StoreResult<Option<Meeting>>;
    /// The user's meetings in every state, soonest first; one event's if given.
    async fn meetings_of(&self, user: UserId, event: Option<EventId>) -> StoreResult<Vec<Meeting>>;
    /// The user's calendar feed secret, stored as `fresh` if none yet.
    async fn calendar_token(&self, user: UserId, fresh: &str) -> StoreResult<String>;
    async fn user_by_calendar_token(&self, token: &str) -> StoreResult<Option<UserId>>;
}

/// An event's raw activity, aggregated by the dashboard (in Rust, so both
/// backends count alike and hours follow the event's time zone).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EventActivity {
    /// Connections made at this event: the pair and when.
    pub connections: Vec<(UserId, UserId, DateTime<Utc>)>,
    /// When each scan attempt at this event was recorded.
    pub scan_times: Vec<DateTime<Utc>>,
    /// How many members show each tag with each intent (members whose tags
    /// are public and who did not opt out).
    pub tag_counts: Vec<(Tag, Intent, u64)>,
}

/// What the organizer's dashboard counts.
#[async_trait]
pub trait StatsStore: Send + Sync {
    async fn event_activity(&self, event: EventId) -> StoreResult<EventActivity>;
}

/// A message from the organizers to everyone at an event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Announcement {
    pub id: uuid::Uuid,
    pub event: EventId,
    /// `None` once the author deleted their account.
    pub author: Option<UserId>,
    pub author_name: Option<String>,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// Event announcements.
#[async_trait]
pub trait AnnouncementStore: Send + Sync {
    async fn post_announcement(
        &self,
        event: EventId,
        author: UserId,
        body: &str,
    ) -> StoreResult<Announcement>;
    /// The latest `limit` announcements, newest first.
    async fn announcements(&self, event: EventId, limit: u32) -> StoreResult<Vec<Announcement>>;
}

/// Personal invitations that let an imported attendee set a password.
#[async_trait]
pub trait ClaimStore: Send + Sync {
    /// Stores a claim token for `user` (who was imported into `event`).
    async fn create_claim(&self, token: &str, user: UserId, event: EventId) -> StoreResult<()>;
    /// Whose claim `token` is, and for which event.
    async fn claim(&self, token: &str) -> StoreResult<Option<(UserId, EventId)>>;
    /// Sets the password and deletes every claim of the account, in one
    /// transaction. `NotFound` if the token is gone.
    async fn complete_claim(&self, token: &str, hash: &PasswordHash) -> StoreResult<UserId>;
}

/// A personal invitation of an imported person, and what became of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invitation {
    /// Opaque id, for resending.
    pub id: uuid::Uuid,
    pub event: EventId,
    pub user: UserId,
    pub name: String,
    pub email: String,
    /// The claim link (new accounts) or the event's page (existing ones).
    pub link: String,
    pub status: InvitationStatus,
    /// Why delivery failed (for the organizer); empty otherwise.
    pub detail: String,
    pub updated_at: DateTime<Utc>,
}

/// An invitation to record.
#[derive(Clone, Debug)]
pub struct NewInvitation {
    pub event: EventId,
    pub user: UserId,
    pub name: String,
    pub email: String,
    pub link: String,
}

/// Invitations of imported attendees and their delivery state.
#[async_trait]
pub trait InvitationStore: Send + Sync {
    /// Records an invitation as pending; one per person and event (a
    /// second replaces the link and starts over).
    async fn save_invitation(&self, new: &NewInvitation) -> StoreResult<Invitation>;
    /// The event's invitations by recipient name.
    async fn invitations(&self, event: EventId) -> StoreResult<Vec<Invitation>>;
    /// One invitation of `event` (never another event's).
    async fn invitation(&self, event: EventId, id: uuid::Uuid) -> StoreResult<Option<Invitation>>;
    /// Records what delivery did. `NotFound` if the invitation is gone.
    async fn set_invitation_status(
        &self,
        id: uuid::Uuid,
        status: InvitationStatus,
        detail: &str,
    ) -> StoreResult<()>;
}

/// A CSV file uploaded in the browser, between dry run and import.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportUpload {
    pub id: uuid::Uuid,
    pub event: EventId,
    pub file_name: String,
    pub file: Vec<u8>,
    /// The report (JSON) once imported; `None` while waiting for confirmation.
    pub report: Option<String>,
    /// Being imported right now (a second confirmation is refused).
    pub running: bool,
    pub created_at: DateTime<Utc>,
}

/// Uploaded import files.
#[async_trait]
pub trait ImportStore: Send + Sync {
    /// Keeps an uploaded file until it is confirmed.
    async fn save_upload(
        &self,
        id: uuid::Uuid,
        event: EventId,
        uploaded_by: UserId,
        file_name: &str,
        file: &[u8],
    ) -> StoreResult<()>;
    /// One upload of `event` (never another event's).
    async fn upload(&self, event: EventId, id: uuid::Uuid) -> StoreResult<Option<ImportUpload>>;
    /// Marks a waiting upload as running; `false` if it was already
    /// started (a double click imports once).
    async fn start_upload(&self, event: EventId, id: uuid::Uuid) -> StoreResult<bool>;
    /// Stores the report of a finished import, or (`None`) puts a failed
    /// run back to waiting.
    async fn finish_upload(&self, id: uuid::Uuid, report: Option<&str>) -> StoreResult<()>;
}

/// Delivers invitations: by SMTP when configured, else as `.eml` files in
/// the outbox of the data directory. The server implements it
/// (`server/src/mail.rs`); the import hands it the invitations it recorded.
#[async_trait]
pub trait Postman: Send + Sync + 'static {
    /// Delivers each invitation and records the outcome on it (mailed,
    /// outbox, or failed with the reason). Never fails the caller: a mail
    /// server that is down is an outcome, not an error.
    async fn deliver(&self, store: &dyn Store, event: &Event, invitations: Vec<Invitation>);
    /// Whether invitations go out by mail (else to the outbox).
    fn sends_mail(&self) -> bool;
}

/// A room of an event as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Room {
    pub id: RoomId,
    pub event: EventId,
    pub kind: RoomKind,
    pub title: String,
    pub description: String,
    /// Where a meetup happens; empty for most topic rooms.
    pub place: String,
    /// When a meetup starts and ends (UTC); `None` for topic rooms.
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    /// Who created it (`None` once their account is gone); a room's creator
    /// may moderate it.
    pub created_by: Option<UserId>,
    /// A closed room keeps its history but takes no new messages.
    pub closed: bool,
    /// The sequence number of the newest message (0: none yet).
    pub last_seq: u64,
    pub created_at: DateTime<Utc>,
    /// What the room is about, in the order its moderators gave: shown as
    /// chips, filtered on, and matched against my profile's tags.
    pub tags: RoomTags,
}

/// What creating a room stores.
#[derive(Clone, Debug)]
pub struct NewRoom {
    pub event: EventId,
    pub kind: RoomKind,
    pub title: RoomTitle,
    pub description: RoomDescription,
    pub place: RoomPlace,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub created_by: UserId,
    /// Stored with the room in one transaction; already checked against the
    /// event's taxonomy by the caller.
    pub tags: RoomTags,
}

/// One stored chat message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoomMessage {
    pub room: RoomId,
    /// Per room, gap-free, increasing from 1.
    pub seq: u64,
    /// `None` when the author deleted their account.
    pub author: Option<UserId>,
    /// The author's current name (`None` with `author`).
    pub author_name: Option<String>,
    /// Empty once a moderator removed the message.
    pub body: String,
    /// Removed by a moderator: shown as removed, text no longer sent.
    pub deleted: bool,
    pub created_at: DateTime<Utc>,
}

/// The result of posting: a new message, or the one stored earlier under
/// the same client id (a retried send).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Posted {
    New(RoomMessage),
    Existing(RoomMessage),
}

impl Posted {
    pub fn message(&self) -> &RoomMessage {
        match self {
            Posted::New(m) | Posted::Existing(m) => m,
        }
    }
}

/// A moderation action on a room, as the audit log records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModerationAction {
    DeleteMessage,
    Mute,
    Close,
    Reopen,
    /// The room's tags were changed (the detail holds the new list).
    Retag,
}

impl ModerationAction {
    pub fn as_str(self) -> &'static str {
        match self {
            ModerationAction::DeleteMessage => "delete_message",
            ModerationAction::Mute => "mute",
            ModerationAction::Close => "close",
            ModerationAction::Reopen => "reopen",
            ModerationAction::Retag => "tags",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "delete_message" => ModerationAction::DeleteMessage,
            "mute" => ModerationAction::Mute,
            "close" => ModerationAction::Close,
            "reopen" => ModerationAction::Reopen,
            "tags" => ModerationAction::Retag,
            _ => return None,
        })
    }
}

/// One entry of an event's moderation audit log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    pub room: Option<RoomId>,
    pub room_title: Option<String>,
    pub actor: Option<UserId>,
    pub actor_name: Option<String>,
    pub action: ModerationAction,
    pub target: Option<UserId>,
    pub target_name: Option<String>,
    pub seq: Option<u64>,
    pub detail: String,
    pub created_at: DateTime<Utc>,
}

/// A member's report of a room message, as the moderators read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageReport {
    pub room: RoomId,
    pub room_title: String,
    pub seq: u64,
    /// `None` when the reporter deleted their account.
    pub reporter_name: Option<String>,
    pub reason: String,
    /// The message as it is now: empty once removed.
    pub text: String,
    /// `None` when the author deleted their account.
    pub author: Option<UserId>,
    pub author_name: Option<String>,
    /// A moderator removed the message already.
    pub removed: bool,
    pub created_at: DateTime<Utc>,
}

/// Rooms, their messages and their moderation.
#[async_trait]
pub trait RoomStore: Send + Sync {
    /// `NotFound` if the event or creator does not exist.
    async fn create_room(&self, new: NewRoom) -> StoreResult<Room>;
    async fn room(&self, id: RoomId) -> StoreResult<Option<Room>>;
    /// The event's rooms: meetups by start time, then topic rooms by age.
    async fn rooms_of_event(&self, event: EventId) -> StoreResult<Vec<Room>>;
    /// Stores a message with the room's next sequence number, in one
    /// transaction, so concurrent posters get gap-free increasing numbers.
    /// A `client_id` the author used before in this room returns the stored
    /// message ([`Posted::Existing`]) and stores nothing. `NotFound` if the
    /// room does not exist, `Conflict("closed room")` if it is closed.
    async fn post_message(
        &self,
        room: RoomId,
        author: UserId,
        client_id: &ClientMessageId,
        text: &MessageText,
    ) -> StoreResult<Posted>;
    /// Up to `limit` messages with `seq > after`, oldest first.
    async fn messages_after(
        &self,
        room: RoomId,
        after: u64,
        limit: u32,
    ) -> StoreResult<Vec<RoomMessage>>;
    /// The newest `limit` messages with `seq < before`, oldest first.
    async fn messages_before(
        &self,
        room: RoomId,
        before: u64,
        limit: u32,
    ) -> StoreResult<Vec<RoomMessage>>;
    /// Remembers that `user` joined the room (idempotent).
    async fn record_join(&self, room: RoomId, user: UserId) -> StoreResult<()>;
    /// Everyone `user` has blocked or is blocked by: hidden from each other
    /// in rooms.
    async fn hidden_users(&self, user: UserId) -> StoreResult<Vec<UserId>>;
    /// Marks a message removed (its text is dropped) and logs it. `NotFound`
    /// if there is no such message.
    async fn delete_message(&self, room: RoomId, seq: u64, actor: UserId) -> StoreResult<()>;
    /// Mutes `user` in the room until `until` and logs it.
    async fn mute(
        &self,
        room: RoomId,
        user: UserId,
        until: DateTime<Utc>,
        actor: UserId,
    ) -> StoreResult<()>;
    /// Until when `user` is muted in the room, if the mute is still running at `now`.
    async fn muted_until(
        &self,
        room: RoomId,
        user: UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<DateTime<Utc>>>;
    /// Replaces the room's tags with `tags` (in their order) in one
    /// transaction. `NotFound` if the room does not exist.
    /// Replaces the room's tags and records who did it in the audit log,
    /// in one transaction.
    async fn set_room_tags(&self, room: RoomId, tags: &RoomTags, actor: UserId) -> StoreResult<()>;
    /// Closes or reopens a room and logs it. `NotFound` if it does not exist.
    async fn set_room_closed(&self, room: RoomId, closed: bool, actor: UserId) -> StoreResult<()>;
    /// A member's report of a message. `NotFound` if there is no such message.
    async fn report_message(
        &self,
        room: RoomId,
        seq: u64,
        reporter: UserId,
        reason: &str,
    ) -> StoreResult<()>;
    /// The event's moderation log, newest first.
    async fn audit_log(&self, event: EventId) -> StoreResult<Vec<AuditEntry>>;
    /// Reports of the event's room messages, newest first.
    async fn message_reports(&self, event: EventId) -> StoreResult<Vec<MessageReport>>;
}

/// An organizer API token as listed: never the token itself (only its
/// hash is stored), but enough to recognise and revoke it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiToken {
    pub id: uuid::Uuid,
    /// The one event the token reaches.
    pub event: EventId,
    /// What the organizer called it ("Ticketing sync").
    pub name: String,
    /// The token's first characters, to tell tokens apart.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    /// When the API last accepted it (at most once a minute is recorded).
    pub last_used_at: Option<DateTime<Utc>>,
    /// Set once revoked; a revoked token authenticates nothing.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// What creating an API token stores.
#[derive(Clone, Debug)]
pub struct NewApiToken {
    pub event: EventId,
    pub created_by: UserId,
    pub name: String,
    pub prefix: String,
    /// Lower-case hex SHA-256 of the token.
    pub token_hash: String,
}

/// A webhook endpoint of an event, as listed (without its secret).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Webhook {
    pub id: uuid::Uuid,
    pub event: EventId,
    pub url: String,
    /// The notifications it subscribes to.
    pub kinds: Vec<WebhookKind>,
    pub created_at: DateTime<Utc>,
}

/// What registering a webhook stores.
#[derive(Clone, Debug)]
pub struct NewWebhook {
    pub event: EventId,
    pub url: WebhookUrl,
    pub kinds: Vec<WebhookKind>,
    /// Signs every delivery (HMAC-SHA256); kept as is because signing needs it.
    pub secret: String,
}

/// One notification to send to one webhook, written to the outbox.
#[derive(Clone, Debug)]
pub struct NewDelivery {
    /// Also the `id` in the body and the `Rapport-Delivery` header, so a
    /// receiver can drop duplicates.
    pub id: uuid::Uuid,
    pub webhook: uuid::Uuid,
    pub event: EventId,
    pub kind: WebhookKind,
    /// The exact JSON body, the same on every attempt.
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// Where a delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeliveryStatus {
    /// Waiting for its first or next attempt.
    Pending,
    /// The receiver answered 2xx.
    Delivered,
    /// Every attempt failed; no more will be made.
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "pending" => Some(DeliveryStatus::Pending),
            "delivered" => Some(DeliveryStatus::Delivered),
            "failed" => Some(DeliveryStatus::Failed),
            _ => None,
        }
    }
}

/// A delivery as the integrations page lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryRecord {
    pub id: uuid::Uuid,
    pub webhook: uuid::Uuid,
    pub url: String,
    pub kind: WebhookKind,
    pub status: DeliveryStatus,
    /// Attempts made so far.
    pub attempts: u32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

/// A delivery the worker has claimed and must now send.
#[derive(Clone, Debug)]
pub struct DeliveryJob {
    pub id: uuid::Uuid,
    pub url: String,
    pub secret: String,
    pub body: String,
    /// Attempts made before this one.
    pub attempts: u32,
}

/// How an attempt ended.
#[derive(Clone, Debug)]
pub enum AttemptOutcome {
    Delivered {
        at: DateTime<Utc>,
    },
    /// Failed; try again at `next_at`.
    Retry {
        error: String,
        next_at: DateTime<Utc>,
    },
    /// Failed for the last time.
    GaveUp {
        error: String,
    },
}

/// API tokens, webhooks and the webhook delivery outbox of events.
#[async_trait]
pub trait IntegrationStore: Send + Sync {
    async fn create_api_token(&self, new: &NewApiToken) -> StoreResult<ApiToken>;
    /// The event's tokens, newest first, revoked ones included.
    async fn api_tokens(&self, event: EventId) -> StoreResult<Vec<ApiToken>>;
    /// The token whose hash is `hash`, revoked or not.
    async fn api_token_by_hash(&self, hash: &str) -> StoreResult<Option<ApiToken>>;
    /// Records that the token was used at `at`.
    async fn touch_api_token(&self, id: uuid::Uuid, at: DateTime<Utc>) -> StoreResult<()>;
    /// Revokes a token of `event`; `NotFound` if `event` has no such token.
    async fn revoke_api_token(&self, event: EventId, id: uuid::Uuid) -> StoreResult<()>;
    async fn create_webhook(&self, new: &NewWebhook) -> StoreResult<Webhook>;
    /// The event's webhooks, oldest first.
    async fn webhooks(&self, event: EventId) -> StoreResult<Vec<Webhook>>;
    /// Removes a webhook of `event` and its deliveries; `NotFound` otherwise.
    async fn delete_webhook(&self, event: EventId, id: uuid::Uuid) -> StoreResult<()>;
    /// Writes deliveries to the outbox (all or none), due at once.
    async fn enqueue_deliveries(&self, deliveries: &[NewDelivery]) -> StoreResult<()>;
    /// Claims up to `limit` pending deliveries due at `now`: each is pushed to
    /// `lease_until`, so another worker (or this one after a crash) only
    /// retries it once the lease runs out.
    async fn claim_due_deliveries(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<DeliveryJob>>;
    /// Records one attempt's outcome (and counts the attempt).
    async fn finish_attempt(&self, id: uuid::Uuid, outcome: &AttemptOutcome) -> StoreResult<()>;
    /// The event's latest `limit` deliveries, newest first.
    async fn recent_deliveries(
        &self,
        event: EventId,
        limit: u32,
    ) -> StoreResult<Vec<DeliveryRecord>>;
}

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
    /// Closes the sockets opened with session `session` of `user` (signed
    /// out), or all of `user`'s sockets when `None` (account deleted).
    fn session_ended(&self, user: UserId, session: Option<String>);
    /// `user` was removed from `event`: their sockets (on every instance)
    /// leave its rooms at once, told why.
    fn member_removed(&self, event: EventId, user: UserId);
}

/// Settings the server functions need from configuration.
#[derive(Clone, Debug)]
pub struct PublicConfig {
    /// The base URL people reach Rapport at, without a trailing slash; used
    /// in invite links and (later) badge QR codes.
    pub public_url: String,
    /// Behind a reverse proxy every request comes from the proxy's address;
    /// when set, the client address is the last one the proxy appended to
    /// `X-Forwarded-For` (only enable this behind a proxy that sets it).
    pub trust_forwarded_for: bool,
    /// Webhooks may target private addresses (see the server's config).
    pub webhooks_allow_private: bool,
}

/// Everything a handler or server function can reach. Cheap to clone.
#[derive(Clone, axum::extract::FromRef)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub leptos_options: leptos::config::LeptosOptions,
    pub config: Arc<PublicConfig>,
    pub limits: Arc<crate::api::limits::Limits>,
    /// This instance's matching indexes (built per event on first use).
    pub matching: Arc<crate::api::matching::Recommender>,
    /// Live rooms: occupancy, and announcing changes made outside a socket.
    pub live: Arc<dyn LiveRooms>,
    /// Sends (or files) the invitations of imported attendees.
    pub postman: Arc<dyn Postman>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}
