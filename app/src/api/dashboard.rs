//! The organizer dashboard: is this event's crowd actually meeting? Members
//! and check-ins, connections made (total and per hour), scans per hour and
//! how they turned out, top tags by intent, the matching funnel, and network
//! health (who has at least one connection, the average, and how much of
//! the crowd forms one connected group). Aggregates only: no chart shows a
//! person.
//!
//! The numbers are computed here from the store's raw activity
//! ([`EventActivity`](crate::ports::EventActivity)) by pure functions that
//! are unit-tested on their own.

use crate::{
    domain::{Intent, Role},
    error::AppError,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::{
    api::context,
    domain::{FunnelStage, UserId},
};
#[cfg(feature = "ssr")]
use chrono::{DateTime, Utc};

/// How well connected the crowd is.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NetworkHealth {
    /// Members with at least one connection made at the event, in percent.
    pub connected_pct: u32,
    /// Connections per member.
    pub average: f64,
    /// Members in the largest connected group, in percent.
    pub largest_group_pct: u32,
}

/// One labelled number of a chart.
pub type Bar = (String, u64);

/// The dashboard page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DashboardView {
    pub event_name: String,
    pub slug: String,
    pub time_zone: String,
    pub members: u64,
    pub by_role: Vec<(Role, u64)>,
    pub checked_in: u64,
    pub connections: u64,
    /// Connections made per hour ("14 May 15:00"), event time zone.
    pub connections_per_hour: Vec<Bar>,
    pub scans: u64,
    pub scans_per_hour: Vec<Bar>,
    /// Scan attempts by outcome.
    pub scan_outcomes: Vec<Bar>,
    /// The most common tags for each intent.
    pub top_tags: Vec<(Intent, Vec<Bar>)>,
    /// Recommended → interested → mutual → meeting requested → accepted → met.
    pub funnel: Vec<Bar>,
    pub health: NetworkHealth,
}

/// At most this many hours in an hourly chart (the most recent ones).
pub const HOURS: usize = 48;

/// Network health of `members` given connections between them (pairs
/// involving non-members are ignored), by union-find.
#[cfg(feature = "ssr")]
pub fn network_health(members: &[UserId], pairs: &[(UserId, UserId)]) -> NetworkHealth {
    use std::collections::HashMap;
    let n = members.len();
    if n == 0 {
        return NetworkHealth::default();
    }
    let index: HashMap<UserId, usize> = members.iter().enumerate().map(|(i, m)| (*m, i)).collect();
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut degree = vec![0u64; n];
    let mut edges = 0u64;
    for (a, b) in pairs {
        let (Some(&i), Some(&j)) = (index.get(a), index.get(b)) else {
            continue;
        };
        edges += 1;
        degree[i] += 1;
        degree[j] += 1;
        let (ri, rj) = (root(&mut parent, i), root(&mut parent, j));
        if ri != rj {
            parent[ri] = rj;
        }
    }
    let mut sizes: HashMap<usize, usize> = HashMap::new();
    for i in 0..n {
        *sizes.entry(root(&mut parent, i)).or_default() += 1;
    }
    let largest = if edges == 0 {
        0
    } else {
        sizes.values().copied().max().unwrap_or(0)
    };
    let pct = |x: usize| ((x * 100 + n / 2) / n) as u32;
    NetworkHealth {
        connected_pct: pct(degree.iter().filter(|d| **d > 0).count()),
        average: (2 * edges) as f64 / n as f64,
        largest_group_pct: pct(largest),
    }
}

