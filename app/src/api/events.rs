//! Events and membership: create, list mine, read one (members only), join
//! by invite link or join code, and answer the invitations organizers sent
//! me. Who may join by which path is decided in
//! [`service::membership`](crate::service::membership), not here.

use crate::{domain::Role, error::AppError};
use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::{
    api::context,
    domain::{BoundedText, EventDates, EventName, JoinCode, Slug, Taxonomy, TimeZoneName},
    ports::{Event, NewEvent, StoreError},
    service::membership::{self, JoinPath},
    service::tokens,
};

/// An event in a list, with the caller's role when they are a member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventSummary {
    pub slug: String,
    pub name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub venue: String,
    pub time_zone: String,
    pub role: Option<Role>,
}

/// One attendee as a fellow member sees them on the event page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberView {
    pub display_name: String,
    pub headline: String,
    pub company: String,
    pub role: Role,
    /// True for the caller's own entry, so the page can mark "you".
    pub is_me: bool,
}

/// How others join: shown to organizers and staff only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    pub invite_url: String,
    pub join_code: String,
}

/// The event's suggested tags as organizers edit them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxonomySettings {
    /// One category per line: `Category: tag, tag`.
    pub text: String,
    /// Whether attendees may show tags outside the taxonomy in this event.
    pub free_tags: bool,
}

/// The event page for a member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventDetail {
    pub event: EventSummary,
    pub description: String,
    pub members: Vec<MemberView>,
    pub invitation: Option<Invitation>,
    /// Shown to the organizers only.
    pub taxonomy: Option<TaxonomySettings>,
    /// The meeting spots, one per line; for organizers only.
    pub spots: Option<String>,
    /// The latest announcements, newest first.
    pub announcements: Vec<AnnouncementView>,
    /// Whether I may post announcements (organizers).
    pub can_announce: bool,
    /// I am a sponsor or exhibitor here: the page links my leads.
    pub exhibitor: bool,
}

/// An announcement as members read it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnnouncementView {
    pub body: String,
    pub author: String,
    /// When, in the event's time zone.
    pub at: String,
}

/// A membership an organizer offered me (by importing my address) that
/// waits for my answer: I am not a member until I accept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingInvitation {
    /// The event (its `role` is `None`: I am not a member yet).
    pub event: EventSummary,
    /// The role accepting gives me.
    pub role: Role,
}

/// What an invite link shows before joining.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteInfo {
    pub event: EventSummary,
    /// Whether anyone is signed in (if not, the page offers sign-up and log-in).
    pub signed_in: bool,
}

#[cfg(feature = "ssr")]
fn summary(e: &Event, role: Option<Role>) -> EventSummary {
    EventSummary {
        slug: e.slug.as_str().to_owned(),
        name: e.name.clone(),
        starts_on: e.dates.starts_on(),
        ends_on: e.dates.ends_on(),
        venue: e.venue.clone(),
        time_zone: e.time_zone.clone(),
        role,
    }
}

/// Creates an event; the caller becomes its organizer.
#[server(prefix = "/api", endpoint = "create_event")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn create_event(
    name: String,
    starts_on: String,
    ends_on: String,
    time_zone: String,
    venue: String,
    description: String,
) -> Result<String, AppError> {
    let user = context::require_user().await?;
    let name = EventName::parse("name", &name)?;
    let dates = EventDates::parse(&starts_on, &ends_on)?;
    let time_zone = TimeZoneName::parse(&time_zone)?;
    let venue = crate::domain::Venue::parse("venue", &venue)?;
    let description = BoundedText::<0, 4000>::parse("description", &description)?;
    let store = context::state()?.store;
    // Random slugs, tokens and codes can collide; a few fresh draws settle it.
    let mut attempt = 0;
    let event = loop {
        let new = NewEvent {
            slug: Slug::from_name(name.as_str(), &tokens::slug_suffix()),
            name: name.clone(),
            description: description.as_str().to_owned(),
            venue: venue.as_str().to_owned(),
            dates,
            time_zone: time_zone.clone(),
            invite_token: tokens::invite_token(),
            join_code: tokens::join_code(),
        };
        match store.create_event(new, user.id).await {
            Err(StoreError::Conflict(what)) if attempt < 3 => {
                tracing::warn!(what, "random event identifier collided; drawing again");
                attempt += 1;
            }
            other => break other?,
        }
    };
    tracing::info!(event = %event.id, organizer = %user.id, "event created");
    leptos_axum::redirect(&format!("/e/{}", event.slug.as_str()));
    Ok(event.slug.as_str().to_owned())
}

