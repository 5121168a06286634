//! Rooms over HTTP: the rooms list of an event with live occupancy and
//! tags (filtered by one tag with a plain GET parameter), creating a topic
//! or meetup room, changing a room's tags, a room's page with its recent
//! history (server-rendered, so it reads without JavaScript), and posting
//! from a plain form, and moderation (remove, mute, close, retag, report,
//! the log). Live chat itself goes over the WebSocket (`crate::realtime`,
//! `server/src/realtime/`); a post made here is announced to it.
//!
//! The wire types and thin server functions: every rule (who may join,
//! post, create, moderate; what a room or a message must be) is decided in
//! `service/rooms.rs`, which the socket and `/api/v1` call too.

#[cfg(feature = "ssr")]
use crate::{
    api::context,
    domain::Tag,
    ports::{Event, Membership, Room},
    service::{
        events::member_of,
        rooms::{self, may_moderate, ROOMS},
    },
    state::AppState,
};
use crate::{domain::RoomKind, error::AppError, realtime::WireMessage};
#[cfg(feature = "ssr")]
use chrono::Utc;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Kept for `server/src/realtime/mod.rs`, which names the message's wire
/// form by this path (issue 18: to point it at `service::rooms::wire`).
#[cfg(feature = "ssr")]
pub use crate::service::rooms::wire;

/// A room as the rooms list and the room page show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomSummary {
    pub id: String,
    pub kind: RoomKind,
    pub title: String,
    pub description: String,
    pub place: String,
    /// For meetups: "15:00–15:30 · May 14" in the event's time zone.
    pub when: Option<String>,
    pub closed: bool,
    /// People in the room right now.
    pub occupancy: u32,
    /// Messages so far.
    pub last_seq: u64,
    /// What the room is about, in the order its moderators gave.
    pub tags: Vec<String>,
    /// It shares a tag with my profile: pointed out in the list.
    pub for_you: bool,
}

/// The rooms of an event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomsList {
    pub event_name: String,
    pub slug: String,
    pub rooms: Vec<RoomSummary>,
    /// Whether I may create rooms here.
    pub can_create: bool,
    /// Organizers and staff read the moderation log.
    pub runs_event: bool,
    /// The tag the list is filtered by (normalised), if any.
    pub tag: Option<String>,
    /// Every tag the event's rooms carry, sorted: the filter's choices.
    pub tags_in_use: Vec<String>,
    /// What the create form offers and accepts (see [`TagChoice`]).
    pub tag_choice: TagChoice,
}

/// Which tags a room of the event may carry: the event's suggested tags
/// (its taxonomy), offered in the tags field, and whether other tags are
/// accepted too (the event's free-tags switch, the same rule as for
/// profile tags).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagChoice {
    pub suggested: Vec<String>,
    /// Only suggested tags are accepted.
    pub only_suggested: bool,
}

/// One room's page: the room and its newest messages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomView {
    pub event_name: String,
    pub slug: String,
    pub room: RoomSummary,
    /// The newest messages, oldest first.
    pub messages: Vec<WireMessage>,
    /// Older messages exist.
    pub more: bool,
    pub my_id: String,
    /// Organizers, staff and the room's creator may moderate.
    pub can_moderate: bool,
    /// A fresh id for the page's plain form (without JavaScript), so a
    /// resubmitted form posts once.
    pub client_id: String,
    /// The event's offset from UTC now, to show message times in its zone.
    pub utc_offset_minutes: i32,
    /// For the moderators' tags form.
    pub tag_choice: TagChoice,
}

/// "15:04" for a message sent at `at` (RFC 3339), `offset_minutes` from UTC.
pub fn clock(at: &str, offset_minutes: i32) -> String {
    chrono::DateTime::parse_from_rfc3339(at)
        .ok()
        .and_then(|t| {
            let offset = chrono::FixedOffset::east_opt(offset_minutes * 60)?;
            Some(t.with_timezone(&offset).format("%H:%M").to_string())
        })
        .unwrap_or_default()
}

/// Messages on a room's first page.
pub const PAGE_MESSAGES: u32 = 50;

#[cfg(feature = "ssr")]
fn local_when(event: &Event, room: &Room) -> Option<String> {
    let (start, end) = (room.starts_at?, room.ends_at?);
    let tz: chrono_tz::Tz = event.time_zone.parse().unwrap_or(chrono_tz::UTC);
    let (s, e) = (start.with_timezone(&tz), end.with_timezone(&tz));
    Some(format!(
        "{}–{} · {}",
        s.format("%H:%M"),
        e.format("%H:%M"),
        s.format("%b %-d")
    ))
}

