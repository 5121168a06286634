//! What organizers may export (served as CSV by the server's
//! `/e/<slug>/export/…` routes): the attendee list, and the event's
//! networking statistics. Organizers only for the attendee list (it holds
//! email addresses); organizers and staff for the statistics, which are
//! aggregates.

use crate::{
    domain::{DashboardView, Role, UserId},
    error::AppError,
    ports::Event,
    service::dashboard::dashboard_of,
    state::AppState,
};

/// One attendee as exported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttendeeRow {
    pub name: String,
    pub email: String,
    pub role: Role,
    pub company: String,
    pub job_title: String,
    /// RFC 3339, UTC.
    pub joined_at: String,
    pub checked_in_at: Option<String>,
    pub opted_out: bool,
}

/// Every member of the event at `slug`, for an organizer.
pub async fn attendees(
    state: &AppState,
    me: UserId,
    slug: &str,
) -> Result<Vec<AttendeeRow>, AppError> {
    let event = crate::service::events::event_at(state, slug).await?;
    if state.store.member_role(event.id, me).await? != Some(Role::Organizer) {
        return Err(AppError::Forbidden(
            "Only the event's organizers can export its attendees.".into(),
        ));
    }
    attendees_of(state, &event).await
}

/// Every member of `event`, for a caller already allowed to export them
/// (an organizer, or the event's API token).
pub async fn attendees_of(state: &AppState, event: &Event) -> Result<Vec<AttendeeRow>, AppError> {
    let mut rows = Vec::new();
    for m in state.store.list_members(event.id).await? {
        let (Some(user), Some(membership)) = (
            state.store.user_by_id(m.user_id).await?,
            state.store.membership(event.id, m.user_id).await?,
        ) else {
            continue;
        };
        rows.push(AttendeeRow {
            name: user.display_name,
            email: user.email.as_str().to_owned(),
            role: m.role,
            company: user.company,
            job_title: user.job_title,
            joined_at: m.joined_at.to_rfc3339(),
            checked_in_at: membership.checked_in_at.map(|t| t.to_rfc3339()),
            opted_out: membership.opted_out,
        });
    }
    Ok(rows)
}

/// The dashboard's numbers as (section, name, value) rows.
pub async fn statistics(
    state: &AppState,
    me: UserId,
    slug: &str,
) -> Result<Vec<(String, String, String)>, AppError> {
    let d: DashboardView = dashboard_of(state, me, slug).await?;
    Ok(statistics_rows(&d))
}

/// A dashboard's numbers as (section, name, value) rows.
pub fn statistics_rows(d: &DashboardView) -> Vec<(String, String, String)> {
    let mut rows: Vec<(String, String, String)> = vec![
        ("event".into(), "name".into(), d.event_name.clone()),
        ("totals".into(), "members".into(), d.members.to_string()),
        (
            "totals".into(),
            "checked in".into(),
            d.checked_in.to_string(),
        ),
        (
            "totals".into(),
            "connections".into(),
            d.connections.to_string(),
        ),
        ("totals".into(), "scans".into(), d.scans.to_string()),
        (
            "health".into(),
            "members with a connection (%)".into(),
            d.health.connected_pct.to_string(),
        ),
        (
            "health".into(),
            "connections per member".into(),
            format!("{:.2}", d.health.average),
        ),
        (
            "health".into(),
            "largest connected group (%)".into(),
            d.health.largest_group_pct.to_string(),
        ),
    ];
    for (role, n) in &d.by_role {
        rows.push((
            "members by role".into(),
            role.as_str().into(),
            n.to_string(),
        ));
    }
    let sections = [
        ("funnel", &d.funnel),
        ("scan outcomes", &d.scan_outcomes),
        ("connections per hour", &d.connections_per_hour),
        ("scans per hour", &d.scans_per_hour),
        ("check-ins per hour", &d.check_ins_per_hour),
        ("joins per hour", &d.joins_per_hour),
        ("room messages per hour", &d.messages_per_hour),
    ];
    for (section, bars) in sections {
        for (label, n) in bars {
            rows.push((section.into(), label.clone(), n.to_string()));
        }
    }
    for (intent, bars) in &d.top_tags {
        for (tag, n) in bars {
            rows.push((
                format!("top tags: {}", intent.as_str()),
                tag.clone(),
                n.to_string(),
            ));
        }
    }
    rows
}