/// The caller's events, soonest first.
#[server(prefix = "/api", endpoint = "my_events")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn my_events() -> Result<Vec<EventSummary>, AppError> {
    let user = context::require_user().await?;
    let events = context::state()?.store.events_of_user(user.id).await?;
    Ok(events
        .iter()
        .map(|(e, role)| summary(e, Some(*role)))
        .collect())
}

/// The invitations waiting for my answer, soonest event first.
#[server(prefix = "/api", endpoint = "my_invitations")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn my_invitations() -> Result<Vec<PendingInvitation>, AppError> {
    let user = context::require_user().await?;
    let offers = context::state()?.store.pending_offers(user.id).await?;
    Ok(offers
        .iter()
        .map(|(event, offer)| PendingInvitation {
            event: summary(event, None),
            role: offer.role,
        })
        .collect())
}

/// Accepts (`answer=accept`: I become a member with the role offered, and
/// the event opens) or declines (`answer=decline`: the invitation is gone,
/// nothing else changes) an invitation to the event at `slug`.
#[server(prefix = "/api", endpoint = "answer_invitation")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn answer_invitation(slug: String, answer: String) -> Result<(), AppError> {
    let user = context::require_user().await?;
    let accept = match answer.trim() {
        "accept" => true,
        "decline" => false,
        _ => {
            return Err(AppError::Invalid {
                field: "answer".into(),
                message: "Accept or decline the invitation.".into(),
            })
        }
    };
    let state = context::state()?;
    // An unknown address and an event without an invitation for me read
    // the same: nobody learns which events exist by guessing addresses.
    let event = crate::service::events::event_at(&state, &slug)
        .await
        .map_err(|_| AppError::NotFound("There is no invitation waiting for you there.".into()))?;
    match membership::answer(&state, &event, user.id, accept).await? {
        Some(_) => leptos_axum::redirect(&format!("/e/{}", event.slug.as_str())),
        None => leptos_axum::redirect("/events"),
    }
    Ok(())
}

/// One event with its attendees. Members only: a non-member gets 403 and
/// learns nothing beyond the fact that they must join.
#[server(prefix = "/api", endpoint = "event_page")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn event_page(slug: String) -> Result<EventDetail, AppError> {
    let user = context::require_user().await?;
    let state = context::state()?;
    let event = crate::service::events::event_at(&state, &slug).await?;
    let role = state.store.member_role(event.id, user.id).await?.ok_or_else(|| {
            AppError::Forbidden(
                "Only members of this event can see it. Ask an organizer for the invite link or join code.".into(),
            )
        })?;
    let members = state.store.list_members(event.id).await?;
    let exhibitor = members.iter().any(|m| m.user_id == user.id && m.exhibitor);
    let members = members
        .into_iter()
        .map(|m| MemberView {
            is_me: m.user_id == user.id,
            display_name: m.display_name,
            headline: m.headline,
            company: m.company,
            role: m.role,
        })
        .collect();
    let invitation = role.runs_event().then(|| Invitation {
        invite_url: format!("{}/join/{}", state.config.public_url, event.invite_token),
        join_code: event.join_code.display(),
    });
    let taxonomy = if role == Role::Organizer {
        let (taxonomy, free_tags) = state.store.taxonomy(event.id).await?;
        Some(TaxonomySettings {
            text: taxonomy.to_text(),
            free_tags,
        })
    } else {
        None
    };
    let announcements = state
        .store
        .announcements(event.id, 5)
        .await?
        .into_iter()
        .map(|a| AnnouncementView {
            body: a.body,
            author: a.author_name.unwrap_or_else(|| "The organizers".into()),
            at: crate::domain::local_time(&event.time_zone, a.created_at),
        })
        .collect();
    let spots = if role == Role::Organizer {
        let names: Vec<String> = state
            .store
            .spots(event.id)
            .await?
            .into_iter()
            .map(|s| s.name)
            .collect();
        Some(names.join("\n"))
    } else {
        None
    };
    Ok(EventDetail {
        spots,
        event: summary(&event, Some(role)),
        description: event.description,
        members,
        invitation,
        taxonomy,
        announcements,
        can_announce: role == Role::Organizer,
        exhibitor,
    })
}