/// `room` as the list and its page show it; `mine` are my profile's tags,
/// to point out rooms on them.
#[cfg(feature = "ssr")]
pub(crate) fn summary(
    state: &AppState,
    event: &Event,
    room: &Room,
    mine: &crate::domain::TagSet,
) -> RoomSummary {
    RoomSummary {
        id: room.id.to_string(),
        kind: room.kind,
        title: room.title.clone(),
        description: room.description.clone(),
        place: room.place.clone(),
        when: local_when(event, room),
        closed: room.closed,
        occupancy: u32::try_from(state.live.occupancy(room.id)).unwrap_or(u32::MAX),
        last_seq: room.last_seq,
        tags: room.tags.names(),
        for_you: mine.iter().any(|(t, _)| room.tags.contains(t)),
    }
}

/// The event's tag rule for rooms, for the forms.
#[cfg(feature = "ssr")]
async fn tag_choice(state: &AppState, event: &Event) -> Result<TagChoice, AppError> {
    let (taxonomy, free_tags) = state.store.taxonomy(event.id).await?;
    Ok(TagChoice {
        suggested: taxonomy
            .categories()
            .iter()
            .flat_map(|(_, tags)| tags.iter().map(|t| t.as_str().to_owned()))
            .collect(),
        only_suggested: !free_tags,
    })
}

/// The rooms of an event with live occupancy and tags; with `tag`, only
/// the rooms carrying it (`?tag=rust` on the page; written as people type
/// it, "ML" finds "machine learning").
#[server(prefix = "/api", endpoint = "event_rooms")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn event_rooms(slug: String, tag: Option<String>) -> Result<RoomsList, AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let (event, Membership { role, .. }) = member_of(&state, &slug, me.id, ROOMS).await?;
    let tag = match tag.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => Some(Tag::parse(raw)?),
    };
    let all = state.store.rooms_of_event(event.id).await?;
    let mine = state.store.tags_of(me.id).await?;
    let mut tags_in_use: Vec<String> = all.iter().flat_map(|r| r.tags.names()).collect();
    tags_in_use.sort();
    tags_in_use.dedup();
    // Filtered here, not in SQL: an event's rooms are few and already read
    // whole for the tags in use.
    let shown = all
        .iter()
        .filter(|r| tag.as_ref().is_none_or(|t| r.tags.contains(t)))
        .map(|r| summary(&state, &event, r, &mine))
        .collect();
    Ok(RoomsList {
        event_name: event.name.clone(),
        slug: event.slug.as_str().to_owned(),
        rooms: shown,
        can_create: rooms::may_create(role, &event),
        runs_event: role.runs_event(),
        tag: tag.map(|t| t.as_str().to_owned()),
        tags_in_use,
        tag_choice: tag_choice(&state, &event).await?,
    })
}

pub use create::{create_room, CreateRoom};

/// `create_room` sits in a module of its own for one reason: it takes one
/// argument per form field (eight), and `#[server]` drops an `allow` written
/// on the function from the browser half it generates, so the allowance is
/// given here.
#[allow(clippy::too_many_arguments)]
mod create {
    use super::*;

    /// Creates a topic room, or a meetup room with a place and a time, with up
    /// to five comma-separated `tags`. Returns the room's id; a plain form post
    /// continues to the room. Nothing is stored when anything is refused.
    #[server(prefix = "/api", endpoint = "create_room")]
    #[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
    pub async fn create_room(
        slug: String,
        kind: Option<String>,
        title: String,
        description: Option<String>,
        place: Option<String>,
        starts_at: Option<String>,
        ends_at: Option<String>,
        tags: Option<String>,
    ) -> Result<String, AppError> {
        let me = context::require_user().await?;
        let state = context::state()?;
        let (event, Membership { role, .. }) = member_of(&state, &slug, me.id, ROOMS).await?;
        let form = rooms::RoomForm {
            kind: kind.as_deref().unwrap_or_default(),
            title: &title,
            description: description.as_deref().unwrap_or_default(),
            place: place.as_deref().unwrap_or_default(),
            starts_at: starts_at.as_deref().unwrap_or_default(),
            ends_at: ends_at.as_deref().unwrap_or_default(),
            tags: tags.as_deref().unwrap_or_default(),
        };
        let room = rooms::create(&state, &event, role, me.id, form).await?;
        let id = room.id.to_string();
        if context::is_plain_form_post() {
            leptos_axum::redirect(&format!("/e/{}/rooms/{id}", event.slug.as_str()));
        }
        Ok(id)
    }
}

