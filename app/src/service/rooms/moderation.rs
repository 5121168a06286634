//! Moderating rooms: who may ([`moderated`]: organizers, staff and the
//! room's creator, by [`may_moderate`]), what each action does (remove a
//! message, mute, close or reopen, retag; each logged by the store and
//! shown live), members' reports, the moderation log and a room's
//! transcript.

use super::{may_moderate, room_of_event, room_tags, ROOMS};
use crate::{
    domain::{BoundedText, RoomTags, UserId},
    error::AppError,
    ports::{AuditEntry, Event, Membership, MessageReport, Room},
    realtime::ServerMsg,
    service::{events::member_of, profiles::parse_user_id},
    state::AppState,
};

/// The room `room` of event `slug` if `me` may moderate it, else 403.
pub async fn moderated(
    state: &AppState,
    slug: &str,
    room: &str,
    me: UserId,
) -> Result<(Event, Room), AppError> {
    let (event, Membership { role, .. }) = member_of(state, slug, me, ROOMS).await?;
    let room = room_of_event(state.store.as_ref(), event.id, room).await?;
    if !may_moderate(role, &room, me) {
        return Err(AppError::Forbidden(
            "Only organizers, staff and the room's creator can moderate it.".into(),
        ));
    }
    Ok((event, room))
}

/// Removes message `seq` of `room` (`me` moderates it): everyone in the
/// room sees it as removed at once.
pub async fn remove_message(
    state: &AppState,
    room: &Room,
    seq: u64,
    me: UserId,
) -> Result<(), AppError> {
    state.store.delete_message(room.id, seq, me).await?;
    state.live.room_changed(
        room.id,
        ServerMsg::MessageDeleted {
            room: room.id.to_string(),
            seq,
        },
    );
    Ok(())
}

/// Mutes the member `user` (their id as sent) of `event` in `room` for
/// `minutes`, 1 to 1,440 (`me` moderates it).
pub async fn mute(
    state: &AppState,
    event: &Event,
    room: &Room,
    me: UserId,
    user: &str,
    minutes: u32,
) -> Result<(), AppError> {
    if !(1..=1440).contains(&minutes) {
        return Err(AppError::Invalid {
            field: "minutes".into(),
            message: "A mute lasts 1 minute to 24 hours.".into(),
        });
    }
    let user = parse_user_id(user)?;
    if state.store.member_role(event.id, user).await?.is_none() {
        return Err(AppError::NotFound(
            "That person is not in this event.".into(),
        ));
    }
    let until = crate::domain::now_utc() + chrono::Duration::minutes(i64::from(minutes));
    state.store.mute(room.id, user, until, me).await?;
    Ok(())
}

/// Closes (`closed`) or reopens `room` (`me` moderates it), and tells
/// everyone in it. A closed room keeps its history and takes no new
/// messages ([`super::CLOSED`]).
pub async fn set_closed(
    state: &AppState,
    room: &Room,
    closed: bool,
    me: UserId,
) -> Result<(), AppError> {
    state.store.set_room_closed(room.id, closed, me).await?;
    state.live.room_changed(
        room.id,
        ServerMsg::RoomState {
            room: room.id.to_string(),
            closed,
        },
    );
    Ok(())
}

/// Replaces `room`'s tags with the comma-separated `raw` ([`room_tags`];
/// none clears them); `me` moderates it. Returns the tags as stored.
pub async fn retag(
    state: &AppState,
    event: &Event,
    room: &Room,
    me: UserId,
    raw: &str,
) -> Result<RoomTags, AppError> {
    let tags = room_tags(state, event, raw).await?;
    state.store.set_room_tags(room.id, &tags, me).await?;
    tracing::info!(room = %room.id, tags = tags.names().len(), "room tags changed");
    Ok(tags)
}

/// `me` (any member) reports message `seq` of `room` to its moderators,
/// with a `reason` of up to 500 characters (may be empty).
pub async fn report(
    state: &AppState,
    room: &Room,
    seq: u64,
    me: UserId,
    reason: &str,
) -> Result<(), AppError> {
    let reason = BoundedText::<0, 500>::parse("reason", reason)?;
    state
        .store
        .report_message(room.id, seq, me, reason.as_str())
        .await?;
    Ok(())
}

/// The moderation log of event `slug` and its reported messages, newest
/// first, for its organizers and staff only.
pub async fn moderation_log(
    state: &AppState,
    slug: &str,
    me: UserId,
) -> Result<(Event, Vec<AuditEntry>, Vec<MessageReport>), AppError> {
    let (event, Membership { role, .. }) = member_of(state, slug, me, ROOMS).await?;
    if !role.runs_event() {
        return Err(AppError::Forbidden(
            "Only organizers and staff can read the moderation log.".into(),
        ));
    }
    let entries = state.store.audit_log(event.id).await?;
    let reports = state.store.message_reports(event.id).await?;
    Ok((event, entries, reports))
}

/// One message of a room transcript, as the moderators' export writes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TranscriptLine {
    pub seq: u64,
    /// RFC 3339, UTC.
    pub posted_at: String,
    /// "a deleted user" once the author's account is gone.
    pub author: String,
    /// Empty once a moderator removed the message.
    pub text: String,
    pub removed: bool,
    /// Members' reasons for reporting it, oldest first.
    pub reports: Vec<String>,
}

/// The whole history of a room, oldest first, for whoever may moderate it
/// (organizers, staff, the room's creator): what was said, what was
/// removed and what was reported, to review or keep after the event.
pub async fn transcript(
    state: &AppState,
    me: UserId,
    slug: &str,
    room: &str,
) -> Result<(Room, Vec<TranscriptLine>), AppError> {
    /// Messages read per store call: a long room is read in pages, never
    /// in one unbounded query.
    const PAGE: u32 = 500;
    let (event, room) = moderated(state, slug, room, me).await?;
    let mut reports: std::collections::HashMap<u64, Vec<String>> = Default::default();
    // Newest first from the store; reversed so each message lists its
    // reports in the order they came.
    for r in state
        .store
        .message_reports(event.id)
        .await?
        .into_iter()
        .rev()
    {
        if r.room == room.id {
            reports.entry(r.seq).or_default().push(r.reason);
        }
    }
    let mut lines = Vec::new();
    let mut after = 0;
    loop {
        let page = state.store.messages_after(room.id, after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        lines.extend(page.into_iter().map(|m| TranscriptLine {
            seq: m.seq,
            posted_at: m.created_at.to_rfc3339(),
            author: m.author_name.unwrap_or_else(|| "a deleted user".into()),
            text: m.body,
            removed: m.deleted,
            reports: reports.remove(&m.seq).unwrap_or_default(),
        }));
    }
    Ok((room, lines))
}