/// Posts an announcement to everyone at the event; organizers only.
#[server(prefix = "/api", endpoint = "post_announcement")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn post_announcement(slug: String, body: String) -> Result<(), AppError> {
    let user = context::require_user().await?;
    let state = context::state()?;
    let event = crate::service::events::event_at(&state, &slug).await?;
    if state.store.member_role(event.id, user.id).await? != Some(Role::Organizer) {
        return Err(AppError::Forbidden(
            "Only the event's organizers can post announcements.".into(),
        ));
    }
    let body = crate::domain::BoundedText::<1, 1000>::parse("body", &body)?;
    state
        .store
        .post_announcement(event.id, user.id, body.as_str())
        .await?;
    tracing::info!(event = %event.id, "announcement posted");
    crate::service::notify::announcement(&state, &event, body.as_str());
    Ok(())
}

/// Joins `event` as the signed-in person by `path`, as the membership
/// service allows, then opens the event.
#[cfg(feature = "ssr")]
async fn join(event: Event, path: JoinPath) -> Result<String, AppError> {
    let user = context::require_user().await?;
    let state = context::state()?;
    membership::join(&state, &event, user.id, path).await?;
    leptos_axum::redirect(&format!("/e/{}", event.slug.as_str()));
    Ok(event.slug.as_str().to_owned())
}

#[cfg(feature = "ssr")]
fn unknown_invite() -> AppError {
    AppError::NotFound("This invite link is not valid. Ask the organizer for a new one.".into())
}

/// What an invite link leads to. Anyone holding the link may see the
/// event's name and dates (the token is the secret), never its members.
#[server(prefix = "/api", endpoint = "invite_preview")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn invite_preview(token: String) -> Result<InviteInfo, AppError> {
    let state = context::state()?;
    let event = state
        .store
        .event_by_invite_token(token.trim())
        .await?
        .ok_or_else(unknown_invite)?;
    let user = context::current_user().await?;
    let role = match &user {
        Some(u) => state.store.member_role(event.id, u.id).await?,
        None => None,
    };
    Ok(InviteInfo {
        event: summary(&event, role),
        signed_in: user.is_some(),
    })
}

/// Joins the event an invite link belongs to, as an attendee.
#[server(prefix = "/api", endpoint = "join_by_invite")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn join_by_invite(token: String) -> Result<String, AppError> {
    context::require_user().await?;
    let event = context::state()?
        .store
        .event_by_invite_token(token.trim())
        .await?
        .ok_or_else(unknown_invite)?;
    join(event, JoinPath::InviteLink).await
}

/// Joins an event by its printed join code, as an attendee.
#[server(prefix = "/api", endpoint = "join_by_code")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn join_by_code(code: String) -> Result<String, AppError> {
    context::require_user().await?;
    let code = JoinCode::parse(&code)?;
    let event = context::state()?
        .store
        .event_by_join_code(&code)
        .await?
        .ok_or_else(|| AppError::Invalid {
            field: "code".into(),
            message: "No event has this join code. Check it with the organizer.".into(),
        })?;
    join(event, JoinPath::JoinCode).await
}

/// Sets the event's suggested tags (one category per line: `Category: tag,
/// tag`) and whether attendees may show other tags. Organizers only.
#[server(prefix = "/api", endpoint = "update_taxonomy")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn update_taxonomy(
    slug: String,
    taxonomy: String,
    free_tags: Option<String>,
) -> Result<(), AppError> {
    let user = context::require_user().await?;
    let state = context::state()?;
    let event = crate::service::events::event_at(&state, &slug).await?;
    if state.store.member_role(event.id, user.id).await? != Some(Role::Organizer) {
        return Err(AppError::Forbidden(
            "Only the event's organizers can change its tags.".into(),
        ));
    }
    let taxonomy = Taxonomy::parse(&taxonomy)?;
    state
        .store
        .set_taxonomy(
            event.id,
            &taxonomy,
            free_tags.is_some_and(|v| !v.is_empty()),
        )
        .await?;
    // Which tags match depends on the taxonomy: rebuild on next use.
    state.matching.forget(event.id);
    Ok(())
}
