//! The leads page of sponsors and exhibitors (`/e/<slug>/leads`). An
//! organizer marks a member as a sponsor or exhibitor in the settings; that
//! member then sees the event's numbers as counts only (members, check-ins,
//! connections, what the audience is into), and by name only the people
//! who connected with them: connecting — a badge scan at the booth, or
//! mutual interest — is the attendee's consent to be a lead. Their CSV is
//! the connections download limited to this event.

use crate::api::dashboard::Bar;
use crate::domain::Intent;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One person who connected with the exhibitor, with what they let their
/// connections see.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lead {
    pub user_id: String,
    pub name: String,
    pub headline: Option<String>,
    pub company: Option<String>,
    pub job_title: Option<String>,
    /// When we connected, in the event's time zone.
    pub connected_at: String,
}

/// What an exhibitor's leads page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadsView {
    pub event_name: String,
    pub slug: String,
    pub time_zone: String,
    /// The event's counts: no person behind them can be told apart.
    pub members: u64,
    pub checked_in: u64,
    pub connections: u64,
    /// The most common tags of the event's members, per intent.
    pub audience: Vec<(Intent, Vec<Bar>)>,
    /// People who connected with me at this event.
    pub leads: u64,
    /// My leads per hour (event time zone).
    pub leads_per_hour: Vec<Bar>,
    /// The most common public tags among my leads.
    pub lead_tags: Vec<Bar>,
    /// My leads, newest first.
    pub people: Vec<Lead>,
}

/// The tags a chart shows at most.
#[cfg(feature = "ssr")]
const TOP: usize = 8;

/// The caller's leads page. Sponsors and exhibitors, and the organizers
/// and staff (who see the event's numbers anyway); other members get 403.
#[server(prefix = "/api", endpoint = "exhibitor_leads")]
pub async fn exhibitor_leads(slug: String) -> Result<LeadsView, AppError> {
    let me = crate::api::context::require_user().await?;
    let state = crate::api::context::state()?;
    leads_of(&state, me.id, &slug).await
}

#[cfg(feature = "ssr")]
pub async fn leads_of(
    state: &crate::ports::AppState,
    me: crate::domain::UserId,
    slug: &str,
) -> Result<LeadsView, AppError> {
    use crate::api::dashboard::{per_hour, top_bars, top_tags};
    use std::collections::{HashMap, HashSet};

    let event = crate::api::events::event_at(state, slug).await?;
    let allowed = match state.store.membership(event.id, me).await? {
        Some(m) => m.exhibitor || m.role.runs_event(),
        None => false,
    };
    if !allowed {
        return Err(AppError::Forbidden(
            "The leads page is for the event's sponsors and exhibitors; an organizer can mark you as one."
                .into(),
        ));
    }
    let tz: chrono_tz::Tz = event.time_zone.parse().unwrap_or(chrono_tz::UTC);
    let members = state.store.match_members(event.id).await?;
    let activity = state.store.event_activity(event.id).await?;

    let mine: Vec<_> = state
        .store
        .my_connections(me)
        .await?
        .into_iter()
        .filter(|c| c.event.as_ref().is_some_and(|(_, s)| *s == event.slug))
        .collect();
    let lead_ids: HashSet<_> = mine.iter().map(|c| c.other.id).collect();
    let times: Vec<_> = mine.iter().map(|c| c.connected_at).collect();

    // What my leads are into: only tags they show to fellow members.
    let mut tag_counts: HashMap<String, u64> = HashMap::new();
    for m in members
        .iter()
        .filter(|m| m.tags_public && lead_ids.contains(&m.user))
    {
        // Once per person, whatever the intents they give the tag.
        let tags: HashSet<&str> = m.tags.iter().map(|(t, _)| t.as_str()).collect();
        for tag in tags {
            *tag_counts.entry(tag.to_owned()).or_default() += 1;
        }
    }

    // The cards apply each person's visibility for connections.
    let mut people: Vec<(chrono::DateTime<chrono::Utc>, Lead)> = Vec::new();
    let cards = crate::api::connections::contact_cards(state, me).await?;
    for c in mine.iter() {
        let id = c.other.id.to_string();
        let Some(card) = cards.iter().find(|card| card.user_id == id) else {
            continue;
        };
        people.push((
            c.connected_at,
            Lead {
                user_id: id,
                name: card.display_name.clone(),
                headline: card.headline.clone(),
                company: card.company.clone(),
                job_title: card.job_title.clone(),
                connected_at: crate::api::badges::local_time(&event, c.connected_at),
            },
        ));
    }
    people.sort_by_key(|(at, _)| std::cmp::Reverse(*at));

    Ok(LeadsView {
        event_name: event.name.clone(),
        slug: event.slug.as_str().to_owned(),
        time_zone: event.time_zone.clone(),
        members: members.len() as u64,
        checked_in: members.iter().filter(|m| m.checked_in).count() as u64,
        connections: activity.connections.len() as u64,
        audience: top_tags(&activity.tag_counts),
        leads: mine.len() as u64,
        leads_per_hour: per_hour(&times, tz),
        lead_tags: top_bars(tag_counts.into_iter().collect(), TOP),
        people: people.into_iter().map(|(_, l)| l).collect(),
    })
}