/// Counts per hour (in `tz`), from the first to the last hour with activity,
/// keeping the most recent [`HOURS`]; empty hours are included as zeros so
/// the chart's time axis is honest.
#[cfg(feature = "ssr")]
pub fn per_hour(times: &[DateTime<Utc>], tz: chrono_tz::Tz) -> Vec<Bar> {
    use chrono::{DurationRound, TimeDelta};
    let hour = |t: &DateTime<Utc>| t.duration_trunc(TimeDelta::hours(1)).unwrap_or(*t);
    let (Some(first), Some(last)) = (times.iter().map(hour).min(), times.iter().map(hour).max())
    else {
        return Vec::new();
    };
    let span = ((last - first).num_hours().max(0) as usize + 1).min(HOURS);
    let start = last - TimeDelta::hours(span as i64 - 1);
    let mut counts = vec![0u64; span];
    for t in times {
        let h = hour(t);
        if h >= start {
            counts[(h - start).num_hours() as usize] += 1;
        }
    }
    counts
        .into_iter()
        .enumerate()
        .map(|(i, n)| {
            let at = (start + TimeDelta::hours(i as i64)).with_timezone(&tz);
            (at.format("%-d %b %H:00").to_string(), n)
        })
        .collect()
}

/// The event's dashboard; organizers and staff only.
#[server(prefix = "/api", endpoint = "dashboard")]
pub async fn dashboard(slug: String) -> Result<DashboardView, AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    dashboard_of(&state, me.id, &slug).await
}

/// The dashboard of the event at `slug` for `me`, an organizer or staff
/// member (also used by the CSV statistics export).
#[cfg(feature = "ssr")]
pub async fn dashboard_of(
    state: &crate::ports::AppState,
    me: UserId,
    slug: &str,
) -> Result<DashboardView, AppError> {
    let event = crate::api::events::event_at(state, slug).await?;
    let role = state.store.member_role(event.id, me).await?;
    if !role.is_some_and(Role::runs_event) {
        return Err(AppError::Forbidden(
            "Only the event's organizers and staff see its dashboard.".into(),
        ));
    }
    dashboard_for(state, &event).await
}

/// The dashboard numbers of `event`, for a caller already allowed to see
/// them (an organizer or staff member, or the event's API token).
#[cfg(feature = "ssr")]
pub async fn dashboard_for(
    state: &crate::ports::AppState,
    event: &crate::ports::Event,
) -> Result<DashboardView, AppError> {
    let tz: chrono_tz::Tz = event.time_zone.parse().unwrap_or(chrono_tz::UTC);
    let members = state.store.list_members(event.id).await?;
    let matching = state.store.match_members(event.id).await?;
    let activity = state.store.event_activity(event.id).await?;
    let by_role = [Role::Organizer, Role::Staff, Role::Attendee]
        .into_iter()
        .map(|r| (r, members.iter().filter(|m| m.role == r).count() as u64))
        .collect();
    let ids: Vec<UserId> = members.iter().map(|m| m.user_id).collect();
    let pairs: Vec<(UserId, UserId)> = activity
        .connections
        .iter()
        .map(|(a, b, _)| (*a, *b))
        .collect();
    let connection_times: Vec<DateTime<Utc>> =
        activity.connections.iter().map(|(_, _, t)| *t).collect();
    let funnel_counts = state.store.funnel_counts(event.id).await?;
    let funnel = FunnelStage::ALL
        .into_iter()
        .map(|stage| {
            let n = funnel_counts
                .iter()
                .find(|(s, _)| *s == stage)
                .map_or(0, |(_, n)| *n);
            (funnel_label(stage).to_owned(), n)
        })
        .collect();
    let scan_outcomes = state
        .store
        .scan_counts(event.id)
        .await?
        .into_iter()
        .map(|(o, n)| (o.headline().trim_end_matches('.').to_owned(), n))
        .collect();
    Ok(DashboardView {
        event_name: event.name.clone(),
        slug: event.slug.as_str().to_owned(),
        time_zone: event.time_zone.clone(),
        members: members.len() as u64,
        by_role,
        checked_in: matching.iter().filter(|m| m.checked_in).count() as u64,
        connections: pairs.len() as u64,
        connections_per_hour: per_hour(&connection_times, tz),
        scans: activity.scan_times.len() as u64,
        scans_per_hour: per_hour(&activity.scan_times, tz),
        scan_outcomes,
        top_tags: top_tags(&activity.tag_counts),
        funnel,
        health: network_health(&ids, &pairs),
    })
}

