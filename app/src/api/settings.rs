//! Event settings and roles (`/e/<slug>/settings`), for the event's
//! organizers only: name, dates, time zone, venue, description, who may
//! join, whether attendees may create rooms, whether scans need approval by
//! default, the tag taxonomy and the meeting spots — saved together, in one
//! transaction — and the members: promote to staff or organizer (an offer
//! the member accepts or declines), demote, remove (which sticks until an
//! organizer lets the person back in).
//!
//! The rules are enforced where they act, not here: who may join (the join
//! policy, removals) in `service/membership.rs`, room creation in
//! `rooms.rs`, the approval default in the store when a membership is
//! created.

use crate::{
    domain::{JoinPolicy, Role},
    error::AppError,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::{
    api::context,
    domain::{BoundedText, EventDates, EventName, SpotList, Taxonomy, TimeZoneName, UserId},
    ports::{EventSettings, MemberChange, StoreError},
    service::events::organizer_event,
    service::membership::{self, RoleChange},
};

/// A member as the organizers manage them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagedMember {
    pub user_id: String,
    pub display_name: String,
    pub role: Role,
    /// A sponsor or exhibitor (has a leads page).
    pub exhibitor: bool,
    /// The caller's own row (an organizer may step down when others remain).
    pub is_me: bool,
    /// A higher role offered to them, waiting for their answer (their
    /// `role` stays until they accept).
    pub offered: Option<Role>,
}

/// Someone the organizers removed: they cannot join again (by any path)
/// until an organizer lets them back in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemovedPerson {
    pub user_id: String,
    pub display_name: String,
    /// When, in the event's time zone.
    pub removed_at: String,
}

/// The settings page as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsView {
    pub slug: String,
    pub name: String,
    /// YYYY-MM-DD.
    pub starts_on: String,
    pub ends_on: String,
    pub time_zone: String,
    pub venue: String,
    pub description: String,
    pub join_policy: JoinPolicy,
    pub attendees_create_rooms: bool,
    pub approve_scans_default: bool,
    /// One category per line: `Category: tag, tag`.
    pub taxonomy: String,
    pub free_tags: bool,
    /// One spot per line.
    pub spots: String,
    /// At most [`MEMBERS_SHOWN`] members: organizers and staff first, then
    /// by name; those whose name contains the search when there is one.
    pub members: Vec<ManagedMember>,
    /// How many members match (all of them without a search).
    pub members_found: u64,
    /// The search the list is filtered by ("" for none).
    pub member_search: String,
    /// Everyone removed and not let back in yet, by name.
    pub removed: Vec<RemovedPerson>,
}

/// Members listed at once on the settings page: an event of thousands is
/// searched, not scrolled.
pub const MEMBERS_SHOWN: usize = 50;

/// The settings form as sent (`settings[name]`, …). Checkboxes are absent
/// when unticked.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsForm {
    pub name: String,
    pub starts_on: String,
    pub ends_on: String,
    pub time_zone: String,
    #[serde(default)]
    pub venue: String,
    #[serde(default)]
    pub description: String,
    pub join_policy: String,
    #[serde(default)]
    pub attendees_create_rooms: Option<String>,
    #[serde(default)]
    pub approve_scans_default: Option<String>,
    #[serde(default)]
    pub taxonomy: String,
    #[serde(default)]
    pub free_tags: Option<String>,
    #[serde(default)]
    pub spots: String,
}

#[cfg(feature = "ssr")]
fn ticked(v: &Option<String>) -> bool {
    v.as_deref().is_some_and(|v| !v.is_empty() && v != "off")
}

#[cfg(feature = "ssr")]
impl SettingsForm {
    /// Every field validated by its domain type; the first bad one is
    /// reported with its form field's name.
    fn parse(&self) -> Result<EventSettings, AppError> {
        Ok(EventSettings {
            name: EventName::parse("name", &self.name)?,
            dates: EventDates::parse(&self.starts_on, &self.ends_on)?,
            time_zone: TimeZoneName::parse(&self.time_zone)?,
            venue: crate::domain::Venue::parse("venue", &self.venue)?.into_inner(),
            description: BoundedText::<0, 4000>::parse("description", &self.description)?
                .into_inner(),
            join_policy: JoinPolicy::parse(&self.join_policy)?,
            attendees_create_rooms: ticked(&self.attendees_create_rooms),
            approve_scans_default: ticked(&self.approve_scans_default),
            taxonomy: Taxonomy::parse(&self.taxonomy)?,
            free_tags: ticked(&self.free_tags),
            spots: SpotList::parse(&self.spots)?,
        })
    }
}