/// A room with its newest messages, for its page (members of the event only).
#[server(prefix = "/api", endpoint = "room_page")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn room_page(slug: String, room: String) -> Result<RoomView, AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let (event, Membership { role, .. }) = member_of(&state, &slug, me.id, ROOMS).await?;
    let room = rooms::room_of_event(state.store.as_ref(), event.id, &room).await?;
    let mine = state.store.tags_of(me.id).await?;
    let (messages, more) = rooms::latest(&state, &room, me.id, PAGE_MESSAGES).await?;
    Ok(RoomView {
        event_name: event.name.clone(),
        slug: event.slug.as_str().to_owned(),
        room: summary(&state, &event, &room, &mine),
        messages,
        more,
        my_id: me.id.to_string(),
        can_moderate: may_moderate(role, &room, me.id),
        client_id: uuid::Uuid::new_v4().simple().to_string(),
        utc_offset_minutes: utc_offset_minutes(&event),
        tag_choice: tag_choice(&state, &event).await?,
    })
}

#[cfg(feature = "ssr")]
fn utc_offset_minutes(event: &Event) -> i32 {
    use chrono::Offset;
    let tz: chrono_tz::Tz = event.time_zone.parse().unwrap_or(chrono_tz::UTC);
    Utc::now()
        .with_timezone(&tz)
        .offset()
        .fix()
        .local_minus_utc()
        / 60
}

/// Posts a message without the socket (the room page's form when
/// JavaScript is off). `client_id` makes a resubmitted form post once.
/// Returns the message's sequence number.
#[server(prefix = "/api", endpoint = "post_room_message")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn post_room_message(
    slug: String,
    room: String,
    client_id: String,
    text: String,
) -> Result<u64, AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    state.limits.post(me.id)?;
    let (event, _) = member_of(&state, &slug, me.id, ROOMS).await?;
    let room = rooms::room_of_event(state.store.as_ref(), event.id, &room).await?;
    let (client_id, text) = rooms::message(&client_id, &text)?;
    let posted = rooms::post(
        state.store.as_ref(),
        state.live.as_ref(),
        room.id,
        me.id,
        &client_id,
        &text,
    )
    .await?;
    let seq = posted.message().seq;
    if context::is_plain_form_post() {
        leptos_axum::redirect(&format!(
            "/e/{}/rooms/{}#m{seq}",
            event.slug.as_str(),
            room.id
        ));
    }
    Ok(seq)
}

#[cfg(test)]
mod tests {
    use super::clock;

    #[test]
    fn message_times_are_shown_in_the_events_zone() {
        assert_eq!(clock("2026-05-14T13:05:00.000Z", 120), "15:05");
        assert_eq!(clock("2026-05-14T13:05:00Z", -300), "08:05");
        assert_eq!(clock("garbage", 0), "");
    }
}

/// One line of an event's moderation log, as organizers read it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLine {
    /// In the event's time zone.
    pub at: String,
    pub actor: String,
    /// "removed a message of Ben in Rust folks (#4)".
    pub what: String,
}

/// A reported message, for the moderators.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportLine {
    /// When it was reported, in the event's time zone.
    pub at: String,
    pub reporter: String,
    pub reason: String,
    pub room_id: String,
    pub room_title: String,
    pub seq: u64,
    pub author: String,
    /// Empty once removed.
    pub text: String,
    pub removed: bool,
}

/// The moderation log of an event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditView {
    pub event_name: String,
    pub slug: String,
    pub lines: Vec<AuditLine>,
    /// Reported messages, newest first.
    pub reports: Vec<ReportLine>,
    /// Direct messages reported to this event's organizers, newest first
    /// (the text as it was reported; see `service::messages::report`).
    #[serde(default)]
    pub direct_reports: Vec<DirectReportLine>,
}

/// A reported direct message, as the organizers read it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectReportLine {
    /// When it was reported, in the event's time zone.
    pub at: String,
    pub reporter: String,
    pub sender: String,
    pub reason: String,
    pub text: String,
}

#[cfg(feature = "ssr")]
fn back_to_room(event: &Event, room: &Room) {
    if context::is_plain_form_post() {
        leptos_axum::redirect(&format!("/e/{}/rooms/{}", event.slug.as_str(), room.id));
    }
}

/// Removes a message (moderators): everyone in the room sees it as removed
/// at once; the audit log records it.
#[server(prefix = "/api", endpoint = "delete_room_message")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn delete_room_message(slug: String, room: String, seq: u64) -> Result<(), AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let (event, room) = rooms::moderated(&state, &slug, &room, me.id).await?;
    rooms::remove_message(&state, &room, seq, me.id).await?;
    back_to_room(&event, &room);
    Ok(())
}

