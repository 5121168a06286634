//! The organizer dashboard's numbers: who may see them, and how they are
//! computed from the store's raw activity
//! ([`EventActivity`](crate::ports::EventActivity)) — members and check-ins,
//! connections (total and per hour), scans per hour and how they turned
//! out, top tags by intent, the matching funnel, and network health; and
//! the floor: arrivals and joins per hour, who is live in which room now,
//! messages per hour and the busiest rooms. Aggregates only: no chart
//! shows a person.
//!
//! A room message does not tell watching dashboards that they changed:
//! messages are the busiest thing an event does, and each hint makes every
//! open dashboard recompute everything. The page fetches again every 30
//! seconds instead (it must anyway, for people entering and leaving rooms,
//! which notify nobody either), so messages and room occupancy are at most
//! 30 seconds old while check-ins, joins, scans and connections show at
//! once. The pure functions are
//! unit-tested on their own; the leads page (`service::leads`) and the CSV
//! statistics export (`service::exports`) reuse them.

use crate::{
    domain::{
        here_per_hour, Bar, BusyRoom, DashboardView, FunnelStage, Intent, Movement, NetworkHealth,
        Role, RoomId, Tag, UserId, BUSIEST_ROOMS, HOURS,
    },
    error::AppError,
    ports::Event,
    service::{attendance, events},
    state::AppState,
};
use chrono::{DateTime, Utc};
use std::collections::{HashMap, HashSet};

/// Network health of `members` given connections between them (pairs
/// involving non-members are ignored), by union-find.
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

/// The dashboard of the event at `slug` for `me`, an organizer or staff
/// member (also used by the CSV statistics export).
pub async fn dashboard_of(
    state: &AppState,
    me: UserId,
    slug: &str,
) -> Result<DashboardView, AppError> {
    let event = events::event_at(state, slug).await?;
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
pub async fn dashboard_for(state: &AppState, event: &Event) -> Result<DashboardView, AppError> {
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
    let log: Vec<_> = state
        .store
        .attendance_log(event.id)
        .await?
        .into_iter()
        .map(|e| (e.user, e.movement, e.at))
        .collect();
    let arrivals: Vec<DateTime<Utc>> = log
        .iter()
        .filter(|(_, m, _)| *m == Movement::In)
        .map(|(_, _, at)| *at)
        .collect();
    let floor = floor(state, event, tz).await?;
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
        here_now: attendance::here_now(state, event).await?.len() as u64,
        here_per_hour: here_per_hour(&log, tz, crate::domain::now_utc()),
        check_ins_per_hour: per_hour(&arrivals, tz),
        joins_per_hour: per_hour(&state.store.join_times(event.id).await?, tz),
        in_rooms_now: floor.in_rooms_now,
        messages_per_hour: floor.messages_per_hour,
        busiest_rooms: floor.busiest_rooms,
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

/// The rooms' side of the dashboard (see [`floor`]).
struct Floor {
    in_rooms_now: u64,
    messages_per_hour: Vec<Bar>,
    busiest_rooms: Vec<BusyRoom>,
}

/// Who is live in which of the event's rooms now (this instance's hub, and
/// on PostgreSQL every instance's presence rows, as `here_now` counts
/// them), and the rooms' recent messages.
async fn floor(state: &AppState, event: &Event, tz: chrono_tz::Tz) -> Result<Floor, AppError> {
    let rooms = state.store.rooms_of_event(event.id).await?;
    let mut people: HashMap<RoomId, HashSet<UserId>> = rooms
        .iter()
        .map(|r| (r.id, state.live.present_in(&[r.id])))
        .collect();
    for (room, user) in state
        .store
        .room_presence(event.id, attendance::ROOM_PRESENCE_FRESH_SECS)
        .await?
    {
        people.entry(room).or_default().insert(user);
    }
    let messages = state.store.recent_messages(event.id, HOURS as u32).await?;
    let hour_ago = crate::domain::now_utc() - chrono::TimeDelta::hours(1);
    let mut last_hour: HashMap<RoomId, u64> = HashMap::new();
    for (room, _) in messages.iter().filter(|(_, at)| *at > hour_ago) {
        *last_hour.entry(*room).or_default() += 1;
    }
    let times: Vec<DateTime<Utc>> = messages.iter().map(|(_, at)| *at).collect();
    let ranked = rooms
        .iter()
        .map(|r| BusyRoom {
            title: r.title.clone(),
            people_now: people.get(&r.id).map_or(0, |p| p.len() as u64),
            messages_last_hour: last_hour.get(&r.id).copied().unwrap_or(0),
        })
        .collect();
    Ok(Floor {
        in_rooms_now: people.values().flatten().collect::<HashSet<_>>().len() as u64,
        messages_per_hour: per_hour(&times, tz),
        busiest_rooms: busiest(ranked, BUSIEST_ROOMS),
    })
}

/// The `n` busiest rooms: most messages in the last hour, then most people
/// now, ties by title; a room with neither is not busy and left out.
pub fn busiest(mut rooms: Vec<BusyRoom>, n: usize) -> Vec<BusyRoom> {
    rooms.retain(|r| r.people_now > 0 || r.messages_last_hour > 0);
    rooms.sort_by(|a, b| {
        b.messages_last_hour
            .cmp(&a.messages_last_hour)
            .then(b.people_now.cmp(&a.people_now))
            .then_with(|| a.title.cmp(&b.title))
    });
    rooms.truncate(n);
    rooms
}

/// The most common tags of each intent (at most 8 each), from the
/// event's counts.
pub fn top_tags(counts: &[(Tag, Intent, u64)]) -> Vec<(Intent, Vec<Bar>)> {
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
pub fn top_bars(mut bars: Vec<Bar>, n: usize) -> Vec<Bar> {
    bars.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    bars.truncate(n);
    bars
}

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

#[cfg(test)]
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
    fn the_busiest_rooms_rank_by_messages_then_people_and_idle_ones_drop_out() {
        let room = |title: &str, people_now, messages_last_hour| BusyRoom {
            title: title.into(),
            people_now,
            messages_last_hour,
        };
        let ranked = busiest(
            vec![
                room("Idle", 0, 0),
                room("Crowded", 9, 1),
                room("Chatty", 2, 30),
                room("Beta", 3, 1),
                room("Alpha", 3, 1),
                room("Quiet", 1, 0),
            ],
            4,
        );
        let titles: Vec<&str> = ranked.iter().map(|r| r.title.as_str()).collect();
        assert_eq!(titles, ["Chatty", "Crowded", "Alpha", "Beta"]);
        assert!(busiest(vec![room("Idle", 0, 0)], 5).is_empty());
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
