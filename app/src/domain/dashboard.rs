//! What the organizer dashboard and the exhibitors' leads page show: the
//! event's numbers as labelled bars, network health, and the leads an
//! exhibitor may see. Plain values: the service computes them
//! (`service::dashboard`, `service::leads`) and the browser draws them, so
//! they live here where both sides can name them without the service
//! depending on the api layer.

use super::Intent;
use super::Role;
use serde::{Deserialize, Serialize};

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

/// One room as the floor's ranking shows it: how busy it is now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusyRoom {
    /// The room's title (its own text, escaped where shown).
    pub title: String,
    /// People live in the room now, on any instance.
    pub people_now: u64,
    /// Messages posted in the room within the last hour.
    pub messages_last_hour: u64,
}

/// At most this many rooms in the busiest-rooms list.
pub const BUSIEST_ROOMS: usize = 5;

/// The dashboard page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DashboardView {
    pub event_name: String,
    pub slug: String,
    pub time_zone: String,
    pub members: u64,
    pub by_role: Vec<(Role, u64)>,
    /// Members ever checked in.
    pub checked_in: u64,
    /// Members here now (checked in today and not out, or live in a room).
    pub here_now: u64,
    /// How many were here at the end of each hour (event time zone).
    pub here_per_hour: Vec<Bar>,
    /// Check-ins ("in" movements of the attendance log) per hour: the
    /// arrivals, where `here_per_hour` is the crowd.
    pub check_ins_per_hour: Vec<Bar>,
    /// Members who joined the event per hour.
    pub joins_per_hour: Vec<Bar>,
    /// Different people live in any of the event's rooms now.
    pub in_rooms_now: u64,
    /// Messages posted in the event's rooms per hour.
    pub messages_per_hour: Vec<Bar>,
    /// The busiest rooms now: most messages in the last hour, then most
    /// people; rooms with neither are left out.
    pub busiest_rooms: Vec<BusyRoom>,
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