/// Mutes a member in a room for `minutes` (1 to 1,440; moderators).
#[server(prefix = "/api", endpoint = "mute_in_room")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn mute_in_room(
    slug: String,
    room: String,
    user_id: String,
    minutes: u32,
) -> Result<(), AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let (event, room) = rooms::moderated(&state, &slug, &room, me.id).await?;
    rooms::mute(&state, &event, &room, me.id, &user_id, minutes).await?;
    back_to_room(&event, &room);
    Ok(())
}

/// Closes (`closed`) or reopens a room (moderators). A closed room keeps
/// its history and takes no new messages.
#[server(prefix = "/api", endpoint = "close_room")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn close_room(slug: String, room: String, closed: bool) -> Result<(), AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let (event, room) = rooms::moderated(&state, &slug, &room, me.id).await?;
    rooms::set_closed(&state, &room, closed, me.id).await?;
    back_to_room(&event, &room);
    Ok(())
}

/// Replaces a room's tags with the comma-separated `tags` (up to five; none
/// clears them). For whoever may moderate the room: organizers, staff and
/// its creator. Returns the tags as stored (normalised); nothing changes
/// when they are refused.
#[server(prefix = "/api", endpoint = "set_room_tags")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn set_room_tags(
    slug: String,
    room: String,
    tags: Option<String>,
) -> Result<Vec<String>, AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let (event, room) = rooms::moderated(&state, &slug, &room, me.id).await?;
    let tags = rooms::retag(&state, &event, &room, me.id, tags.as_deref().unwrap_or("")).await?;
    back_to_room(&event, &room);
    Ok(tags.names())
}

/// Reports a message to the moderators (any member of the event).
#[server(prefix = "/api", endpoint = "report_room_message")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn report_room_message(
    slug: String,
    room: String,
    seq: u64,
    reason: Option<String>,
) -> Result<(), AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let (event, _) = member_of(&state, &slug, me.id, ROOMS).await?;
    let room = rooms::room_of_event(state.store.as_ref(), event.id, &room).await?;
    rooms::report(&state, &room, seq, me.id, reason.as_deref().unwrap_or("")).await?;
    back_to_room(&event, &room);
    Ok(())
}

/// The event's moderation log (organizers and staff).
#[server(prefix = "/api", endpoint = "room_audit_log")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn room_audit_log(slug: String) -> Result<AuditView, AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let (event, entries, reports) = rooms::moderation_log(&state, &slug, me.id).await?;
    let lines = entries
        .into_iter()
        .map(|a| {
            use crate::ports::ModerationAction as A;
            let room = a.room_title.unwrap_or_else(|| "a deleted room".into());
            let target = a.target_name.unwrap_or_else(|| "a deleted user".into());
            let what = match a.action {
                A::DeleteMessage => format!(
                    "removed a message of {target} in {room} (#{})",
                    a.seq.unwrap_or_default()
                ),
                A::Mute => {
                    let until = chrono::DateTime::parse_from_rfc3339(&a.detail)
                        .map(|t| crate::domain::local_time(&event.time_zone, t.with_timezone(&Utc)))
                        .unwrap_or_else(|_| a.detail.clone());
                    format!("muted {target} in {room} until {until}")
                }
                A::Close => format!("closed {room}"),
                A::Reopen => format!("reopened {room}"),
                A::Retag if a.detail.is_empty() => format!("removed the tags of {room}"),
                A::Retag => format!("changed the tags of {room} to {}", a.detail),
            };
            AuditLine {
                at: crate::domain::local_time(&event.time_zone, a.created_at),
                actor: a.actor_name.unwrap_or_else(|| "A deleted user".into()),
                what,
            }
        })
        .collect();
    let reports = reports
        .into_iter()
        .map(|r| ReportLine {
            at: crate::domain::local_time(&event.time_zone, r.created_at),
            reporter: r.reporter_name.unwrap_or_else(|| "A deleted user".into()),
            reason: r.reason,
            room_id: r.room.to_string(),
            room_title: r.room_title,
            seq: r.seq,
            author: r.author_name.unwrap_or_else(|| "a deleted user".into()),
            text: r.text,
            removed: r.removed,
        })
        .collect();
    let direct_reports = state
        .store
        .direct_reports(event.id)
        .await?
        .into_iter()
        .map(|r| DirectReportLine {
            at: crate::domain::local_time(&event.time_zone, r.created_at),
            reporter: r.reporter_name.unwrap_or_else(|| "A deleted user".into()),
            sender: r.sender_name.unwrap_or_else(|| "a deleted user".into()),
            reason: r.reason,
            text: r.body,
        })
        .collect();
    Ok(AuditView {
        event_name: event.name.clone(),
        slug: event.slug.as_str().to_owned(),
        lines,
        reports,
        direct_reports,
    })
}
