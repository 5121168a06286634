//! Who may see an event's leads page, and what it shows (the page is
//! `/e/<slug>/leads`; the server function is `api::leads::exhibitor_leads`).
//! Sponsors and exhibitors, marked by an organizer, and the organizers and
//! staff see the event's numbers as counts only, and by name only the
//! people who connected with them: connecting — a badge scan at the booth,
//! or mutual interest — is the attendee's consent to be a lead.

use crate::{
    domain::{local_time, Lead, LeadsView, UserId},
    error::AppError,
    service::{
        connections,
        dashboard::{per_hour, top_bars, top_tags},
        events,
    },
    state::AppState,
};
use std::collections::{HashMap, HashSet};

/// The tags a chart shows at most.
const TOP: usize = 8;

/// The leads page of the event at `slug` for `me`: 403 unless `me` is one
/// of its sponsors or exhibitors, organizers or staff.
pub async fn leads_of(state: &AppState, me: UserId, slug: &str) -> Result<LeadsView, AppError> {
    let event = events::event_at(state, slug).await?;
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
    let cards = connections::contact_cards(state, me).await?;
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
                connected_at: local_time(&event.time_zone, c.connected_at),
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