/// The settings page. Organizers only.
#[server(prefix = "/api", endpoint = "event_settings")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn load_event_settings(
    slug: String,
    member_search: Option<String>,
) -> Result<SettingsView, AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let event = organizer_event(&state, &slug, me.id).await?;
    let (taxonomy, free_tags) = state.store.taxonomy(event.id).await?;
    let spots: Vec<String> = state
        .store
        .spots(event.id)
        .await?
        .into_iter()
        .map(|s| s.name)
        .collect();
    let search = member_search.unwrap_or_default().trim().to_lowercase();
    let mut found: Vec<_> = state
        .store
        .list_members(event.id)
        .await?
        .into_iter()
        .filter(|m| search.is_empty() || m.display_name.to_lowercase().contains(&search))
        .collect();
    let members_found = found.len() as u64;
    found.truncate(MEMBERS_SHOWN);
    let offered: std::collections::HashMap<UserId, Role> = state
        .store
        .offers_to_members(event.id)
        .await?
        .into_iter()
        .map(|o| (o.user, o.role))
        .collect();
    let members = found
        .into_iter()
        .map(|m| ManagedMember {
            offered: offered.get(&m.user_id).copied(),
            is_me: m.user_id == me.id,
            user_id: m.user_id.to_string(),
            display_name: m.display_name,
            role: m.role,
            exhibitor: m.exhibitor,
        })
        .collect();
    let removed = state
        .store
        .removed_members(event.id)
        .await?
        .into_iter()
        .map(|r| RemovedPerson {
            user_id: r.user_id.to_string(),
            display_name: r.display_name,
            removed_at: crate::domain::local_time(&event.time_zone, r.removed_at),
        })
        .collect();
    Ok(SettingsView {
        removed,
        slug: event.slug.as_str().to_owned(),
        name: event.name,
        starts_on: event.dates.starts_on().to_string(),
        ends_on: event.dates.ends_on().to_string(),
        time_zone: event.time_zone,
        venue: event.venue,
        description: event.description,
        join_policy: event.join_policy,
        attendees_create_rooms: event.attendees_create_rooms,
        approve_scans_default: event.approve_scans_default,
        taxonomy: taxonomy.to_text(),
        free_tags,
        spots: spots.join("\n"),
        members,
        members_found,
        member_search: search,
    })
}

/// Saves the whole settings form at once: all of it or (on any invalid
/// field) none of it. Organizers only.
#[server(prefix = "/api", endpoint = "save_event_settings")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn save_event_settings(slug: String, settings: SettingsForm) -> Result<(), AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let event = organizer_event(&state, &slug, me.id).await?;
    let settings = settings.parse()?;
    state
        .store
        .update_event_settings(event.id, &settings)
        .await?;
    // Which tags match depends on the taxonomy: rebuild on next use.
    state.matching.forget(event.id);
    tracing::info!(event = %event.id, "event settings saved");
    Ok(())
}

/// Changes a member: `action` is `organizer`, `staff` or `attendee` (the
/// new role: a higher one is only offered, and the member keeps theirs
/// until they accept it on "My events"; a lower one applies at once; their
/// own role again withdraws an offer that waits), `remove` (out of the
/// event, and kept out: they cannot join again by any path until let back
/// in; their badge stops working and they leave the recommendations), or
/// `exhibitor` / `not_exhibitor` (sponsor or exhibitor: a leads page with
/// counts). `readmit` lets a removed person back in: they may join again
/// themselves (nobody is made a member without asking). The last organizer
/// stays. Organizers only. Answers with what happened, in a sentence.
#[server(prefix = "/api", endpoint = "update_member")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn update_member(
    slug: String,
    user_id: String,
    action: String,
) -> Result<String, AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let event = organizer_event(&state, &slug, me.id).await?;
    let not_member = || AppError::NotFound("This person is not a member of the event.".into());
    let user = UserId(user_id.trim().parse().map_err(|_| not_member())?);
    if action.trim() == "readmit" {
        return match state.store.readmit(event.id, user).await {
            Ok(()) => {
                tracing::info!(event = %event.id, %user, "removed person let back in by an organizer");
                Ok("They may join again.".into())
            }
            Err(StoreError::NotFound) => Err(AppError::NotFound(
                "This person was not removed from the event.".into(),
            )),
            Err(e) => Err(e.into()),
        };
    }
    let change = match action.trim() {
        "remove" => MemberChange::Remove,
        "exhibitor" => MemberChange::SetExhibitor(true),
        "not_exhibitor" => MemberChange::SetExhibitor(false),
        other => {
            let role = Role::parse(other).map_err(|_| AppError::Invalid {
                field: "action".into(),
                message: "Choose a role (organizer, staff, attendee), exhibitor, removal, or letting back in.".into(),
            })?;
            // Roles follow the consent rules of the membership service.
            let done = membership::set_role(&state, &event, user, role).await?;
            if done == RoleChange::Changed {
                crate::service::matching::member_changed(&state, user).await;
            }
            let role = role.label().to_lowercase();
            return Ok(match done {
                RoleChange::Offered => {
                    format!("Offered the role of {role}. It is theirs once they accept.")
                }
                RoleChange::Changed => "Member updated.".into(),
                RoleChange::Withdrawn => "Offer withdrawn: their role stays as it is.".into(),
                RoleChange::Unchanged => "Nothing changed: that is their role already.".into(),
            });
        }
    };
    match state.store.change_member(event.id, user, change).await {
        Ok(()) => {}
        Err(StoreError::NotFound) => return Err(not_member()),
        Err(StoreError::Conflict("last organizer")) => {
            return Err(AppError::Conflict(
                "An event needs at least one organizer: make someone else an organizer first."
                    .into(),
            ))
        }
        Err(e) => return Err(e.into()),
    }
    tracing::info!(event = %event.id, %user, ?change, "membership changed by an organizer");
    if change == MemberChange::Remove {
        // Their open sockets stop receiving the event's rooms now, not at
        // their next reconnect.
        state.live.member_removed(event.id, user);
    }
    // Removed members leave the recommendations at once; a new role may
    // change what others see of them.
    crate::service::matching::member_changed(&state, user).await;
    Ok("Member updated.".into())
}