/// The most common tags of each intent (at most 8 each), from the
/// event's counts.
#[cfg(feature = "ssr")]
pub fn top_tags(counts: &[(crate::domain::Tag, Intent, u64)]) -> Vec<(Intent, Vec<Bar>)> {
    Intent::ALL
        .into_iter()
        .map(|intent| {
            let tags = counts
                .iter()
                .filter(|(_, i, _)| *i == intent)
                .map(|(t, _, n)| (t.as_str().to_owned(), *n))
                .collect();
            (intent, top_bars(tags, 8))
        })
        .collect()
}

/// The `n` largest bars, largest first, ties by name.
#[cfg(feature = "ssr")]
pub fn top_bars(mut bars: Vec<Bar>, n: usize) -> Vec<Bar> {
    bars.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    bars.truncate(n);
    bars
}

#[cfg(feature = "ssr")]
fn funnel_label(stage: FunnelStage) -> &'static str {
    match stage {
        FunnelStage::Recommended => "Recommended",
        FunnelStage::Interested => "Interested",
        FunnelStage::Mutual => "Mutual interest",
        FunnelStage::MeetingRequested => "Meeting requested",
        FunnelStage::MeetingAccepted => "Meeting accepted",
        FunnelStage::Met => "Met",
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    fn ids(n: u128) -> Vec<UserId> {
        (1..=n).map(|i| UserId(uuid::Uuid::from_u128(i))).collect()
    }

    #[test]
    fn network_health_counts_connected_members_average_and_largest_group() {
        let m = ids(10);
        // A triangle (0,1,2), a pair (3,4), and five loners.
        let pairs = [(m[0], m[1]), (m[1], m[2]), (m[2], m[0]), (m[3], m[4])];
        let h = network_health(&m, &pairs);
        assert_eq!(h.connected_pct, 50);
        assert!((h.average - 0.8).abs() < 1e-9, "{}", h.average);
        assert_eq!(h.largest_group_pct, 30);
    }

    #[test]
    fn strangers_and_outsiders_do_not_count() {
        let m = ids(4);
        let outsider = UserId(uuid::Uuid::from_u128(99));
        let h = network_health(&m, &[(m[0], outsider)]);
        assert_eq!(
            h,
            NetworkHealth {
                connected_pct: 0,
                average: 0.0,
                largest_group_pct: 0
            }
        );
        assert_eq!(network_health(&[], &[]), NetworkHealth::default());
    }

    #[test]
    fn hourly_counts_include_empty_hours_in_the_event_time_zone() {
        let t = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let times = [
            t("2031-05-14T13:05:00Z"),
            t("2031-05-14T13:59:00Z"),
            t("2031-05-14T15:30:00Z"),
        ];
        let bars = per_hour(&times, chrono_tz::Europe::Berlin);
        assert_eq!(
            bars,
            [
                ("14 May 15:00".to_owned(), 2),
                ("14 May 16:00".to_owned(), 0),
                ("14 May 17:00".to_owned(), 1)
            ]
        );
        assert!(per_hour(&[], chrono_tz::UTC).is_empty());
    }

    #[test]
    fn hourly_charts_keep_the_most_recent_hours() {
        let start: DateTime<Utc> = "2031-05-01T00:00:00Z".parse().unwrap();
        let times: Vec<_> = (0..100)
            .map(|h| start + chrono::TimeDelta::hours(h))
            .collect();
        let bars = per_hour(&times, chrono_tz::UTC);
        assert_eq!(bars.len(), HOURS);
        assert_eq!(bars.last().unwrap().0, "5 May 03:00");
    }
}
